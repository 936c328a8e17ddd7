"""Business Central records → common models: one table per model, Merge's field names on the left.

``MAPPINGS`` lists the reference data first, then the documents that point at them (in ``documents``); the engine
syncs in this order. Remote ids are BC's GUIDs (``id``), unique across entity sets, so two sets may feed one model
without prefixes. Decisions worth knowing:

* **Company.** ``companyInformation`` (one row per company) is the CompanyInfo; a linked account is one company,
  so every record and line carries it (``one_company``). Its fiscal year ends the day before
  ``currentFiscalYearStartDate``'s anniversary.
* **Contacts.** ``customers`` and ``vendors`` are Contacts (``is_customer`` / ``is_supplier``); BC's own
  ``contacts`` (CRM persons) are not Merge Contacts. ``blocked`` (any member but blank) is ARCHIVED.
* **Tax rates.** ``taxAreas`` and ``taxGroups`` are TaxRates without rates: v2.0 has no percentages outside
  document lines (FACTS.md §6.5), so ``total_tax_rate`` is unsupported.
* **Tracking categories.** ``dimensions`` are categories and ``dimensionValues`` their options, whose
  ``parent_category`` is the dimension.
* **Accounting periods.** BC gives only each period's start; the end would be the next period's start, which one
  record does not hold, so ``end_date`` is unsupported. A closed or date-locked period is INACTIVE.
* **Projects** carry only a number and a name in v2.0 (§6.4).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from ledgerport.connectors._base.convert import currency, to_decimal, to_str
from ledgerport.connectors._base.mapping import Computed, Const, F, MappingContext, ModelMap, one_company
from ledgerport.connectors.business_central.convert import (
    ACCOUNT_CLASS,
    ITEM_TYPE,
    bc_date,
    blocked_account,
    blocked_archived,
    days_of,
    employee_status,
    enum_text,
)
from ledgerport.connectors.business_central.documents import (
    CREDIT_NOTE,
    CUSTOMER_PAYMENT,
    ITEM_FULFILLMENT,
    JOURNAL_ENTRY,
    PURCHASE_INVOICE,
    PURCHASE_ORDER,
    SALES_INVOICE,
    SALES_ORDER,
    TRANSACTION,
    VENDOR_PAYMENT,
)
from ledgerport.connectors.business_central.lines import address_of, guid_ref, phones_of, updated
from ledgerport.connectors.business_central.session import local_currency
from ledgerport.connectors.business_central.streams import (
    ACCOUNTING_PERIODS,
    ACCOUNTS,
    COMPANY_INFORMATION,
    CUSTOMERS,
    DIMENSION_VALUES,
    DIMENSIONS,
    EMPLOYEES,
    ITEMS,
    PAYMENT_TERMS,
    PROJECTS,
    TAX_AREAS,
    TAX_GROUPS,
    VENDORS,
)
from ledgerport.models.account import Account
from ledgerport.models.accounting_period import AccountingPeriod
from ledgerport.models.company_info import CompanyInfo
from ledgerport.models.contact import Contact
from ledgerport.models.employee import Employee
from ledgerport.models.enums import ActiveOrArchived, ActiveOrInactive
from ledgerport.models.item import Item
from ledgerport.models.payment_term import PaymentTerm
from ledgerport.models.project import Project
from ledgerport.models.tax_rate import TaxRate
from ledgerport.models.tracking_category import TrackingCategory

__all__ = [
    "ACCOUNT",
    "ACCOUNTING_PERIOD",
    "COMPANY_INFO",
    "CUSTOMER",
    "DIMENSION",
    "DIMENSION_VALUE",
    "EMPLOYEE",
    "ITEM",
    "MAPPINGS",
    "PAYMENT_TERM",
    "PROJECT",
    "TAX_AREA",
    "TAX_GROUP",
    "VENDOR",
]


def _fiscal_end(record: Any) -> tuple[int, int] | None:
    start = bc_date(record.get("currentFiscalYearStartDate"))
    if start is None:
        return None
    end = start - timedelta(days=1)
    return end.month, end.day


COMPANY_INFO = ModelMap(
    model="CompanyInfo",
    struct=CompanyInfo,
    stream=COMPANY_INFORMATION,
    fields={
        "remote_id": F("id", to_str),
        "name": F("displayName", to_str),
        "tax_number": F("taxRegistrationNumber", to_str),
        "fiscal_year_end_month": Computed(lambda r, c: (_fiscal_end(r) or (None, None))[0]),
        "fiscal_year_end_day": Computed(lambda r, c: (_fiscal_end(r) or (None, None))[1]),
        "currency": F("currencyCode", currency),
        "urls": Computed(lambda r, c: [str(r["website"])] if r.get("website") else []),
        "addresses": address_of(),
        "phone_numbers": phones_of(("phoneNumber", "PHONE"), ("faxNumber", "FAX")),
    },
)

ACCOUNT = ModelMap(
    model="Account",
    struct=Account,
    stream=ACCOUNTS,
    fields={
        "remote_id": F("id", to_str),
        "name": F("displayName", to_str),
        "description": F("subCategory", to_str),
        "classification": F("category", ACCOUNT_CLASS),
        "type": Computed(lambda r, c: enum_text(r.get("accountType")) or None),
        "status": F("blocked", blocked_account),
        "current_balance": F("netChange", to_decimal),
        "account_number": F("number", to_str),
    },
)

TAX_AREA = ModelMap(
    model="TaxRate",
    struct=TaxRate,
    stream=TAX_AREAS,
    fields={
        "remote_id": F("id", to_str),
        "code": F("code", to_str),
        "name": F("displayName", to_str),
        "description": Computed(lambda r, c: f"Tax area ({enum_text(r.get('taxType')) or 'tax'})"),
        "status": Const(ActiveOrArchived.ACTIVE),
    },
)

TAX_GROUP = ModelMap(
    model="TaxRate",
    struct=TaxRate,
    stream=TAX_GROUPS,
    fields={
        "remote_id": F("id", to_str),
        "code": F("code", to_str),
        "name": F("displayName", to_str),
        "description": Computed(lambda r, c: f"Tax group ({enum_text(r.get('taxType')) or 'tax'})"),
        "status": Const(ActiveOrArchived.ACTIVE),
    },
)

DIMENSION = ModelMap(
    model="TrackingCategory",
    struct=TrackingCategory,
    stream=DIMENSIONS,
    fields={
        "remote_id": F("id", to_str),
        "name": F("displayName", to_str),
        "status": Const(ActiveOrArchived.ACTIVE),
    },
)

DIMENSION_VALUE = ModelMap(
    model="TrackingCategory",
    struct=TrackingCategory,
    stream=DIMENSION_VALUES,
    fields={
        "remote_id": F("id", to_str),
        "name": F("displayName", to_str),
        "status": Const(ActiveOrArchived.ACTIVE),
        "parent_category": guid_ref("dimensionId", "TrackingCategory"),
    },
)

PAYMENT_TERM = ModelMap(
    model="PaymentTerm",
    struct=PaymentTerm,
    stream=PAYMENT_TERMS,
    fields={
        "remote_id": F("id", to_str),
        "name": F("displayName", to_str),
        "is_active": Const(True),
        "days_until_due": F("dueDateCalculation", days_of),
        "discount_days": F("discountDateCalculation", days_of),
        "remote_last_modified_at": updated(),
    },
)


def _period_status(record: Any, context: MappingContext) -> ActiveOrInactive:
    closed = record.get("closed") is True or record.get("dateLocked") is True
    return ActiveOrInactive.INACTIVE if closed else ActiveOrInactive.ACTIVE


ACCOUNTING_PERIOD = ModelMap(
    model="AccountingPeriod",
    struct=AccountingPeriod,
    stream=ACCOUNTING_PERIODS,
    fields={
        "remote_id": F("id", to_str),
        "name": F("name", to_str),
        "status": Computed(_period_status),
        "start_date": F("startingDate", bc_date),
    },
)


def _contact(stream: Any, *, customer: bool) -> ModelMap:
    return ModelMap(
        model="Contact",
        struct=Contact,
        stream=stream,
        fields={
            "remote_id": F("id", to_str),
            "name": F("displayName", to_str),
            "is_supplier": Const(not customer),
            "is_customer": Const(customer),
            "email_address": F("email", to_str),
            "tax_number": F("taxRegistrationNumber", to_str),
            "status": F("blocked", blocked_archived),
            "currency": local_currency("currencyCode", to_str),
            "remote_updated_at": updated(),
            "addresses": address_of(),
            "phone_numbers": phones_of(("phoneNumber", "PHONE")),
        },
    )


CUSTOMER = _contact(CUSTOMERS, customer=True)
VENDOR = _contact(VENDORS, customer=False)

EMPLOYEE = ModelMap(
    model="Employee",
    struct=Employee,
    stream=EMPLOYEES,
    fields={
        "remote_id": F("id", to_str),
        "first_name": F("givenName", to_str),
        "last_name": F("surname", to_str),
        "employee_number": F("number", to_str),
        "email_address": F("email", to_str),
        "status": F("status", employee_status),
    },
)

PROJECT = ModelMap(
    model="Project",
    struct=Project,
    stream=PROJECTS,
    fields={"remote_id": F("id", to_str), "name": F("displayName", to_str)},
)

ITEM = ModelMap(
    model="Item",
    struct=Item,
    stream=ITEMS,
    fields={
        "remote_id": F("id", to_str),
        "name": F("displayName", to_str),
        "status": F("blocked", blocked_archived),
        "type": F("type", ITEM_TYPE),
        "unit_price": F("unitPrice", to_decimal),
        "purchase_price": F("unitCost", to_decimal),
        "sales_tax_rate": guid_ref("taxGroupId", "TaxRate"),
        "remote_updated_at": updated(),
    },
)

MAPPINGS: Sequence[ModelMap] = one_company(
    (
        COMPANY_INFO,
        ACCOUNT,
        TAX_AREA,
        TAX_GROUP,
        DIMENSION,
        DIMENSION_VALUE,
        PAYMENT_TERM,
        ACCOUNTING_PERIOD,
        CUSTOMER,
        VENDOR,
        EMPLOYEE,
        PROJECT,
        ITEM,
        SALES_INVOICE,
        PURCHASE_INVOICE,
        CREDIT_NOTE,
        SALES_ORDER,
        PURCHASE_ORDER,
        ITEM_FULFILLMENT,
        JOURNAL_ENTRY,
        TRANSACTION,
        CUSTOMER_PAYMENT,
        VENDOR_PAYMENT,
    )
)
"""Referenced models first: the engine syncs in this order; a linked account is one company."""
