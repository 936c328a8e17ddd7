"""The webhook events a sync writes, against the Xero sandbox: a first sync says each model is synced and the run
completed, without one event per record; the next sync reports what changed and what was removed, with the
documents the API now serves."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
import pytest
from sqlalchemy import select
from test_engine import _linked, _provider, _stored, _xero_call

from ledgerport.models.events import model_event
from ledgerport.store import Database, accounts
from ledgerport.store import webhooks as rows
from ledgerport.store.tables import webhook_events
from ledgerport.sync import sync_account


async def _events(database: Database, account_id: uuid.UUID, after: int = 0) -> list[tuple[int, str, Any]]:
    c = webhook_events.c
    async with database.read() as session:
        found = await session.execute(
            select(c.seq, c.event, c.data).where(c.linked_account_id == account_id, c.seq > after).order_by(c.seq)
        )
        return [(row[0], row[1], msgspec.json.decode(row[2])) for row in found]


async def _subscribe(database: Database, account_id: uuid.UUID, events: list[str]) -> None:
    async with database.write() as session:
        account = await accounts.find_linked_account_by_id(session, account_id=account_id)
        assert account is not None
        await rows.create_endpoint(
            session,
            organization_id=account.organization_id,
            url="https://93.184.216.34/hooks",
            events=events,
            signing_key=b"sealed",
        )


@pytest.fixture
async def database(database_url: str) -> Any:
    db = Database(database_url)
    yield db
    await db.dispose()


async def test_a_first_sync_reports_models_synced_then_changes_follow(database: Database) -> None:
    connector, app, _model, _collection = _provider("xero")
    deps, account_id = await _linked(database, connector, app, f"sync-events-{uuid.uuid4().hex[:6]}")
    await _subscribe(database, account_id, ["*"])

    assert (await sync_account(deps, account_id)).failed is None
    first = await _events(database, account_id)
    names = [name for _, name, _ in first]
    synced_models = {m.model for m in connector.mappings}
    assert sorted(name for name in names if name.endswith(".synced")) == sorted(
        model_event(model, "synced") for model in synced_models
    )
    assert names[-1] == "LinkedAccount.sync_completed"
    assert names.count("LinkedAccount.sync_completed") == 1
    assert not [name for name in names if name.rsplit(".", 1)[1] in ("added", "changed", "removed")]
    completed = first[-1][2]
    assert completed["is_initial_sync"] is True
    assert set(completed["sync_status"]) == {f"accounting.{model}" for model in synced_models}
    invoices = next(data for _, name, data in first if name == "Invoice.synced")
    assert invoices["sync_status"]["status"] == "DONE"
    assert invoices["sync_status"]["is_initial_sync"] is True
    assert "total_amount" in invoices["synced_fields"]
    assert invoices["integration_id"] == "xero"

    items = await _stored(database, account_id, "Item")
    gone = sorted(items)[0]
    contacts = await _stored(database, account_id, "Contact")
    tenant = next(
        t for t in app.tenants if gone in {r["ItemID"] for r in app.tenants[t].collections["Items"].all_records()}
    )
    assert await _xero_call(app, "DELETE", f"Items/{gone}", tenant) == 204
    renamed = next(
        r["ContactID"] for r in app.tenants[tenant].collections["Contacts"].all_records() if r["ContactID"] in contacts
    )
    new_name = f"Renamed {uuid.uuid4().hex[:6]}"
    assert (
        await _xero_call(app, "POST", "Contacts", tenant, {"Contacts": [{"ContactID": renamed, "Name": new_name}]})
        == 200
    )

    mark = first[-1][0]
    assert (await sync_account(deps, account_id)).failed is None
    second = await _events(database, account_id, after=mark)
    changes = [(name, data) for _, name, data in second if not name.endswith((".synced", ".sync_completed"))]
    removed = [data for name, data in changes if name == "Item.removed"]
    assert [data["remote_id"] for data in removed] == [gone]
    assert removed[0]["remote_was_deleted"] is True
    assert removed[0]["id"] == items[gone]["id"]
    changed = [data for name, data in changes if name == "Contact.changed"]
    assert [data["remote_id"] for data in changed] == [renamed]
    stored_now = await _stored(database, account_id, "Contact")
    assert changed[0]["name"] == new_name
    assert {k: changed[0][k] for k in ("id", "name", "modified_at")} == {
        k: stored_now[renamed][k] for k in ("id", "name", "modified_at")
    }, "the event carries the document the API now serves"
    assert second[-1][1] == "LinkedAccount.sync_completed"
    assert second[-1][2]["is_initial_sync"] is False


async def test_nothing_is_written_for_events_nobody_subscribes_to(database: Database) -> None:
    connector, app, _model, _collection = _provider("xero")
    deps, account_id = await _linked(database, connector, app, f"sync-quiet-{uuid.uuid4().hex[:6]}")
    await _subscribe(database, account_id, ["Invoice.synced"])
    assert (await sync_account(deps, account_id)).failed is None
    assert [name for _, name, _ in await _events(database, account_id)] == ["Invoice.synced"]
