"""Shared checks and normalisation for writes: references (accounts, tax rates, items, tracking) and lines.

Every problem found becomes a message in ``Invalid``; a writer collects them and the route turns them into
``ValidationErrors`` on the echoed element, which is how Xero reports them. Line arithmetic is ``amounts``'s, the
same code the generator uses.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ledgerport.sandboxes.xero.amounts import CENT, QUANTITY, ZERO, line_amount, line_tax, money, to_decimal
from ledgerport.sandboxes.xero.dates import date_string, ms_date, parse_body_date, parse_ms_date, start_of_day
from ledgerport.sandboxes.xero.store import Tenant

__all__ = [
    "Invalid",
    "find_account",
    "find_record",
    "lock_problem",
    "normalize_lines",
    "number",
    "set_date",
    "tax_rate",
    "tracking",
]

Record = dict[str, Any]


class Invalid(Exception):  # noqa: N818 - named for the condition, as Xero's ValidationErrors are
    """One element failed validation; ``messages`` become its ValidationErrors."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


def find_record(tenant: Tenant, collection: str, key: object) -> tuple[int, Record] | None:
    """A record by id or alternate key."""
    if not isinstance(key, str) or not key:
        return None
    found = tenant.collections[collection].find(key)
    return None if found is None else (found, tenant.collections[collection].get(found))


def find_account(tenant: Tenant, ref: object) -> Record | None:
    """An account from ``{"AccountID"}``, ``{"Code"}`` or a bare code, ignoring deleted ones."""
    if isinstance(ref, dict):
        ref = ref.get("AccountID") or ref.get("Code")
    found = find_record(tenant, "Accounts", ref)
    return found[1] if found and found[1].get("Status") != "DELETED" else None


def tax_rate(tenant: Tenant, tax_type: str) -> Decimal | None:
    """The effective rate of an active tax type."""
    found = find_record(tenant, "TaxRates", tax_type)
    return found[1]["EffectiveRate"] if found and found[1]["Status"] == "ACTIVE" else None


def number(value: object, field: str, errors: list[str], default: Decimal | None = None) -> Decimal | None:
    """A decimal body field, recording an error when it is present but not a number."""
    if value is None:
        return default
    found = to_decimal(value)
    if found is None:
        errors.append(f"{field} must be a number")
    return found


def set_date(record: Record, field: str, value: object, errors: list[str], *, with_string: bool = True) -> None:
    """Parse a body date (``/Date(ms)/`` or ``YYYY-MM-DD``) into the record's MS-JSON field and its DateString."""
    moment = parse_body_date(value)
    if moment is None:
        errors.append(f"The {field} '{value}' is not a valid date")
        return
    moment = start_of_day(moment)
    record[field] = ms_date(moment)
    if with_string:
        record[field + "String"] = date_string(moment)


_LOCKS = (("EndOfYearLockDate", "end of year lock date"), ("PeriodLockDate", "period lock date"))


def lock_problem(tenant: Tenant, *dates: object) -> str | None:
    """Xero's refusal of a document dated on or before a lock date of the organisation, or ``None``.

    The end-of-year message is Xero's own (captured in xeroizer#92: "The document date cannot be before the end of
    year lock date, currently set at 31-Jul-2013"); the period-lock one is worded the same way, a guess. The lock
    day itself is locked. A connected app acts as a standard user, so the period lock applies as well.
    """
    for field, label in _LOCKS:
        lock = parse_ms_date(str(tenant.organisation.get(field) or ""))
        if lock is None:
            continue
        days = [parse_ms_date(value) if isinstance(value, str) else None for value in dates]
        if any(day is not None and day <= lock for day in days):
            shown = datetime.fromtimestamp(lock / 1000, UTC).strftime("%d-%b-%Y")
            return f"The document date cannot be before the {label}, currently set at {shown}"
    return None


def tracking(tenant: Tenant, entries: object, errors: list[str]) -> list[Record]:
    """Resolve ``[{"Name", "Option"}]`` or ``[{"TrackingCategoryID", "TrackingOptionID"}]`` (at most two)."""
    if not entries:
        return []
    if not isinstance(entries, list) or len(entries) > 2:
        errors.append("A line item can have at most two tracking categories")
        return []
    categories = [c for c in tenant.collections["TrackingCategories"].all_records() if c.get("Status") != "DELETED"]
    resolved = []
    for entry in entries:
        category = next(
            (
                c
                for c in categories
                if entry.get("TrackingCategoryID", "").lower() == c["TrackingCategoryID"]
                or str(entry.get("Name", "")).lower() == c["Name"].lower()
            ),
            None,
        )
        if category is None:
            errors.append(f"Tracking category '{entry.get('Name') or entry.get('TrackingCategoryID')}' does not exist")
            continue
        wanted = str(entry.get("TrackingOptionID") or entry.get("Option") or "").lower()
        option = next((o for o in category["Options"] if wanted in (o["TrackingOptionID"], o["Name"].lower())), None)
        if option is None:
            errors.append(f"Tracking option '{entry.get('Option')}' does not exist in '{category['Name']}'")
            continue
        resolved.append(
            {
                "Name": category["Name"],
                "Option": option["Name"],
                "TrackingCategoryID": category["TrackingCategoryID"],
                "TrackingOptionID": option["TrackingOptionID"],
            }
        )
    return resolved


