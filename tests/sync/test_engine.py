"""The sync engine end to end against each provider's sandbox, in process: link, full sync, incremental sync.

The store must hold exactly the sandbox's records after a full sync; edits and deletions made through the
provider's API must show after the next incremental sync, which must ask for little.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from sqlalchemy import select

from harness import link_for_sync
from ledgerport.connectors._base import (
    AsgiTransport,
    Connector,
    ConnectorError,
    FunctionTransport,
    Request,
    Response,
    Transport,
)
from ledgerport.connectors._base.paging import PageNumber
from ledgerport.store import Database
from ledgerport.store.sync_states import list_sync_states
from ledgerport.store.tables import records
from ledgerport.sync import SyncDeps, sync_account

SANDBOX = "http://sandbox.test"


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    yield db
    await db.dispose()


def _provider(name: str) -> tuple[Connector, Any, str, str]:
    """The connector, a small seeded sandbox app, the stream to compare and the sandbox dump path."""
    if name == "xero":
        from ledgerport.connectors.xero import CONNECTOR
        from ledgerport.sandboxes.xero import create_app

        return CONNECTOR, create_app(seed=3, size="small", limits=False), "Invoice", "Invoices"
    from ledgerport.connectors.quickbooks import CONNECTOR as QBO
    from ledgerport.sandboxes.quickbooks import create_app as create_qbo

    return QBO, create_qbo(seed=3, size="small", limits=False), "Invoice", "Invoice"


async def _linked(
    database: Database, connector: Connector, app: Any, name: str, transport: Transport | None = None
) -> tuple[SyncDeps, uuid.UUID]:
    """A linked account on the sandbox ``app`` (reached through ``transport`` when given) and what a sync needs."""
    linked = await link_for_sync(database, connector, transport or AsgiTransport(app), name)
    return linked.deps, linked.account_id


async def _stored(database: Database, account_id: uuid.UUID, model: str) -> dict[str, dict[str, Any]]:
    async with database.read() as session:
        rows = await session.execute(
            select(records.c.remote_id, records.c.document, records.c.remote_was_deleted).where(
                records.c.linked_account_id == account_id, records.c.model == model
            )
        )
        return {row[0]: {**_exact.decode(row[1]), "_deleted": row[2]} for row in rows}


_exact = msgspec.json.Decoder(float_hook=Decimal)


@pytest.mark.parametrize("provider", ["xero", "quickbooks"])
async def test_link_full_and_incremental_sync(database: Database, provider: str) -> None:
    connector, app, model, _collection = _provider(provider)
    deps, account_id = await _linked(database, connector, app, f"sync-{provider}")
    first = await sync_account(deps, account_id)
    assert first.failed is None
    stored = await _stored(database, account_id, model)
    assert stored, "the full sync stored no invoices"
    assert first.fetched[model] == len(stored)

    second = await sync_account(deps, account_id)
    # Providers compare change times to the second, so the watermark's own second may come back once more.
    assert second.fetched.get(model, 0) <= 2, "an incremental sync re-read the invoices"
    assert second.requests <= len(connector.mappings) + 2
    after = await _stored(database, account_id, model)
    assert {k: v["modified_at"] for k, v in after.items()} == {k: v["modified_at"] for k, v in stored.items()}

    # one linked account is one company: every record and line names its CompanyInfo record
    (company,) = [doc["id"] for doc in (await _stored(database, account_id, "CompanyInfo")).values()]
    for name in ("Invoice", "Contact", "Account", "JournalEntry"):
        documents = (await _stored(database, account_id, name)).values()
        assert documents, name
        assert {doc["company"] for doc in documents} == {company}, name
    assert {line["company"] for doc in after.values() for line in doc["line_items"]} == {company}


def _spending(app: Any, provider: str, stored: set[str]) -> dict[str, tuple[dict[str, Any], bool]]:
    """The linked company's purchases (QBO) or Spend and Receive Money (Xero), by remote id: (record, deleted)."""
    if provider == "quickbooks":
        company = next(iter(app.companies.values()))  # the seeded company is the one a sandbox link picks
        return {f"Purchase-{r['Id']}": (r, r.get("status") == "Deleted") for r in company.table("Purchase").dump()}
    tenant = next(
        t
        for t in app.tenants.values()
        if stored <= {r["BankTransactionID"] for r in t.collections["BankTransactions"].all_records()}
    )
    return {
        r["BankTransactionID"]: (r, r["Status"] in {"DELETED", "VOIDED"})
        for r in tenant.collections["BankTransactions"].all_records()
        if r["Type"] in {"SPEND", "RECEIVE"}
    }


