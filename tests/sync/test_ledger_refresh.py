"""Keeping the ledger and the statements fresh at the cost of what changed (``Stream.follows``, ``Stream.derived``).

QuickBooks: after a full sync, an incremental one reads the journal report only for the documents it saw change,
and what it stores equals what a full read of the same company stores. Xero: the cash-flow statements are built
from the stored journals, with no request, and only when those changed.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from sqlalchemy import select

from harness import RecordingTransport, call_provider, link_for_sync
from ledgerport.connectors._base import AsgiTransport, Connector, Transport
from ledgerport.connectors._base.streams import StreamContext
from ledgerport.connectors.quickbooks.client import MINOR_VERSION, company_url
from ledgerport.store import Database
from ledgerport.store.tables import records
from ledgerport.sync import SyncDeps, sync_account

GL = "GeneralLedgerTransaction"


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    yield db
    await db.dispose()


async def _linked(
    database: Database, connector: Connector, transport: Transport, name: str
) -> tuple[SyncDeps, uuid.UUID]:
    linked = await link_for_sync(database, connector, transport, name)
    return linked.deps, linked.account_id


_exact = msgspec.json.Decoder(float_hook=Decimal)


async def _stored(database: Database, account_id: uuid.UUID, model: str) -> dict[str, dict[str, Any]]:
    async with database.read() as session:
        rows = await session.execute(
            select(records.c.remote_id, records.c.document, records.c.remote_was_deleted).where(
                records.c.linked_account_id == account_id, records.c.model == model
            )
        )
        return {row[0]: {**_exact.decode(row[1]), "_deleted": row[2]} for row in rows}


def _figures(documents: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What a ledger transaction says, without what differs between two linked accounts (record ids, times)."""
    return {
        remote_id: (
            doc["posting_date"],
            doc["underlying_transaction_remote_id"],
            [
                (line["remote_id"], line["debit_amount"], line["credit_amount"], line["description"])
                for line in doc["general_ledger_transaction_lines"]
            ],
        )
        for remote_id, doc in documents.items()
        if not doc["_deleted"]
    }


async def _qbo(deps: SyncDeps, account_id: uuid.UUID, entity: str, body: dict[str, Any], **params: str) -> Any:
    def where(context: StreamContext) -> str:
        return company_url(context.base_url, context.account, entity)

    method = "POST" if body else "GET"
    return await call_provider(
        deps, account_id, method, where, body or None, (*params.items(), ("minorversion", MINOR_VERSION))
    )


async def _xero(deps: SyncDeps, account_id: uuid.UUID, method: str, path: str, body: Any = None) -> Any:
    return await call_provider(
        deps, account_id, method, lambda context: f"{context.base_url.rstrip('/')}/api.xro/2.0/{path}", body
    )


def _adds_up(doc: dict[str, Any]) -> bool:
    parts = ("operating_activities", "investing_activities", "financing_activities")
    moved = sum((Decimal(str(item["value"])) for part in parts for item in doc[part]), Decimal(0))
    return Decimal(str(doc["cash_at_end_of_period"])) - Decimal(str(doc["cash_at_beginning_of_period"])) == moved


async def test_quickbooks_reads_the_journal_only_for_the_documents_that_changed(database: Database) -> None:
    from ledgerport.connectors.quickbooks import CONNECTOR
    from ledgerport.sandboxes.quickbooks import create_app

    transport = RecordingTransport(AsgiTransport(create_app(seed=5, size="small", limits=False)))
    deps, account_id = await _linked(database, CONNECTOR, transport, "ledger-follows")
    first = await sync_account(deps, account_id)
    assert first.failed is None
    assert first.fetched[GL] > 10
    assert transport.asked("reports/JournalReport") == 1
    full = await _stored(database, account_id, GL)

    quiet = await sync_account(deps, account_id)
    assert quiet.failed is None
    assert transport.asked("reports/JournalReport") == 1, "nothing posted, yet the journal was read again"
    assert quiet.fetched.get(GL, 0) == 0

    invoices = await _qbo(deps, account_id, "query", {}, query="SELECT * FROM Invoice STARTPOSITION 1 MAXRESULTS 50")
    posted = [i for i in invoices["QueryResponse"]["Invoice"] if f"Invoice-{i['Id']}" in full]
    edited, removed = posted[0], posted[1]
    lines = [dict(line) for line in edited["Line"] if line.get("DetailType") == "SalesItemLineDetail"]
    lines[0]["Amount"] = float(Decimal(str(lines[0]["Amount"])) + 7)
    lines[0]["SalesItemLineDetail"] = {**lines[0]["SalesItemLineDetail"], "UnitPrice": None, "Qty": None}
    update = {"Id": edited["Id"], "SyncToken": edited["SyncToken"], "sparse": True, "Line": lines}
    await _qbo(deps, account_id, "invoice", update)
    await _qbo(
        deps, account_id, "invoice", {"Id": removed["Id"], "SyncToken": removed["SyncToken"]}, operation="delete"
    )

    changed = await sync_account(deps, account_id)
    assert changed.failed is None
    assert transport.asked("reports/JournalReport") == 2
    assert changed.fetched.get(GL, 0) == 1, "the journal's other documents were stored again"
    after = await _stored(database, account_id, GL)
    assert after[f"Invoice-{removed['Id']}"]["_deleted"] is True
    untouched = set(full) - {f"Invoice-{edited['Id']}", f"Invoice-{removed['Id']}"}
    assert {k: after[k]["modified_at"] for k in untouched} == {k: full[k]["modified_at"] for k in untouched}
    assert _figures({f"Invoice-{edited['Id']}": after[f"Invoice-{edited['Id']}"]}) != _figures(
        {f"Invoice-{edited['Id']}": full[f"Invoice-{edited['Id']}"]}
    )

    # What the incremental runs kept equals what a full read of the same company gives now.
    fresh_deps, fresh_id = await _linked(database, CONNECTOR, transport, "ledger-follows-fresh")
    assert (await sync_account(fresh_deps, fresh_id)).failed is None
    assert _figures(after) == _figures(await _stored(database, fresh_id, GL))


