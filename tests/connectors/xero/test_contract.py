"""Every Xero mapping against a seeded sandbox: walk the stream, map every record, compare with the sandbox's truth."""

from __future__ import annotations

import base64
import gzip
import json
import re
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from xero_connector_kit import ORIGIN

from harness import REFERENCE_DIR, seed_page
from ledgerport.connectors._base import AsgiTransport, Request, field_support
from ledgerport.connectors._base.client import ProviderClient
from ledgerport.connectors._base.mapping import MappingContext, ModelMap, apply
from ledgerport.connectors.xero import CONNECTOR
from ledgerport.connectors.xero.mapping import CONTACT, EXPENSE, INVOICE, JOURNAL_ENTRY, TRANSACTION
from ledgerport.sandboxes.xero import SandboxApp
from ledgerport.sandboxes.xero.journals import book_for

CONTEXT = MappingContext(ref=lambda model, remote_id: f"{model}:{remote_id}")
_decode = msgspec.json.Decoder(float_hook=Decimal)


async def _walk(client: ProviderClient, mapping: ModelMap, since: datetime | None = None) -> list[tuple[Any, Any]]:
    """``(record, mapped struct)`` for every record of the mapping's stream changed after ``since``."""
    pairs = []
    derived = mapping.stream.derived
    if derived is not None:  # built from the source model's records, as the engine builds it from stored ones
        (source,) = [m for m in CONNECTOR.mappings if m.model == derived.source]
        built = derived.build(client.context, [record for record, _ in await _walk(client, source)])
        return [(record, apply(mapping, record, CONTEXT, remote_id=rid)) for rid, record, _ in mapping.rows(built)]
    async for page in client.pages(mapping.stream, since):
        for remote_id, record, owner in mapping.rows([*page.records, *page.deleted]):
            pairs.append((record, apply(mapping, record, CONTEXT, remote_id=remote_id, owner=owner)))
    return pairs


async def _truth(transport: AsgiTransport, sandbox: SandboxApp, tenant_id: str, mapping: ModelMap) -> list[Any]:
    """The sandbox's own records for the mapping (every record: deleted, voided and archived ones included)."""
    if mapping.stream.name == "Organisation":
        return [sandbox.tenants[tenant_id].organisation]
    if mapping.stream.name == "Journals":
        return book_for(sandbox.tenants[tenant_id]).journals
    if mapping.model == "AccountingAttachment":  # files hang off objects: the sandbox keeps them by parent
        prefix = mapping.stream.name.removesuffix("Attachments").lower() + "/"
        kept = sandbox.tenants[tenant_id].attachments
        return [one for key, files in kept.items() if key.startswith(prefix) for one in files]
    response = await transport.send(
        Request(method="GET", url=f"{ORIGIN}/_sandbox/dump/{tenant_id}/{mapping.stream.name}")
    )
    records = _decode.decode(response.body)[mapping.stream.name]
    return [record for _, record, _ in mapping.rows(records)]


@pytest.mark.parametrize("mapping", CONNECTOR.mappings, ids=lambda m: m.model)
async def test_stream_maps_every_record(
    mapping: ModelMap, make_client, transport: AsgiTransport, sandbox: SandboxApp, tenant_id: str
) -> None:
    pairs = await _walk(make_client(), mapping)
    assert pairs, "the seeded sandbox has records for every mapping"
    for _, struct in pairs:
        again = msgspec.json.decode(msgspec.json.encode(struct), type=mapping.struct)
        assert msgspec.json.encode(again) == msgspec.json.encode(struct)
    remote_ids = [mapping.remote_id_of(record) for record, _ in pairs]
    assert len(remote_ids) == len(set(remote_ids)), "keys are unique"
    assert [struct.remote_id for _, struct in pairs] == remote_ids  # type: ignore[attr-defined]

    if mapping.stream.expand is not None or mapping.stream.derived is not None:
        return  # statements are derived per period from reports or journals: test_ledger.py checks them
    truth = await _truth(transport, sandbox, tenant_id, mapping)
    assert set(remote_ids) == {mapping.remote_id_of(record) for record in truth}
    rule = mapping.stream.deleted if mapping.explode is None else None  # deleted elements are never mapped
    flagged = {struct.remote_id for _, struct in pairs if struct.remote_was_deleted}  # type: ignore[attr-defined]
    assert flagged == {mapping.remote_id_of(r) for r in truth if rule is not None and rule(r)}