@pytest.mark.parametrize("provider", ["xero", "quickbooks"])
async def test_expenses_arrive_from_both_sandboxes_signed_as_merge_signs_them(
    database: Database, provider: str
) -> None:
    """QBO's Purchases and Xero's Spend and Receive Money are stored as Expenses (never also as Transactions):
    purchases negative, refunds positive, lines adding up, every reference naming a stored record."""
    connector, app, _model, _collection = _provider(provider)
    deps, account_id = await _linked(database, connector, app, f"sync-{provider}-expenses")
    report = await sync_account(deps, account_id)
    assert report.failed is None
    expenses = await _stored(database, account_id, "Expense")
    truth = _spending(app, provider, set(expenses))
    live = {remote_id for remote_id, doc in expenses.items() if not doc["_deleted"]}
    assert live == {remote_id for remote_id, (_, gone) in truth.items() if not gone}
    assert report.fetched["Expense"] == len(expenses)
    assert not set(await _stored(database, account_id, "Transaction")) & set(truth)

    (company,) = [doc["id"] for doc in (await _stored(database, account_id, "CompanyInfo")).values()]
    accounts = {doc["id"] for doc in (await _stored(database, account_id, "Account")).values()}
    refunds = 0
    for remote_id in live:
        record, doc = truth[remote_id][0], expenses[remote_id]
        refund = record.get("Credit") is True if provider == "quickbooks" else record["Type"] == "RECEIVE"
        total = record["TotalAmt" if provider == "quickbooks" else "Total"]
        assert doc["total_amount"] == (total if refund else -total), remote_id
        lines = sum((line["net_amount"] for line in doc["lines"]), Decimal(0))
        assert lines == (doc["total_amount"] if doc["inclusive_of_tax"] else doc["sub_total"]), remote_id
        assert doc["sub_total"] + (doc["total_tax_amount"] or 0) == doc["total_amount"], remote_id
        assert doc["company"] == company
        assert {line["company"] for line in doc["lines"]} <= {company}
        assert doc["account"] in accounts
        refunds += refund
    assert 0 < refunds < len(live), "the sandbox seeds both purchases and refunds"


async def test_an_item_xero_deletes_outright_is_marked_deleted_by_the_next_sync(database: Database) -> None:
    """Xero leaves no trace of a deleted item; the next sync's whole listing of Items shows it gone."""
    connector, app, _model, _collection = _provider("xero")
    deps, account_id = await _linked(database, connector, app, "sync-xero-items")
    assert (await sync_account(deps, account_id)).failed is None
    items = await _stored(database, account_id, "Item")
    assert len(items) >= 2
    assert not any(item["_deleted"] for item in items.values())
    gone = sorted(items)[0]
    tenant = next(
        t for t in app.tenants if gone in {r["ItemID"] for r in app.tenants[t].collections["Items"].all_records()}
    )
    assert await _xero_call(app, "DELETE", f"Items/{gone}", tenant) == 204

    report = await sync_account(deps, account_id)
    assert report.deleted.get("Item") == 1
    after = await _stored(database, account_id, "Item")
    assert {remote_id for remote_id, item in after.items() if item["_deleted"]} == {gone}
    assert after[gone]["remote_was_deleted"] is True
    assert {k: v["modified_at"] for k, v in after.items() if k != gone} == {
        k: v["modified_at"] for k, v in items.items() if k != gone
    }, "items still listed were rewritten"

    again = await sync_account(deps, account_id)
    assert again.deleted.get("Item", 0) == 0, "a deletion is reported once"


