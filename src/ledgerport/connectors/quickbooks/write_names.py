"""Contacts, items and accounts → QBO's name lists: ``Customer`` or ``Vendor``, ``Item``, ``Account`` (see ``writes``
for how the tables work).

* **Contact** is a ``Customer`` when ``is_customer`` is true, else a ``Vendor`` when ``is_supplier`` is; QBO keeps
  them apart (one object cannot be both, and their display names share one list, so the same name cannot be
  both either). ``name`` is the ``DisplayName``; ``status`` ARCHIVED is ``Active: false`` (QBO never deletes
  names). Addresses go to ``BillAddr`` (BILLING, or no type) and, for customers, ``ShipAddr`` (SHIPPING); vendors
  have a billing address only. Phone numbers go to ``PrimaryPhone``, ``Mobile``, ``AlternatePhone`` and ``Fax`` by
  type (PRIMARY, MOBILE, ALTERNATE, FAX, as the read mapping names them); a number of another type takes the
  primary, then the alternate, slot. A name's currency is set once: QBO does not change it later.
* **Item**: ``type`` SERVICE, INVENTORY or NON_INVENTORY is QBO's ``Type``; the sales account is the
  ``IncomeAccountRef``, the purchase account the ``ExpenseAccountRef``, the prices ``UnitPrice`` and
  ``PurchaseCost``, tax rates the sales and purchase tax codes. An inventory item also needs a quantity on hand,
  a start date and an asset account, none of which Merge's model states: like QBO's own form, it starts with
  nothing on hand, today, on the company's inventory asset account (``completion.stock_in``). An item keeps its
  type: QBO does not turn inventory into anything else, so a PATCH does not take ``type``.
* **Account**: QBO's ``AccountType`` comes from ``account_type`` (Merge's enum, the read mapping's table inverted),
  or ``type`` (QBO's own type, as accounts read back), or, for a REVENUE, EXPENSE or EQUITY ``classification``,
  that side's plain type (Income, Expense, Equity); QBO derives the classification and the default sub-type
  itself. Values that contradict each other are refused before QBO is called.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ledgerport.connectors._base.writes import Check, Choose, Derive, Put, PutRef, Resolved, Target, WriteSpec
from ledgerport.connectors.quickbooks.completion import stock_in
from ledgerport.connectors.quickbooks.convert import ACCOUNT_TYPE
from ledgerport.connectors.quickbooks.mapping import ACCOUNT, CUSTOMER, ITEM, VENDOR
from ledgerport.connectors.quickbooks.write_kit import TAX_CODE, field_of

__all__ = ["NAME_WRITES"]


def _active(status: str) -> bool:
    return status == "ACTIVE"


# --- contacts ------------------------------------------------------------------------------------------------------

_PHONES = {"PRIMARY": "PrimaryPhone", "MOBILE": "Mobile", "ALTERNATE": "AlternatePhone", "FAX": "Fax"}
_OTHER_PHONES = ("PrimaryPhone", "AlternatePhone")


def _phone_slots(phones: Any) -> dict[str, str] | str:
    """QBO's phone fields for Merge's numbers, or why they do not fit."""
    slots: dict[str, str] = {}
    for index, phone in enumerate(phones or []):
        number = field_of(phone, "number")
        if not number:
            continue
        kind = str(field_of(phone, "type") or "").upper()
        wanted = [_PHONES[kind]] if kind in _PHONES else list(_OTHER_PHONES)
        slot = next((name for name in wanted if name not in slots), None)
        if slot is None:
            return (
                f"phone number {index} has no place left: QuickBooks keeps one primary, one mobile, one alternate "
                "and one fax number."
            )
        slots[slot] = str(number)
    return slots


def _phones(value: Any, payload: dict[str, Any], resolved: Resolved) -> None:
    slots = _phone_slots(value)
    for name, number in (slots if isinstance(slots, dict) else {}).items():
        payload[name] = {"FreeFormNumber": number}


def _address(address: Any) -> dict[str, Any]:
    fields = {
        "Line1": field_of(address, "street_1"),
        "Line2": field_of(address, "street_2"),
        "City": field_of(address, "city"),
        "CountrySubDivisionCode": field_of(address, "country_subdivision") or field_of(address, "state"),
        "PostalCode": field_of(address, "zip_code"),
        "Country": field_of(address, "country"),
    }
    return {name: str(value) for name, value in fields.items() if value not in (None, "")}


def _address_slots(addresses: Any, shipping: bool) -> dict[str, Any] | str:
    """``BillAddr``/``ShipAddr`` for Merge's addresses, or why they do not fit."""
    slots: dict[str, Any] = {}
    for index, address in enumerate(addresses or []):
        kind = str(field_of(address, "type") or "")
        if kind == "SHIPPING" and not shipping:
            return f"address {index} is a shipping address; a QuickBooks vendor has a billing address only."
        wanted = ["ShipAddr"] if kind == "SHIPPING" else ["BillAddr"] if kind == "BILLING" else ["BillAddr", "ShipAddr"]
        slot = next((name for name in wanted if name not in slots and (shipping or name == "BillAddr")), None)
        if slot is None:
            what = "A QuickBooks customer keeps a billing and a shipping" if shipping else "A vendor keeps one billing"
            return f"address {index} has no place left. {what} address."
        slots[slot] = _address(address)
    return slots


