"""Business Central write tables and keys: what each entity keeps the write's key in, and the bodies the tables
build (posting asked by status, deep-inserted lines, signed payments, journal lines dated and balanced)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

from ledgerport.connectors._base.writes import build_payload
from ledgerport.connectors.business_central.connector import CONNECTOR
from ledgerport.connectors.business_central.writer import ENTITIES, POST, batch_key, marker
from ledgerport.connectors.business_central.writes import WRITES

DAY = datetime(2025, 3, 3, tzinfo=UTC)


class Ids:
    """Every record id resolves to a remote id of the same text (the engine's resolver, without a store)."""

    def __call__(self, record_id: str) -> str:
        return f"remote-{record_id}"

    def document(self, record_id: str) -> None:
        return None


def test_keys_fit_the_fields_bc_keeps_them_in() -> None:
    key = uuid.uuid4().hex
    assert marker(ENTITIES["salesInvoices"], key) == f"LP-{key.upper()}"
    assert len(marker(ENTITIES["salesInvoices"], key)) == 35  # Code[35]
    assert len(marker(ENTITIES["journals"], key)) == 10  # Code[10]
    assert str(uuid.UUID(marker(ENTITIES["customers"], key))) == marker(ENTITIES["customers"], key)
    assert marker(ENTITIES["customers"], key) == marker(ENTITIES["customers"], key)


def test_the_items_of_a_chunk_have_fixed_distinct_keys() -> None:
    keys = [batch_key("batch-0", index) for index in range(100)]
    assert len(set(keys)) == 100
    assert keys == [batch_key("batch-0", index) for index in range(100)]
    assert batch_key("batch-1", 0) != keys[0]


def test_an_open_invoice_is_a_draft_with_its_lines_and_a_post_asked() -> None:
    target = WRITES["Invoice"].targets[0]
    model = {
        "type": "ACCOUNTS_RECEIVABLE",
        "contact": "c1",
        "issue_date": DAY,
        "status": "OPEN",
        "line_items": [{"item": "i1", "quantity": Decimal(2), "unit_price": Decimal("10.5")}],
    }
    body = build_payload(target, model, Ids())
    assert body == {
        "customerId": "remote-c1",
        "invoiceDate": "2025-03-03",
        POST: True,
        "salesInvoiceLines": [{"itemId": "remote-i1", "quantity": Decimal(2), "unitPrice": Decimal("10.5")}],
    }
    assert build_payload(target, {**model, "status": "DRAFT"}, Ids())[POST] is False


def test_lines_are_left_out_of_an_invoice_patch_and_totals_are_never_sent() -> None:
    target = WRITES["Invoice"].targets[0]
    assert target.updatable is not None
    assert "line_items" not in target.updatable
    body = build_payload(target, {"contact": "c1", "total_amount": Decimal(5)}, Ids())
    assert "totalAmountIncludingTax" not in body


def test_a_line_with_an_item_and_an_account_is_refused_as_bc_refuses_it() -> None:
    (check, _) = WRITES["Invoice"].targets[0].checks
    line = {"item": "i1", "account": "a1"}
    assert "Specify only one of them" in (check.test({"line_items": [line]}) or "")
    assert check.test({"line_items": [{"item": "i1"}]}) is None


def test_journal_lines_are_gl_lines_dated_by_the_entry_and_must_balance() -> None:
    target = WRITES["JournalEntry"].targets[0]
    model = {
        "memo": "Accrual",
        "transaction_date": DAY,
        "lines": [{"account": "a1", "net_amount": Decimal(5)}, {"account": "a2", "net_amount": Decimal(-5)}],
    }
    body = build_payload(target, model, Ids())
    assert body["displayName"] == "Accrual"
    assert [line["postingDate"] for line in body["journalLines"]] == ["2025-03-03", "2025-03-03"]
    assert {line["accountType"] for line in body["journalLines"]} == {"G/L Account"}
    (balance,) = target.checks
    assert balance.test(model) is None
    assert balance.test({"lines": [{"net_amount": Decimal(5)}]}) is not None


def test_a_customer_payment_is_negative_and_names_its_invoice_on_the_line() -> None:
    customer, vendor = WRITES["Payment"].targets
    model = {
        "type": "ACCOUNTS_RECEIVABLE",
        "contact": "c1",
        "total_amount": Decimal(40),
        "applied_to_lines": [{"related_object_id": "inv1"}],
    }
    body = build_payload(customer, model, Ids())
    assert body == {"customerId": "remote-c1", "amount": Decimal(-40), "appliesToInvoiceId": "remote-inv1"}
    paid = build_payload(vendor, {"contact": "v1", "total_amount": Decimal(-40)}, Ids())
    assert paid == {"vendorId": "remote-v1", "amount": Decimal(40)}


def test_the_connector_writes_what_bc_can_hold_and_not_the_read_only_chart() -> None:
    assert set(CONNECTOR.writes) == {
        "Contact",
        "CreditNote",
        "Invoice",
        "Item",
        "JournalEntry",
        "Payment",
        "PurchaseOrder",
    }
    assert CONNECTOR.writer is not None
    assert CONNECTOR.writer.batch_size == 100
    assert all(target.entity in ENTITIES for spec in CONNECTOR.writes.values() for target in spec.targets)