async def test_xero_tracking_options_are_categories_under_their_category(database: Database) -> None:
    """Each option is a TrackingCategory whose parent is its category; document lines point at stored options."""
    connector, app, _model, _collection = _provider("xero")
    deps, account_id = await _linked(database, connector, app, "sync-xero-tracking")
    assert (await sync_account(deps, account_id)).failed is None

    stored = await _stored(database, account_id, "TrackingCategory")
    by_remote = {remote_id: doc for remote_id, doc in stored.items()}
    categories = next(
        records
        for tenant in app.tenants.values()
        if {(records := list(tenant.collections["TrackingCategories"].all_records()))[0]["TrackingCategoryID"]}
        <= set(by_remote)
    )
    expected = {c["TrackingCategoryID"] for c in categories} | {
        o["TrackingOptionID"] for c in categories for o in c["Options"]
    }
    assert set(by_remote) == expected
    for category in categories:
        assert by_remote[category["TrackingCategoryID"]]["parent_category"] is None
        for option in category["Options"]:
            assert (
                by_remote[option["TrackingOptionID"]]["parent_category"]
                == by_remote[category["TrackingCategoryID"]]["id"]
            )
            assert by_remote[option["TrackingOptionID"]]["name"] == option["Name"]

    ids = {doc["id"] for doc in stored.values()}
    options = {doc["id"] for doc in stored.values() if doc["parent_category"] is not None}
    tagged = [
        tag
        for invoice in (await _stored(database, account_id, "Invoice")).values()
        for line in invoice["line_items"]
        for tag in line["tracking_categories"]
    ]
    assert tagged, "the seeded invoices carry tracking"
    assert set(tagged) <= options <= ids


async def _xero_call(app: Any, method: str, path: str, tenant_id: str, body: dict[str, Any] | None = None) -> int:
    transport = AsgiTransport(app)
    minted = await transport.send(Request(method="POST", url=f"{SANDBOX}/_sandbox/tokens", body=b"{}"))
    token = msgspec.json.decode(minted.body)["access_token"]
    headers = {"Authorization": f"Bearer {token}", "xero-tenant-id": tenant_id}
    if body is not None:
        headers["Content-Type"] = "application/json"
    response = await transport.send(
        Request(
            method=method,
            url=f"{SANDBOX}/api.xro/2.0/{path}",
            headers=headers,
            body=b"" if body is None else msgspec.json.encode(body),
        )
    )
    return response.status


async def test_deleted_xero_tracking_options_and_categories_are_marked_deleted(database: Database) -> None:
    """Xero drops a deleted option or category from its listing; the next sync marks exactly those deleted."""
    connector, app, _model, _collection = _provider("xero")
    deps, account_id = await _linked(database, connector, app, "sync-xero-tracking-deletes")
    assert (await sync_account(deps, account_id)).failed is None
    before = await _stored(database, account_id, "TrackingCategory")
    tenant_id, category = next(
        (tenant_id, record)
        for tenant_id, tenant in app.tenants.items()
        for record in tenant.collections["TrackingCategories"].all_records()
        if record["TrackingCategoryID"] in before
    )
    first, *rest = [option["TrackingOptionID"] for option in category["Options"]]
    assert rest, "the seeded category has several options"

    path = f"TrackingCategories/{category['TrackingCategoryID']}"
    assert await _xero_call(app, "DELETE", f"{path}/Options/{first}", tenant_id) == 200
    report = await sync_account(deps, account_id)
    assert report.deleted.get("TrackingCategory") == 1
    after = await _stored(database, account_id, "TrackingCategory")
    assert {remote_id for remote_id, doc in after.items() if doc["_deleted"]} == {first}

    assert await _xero_call(app, "DELETE", path, tenant_id) == 200
    report = await sync_account(deps, account_id)
    assert report.deleted.get("TrackingCategory") == 1 + len(rest), "the category and its remaining options"
    after = await _stored(database, account_id, "TrackingCategory")
    assert {remote_id for remote_id, doc in after.items() if doc["_deleted"]} == {
        first,
        category["TrackingCategoryID"],
        *rest,
    }
    assert (await sync_account(deps, account_id)).deleted.get("TrackingCategory", 0) == 0


