"""Golden cases: ``cases/<model>/<entity>_<name>.json`` (QBO JSON as the API returns it) → ``.expected.json``.

The case's file name starts with the QBO entity (``bill_...``, ``billpayment_...``), which picks the mapping.
``UPDATE_GOLDEN=1`` rewrites the expected files; review the diff before committing it.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import pytest

from ledgerport.connectors._base.mapping import MappingContext, ModelMap, apply
from ledgerport.connectors.quickbooks.mapping import BILL, EXPENSE, INVOICE, JOURNAL_ENTRY, MAPPINGS
from ledgerport.models.invoice import InvoiceStatus
from ledgerport.models.registry import MODELS

CASES = Path(__file__).parent / "cases"
CONTEXT = MappingContext(ref=lambda model, rid: f"{model}:{rid}")
BY_ENTITY: dict[str, ModelMap] = {mapping.stream.name.lower(): mapping for mapping in MAPPINGS}
_decode = msgspec.json.Decoder(float_hook=Decimal)
_encode = msgspec.json.Encoder(decimal_format="number")

_CASE_FILES = sorted(p for p in CASES.glob("*/*.json") if not p.name.endswith(".expected.json"))


def _mapping_for(case: Path) -> ModelMap:
    return BY_ENTITY[case.stem.split("_")[0]]


def _load(path: Path) -> Any:
    return _decode.decode(path.read_bytes())


def _mapped(case: str) -> Any:
    path = next(p for p in _CASE_FILES if p.stem == case)
    return apply(_mapping_for(path), _load(path), CONTEXT)


@pytest.mark.parametrize("case", _CASE_FILES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_golden(case: Path) -> None:
    mapping = _mapping_for(case)
    assert MODELS[mapping.model].struct is mapping.struct
    record = _load(case)
    before = _encode.encode(record)
    produced = _encode.encode(apply(mapping, record, CONTEXT))
    assert _encode.encode(record) == before, "the mapping mutated its input"
    expected_path = case.with_name(f"{case.stem}.expected.json")
    if os.environ.get("UPDATE_GOLDEN") or not expected_path.exists():
        expected_path.write_bytes(msgspec.json.format(produced, indent=2) + b"\n")
    assert _decode.decode(produced) == _load(expected_path)


def test_every_mapping_has_a_case() -> None:
    covered = {_mapping_for(case).stream.name for case in _CASE_FILES}
    assert covered >= {mapping.stream.name for mapping in MAPPINGS} - {"Estimate"}


def test_subtotal_and_discount_lines_are_not_line_items() -> None:
    invoice = _mapped("invoice_partial_discount")
    assert [line.remote_id for line in invoice.line_items] == ["1", "2"]
    assert invoice.sub_total == Decimal("1500.40")
    assert invoice.total_discount == Decimal("100.00")


def test_amounts_are_exact_and_add_up() -> None:
    invoice = _mapped("invoice_partial_discount")
    lines = sum(line.total_amount for line in invoice.line_items)
    assert lines == Decimal("1500.40")
    assert lines - invoice.total_discount + invoice.total_tax_amount == invoice.total_amount == Decimal("1512.43")
    assert invoice.line_items[0].unit_price == Decimal("150.01")
    assert invoice.line_items[1].unit_price == Decimal("0.1")


def test_status_is_derived_from_balance_and_void() -> None:
    assert _mapped("invoice_partial_discount").status is InvoiceStatus.PARTIALLY_PAID
    assert _mapped("invoice_paid_eur").status is InvoiceStatus.PAID
    assert _mapped("invoice_open").status is InvoiceStatus.OPEN
    assert _mapped("invoice_voided").status is InvoiceStatus.VOID


def test_refs_follow_the_remote_id_scheme() -> None:
    invoice = _mapped("invoice_partial_discount")
    assert invoice.contact == "Contact:7"
    assert invoice.payments == ["Payment:88"]
    assert invoice.applied_payments == ["PaymentLineItem:88/130"]
    assert invoice.line_items[0].tax_rate == "TaxRate:TaxCode-4"
    assert invoice.line_items[1].tax_rate is None  # US NON flag, not a TaxCode record
    bill = _mapped("bill_partially_paid_billable")
    assert bill.remote_id == "Bill-9"
    assert bill.contact == "Contact:Vendor-3"
    assert bill.payments == ["Payment:BillPayment-6"]
    assert bill.applied_payments == ["PaymentLineItem:BillPayment-6/Bill-9"]
    assert bill.purchase_orders == ["PurchaseOrder:2"]
    assert bill.tracking_categories == ["TrackingCategory:Department-1", "TrackingCategory:2"]
    assert bill.line_items[0].contact == "Contact:4"
    assert bill.line_items[0].is_billable is True
    assert bill.line_items[0].id == "InvoiceLineItem:Bill-9/1"


def test_payment_lines_match_the_ids_invoices_give_them() -> None:
    bill_payment = _mapped("billpayment_check")
    assert bill_payment.remote_id == "BillPayment-1"
    line = bill_payment.applied_to_lines[0]
    assert (line.id, line.related_object_id, line.related_object_type) == (
        "PaymentLineItem:BillPayment-1/Bill-1",
        "Invoice:Bill-1",
        "INVOICE",
    )
    bill = _mapped("bill_paid_items_and_accounts")
    assert bill.applied_payments == [line.id]


def test_journal_lines_are_signed_by_posting_type() -> None:
    entry = _mapped("journalentry_entities_department")
    assert [line.net_amount for line in entry.lines] == [Decimal("1000.01"), Decimal("-1000.01")]
    assert sum(line.net_amount for line in entry.lines) == 0
    assert entry.lines[0].tracking_categories == ["TrackingCategory:4", "TrackingCategory:Department-2"]
    assert entry.lines[1].contact == "Contact:Vendor-3"
    seeded = _mapped("journalentry_debits_credits")
    assert sum(line.net_amount for line in seeded.lines) == 0
    assert any(line.net_amount < 0 for line in seeded.lines)


def test_inactive_customer_is_archived() -> None:
    contact = _mapped("customer_inactive")
    assert contact.status == "ARCHIVED"
    assert contact.is_customer
    assert not contact.is_supplier
    assert [(a.type, a.country) for a in contact.addresses] == [("SHIPPING", "ES")]
    assert contact.addresses[0].street_2 == "Piso 2"


def test_a_cdc_deletion_stub_maps() -> None:
    stub = _mapped("invoice_deleted_cdc_stub")
    assert stub.remote_id == "17"
    assert stub.remote_was_deleted is True
    assert stub.status is None
    assert stub.line_items == []


def test_purchases_are_expenses_signed_as_merge_signs_them() -> None:
    """Merge: a purchase's amounts are negative and a refund's positive; QBO keeps both positive and marks a card
    refund with ``Credit``."""
    spent = _mapped("purchase_cash_employee_taxed")
    assert (spent.total_amount, spent.sub_total, spent.total_tax_amount) == (
        Decimal("-237.87"),
        Decimal("-210.50"),
        Decimal("-27.37"),
    )
    assert spent.sub_total + spent.total_tax_amount == spent.total_amount
    assert sum(line.net_amount for line in spent.lines) == spent.sub_total
    card = _mapped("purchase_card")
    assert card.total_amount == sum(line.net_amount for line in card.lines) == Decimal("-3827.80")
    refund = _mapped("purchase_card_refund")
    assert refund.total_amount == sum(line.net_amount for line in refund.lines) == Decimal("429.98")
    (line,) = refund.lines
    assert Decimal(line.quantity) * Decimal(line.unit_price) == line.net_amount
    assert (line.item, line.account) == ("Item:12", None)  # an item line posts to the item's account


def test_an_expense_names_its_payee_and_keeps_the_purchase_prefix() -> None:
    card = _mapped("purchase_card")
    assert (card.remote_id, card.contact, card.employee) == ("Purchase-1", "Contact:Vendor-4", None)
    assert card.lines[0].id == "ExpenseLine:Purchase-1/1"
    spent = _mapped("purchase_cash_employee_taxed")
    assert (spent.contact, spent.employee) == (None, "Employee:5")
    assert spent.memo == "Client dinner, Toronto"
    assert spent.lines[0].contact == "Contact:4"  # billable to a customer
    assert spent.lines[0].tax_rate == "TaxRate:TaxCode-6"
    assert spent.tracking_categories == ["TrackingCategory:Department-2", "TrackingCategory:1"]
    stub = _mapped("purchase_deleted_cdc_stub")
    assert (stub.remote_id, stub.remote_was_deleted, stub.total_amount, stub.lines) == ("Purchase-31", True, None, [])


def test_a_purchase_feeds_only_the_expense_model() -> None:
    assert [mapping.model for mapping in MAPPINGS if mapping.stream.name == "Purchase"] == ["Expense"]


@pytest.mark.parametrize("mapping", [INVOICE, BILL, JOURNAL_ENTRY, EXPENSE], ids=lambda m: m.stream.name)
def test_mapping_tables_name_real_fields(mapping: ModelMap) -> None:
    assert set(mapping.fields) <= set(mapping.struct.__struct_fields__)
