"""``PUT /CreditNotes/{CreditNoteID}/Allocations``: part of a credit note allocated to an invoice.

The body is ``{"Allocations": [{"Invoice": {"InvoiceID"}, "Amount", "Date"}]}`` (Xero's API reference, "Allocate
a credit note"); the answer is ``{"Allocations": [{AllocationID, Amount, Date, Invoice, CreditNote}]}``. Rules
(Xero's help centre "Allocate a credit note" and API reference; the messages are the sandbox's wording, Xero's own
texts for these refusals are not documented):

* the credit note and the invoice are AUTHORISED (a draft cannot be allocated, a paid one has nothing left);
* a sales credit note (ACCRECCREDIT) goes to a sales invoice (ACCREC), a supplier credit (ACCPAYCREDIT) to a bill
  (ACCPAY), of the same contact and in the same currency;
* the amount is positive, at most the credit note's ``RemainingCredit`` and at most the invoice's ``AmountDue``;
* the date is not in a locked period.

The credit note's ``RemainingCredit`` falls (``PAID`` at zero) and gains the allocation; the invoice's
``AmountCredited`` rises and ``AmountDue`` falls (``PAID`` at zero) and it lists the credit note under
``CreditNotes``. Both get a new ``UpdatedDateUTC``, so an incremental sync (If-Modified-Since) picks both up.
A failing element answers the usual ValidationException with the element and its ``ValidationErrors``.
"""

from __future__ import annotations

import copy
import uuid
from decimal import Decimal
from typing import Any

from ledgerport.sandboxes.xero.amounts import ZERO, money
from ledgerport.sandboxes.xero.dates import ms_date, start_of_day
from ledgerport.sandboxes.xero.errors import not_found, post_data_invalid, validation_exception
from ledgerport.sandboxes.xero.store import Tenant
from ledgerport.sandboxes.xero.validate import find_record, lock_problem, number, set_date

__all__ = ["allocate"]

Record = dict[str, Any]
_INVOICE_TYPE = {"ACCRECCREDIT": "ACCREC", "ACCPAYCREDIT": "ACCPAY"}


def _problems(tenant: Tenant, note: Record, invoice: Record | None, amount: Decimal | None) -> list[str]:
    errors: list[str] = []
    if note.get("Status") != "AUTHORISED":
        errors.append("Only an AUTHORISED credit note can be allocated")
    if invoice is None:
        errors.append("Invoice could not be found")
        return errors
    if invoice.get("Type") != _INVOICE_TYPE.get(str(note.get("Type"))):
        errors.append(f"A {note.get('Type')} credit note cannot be allocated to a {invoice.get('Type')} invoice")
    if invoice.get("Status") != "AUTHORISED":
        errors.append("Credit can only be allocated to an AUTHORISED invoice")
    if (invoice.get("Contact") or {}).get("ContactID") != (note.get("Contact") or {}).get("ContactID"):
        errors.append("The invoice and the credit note must be for the same contact")
    if invoice.get("CurrencyCode") != note.get("CurrencyCode"):
        errors.append("The invoice and the credit note must be in the same currency")
    if amount is not None:
        if amount <= 0:
            errors.append("The allocation amount must be greater than zero")
        if amount > note.get("RemainingCredit", ZERO):
            errors.append("The amount allocated cannot exceed the remaining credit on the credit note")
        if amount > invoice.get("AmountDue", ZERO):
            errors.append("The amount allocated cannot exceed the amount due on the invoice")
    return errors


def _one(tenant: Tenant, note_slot: int, item: Any, now_ms: int) -> Record:
    """Allocate one element, or raise its ValidationException."""
    notes = tenant.collections["CreditNotes"]
    note = notes.get(note_slot)
    errors: list[str] = []
    if not isinstance(item, dict):
        raise validation_exception([{"ValidationErrors": [{"Message": "Each allocation must be an object"}]}])
    ref = item.get("Invoice")
    found = (
        find_record(tenant, "Invoices", ref.get("InvoiceID") or ref.get("InvoiceNumber"))
        if isinstance(ref, dict)
        else None
    )
    amount = number(item.get("Amount"), "Amount", errors)
    if amount is None and not errors:
        errors.append("Amount is required")
    record: Record = {"AllocationID": str(uuid.uuid4())}
    set_date(record, "Date", item.get("Date") or ms_date(start_of_day(now_ms)), errors, with_string=False)
    errors += _problems(tenant, note, None if found is None else found[1], None if amount is None else money(amount))
    locked = lock_problem(tenant, record.get("Date"))
    if locked:
        errors.append(locked)
    if errors:
        raise validation_exception([{**item, "ValidationErrors": [{"Message": message} for message in errors]}])
    assert found is not None
    assert amount is not None
    amount = money(amount)
    invoice_slot, invoice = found
    record |= {
        "Amount": amount,
        "Invoice": {
            "InvoiceID": invoice["InvoiceID"],
            "InvoiceNumber": invoice.get("InvoiceNumber", ""),
            "Type": invoice["Type"],
        },
    }
    updated_note = copy.deepcopy(note)
    updated_note["RemainingCredit"] = money(note.get("RemainingCredit", ZERO) - amount)
    updated_note.setdefault("Allocations", []).append(
        {"AllocationID": record["AllocationID"], "Amount": amount, "Date": record["Date"], "Invoice": record["Invoice"]}
    )
    if updated_note["RemainingCredit"] == 0:
        updated_note["Status"] = "PAID"
    updated_invoice = copy.deepcopy(invoice)
    updated_invoice["AmountCredited"] = money(invoice.get("AmountCredited", ZERO) + amount)
    updated_invoice["AmountDue"] = money(invoice.get("AmountDue", ZERO) - amount)
    updated_invoice.setdefault("CreditNotes", []).append(
        {
            "CreditNoteID": note["CreditNoteID"],
            "CreditNoteNumber": note.get("CreditNoteNumber", ""),
            "AppliedAmount": amount,
            "Date": record["Date"],
            "Total": note.get("Total", ZERO),
        }
    )
    if updated_invoice["AmountDue"] == 0:
        updated_invoice |= {"Status": "PAID", "FullyPaidOnDate": record["Date"]}
    notes.put(updated_note, now_ms, note_slot)
    tenant.collections["Invoices"].put(updated_invoice, now_ms, invoice_slot)
    return {
        **record,
        "CreditNote": {"CreditNoteID": note["CreditNoteID"], "CreditNoteNumber": note.get("CreditNoteNumber", "")},
        "ValidationErrors": [],
    }


def allocate(tenant: Tenant, key: str, body: Any, now_ms: int) -> list[Record]:
    """The allocations made for ``PUT /CreditNotes/{key}/Allocations`` (all or none: the first failing element
    refuses the call)."""
    notes = tenant.collections["CreditNotes"]
    slot = notes.find(key)
    if slot is None:
        raise not_found()
    items = body.get("Allocations", [body]) if isinstance(body, dict) else body
    if not isinstance(items, list) or not items:
        raise post_data_invalid('Expected {"Allocations": [...]} in the request body')
    return [_one(tenant, slot, item, now_ms) for item in items]
