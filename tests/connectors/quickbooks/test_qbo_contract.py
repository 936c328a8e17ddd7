"""Every mapping against a seeded sandbox: walk, map, encode; ids match the sandbox's own dump; CDC increments.

Also checks what Merge says it fills for QuickBooks Online (the "field support by platform" lists in
``/work/shared/seeds`` and in Merge's 2026 spec) against ``field_support(CONNECTOR)``, minus the gaps named here.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from qbo_connector_kit import ORIGIN, ClientFactory, call

from harness import REFERENCE_DIR
from ledgerport.connectors._base import Request, field_support
from ledgerport.connectors._base.mapping import MappingContext, ModelMap, apply
from ledgerport.connectors.quickbooks import CONNECTOR
from ledgerport.connectors.quickbooks.mapping import EXPENSE, MAPPINGS
from ledgerport.connectors.quickbooks.reports import BALANCE_SHEETS, CASH_FLOWS, JOURNAL, PROFIT_AND_LOSS
from ledgerport.connectors.quickbooks.streams import INVOICES
from ledgerport.kit import clock

CONTEXT = MappingContext(ref=lambda model, rid: f"{model}:{rid}")
REPORTS = {stream.name for stream in (BALANCE_SHEETS, PROFIT_AND_LOSS, CASH_FLOWS, JOURNAL)}
_decode = msgspec.json.Decoder(float_hook=Decimal)


async def _dump(transport: Any, entity: str) -> list[dict[str, Any]]:
    response = await call(transport, "GET", f"/_sandbox/dump/{entity}")
    return _decode.decode(response.body)[entity]


async def _walk(client: Any, mapping: ModelMap, since: Any = None) -> tuple[list[Any], list[Any]]:
    live, gone = [], []
    async for page in client.pages(mapping.stream, since):
        live += page.records
        gone += page.deleted
    return live, gone


@pytest.fixture
async def synced(make_client: ClientFactory) -> dict[str, tuple[ModelMap, list[Any], list[Any]]]:
    """Every mapping's records from one full walk, and their mapped Structs."""
    client = make_client()
    out = {}
    for mapping in MAPPINGS:
        records, _ = await _walk(client, mapping)
        out[mapping.stream.name] = (mapping, records, [apply(mapping, record, CONTEXT) for record in records])
    return out


async def test_every_mapping_walks_maps_and_matches_the_dump(synced, transport) -> None:
    for name, (mapping, records, structs) in synced.items():
        for struct in structs:
            msgspec.json.encode(struct)
            msgspec.convert(msgspec.to_builtins(struct), mapping.struct)
        remote_ids = [mapping.remote_id_of(record) for record in records]
        assert len(remote_ids) == len(set(remote_ids)), name
        assert [s.remote_id for s in structs] == remote_ids, name
        if name in REPORTS:
            assert structs, name  # reports are computed, not stored: there is no dump to compare with
            continue
        dump = await _dump(transport, name)
        alive = {mapping.remote_id_of(r) for r in dump if r.get("status") != "Deleted"}
        assert set(remote_ids) == alive, name
        assert all(not s.remote_was_deleted for s in structs if hasattr(s, "remote_was_deleted")), name


async def test_inactive_name_list_rows_come_back_archived(synced) -> None:
    _, records, structs = synced["Customer"]
    archived = [s for r, s in zip(records, structs, strict=True) if r.get("Active") is False]
    assert archived
    assert all(s.status == "ARCHIVED" for s in archived)


async def test_remote_ids_of_shared_models_never_collide(synced) -> None:
    by_model: dict[str, list[str]] = {}
    for mapping, _, structs in synced.values():
        by_model.setdefault(mapping.model, []).extend(s.remote_id for s in structs)
    for model, ids in by_model.items():
        assert len(ids) == len(set(ids)), model
    assert "1" in by_model["Invoice"]
    assert "Bill-1" in by_model["Invoice"]
    assert "1" in by_model["Contact"]
    assert "Vendor-1" in by_model["Contact"]


