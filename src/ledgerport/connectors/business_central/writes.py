"""Common models → Business Central entities for writes: ``WRITES``, one :class:`WriteSpec` per writable model.

Each target names the entity set and the read mapping that turns BC's answer into the stored record; the writer
reads every written record back with the sync's own request, so it is stored exactly as a sync stores it. What the
tables encode from the AL pages (FACTS.md §6):

* **Read-only in BC, so never sent**: every document ``number`` (from the number series), ``status`` (changed only by
  actions), the totals (``totalAmountIncludingTax``…, ``remainingAmount``) and line amounts, a payment's or journal
  line's ``lastModifiedDateTime``. A request may state a total (``Expect``); BC computes it.
* **Required**: a document's customer or vendor ("A "customerNumber" or a "customerId" must be provided."), a
  customer's and vendor's ``displayName``, a line's item *or* G/L account (never both: "Both "itemId" and
  "accountId" are specified."), a journal line's account and amount, a payment's customer or vendor.
* **The chart of accounts is read-only in v2.0** (``accounts`` is ``G`` only): Account is not writable, and a line's
  account must be an existing posting account.
* **Invoices** are ``salesInvoices`` (ACCOUNTS_RECEIVABLE) and ``purchaseInvoices`` (ACCOUNTS_PAYABLE). A POST makes
  a draft; ``status`` OPEN asks for it posted (``Microsoft.NAV.post``), DRAFT or none leaves the draft. A PATCH
  changes the header of a draft (BC refuses changes to posted invoices: "The invoice has been posted and can no
  longer be modified."); lines cannot be patched deep in BC, so ``line_items`` are create-only.
* **Credit notes** are ``salesCreditMemos``: ``status`` AUTHORIZED posts the draft.
* **Purchase orders** are ``purchaseOrders`` (drafts; BC's ``receiveAndInvoice`` is not a Merge status).
* **Journal entries** are a new journal batch of the default template (``journals``) with one ``journalLines`` row
  per line (signed ``amount``: + debit, − credit, Merge's ``net_amount``); ``posting_status`` POSTED posts it, after
  which BC moves the lines into the general ledger (read as Transactions) and the batch is empty.
* **Payments** are ``customerPayments`` (ACCOUNTS_RECEIVABLE) and ``vendorPayments`` (ACCOUNTS_PAYABLE), lines of the
  company's first payment journal. BC signs a customer payment negative (it credits the customer) and a vendor
  payment positive (FACTS.md §6.3; VERIFY §9): ``total_amount`` is the magnitude and the table signs it. One applied
  invoice at most (``appliesToInvoiceId``, a posted sales invoice); v2.0 cannot post payment journals.
* **Contacts** are ``customers`` (``is_customer``) or ``vendors`` (``is_supplier``); **items** are ``items``.
* **Expenses are not written.** Merge's Expense is a cash purchase already paid from a bank account. BC's v2.0
  API has no such object: a purchase invoice of G/L lines is a bill (read and written here as an ACCOUNTS_PAYABLE
  Invoice), and paying it is a vendor payment journal line v2.0 cannot post. Writing either as an Expense would
  store a record the next sync reads back as another model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
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
from ledgerport.connectors.business_central.documents import (
    CREDIT_NOTE,
    CUSTOMER_PAYMENT,
    JOURNAL_ENTRY,
    PURCHASE_INVOICE,
    PURCHASE_ORDER,
    SALES_INVOICE,
    VENDOR_PAYMENT,
)
from ledgerport.connectors.business_central.mapping import CUSTOMER, ITEM, VENDOR
from ledgerport.connectors.business_central.writer import POST

__all__ = [
    "CONTACT_WRITES",
    "CREDIT_NOTE_WRITES",
    "INVOICE_WRITES",
    "ITEM_WRITES",
    "JOURNAL_ENTRY_WRITES",
    "PAYMENT_WRITES",
    "PURCHASE_ORDER_WRITES",
    "WRITES",
    "bc_day",
]

_ZERO = Decimal(0)
_DISPLAY_NAME_LIMIT = 100
_DESCRIPTION_LIMIT = 100


def bc_day(moment: datetime) -> str:
    """BC's ``date`` fields are days (``YYYY-MM-DD``); Merge sends midnight UTC."""
    return moment.date().isoformat()


