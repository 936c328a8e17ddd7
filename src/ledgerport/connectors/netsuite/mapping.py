"""NetSuite lists → common models, and ``MAPPINGS``: reference data first, then documents, then deletions.

* **Company.** A OneWorld account is one linked account with several companies: every subsidiary (except
  elimination subsidiaries, which only hold consolidation entries) is a CompanyInfo, and every record and line
  names its own in ``company``. Standard (non-OneWorld) accounts have no ``subsidiary`` table: not handled yet.
* **Contacts** are customers and vendors (NetSuite numbers all entities from one sequence, so their ids never
  collide); a person's name is first and last name, a company's its company name.
* **Tracking categories** are departments, classes and locations, remote ids prefixed by their list
  (:func:`~.lines.segment_id`). Custom segments are remote fields of the documents and lines (``remote_fields``).
* **Tax rates** are tax codes (``salestaxitem``) and tax groups (legacy tax engine).
* **Deletions** come from ``deletedrecord``, one stream per model (:func:`_deletions`): its rows only mark records
  deleted, so those tables map no fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ledgerport.connectors._base.convert import currency, iso_date, to_str
from ledgerport.connectors._base.mapping import Computed, Const, F, MappingContext, ModelMap, Ref
from ledgerport.connectors.netsuite.convert import (
    ACCOUNT_CLASS,
    ACCOUNT_TYPE,
    ITEM_TYPE,
    account_status,
    active_or_archived,
    active_or_inactive,
    instant,
    is_active,
    ns_bool,
    percent,
    positive,
)
from ledgerport.connectors.netsuite.documents import DOCUMENTS
from ledgerport.connectors.netsuite.lines import COMPANY, addresses, company_of, phone_numbers, segment_id
from ledgerport.connectors.netsuite.streams import (
    ACCOUNTS,
    CLASSES,
    CUSTOMERS,
    DEPARTMENTS,
    EMPLOYEES,
    ITEMS,
    JOBS,
    LOCATIONS,
    PERIODS,
    SUBSIDIARIES,
    TAX_CODES,
    TAX_GROUPS,
    TERMS,
    VENDORS,
    deleted_stream,
)
from ledgerport.models.account import Account
from ledgerport.models.accounting_period import AccountingPeriod
from ledgerport.models.company_info import CompanyInfo
from ledgerport.models.contact import Contact
from ledgerport.models.employee import Employee
from ledgerport.models.enums import ActiveOrInactive
from ledgerport.models.item import Item
from ledgerport.models.payment_term import PaymentTerm
from ledgerport.models.project import Project
from ledgerport.models.registry import MODELS
from ledgerport.models.tax_rate import TaxRate
from ledgerport.models.tracking_category import CategoryType, TrackingCategory

__all__ = [
    "ACCOUNT",
    "ACCOUNTING_PERIOD",
    "COMPANY_INFO",
    "CUSTOMER",
    "DELETED_TYPES",
    "DELETIONS",
    "EMPLOYEE",
    "ITEM",
    "MAPPINGS",
    "PAYMENT_TERM",
    "PROJECT",
    "TAX_CODE",
    "TAX_GROUP",
    "TRACKING_CATEGORIES",
    "VENDOR",
]

_ID = F("id", to_str)
_UPDATED = F("lastmodifieddate", instant)
_LIVE = Const(False)

COMPANY_INFO = ModelMap(
    model="CompanyInfo",
    struct=CompanyInfo,
    stream=SUBSIDIARIES,
    when=lambda r: not ns_bool(r.get("iselimination")),
    fields={
        "remote_id": _ID,
        "name": F("name", to_str),
        "legal_name": F("legalname", to_str),
        "currency": F("currencysymbol", currency),
        "remote_was_deleted": _LIVE,
    },
)

ACCOUNT = ModelMap(
    model="Account",
    struct=Account,
    stream=ACCOUNTS,
    fields={
        "remote_id": _ID,
        # ``fullname`` is the name with its parents ("Expenses : Travel"); the search display name leads with
        # the account number ("6100 Travel"), which Merge keeps apart in ``account_number``.
        "name": Computed(lambda r, c: to_str(r.get("fullname")) or to_str(r.get("accountsearchdisplayname"))),
        "description": F("description", to_str),
        "classification": F("accttype", ACCOUNT_CLASS),
        "type": F("accttype", to_str),
        "account_type": F("accttype", ACCOUNT_TYPE),
        "status": F("isinactive", account_status),
        "currency": F("currencysymbol", currency),
        "account_number": F("acctnumber", to_str),
        "parent_account": Ref("parent", "Account"),
        "company": Computed(company_of),
        "remote_was_deleted": _LIVE,
    },
)


def _tax_rate(stream: Any) -> ModelMap:
    return ModelMap(
        model="TaxRate",
        struct=TaxRate,
        stream=stream,
        fields={
            "remote_id": _ID,
            "code": F("itemid", to_str),
            "name": F("itemid", to_str),
            "description": F("description", to_str),
            "status": F("isinactive", active_or_archived),
            "total_tax_rate": F("rate", percent),
            "effective_tax_rate": F("rate", percent),
            "remote_was_deleted": _LIVE,
        },
    )


TAX_CODE = _tax_rate(TAX_CODES)
TAX_GROUP = _tax_rate(TAX_GROUPS)


def _segment(stream: Any, prefix: str, category: CategoryType | None) -> ModelMap:
    def parent(record: Any, context: MappingContext) -> str | None:
        found = record.get("parent")
        return None if found in (None, "") else context.ref("TrackingCategory", segment_id(prefix, found))

    return ModelMap(
        model="TrackingCategory",
        struct=TrackingCategory,
        stream=stream,
        remote_id=lambda r: segment_id(prefix, r["id"]),
        fields={
            "remote_id": Computed(lambda r, c: segment_id(prefix, r["id"])),
            "name": F("name", to_str),
            "status": F("isinactive", active_or_archived),
            "category_type": Const(category),
            "parent_category": Computed(parent),
            "company": Computed(company_of),
            "remote_was_deleted": _LIVE,
        },
    )


TRACKING_CATEGORIES = (
    _segment(DEPARTMENTS, "department", CategoryType.DEPARTMENT),
    _segment(CLASSES, "class", CategoryType.CLASS),
    _segment(LOCATIONS, "location", None),  # Merge's CategoryTypeEnum has no location
)

ACCOUNTING_PERIOD = ModelMap(
    model="AccountingPeriod",
    struct=AccountingPeriod,
    stream=PERIODS,
    fields={
        "remote_id": _ID,
        "name": F("periodname", to_str),
        "status": Computed(
            lambda r, c: (
                ActiveOrInactive.INACTIVE
                if ns_bool(r.get("closed")) or ns_bool(r.get("isinactive"))
                else ActiveOrInactive.ACTIVE
            )
        ),
        "start_date": F("startdate", iso_date),
        "end_date": F("enddate", iso_date),
    },
)

PAYMENT_TERM = ModelMap(
    model="PaymentTerm",
    struct=PaymentTerm,
    stream=TERMS,
    fields={
        "remote_id": _ID,
        "name": F("name", to_str),
        "is_active": F("isinactive", is_active),
        "days_until_due": F("daysuntilnetdue", lambda v: None if v in (None, "") else int(v)),
    },
)


def _entity_name(record: Any, context: MappingContext) -> str | None:
    person = " ".join(str(record[k]) for k in ("firstname", "lastname") if record.get(k))
    company = to_str(record.get("companyname"))
    if ns_bool(record.get("isperson")):
        return person or company or to_str(record.get("entityid"))
    return company or person or to_str(record.get("entityid"))


def _contact(stream: Any, *, customer: bool) -> ModelMap:
    return ModelMap(
        model="Contact",
        struct=Contact,
        stream=stream,
        fields={
            "remote_id": _ID,
            "name": Computed(_entity_name),
            "is_supplier": Const(not customer),
            "is_customer": Const(customer),
            "email_address": F("email", to_str),
            "status": F("isinactive", active_or_archived),
            "currency": F("currencysymbol", to_str),
            "remote_updated_at": _UPDATED,
            "company": COMPANY,
            "addresses": Computed(addresses),
            "phone_numbers": Computed(phone_numbers),
            "remote_was_deleted": _LIVE,
        },
    )


CUSTOMER = _contact(CUSTOMERS, customer=True)
VENDOR = _contact(VENDORS, customer=False)

EMPLOYEE = ModelMap(
    model="Employee",
    struct=Employee,
    stream=EMPLOYEES,
    fields={
        "remote_id": _ID,
        "first_name": F("firstname", to_str),
        "last_name": F("lastname", to_str),
        "employee_number": F("entityid", to_str),
        "email_address": F("email", to_str),
        "company": COMPANY,
        "status": F("isinactive", active_or_inactive),
        "remote_was_deleted": _LIVE,
    },
)

PROJECT = ModelMap(
    model="Project",
    struct=Project,
    stream=JOBS,
    fields={
        "remote_id": _ID,
        "name": Computed(lambda r, c: to_str(r.get("companyname")) or to_str(r.get("entityid"))),
        "is_active": F("isinactive", is_active),
        "company": COMPANY,
        "contact": Ref("parent", "Contact"),
    },
)

ITEM = ModelMap(
    model="Item",
    struct=Item,
    stream=ITEMS,
    fields={
        "remote_id": _ID,
        "name": Computed(lambda r, c: to_str(r.get("itemid")) or to_str(r.get("displayname"))),
        "status": F("isinactive", active_or_archived),
        "type": F("itemtype", ITEM_TYPE),
        "unit_price": F("baseprice", positive),
        "purchase_price": F("cost", positive),
        "purchase_account": Ref("expenseaccount", "Account"),
        "sales_account": Ref("incomeaccount", "Account"),
        "company": Computed(company_of),
        "remote_updated_at": _UPDATED,
        "remote_was_deleted": _LIVE,
    },
)

REFERENCE: Sequence[ModelMap] = (
    COMPANY_INFO,
    ACCOUNT,
    TAX_CODE,
    TAX_GROUP,
    *TRACKING_CATEGORIES,
    ACCOUNTING_PERIOD,
    PAYMENT_TERM,
    CUSTOMER,
    VENDOR,
    EMPLOYEE,
    PROJECT,
    ITEM,
)

_ITEM_TYPES = (
    "assemblyitem descriptionitem discountitem downloaditem giftcertificateitem inventoryitem itemgroup kititem"
    " lotnumberedinventoryitem markupitem noninventorypurchaseitem noninventoryresaleitem noninventorysaleitem"
    " otherchargepurchaseitem otherchargeresaleitem otherchargesaleitem paymentitem serializedinventoryitem"
    " servicepurchaseitem serviceresaleitem servicesaleitem shipitem subtotalitem"
).split()

DELETED_TYPES: Mapping[str, tuple[str, ...]] = {
    "CompanyInfo": ("subsidiary",),
    "Account": ("account",),
    "TrackingCategory": ("department", "classification", "location"),
    "AccountingPeriod": ("accountingperiod",),
    "PaymentTerm": ("term",),
    "Contact": ("customer", "vendor"),
    "Employee": ("employee",),
    "Project": ("job",),
    "Item": tuple(_ITEM_TYPES),
    "Invoice": ("invoice", "vendorbill"),
    "CreditNote": ("creditmemo",),
    "VendorCredit": ("vendorcredit",),
    "PurchaseOrder": ("purchaseorder",),
    "SalesOrder": ("salesorder",),
    "ItemFulfillment": ("itemfulfillment",),
    "Payment": ("customerpayment", "vendorpayment"),
    "JournalEntry": ("journalentry",),
    "Expense": ("check", "creditcardcharge", "expensereport"),
    "Transaction": ("cashsale", "deposit", "customerdeposit", "customerrefund", "creditcardrefund"),
}
"""Per model, the ``deletedrecord.type`` values (REST record type ids, lower case) whose rows are its deletions.
Tax codes and groups are read whole every run instead (``complete`` streams)."""

_SEGMENT_TYPES = {"department": "department", "classification": "class", "location": "location"}


def _deletions(model: str, types: Sequence[str]) -> ModelMap:
    """Rows of ``deletedrecord``: each only marks the record with its id deleted (remote ids as the live ones)."""
    stream = deleted_stream(f"deleted_{MODELS[model].path.replace('-', '_')}", types)
    remote_id = None
    if model == "TrackingCategory":
        remote_id = lambda r: segment_id(_SEGMENT_TYPES.get(str(r.get("type")), str(r.get("type"))), r["id"])  # noqa: E731
    return ModelMap(model=model, struct=MODELS[model].struct, stream=stream, fields={}, remote_id=remote_id)


DELETIONS: Sequence[ModelMap] = tuple(_deletions(model, types) for model, types in DELETED_TYPES.items())


def _with_deletions(live: Sequence[ModelMap], deletions: Sequence[ModelMap]) -> tuple[ModelMap, ...]:
    """Each model's deletions right after its last live mapping, so a model is done when both are."""
    gone = {mapping.model: mapping for mapping in deletions}
    ordered: list[ModelMap] = []
    for index, mapping in enumerate(live):
        ordered.append(mapping)
        if mapping.model in gone and all(later.model != mapping.model for later in live[index + 1 :]):
            ordered.append(gone.pop(mapping.model))
    return (*ordered, *gone.values())


MAPPINGS: Sequence[ModelMap] = _with_deletions((*REFERENCE, *DOCUMENTS), DELETIONS)
"""Referenced models first (the engine syncs in this order), each model's deletions after it."""