async def test_invoice_lines_add_up(synced) -> None:
    for name in ("Invoice", "Bill"):
        _, _, invoices = synced[name]
        for invoice in invoices:
            lines = sum((line.total_amount for line in invoice.line_items), Decimal(0))
            assert lines == invoice.sub_total, invoice.remote_id
            discount, tax = invoice.total_discount or 0, invoice.total_tax_amount or 0
            assert lines - discount + tax == invoice.total_amount, invoice.remote_id
            assert invoice.status is not None


async def test_journal_entries_sum_to_zero(synced) -> None:
    _, _, entries = synced["JournalEntry"]
    assert entries
    for entry in entries:
        assert sum(line.net_amount for line in entry.lines) == 0, entry.remote_id


async def test_refs_point_at_records_that_exist(synced, transport) -> None:
    """Every ref a document makes names a record some mapping produced (or one deleted since: the sandbox, like
    QBO, leaves a payment's link to an invoice deleted after it)."""
    known = {f"{m.model}:{s.remote_id}" for m, _, structs in synced.values() for s in structs}
    known |= {f"Invoice:{r['Id']}" for r in await _dump(transport, "Invoice") if r.get("status") == "Deleted"}
    for name in ("Invoice", "Bill", "Payment", "BillPayment"):
        for struct in synced[name][2]:
            refs = [struct.contact, *getattr(struct, "payments", [])]
            refs += [ref for line in getattr(struct, "line_items", []) for ref in (line.item, line.account) if ref]
            refs += [line.related_object_id for line in getattr(struct, "applied_to_lines", [])]
            missing = [ref for ref in refs if ref and ref not in known]
            assert not missing, (name, struct.remote_id, missing)


async def test_expenses_add_up_are_signed_and_point_at_records_that_exist(synced) -> None:
    known = {f"{m.model}:{s.remote_id}" for m, _, structs in synced.values() for s in structs}
    _, records, expenses = synced["Purchase"]
    assert expenses
    for record, expense in zip(records, expenses, strict=True):
        assert sum((line.net_amount for line in expense.lines), Decimal(0)) == expense.sub_total, expense.remote_id
        assert expense.sub_total + (expense.total_tax_amount or 0) == expense.total_amount, expense.remote_id
        assert (expense.total_amount > 0) is (record.get("Credit") is True), expense.remote_id
        refs = [expense.account, expense.contact, expense.employee, *expense.tracking_categories]
        refs += [ref for line in expense.lines for ref in (line.item, line.account, *line.tracking_categories)]
        missing = [ref for ref in refs if ref and ref not in known]
        assert not missing, (expense.remote_id, missing)
    # the sandbox seeds what QBO holds: cash, cheque and card spending, card refunds, employee payees, item lines
    assert {record["PaymentType"] for record in records} == {"Cash", "Check", "CreditCard"}
    assert any(expense.total_amount > 0 for expense in expenses)
    assert any(expense.employee for expense in expenses)
    assert any(line.item for expense in expenses for line in expense.lines)


async def test_incremental_sees_the_edit_and_the_deletion(transport, make_client: ClientFactory, realm) -> None:
    since = clock.now() - timedelta(seconds=1)
    client = make_client()
    current = {r["Id"]: r for r in await _dump(transport, "Invoice")}
    edited, removed = "7", "10"
    path = f"/v3/company/{realm}/invoice"
    auth = {"Authorization": f"Bearer {client.tokens.tokens.access_token}", "Accept": "application/json"}
    for body, params in (
        ({"Id": edited, "SyncToken": current[edited]["SyncToken"], "sparse": True, "PrivateNote": "edited"}, {}),
        ({"Id": removed, "SyncToken": current[removed]["SyncToken"]}, {"operation": "delete"}),
    ):
        response = await client.transport.send(
            msgspec.structs.replace(_request(path, body, params), headers={**auth, "Content-Type": "application/json"})
        )
        assert response.status == 200, response.body

    records, deleted = await _walk(client, next(m for m in MAPPINGS if m.stream is INVOICES), since)
    assert [r["Id"] for r in records] == [edited]
    assert [r["Id"] for r in deleted] == [removed]
    assert apply(MAPPINGS[[m.stream for m in MAPPINGS].index(INVOICES)], deleted[0], CONTEXT).remote_was_deleted

    # Past CDC's window the query is used: the edit is seen, the deletion cannot be.
    old_records, old_deleted = await _walk(
        client, next(m for m in MAPPINGS if m.stream is INVOICES), clock.now() - timedelta(days=45)
    )
    ids = {r["Id"] for r in old_records}
    assert edited in ids
    assert removed not in ids
    assert old_deleted == []


