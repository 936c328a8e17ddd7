"""Common models → Xero objects for writes: ``WRITES``, one :class:`WriteSpec` per writable model.

Each target names the Xero collection and the read mapping that turns Xero's answer into the stored record, so a
written object is stored exactly as a sync would store it (same GUID, same fields) and the next sync updates it.

* **Invoice** is an ``Invoices`` object of Type ``ACCREC`` (a sales invoice) or ``ACCPAY`` (a bill); **CreditNote**
  and **VendorCredit** are ``CreditNotes`` of Type ``ACCRECCREDIT`` and ``ACCPAYCREDIT``; **JournalEntry** is a
  ``ManualJournals`` object; **PurchaseOrder**, **Payment**, **Contact**, **Item** and **Account** are Xero's own.
* **References.** Contacts, invoices and accounts are named by their GUIDs (Xero's line items take ``AccountID``
  beside ``AccountCode``); tax rates by ``TaxType`` (their key). A line's item goes as its ``ItemCode`` and a
  tracking option with its category's id: the protocol (``writer``) reads both from Xero just before sending.
* **Tracking.** Xero tags a line with at most two options (one per category); ``tracking_categories`` on a line
  name option records (TrackingCategory records with a ``parent_category``). Xero has no document-level tracking:
  it follows from the lines.
* **Totals** are Xero's to compute; a stated ``total_amount`` that the lines contradict is refused before Xero is
  called where the contradiction is certain (tax-inclusive lines, or a stated tax), and so is a line whose
  ``total_amount`` is not its quantity × unit price.
* **Status.** Without one Xero saves a draft. ``OPEN`` asks Xero to approve the invoice (``AUTHORISED``); ``VOID``
  voids an approved one (Xero refuses to void a draft, which it deletes instead, a status Merge cannot ask for).
* **Payments** cannot change at Xero once made (they can only be deleted), so a Payment is created, never patched.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ledgerport.connectors._base.writes import (
    Check,
    Choose,
    Derive,
    Expect,
    Lines,
    Put,
    PutLines,
    PutRef,
    Resolved,
    Target,
    WriteField,
    WriteSpec,
)
from ledgerport.connectors.xero.applications import CREDIT_NOTE_APPLICATION, VENDOR_CREDIT_APPLICATION
from ledgerport.connectors.xero.attachments import ATTACHMENT_WRITES
from ledgerport.connectors.xero.bank_feeds import FEED_WRITES
from ledgerport.connectors.xero.documents import (
    CREDIT_NOTE,
    EXPENSE,
    INVOICE,
    JOURNAL_ENTRY,
    PAYMENT,
    PURCHASE_ORDER,
    VENDOR_CREDIT,
)
from ledgerport.connectors.xero.mapping import ACCOUNT, CONTACT, ITEM

__all__ = ["WRITES"]

_ZERO = Decimal(0)
_CENT = Decimal("0.01")
_ITEM_CODE_LIMIT = 30
_ITEM_NAME_LIMIT = 50
_ACCOUNT_CODE_LIMIT = 10
_TRACKING_PER_LINE = 2

# --- conversions -----------------------------------------------------------------------------------------------


def xero_day(moment: datetime) -> str:
    """Xero's ``Date``/``DueDate`` are days (``YYYY-MM-DD``, as the docs write them); Merge sends midnight UTC."""
    return moment.date().isoformat()


def line_amount_types(inclusive: bool) -> str:
    """``inclusive_of_tax`` → ``LineAmountTypes``: amounts include tax, or exclude it (Xero's default)."""
    return "Inclusive" if inclusive else "Exclusive"


def _status(table: Mapping[str, str]) -> Callable[[str], str]:
    return lambda value: table[value]


def _money(value: Any) -> Decimal:
    return Decimal(value).quantize(_CENT, rounding=ROUND_HALF_UP)


# --- tracking on lines -------------------------------------------------------------------------------------------