# --- resuming, clock skew and failures, against the Xero sandbox with small pages -------------------------------------


def _paged_by(connector: Connector, model: str, size: int) -> Connector:
    """``connector`` with ``model``'s stream read ``size`` records a page, so a small sandbox takes several pages."""
    mappings = [
        msgspec.structs.replace(m, stream=msgspec.structs.replace(m.stream, paging=PageNumber(size=size)))
        if m.model == model
        else m
        for m in connector.mappings
    ]
    return msgspec.structs.replace(connector, mappings=mappings)


class Killed(Exception):
    """The worker running a sync dies (or loses its job's lease) right after a page is stored."""


async def test_a_killed_sync_resumes_after_the_last_stored_page(database: Database) -> None:
    """Each stored page saves its watermark with it: the next sync picks up there instead of starting over."""
    from ledgerport.connectors.xero import CONNECTOR
    from ledgerport.sandboxes.xero import create_app

    connector = _paged_by(CONNECTOR, "Invoice", 10)
    deps, account_id = await _linked(database, connector, create_app(seed=3, size="small", limits=False), "resume")
    invoice_pages: list[int] = []  # invoices stored so far, after each page

    def progress(model: str, done: int) -> None:
        if model == "Invoice":
            invoice_pages.append(done)

    async def die_after_the_second_invoice_page() -> None:
        if len(invoice_pages) == 2:
            raise Killed

    with pytest.raises(Killed):
        await sync_account(deps, account_id, progress=progress, checkpoint=die_after_the_second_invoice_page)
    before = invoice_pages[-1]
    assert len(await _stored(database, account_id, "Invoice")) == before

    resumed = await sync_account(deps, account_id)
    assert resumed.failed is None
    total = len(await _stored(database, account_id, "Invoice"))
    assert total >= 4 * 10, "the sandbox holds too few invoices for several pages"
    # Providers compare change times to the second, so records of the watermark's own second may come back.
    assert total - before <= resumed.fetched["Invoice"] <= total - before + 2, "the resumed sync started over"


async def test_a_change_stamped_by_a_provider_clock_running_behind_arrives(database: Database) -> None:
    """The provider stamps an edit a couple of minutes before our clock says the last sync started: the next
    incremental sync must still ask for it (a finished walk's watermark keeps a clock-skew allowance)."""
    from ledgerport.connectors.xero import CONNECTOR
    from ledgerport.sandboxes.xero import create_app

    app = create_app(seed=3, size="small", limits=False, clock=lambda: time.time() - 120)
    deps, account_id = await _linked(database, CONNECTOR, app, "skew")
    assert (await sync_account(deps, account_id)).failed is None
    stored = await _stored(database, account_id, "Invoice")
    tenant_id, invoice = next(
        (tenant_id, record)
        for tenant_id, tenant in app.tenants.items()
        for record in tenant.collections["Invoices"].all_records()
        if record["InvoiceID"] in stored and record["Status"] == "AUTHORISED"
    )
    path = f"Invoices/{invoice['InvoiceID']}"
    assert await _xero_call(app, "POST", path, tenant_id, {"Reference": "edited behind our clock"}) == 200

    report = await sync_account(deps, account_id)
    assert report.failed is None
    assert (await _stored(database, account_id, "Invoice"))[invoice["InvoiceID"]]["memo"] == "edited behind our clock"


