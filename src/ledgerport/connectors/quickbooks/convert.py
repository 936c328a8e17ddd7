"""QBO's values as common-model values: enum tables, statuses derived from amounts, addresses and phones.

Pure functions of one record or value, each accepting ``None`` (a CDC deletion stub carries only ``Id``, ``status``
and ``MetaData``, and still maps).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ledgerport.connectors._base.convert import currency, to_decimal, to_str
from ledgerport.connectors._base.mapping import Computed, MappingContext
from ledgerport.models.account import AccountAccountType, AccountStatus, Classification
from ledgerport.models.contact import AccountingPhoneNumber, Address, AddressType
from ledgerport.models.country import Country
from ledgerport.models.enums import ActiveOrArchived, ActiveOrInactive
from ledgerport.models.invoice import InvoiceStatus
from ledgerport.models.item import ItemType
from ledgerport.models.purchase_order import PurchaseOrderStatus

__all__ = [
    "ACCOUNT_TYPE",
    "CLASSIFICATION",
    "ITEM_TYPE",
    "PO_STATUS",
    "account_status",
    "active_or_archived",
    "active_or_inactive",
    "addresses",
    "country",
    "currency",
    "expense_amount",
    "invoice_status",
    "is_voided",
    "phone_numbers",
    "signed_amount",
]

ACCOUNT_TYPE: Mapping[str, AccountAccountType] = {
    "Bank": AccountAccountType.BANK,
    "Credit Card": AccountAccountType.CREDIT_CARD,
    "Accounts Payable": AccountAccountType.ACCOUNTS_PAYABLE,
    "Accounts Receivable": AccountAccountType.ACCOUNTS_RECEIVABLE,
    "Fixed Asset": AccountAccountType.FIXED_ASSET,
    "Other Asset": AccountAccountType.OTHER_ASSET,
    "Other Current Asset": AccountAccountType.OTHER_CURRENT_ASSET,
    "Other Expense": AccountAccountType.OTHER_EXPENSE,
    "Other Income": AccountAccountType.OTHER_INCOME,
    "Cost of Goods Sold": AccountAccountType.COST_OF_GOODS_SOLD,
    "Other Current Liability": AccountAccountType.OTHER_CURRENT_LIABILITY,
    "Long Term Liability": AccountAccountType.LONG_TERM_LIABILITY,
}
"""QBO ``AccountType`` → Merge's ``account_type``. Income, Expense and Equity have no Merge value: ``None``
(``type`` keeps QBO's text and ``classification`` says which side of the ledger they are on)."""

CLASSIFICATION: Mapping[str, Classification] = {
    "Asset": Classification.ASSET,
    "Liability": Classification.LIABILITY,
    "Equity": Classification.EQUITY,
    "Revenue": Classification.REVENUE,
    "Expense": Classification.EXPENSE,
}

ITEM_TYPE: Mapping[str, ItemType] = {
    "Inventory": ItemType.INVENTORY,
    "NonInventory": ItemType.NON_INVENTORY,
    "Service": ItemType.SERVICE,
    "Group": ItemType.UNKNOWN,
    "Category": ItemType.UNKNOWN,
}

PO_STATUS: Mapping[str, PurchaseOrderStatus] = {
    "Open": PurchaseOrderStatus.SUBMITTED,
    "Closed": PurchaseOrderStatus.BILLED,
}
"""QBO knows only Open and Closed; Merge's SUBMITTED (sent, not billed) and BILLED are the nearest."""

_ZERO = Decimal(0)
_ALPHA3 = {
    "USA": "US",
    "CAN": "CA",
    "GBR": "GB",
    "AUS": "AU",
    "NZL": "NZ",
    "IND": "IN",
    "FRA": "FR",
    "DEU": "DE",
    "ESP": "ES",
    "IRL": "IE",
    "MEX": "MX",
    "ZAF": "ZA",
    "SGP": "SG",
}
_NAMES = {
    "UNITED STATES": "US",
    "UNITED STATES OF AMERICA": "US",
    "CANADA": "CA",
    "UNITED KINGDOM": "GB",
    "UK": "GB",
    "AUSTRALIA": "AU",
    "NEW ZEALAND": "NZ",
    "INDIA": "IN",
    "FRANCE": "FR",
    "GERMANY": "DE",
    "SPAIN": "ES",
    "IRELAND": "IE",
    "MEXICO": "MX",
    "SOUTH AFRICA": "ZA",
    "SINGAPORE": "SG",
}


def country(value: Any) -> Country | None:
    """QBO's free-text ``Country`` ("US", "USA", "Spain"): ISO codes and the common names; anything else ``None``."""
    if value in (None, ""):
        return None
    text = str(value).strip().upper()
    code = _ALPHA3.get(text) or _NAMES.get(text) or text
    try:
        return Country(code)
    except ValueError:
        return None


def active_or_archived(value: Any) -> ActiveOrArchived | None:
    """``Active`` false is Merge's ARCHIVED (QBO's "deleted" name-list rows are inactive ones)."""
    return None if value is None else (ActiveOrArchived.ACTIVE if value else ActiveOrArchived.ARCHIVED)


def active_or_inactive(value: Any) -> ActiveOrInactive | None:
    """Employees: ``Active`` as ACTIVE/INACTIVE."""
    return None if value is None else (ActiveOrInactive.ACTIVE if value else ActiveOrInactive.INACTIVE)


def account_status(value: Any) -> AccountStatus | None:
    """Accounts: ``Active`` as ACTIVE/INACTIVE."""
    return None if value is None else (AccountStatus.ACTIVE if value else AccountStatus.INACTIVE)


def is_voided(record: Any) -> bool:
    """QBO has no void flag: voiding zeroes every amount and sets the memo to "Voided" (what the UI shows)."""
    note = str(record.get("PrivateNote") or "")
    return note.startswith("Voided") and (to_decimal(record.get("TotalAmt")) or _ZERO) == _ZERO


def invoice_status(record: Any, context: MappingContext) -> InvoiceStatus | None:
    """Voided → VOID; else from the open balance: 0 → PAID, below the total → PARTIALLY_PAID, else OPEN.

    QBO invoices and bills have no draft state through the API, and a deletion stub has no amounts (``None``).
    """
    total, balance = to_decimal(record.get("TotalAmt")), to_decimal(record.get("Balance"))
    if total is None or balance is None:
        return None
    if is_voided(record):
        return InvoiceStatus.VOID
    if balance == _ZERO:
        return InvoiceStatus.PAID
    if balance < total:
        return InvoiceStatus.PARTIALLY_PAID
    return InvoiceStatus.OPEN


def signed_amount(line: Any) -> Decimal | None:
    """A journal line's ``Amount`` (always positive in QBO) signed by ``PostingType``: debit +, credit −."""
    amount = to_decimal(line.get("Amount"))
    if amount is None:
        return None
    posting = (line.get("JournalEntryLineDetail") or {}).get("PostingType")
    return -amount if posting == "Credit" else amount


def expense_amount(value: Any, purchase: Any) -> Decimal | None:
    """An amount of a Purchase (or of one of its lines) signed as Merge signs expenses: negative for money spent,
    positive for a refund. QBO keeps every amount positive and marks a refund with ``Credit`` true (a credit card
    credit); a deletion stub has no ``Credit`` and no amounts."""
    amount = to_decimal(value)
    if amount is None:
        return None
    return amount if isinstance(purchase, Mapping) and purchase.get("Credit") is True else -amount


def _address(raw: Any, kind: AddressType | None) -> Address | None:
    if not isinstance(raw, Mapping):
        return None
    subdivision = to_str(raw.get("CountrySubDivisionCode"))
    return Address(
        type=kind,
        street_1=to_str(raw.get("Line1")),
        street_2=to_str(" ".join(str(raw[k]) for k in ("Line2", "Line3", "Line4", "Line5") if raw.get(k))),
        city=to_str(raw.get("City")),
        state=subdivision,
        country_subdivision=subdivision,
        country=country(raw.get("Country")),
        zip_code=to_str(raw.get("PostalCode")),
    )


def addresses(*fields: tuple[str, AddressType | None]) -> Computed:
    """Merge's ``addresses`` list from QBO's address objects (``BillAddr`` → BILLING, ``ShipAddr`` → SHIPPING)."""

    def build(record: Any, context: MappingContext) -> list[Address]:
        found = (_address(record.get(name), kind) for name, kind in fields)
        return [address for address in found if address is not None]

    return Computed(build)


_PHONES = (("PrimaryPhone", "PRIMARY"), ("Mobile", "MOBILE"), ("AlternatePhone", "ALTERNATE"), ("Fax", "FAX"))


def phone_numbers(record: Any, context: MappingContext) -> list[AccountingPhoneNumber]:
    """Each QBO phone object with a number, typed by the field it came from."""
    return [
        AccountingPhoneNumber(number=str(phone["FreeFormNumber"]), type=kind)
        for name, kind in _PHONES
        if isinstance(phone := record.get(name), Mapping) and phone.get("FreeFormNumber")
    ]