def _number(value: Any) -> Decimal:
    return Decimal(value)


def _posts(*when: str) -> Callable[[Any], bool]:
    """A status that asks for the document posted (``True``) or left a draft."""
    return lambda value: str(value) in when


# --- lines -------------------------------------------------------------------------------------------------------


def _line(price: str, total: str) -> Lines:
    """A document line: an item or a G/L account, a quantity and a price; BC computes the amounts."""
    return Lines(
        {
            "description": Put("description", note=f"At most {_DESCRIPTION_LIMIT} characters."),
            "quantity": Put("quantity", _number),
            "unit_price": Put(price, _number),
            "item": PutRef("itemId", "Item", note="An item, or an account, never both."),
            "account": PutRef("accountId", "Account", note="A G/L posting account, or an item, never both."),
            total: Expect("BC computes the line amount from quantity × unit_price."),
        }
    )


def _one_target_per_line(lines_field: str) -> Check:
    """BC's own rule: "Both "itemId" and "accountId" are specified. Specify only one of them."; and one is needed."""

    def test(model: Mapping[str, Any]) -> str | None:
        for index, line in enumerate(model.get(lines_field) or []):
            if line.get("item") and line.get("account"):
                return f'line {index}: both "itemId" and "accountId" are specified. Specify only one of them.'
            if not line.get("item") and not line.get("account"):
                return f"line {index}: Business Central needs an item or a G/L account on every line."
        return None

    return Check(f"/model/{lines_field}", "Line Needs One Item Or Account", test)


def _description_fits(lines_field: str) -> Check:
    def test(model: Mapping[str, Any]) -> str | None:
        for index, line in enumerate(model.get(lines_field) or []):
            if len(str(line.get("description") or "")) > _DESCRIPTION_LIMIT:
                return f"line {index}: the description is longer than Business Central's {_DESCRIPTION_LIMIT}."
        return None

    return Check(f"/model/{lines_field}", "Description Too Long", test)


def _line_checks(lines_field: str) -> tuple[Check, ...]:
    return (_one_target_per_line(lines_field), _description_fits(lines_field))


# --- invoices ----------------------------------------------------------------------------------------------------

_INVOICE_STATUSES = ("DRAFT", "OPEN")
_STATUS_NOTE = "DRAFT (the default) leaves a draft; OPEN posts it (Microsoft.NAV.post): BC numbers it anew."


def _invoice(party: str, price: str) -> dict[str, WriteField]:
    return {
        "type": Choose(
            required=True, note="ACCOUNTS_RECEIVABLE is a salesInvoice, ACCOUNTS_PAYABLE a purchaseInvoice."
        ),
        "contact": PutRef(party, "Contact", required=True, note="The customer (sales) or vendor (purchase)."),
        "issue_date": Put("invoiceDate", bc_day, note="The work date when absent."),
        "due_date": Put("dueDate", bc_day, note="From the payment terms when absent."),
        "currency": Put("currencyCode", str, note="Blank is the company's local currency."),
        "status": Put(POST, _posts("OPEN"), choices=_INVOICE_STATUSES, note=_STATUS_NOTE),
        "total_discount": Put("discountAmount", _number, note="The invoice discount amount."),
        "sub_total": Expect("BC computes it from the lines."),
        "total_tax_amount": Expect("BC computes it from the lines."),
        "total_amount": Expect("BC computes it from the lines."),
        "line_items": PutLines(
            "salesInvoiceLines" if party == "customerId" else "purchaseInvoiceLines",
            _line(price, "total_amount"),
            note="Created with the invoice (deep insert); BC cannot patch lines with their invoice.",
        ),
    }


_SALES_INVOICE = {
    **_invoice("customerId", "unitPrice"),
    "payment_term": PutRef("paymentTermsId", "PaymentTerm"),
    "memo": Put("customerPurchaseOrderReference", str, note="BC's Your Reference."),
}
_PURCHASE_INVOICE = {
    **_invoice("vendorId", "unitCost"),
    "inclusive_of_tax": Put("pricesIncludeTax", bool, note="Writable on purchase invoices only."),
}
_HEADER_ONLY = frozenset({"line_items", "type"})

