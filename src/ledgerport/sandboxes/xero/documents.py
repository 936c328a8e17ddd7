"""Generated transactions, built on demand from (tenant seed, slot) so that a large sandbox costs ids, not dicts.

Each builder seeds its own ``random.Random`` from the tenant seed, a collection tag and the slot, and draws in a
fixed order, so a record is the same however often and in whatever order it is built. Cross-record facts are
decided by construction: a generated payment reads its amount from its invoice's ``Payments`` entry, and an
invoice's ``AmountPaid`` is that same amount; journals balance because their last line is minus the others' sum.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ledgerport.sandboxes.xero.amounts import QUANTITY, RATE, ZERO, document_totals, line_amount, line_tax, money
from ledgerport.sandboxes.xero.dates import DAY_MS, date_string, ms_date, start_of_day
from ledgerport.sandboxes.xero.store import Collection

__all__ = ["INVOICE_STATUSES", "Ledger", "invoice_head", "random_id"]

Record = dict[str, Any]

INVOICE_STATUSES = (("DRAFT", 10), ("SUBMITTED", 5), ("AUTHORISED", 40), ("PAID", 35), ("VOIDED", 5), ("DELETED", 5))
_LINE_AMOUNT_TYPES = (("Exclusive", 70), ("Inclusive", 20), ("NoTax", 10))
_TAGS = {
    "Invoices": 1,
    "Payments": 2,
    "CreditNotes": 3,
    "PurchaseOrders": 4,
    "BankTransactions": 5,
    "ManualJournals": 6,
    "Contacts": 7,
    "Overpayments": 8,
    "Prepayments": 9,
    "BankTransfers": 10,
}


def random_id(rng: random.Random) -> str:
    """A version-4 UUID drawn from ``rng``."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([value for value, _ in weighted], [weight for _, weight in weighted])[0]


def invoice_head(rng: random.Random) -> tuple[str, str, Decimal | None]:
    """The first draws of an invoice: Type, Status and the paid fraction (None when unpaid)."""
    kind = "ACCREC" if rng.random() < 0.6 else "ACCPAY"
    status = _pick(rng, INVOICE_STATUSES)
    fraction: Decimal | None = None
    if status == "PAID":
        fraction = Decimal(1)
    elif status == "AUTHORISED" and rng.random() < 0.3:
        fraction = Decimal(rng.randint(10, 90)) / 100
    return kind, status, fraction


def _stamp(record: Record, key: str, ms: int) -> None:
    record[key] = ms_date(ms)
    record[key + "String"] = date_string(ms)


