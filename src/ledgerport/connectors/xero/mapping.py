"""Xero records -> common models: one table per model, Merge's field names on the left.

``MAPPINGS`` lists the reference data first (company, accounts, tax rates, tracking, contacts, items), then the
documents that point at them; the engine syncs in this order. A ``Ref`` id is derived by the engine from (model,
remote id), so no table looks anything up, and remote ids are Xero's GUIDs (``TaxType`` for tax rates, which have
none). Decisions worth knowing:

* **Account references.** Xero answers every document and manual-journal line with ``AccountID`` next to
  ``AccountCode``, so lines reference accounts by GUID. Where Xero gives only a code (an item's
  ``SalesDetails.AccountCode``), the reference is left out rather than resolved by a lookup: ``Item.sales_account``
  and ``purchase_account`` are unsupported.
* **Tracking.** Categories and their options are both TrackingCategory records: an option is exploded out of its
  category's ``Options`` and has the category as ``parent_category``; document lines point at options.
* **Archived contacts** stay live with ``status=ARCHIVED`` (Merge's behaviour); only GDPR-erased ones are deleted.
* **Bills and vendor credits.** ``Invoices`` of type ACCPAY are ACCOUNTS_PAYABLE invoices; ``CreditNotes`` of type
  ACCPAYCREDIT are VendorCredits and ACCRECCREDIT ones CreditNotes (two tables over one stream, split by ``when``).
* **Expenses.** ``BankTransactions`` of type SPEND and RECEIVE are Expenses, the other types Transactions (why is
  in ``documents``).
* **Company.** ``company`` is the organisation's CompanyInfo record on every record and line (``one_company``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ledgerport.connectors._base.convert import decimal_string, to_decimal, to_str
from ledgerport.connectors._base.mapping import (
    ChildId,
    Computed,
    Const,
    Each,
    Explode,
    F,
    MappingContext,
    ModelMap,
    NestedMap,
    OwnerRef,
    Ref,
)
from ledgerport.connectors.xero.convert import (
    ACCOUNT_CLASS,
    ACCOUNT_STATUS,
    ACCOUNT_TYPE,
    ACTIVE_OR_ARCHIVED,
    currency,
    xero_date,
)
from ledgerport.connectors.xero.documents import (
    CREDIT_NOTE,
    EXPENSE,
    INVOICE,
    JOURNAL_ENTRY,
    PAYMENT,
    PURCHASE_ORDER,
    TRANSACTION,
    VENDOR_CREDIT,
    deleted,
)
from ledgerport.connectors.xero.ledger import LEDGER_MAPPINGS
from ledgerport.connectors.xero.lines import ADDRESS, PHONE
from ledgerport.connectors.xero.streams import (
    ACCOUNTS,
    CONTACTS,
    ITEMS,
    OPTION_DELETED,
    ORGANISATION,
    TAX_RATES,
    TRACKING_CATEGORIES,
)
from ledgerport.models.account import Account, AccountAccountType
from ledgerport.models.company_info import CompanyInfo
from ledgerport.models.contact import Contact
from ledgerport.models.enums import ActiveOrArchived
from ledgerport.models.item import Item, ItemType
from ledgerport.models.tax_rate import TaxComponent, TaxRate
from ledgerport.models.tracking_category import TrackingCategory

__all__ = [
    "ACCOUNT",
    "COMPANY_INFO",
    "CONTACT",
    "CREDIT_NOTE",
    "INVOICE",
    "ITEM",
    "JOURNAL_ENTRY",
    "MAPPINGS",
    "PAYMENT",
    "PURCHASE_ORDER",
    "TAX_RATE",
    "TRACKING_CATEGORY",
    "TRACKING_OPTION",
    "TRANSACTION",
    "VENDOR_CREDIT",
]

# --- reference data (the documents are in ``documents``) ------------------------------------------------------

COMPANY_INFO = ModelMap(
    model="CompanyInfo",
    struct=CompanyInfo,
    stream=ORGANISATION,
    fields={
        "remote_id": F("OrganisationID"),
        "name": F("Name", to_str),
        "legal_name": F("LegalName", to_str),
        "tax_number": F("TaxNumber", to_str),
        "fiscal_year_end_month": F("FinancialYearEndMonth"),
        "fiscal_year_end_day": F("FinancialYearEndDay"),
        "currency": F("BaseCurrency", currency),
        "remote_created_at": F("CreatedDateUTC", xero_date),
        "urls": Computed(lambda r, c: [str(link["Url"]) for link in r.get("ExternalLinks") or [] if link.get("Url")]),
        "addresses": Each("Addresses", ADDRESS),
        "phone_numbers": Each("Phones", PHONE),
    },
)


def _account_type(record: Any, context: MappingContext) -> AccountAccountType | None:
    """Xero's ``Type`` refined by the system account (AR/AP control accounts) and the bank account's kind."""
    if record.get("BankAccountType") == "CREDITCARD":
        return AccountAccountType.CREDIT_CARD
    system = {"DEBTORS": AccountAccountType.ACCOUNTS_RECEIVABLE, "CREDITORS": AccountAccountType.ACCOUNTS_PAYABLE}
    return system.get(record.get("SystemAccount") or "") or ACCOUNT_TYPE.get(record.get("Type") or "")


ACCOUNT = ModelMap(
    model="Account",
    struct=Account,
    stream=ACCOUNTS,
    fields={
        "remote_id": F("AccountID"),
        "name": F("Name", to_str),
        "description": F("Description", to_str),
        "classification": F("Class", ACCOUNT_CLASS),
        "type": F("Type", to_str),
        "account_type": Computed(_account_type),
        "status": F("Status", ACCOUNT_STATUS),
        "currency": F("CurrencyCode", currency),
        "account_number": F("Code", to_str),
        "remote_was_deleted": deleted(ACCOUNTS),
    },
)

TAX_RATE = ModelMap(
    model="TaxRate",
    struct=TaxRate,
    stream=TAX_RATES,
    fields={
        "remote_id": F("TaxType"),
        "code": F("TaxType", to_str),
        "name": F("Name", to_str),
        "status": F("Status", ACTIVE_OR_ARCHIVED),
        "total_tax_rate": F("DisplayTaxRate", to_decimal),
        "effective_tax_rate": F("EffectiveRate", to_decimal),
        "tax_components": Each(
            "TaxComponents",
            NestedMap(
                TaxComponent,
                {
                    "id": ChildId("TaxComponent", "Name"),
                    "name": F("Name", to_str),
                    "rate": F("Rate", decimal_string),
                    "is_compound": F("IsCompound"),
                },
            ),
        ),
        "remote_was_deleted": deleted(TAX_RATES),
    },
)

TRACKING_CATEGORY = ModelMap(
    model="TrackingCategory",
    struct=TrackingCategory,
    stream=TRACKING_CATEGORIES,
    fields={
        "remote_id": F("TrackingCategoryID"),
        "name": F("Name", to_str),
        "status": F("Status", ACTIVE_OR_ARCHIVED),
        "remote_was_deleted": deleted(TRACKING_CATEGORIES),
    },
)

TRACKING_OPTION = ModelMap(
    model="TrackingCategory",
    struct=TrackingCategory,
    stream=TRACKING_CATEGORIES,
    explode=Explode("Options", "TrackingOptionID", deleted=OPTION_DELETED),
    fields={
        "remote_id": F("TrackingOptionID"),
        "name": F("Name", to_str),
        "status": F("Status", ACTIVE_OR_ARCHIVED),
        "parent_category": OwnerRef("TrackingCategory"),
        "remote_was_deleted": Const(False),  # a deleted option is never mapped: the engine marks it instead
    },
)

CONTACT = ModelMap(
    model="Contact",
    struct=Contact,
    stream=CONTACTS,
    fields={
        "remote_id": F("ContactID"),
        "name": F("Name", to_str),
        "is_supplier": F("IsSupplier"),
        "is_customer": F("IsCustomer"),
        "email_address": F("EmailAddress", to_str),
        "tax_number": F("TaxNumber", to_str),
        "status": F("ContactStatus", ACTIVE_OR_ARCHIVED),
        "currency": F("DefaultCurrency", to_str),
        "remote_updated_at": F("UpdatedDateUTC", xero_date),
        "addresses": Each("Addresses", ADDRESS),
        "phone_numbers": Each("Phones", PHONE),
        "remote_was_deleted": deleted(CONTACTS),
    },
)

ITEM = ModelMap(
    model="Item",
    struct=Item,
    stream=ITEMS,
    fields={
        "remote_id": F("ItemID"),
        "name": F("Name", to_str),
        # Xero deletes items outright (DELETE /Items/{id}); every item it lists is active.
        "status": Const(ActiveOrArchived.ACTIVE),
        "type": Computed(lambda r, c: ItemType.INVENTORY if r.get("IsTrackedAsInventory") else ItemType.NON_INVENTORY),
        "unit_price": F("SalesDetails.UnitPrice", to_decimal),
        "purchase_price": F("PurchaseDetails.UnitPrice", to_decimal),
        "purchase_tax_rate": Ref("PurchaseDetails.TaxType", "TaxRate"),
        "sales_tax_rate": Ref("SalesDetails.TaxType", "TaxRate"),
        "remote_updated_at": F("UpdatedDateUTC", xero_date),
    },
)

MAPPINGS: Sequence[ModelMap] = (
    COMPANY_INFO,
    ACCOUNT,
    TAX_RATE,
    TRACKING_CATEGORY,
    TRACKING_OPTION,
    CONTACT,
    ITEM,
    INVOICE,
    CREDIT_NOTE,
    VENDOR_CREDIT,
    PURCHASE_ORDER,
    PAYMENT,
    EXPENSE,
    TRANSACTION,
    JOURNAL_ENTRY,
    *LEDGER_MAPPINGS,
)
"""Referenced models first: the engine syncs in this order."""