INVOICE_WRITES = WriteSpec(
    model="Invoice",
    update=True,
    bulk=True,
    note="A PATCH changes the header of a draft on a freshly read etag (If-Match); BC refuses changes to posted "
    "invoices. status OPEN posts a draft.",
    targets=(
        Target(
            entity="salesInvoices",
            read=SALES_INVOICE,
            when={"type": "ACCOUNTS_RECEIVABLE"},
            fields=_SALES_INVOICE,
            checks=_line_checks("line_items"),
            updatable=frozenset(_SALES_INVOICE) - _HEADER_ONLY,
        ),
        Target(
            entity="purchaseInvoices",
            read=PURCHASE_INVOICE,
            when={"type": "ACCOUNTS_PAYABLE"},
            fields=_PURCHASE_INVOICE,
            checks=_line_checks("line_items"),
            updatable=frozenset(_PURCHASE_INVOICE) - _HEADER_ONLY,
        ),
    ),
)

# --- credit notes ------------------------------------------------------------------------------------------------

_CREDIT_NOTE: dict[str, WriteField] = {
    "contact": PutRef("customerId", "Contact", required=True, note="The customer credited."),
    "transaction_date": Put("creditMemoDate", bc_day),
    "currency": Put("currencyCode", str),
    "status": Put(
        POST,
        _posts("AUTHORIZED"),
        choices=("SUBMITTED", "AUTHORIZED"),
        note="SUBMITTED (the default) leaves a draft; AUTHORIZED posts it.",
    ),
    "total_amount": Expect("BC computes it from the lines."),
    "line_items": PutLines("salesCreditMemoLines", _line("unitPrice", "total_line_amount")),
}

CREDIT_NOTE_WRITES = WriteSpec(
    model="CreditNote",
    update=True,
    bulk=True,
    targets=(
        Target(
            entity="salesCreditMemos",
            read=CREDIT_NOTE,
            fields=_CREDIT_NOTE,
            checks=_line_checks("line_items"),
            updatable=frozenset(_CREDIT_NOTE) - {"line_items"},
        ),
    ),
)

# --- purchase orders ---------------------------------------------------------------------------------------------

_PURCHASE_ORDER: dict[str, WriteField] = {
    "vendor": PutRef("vendorId", "Contact", required=True),
    "issue_date": Put("orderDate", bc_day),
    "delivery_date": Put("requestedReceiptDate", bc_day),
    "currency": Put("currencyCode", str),
    "payment_term": PutRef("paymentTermsId", "PaymentTerm"),
    "inclusive_of_tax": Put("pricesIncludeTax", bool),
    "total_amount": Expect("BC computes it from the lines."),
    "line_items": PutLines("purchaseOrderLines", _line("directUnitCost", "total_line_amount")),
}

PURCHASE_ORDER_WRITES = WriteSpec(
    model="PurchaseOrder",
    update=True,
    note="Orders are made as drafts; BC numbers them (purchase_order_number is read-only).",
    targets=(
        Target(
            entity="purchaseOrders",
            read=PURCHASE_ORDER,
            fields=_PURCHASE_ORDER,
            checks=_line_checks("line_items"),
            updatable=frozenset(_PURCHASE_ORDER) - {"line_items"},
        ),
    ),
)

# --- journal entries ---------------------------------------------------------------------------------------------


def _journal_balances(model: Mapping[str, Any]) -> str | None:
    """BC posts a batch only when its lines net to zero (no balancing account is set on them)."""
    total = sum((Decimal(line.get("net_amount") or 0) for line in model.get("lines") or []), _ZERO)
    if total != 0:
        return f"The lines add up to {total}, not 0: debits (positive) must equal credits (negative)."
    return None


def _journal_dates(value: Any, payload: dict[str, Any], resolved: Resolved) -> None:
    """A journal batch has no date of its own: every line gets the entry's ``postingDate``."""
    payload["__posting_date"] = bc_day(value) if isinstance(value, datetime) else str(value)[:10]


