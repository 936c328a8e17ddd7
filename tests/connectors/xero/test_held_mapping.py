"""Xero's overpayments and prepayments (credit held with a contact) and bank transfers, mapped: a customer's credit is
a CreditNote, a supplier's a VendorCredit, a transfer a Transaction (see ``connectors/xero/held``). Golden cases are
sandbox records (``held_cases/``); ``LEDGERPORT_REGOLD=1`` rewrites the expected documents."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import pytest

from ledgerport.connectors._base.mapping import MappingContext, ModelMap, apply
from ledgerport.connectors.xero.connector import CONNECTOR

CASES = Path(__file__).parent / "held_cases"
CONTEXT = MappingContext(ref=lambda model, remote_id: f"{model}:{remote_id}")
_decode = msgspec.json.Decoder(float_hook=Decimal)
_encode = msgspec.json.Encoder(decimal_format="number")
_STREAM = {"overpayment": "Overpayments", "prepayment": "Prepayments", "banktransfer": "BankTransfers"}
GOLDEN = sorted(path for path in CASES.glob("*.json") if not path.name.endswith(".expected.json"))


def _mapping(case: Path, record: Any) -> ModelMap:
    """The one mapping of the case's stream that takes the record."""
    stream = _STREAM[case.stem.split("_")[0]]
    (found,) = [m for m in CONNECTOR.mappings if m.stream.name == stream and (m.when is None or m.when(record))]
    return found


def _mapped(name: str) -> tuple[ModelMap, Any]:
    case = CASES / f"{name}.json"
    record = _decode.decode(case.read_bytes())
    mapping = _mapping(case, record)
    return mapping, apply(mapping, record, CONTEXT)


@pytest.mark.parametrize("case", GOLDEN, ids=lambda p: p.stem)
def test_golden(case: Path) -> None:
    record = _decode.decode(case.read_bytes())
    mapping = _mapping(case, record)
    document = _decode.decode(_encode.encode(apply(mapping, record, CONTEXT)))
    expected = case.with_name(f"{case.stem}.expected.json")
    if os.environ.get("LEDGERPORT_REGOLD") or not expected.exists():
        expected.write_bytes(msgspec.json.format(_encode.encode(document), indent=2) + b"\n")
    assert document == _decode.decode(expected.read_bytes())


def test_a_customers_overpayment_is_a_credit_note_with_its_allocations() -> None:
    mapping, note = _mapped("overpayment_customer")
    assert mapping.model == "CreditNote"
    assert note.remaining_credit == note.total_amount - 10
    assert note.status == "AUTHORIZED"
    (line,) = note.applied_to_lines
    assert (line.invoice, Decimal(line.applied_amount)) == ("Invoice:99999999-2222-4333-8444-555555555555", 10)
    assert note.contact is not None
    assert note.line_items


def test_a_suppliers_credit_is_a_vendor_credit_and_voided_is_deleted() -> None:
    mapping, credit = _mapped("prepayment_supplier_voided")
    assert mapping.model == "VendorCredit"
    assert credit.vendor is not None
    assert credit.remote_was_deleted is True
    assert str(credit.number).startswith("Deposit ")
    _, over = _mapped("overpayment_supplier")
    assert over.remote_was_deleted is True  # the sandbox voided this one


def test_a_customers_prepayment_is_a_credit_note() -> None:
    mapping, note = _mapped("prepayment_customer")
    assert mapping.model == "CreditNote"
    assert note.remote_was_deleted is False
    assert note.remaining_credit == note.total_amount


def test_a_bank_transfer_is_a_transaction_from_the_account_it_left() -> None:
    mapping, transfer = _mapped("banktransfer")
    record = _decode.decode((CASES / "banktransfer.json").read_bytes())
    assert mapping.model == "Transaction"
    assert transfer.transaction_type == "BANK-TRANSFER"
    assert transfer.account == f"Account:{record['FromBankAccount']['AccountID']}"
    assert Decimal(transfer.total_amount) == record["Amount"]
    assert transfer.remote_id == record["BankTransferID"]
    assert transfer.line_items == []


def test_the_streams_read_incrementally() -> None:
    by_name = {m.stream.name: m.stream for m in CONNECTOR.mappings}
    for name in ("Overpayments", "Prepayments"):
        assert by_name[name].since is not None
        assert by_name[name].deleted is not None
    transfers = by_name["BankTransfers"]
    assert transfers.since is not None
    assert transfers.since.field == "CreatedDateUTC"
