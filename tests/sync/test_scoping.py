"""Scopes and selective sync applied by the sync engine against the QuickBooks and Xero sandboxes, in process.

What is stored is read from the ``records`` table's bytes: a disabled field must be absent from every stored
document and from the provider data kept beside it, whether the scope was set before the first sync or after one.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from sqlalchemy import select

from harness import RecordingTransport, call_provider, link_for_sync
from ledgerport.api.accounting.sync_status import account_sync_statuses
from ledgerport.connectors._base import AsgiTransport, Connector
from ledgerport.store import Database
from ledgerport.store.audit import SYSTEM
from ledgerport.store.field_mappings import NewFieldMapping, add_field_mapping
from ledgerport.store.scopes import Condition, ModelScope, save_conditions, save_model_scopes
from ledgerport.store.sync_states import list_sync_states
from ledgerport.store.tables import records
from ledgerport.sync import SyncDeps, sync_account

PROVIDERS = ["quickbooks", "xero"]

_exact = msgspec.json.Decoder(float_hook=Decimal)


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    yield db
    await db.dispose()


def _provider(name: str) -> tuple[Connector, Any]:
    if name == "xero":
        from ledgerport.connectors.xero import CONNECTOR
        from ledgerport.sandboxes.xero import create_app

        return CONNECTOR, create_app(seed=3, size="small", limits=False)
    from ledgerport.connectors.quickbooks import CONNECTOR as QBO
    from ledgerport.sandboxes.quickbooks import create_app as create_qbo

    return QBO, create_qbo(seed=3, size="small", limits=False)


class Linked:
    """One linked account on a sandbox, what a sync needs, and its organization."""

    def __init__(
        self, deps: SyncDeps, account_id: uuid.UUID, organization_id: uuid.UUID, transport: RecordingTransport
    ) -> None:
        self.deps, self.account_id, self.organization_id = deps, account_id, organization_id
        self.transport = transport


async def _linked(database: Database, connector: Connector, app: Any) -> Linked:
    transport = RecordingTransport(AsgiTransport(app))
    made = await link_for_sync(database, connector, transport, f"scopes-{uuid.uuid4().hex[:6]}")
    return Linked(made.deps, made.account_id, made.organization_id, transport)


class Row(msgspec.Struct):
    remote_id: str
    document: bytes
    remote_data: bytes | None
    filter_values: Any

    @property
    def content(self) -> dict[str, Any]:
        return dict(_exact.decode(self.document))


async def _rows(database: Database, account_id: uuid.UUID, model: str) -> dict[str, Row]:
    """The stored rows of a model, as bytes (a plain SELECT)."""
    c = records.c
    async with database.read() as session:
        found = await session.execute(
            select(c.remote_id, c.document, c.remote_data, c.filter_values).where(
                c.linked_account_id == account_id, c.model == model
            )
        )
        return {row[0]: Row(row[0], bytes(row[1]), None if row[2] is None else bytes(row[2]), row[3]) for row in found}


async def _disable(database: Database, linked: Linked, models: dict[str, ModelScope]) -> None:
    async with database.write() as session:
        await save_model_scopes(
            session,
            organization_id=linked.organization_id,
            linked_account_id=linked.account_id,
            models=models,
            actor=SYSTEM,
        )


async def _usage(database: Database, account_id: uuid.UUID) -> dict[str, tuple[str, str | None]]:
    """``sync-status`` per model: its status and its ``selective_sync_configurations_usage``."""
    async with database.read() as session:
        statuses = await account_sync_statuses(session, account_id=account_id, interval_seconds=3600)
    return {status.model_name: (status.status, status.selective_sync_configurations_usage) for status in statuses}


def _assert_number_gone(rows: dict[str, Row], numbers: set[str]) -> None:
    assert rows
    for row in rows.values():
        assert row.content["number"] is None
        assert b'"number":null' in row.document
        assert row.remote_data is None, "the provider's record holds the number under its own name"
        assert row.filter_values.get("number") is None
        for number in numbers:
            assert f'"number":"{number}"'.encode() not in row.document


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_field_disabled_after_a_sync_is_gone_from_storage_after_the_resync(
    database: Database, provider: str
) -> None:
    connector, app = _provider(provider)
    linked = await _linked(database, connector, app)
    assert (await sync_account(linked.deps, linked.account_id)).failed is None
    before = await _rows(database, linked.account_id, "Invoice")
    numbers = {row.content["number"] for row in before.values() if row.content["number"]}
    assert numbers, "the sandbox's invoices have numbers"
    assert all(row.remote_data is not None for row in before.values())
    assert any(number.encode() in (row.remote_data or b"") for row in before.values() for number in numbers)

    await _disable(database, linked, {"Invoice": ModelScope(disabled_fields=("number",))})
    _assert_number_gone(await _rows(database, linked.account_id, "Invoice"), numbers)  # rewritten at once

    report = await sync_account(linked.deps, linked.account_id)
    assert report.failed is None
    assert report.fetched["Invoice"] >= len(before), "changing the scopes makes the next sync read everything"
    after = await _rows(database, linked.account_id, "Invoice")
    assert set(after) == set(before)
    _assert_number_gone(after, numbers)
    assert all(row.content["total_amount"] is not None for row in after.values())
    contacts = await _rows(database, linked.account_id, "Contact")
    assert contacts
    assert all(row.remote_data is not None for row in contacts.values()), "other models keep their provider data"

    # enabled again: the next sync fills the field and the provider data back in
    await _disable(database, linked, {})
    assert (await sync_account(linked.deps, linked.account_id)).failed is None
    again = await _rows(database, linked.account_id, "Invoice")
    assert {row.content["number"] for row in again.values() if row.content["number"]} == numbers
    assert all(row.remote_data is not None for row in again.values())

    # a model whose READ is disabled shows Merge's DISABLED in sync-status, and is no longer read
    assert (await _usage(database, linked.account_id))["Contact"] == ("DONE", None)
    await _disable(database, linked, {"Contact": ModelScope(read=False)})
    assert (await _usage(database, linked.account_id))["Contact"] == ("DISABLED", None)
    skipped = await sync_account(linked.deps, linked.account_id)
    assert "Contact" not in skipped.fetched
    assert (await _usage(database, linked.account_id))["Contact"] == ("DISABLED", None)


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_scopes_set_before_the_first_sync_are_applied_by_the_sync(database: Database, provider: str) -> None:
    """Nothing stored yet: what is stored is what the engine wrote under the scopes."""
    connector, app = _provider(provider)
    reference = await _linked(database, connector, app)
    assert (await sync_account(reference.deps, reference.account_id)).failed is None
    truth = await _rows(database, reference.account_id, "Invoice")
    numbers = {row.content["number"] for row in truth.values() if row.content["number"]}

    linked = await _linked(database, connector, app)
    await _disable(
        database,
        linked,
        {"Invoice": ModelScope(disabled_fields=("number",)), "Contact": ModelScope(read=False)},
    )
    report = await sync_account(linked.deps, linked.account_id)
    assert report.failed is None
    assert "Contact" not in report.fetched
    assert await _rows(database, linked.account_id, "Contact") == {}
    async with database.read() as session:
        states = await list_sync_states(session, linked_account_id=linked.account_id)
    assert "Contact" not in {state.model for state in states}
    assert "Invoice" in {state.model for state in states}
    stored = await _rows(database, linked.account_id, "Invoice")
    assert set(stored) == set(truth)
    _assert_number_gone(stored, numbers)


async def _redate(linked: Linked, provider: str, remote_id: str, day: str) -> None:
    """Moves an invoice's date through the provider's own API."""
    if provider == "quickbooks":
        from ledgerport.connectors.quickbooks.client import MINOR_VERSION, company_url

        def entity(name: str) -> Callable[[Any], str]:
            return lambda context: company_url(context.base_url, context.account, name)

        found = await call_provider(
            linked.deps,
            linked.account_id,
            "GET",
            entity(f"invoice/{remote_id}"),
            params=(("minorversion", MINOR_VERSION),),
        )
        invoice = found["Invoice"]
        body = {"Id": invoice["Id"], "SyncToken": invoice["SyncToken"], "sparse": True, "TxnDate": day}
        await call_provider(linked.deps, linked.account_id, "POST", entity("invoice"), body)
        return
    body = {"Invoices": [{"InvoiceID": remote_id, "Date": day}]}
    where = lambda context: f"{context.base_url.rstrip('/')}/api.xro/2.0/Invoices"  # noqa: E731
    await call_provider(linked.deps, linked.account_id, "POST", where, body)


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_selective_sync_condition_limits_what_is_stored(database: Database, provider: str) -> None:
    connector, app = _provider(provider)
    linked = await _linked(database, connector, app)
    assert (await sync_account(linked.deps, linked.account_id)).failed is None
    everything = {remote: row.content for remote, row in (await _rows(database, linked.account_id, "Invoice")).items()}
    dates = sorted(content["issue_date"] for content in everything.values() if content["issue_date"])
    cut = dates[len(dates) // 2][:10]
    wanted = {remote for remote, content in everything.items() if (content["issue_date"] or "")[:10] > cut}
    assert 0 < len(wanted) < len(everything)

    (offered,) = [c for c in connector.selective_sync if c.common_model == "Invoice"]
    condition = Condition(
        id=str(uuid.uuid4()),
        schema_id="invoice-issue-date",
        common_model="Invoice",
        field_name=offered.field_name,
        native_name=offered.native_name,
        condition_type=offered.condition_type,
        operator="GREATER_THAN",
        value=cut,
    )
    async with database.write() as session:
        await save_conditions(session, linked_account_id=linked.account_id, conditions=[condition])
    assert set(await _rows(database, linked.account_id, "Invoice")) == wanted  # the others are deleted at once
    assert (await _usage(database, linked.account_id))["Invoice"] == ("DONE", "IN_NEXT_SYNC")

    report = await sync_account(linked.deps, linked.account_id)
    assert report.failed is None
    assert report.fetched["Invoice"] == len(wanted), "only what meets the condition is stored"
    stored = await _rows(database, linked.account_id, "Invoice")
    assert set(stored) == wanted
    assert not any(row.content["remote_was_deleted"] for row in stored.values())
    usage = await _usage(database, linked.account_id)
    assert usage["Invoice"] == ("DONE", "IN_LAST_SYNC")
    assert usage["Contact"] == ("DONE", None)

    # an invoice re-dated at the provider to before the cut no longer meets the condition: the next sync removes it
    moved = sorted(wanted)[0]
    await _redate(linked, provider, moved, dates[0][:10])
    assert (await sync_account(linked.deps, linked.account_id)).failed is None
    assert set(await _rows(database, linked.account_id, "Invoice")) == wanted - {moved}

    # a fresh account with the condition set before its first sync stores the same invoices, and asks the provider
    # only for those (a day wider: the sync keeps exactly what meets the condition)
    wanted -= {moved}
    fresh = await _linked(database, connector, app)
    async with database.write() as session:
        await save_conditions(session, linked_account_id=fresh.account_id, conditions=[condition])
    assert (await sync_account(fresh.deps, fresh.account_id)).failed is None
    assert {row.remote_id for row in (await _rows(database, fresh.account_id, "Invoice")).values()} == wanted
    day_before = (date.fromisoformat(cut) - timedelta(days=1)).isoformat()
    if provider == "quickbooks":
        assert fresh.transport.asked(f"TxnDate >= '{day_before}'") >= 2  # the invoices' and the bills' queries
    else:
        y, m, d = day_before.split("-")
        assert fresh.transport.asked(f"Date >= DateTime({y}, {m}, {d})") >= 1


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_scopes_changed_during_a_sync_rule_the_pages_stored_after_the_change(
    database: Database, provider: str
) -> None:
    """The change commits (and rewrites what is stored) while the run goes on under the scopes it began with; the
    pages stored after it follow the new scopes, and the run keeps no watermark for them."""
    connector, app = _provider(provider)
    reference = await _linked(database, connector, app)
    assert (await sync_account(reference.deps, reference.account_id)).failed is None
    truth = await _rows(database, reference.account_id, "Invoice")
    numbers = {row.content["number"] for row in truth.values() if row.content["number"]}

    linked = await _linked(database, connector, app)
    changed: list[bool] = []

    async def change_scopes_once() -> None:
        if not changed:  # after the first stored page: the invoices come later (they refer to earlier models)
            changed.append(True)
            await _disable(database, linked, {"Invoice": ModelScope(disabled_fields=("number",))})

    report = await sync_account(linked.deps, linked.account_id, checkpoint=change_scopes_once)
    assert report.failed is None
    assert changed
    stored = await _rows(database, linked.account_id, "Invoice")
    assert set(stored) == set(truth)
    _assert_number_gone(stored, numbers)
    async with database.read() as session:
        states = {state.model: state for state in await list_sync_states(session, linked_account_id=linked.account_id)}
    assert states["Invoice"].watermark is None, "the next run must read the invoices again under the new scopes"
    again = await sync_account(linked.deps, linked.account_id)
    assert again.fetched["Invoice"] >= len(truth)
    _assert_number_gone(await _rows(database, linked.account_id, "Invoice"), numbers)


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_field_mapping_cannot_store_what_a_scope_disables(database: Database, provider: str) -> None:
    """A mapping of the provider's invoice number maps ``null`` while the common ``number`` is disabled: a
    disabled field is never stored, under its own name or another."""
    connector, app = _provider(provider)
    linked = await _linked(database, connector, app)
    (invoices,) = [m for m in connector.mappings if m.model == "Invoice"][:1]
    source = invoices.fields["number"].path  # type: ignore[union-attr]
    endpoint = "/query" if provider == "quickbooks" else "/Invoices"
    mapping = NewFieldMapping(
        model="Invoice",
        target_field_name="their_number",
        target_field_description="the number, mapped",
        remote_field_traversal_path=source.split("."),
        remote_method="GET",
        remote_url_path=endpoint,
    )
    async with database.write() as session:
        await add_field_mapping(
            session, organization_id=linked.organization_id, linked_account_id=linked.account_id, mapping=mapping
        )
    assert (await sync_account(linked.deps, linked.account_id)).failed is None

    def mapped(rows: dict[str, Row]) -> dict[str, Any]:
        return {
            remote: row.content["field_mappings"]["linked_account_defined_targets"]["their_number"]
            for remote, row in rows.items()
        }

    numbers = {row.content["number"] for row in (await _rows(database, linked.account_id, "Invoice")).values()}
    found = mapped(await _rows(database, linked.account_id, "Invoice"))
    assert {value for value in found.values() if value} & numbers, "the mapping reads the number"

    await _disable(database, linked, {"Invoice": ModelScope(disabled_fields=("number",))})
    assert (await sync_account(linked.deps, linked.account_id)).failed is None
    rows = await _rows(database, linked.account_id, "Invoice")
    assert set(mapped(rows).values()) == {None}
    for number in numbers - {None}:
        assert not any(f'"{number}"'.encode() in row.document for row in rows.values())