def _addresses(shipping: bool) -> Derive:
    def write(value: Any, payload: dict[str, Any], resolved: Resolved) -> None:
        slots = _address_slots(value, shipping)
        payload.update(slots if isinstance(slots, dict) else {})

    note = "BILLING is the BillAddr, SHIPPING the ShipAddr." if shipping else "A vendor keeps one billing address."
    return Derive(write, note=note)


def _fits(shipping: bool) -> tuple[Check, ...]:
    def addresses(model: Mapping[str, Any]) -> str | None:
        found = _address_slots(model.get("addresses"), shipping)
        return found if isinstance(found, str) else None

    def phones(model: Mapping[str, Any]) -> str | None:
        found = _phone_slots(model.get("phone_numbers"))
        return found if isinstance(found, str) else None

    return (
        Check("/model/addresses", "Address Does Not Fit", addresses),
        Check("/model/phone_numbers", "Phone Number Does Not Fit", phones),
    )


def _not_both(model: Mapping[str, Any]) -> str | None:
    if model.get("is_customer") and model.get("is_supplier"):
        return (
            "QuickBooks keeps customers and vendors apart: this contact is a customer, and a vendor needs a contact "
            "of its own (with another name: customers and vendors share one list of names)."
        )
    return None


def _contact_fields(shipping: bool) -> dict[str, Any]:
    return {
        "name": Put("DisplayName", required=True, note="Unique among QuickBooks' customers, vendors and employees."),
        "is_customer": Choose(note="true writes a QuickBooks customer."),
        "is_supplier": Choose(note="true (and is_customer not true) writes a QuickBooks vendor."),
        "email_address": Put("PrimaryEmailAddr.Address"),
        "status": Put("Active", _active, note="ARCHIVED makes the name inactive; QuickBooks never deletes names."),
        "currency": Put("CurrencyRef.value", note="Set once: QuickBooks does not change a name's currency."),
        "addresses": _addresses(shipping),
        "phone_numbers": Derive(_phones, note="PRIMARY, MOBILE, ALTERNATE and FAX numbers, one of each."),
    }


_CONTACT_UPDATABLE = frozenset({"name", "email_address", "status", "addresses", "phone_numbers"})

CONTACT_WRITES = WriteSpec(
    model="Contact",
    create=True,
    update=True,
    targets=(
        Target(
            entity="Customer",
            read=CUSTOMER,
            when={"is_customer": True},
            fields=_contact_fields(shipping=True),
            checks=(*_fits(shipping=True), Check("/model/is_supplier", "Customer Or Vendor", _not_both)),
            updatable=_CONTACT_UPDATABLE,
        ),
        Target(
            entity="Vendor",
            read=VENDOR,
            when={"is_supplier": True},
            fields=_contact_fields(shipping=False),
            checks=_fits(shipping=False),
            updatable=_CONTACT_UPDATABLE,
        ),
    ),
)


# --- items ---------------------------------------------------------------------------------------------------------

_ITEM_TYPES = {"SERVICE": "Service", "INVENTORY": "Inventory", "NON_INVENTORY": "NonInventory"}