def _tag(value: Any, payload: dict[str, Any], resolved: Resolved) -> None:
    """Tracking options → ``Tracking: [{TrackingOptionID}]`` (the protocol adds each option's category)."""
    tags: list[dict[str, str]] = payload.setdefault("Tracking", [])
    for one in value if isinstance(value, list) else [value]:
        remote = None if one is None else resolved(one)
        if remote and all(tag["TrackingOptionID"] != remote for tag in tags):
            tags.append({"TrackingOptionID": remote})


_OPTION_NOTE = "A tracking option (a TrackingCategory with a parent_category); Xero takes at most two per line."
_TRACKING: dict[str, WriteField] = {
    "tracking_categories": Derive(_tag, model="TrackingCategory", many=True, note=_OPTION_NOTE),
    "tracking_category": Derive(_tag, model="TrackingCategory", note=_OPTION_NOTE),
}


def _line_tags(line: Mapping[str, Any]) -> set[str]:
    return {
        *(line.get("tracking_categories") or []),
        *([line["tracking_category"]] if line.get("tracking_category") else []),
    }


# --- checks ------------------------------------------------------------------------------------------------------


def _line_amount(line: Mapping[str, Any], total: str) -> Decimal | None:
    """What Xero will make a line's ``LineAmount``: the stated one, else quantity × unit price in cents."""
    if line.get(total) is not None:
        return Decimal(line[total])
    price = line.get("unit_price")
    if price is None:
        return None
    return _money(Decimal(price) * Decimal(line.get("quantity") if line.get("quantity") is not None else 1))


def _lines_price_out(lines_field: str, total: str) -> Check:
    """A line that states its amount and its price must agree with itself, as Xero requires."""

    def test(model: Mapping[str, Any]) -> str | None:
        for index, line in enumerate(model.get(lines_field) or []):
            stated, price = line.get(total), line.get("unit_price")
            if stated is None or price is None:
                continue
            quantity = Decimal(line.get("quantity") if line.get("quantity") is not None else 1)
            if abs(Decimal(stated) - _money(Decimal(price) * quantity)) >= _CENT:
                return f"line {index}: {total} {stated} is not quantity {quantity} × unit_price {price}."
        return None

    return Check(f"/model/{lines_field}", "Line Amount Does Not Match", test)


def _lines_match_total(lines_field: str, total: str) -> Check:
    """A stated ``total_amount`` the lines contradict for certain: tax-inclusive lines add up to it, and exclusive
    ones plus a stated ``total_tax_amount`` do (without a stated tax, Xero's tax is not known before it answers)."""

    def test(model: Mapping[str, Any]) -> str | None:
        stated, lines = model.get("total_amount"), model.get(lines_field) or []
        if stated is None or not lines:
            return None
        amounts = [_line_amount(line, total) for line in lines]
        if any(amount is None for amount in amounts):
            return None
        lines_total = sum((a for a in amounts if a is not None), _ZERO)
        if model.get("inclusive_of_tax"):
            expected = lines_total
        elif model.get("total_tax_amount") is not None:
            expected = lines_total + Decimal(model["total_tax_amount"])
        else:
            return None
        if Decimal(stated) != expected:
            return f"total_amount is {stated}, but the lines add up to {expected}."
        return None

    return Check("/model/total_amount", "Total Does Not Match Lines", test)


def _two_options_per_line(lines_field: str) -> Check:
    def test(model: Mapping[str, Any]) -> str | None:
        for index, line in enumerate(model.get(lines_field) or []):
            if len(_line_tags(line)) > _TRACKING_PER_LINE:
                return f"line {index} names {len(_line_tags(line))} tracking options; Xero takes at most two."
        return None

    return Check(f"/model/{lines_field}", "Too Many Tracking Options", test)


def _document_checks(lines_field: str, total: str) -> tuple[Check, ...]:
    return (
        _lines_price_out(lines_field, total),
        _lines_match_total(lines_field, total),
        _two_options_per_line(lines_field),
    )


# --- document fields shared by invoices, credit notes and purchase orders -------------------------------------------


