"""Golden cases for the Xero mappings, and the converters' edge cases.

``cases/<model>/<name>.json`` is a Xero record as the API returns it (``openapi_*`` from the response examples of
Xero's OpenAPI file, ``sandbox_*`` from the sandbox's generator); ``<name>.expected.json`` is the common-model
document it maps to, with references spelled ``Model:remote-id`` by the test context. Amounts are compared as
exact decimal text. To regenerate the expected files after a deliberate change, run with
``LEDGERPORT_REGOLD=1`` and review the diff.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import pytest

from ledgerport.connectors._base.mapping import MappingContext, ModelMap, apply, supported_fields
from ledgerport.connectors.xero import CONNECTOR
from ledgerport.connectors.xero.convert import (
    country,
    currency,
    http_date,
    inclusive_of_tax,
    xero_date,
    xero_day,
)
from ledgerport.connectors.xero.mapping import EXPENSE, INVOICE, JOURNAL_ENTRY, TRACKING_OPTION, TRANSACTION
from ledgerport.models.currency import Currency
from ledgerport.models.enums import ActiveOrArchived
from ledgerport.models.invoice import InvoiceStatus

HELD_STREAMS = frozenset({"Overpayments", "Prepayments", "BankTransfers"})
CASES = Path(__file__).parent / "cases"
CONTEXT = MappingContext(ref=lambda model, remote_id: f"{model}:{remote_id}")
_decode = msgspec.json.Decoder(float_hook=Decimal)
_encode = msgspec.json.Encoder(decimal_format="number")


def _snake(model: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in model).lstrip("_")


BY_FOLDER: dict[str, ModelMap] = {
    _snake(mapping.model): mapping
    for mapping in CONNECTOR.mappings
    if mapping.explode is None and mapping.stream.name not in HELD_STREAMS
}
"""Golden cases are whole stream records; the exploded tracking options have a test of their own below, and the
overpayments, prepayments and bank transfers theirs in ``test_held_mapping``."""
GOLDEN = sorted(path for path in CASES.glob("*/*.json") if not path.name.endswith(".expected.json"))


def _document(mapping: ModelMap, record: Any) -> Any:
    return _decode.decode(_encode.encode(apply(mapping, record, CONTEXT)))


@pytest.mark.parametrize("case", GOLDEN, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_golden_case(case: Path) -> None:
    mapping = BY_FOLDER[case.parent.name]
    raw = case.read_bytes()
    record = _decode.decode(raw)
    assert mapping.when is None or mapping.when(record), "the case belongs to another mapping of its stream"
    document = _document(mapping, record)
    expected_path = case.with_name(f"{case.stem}.expected.json")
    if os.environ.get("LEDGERPORT_REGOLD"):
        expected_path.write_bytes(msgspec.json.format(_encode.encode(document), indent=2) + b"\n")
    assert document == _decode.decode(expected_path.read_bytes())
    assert _decode.decode(raw) == record, "the input record must never be mutated"


@pytest.mark.parametrize("case", GOLDEN, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_golden_case_converts_into_its_struct(case: Path) -> None:
    mapping = BY_FOLDER[case.parent.name]
    struct = apply(mapping, _decode.decode(case.read_bytes()), CONTEXT)
    again = msgspec.json.decode(_encode.encode(struct), type=mapping.struct, dec_hook=None)
    assert msgspec.json.encode(again) == msgspec.json.encode(struct)


def test_every_model_has_a_golden_case() -> None:
    assert {path.parent.name for path in GOLDEN} == set(BY_FOLDER)


@pytest.mark.parametrize("mapping", CONNECTOR.mappings, ids=lambda m: m.model)
def test_every_mapped_field_exists_on_the_struct(mapping: ModelMap) -> None:
    assert set(mapping.fields) <= set(mapping.struct.__struct_fields__)
    assert "remote_id" in supported_fields(mapping)


# --- semantics the golden files encode, stated where a reader can check them --------------------------------------


def _case(folder: str, name: str) -> Any:
    return _decode.decode((CASES / folder / f"{name}.json").read_bytes())


def test_partially_paid_invoice() -> None:
    record = _case("invoice", "sandbox_partially_paid")
    invoice = apply(INVOICE, record, CONTEXT)
    assert invoice.status is InvoiceStatus.PARTIALLY_PAID
    assert invoice.balance == record["AmountDue"] == invoice.total_amount - record["AmountPaid"]
    payment_id = record["Payments"][0]["PaymentID"]
    assert invoice.payments == [f"Payment:{payment_id}"]
    assert invoice.applied_payments == [f"PaymentLineItem:{payment_id}/{record['InvoiceID']}"]


def test_invoice_amounts_are_exact_and_lines_add_up() -> None:
    invoice = apply(INVOICE, _case("invoice", "openapi_get_one"), CONTEXT)
    assert all(isinstance(v, Decimal) for v in (invoice.sub_total, invoice.total_tax_amount, invoice.total_amount))
    assert sum(line.total_amount for line in invoice.line_items) == invoice.sub_total
    assert invoice.sub_total + invoice.total_tax_amount == invoice.total_amount


def test_inclusive_foreign_invoice() -> None:
    record = _case("invoice", "sandbox_inclusive_foreign")
    invoice = apply(INVOICE, record, CONTEXT)
    assert invoice.inclusive_of_tax is True
    assert sum(line.total_amount for line in invoice.line_items) == invoice.total_amount
    assert invoice.exchange_rate == str(record["CurrencyRate"])
    assert invoice.currency == Currency(record["CurrencyCode"])
    tagged = {t["TrackingOptionID"] for line in record["LineItems"] for t in line["Tracking"]}
    assert set(invoice.tracking_categories) == {f"TrackingCategory:{tid}" for tid in tagged}


def test_voided_invoice_is_void_not_deleted_and_deleted_bill_is_deleted() -> None:
    voided = apply(INVOICE, _case("invoice", "sandbox_voided"), CONTEXT)
    assert (voided.status, voided.remote_was_deleted) == (InvoiceStatus.VOID, False)
    bill = apply(INVOICE, _case("invoice", "sandbox_deleted_bill"), CONTEXT)
    assert (bill.type, bill.status, bill.remote_was_deleted) == ("ACCOUNTS_PAYABLE", InvoiceStatus.VOID, True)


def test_journal_lines_keep_xero_signs_and_balance() -> None:
    for name in ("openapi_get_one", "sandbox_posted_tracked"):
        record = _case("journal_entry", name)
        entry = apply(JOURNAL_ENTRY, record, CONTEXT)
        assert [line.net_amount for line in entry.lines] == [line["LineAmount"] for line in record["JournalLines"]]
        assert sum(line.net_amount for line in entry.lines) == 0
        assert [line.account for line in entry.lines] == [
            f"Account:{line['AccountID']}" for line in record["JournalLines"]
        ]


def test_spend_and_receive_money_are_expenses_signed_as_merge_signs_them() -> None:
    """Merge: a purchase's amounts are negative (Spend Money), a refund's positive (Receive Money)."""
    record = _case("expense", "openapi_update_spend")
    spent = apply(EXPENSE, record, CONTEXT)
    assert (spent.total_amount, spent.sub_total, spent.total_tax_amount) == (
        -record["Total"],
        -record["SubTotal"],
        -record["TotalTax"],
    )
    assert spent.sub_total + spent.total_tax_amount == spent.total_amount
    assert spent.inclusive_of_tax is True
    assert sum(line.net_amount for line in spent.lines) == spent.total_amount  # inclusive: lines carry the tax
    assert spent.memo == record["Reference"]
    assert spent.account == f"Account:{record['BankAccount']['AccountID']}"
    received = apply(EXPENSE, _case("expense", "sandbox_deleted_receive"), CONTEXT)
    assert received.total_amount == received.sub_total + received.total_tax_amount > 0
    assert sum(line.net_amount for line in received.lines) == received.sub_total
    assert received.remote_was_deleted is True
    (line,) = received.lines
    assert Decimal(line.quantity) * Decimal(line.unit_price) == line.net_amount


def test_bank_transactions_split_by_type_between_expense_and_transaction() -> None:
    record = _case("transaction", "openapi_list_overpayment")
    kinds = ("SPEND", "RECEIVE", "SPEND-TRANSFER", "RECEIVE-TRANSFER", "SPEND-OVERPAYMENT", "RECEIVE-PREPAYMENT")
    split = {
        kind: (EXPENSE.when({**record, "Type": kind}), TRANSACTION.when({**record, "Type": kind})) for kind in kinds
    }
    assert split == {kind: (kind in ("SPEND", "RECEIVE"), kind not in ("SPEND", "RECEIVE")) for kind in kinds}
    overpayment = apply(TRANSACTION, record, CONTEXT)
    assert (overpayment.transaction_type, overpayment.total_amount) == ("SPEND-OVERPAYMENT", str(record["Total"]))


# --- converters ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/Date(1700000000000+0000)/", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("/Date(1700000000000)/", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("/Date(1700000000123+1300)/", datetime(2023, 11, 14, 22, 13, 20, 123_000, tzinfo=UTC)),
        ("/Date(1700000000000-0500)/", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("/Date(0)/", datetime(1970, 1, 1, tzinfo=UTC)),
        ("/Date(-86400000+0000)/", datetime(1969, 12, 31, tzinfo=UTC)),
        ("/Date(-1)/", datetime(1969, 12, 31, 23, 59, 59, 999_000, tzinfo=UTC)),
        ("2024-01-31T00:00:00", datetime(2024, 1, 31, tzinfo=UTC)),
        ("2019-12-07T18:46:19.5165400", datetime(2019, 12, 7, 18, 46, 19, 516_540, tzinfo=UTC)),
        ("2024-01-31", datetime(2024, 1, 31, tzinfo=UTC)),
        (None, None),
        ("", None),
    ],
)
def test_xero_date(text: str | None, expected: datetime | None) -> None:
    """The offset only says how Xero displayed the moment: the milliseconds are UTC either way."""
    assert xero_date(text) == expected
    if expected is not None:
        assert expected.tzinfo is UTC


def test_xero_date_refuses_garbage() -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the message is fromisoformat's
        xero_date("yesterday")


def test_xero_day_is_midnight_utc() -> None:
    assert xero_day("/Date(1700000000000+0000)/") == datetime(2023, 11, 14, tzinfo=UTC)
    assert xero_day("/Date(-1)/") == datetime(1969, 12, 31, tzinfo=UTC)


def test_http_date_truncates_to_the_second_in_utc() -> None:
    assert http_date(datetime(2024, 1, 1, 10, 0, 0, 999_999, tzinfo=UTC)) == "2024-01-01T10:00:00"
    assert http_date(xero_date("/Date(1700000000999+1300)/")) == "2023-11-14T22:13:20"  # type: ignore[arg-type]


def test_line_amount_types_and_codes() -> None:
    assert [inclusive_of_tax(v) for v in ("Inclusive", "Exclusive", "NoTax", None, "Odd")] == [
        True,
        False,
        False,
        None,
        None,
    ]
    assert currency("nzd") == Currency.NZD
    assert currency("ZZZ") is None
    assert country("NZ") is not None
    assert country("New Zealand") is None


def test_tracking_options_are_categories_whose_parent_is_their_category() -> None:
    """Merge shows each Xero option as a TrackingCategory under its category; lines point at the options."""
    record = _decode.decode((CASES / "tracking_category" / "sandbox_region.json").read_bytes())
    archived = {**record["Options"][1], "Status": "ARCHIVED"}
    gone = {**record["Options"][2], "Status": "DELETED"}
    category = {**record, "Options": [record["Options"][0], archived, gone]}

    rows = TRACKING_OPTION.rows([category])
    options = [apply(TRACKING_OPTION, option, CONTEXT, remote_id=rid, owner=owner) for rid, option, owner in rows]
    parent = f"TrackingCategory:{record['TrackingCategoryID']}"
    assert [(o.remote_id, o.name, o.status, o.parent_category, o.remote_was_deleted) for o in options] == [
        (record["Options"][0]["TrackingOptionID"], "North", ActiveOrArchived.ACTIVE, parent, False),
        (archived["TrackingOptionID"], "South", ActiveOrArchived.ARCHIVED, parent, False),
    ]
    assert TRACKING_OPTION.gone([category], []) == [gone["TrackingOptionID"]]
    # a deleted category takes its options with it
    assert len(TRACKING_OPTION.gone([], [{**record, "Status": "DELETED"}])) == len(record["Options"])
    assert supported_fields(TRACKING_OPTION) == ["remote_id", "name", "status", "parent_category", "remote_was_deleted"]