def _request(path: str, body: dict, params: dict) -> Any:
    return Request(method="POST", url=f"{ORIGIN}{path}", params=tuple(params.items()), body=msgspec.json.encode(body))


MERGE_QBO_FIELDS = {
    # /work/shared/seeds/transactions.txt, "QuickBooks Online" → Supported Response Fields
    "Transaction": {
        "account",
        "contact",
        "currency",
        "exchange_rate",
        "line_items",
        "number",
        "remote_id",
        "total_amount",
        "tracking_categories",
        "transaction_date",
        "transaction_type",
    },
    # /work/shared/seeds/journal-entries.txt, "QuickBooks Online" → Supported Response Fields
    "JournalEntry": {"currency", "memo", "remote_created_at", "remote_id", "remote_updated_at", "transaction_date"},
}
MERGE_QBO_FIELDS["Expense"] = {
    # Merge's 2026 spec, GET /expenses, "supported fields by integration" → QuickBooks Online
    "account",
    "contact",
    "currency",
    "employee",
    "exchange_rate",
    "lines",
    "memo",
    "remote_created_at",
    "remote_id",
    "total_amount",
    "tracking_categories",
    "transaction_date",
}
MERGE_QBO_EXPENSE_LINE_FIELDS = {
    "account", "contact", "description", "item", "net_amount", "project", "quantity", "remote_id",
    "tracking_categories", "unit_price",
}  # fmt: skip
GAPS = {"Transaction": {"company"}, "JournalEntry": set(), "Expense": set()}
"""Fields Merge fills for QBO that ledgerport does not (``company``: a mapping cannot name the CompanyInfo
record); ``created_at``/``modified_at``/``remote_data`` are the store's, not a mapping's."""


@pytest.mark.parametrize("model", sorted(MERGE_QBO_FIELDS))
def test_field_support_covers_merges_qbo_fields(model: str) -> None:
    supported = set(field_support(CONNECTOR)[model])
    assert MERGE_QBO_FIELDS[model] - GAPS[model] <= supported


EXPENSE_LINE_GAPS = {"project"}
"""QBO's projects are customers flagged ``IsProject``; ledgerport reads no Project records from QuickBooks yet."""


def test_expense_line_fields_cover_merges_qbo_list() -> None:
    nested = EXPENSE.fields["lines"].nested.fields  # type: ignore[union-attr]
    assert MERGE_QBO_EXPENSE_LINE_FIELDS - set(nested) == EXPENSE_LINE_GAPS


SPEC = REFERENCE_DIR / "merge-accounting-openapi-2026-fern.yaml"


def merge_supported_fields(path: str, integration: str) -> set[str]:
    """The fields Merge's 2026 spec lists for ``integration`` on ``GET <path>`` (a gzipped JSON widget in the
    operation's description), without the ids and remote data every model has."""
    text = SPEC.read_text()
    found = re.search(r'data="([^"]+)"', text[text.index(f"  {path}:\n") :])
    assert found is not None
    widget = json.loads(gzip.decompress(base64.b64decode(found.group(1))))
    (entry,) = [entry for entry in widget["integrations"] if entry["integrationName"] == integration]
    return set(entry["supportedFields"]) - {"remote_data", "remote_data_path", "model_uuid"}


@pytest.mark.skipif(not SPEC.is_file(), reason="Merge's 2026 spec is not on this machine")
def test_merge_lists_match_its_spec() -> None:
    fields = merge_supported_fields("/accounting/v1/expenses", "QuickBooks Online")
    assert {name for name in fields if "." not in name} == MERGE_QBO_FIELDS["Expense"]
    lines = {name.split(".", 1)[1] for name in fields if name.startswith("ExpenseLine.")}
    assert lines - {"expense", "remote_data", "remote_data_path", "model_uuid"} == MERGE_QBO_EXPENSE_LINE_FIELDS