def _document_line(total: str) -> Lines:
    """Xero's one ``LineItem`` shape, with Merge's name for the line amount of this model."""
    return Lines(
        {
            "description": Put("Description"),
            "quantity": Put("Quantity", Decimal),
            "unit_price": Put("UnitAmount", Decimal),
            total: Put("LineAmount", Decimal, note="Xero computes it from quantity × unit_price when absent."),
            "item": PutRef("Item.ItemID", "Item", note="Sent as the item's code, which Xero fills the line from."),
            "account": PutRef("AccountID", "Account", note="Xero requires an account on the lines of approved ones."),
            "tax_rate": PutRef("TaxType", "TaxRate"),
            **_TRACKING,
        }
    )


_MONEY: dict[str, WriteField] = {
    "currency": Put("CurrencyCode", str, note="A currency the organisation has enabled; its base one by default."),
    "exchange_rate": Put("CurrencyRate", Decimal, note="Xero uses the day's XE.com rate when absent."),
    "inclusive_of_tax": Put("LineAmountTypes", line_amount_types),
    "total_amount": Expect("Xero computes it from the lines; a total the lines contradict is refused."),
}

_INVOICE_STATUS = {"DRAFT": "DRAFT", "SUBMITTED": "SUBMITTED", "OPEN": "AUTHORISED", "VOID": "VOIDED"}
_INVOICE_LINE = _document_line("total_amount")
_INVOICE: dict[str, WriteField] = {
    "type": Choose(
        required=True, note="ACCOUNTS_RECEIVABLE is a Xero sales invoice (ACCREC), ACCOUNTS_PAYABLE a bill."
    ),
    "contact": PutRef("Contact.ContactID", "Contact", required=True),
    "issue_date": Put("Date", xero_day, note="Today in the organisation's time zone when absent."),
    "due_date": Put("DueDate", xero_day),
    "status": Put(
        "Status",
        _status(_INVOICE_STATUS),
        choices=tuple(_INVOICE_STATUS),
        note="DRAFT by default; OPEN approves (AUTHORISED); VOID voids an approved invoice.",
    ),
    **_MONEY,
    "sub_total": Expect(),
    "total_tax_amount": Expect(),
    "line_items": PutLines("LineItems", _INVOICE_LINE, required=True),
}
_INVOICE_CHECKS = _document_checks("line_items", "total_amount")

INVOICE_WRITES = WriteSpec(
    model="Invoice",
    update=True,
    bulk=True,
    note="A PATCH changes only the fields sent; line_items replace every line. Xero refuses changes to paid or "
    "voided invoices and to invoices dated in a locked period.",
    targets=(
        Target(
            entity="Invoices",
            read=INVOICE,
            when={"type": "ACCOUNTS_RECEIVABLE"},
            fixed={"Type": "ACCREC"},
            fields={
                **_INVOICE,
                "number": Put(
                    "InvoiceNumber",
                    note="Unique; Xero assigns the next one from the organisation's invoice settings when absent.",
                ),
                "memo": Put("Reference"),
            },
            checks=_INVOICE_CHECKS,
            updatable=frozenset(_INVOICE) - {"type"} | {"number", "memo"},
        ),
        Target(
            entity="Invoices",
            read=INVOICE,
            when={"type": "ACCOUNTS_PAYABLE"},
            fixed={"Type": "ACCPAY"},
            fields={
                **_INVOICE,
                "number": Put("InvoiceNumber", note="The supplier's invoice number (the bill's reference in Xero)."),
            },
            checks=_INVOICE_CHECKS,
            updatable=frozenset(_INVOICE) - {"type"} | {"number"},
        ),
    ),
)

# --- credit notes and vendor credits -----------------------------------------------------------------------------

_CREDIT_NOTE_STATUS = {"SUBMITTED": "SUBMITTED", "AUTHORIZED": "AUTHORISED"}
_CREDIT_NOTE: dict[str, WriteField] = {
    "contact": PutRef("Contact.ContactID", "Contact", required=True),
    "transaction_date": Put("Date", xero_day),
    "number": Put("CreditNoteNumber", note="Unique; Xero assigns the next one when absent."),
    "status": Put(
        "Status",
        _status(_CREDIT_NOTE_STATUS),
        choices=tuple(_CREDIT_NOTE_STATUS),
        note="A draft (no status) by default; AUTHORIZED approves it.",
    ),
    **_MONEY,
    "line_items": PutLines("LineItems", _document_line("total_line_amount")),
}