def _line_defaults(tenant: Tenant, line: Record, sales: bool, errors: list[str]) -> Record:
    code = line.get("ItemCode")
    if not code:
        return {}
    found = find_record(tenant, "Items", code)
    if found is None:
        errors.append(f"Item code '{code}' is not valid")
        return {}
    details = found[1].get("SalesDetails" if sales else "PurchaseDetails") or {}
    return {
        "Item": {"ItemID": found[1]["ItemID"], "Name": found[1].get("Name", ""), "Code": found[1]["Code"]},
        "Description": found[1].get("Description"),
        "UnitAmount": details.get("UnitPrice"),
        "AccountCode": details.get("AccountCode"),
        "TaxType": details.get("TaxType"),
    }


def _line(tenant: Tenant, raw: Record, *, sales: bool, amounts: str, needs_account: bool, errors: list[str]) -> Record:
    defaults = _line_defaults(tenant, raw, sales, errors)
    quantity = number(raw.get("Quantity"), "Quantity", errors, Decimal(1)) or Decimal(1)
    given_amount = number(raw.get("LineAmount"), "LineAmount", errors)
    unit = number(raw.get("UnitAmount", defaults.get("UnitAmount")), "UnitAmount", errors)
    discount = number(raw.get("DiscountRate"), "DiscountRate", errors) if sales else None
    if unit is None:
        unit = money(given_amount / quantity) if given_amount is not None and quantity else ZERO
    unit = unit.quantize(CENT) if unit == unit.quantize(CENT) else unit.quantize(QUANTITY)
    amount = line_amount(quantity, unit, discount)
    if given_amount is not None and abs(given_amount - amount) >= Decimal("0.01") and "UnitAmount" in raw:
        errors.append(f"The line amount {given_amount} does not match quantity x unit amount ({amount})")
    account = None
    account_ref = raw.get("AccountID") or raw.get("AccountCode") or defaults.get("AccountCode")
    if account_ref:
        account = find_account(tenant, account_ref)
        if account is None:
            errors.append(f"Account code '{account_ref}' is not a valid code for this document.")
    elif needs_account:
        errors.append("Account code must be specified")
    tax_type = (
        raw.get("TaxType")
        or defaults.get("TaxType")
        or (account or {}).get("TaxType")
        or tenant.rates.get("sales" if sales else "purchase", "NONE")
    )
    if amounts == "NoTax":
        tax_type = raw.get("TaxType") or "NONE"
    rate = tax_rate(tenant, tax_type)
    if rate is None:
        errors.append(f"The TaxType code '{tax_type}' does not exist or cannot be used for this type of transaction.")
        rate = ZERO
    tax = number(raw.get("TaxAmount"), "TaxAmount", errors) if amounts != "NoTax" else None
    line: Record = {
        "LineItemID": str(raw.get("LineItemID") or uuid.uuid4()),
        "Description": raw.get("Description", defaults.get("Description") or ""),
        "Quantity": quantity.quantize(QUANTITY),
        "UnitAmount": unit,
    }
    if defaults.get("Item"):
        line |= {"ItemCode": defaults["Item"]["Code"], "Item": defaults["Item"]}
    if account is not None:
        line |= {"AccountCode": account["Code"], "AccountID": account["AccountID"]}
    line |= {
        "TaxType": tax_type,
        "TaxAmount": money(tax) if tax is not None else line_tax(amount, rate, amounts),
        "LineAmount": amount,
        "Tracking": tracking(tenant, raw.get("Tracking"), errors),
    }
    if discount:
        line["DiscountRate"] = discount
    return line


def normalize_lines(
    tenant: Tenant, raw_lines: object, *, sales: bool, amounts: str, needs_account: bool, errors: list[str]
) -> list[Record]:
    """Price, tax and resolve every line of a document."""
    if not isinstance(raw_lines, list) or not all(isinstance(x, dict) for x in raw_lines):
        errors.append("LineItems must be a list of line items")
        return []
    return [
        _line(tenant, raw, sales=sales, amounts=amounts, needs_account=needs_account, errors=errors)
        for raw in raw_lines
    ]