async def test_a_sync_without_the_documents_reads_the_whole_journal(database: Database) -> None:
    """A run that does not walk the posting documents cannot know what changed: the journal is read whole."""
    from ledgerport.connectors.quickbooks import CONNECTOR
    from ledgerport.sandboxes.quickbooks import create_app

    transport = RecordingTransport(AsgiTransport(create_app(seed=6, size="small", limits=False)))
    deps, account_id = await _linked(database, CONNECTOR, transport, "ledger-alone")
    assert (await sync_account(deps, account_id)).failed is None
    alone = await sync_account(deps, account_id, models=[GL])
    assert transport.asked("reports/JournalReport") == 2
    assert alone.fetched[GL] == len(await _stored(database, account_id, GL))
    # ...and the next full run, whose document walks start where that one left them, follows them again
    assert (await sync_account(deps, account_id)).fetched.get(GL, 0) == 0
    assert transport.asked("reports/JournalReport") == 2


async def test_xero_cash_flows_are_built_from_the_stored_journals(database: Database) -> None:
    from ledgerport.connectors.xero import CONNECTOR
    from ledgerport.sandboxes.xero import create_app

    transport = RecordingTransport(AsgiTransport(create_app(seed=3, size="small", limits=False)))
    deps, account_id = await _linked(database, CONNECTOR, transport, "cash-flow-derived")
    first = await sync_account(deps, account_id)
    assert first.failed is None
    journals_read = transport.asked("/Journals")
    assert journals_read <= first.fetched[GL] // 100 + 1, "the journals were read more than once"
    flows = await _stored(database, account_id, "CashFlowStatement")
    assert len(flows) == 12
    assert all(_adds_up(doc) for doc in flows.values())

    quiet = await sync_account(deps, account_id)
    assert quiet.fetched.get("CashFlowStatement", 0) == 0, "rebuilt with no new journal"
    assert transport.asked("/Journals") == journals_read + 1  # the ledger's one look for new journals

    accounts_found = (await _xero(deps, account_id, "GET", "Accounts"))["Accounts"]
    bank = next(a for a in accounts_found if a["Type"] == "BANK")
    expense = next(a for a in accounts_found if a["Type"] == "EXPENSE" and a.get("Code"))
    contact = (await _xero(deps, account_id, "GET", "Contacts"))["Contacts"][0]
    spent = {
        "Type": "SPEND",
        "Contact": {"ContactID": contact["ContactID"]},
        "BankAccount": {"AccountID": bank["AccountID"]},
        "LineAmountTypes": "NoTax",
        "LineItems": [{"Description": "Cab", "Quantity": 1, "UnitAmount": 123.45, "AccountCode": expense["Code"]}],
    }
    await _xero(deps, account_id, "PUT", "BankTransactions", {"BankTransactions": [spent]})
    moved = await sync_account(deps, account_id)
    assert moved.failed is None
    assert moved.fetched.get(GL, 0) >= 1
    assert moved.fetched["CashFlowStatement"] == 12
    after = await _stored(database, account_id, "CashFlowStatement")
    (latest,) = [k for k in after if k == max(after)]
    assert all(_adds_up(doc) for doc in after.values())
    paid = [item for item in after[latest]["operating_activities"] if item["remote_id"] == expense["AccountID"]]
    before = [item for item in flows[latest]["operating_activities"] if item["remote_id"] == expense["AccountID"]]
    spent_before = Decimal(str(before[0]["value"])) if before else Decimal(0)
    assert Decimal(str(paid[0]["value"])) == spent_before - Decimal("123.45")
    assert Decimal(str(after[latest]["cash_at_end_of_period"])) == Decimal(
        str(flows[latest]["cash_at_end_of_period"])
    ) - Decimal("123.45")