CREDIT_NOTE_WRITES = WriteSpec(
    model="CreditNote",
    update=True,
    note="Allocating credit to invoices is Xero's separate Allocations call (POST /credit-notes/{id}/application); "
    "applied_to_lines is not written.",
    apply=CREDIT_NOTE_APPLICATION,
    targets=(
        Target(
            entity="CreditNotes",
            read=CREDIT_NOTE,
            fixed={"Type": "ACCRECCREDIT"},
            fields=_CREDIT_NOTE,
            checks=_document_checks("line_items", "total_line_amount"),
        ),
    ),
)

_VENDOR_CREDIT_LINE = Lines(
    {
        "net_amount": Put("LineAmount", Decimal, required=True, note="The line's amount (Xero's LineAmount)."),
        "description": Put("Description"),
        "account": PutRef("AccountID", "Account"),
        "tax_rate": PutRef("TaxType", "TaxRate"),
        **_TRACKING,
    }
)
_VENDOR_CREDIT: dict[str, WriteField] = {
    "vendor": PutRef("Contact.ContactID", "Contact", required=True),
    "number": Put("CreditNoteNumber", note="The supplier's credit note number; Xero does not number these."),
    "transaction_date": Put("Date", xero_day),
    **_MONEY,
    "lines": PutLines("LineItems", _VENDOR_CREDIT_LINE),
}

VENDOR_CREDIT_WRITES = WriteSpec(
    model="VendorCredit",
    update=True,
    apply=VENDOR_CREDIT_APPLICATION,
    targets=(
        Target(
            entity="CreditNotes",
            read=VENDOR_CREDIT,
            fixed={"Type": "ACCPAYCREDIT"},
            fields=_VENDOR_CREDIT,
            checks=_document_checks("lines", "net_amount"),
        ),
    ),
)

# --- purchase orders ---------------------------------------------------------------------------------------------

_ORDER_STATUS = {"DRAFT": "DRAFT", "SUBMITTED": "SUBMITTED", "AUTHORIZED": "AUTHORISED"}

PURCHASE_ORDER_WRITES = WriteSpec(
    model="PurchaseOrder",
    targets=(
        Target(
            entity="PurchaseOrders",
            read=PURCHASE_ORDER,
            fields={
                "vendor": PutRef("Contact.ContactID", "Contact", required=True),
                "issue_date": Put("Date", xero_day),
                "delivery_date": Put("DeliveryDate", xero_day),
                "purchase_order_number": Put("PurchaseOrderNumber", note="Xero assigns the next one when absent."),
                "memo": Put("Reference"),
                "status": Put(
                    "Status",
                    _status(_ORDER_STATUS),
                    choices=tuple(_ORDER_STATUS),
                    note="DRAFT by default.",
                ),
                **_MONEY,
                "line_items": PutLines("LineItems", _document_line("total_line_amount"), required=True),
            },
            checks=_document_checks("line_items", "total_line_amount"),
        ),
    ),
)

# --- manual journals ---------------------------------------------------------------------------------------------


def _journal_balances(model: Mapping[str, Any]) -> str | None:
    """Xero's rule, in its words: the debits (positive amounts) must equal the credits (negative ones)."""
    amounts = [Decimal(line["net_amount"]) for line in model.get("lines") or [] if line.get("net_amount") is not None]
    debits = sum((a for a in amounts if a > 0), _ZERO)
    credits = sum((a for a in amounts if a < 0), _ZERO)
    if debits + credits != 0:
        return f"The total debits ({debits:.2f}) must equal total credits ({credits:.2f})."
    return None


def _journal_has_two_lines(model: Mapping[str, Any]) -> str | None:
    if len(model.get("lines") or []) < 2:  # noqa: PLR2004 - a debit and a credit
        return "A manual journal needs at least two lines: a debit and a credit."
    return None


_JOURNAL_LINE = Lines(
    {
        "account": PutRef("AccountID", "Account", required=True),
        "net_amount": Put("LineAmount", Decimal, required=True, note="Debits positive, credits negative."),
        "description": Put("Description"),
        "tax_rate": PutRef("TaxType", "TaxRate"),
        **_TRACKING,
    }
)
_POSTING_STATUS = {"POSTED": "POSTED", "UNPOSTED": "DRAFT"}