@pytest.mark.parametrize(
    "mapping",
    [m for m in CONNECTOR.mappings if m.stream.since and m.explode is None],  # elements carry no watermark
    ids=lambda m: m.model,
)
async def test_since_returns_a_subset(mapping: ModelMap, make_client) -> None:
    """Everything changed after ``since`` comes back, and nothing from before its second.

    ``If-Modified-Since`` is sent truncated to the second (Xero's precision), so records of that same second are
    read again: a superset that upserts absorb, never a gap.
    """
    client = make_client()
    since = mapping.stream.since
    assert since is not None
    pairs = await _walk(client, mapping)
    marks = {mapping.remote_id_of(r): since.of(r) for r, _ in pairs}
    middle = sorted(mark for mark in marks.values() if mark is not None)[len(marks) // 2]
    later = {mapping.remote_id_of(r) for r, _ in await _walk(client, mapping, middle)}
    assert later <= set(marks)
    assert {rid for rid, mark in marks.items() if mark is not None and mark > middle} <= later
    assert all(marks[rid] >= middle.replace(microsecond=0) for rid in later)  # type: ignore[operator]
    if min(m for m in marks.values() if m is not None) < middle.replace(microsecond=0):
        assert later < set(marks)


async def _last_watermark(client: ProviderClient, mapping: ModelMap) -> datetime:
    marks = [page.watermark async for page in client.pages(mapping.stream, None) if page.watermark]
    return max(marks)


@pytest.mark.parametrize(
    ("mapping", "pick", "change"),
    [
        (CONTACT, lambda r: r["ContactStatus"] == "ACTIVE", {"EmailAddress": "changed@example.com"}),
        (INVOICE, lambda r: r["Status"] == "DRAFT", {"Reference": "changed by the contract test"}),
    ],
    ids=["Contact", "Invoice"],
)
async def test_since_returns_only_what_changed_after_a_write(
    mapping: ModelMap, pick: Any, change: dict, make_client
) -> None:
    client = make_client()
    watermark = await _last_watermark(client, mapping)
    target = next(r for r, _ in await _walk(client, mapping) if pick(r))
    key = mapping.stream.key
    url = f"{ORIGIN}/api.xro/2.0/{mapping.stream.name}/{target[key]}"
    await client.send(Request(method="POST", url=url, body=msgspec.json.encode(change)))
    changed = {record[key]: record for record, _ in await _walk(client, mapping, watermark)}
    assert target[key] in changed
    ((field, value),) = change.items()
    assert changed[target[key]][field] == value
    same_second = watermark.replace(microsecond=0)
    others = [r for rid, r in changed.items() if rid != target[key]]
    assert all(mapping.stream.since.of(r) >= same_second for r in others)  # type: ignore[union-attr,operator]
    assert len(others) < 3, "only the write and records of the watermark's own second come back"


async def test_invoice_lines_add_up(make_client) -> None:
    for record, invoice in await _walk(make_client(), INVOICE):
        lines = sum((line.total_amount for line in invoice.line_items), Decimal(0))
        assert lines == (invoice.total_amount if invoice.inclusive_of_tax else invoice.sub_total), record["InvoiceID"]
        assert invoice.sub_total + invoice.total_tax_amount == invoice.total_amount
        assert all(isinstance(line.total_amount, Decimal) for line in invoice.line_items)


async def test_transaction_lines_add_up(make_client) -> None:
    for _, transaction in await _walk(make_client(), TRANSACTION):
        lines = sum((Decimal(line.total_line_amount) for line in transaction.line_items), Decimal(0))
        if transaction.inclusive_of_tax:
            assert lines == Decimal(transaction.total_amount)
        else:
            assert lines <= Decimal(transaction.total_amount)


async def test_expenses_add_up_and_are_signed_by_type(make_client) -> None:
    pairs = await _walk(make_client(), EXPENSE)
    assert {record["Type"] for record, _ in pairs} == {"SPEND", "RECEIVE"}
    for record, expense in pairs:
        assert (expense.total_amount > 0) is (record["Type"] == "RECEIVE"), record["BankTransactionID"]
        assert expense.sub_total + expense.total_tax_amount == expense.total_amount
        lines = sum((line.net_amount for line in expense.lines), Decimal(0))
        assert lines == (expense.total_amount if expense.inclusive_of_tax else expense.sub_total)
    others = await _walk(make_client(), TRANSACTION)
    assert others
    assert {record["Type"] for record, _ in others} <= {"SPEND-OVERPAYMENT", "RECEIVE-PREPAYMENT"}


async def test_journal_entries_balance(make_client) -> None:
    entries = await _walk(make_client(), JOURNAL_ENTRY)
    for _, entry in entries:
        assert len(entry.lines) >= 2
        assert sum(line.net_amount for line in entry.lines) == 0
        assert all(line.account for line in entry.lines)


# --- field support against what Merge lists for Xero ----------------------------------------------------------------


MERGE_XERO_FIELDS = {
    # "Field support by platform" -> Xero -> "Supported Response Fields" in Merge's docs (the seeds in
    # ../shared/seeds/journal-entries.txt and transactions.txt), minus remote_data which the engine stores.
    "JournalEntry": {"memo", "remote_created_at", "remote_id", "transaction_date"},
    "Transaction": {"exchange_rate", "line_items", "remote_id", "total_amount", "transaction_date", "transaction_type"},
}
MERGE_XERO_EXPENSE_FIELDS = {
    # Merge's 2026 spec, GET /expenses, "supported fields by integration" -> Xero (minus remote_data)
    "account", "contact", "currency", "exchange_rate", "inclusive_of_tax", "lines", "memo", "remote_id", "sub_total",
    "total_amount", "total_tax_amount", "transaction_date",
}  # fmt: skip
MERGE_XERO_EXPENSE_LINE_FIELDS = {
    "account", "description", "item", "net_amount", "remote_id", "tax_rate", "tracking_categories",
}  # fmt: skip
MERGE_XERO_TRANSACTION_LINE_FIELDS = {
    "remote_id", "memo", "unit_price", "quantity", "item", "account", "tracking_category", "tracking_categories",
    "total_line_amount", "tax_rate", "currency", "exchange_rate", "company",
}  # fmt: skip


def _merge_lists(seed: str) -> set[str]:
    """The top-level "Supported Response Fields" Merge lists for Xero in a seed page (first Xero block)."""
    text = seed_page(seed).read_text()
    block = text.split("\nXero\n", 1)[1].split("Supported Response Fields", 1)[1]
    block = re.split(r"\n(?:Zoho Books|Hint:|GET\n)", block, maxsplit=1)[0]
    fields = set()
    for line in block.splitlines():
        found = re.match(r"^([a-z_]+)(String|Enum|Boolean|RemoteData\[\]|TransactionLineItem\[\])$", line)
        if found:
            fields.add(found.group(1))
    return fields - {"remote_data"}


@pytest.mark.parametrize(
    ("model", "seed"), [("JournalEntry", "journal-entries.txt"), ("Transaction", "transactions.txt")]
)
def test_merge_lists_match_the_seeds(model: str, seed: str) -> None:
    assert _merge_lists(seed) == MERGE_XERO_FIELDS[model]


NOT_FILLABLE = {
    # Xero's ManualJournals carry no creation time (only UpdatedDateUTC); Merge's value has no honest source here.
    "JournalEntry": {"remote_created_at"},
}


@pytest.mark.parametrize("model", sorted(MERGE_XERO_FIELDS))
def test_field_support_covers_merges_list(model: str) -> None:
    ours = set(field_support(CONNECTOR)[model])
    assert MERGE_XERO_FIELDS[model] - ours == NOT_FILLABLE.get(model, set())


def test_invoice_field_support() -> None:
    """Merge's invoice seeds have no per-platform list; these are the fields Xero's Invoice answers honestly."""
    expected: Sequence[str] = (
        "remote_id", "type", "contact", "number", "issue_date", "due_date", "paid_on_date", "memo", "currency",
        "exchange_rate", "sub_total", "status", "total_tax_amount", "total_amount", "balance", "remote_updated_at",
        "tracking_categories", "payments", "applied_payments", "line_items", "inclusive_of_tax", "remote_was_deleted",
    )  # fmt: skip
    assert set(expected) <= set(field_support(CONNECTOR)["Invoice"])


TRANSACTION_LINE_GAPS = {
    # a nested table sees only its line, and Xero keeps currency and rate on the transaction, not the line
    "currency",
    "exchange_rate",
    # the Organisation's id is the tenant id, which a mapping does not see
    "company",
    # deprecated single-valued twin of tracking_categories; Xero lines can carry two categories
    "tracking_category",
}


def test_transaction_line_fields_cover_merges_list() -> None:
    nested = TRANSACTION.fields["line_items"].nested.fields  # type: ignore[union-attr]
    assert MERGE_XERO_TRANSACTION_LINE_FIELDS - set(nested) == TRANSACTION_LINE_GAPS


def test_expense_fields_cover_merges_list() -> None:
    assert MERGE_XERO_EXPENSE_FIELDS <= set(field_support(CONNECTOR)["Expense"])
    nested = EXPENSE.fields["lines"].nested.fields  # type: ignore[union-attr]
    assert MERGE_XERO_EXPENSE_LINE_FIELDS <= set(nested)


SPEC = REFERENCE_DIR / "merge-accounting-openapi-2026-fern.yaml"


def _merge_supported_fields(path: str, integration: str) -> set[str]:
    """The fields Merge's 2026 spec lists for ``integration`` on ``GET <path>`` (a gzipped JSON widget in the
    operation's description), without the ids and remote data every model has."""
    text = SPEC.read_text()
    found = re.search(r'data="([^"]+)"', text[text.index(f"  {path}:\n") :])
    assert found is not None
    widget = json.loads(gzip.decompress(base64.b64decode(found.group(1))))
    (entry,) = [entry for entry in widget["integrations"] if entry["integrationName"] == integration]
    return set(entry["supportedFields"]) - {"remote_data", "remote_data_path", "model_uuid"}


@pytest.mark.skipif(not SPEC.is_file(), reason="Merge's 2026 spec is not on this machine")
def test_merge_expense_lists_match_its_spec() -> None:
    fields = _merge_supported_fields("/accounting/v1/expenses", "Xero")
    assert {name for name in fields if "." not in name} == MERGE_XERO_EXPENSE_FIELDS
    lines = {name.split(".", 1)[1] for name in fields if name.startswith("ExpenseLine.")}
    assert lines - {"expense"} == MERGE_XERO_EXPENSE_LINE_FIELDS