def _dated_lines(payload: dict[str, Any]) -> dict[str, Any]:
    day = payload.pop("__posting_date", None)
    if day:
        for line in payload.get("journalLines") or []:
            line.setdefault("postingDate", day)
    return payload


_JOURNAL_LINE = Lines(
    {
        "account": PutRef("accountId", "Account", required=True, note="A G/L posting account."),
        "net_amount": Put("amount", _number, required=True, note="Debits positive, credits negative."),
        "description": Put("description"),
    },
    finish=lambda line, common: {"accountType": "G/L Account", **line},
)

JOURNAL_ENTRY_WRITES = WriteSpec(
    model="JournalEntry",
    targets=(
        Target(
            entity="journals",
            read=JOURNAL_ENTRY,
            fields={
                "memo": Put("displayName", note="The journal batch's description."),
                "transaction_date": Derive(_journal_dates, note="Every line's posting date; the work date if absent."),
                "posting_status": Put(
                    POST,
                    _posts("POSTED"),
                    choices=("UNPOSTED", "POSTED"),
                    note="UNPOSTED (the default) keeps the lines in the batch; POSTED posts them to the general "
                    "ledger, after which the batch is empty.",
                ),
                "lines": PutLines("journalLines", _JOURNAL_LINE, required=True),
            },
            checks=(Check("/model/lines", "Journal Lines Do Not Balance", _journal_balances),),
            finish=_dated_lines,
        ),
    ),
)

# --- payments ----------------------------------------------------------------------------------------------------


def _signed(negative: bool) -> Callable[[Any], Decimal]:
    return lambda value: -abs(Decimal(value)) if negative else abs(Decimal(value))


def _apply_first(payload: dict[str, Any]) -> dict[str, Any]:
    """A BC payment line applies to one invoice, named on the line itself (``appliesToInvoiceId``)."""
    applied = payload.pop(_APPLIED, None) or []
    if applied and applied[0].get("appliesToInvoiceId"):
        payload["appliesToInvoiceId"] = applied[0]["appliesToInvoiceId"]
    return payload


_APPLIED = "__applied"
_APPLIED_LINE = Lines(
    {
        "related_object_id": PutRef("appliesToInvoiceId", "Invoice", required=True, note="A posted sales invoice."),
        "related_object_type": Expect("INVOICE."),
        "applied_amount": Expect("The payment's total_amount is what BC applies."),
        "applied_date": Expect("The payment's transaction_date."),
    }
)


def _one_applied(model: Mapping[str, Any]) -> str | None:
    if len(model.get("applied_to_lines") or []) > 1:
        return "A Business Central payment line applies to one invoice at most."
    return None


def _payment(party: str, negative: bool, applies: bool) -> dict[str, WriteField]:
    fields: dict[str, WriteField] = {
        "type": Choose(
            required=True, note="ACCOUNTS_RECEIVABLE is a customerPayment, ACCOUNTS_PAYABLE a vendorPayment."
        ),
        "contact": PutRef(party, "Contact", required=True),
        "transaction_date": Put("postingDate", bc_day),
        "total_amount": Put(
            "amount",
            _signed(negative),
            required=True,
            note="The amount paid; BC's journal signs it (customer payments negative, vendor payments positive).",
        ),
    }
    if applies:
        fields["applied_to_lines"] = PutLines(
            _APPLIED, _APPLIED_LINE, note="At most one: the posted sales invoice the payment applies to."
        )
    return fields


PAYMENT_WRITES = WriteSpec(
    model="Payment",
    note="Payments are lines of the company's first payment journal; BC's v2.0 API cannot post payment journals.",
    targets=(
        Target(
            entity="customerPayments",
            read=CUSTOMER_PAYMENT,
            when={"type": "ACCOUNTS_RECEIVABLE"},
            fields=_payment("customerId", negative=True, applies=True),
            checks=(Check("/model/applied_to_lines", "Too Many Applied Invoices", _one_applied),),
            finish=_apply_first,
        ),
        Target(
            entity="vendorPayments",
            read=VENDOR_PAYMENT,
            when={"type": "ACCOUNTS_PAYABLE"},
            fields=_payment("vendorId", negative=False, applies=False),
        ),
    ),
)

# --- contacts and items ------------------------------------------------------------------------------------------