JOURNAL_ENTRY_WRITES = WriteSpec(
    model="JournalEntry",
    targets=(
        Target(
            entity="ManualJournals",
            read=JOURNAL_ENTRY,
            fields={
                "memo": Put("Narration", required=True, note="Xero requires a narration."),
                "transaction_date": Put("Date", xero_day),
                "inclusive_of_tax": Put("LineAmountTypes", line_amount_types),
                "posting_status": Put(
                    "Status",
                    _status(_POSTING_STATUS),
                    choices=tuple(_POSTING_STATUS),
                    note="UNPOSTED (a draft) by default; POSTED posts it.",
                ),
                "lines": PutLines("JournalLines", _JOURNAL_LINE, required=True),
            },
            checks=(
                Check("/model/lines", "Journal Lines Do Not Balance", _journal_balances),
                Check("/model/lines", "Too Few Journal Lines", _journal_has_two_lines),
                _two_options_per_line("lines"),
            ),
        ),
    ),
)

# --- payments ----------------------------------------------------------------------------------------------------


def _one_invoice(payload: dict[str, Any]) -> dict[str, Any]:
    """Merge's one applied line becomes Xero's ``Invoice`` (and, unless stated above it, amount and date)."""
    applied = payload.pop("Applied", None) or [{}]
    line = applied[0]
    if "Invoice" in line:
        payload["Invoice"] = line["Invoice"]
    for key in ("Amount", "Date"):
        if key in line:
            payload.setdefault(key, line[key])
    return payload


def _applies_to_one_invoice(model: Mapping[str, Any]) -> str | None:
    lines = model.get("applied_to_lines") or []
    if len(lines) != 1:
        return f"A Xero payment settles exactly one invoice or bill; {len(lines)} applied lines were sent."
    kind = lines[0].get("related_object_type")
    if kind not in (None, "INVOICE"):
        return f"related_object_type is {kind}: ledgerport writes Xero payments against invoices and bills only."
    return None


def _amount_is_stated_once(model: Mapping[str, Any]) -> str | None:
    lines = model.get("applied_to_lines") or [{}]
    total, applied = model.get("total_amount"), lines[0].get("applied_amount")
    if total is None and applied is None:
        return "total_amount (or the applied line's applied_amount) is required: the amount paid."
    if total is not None and applied is not None and Decimal(total) != Decimal(applied):
        return f"total_amount {total} differs from applied_amount {applied}; a Xero payment has one amount."
    return None


PAYMENT_WRITES = WriteSpec(
    model="Payment",
    note="Xero cannot change a payment once made (it can only delete it), so a Payment is never patched.",
    targets=(
        Target(
            entity="Payments",
            read=PAYMENT,
            fields={
                "transaction_date": Put("Date", xero_day, note="Today when absent."),
                "account": PutRef(
                    "Account.AccountID",
                    "Account",
                    required=True,
                    note="A bank account, or an account with payments enabled.",
                ),
                "total_amount": Put("Amount", Decimal, note="At most what is still due on the invoice."),
                "exchange_rate": Put("CurrencyRate", Decimal),
                "applied_to_lines": PutLines(
                    "Applied",
                    Lines(
                        {
                            "related_object_id": PutRef("Invoice.InvoiceID", "Invoice", required=True),
                            "related_object_type": Expect("INVOICE (invoices and bills)."),
                            "applied_amount": Put("Amount", Decimal),
                            "applied_date": Put("Date", xero_day),
                        }
                    ),
                    required=True,
                    note="Exactly one: the approved invoice or bill this payment settles.",
                ),
            },
            checks=(
                Check("/model/applied_to_lines", "One Invoice Per Payment", _applies_to_one_invoice),
                Check("/model/total_amount", "Payment Amount", _amount_is_stated_once),
            ),
            finish=_one_invoice,
        ),
    ),
)

# --- contacts ----------------------------------------------------------------------------------------------------

