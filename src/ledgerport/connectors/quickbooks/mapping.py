"""QBO records → common models: the reference data here, the documents in ``documents``; ``MAPPINGS`` lists all.

``MAPPINGS`` puts referenced models first (company, accounts, tax rates, tracking, terms, contacts, employees,
items), then the documents pointing at them; the engine syncs in this order. Where two QBO entities feed one model
(Customer + Vendor → Contact, Class + Department → TrackingCategory, TaxRate + TaxCode → TaxRate) the remote ids
follow ``ids``; every reference spells them the same way.

* **Inactive name-list rows** are live records with ``status`` ARCHIVED (INACTIVE for accounts and employees):
  QBO never deletes customers, vendors, accounts or items, and "deleting" one in its UI deactivates it.
* **Tax.** Lines carry a ``TaxCodeRef``, so each TaxCode is a TaxRate record too (``TaxCode-{Id}``) with its rates
  as components; QBO's TaxRate entities are TaxRate records with their percentage. US ``TAX``/``NON`` are flags on
  a line, not codes, and reference nothing.
* **Company.** ``currency`` comes from CompanyInfo's ``NameValue`` ``HomeCurrency`` when QBO sends it (the sandbox
  does); the authoritative home currency is in ``/preferences``, which no stream reads yet.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from typing import Any

from ledgerport.connectors._base.convert import to_decimal, to_str
from ledgerport.connectors._base.mapping import Computed, Const, F, MappingContext, ModelMap, Ref
from ledgerport.connectors._base.streams import Stream, dig
from ledgerport.connectors.quickbooks.attachments import ATTACHMENT
from ledgerport.connectors.quickbooks.client import parse_qbo_datetime
from ledgerport.connectors.quickbooks.convert import (
    ACCOUNT_TYPE,
    CLASSIFICATION,
    ITEM_TYPE,
    account_status,
    active_or_archived,
    active_or_inactive,
    addresses,
    currency,
    phone_numbers,
)
from ledgerport.connectors.quickbooks.documents import (
    BILL,
    BILL_PAYMENT,
    CREDIT_NOTE,
    EXPENSE,
    INVOICE,
    JOURNAL_ENTRY,
    PAYMENT,
    PURCHASE_ORDER,
    TRANSACTIONS,
    VENDOR_CREDIT,
    deleted,
)
from ledgerport.connectors.quickbooks.ids import REMOTE_ID, ref_to, remote_id_of
from ledgerport.connectors.quickbooks.lines import tax_code_ref
from ledgerport.connectors.quickbooks.payment_methods import PAYMENT_METHOD
from ledgerport.connectors.quickbooks.statements import STATEMENTS
from ledgerport.connectors.quickbooks.streams import (
    ACCOUNTS,
    CLASSES,
    COMPANY_INFO,
    CUSTOMERS,
    DEPARTMENTS,
    EMPLOYEES,
    ITEMS,
    TAX_CODES,
    TAX_RATES,
    TERMS,
    VENDORS,
)
from ledgerport.models.account import Account
from ledgerport.models.company_info import CompanyInfo
from ledgerport.models.contact import AddressType, Contact
from ledgerport.models.employee import Employee
from ledgerport.models.item import Item
from ledgerport.models.payment_term import PaymentTerm
from ledgerport.models.tax_rate import ComponentType, TaxComponent, TaxRate
from ledgerport.models.tracking_category import CategoryType, TrackingCategory

__all__ = [
    "ACCOUNT",
    "CLASS",
    "COMPANY",
    "CUSTOMER",
    "DEPARTMENT",
    "EMPLOYEE",
    "ITEM",
    "MAPPINGS",
    "TAX_CODE",
    "TAX_RATE",
    "TERM",
    "VENDOR",
]

_MONTHS = {name: number for number, name in enumerate(calendar.month_name) if name}


def _fiscal_year_end(record: Any) -> tuple[int, int] | None:
    """QBO gives the first month of the fiscal year; it ends on the last day of the month before."""
    start = _MONTHS.get(str(record.get("FiscalYearStartMonth") or ""))
    if start is None:
        return None
    month = 12 if start == 1 else start - 1
    return month, calendar.monthrange(2001, month)[1]  # a non-leap year: February ends on the 28th


def _name_value(record: Any, name: str) -> Any:
    return next((pair.get("Value") for pair in record.get("NameValue") or [] if pair.get("Name") == name), None)


COMPANY = ModelMap(
    model="CompanyInfo",
    struct=CompanyInfo,
    stream=COMPANY_INFO,
    fields={
        "remote_id": F("Id", to_str),
        "name": F("CompanyName", to_str),
        "legal_name": F("LegalName", to_str),
        "fiscal_year_end_month": Computed(lambda r, c: (_fiscal_year_end(r) or (None, None))[0]),
        "fiscal_year_end_day": Computed(lambda r, c: (_fiscal_year_end(r) or (None, None))[1]),
        "currency": Computed(lambda r, c: currency(_name_value(r, "HomeCurrency"))),
        "remote_created_at": F("MetaData.CreateTime", parse_qbo_datetime),
        "urls": Computed(lambda r, c: [str(uri)] if (uri := dig(r, "WebAddr.URI")) else []),
        "addresses": addresses(("CompanyAddr", None)),
        "phone_numbers": Computed(phone_numbers),
    },
)

ACCOUNT = ModelMap(
    model="Account",
    struct=Account,
    stream=ACCOUNTS,
    fields={
        "remote_id": F("Id", to_str),
        "name": F("Name", to_str),
        "description": F("Description", to_str),
        "classification": Computed(lambda r, c: CLASSIFICATION.get(str(r.get("Classification")))),
        "type": F("AccountType", to_str),
        "account_type": Computed(lambda r, c: ACCOUNT_TYPE.get(str(r.get("AccountType")))),
        "status": F("Active", account_status),
        "current_balance": F("CurrentBalance", to_decimal),
        "currency": F("CurrencyRef.value", currency),
        "account_number": F("AcctNum", to_str),
        "parent_account": Ref("ParentRef.value", "Account"),
        "remote_was_deleted": deleted(ACCOUNTS),
    },
)

TAX_RATE = ModelMap(
    model="TaxRate",
    struct=TaxRate,
    stream=TAX_RATES,
    fields={
        "remote_id": F("Id", to_str),
        "name": F("Name", to_str),
        "description": F("Description", to_str),
        "status": F("Active", active_or_archived),
        "total_tax_rate": F("RateValue", to_decimal),
        "effective_tax_rate": F("RateValue", to_decimal),
        "remote_was_deleted": deleted(TAX_RATES),
    },
)


def _tax_code_components(record: Any, context: MappingContext) -> list[TaxComponent]:
    """The rates a TaxCode applies, sales then purchase; QBO names each rate but gives its percentage only on the
    TaxRate entity, which a mapping does not look up (``rate`` stays empty)."""
    components = []
    for path, kind in (("SalesTaxRateList", ComponentType.SALES), ("PurchaseTaxRateList", ComponentType.PURCHASE)):
        for detail in dig(record, f"{path}.TaxRateDetail") or []:
            rate_id = dig(detail, "TaxRateRef.value")
            components.append(
                TaxComponent(
                    id=context.ref("TaxComponent", f"{context.parent}/{kind.value}/{rate_id}"),
                    remote_id=str(rate_id) if rate_id else None,
                    name=to_str(dig(detail, "TaxRateRef.name")),
                    component_type=kind,
                    is_compound=detail.get("TaxTypeApplicable") == "TaxOnTax"
                    if detail.get("TaxTypeApplicable")
                    else None,
                )
            )
    return components


TAX_CODE = ModelMap(
    model="TaxRate",
    struct=TaxRate,
    stream=TAX_CODES,
    remote_id=remote_id_of("TaxCode"),
    fields={
        "remote_id": REMOTE_ID,
        "code": F("Name", to_str),
        "name": F("Name", to_str),
        "description": F("Description", to_str),
        "status": F("Active", active_or_archived),
        "tax_components": Computed(_tax_code_components),
        "remote_was_deleted": deleted(TAX_CODES),
    },
)

CLASS = ModelMap(
    model="TrackingCategory",
    struct=TrackingCategory,
    stream=CLASSES,
    fields={
        "remote_id": F("Id", to_str),
        "name": F("Name", to_str),
        "status": F("Active", active_or_archived),
        "category_type": Const(CategoryType.CLASS),
        "parent_category": ref_to("TrackingCategory", "Class", "ParentRef.value"),
        "remote_was_deleted": deleted(CLASSES),
    },
)

DEPARTMENT = ModelMap(
    model="TrackingCategory",
    struct=TrackingCategory,
    stream=DEPARTMENTS,
    remote_id=remote_id_of("Department"),
    fields={
        "remote_id": REMOTE_ID,
        "name": F("Name", to_str),
        "status": F("Active", active_or_archived),
        "category_type": Const(CategoryType.DEPARTMENT),
        "parent_category": ref_to("TrackingCategory", "Department", "ParentRef.value"),
        "remote_was_deleted": deleted(DEPARTMENTS),
    },
)

TERM = ModelMap(
    model="PaymentTerm",
    struct=PaymentTerm,
    stream=TERMS,
    fields={
        "remote_id": F("Id", to_str),
        "name": F("Name", to_str),
        "is_active": F("Active"),
        "days_until_due": F("DueDays"),
        "discount_days": F("DiscountDays"),
        "remote_last_modified_at": F("MetaData.LastUpdatedTime", parse_qbo_datetime),
    },
)


def _contact(stream: Stream, entity: str, *, customer: bool, places: Any) -> ModelMap:
    return ModelMap(
        model="Contact",
        struct=Contact,
        stream=stream,
        remote_id=remote_id_of(entity),
        fields={
            "remote_id": REMOTE_ID,
            "name": F("DisplayName", to_str),
            "is_supplier": Const(not customer),
            "is_customer": Const(customer),
            "email_address": F("PrimaryEmailAddr.Address", to_str),
            "status": F("Active", active_or_archived),
            "currency": F("CurrencyRef.value", to_str),
            "remote_updated_at": F("MetaData.LastUpdatedTime", parse_qbo_datetime),
            "addresses": places,
            "phone_numbers": Computed(phone_numbers),
            "remote_was_deleted": deleted(stream),
        },
    )


CUSTOMER = _contact(
    CUSTOMERS,
    "Customer",
    customer=True,
    places=addresses(("BillAddr", AddressType.BILLING), ("ShipAddr", AddressType.SHIPPING)),
)
VENDOR = _contact(VENDORS, "Vendor", customer=False, places=addresses(("BillAddr", AddressType.BILLING)))

EMPLOYEE = ModelMap(
    model="Employee",
    struct=Employee,
    stream=EMPLOYEES,
    fields={
        "remote_id": F("Id", to_str),
        "first_name": F("GivenName", to_str),
        "last_name": F("FamilyName", to_str),
        "employee_number": F("EmployeeNumber", to_str),
        "email_address": F("PrimaryEmailAddr.Address", to_str),
        "status": F("Active", active_or_inactive),
        "remote_was_deleted": deleted(EMPLOYEES),
    },
)

ITEM = ModelMap(
    model="Item",
    struct=Item,
    stream=ITEMS,
    fields={
        "remote_id": F("Id", to_str),
        "name": F("Name", to_str),
        "status": F("Active", active_or_archived),
        "type": Computed(lambda r, c: ITEM_TYPE.get(str(r.get("Type"))) if r.get("Type") else None),
        "unit_price": F("UnitPrice", to_decimal),
        "purchase_price": F("PurchaseCost", to_decimal),
        "purchase_account": Ref("ExpenseAccountRef.value", "Account"),
        "sales_account": Ref("IncomeAccountRef.value", "Account"),
        "purchase_tax_rate": Computed(lambda r, c: tax_code_ref(r.get("PurchaseTaxCodeRef"), c)),
        "sales_tax_rate": Computed(lambda r, c: tax_code_ref(r.get("SalesTaxCodeRef"), c)),
        "remote_updated_at": F("MetaData.LastUpdatedTime", parse_qbo_datetime),
        "remote_was_deleted": deleted(ITEMS),
    },
)

MAPPINGS: Sequence[ModelMap] = (
    COMPANY,
    ACCOUNT,
    TAX_RATE,
    TAX_CODE,
    CLASS,
    DEPARTMENT,
    TERM,
    PAYMENT_METHOD,
    CUSTOMER,
    VENDOR,
    EMPLOYEE,
    ITEM,
    INVOICE,
    BILL,
    CREDIT_NOTE,
    VENDOR_CREDIT,
    PURCHASE_ORDER,
    PAYMENT,
    BILL_PAYMENT,
    JOURNAL_ENTRY,
    EXPENSE,
    *TRANSACTIONS,
    *STATEMENTS,
    ATTACHMENT,
)
"""Referenced models first: the engine syncs in this order."""