@dataclass
class Ledger:
    """A tenant's fixed context plus the builders of its generated documents."""

    seed: int
    base_currency: str
    foreign: list[tuple[str, Decimal]]
    accounts: dict[str, Record]
    revenue_codes: list[str]
    expense_codes: list[str]
    bank_code: str
    sales_tax: tuple[str, Decimal]
    purchase_tax: tuple[str, Decimal]
    exempt_tax: tuple[str, Decimal]
    tracking: list[list[Record]]
    items: list[Record]
    contact_names: list[str]
    customers: list[int] = field(default_factory=list)
    suppliers: list[int] = field(default_factory=list)
    collections: dict[str, Collection] = field(default_factory=dict)
    pay_of_invoice: dict[int, int] = field(default_factory=dict)
    invoice_of_payment: list[int] = field(default_factory=list)

    def rng(self, collection: str, slot: int) -> random.Random:
        """The record's own generator."""
        seed = self.seed * 1_000_003 + _TAGS[collection] * 100_000_007 + slot
        return random.Random(seed)  # noqa: S311 - reproducible sample data, not secrets

    def contact_ref(self, slot: int) -> Record:
        """``{"ContactID", "Name"}`` as the contact reads now."""
        contacts = self.collections["Contacts"]
        return {"ContactID": contacts.ids[slot], "Name": contacts.get(slot)["Name"]}

    def _currency(self, rng: random.Random) -> tuple[str, Decimal]:
        if self.foreign and rng.random() < 0.2:
            return rng.choice(self.foreign)
        return self.base_currency, Decimal(1).quantize(RATE)

    def _tracking(self, rng: random.Random) -> list[Record]:
        draw = rng.random()
        count = 2 if draw < 0.2 else 1 if draw < 0.6 else 0
        return [rng.choice(options) for options in self.tracking[:count]]

    def lines(self, rng: random.Random, *, sales: bool, line_amount_types: str, count: int) -> list[Record]:
        """1-5 priced lines; tax per line by LineAmountTypes (see ``amounts``)."""
        result = []
        for _ in range(count):
            item = rng.choice(self.items) if rng.random() < 0.4 else None
            quantity = Decimal(rng.randint(1, 10))
            unit = Decimal(rng.randint(500, 250_000)).scaleb(-2)
            code = rng.choice(self.revenue_codes if sales else self.expense_codes)
            tax_type, rate = self.sales_tax if sales else self.purchase_tax
            if line_amount_types == "NoTax" or rng.random() < 0.1:
                tax_type, rate = self.exempt_tax
            discount = (
                Decimal(rng.choice((5, 10, 15))).quantize(Decimal("0.01")) if sales and rng.random() < 0.1 else None
            )
            description = f"Services rendered ({rng.randint(1, 999)})"
            if item is not None:
                details = item["SalesDetails" if sales else "PurchaseDetails"]
                unit, code, description = details["UnitPrice"], details["AccountCode"], item["Description"]
            amount = line_amount(quantity, unit, discount)
            line: Record = {
                "LineItemID": random_id(rng),
                "Description": description,
                "Quantity": quantity.quantize(QUANTITY),
                "UnitAmount": unit,
            }
            if item is not None:
                line |= {
                    "ItemCode": item["Code"],
                    "Item": {"ItemID": item["ItemID"], "Name": item["Name"], "Code": item["Code"]},
                }
            line |= {
                "AccountCode": code,
                "AccountID": self.accounts[code]["AccountID"],
                "TaxType": tax_type,
                "TaxAmount": line_tax(amount, rate, line_amount_types),
                "LineAmount": amount,
                "Tracking": self._tracking(rng),
            }
            if discount is not None:
                line["DiscountRate"] = discount
            result.append(line)
        return result

    def _document(self, rng: random.Random, *, sales: bool, updated: int) -> Record:
        contact = rng.choice(self.customers if sales else self.suppliers)
        day = start_of_day(updated - rng.randint(0, 20) * DAY_MS)
        line_amount_types = _pick(rng, _LINE_AMOUNT_TYPES)
        currency, rate = self._currency(rng)
        lines = self.lines(rng, sales=sales, line_amount_types=line_amount_types, count=rng.randint(1, 5))
        sub_total, total_tax, total = document_totals(lines, line_amount_types)
        return {
            "contact": contact,
            "day": day,
            "lat": line_amount_types,
            "currency": currency,
            "rate": rate,
            "lines": lines,
            "totals": (sub_total, total_tax, total),
        }

    def invoice(self, slot: int) -> Record:
        """A generated ACCREC or ACCPAY invoice."""
        rng = self.rng("Invoices", slot)
        kind, status, fraction = invoice_head(rng)
        invoices = self.collections["Invoices"]
        doc = self._document(rng, sales=kind == "ACCREC", updated=invoices.updated[slot])
        sub_total, total_tax, total = doc["totals"]
        payments: list[Record] = []
        paid = ZERO
        pay_slot = self.pay_of_invoice.get(slot)
        if pay_slot is not None and fraction is not None:
            paid = total if fraction == 1 else money(total * fraction)
            pay_day = doc["day"] + rng.randint(0, max(0, (invoices.updated[slot] - doc["day"]) // DAY_MS)) * DAY_MS
            payments = [
                {
                    "PaymentID": self.collections["Payments"].ids[pay_slot],
                    "Date": ms_date(pay_day),
                    "Amount": paid,
                    "Reference": f"Payment {slot + 1}",
                    "CurrencyRate": doc["rate"],
                    "HasAccount": False,
                    "HasValidationErrors": False,
                }
            ]
        record: Record = {
            "Type": kind,
            "InvoiceID": invoices.ids[slot],
            "InvoiceNumber": f"{'INV' if kind == 'ACCREC' else 'BILL'}-{slot + 1:04d}",
            "Reference": f"Ref {rng.randint(1000, 9999)}",
            "Payments": payments,
            "CreditNotes": [],
            "Prepayments": [],
            "Overpayments": [],
            "AmountDue": total - paid if status not in ("VOIDED", "DELETED") else ZERO,
            "AmountPaid": paid,
            "AmountCredited": ZERO,
            "CurrencyRate": doc["rate"],
            "IsDiscounted": any("DiscountRate" in x for x in doc["lines"]),
            "HasAttachments": False,
            "HasErrors": False,
            "Contact": self.contact_ref(doc["contact"]),
        }
        _stamp(record, "Date", doc["day"])
        _stamp(record, "DueDate", doc["day"] + rng.choice((7, 14, 30)) * DAY_MS)
        record |= {
            "Status": status,
            "LineAmountTypes": doc["lat"],
            "LineItems": doc["lines"],
            "SubTotal": sub_total,
            "TotalTax": total_tax,
            "Total": total,
            "UpdatedDateUTC": ms_date(invoices.updated[slot]),
            "CurrencyCode": doc["currency"],
            "SentToContact": kind == "ACCREC" and status != "DRAFT",
        }
        if status == "PAID":
            record["FullyPaidOnDate"] = payments[0]["Date"]
        return record

    def payment(self, slot: int) -> Record:
        """A generated payment, mirroring the Payments entry of its invoice."""
        invoice = self.collections["Invoices"].get(self.invoice_of_payment[slot])
        payment_id = self.collections["Payments"].ids[slot]
        entry = next(p for p in invoice["Payments"] if p["PaymentID"] == payment_id)
        rng = self.rng("Payments", slot)
        bank = self.accounts[self.bank_code]
        rate = entry["CurrencyRate"]
        return {
            "PaymentID": payment_id,
            "Date": entry["Date"],
            "BankAmount": money(entry["Amount"] / rate),
            "Amount": entry["Amount"],
            "Reference": entry["Reference"],
            "CurrencyRate": rate,
            "PaymentType": "ACCRECPAYMENT" if invoice["Type"] == "ACCREC" else "ACCPAYPAYMENT",
            "Status": "AUTHORISED",
            "UpdatedDateUTC": ms_date(self.collections["Payments"].updated[slot]),
            "HasAccount": True,
            "IsReconciled": rng.random() < 0.7,
            "Account": {"AccountID": bank["AccountID"], "Code": bank["Code"]},
            "Invoice": {
                "Type": invoice["Type"],
                "InvoiceID": invoice["InvoiceID"],
                "InvoiceNumber": invoice["InvoiceNumber"],
                "Contact": invoice["Contact"],
                "CurrencyCode": invoice["CurrencyCode"],
            },
            "HasValidationErrors": False,
        }

    def credit_note(self, slot: int) -> Record:
        """A generated credit note (unallocated: RemainingCredit is the total unless voided)."""
        rng = self.rng("CreditNotes", slot)
        sales = rng.random() < 0.6
        status = _pick(rng, (("DRAFT", 20), ("AUTHORISED", 70), ("VOIDED", 10)))
        notes = self.collections["CreditNotes"]
        doc = self._document(rng, sales=sales, updated=notes.updated[slot])
        sub_total, total_tax, total = doc["totals"]
        record: Record = {
            "CreditNoteID": notes.ids[slot],
            "CreditNoteNumber": f"CN-{slot + 1:04d}",
            "Type": "ACCRECCREDIT" if sales else "ACCPAYCREDIT",
            "Reference": "",
            "RemainingCredit": ZERO if status == "VOIDED" else total,
            "Allocations": [],
            "Payments": [],
            "HasAttachments": False,
            "HasErrors": False,
            "CurrencyRate": doc["rate"],
            "Contact": self.contact_ref(doc["contact"]),
        }
        _stamp(record, "Date", doc["day"])
        record |= {
            "Status": status,
            "LineAmountTypes": doc["lat"],
            "LineItems": doc["lines"],
            "SubTotal": sub_total,
            "TotalTax": total_tax,
            "Total": total,
            "UpdatedDateUTC": ms_date(notes.updated[slot]),
            "CurrencyCode": doc["currency"],
            "SentToContact": False,
        }
        return record

    def purchase_order(self, slot: int) -> Record:
        """A generated purchase order to a supplier."""
        rng = self.rng("PurchaseOrders", slot)
        status = _pick(rng, (("DRAFT", 20), ("SUBMITTED", 10), ("AUTHORISED", 50), ("BILLED", 20)))
        orders = self.collections["PurchaseOrders"]
        doc = self._document(rng, sales=False, updated=orders.updated[slot])
        sub_total, total_tax, total = doc["totals"]
        record: Record = {"PurchaseOrderID": orders.ids[slot], "PurchaseOrderNumber": f"PO-{slot + 1:04d}"}
        _stamp(record, "Date", doc["day"])
        _stamp(record, "DeliveryDate", doc["day"] + 14 * DAY_MS)
        record |= {
            "DeliveryAddress": "1 Warehouse Way",
            "AttentionTo": "Receiving",
            "Telephone": "555-0100",
            "DeliveryInstructions": "",
            "HasErrors": False,
            "IsDiscounted": False,
            "Reference": f"PO ref {rng.randint(100, 999)}",
            "Type": "PURCHASEORDER",
            "CurrencyRate": doc["rate"],
            "CurrencyCode": doc["currency"],
            "Contact": self.contact_ref(doc["contact"]),
            "Status": status,
            "LineAmountTypes": doc["lat"],
            "LineItems": doc["lines"],
            "SubTotal": sub_total,
            "TotalTax": total_tax,
            "Total": total,
            "UpdatedDateUTC": ms_date(orders.updated[slot]),
            "HasAttachments": False,
        }
        return record

    def bank_transaction(self, slot: int) -> Record:
        """A generated SPEND or RECEIVE in the base-currency bank account; every tenth slot is instead money paid to
        a supplier in advance or received from a customer in advance (see :meth:`_credit_held`)."""
        rng = self.rng("BankTransactions", slot)
        receive = rng.random() < 0.45
        status = "DELETED" if rng.random() < 0.05 else "AUTHORISED"
        bank_txns = self.collections["BankTransactions"]
        contact = rng.choice(self.customers if receive else self.suppliers)
        updated = bank_txns.updated[slot]
        day = start_of_day(updated - rng.randint(0, 10) * DAY_MS)
        line_amount_types = _pick(rng, _LINE_AMOUNT_TYPES)
        lines = self.lines(rng, sales=receive, line_amount_types=line_amount_types, count=rng.randint(1, 3))
        sub_total, total_tax, total = document_totals(lines, line_amount_types)
        bank = self.accounts[self.bank_code]
        record: Record = {
            "BankTransactionID": bank_txns.ids[slot],
            "BankAccount": {"AccountID": bank["AccountID"], "Code": bank["Code"], "Name": bank["Name"]},
            "Type": "RECEIVE" if receive else "SPEND",
            "Reference": f"Txn {slot + 1}",
            "IsReconciled": rng.random() < 0.6,
            "HasAttachments": False,
            "Contact": self.contact_ref(contact),
        }
        _stamp(record, "Date", day)
        record |= {
            "Status": status,
            "LineAmountTypes": line_amount_types,
            "LineItems": lines,
            "SubTotal": sub_total,
            "TotalTax": total_tax,
            "Total": total,
            "UpdatedDateUTC": ms_date(updated),
            "CurrencyCode": self.base_currency,
        }
        return self._credit_held(record, rng) if slot % 10 == 9 else record

    @staticmethod
    def _credit_held(record: Record, rng: random.Random) -> Record:
        """The same money as a SPEND-OVERPAYMENT (to a supplier) or a RECEIVE-PREPAYMENT (from a customer), in the
        shape Xero lists them: no line items, no tax, no ``Reference`` (Xero keeps it for SPEND and RECEIVE only)
        and the id of the Overpayment or Prepayment the money became."""
        receive = record["Type"] == "RECEIVE"
        kind, key = ("RECEIVE-PREPAYMENT", "PrepaymentID") if receive else ("SPEND-OVERPAYMENT", "OverpaymentID")
        held = {name: value for name, value in record.items() if name != "Reference"}
        return held | {
            "Type": kind,
            key: random_id(rng),
            "LineAmountTypes": "NoTax",
            "LineItems": [],
            "SubTotal": record["Total"],
            "TotalTax": ZERO,
        }

    def manual_journal(self, slot: int) -> Record:
        """A generated balanced journal: signed lines (debits positive) summing to zero."""
        rng = self.rng("ManualJournals", slot)
        journals = self.collections["ManualJournals"]
        status = _pick(rng, (("POSTED", 85), ("DRAFT", 10), ("VOIDED", 5)))
        count = rng.randint(2, 4)
        amounts = [Decimal(rng.randint(1_000, 500_000)).scaleb(-2) * rng.choice((1, -1)) for _ in range(count - 1)]
        if sum(amounts) == 0:
            amounts[0] += Decimal("1.00")
        amounts.append(-sum(amounts, ZERO))
        codes = self.revenue_codes + self.expense_codes + [self.bank_code]
        lines = []
        for amount in amounts:
            code = rng.choice(codes)
            lines.append(
                {
                    "Description": f"Adjustment {rng.randint(1, 99)}",
                    "TaxType": "NONE",
                    "TaxAmount": ZERO,
                    "LineAmount": amount,
                    "AccountCode": code,
                    "AccountID": self.accounts[code]["AccountID"],
                    "Tracking": self._tracking(rng),
                    "IsBlank": False,
                }
            )
        updated = journals.updated[slot]
        record: Record = {}
        _stamp(record, "Date", start_of_day(updated - rng.randint(0, 5) * DAY_MS))
        record |= {
            "Status": status,
            "LineAmountTypes": "NoTax",
            "UpdatedDateUTC": ms_date(updated),
            "ManualJournalID": journals.ids[slot],
            "Narration": f"Period adjustment {slot + 1}",
            "JournalLines": lines,
            "ShowOnCashBasisReports": rng.random() < 0.5,
            "HasAttachments": False,
        }
        return record

    def contact(self, slot: int) -> Record:
        """A generated customer, supplier or both (slot % 3); every 23rd one is archived."""
        rng = self.rng("Contacts", slot)
        contacts = self.collections["Contacts"]
        name = self.contact_names[slot]
        first, last = rng.choice(("Ava", "Noah", "Mia", "Leo", "Zoe", "Eli")), rng.choice(("Ng", "Smith", "Rossi"))
        email = f"{first.lower()}@{''.join(c for c in name.lower() if c.isalnum())[:20]}.example"
        return {
            "ContactID": contacts.ids[slot],
            "ContactNumber": f"C{slot + 1:05d}",
            "AccountNumber": f"A{slot + 1:05d}",
            "ContactStatus": "ARCHIVED" if slot % 23 == 22 else "ACTIVE",
            "Name": name,
            "FirstName": first,
            "LastName": last,
            "EmailAddress": email,
            "BankAccountDetails": "",
            "TaxNumber": f"{rng.randint(10**8, 10**9 - 1)}",
            "Addresses": [
                {
                    "AddressType": "STREET",
                    "AddressLine1": f"{rng.randint(1, 300)} High St",
                    "City": "Springfield",
                    "PostalCode": f"{rng.randint(1000, 9999)}",
                },
                {"AddressType": "POBOX"},
            ],
            "Phones": [
                {"PhoneType": "DEFAULT", "PhoneNumber": f"555-{rng.randint(1000, 9999)}"},
                {"PhoneType": "MOBILE"},
                {"PhoneType": "FAX"},
                {"PhoneType": "DDI"},
            ],
            "UpdatedDateUTC": ms_date(contacts.updated[slot]),
            "ContactGroups": [],
            "IsSupplier": slot % 3 != 0,
            "IsCustomer": slot % 3 != 1,
            "DefaultCurrency": self.base_currency,
            "SalesTrackingCategories": [],
            "PurchasesTrackingCategories": [],
            "ContactPersons": [],
            "HasAttachments": False,
            "HasValidationErrors": False,
        }