_ADDRESS_TYPE = {"BILLING": "POBOX", "SHIPPING": "STREET"}
_PHONE_TYPES = ("DEFAULT", "DDI", "MOBILE", "FAX", "OFFICE")


def _default_phone_type(built: dict[str, Any], line: Mapping[str, Any]) -> dict[str, Any]:
    built.setdefault("PhoneType", "DEFAULT")
    return built


_CONTACT: dict[str, WriteField] = {
    "name": Put("Name", required=True, note="Unique among the organisation's active contacts."),
    "email_address": Put("EmailAddress"),
    "tax_number": Put("TaxNumber"),
    "status": Put("ContactStatus", str, note="ARCHIVED archives the contact; Xero creates contacts ACTIVE."),
    "currency": Put("DefaultCurrency"),
    "addresses": PutLines(
        "Addresses",
        Lines(
            {
                "type": Put(
                    "AddressType",
                    _status(_ADDRESS_TYPE),
                    required=True,
                    note="BILLING is Xero's postal (POBOX) address, SHIPPING its street address.",
                ),
                "street_1": Put("AddressLine1"),
                "street_2": Put("AddressLine2"),
                "city": Put("City"),
                "state": Put("Region"),
                "country": Put("Country", str),
                "zip_code": Put("PostalCode"),
            }
        ),
        note="Xero keeps one address of each type; an address replaces the one of its type.",
    ),
    "phone_numbers": PutLines(
        "Phones",
        Lines(
            {
                "number": Put("PhoneNumber", required=True),
                "type": Put("PhoneType", choices=_PHONE_TYPES, note="DEFAULT when absent."),
            },
            finish=_default_phone_type,
        ),
        note="Xero keeps one number of each type; a number replaces the one of its type.",
    ),
}

CONTACT_WRITES = WriteSpec(
    model="Contact",
    update=True,
    note="Xero decides is_customer and is_supplier from the documents a contact has.",
    targets=(Target(entity="Contacts", read=CONTACT, fields=_CONTACT),),
)

# --- items -------------------------------------------------------------------------------------------------------


def _item_name(value: Any, payload: dict[str, Any], resolved: Resolved) -> None:
    """Xero keys an item by its ``Code`` (30 characters); Merge's item has only a name, so the name gives both."""
    if value is not None:
        payload["Name"] = value
        payload["Code"] = str(value)[:_ITEM_CODE_LIMIT]


def _item_name_fits(model: Mapping[str, Any]) -> str | None:
    name = model.get("name")
    if name is not None and len(name) > _ITEM_NAME_LIMIT:
        return f"name has {len(name)} characters; Xero takes at most {_ITEM_NAME_LIMIT}."
    return None


ITEM_WRITES = WriteSpec(
    model="Item",
    update=True,
    targets=(
        Target(
            entity="Items",
            read=ITEM,
            fields={
                "name": Derive(
                    _item_name,
                    required=True,
                    note="Also the item's Xero Code (its first 30 characters), which must be unique; renaming "
                    "renames the code.",
                ),
                "unit_price": Put("SalesDetails.UnitPrice", Decimal),
                "purchase_price": Put("PurchaseDetails.UnitPrice", Decimal),
                "sales_tax_rate": PutRef("SalesDetails.TaxType", "TaxRate"),
                "purchase_tax_rate": PutRef("PurchaseDetails.TaxType", "TaxRate"),
                "type": Put(
                    "IsTrackedAsInventory",
                    lambda kind: False,
                    choices=("NON_INVENTORY",),
                    note="Xero tracks inventory only for items with inventory accounts, which Merge cannot name.",
                ),
            },
            checks=(Check("/model/name", "Name Too Long", _item_name_fits),),
        ),
    ),
)

# --- accounts ----------------------------------------------------------------------------------------------------