async def test_the_model_whose_stream_fails_is_marked_failed(database: Database) -> None:
    from ledgerport.connectors.xero import CONNECTOR
    from ledgerport.sandboxes.xero import create_app

    sandbox = AsgiTransport(create_app(seed=3, size="small", limits=False))

    async def refuse_invoices(request: Request) -> Response:
        if "/api.xro/2.0/Invoices" in request.url:
            return Response(status=404, headers={}, body=b"The resource you're looking for cannot be found")
        return await sandbox.send(request)

    transport = FunctionTransport(refuse_invoices)
    deps, account_id = await _linked(database, CONNECTOR, None, "failing", transport)
    with pytest.raises(ConnectorError):
        await sync_account(deps, account_id)
    async with database.read() as session:
        states = {state.model: state for state in await list_sync_states(session, linked_account_id=account_id)}
    assert (states["Invoice"].status, states["Invoice"].last_sync_result) == ("FAILED", "FAILED")
    assert states["Invoice"].reason
    assert {states[model].status for model in ("CompanyInfo", "Account", "Contact", "Item")} == {"DONE"}


async def test_xero_journals_resume_after_the_last_journal_number(database: Database) -> None:
    """Journals are immutable and numbered: the next sync asks only for those after the last number it stored."""
    connector, app, _model, _collection = _provider("xero")
    deps, account_id = await _linked(database, connector, app, "sync-xero-journals")
    assert (await sync_account(deps, account_id)).failed is None
    stored = await _stored(database, account_id, "GeneralLedgerTransaction")
    from ledgerport.sandboxes.xero.journals import book_for

    tenant_id = next(
        t for t in app.tenants if set(stored) <= {j["JournalID"] for j in book_for(app.tenants[t]).journals}
    )
    assert len(stored) == len(book_for(app.tenants[tenant_id]).journals)
    again = await sync_account(deps, account_id)
    assert again.fetched.get("GeneralLedgerTransaction", 0) == 0

    contact = next(iter(app.tenants[tenant_id].collections["Contacts"].all_records()))["ContactID"]
    invoice = {
        "Type": "ACCREC",
        "Contact": {"ContactID": contact},
        "Date": "2026-12-03",
        "DueDate": "2026-12-17",
        "Status": "AUTHORISED",
        "LineItems": [{"Description": "Visit", "Quantity": 1, "UnitAmount": 80, "AccountCode": "200"}],
    }
    assert await _xero_call(app, "PUT", "Invoices", tenant_id, {"Invoices": [invoice]}) == 200
    third = await sync_account(deps, account_id)
    assert third.fetched.get("GeneralLedgerTransaction") == 1
    after = await _stored(database, account_id, "GeneralLedgerTransaction")
    (new,) = set(after) - set(stored)
    lines = after[new]["general_ledger_transaction_lines"]
    assert sum(Decimal(x["debit_amount"]) for x in lines) == sum(Decimal(x["credit_amount"]) for x in lines) > 0


async def test_an_attachable_deleted_in_quickbooks_is_marked_deleted_by_the_next_sync(database: Database) -> None:
    """QBO's query never returns deleted rows and CDC is not used for attachables: each sync lists them whole."""
    from ledgerport.connectors._base.http import Request
    from ledgerport.connectors.quickbooks.client import MINOR_VERSION, company_url
    from ledgerport.remote import open_provider

    connector, app, _model, _collection = _provider("quickbooks")
    deps, account_id = await _linked(database, connector, app, "sync-qbo-attachables")
    assert (await sync_account(deps, account_id)).failed is None
    before = {k for k, v in (await _stored(database, account_id, "AccountingAttachment")).items() if not v["_deleted"]}
    assert len(before) >= 2
    gone = sorted(before)[0]

    client = (await open_provider(deps, account_id)).client
    await client.learn_session_facts()
    url = company_url(client.context.base_url, client.context.account, "attachable")
    body = msgspec.json.encode({"Id": gone, "SyncToken": "0"})
    params = (("operation", "delete"), ("minorversion", MINOR_VERSION))
    answer = await client.json(Request(method="POST", url=url, params=params, body=body))
    assert answer["Attachable"]["status"] == "Deleted"

    again = await sync_account(deps, account_id)
    assert again.failed is None
    assert again.deleted.get("AccountingAttachment") == 1
    after = await _stored(database, account_id, "AccountingAttachment")
    assert {k for k, v in after.items() if not v["_deleted"]} == before - {gone}
    assert after[gone]["remote_was_deleted"] is True