def _attr(value: Any, name: str) -> Any:
    """A field of a nested value, whether the engine hands it as a mapping or as the model's struct."""
    return value.get(name) if isinstance(value, Mapping) else getattr(value, name, None)


def _address(value: Any, payload: dict[str, Any], resolved: Resolved) -> None:
    """BC keeps one address in flat fields: the first given."""
    first = next(iter(value or []), None)
    if first is None:
        return
    for common, bc in (
        ("street_1", "addressLine1"),
        ("street_2", "addressLine2"),
        ("city", "city"),
        ("state", "state"),
        ("zip_code", "postalCode"),
        ("country", "country"),
    ):
        found = _attr(first, common)
        if found is not None:
            payload[bc] = str(getattr(found, "value", found))


def _phone(value: Any, payload: dict[str, Any], resolved: Resolved) -> None:
    first = next((p for p in value or [] if _attr(p, "number")), None)
    if first is not None:
        payload["phoneNumber"] = str(_attr(first, "number"))


def _name_fits(model: Mapping[str, Any]) -> str | None:
    if len(str(model.get("name") or "")) > _DISPLAY_NAME_LIMIT:
        return f"name is longer than Business Central's {_DISPLAY_NAME_LIMIT} characters."
    return None


def _contact(blocked: str) -> dict[str, WriteField]:
    return {
        "name": Put("displayName", str, required=True, note='BC: A "displayName" must be provided.'),
        "is_customer": Choose(note="true makes a BC customer."),
        "is_supplier": Choose(note="true makes a BC vendor."),
        "email_address": Put("email", str),
        "tax_number": Put("taxRegistrationNumber", str),
        "currency": Put("currencyCode", str),
        "status": Put(
            "blocked",
            lambda value: blocked if str(value) == "ARCHIVED" else " ",
            note=f"ARCHIVED blocks the record ({blocked}).",
        ),
        "addresses": Derive(_address, note="BC keeps one address: the first."),
        "phone_numbers": Derive(_phone, note="BC keeps one phone number: the first."),
    }


_NAME_CHECK = (Check("/model/name", "Name Too Long", _name_fits),)

CONTACT_WRITES = WriteSpec(
    model="Contact",
    update=True,
    bulk=True,
    note="is_customer makes a BC customer, else is_supplier a vendor; a contact cannot change between the two.",
    targets=(
        Target(
            entity="customers",
            read=CUSTOMER,
            when={"is_customer": True},
            fields=_contact("All"),
            checks=_NAME_CHECK,
            updatable=frozenset(_contact("All")) - {"is_customer", "is_supplier"},
        ),
        Target(
            entity="vendors",
            read=VENDOR,
            when={"is_supplier": True},
            fields=_contact("All"),
            checks=_NAME_CHECK,
            updatable=frozenset(_contact("All")) - {"is_customer", "is_supplier"},
        ),
    ),
)

_ITEM_TYPES = {"INVENTORY": "Inventory", "SERVICE": "Service", "NON_INVENTORY": "Non-Inventory"}
_ITEM: dict[str, WriteField] = {
    "name": Put("displayName", str, required=True),
    "type": Put("type", lambda value: _ITEM_TYPES[str(value)], choices=tuple(_ITEM_TYPES)),
    "unit_price": Put("unitPrice", _number),
    "purchase_price": Put("unitCost", _number),
    "status": Put("blocked", lambda value: str(value) == "ARCHIVED", note="ARCHIVED blocks the item."),
    "sales_tax_rate": PutRef("taxGroupId", "TaxRate", note="A tax group."),
}

ITEM_WRITES = WriteSpec(
    model="Item",
    update=True,
    bulk=True,
    targets=(Target(entity="items", read=ITEM, fields=_ITEM, checks=_NAME_CHECK),),
)

WRITES: Mapping[str, WriteSpec] = {
    spec.model: spec
    for spec in (
        CONTACT_WRITES,
        CREDIT_NOTE_WRITES,
        INVOICE_WRITES,
        ITEM_WRITES,
        JOURNAL_ENTRY_WRITES,
        PAYMENT_WRITES,
        PURCHASE_ORDER_WRITES,
    )
}