_ACCOUNT_TYPES = (
    "BANK",
    "CURRENT",
    "CURRLIAB",
    "DEPRECIATN",
    "DIRECTCOSTS",
    "EQUITY",
    "EXPENSE",
    "FIXED",
    "INVENTORY",
    "LIABILITY",
    "NONCURRENT",
    "OTHERINCOME",
    "OVERHEADS",
    "PREPAYMENT",
    "REVENUE",
    "SALES",
    "TERMLIAB",
    "PAYG",
)
_CLASS_OF_TYPE = {
    **dict.fromkeys(("BANK", "CURRENT", "FIXED", "INVENTORY", "NONCURRENT", "PREPAYMENT"), "ASSET"),
    **dict.fromkeys(("CURRLIAB", "LIABILITY", "TERMLIAB", "PAYG"), "LIABILITY"),
    "EQUITY": "EQUITY",
    **dict.fromkeys(("DEPRECIATN", "DIRECTCOSTS", "EXPENSE", "OVERHEADS"), "EXPENSE"),
    **dict.fromkeys(("OTHERINCOME", "REVENUE", "SALES"), "REVENUE"),
}
"""Xero's ``Class`` of each ``Type`` (read-only: Xero derives it)."""
_TYPE_OF_ACCOUNT_TYPE = {
    "BANK": "BANK",
    "CREDIT_CARD": "BANK",
    "FIXED_ASSET": "FIXED",
    "OTHER_ASSET": "NONCURRENT",
    "OTHER_CURRENT_ASSET": "CURRENT",
    "OTHER_EXPENSE": "EXPENSE",
    "OTHER_INCOME": "OTHERINCOME",
    "COST_OF_GOODS_SOLD": "DIRECTCOSTS",
    "OTHER_CURRENT_LIABILITY": "CURRLIAB",
    "LONG_TERM_LIABILITY": "TERMLIAB",
}
"""Merge's account type → the Xero ``Type`` the read mapping turns back into it (AR and AP are Xero's system
accounts, which cannot be created)."""


def _account_type(value: Any, payload: dict[str, Any], resolved: Resolved) -> None:
    if value in _TYPE_OF_ACCOUNT_TYPE:
        payload["Type"] = _TYPE_OF_ACCOUNT_TYPE[value]
        if value == "CREDIT_CARD":
            payload["BankAccountType"] = "CREDITCARD"


def _xero_type(model: Mapping[str, Any]) -> str | None:
    return model.get("type") or _TYPE_OF_ACCOUNT_TYPE.get(model.get("account_type") or "")


def _account_is_typed(model: Mapping[str, Any]) -> str | None:
    if model.get("type") is None and model.get("account_type") is None:
        return "type (Xero's account type) or account_type is required."
    if _xero_type(model) is None:
        return f"Xero cannot create an account of account_type {model['account_type']}; send Xero's type instead."
    classification = model.get("classification")
    derived = _CLASS_OF_TYPE.get(_xero_type(model) or "")
    if classification is not None and derived is not None and classification != derived:
        return f"classification {classification} contradicts Xero's {_xero_type(model)} accounts, which are {derived}."
    return None


def _code_fits(model: Mapping[str, Any]) -> str | None:
    code = model.get("account_number")
    if code is not None and len(code) > _ACCOUNT_CODE_LIMIT:
        return f"account_number has {len(code)} characters; Xero's account codes have at most {_ACCOUNT_CODE_LIMIT}."
    return None


ACCOUNT_WRITES = WriteSpec(
    model="Account",
    note="Xero needs a bank account number for BANK accounts, which Merge's Account does not carry.",
    targets=(
        Target(
            entity="Accounts",
            read=ACCOUNT,
            fields={
                "name": Put("Name", required=True, note="Unique in the chart of accounts."),
                "account_number": Put(
                    "Code", required=True, note="Xero's account code: unique, at most 10 characters."
                ),
                "description": Put("Description"),
                "account_type": Derive(_account_type, note="Read as Xero's type when type is absent."),
                "type": Put("Type", choices=_ACCOUNT_TYPES, note="Xero's account type; it wins over account_type."),
                "classification": Expect("Xero derives it from the type; a contradicting one is refused."),
                "currency": Put("CurrencyCode", str),
            },
            checks=(
                Check("/model/type", "Account Type Required", _account_is_typed),
                Check("/model/account_number", "Account Code Too Long", _code_fits),
            ),
        ),
    ),
)