ITEM_WRITES = WriteSpec(
    model="Item",
    create=True,
    update=True,
    targets=(
        Target(
            entity="Item",
            read=ITEM,
            fields={
                "name": Put("Name", required=True, note="Unique among the company's products and services."),
                "type": Put(
                    "Type",
                    _ITEM_TYPES.__getitem__,
                    required=True,
                    choices=tuple(_ITEM_TYPES),
                    note="INVENTORY starts with nothing on hand, today, on the inventory asset account.",
                ),
                "status": Put("Active", _active),
                "unit_price": Put("UnitPrice", Decimal),
                "purchase_price": Put("PurchaseCost", Decimal),
                "sales_account": PutRef("IncomeAccountRef.value", "Account"),
                "purchase_account": PutRef("ExpenseAccountRef.value", "Account"),
                "sales_tax_rate": PutRef("SalesTaxCodeRef.value", "TaxRate", **TAX_CODE),
                "purchase_tax_rate": PutRef("PurchaseTaxCodeRef.value", "TaxRate", **TAX_CODE),
            },
            updatable=frozenset(
                {
                    "name",
                    "status",
                    "unit_price",
                    "purchase_price",
                    "sales_account",
                    "purchase_account",
                    "sales_tax_rate",
                    "purchase_tax_rate",
                }
            ),
            complete=stock_in,
        ),
    ),
)


# --- accounts ------------------------------------------------------------------------------------------------------

_QBO_TYPES = {merge.value: qbo for qbo, merge in ACCOUNT_TYPE.items()}
"""Merge's ``account_type`` → QBO's ``AccountType`` (the read mapping's table, inverted)."""
_CLASSIFICATION = {
    "Bank": "ASSET",
    "Other Current Asset": "ASSET",
    "Fixed Asset": "ASSET",
    "Other Asset": "ASSET",
    "Accounts Receivable": "ASSET",
    "Equity": "EQUITY",
    "Expense": "EXPENSE",
    "Other Expense": "EXPENSE",
    "Cost of Goods Sold": "EXPENSE",
    "Accounts Payable": "LIABILITY",
    "Credit Card": "LIABILITY",
    "Long Term Liability": "LIABILITY",
    "Other Current Liability": "LIABILITY",
    "Income": "REVENUE",
    "Other Income": "REVENUE",
}
"""Every QBO ``AccountType`` and the classification QBO derives from it (Intuit's Account page)."""
_PLAIN_TYPES = {"REVENUE": "Income", "EXPENSE": "Expense", "EQUITY": "Equity"}


def _plain_type(value: Any, payload: dict[str, Any], resolved: Resolved) -> None:
    """A classification alone gives its side's plain type; ``type`` and ``account_type`` (written after) win."""
    if value in _PLAIN_TYPES:
        payload.setdefault("AccountType", _PLAIN_TYPES[value])


def _account_type(model: Mapping[str, Any]) -> str | None:
    merge, qbo, side = model.get("account_type"), model.get("type"), model.get("classification")
    from_enum = None if merge is None else _QBO_TYPES[merge]
    if from_enum is not None and qbo is not None and from_enum != qbo:
        return f"account_type {merge} is QuickBooks' {from_enum}, but type says {qbo}."
    chosen = from_enum or qbo or _PLAIN_TYPES.get(str(side))
    if chosen is None:
        return (
            "QuickBooks needs an account type: send account_type, or type (QuickBooks' AccountType), or a "
            "classification of REVENUE, EXPENSE or EQUITY."
        )
    if side is not None and _CLASSIFICATION[chosen] != side:
        return f"a {chosen} account is classified {_CLASSIFICATION[chosen]} by QuickBooks, not {side}."
    return None


ACCOUNT_WRITES = WriteSpec(
    model="Account",
    create=True,
    update=False,
    targets=(
        Target(
            entity="Account",
            read=ACCOUNT,
            fields={
                "name": Put("Name", required=True, note="Unique in the chart of accounts; no colon or double quote."),
                "description": Put("Description"),
                "classification": Derive(_plain_type),
                "type": Put("AccountType", choices=tuple(_CLASSIFICATION), note="QuickBooks' own AccountType."),
                "account_type": Put("AccountType", _QBO_TYPES.__getitem__, choices=tuple(_QBO_TYPES)),
                "status": Put("Active", _active, choices=("ACTIVE", "INACTIVE")),
                "currency": Put("CurrencyRef.value", str),
                "account_number": Put("AcctNum"),
                "parent_account": PutRef("ParentRef.value", "Account", note="Makes it a sub-account of that one."),
            },
            checks=(Check("/model/account_type", "Account Type", _account_type),),
        ),
    ),
)

NAME_WRITES = (CONTACT_WRITES, ITEM_WRITES, ACCOUNT_WRITES)