# --- expenses ---------------------------------------------------------------------------------------------------
#
# An Expense is a bank transaction: Merge signs expenses (negative: money spent, positive: money back), Xero keeps
# every amount positive and says which way the money went with ``Type``: SPEND or RECEIVE. The sign of the lines
# decides it; lines that go both ways cannot be one Xero transaction.


def _unsigned(path: str) -> Derive:
    def write(value: Any, payload: dict[str, Any], resolved: Resolved) -> None:
        if value is not None:
            payload[path] = abs(Decimal(value))

    return Derive(write)


def _spend_or_receive(payload: dict[str, Any]) -> dict[str, Any]:
    """``Type`` from the signs the lines were written with (kept aside by the line table, then dropped)."""
    lines = payload.get("LineItems") or []
    received = any(line.pop("_received", False) for line in lines)
    payload["Type"] = "RECEIVE" if received else "SPEND"
    return payload


def _keep_sign(built: dict[str, Any], line: Mapping[str, Any]) -> dict[str, Any]:
    if line.get("net_amount") is not None and Decimal(line["net_amount"]) > 0:
        built["_received"] = True
    return built


_EXPENSE_LINE = Lines(
    {
        "description": Put("Description"),
        "quantity": Put("Quantity", Decimal),
        "unit_price": _unsigned("UnitAmount"),
        "net_amount": Derive(
            _unsigned("LineAmount").function, required=True, note="Negative: money spent (SPEND). Positive: RECEIVE."
        ),
        "item": PutRef("Item.ItemID", "Item", note="Sent as the item's code, which Xero fills the line from."),
        "account": PutRef("AccountID", "Account"),
        "tax_rate": PutRef("TaxType", "TaxRate"),
        **_TRACKING,
    },
    finish=_keep_sign,
)


def _expense_lines_agree(model: Mapping[str, Any]) -> str | None:
    amounts = [Decimal(line["net_amount"]) for line in model.get("lines") or [] if line.get("net_amount") is not None]
    if any(a > 0 for a in amounts) and any(a < 0 for a in amounts):
        return "every line of one expense must be spent (negative) or every line received (positive), not both."
    stated = model.get("total_amount")
    if stated is not None and amounts and (model.get("inclusive_of_tax") or model.get("total_tax_amount") is not None):
        tax = _ZERO if model.get("inclusive_of_tax") else Decimal(model.get("total_tax_amount") or 0)
        expected = sum(amounts, _ZERO) + (-abs(tax) if sum(amounts, _ZERO) < 0 else abs(tax))
        if Decimal(stated) != expected:
            return f"total_amount is {stated}, but the lines add up to {expected}."
    return None


EXPENSE_WRITES = WriteSpec(
    model="Expense",
    bulk=True,
    targets=(
        Target(
            entity="BankTransactions",
            read=EXPENSE,
            fields={
                "transaction_date": Put("Date", xero_day),
                "account": PutRef("BankAccount.AccountID", "Account", required=True, note="The bank account."),
                "contact": PutRef("Contact.ContactID", "Contact", required=True),
                "memo": Put("Reference"),
                "currency": Put("CurrencyCode", str),
                "exchange_rate": Put("CurrencyRate", Decimal),
                "inclusive_of_tax": Put("LineAmountTypes", line_amount_types),
                "total_amount": Expect("Negative for money spent, positive for money received; Xero computes it."),
                "sub_total": Expect(),
                "total_tax_amount": Expect(),
                "lines": PutLines("LineItems", _EXPENSE_LINE, required=True),
            },
            checks=(
                Check("/model/lines", "Lines Disagree", _expense_lines_agree),
                _two_options_per_line("lines"),
            ),
            finish=_spend_or_receive,
        ),
    ),
)

WRITES: Mapping[str, WriteSpec] = {
    spec.model: spec
    for spec in (
        ACCOUNT_WRITES,
        ATTACHMENT_WRITES,
        CONTACT_WRITES,
        CREDIT_NOTE_WRITES,
        EXPENSE_WRITES,
        INVOICE_WRITES,
        ITEM_WRITES,
        JOURNAL_ENTRY_WRITES,
        PAYMENT_WRITES,
        PURCHASE_ORDER_WRITES,
        VENDOR_CREDIT_WRITES,
        *FEED_WRITES,
    )
}
