"""Merge's official Python SDK (``mergepythonclient``) against a live ``ledgerport serve``, changing only ``base_url``.

Every answer is checked against ground truth read straight from the ``records`` table (a plain SELECT, documents
decoded with ``Decimal`` numbers), never against another answer of the same API. Tests run once per database.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import httpx
import msgspec
import pytest
from merge import Merge
from merge.core.api_error import ApiError
from merge.resources.accounting import Account, AccountingPeriod, CompanyInfo, Contact, Employee, TrackingCategory
from sqlalchemy import func, select

from harness import Server, Tenant, TenantFactory, run
from ledgerport.kit import clock
from ledgerport.models import MODELS
from ledgerport.store import Database, accounts
from ledgerport.store import records as store_records
from ledgerport.store.tables import linked_accounts as linked_accounts_table
from ledgerport.store.tables import records as records_table

SEED = {"invoices": 250, "expenses": 120, "transactions": 120, "journal_entries": 120}
RESOURCES = {
    "Invoice": "invoices",
    "Expense": "expenses",
    "Transaction": "transactions",
    "JournalEntry": "journal_entries",
}
PATHS = {"Invoice": "invoices", "Expense": "expenses", "Transaction": "transactions", "JournalEntry": "journal-entries"}
NO_ACCOUNT_TOKEN = "Account Token must be passed in as an X-Account-Token header."
INVOICE_EXPAND = ["contact", "company", "tracking_categories", "payment_term", "accounting_period"]
EXPAND_TARGETS = {
    "contact": "Contact",
    "company": "CompanyInfo",
    "tracking_categories": "TrackingCategory",
    "payment_term": "PaymentTerm",
    "accounting_period": "AccountingPeriod",
}


# --------------------------------------------------------------------------------------------------------------------
# Ground truth: the records table, read directly.


@dataclass(frozen=True)
class Stored:
    """One row of ``records`` as the database holds it."""

    id: str
    remote_id: str
    created_at: int
    modified_at: int
    deleted: bool
    raw_document: bytes
    raw_remote_data: bytes | None

    @property
    def doc(self) -> dict[str, Any]:
        """The document with exact (``Decimal``) numbers."""
        return json.loads(self.raw_document, parse_float=Decimal)

    @property
    def remote_data(self) -> Any:
        """The stored remote_data with float numbers, as the SDK (plain ``json``) decodes it."""
        return None if self.raw_remote_data is None else json.loads(self.raw_remote_data)

    @property
    def exact_remote_data(self) -> Any:
        return None if self.raw_remote_data is None else json.loads(self.raw_remote_data, parse_float=Decimal)


async def _read_records(url: str, account_id: uuid.UUID, model: str) -> list[Stored]:
    database = Database(url)
    c = records_table.c
    try:
        async with database.read() as session:
            rows = await session.execute(
                select(
                    c.id, c.remote_id, c.created_at, c.modified_at, c.remote_was_deleted, c.document, c.remote_data
                ).where(c.linked_account_id == account_id, c.model == model)
            )
            found = [
                Stored(
                    str(r[0]),
                    r[1],
                    int(r[2]),
                    int(r[3]),
                    bool(r[4]),
                    bytes(r[5]),
                    None if r[6] is None else bytes(r[6]),
                )
                for r in rows.all()
            ]
    finally:
        await database.dispose()
    return sorted(found, key=lambda s: (s.created_at, s.id))


def stored(url: str, tenant: Tenant, model: str) -> list[Stored]:
    """Every record (deleted included) of ``model`` in the tenant's linked account, in (created_at, id) order."""
    return run(_read_records(url, tenant.account_id, model))


def live(rows: Iterable[Stored]) -> list[Stored]:
    return [row for row in rows if not row.deleted]


def by_id(rows: Iterable[Stored]) -> dict[str, Stored]:
    return {row.id: row for row in rows}


async def _count_account_rows(url: str, account_id: uuid.UUID) -> tuple[int, int]:
    database = Database(url)
    try:
        async with database.read() as session:
            records_left = (
                await session.execute(select(func.count()).where(records_table.c.linked_account_id == account_id))
            ).scalar_one()
            accounts_left = (
                await session.execute(select(func.count()).where(linked_accounts_table.c.id == account_id))
            ).scalar_one()
    finally:
        await database.dispose()
    return int(records_left), int(accounts_left)


def _at(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


def _decode_as(model: str, row: Stored) -> msgspec.Struct:
    return msgspec.json.decode(row.raw_document, type=MODELS[model].struct)


def _changed(model: msgspec.Struct, tag: str) -> msgspec.Struct:
    field = "memo" if "memo" in model.__struct_fields__ else "number"
    return msgspec.structs.replace(model, **{field: f"{getattr(model, field) or ''} [{tag}]"})


async def _write(
    url: str, account_id: uuid.UUID, model: str, items: list[store_records.NewRecord], now: int | None
) -> list[uuid.UUID]:
    database = Database(url)
    try:
        async with database.write() as session:
            return await store_records.upsert_many(
                session,
                linked_account_id=account_id,
                model_name=model,
                key_fields=MODELS[model].key_fields,
                items=items,
                now=now,
            )
    finally:
        await database.dispose()


def _spread_history(url: str, tenant: Tenant) -> None:
    """Give the seeded tenant a sync history: records created in several batches, some modified later, some deleted.

    A single seeding batch gives every record one ``created_at``; this makes the created/modified filters able to
    tell records apart and guarantees a few deleted records of every model.
    """
    base = clock.now_micros()
    for model in RESOURCES:
        rows = live(stored(url, tenant, model))
        # three late batches of copies (new remote ids), created at distinct moments
        for batch in range(3):
            copies = [
                store_records.NewRecord(
                    remote_id=f"{row.remote_id}-late{batch}",
                    model=_decode_as(model, row),
                    remote_data=row.remote_data,
                )
                for row in rows[batch * 4 : batch * 4 + 4]
            ]
            run(_write(url, tenant.account_id, model, copies, now=base + (batch + 1) * 1_000_000))
        # later edits of older records: modified_at moves, created_at does not
        for step, row in enumerate(rows[20:32:2]):
            edit = store_records.NewRecord(
                remote_id=row.remote_id,
                model=_changed(_decode_as(model, row), f"edit{step}"),
                remote_data=row.remote_data,
            )
            run(_write(url, tenant.account_id, model, [edit], now=base + (10 + step) * 1_000_000))
        # a deletion feed: two more records marked deleted
        gone = [
            store_records.NewRecord(
                remote_id=row.remote_id,
                model=_decode_as(model, row),
                remote_data=row.remote_data,
                remote_was_deleted=True,
            )
            for row in rows[40:42]
        ]
        run(_write(url, tenant.account_id, model, gone, now=base + 20 * 1_000_000))


# --------------------------------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="module")
def tenant(database_url: str, make_tenant: TenantFactory) -> Tenant:
    """The main seeded tenant, shared by the read-only tests of this module."""
    made = make_tenant(seed=SEED, seed_value=7)
    _spread_history(database_url, made)
    return made


@pytest.fixture(scope="module")
def other(make_tenant: TenantFactory) -> Tenant:
    """A second organization with its own small seeded account."""
    return make_tenant(
        seed={"invoices": 20, "transactions": 10, "journal_entries": 10}, seed_value=8, integration="xero"
    )


@pytest.fixture(scope="module")
def truth(database_url: str, tenant: Tenant) -> dict[str, list[Stored]]:
    """Ground truth of the main tenant, by model (read once: those tests never write)."""
    related = [*EXPAND_TARGETS.values(), "Account", "Employee"]
    return {model: stored(database_url, tenant, model) for model in dict.fromkeys([*RESOURCES, *related])}


def client(server: Server, tenant: Tenant, *, base_url: str | None = None, **overrides: Any) -> Merge:
    options: dict[str, Any] = {"api_key": tenant.api_key, "account_token": tenant.account_token}
    options.update(overrides)
    return Merge(base_url=base_url or server.api, **options)


@pytest.fixture
def merge(server: Server, tenant: Tenant) -> Merge:
    return client(server, tenant)


def resource(merge: Merge, model: str) -> Any:
    return getattr(merge.accounting, RESOURCES[model])


def raw(server: Server, tenant: Tenant, path: str, params: Any = None) -> httpx.Response:
    """A request the SDK would not (or could not exactly) make."""
    return httpx.get(
        f"{server.api}/accounting/v1/{path}",
        params=params,
        headers={"Authorization": f"Bearer {tenant.api_key}", "X-Account-Token": tenant.account_token},
        timeout=30,
    )


def exact(response: httpx.Response) -> Any:
    return json.loads(response.text, parse_float=Decimal)


def all_ids(list_method: Callable[..., Any], **params: Any) -> list[str]:
    """Every id a list returns, following ``next`` to the end; asserts no id repeats."""
    ids: list[str] = []
    cursor = None
    for _ in range(1000):
        page = list_method(cursor=cursor, page_size=100, **params)
        ids += [item.id for item in page.results or []]
        cursor = page.next
        if not cursor:
            break
    else:
        raise AssertionError("the cursor never ended")
    assert len(ids) == len(set(ids)), "a record came back twice"
    return ids


def raise_api_error(call: Callable[[], Any]) -> ApiError:
    with pytest.raises(ApiError) as caught:
        call()
    return caught.value


# --------------------------------------------------------------------------------------------------------------------
# Paging


class TestPaging:
    @pytest.mark.parametrize("model", list(RESOURCES))
    @pytest.mark.parametrize("page_size", [7, 100])
    def test_every_record_once_and_previous_walks_back(
        self, merge: Merge, truth: dict[str, list[Stored]], model: str, page_size: int
    ) -> None:
        expected = [row.id for row in live(truth[model])]
        assert len(expected) > 100
        listing = resource(merge, model).list
        pages: list[list[str]] = []
        cursors: list[str | None] = [None]
        page = listing(page_size=page_size)
        assert page.previous is None
        while True:
            pages.append([item.id for item in page.results])
            if not page.next:
                break
            cursors.append(page.next)
            page = listing(page_size=page_size, cursor=page.next)
        seen = [record_id for ids in pages for record_id in ids]
        assert seen == expected  # every live id exactly once, in (created_at, id) order
        assert all(len(ids) == page_size for ids in pages[:-1])
        assert 1 <= len(pages[-1]) <= page_size

        # back from the last page to the first, one `previous` at a time: the same pages in reverse
        back: list[list[str]] = [pages[-1]]
        while page.previous:
            page = listing(page_size=page_size, cursor=page.previous)
            back.append([item.id for item in page.results])
            assert len(back) <= len(pages)
        assert list(reversed(back)) == pages
        # and forward again from the first page reached by `previous`
        assert page.next is not None
        assert [item.id for item in listing(page_size=page_size, cursor=page.next).results] == pages[1]

    def test_page_size_one(self, merge: Merge, truth: dict[str, list[Stored]]) -> None:
        expected = [row.id for row in live(truth["JournalEntry"])]
        seen: list[str] = []
        cursor = None
        while True:
            page = merge.accounting.journal_entries.list(page_size=1, cursor=cursor)
            assert len(page.results) == 1
            seen.append(page.results[0].id)
            cursor = page.next
            if not cursor:
                break
        assert seen == expected

    def test_page_size_above_100_is_capped(self, merge: Merge, truth: dict[str, list[Stored]]) -> None:
        page = merge.accounting.invoices.list(page_size=250)
        assert [item.id for item in page.results] == [row.id for row in live(truth["Invoice"])[:100]]
        assert page.next

    @pytest.mark.parametrize("page_size", [0, -3, "abc"])
    def test_bad_page_size_is_400(self, merge: Merge, page_size: Any) -> None:
        error = raise_api_error(lambda: merge.accounting.invoices.list(page_size=page_size))
        assert error.status_code == 400
        assert "page_size" in error.body["detail"]


class _Inserter(threading.Thread):
    """Writes new invoices (and edits old ones) into an account while the main thread pages through it."""

    def __init__(self, url: str, tenant: Tenant, templates: list[Stored], batches: int) -> None:
        super().__init__(daemon=True)
        self.url, self.tenant, self.templates, self.batches = url, tenant, templates, batches
        self.done_batches = 0
        self.inserted: list[str] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            asyncio.run(self._insert())
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            self.error = exc

    async def _insert(self) -> None:
        database = Database(self.url)
        spec = MODELS["Invoice"]
        try:
            for batch in range(self.batches):
                fresh = [
                    store_records.NewRecord(remote_id=f"concurrent-{batch}-{n}", model=_decode_as("Invoice", template))
                    for n, template in enumerate(self.templates[:2])
                ]
                edited = self.templates[batch % len(self.templates)]
                edit = store_records.NewRecord(
                    remote_id=edited.remote_id,
                    model=_changed(_decode_as("Invoice", edited), f"concurrent{batch}"),
                    remote_data=edited.remote_data,
                )
                async with database.write() as session:
                    ids = await store_records.upsert_many(
                        session,
                        linked_account_id=self.tenant.account_id,
                        model_name="Invoice",
                        key_fields=spec.key_fields,
                        items=[*fresh, edit],
                    )
                self.inserted += [str(i) for i in ids[:2]]
                self.done_batches += 1
                await asyncio.sleep(0.002)
        finally:
            await database.dispose()


def _wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.005)


class TestPagingDuringWrites:
    def test_records_inserted_while_paging(self, server: Server, database_url: str, make_tenant: TenantFactory) -> None:
        tenant = make_tenant(seed={"invoices": 120, "transactions": 5, "journal_entries": 5}, seed_value=21)
        before = live(stored(database_url, tenant, "Invoice"))
        assert len(before) > 100
        inserter = _Inserter(database_url, tenant, before, batches=40)
        sdk = client(server, tenant)
        seen: list[str] = []
        inserter.start()
        try:
            _wait_for(lambda: inserter.done_batches >= 1 or inserter.error is not None)
            cursor = None
            while True:
                progress = inserter.done_batches
                page = sdk.accounting.invoices.list(page_size=7, cursor=cursor)
                seen += [item.id for item in page.results]
                cursor = page.next
                if not cursor:
                    break
                # the next page is fetched only after at least one more write landed (while the writer is alive)
                _wait_for(lambda p=progress: inserter.done_batches > p or not inserter.is_alive())
        finally:
            inserter.join(timeout=30)
        assert inserter.error is None, inserter.error
        assert inserter.done_batches == 40
        assert len(seen) == len(set(seen)), "duplicates while paging"
        assert {row.id for row in before} <= set(seen)
        assert set(seen) <= {row.id for row in before} | set(inserter.inserted)
        # writes landed between pages: some new records were created after paging started
        assert len(inserter.inserted) == 80
        assert set(inserter.inserted) & set(seen)


async def _mark_deleted(url: str, tenant: Tenant, rows: list[Stored]) -> None:
    gone = [
        store_records.NewRecord(
            remote_id=row.remote_id,
            model=_decode_as("Invoice", row),
            remote_data=row.remote_data,
            remote_was_deleted=True,
        )
        for row in rows
    ]
    await _write(url, tenant.account_id, "Invoice", gone, now=None)


class TestPagingAfterDeletions:
    """Records that vanish upstream between two page requests must not make the cursors skip a live record."""

    def test_back_to_a_page_whose_records_were_deleted(
        self, server: Server, database_url: str, make_tenant: TenantFactory
    ) -> None:
        tenant = make_tenant(seed={"invoices": 14, "transactions": 2, "journal_entries": 2}, seed_value=31)
        rows = live(stored(database_url, tenant, "Invoice"))
        assert len(rows) >= 10
        listing = client(server, tenant).accounting.invoices.list
        first = listing(page_size=5)
        second = listing(page_size=5, cursor=first.next)
        assert [item.id for item in second.results] == [row.id for row in rows[5:10]]
        run(_mark_deleted(database_url, tenant, rows[:5]))  # the whole first page is deleted upstream

        back = listing(page_size=5, cursor=second.previous)
        assert back.results == []
        assert back.previous is None
        again = listing(page_size=5, cursor=back.next)
        # the page we came from, starting with rows[5]: nothing live may be skipped
        assert [item.id for item in again.results] == [row.id for row in rows[5:10]]

    def test_back_from_a_page_whose_records_were_deleted(
        self, server: Server, database_url: str, make_tenant: TenantFactory
    ) -> None:
        tenant = make_tenant(seed={"invoices": 14, "transactions": 2, "journal_entries": 2}, seed_value=32)
        rows = live(stored(database_url, tenant, "Invoice"))
        assert len(rows) >= 10
        listing = client(server, tenant).accounting.invoices.list
        first = listing(page_size=5)
        assert [item.id for item in first.results] == [row.id for row in rows[:5]]
        run(_mark_deleted(database_url, tenant, rows[5:]))  # everything after the first page is deleted upstream

        second = listing(page_size=5, cursor=first.next)
        assert second.results == []
        assert second.next is None
        back = listing(page_size=5, cursor=second.previous)
        # the first page again, including its last record rows[4]
        assert [item.id for item in back.results] == [row.id for row in rows[:5]]


# --------------------------------------------------------------------------------------------------------------------
# Retrieve


class TestRetrieve:
    @pytest.mark.parametrize("model", list(RESOURCES))
    def test_retrieve_by_id(
        self, server: Server, merge: Merge, tenant: Tenant, truth: dict[str, list[Stored]], model: str
    ) -> None:
        rows = live(truth[model])
        for row in (rows[0], rows[len(rows) // 2], rows[-1]):
            item = resource(merge, model).retrieve(row.id)
            assert item.id == row.id
            assert item.remote_id == row.remote_id
            assert item.remote_data is None
            response = raw(server, tenant, f"{PATHS[model]}/{row.id}")
            assert response.status_code == 200
            assert exact(response) == {**row.doc, "remote_data": None}

    @pytest.mark.parametrize("model", list(RESOURCES))
    def test_deleted_record_is_retrievable_and_flagged(
        self, merge: Merge, truth: dict[str, list[Stored]], model: str
    ) -> None:
        deleted = [row for row in truth[model] if row.deleted]
        assert deleted
        item = resource(merge, model).retrieve(deleted[0].id)
        assert item.id == deleted[0].id
        assert item.remote_was_deleted is True

    @pytest.mark.parametrize("model", list(RESOURCES))
    @pytest.mark.parametrize("record_id", ["00000000-0000-4000-8000-000000000000", "not-a-uuid", "1"])
    def test_unknown_id_is_404(self, merge: Merge, model: str, record_id: str) -> None:
        error = raise_api_error(lambda: resource(merge, model).retrieve(record_id))
        assert error.status_code == 404
        assert error.body == {"detail": "Not found."}

    def test_id_of_another_model_is_404(self, merge: Merge, truth: dict[str, list[Stored]]) -> None:
        journal_entry = truth["JournalEntry"][0].id
        error = raise_api_error(lambda: merge.accounting.invoices.retrieve(journal_entry))
        assert error.status_code == 404


# --------------------------------------------------------------------------------------------------------------------
# Expand, remote data, deleted data


def _expanded(doc: dict[str, Any], related: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What ``doc`` looks like with :data:`INVOICE_EXPAND` applied, built from ground truth."""
    out = {**doc, "remote_data": None}
    for field in INVOICE_EXPAND:
        value = doc.get(field)
        if isinstance(value, list):
            out[field] = [{**related[v], "remote_data": None} if v in related else v for v in value]
        elif isinstance(value, str):
            out[field] = {**related[value], "remote_data": None} if value in related else value
    return out


class TestExpand:
    def _related(self, truth: dict[str, list[Stored]]) -> dict[str, dict[str, Any]]:
        return {row.id: row.doc for model in EXPAND_TARGETS.values() for row in truth[model]}

    def test_every_relation_is_seeded(self, truth: dict[str, list[Stored]]) -> None:
        """Otherwise the expand tests below would prove nothing."""
        related = self._related(truth)
        for field in INVOICE_EXPAND:
            values = [row.doc.get(field) for row in live(truth["Invoice"])]
            refs = [v for value in values for v in (value if isinstance(value, list) else [value]) if v]
            assert refs, f"no invoice has a {field}"
            assert all(ref in related for ref in refs), f"an invoice's {field} points at no stored record"

    def test_list_expanded_objects_equal_the_related_documents(
        self, server: Server, tenant: Tenant, truth: dict[str, list[Stored]]
    ) -> None:
        related = self._related(truth)
        response = raw(server, tenant, "invoices", {"expand": ",".join(INVOICE_EXPAND), "page_size": 100})
        assert response.status_code == 200
        results = exact(response)["results"]
        expected = [_expanded(row.doc, related) for row in live(truth["Invoice"])[:100]]
        assert results == expected

    def test_sdk_list_with_expand(self, merge: Merge, truth: dict[str, list[Stored]]) -> None:
        docs = by_id(truth["Invoice"])
        contacts = by_id(truth["Contact"])
        page = merge.accounting.invoices.list(expand=INVOICE_EXPAND, page_size=50)
        assert len(page.results) == 50
        for invoice in page.results:
            contact_id = docs[invoice.id].doc["contact"]
            assert isinstance(invoice.contact, Contact)
            assert invoice.contact.id == contact_id
            assert invoice.contact.name == contacts[contact_id].doc["name"]
            assert invoice.company.id == docs[invoice.id].doc["company"]
            assert [t.id for t in invoice.tracking_categories] == docs[invoice.id].doc["tracking_categories"]

    def test_sdk_retrieve_with_expand(
        self, server: Server, tenant: Tenant, merge: Merge, truth: dict[str, list[Stored]]
    ) -> None:
        related = self._related(truth)
        row = live(truth["Invoice"])[17]
        invoice = merge.accounting.invoices.retrieve(row.id, expand=INVOICE_EXPAND)
        assert isinstance(invoice.contact, Contact)
        assert invoice.contact.id == row.doc["contact"]
        response = raw(server, tenant, f"invoices/{row.id}", {"expand": ",".join(INVOICE_EXPAND)})
        assert exact(response) == _expanded(row.doc, related)

    def test_expand_with_remote_data(self, server: Server, tenant: Tenant, truth: dict[str, list[Stored]]) -> None:
        related = self._related(truth)
        row = next(row for row in live(truth["Invoice"])[30:] if row.raw_remote_data is not None)
        response = raw(
            server, tenant, f"invoices/{row.id}", {"expand": "contact,company", "include_remote_data": "true"}
        )
        body = exact(response)
        assert body["remote_data"] == row.exact_remote_data
        assert body["contact"] == {**related[row.doc["contact"]], "remote_data": None}
        assert body["company"] == {**related[row.doc["company"]], "remote_data": None}
        assert body["tracking_categories"] == row.doc["tracking_categories"]

    def test_without_expand_relations_are_ids(self, merge: Merge, truth: dict[str, list[Stored]]) -> None:
        docs = by_id(truth["Invoice"])
        for invoice in merge.accounting.invoices.list(page_size=20).results:
            assert invoice.contact == docs[invoice.id].doc["contact"]
            assert isinstance(invoice.contact, str)
            assert invoice.company == docs[invoice.id].doc["company"]

    @pytest.mark.parametrize(
        ("path", "expand"),
        [
            ("invoices", "contact,bogus"),
            ("invoices", "Contact"),
            ("transactions", "payment_term"),
            ("journal-entries", "contact"),
            ("expenses", "vendor"),
        ],
    )
    def test_unknown_expand_is_400(self, server: Server, tenant: Tenant, path: str, expand: str) -> None:
        response = raw(server, tenant, path, {"expand": expand})
        assert response.status_code == 400
        assert "expand" in response.json()["detail"]

    def test_expand_never_reaches_another_account(
        self, server: Server, database_url: str, make_tenant: TenantFactory, truth: dict[str, list[Stored]]
    ) -> None:
        """An invoice that names another account's contact id gets the id back, never that contact."""
        intruder = make_tenant()
        foreign_contact = truth["Contact"][0].id
        template = _decode_as("Invoice", live(truth["Invoice"])[0])
        (made,) = run(
            _write(
                database_url,
                intruder.account_id,
                "Invoice",
                [
                    store_records.NewRecord(
                        remote_id="forged", model=msgspec.structs.replace(template, contact=foreign_contact)
                    ),
                ],
                now=None,
            )
        )
        response = raw(server, intruder, f"invoices/{made}", {"expand": "contact"})
        assert response.status_code == 200
        assert response.json()["contact"] == foreign_contact


class TestRemoteAndDeletedData:
    @pytest.mark.parametrize("model", list(RESOURCES))
    def test_include_remote_data(self, merge: Merge, truth: dict[str, list[Stored]], model: str) -> None:
        docs = by_id(truth[model])
        page = resource(merge, model).list(include_remote_data=True, page_size=30)
        assert len(page.results) == 30
        with_data = 0
        for item in page.results:
            expected = docs[item.id].remote_data
            got = None if item.remote_data is None else [{"path": r.path, "data": r.data} for r in item.remote_data]
            assert got == expected
            with_data += expected is not None
        assert with_data, "no seeded record carries remote_data"

    def test_include_remote_data_exact_on_retrieve(
        self, server: Server, tenant: Tenant, truth: dict[str, list[Stored]]
    ) -> None:
        row = next(row for row in live(truth["Invoice"]) if row.raw_remote_data is not None)
        body = exact(raw(server, tenant, f"invoices/{row.id}", {"include_remote_data": "true"}))
        assert body == {**row.doc, "remote_data": row.exact_remote_data}
        assert all(set(entry) == {"path", "data"} for entry in body["remote_data"])

    @pytest.mark.parametrize("model", list(RESOURCES))
    def test_remote_data_is_null_by_default(self, merge: Merge, model: str) -> None:
        page = resource(merge, model).list(page_size=30)
        assert page.results
        assert all(item.remote_data is None for item in page.results)

    @pytest.mark.parametrize("model", list(RESOURCES))
    def test_deleted_hidden_by_default_and_flagged_when_asked(
        self, merge: Merge, truth: dict[str, list[Stored]], model: str
    ) -> None:
        deleted = {row.id for row in truth[model] if row.deleted}
        assert deleted
        default = all_ids(resource(merge, model).list)
        assert set(default) == {row.id for row in live(truth[model])}
        assert not deleted & set(default)

        everything: dict[str, Any] = {}
        cursor = None
        while True:
            page = resource(merge, model).list(include_deleted_data=True, page_size=100, cursor=cursor)
            everything.update({item.id: item for item in page.results})
            cursor = page.next
            if not cursor:
                break
        assert list(everything) == [row.id for row in truth[model]]
        assert {i for i, item in everything.items() if item.remote_was_deleted is True} == deleted
        assert all(item.remote_was_deleted is False for i, item in everything.items() if i not in deleted)


# --------------------------------------------------------------------------------------------------------------------
# Filters


def _pivot(values: Iterable[Any]) -> Any:
    """A value from the middle of the distinct values, so both sides of it are non-empty."""
    distinct = sorted(set(v for v in values if v is not None))
    assert len(distinct) >= 3, "too few distinct values to test a range filter"
    return distinct[len(distinct) // 2]


def check_filter(
    listing: Callable[..., Any],
    rows: list[Stored],
    keep: Callable[[Stored], bool],
    *,
    proper: bool = True,
    **params: Any,
) -> set[str]:
    """The list under ``params`` returns exactly the rows ``keep`` selects; ``proper``: a non-empty strict subset."""
    expected = {row.id for row in rows if keep(row)}
    if proper:
        assert 0 < len(expected) < len(rows), f"{params} does not discriminate the seeded data"
    got = all_ids(listing, **params)
    assert set(got) == expected, params
    return expected


def _micros_to_datetime(micros: int) -> datetime:
    return clock.from_micros(micros)


class TestGenericFilters:
    """``created_*``, ``modified_*``, ``remote_id`` and ``company_id``: every model offers them."""

    @pytest.mark.parametrize("model", list(RESOURCES))
    def test_created_after_and_before(self, merge: Merge, truth: dict[str, list[Stored]], model: str) -> None:
        rows = live(truth[model])
        pivot = _pivot(row.created_at for row in rows)
        listing = resource(merge, model).list
        moment = _micros_to_datetime(pivot)
        check_filter(listing, rows, lambda r: r.created_at > pivot, created_after=moment)
        check_filter(listing, rows, lambda r: r.created_at < pivot, created_before=moment)
        # the same instant written with another offset selects the same records
        shifted = moment.astimezone(timezone(timedelta(hours=-7)))
        check_filter(listing, rows, lambda r: r.created_at > pivot, created_after=shifted)

    @pytest.mark.parametrize("model", list(RESOURCES))
    def test_modified_after_and_before(self, merge: Merge, truth: dict[str, list[Stored]], model: str) -> None:
        rows = live(truth[model])
        pivot = _pivot(row.modified_at for row in rows)
        listing = resource(merge, model).list
        moment = _micros_to_datetime(pivot)
        check_filter(listing, rows, lambda r: r.modified_at > pivot, modified_after=moment)
        check_filter(listing, rows, lambda r: r.modified_at < pivot, modified_before=moment)
        low, high = sorted(set(r.modified_at for r in rows))[1], pivot
        check_filter(
            listing,
            rows,
            lambda r: low < r.modified_at < high,
            modified_after=_micros_to_datetime(low),
            modified_before=_micros_to_datetime(high),
        )

    @pytest.mark.parametrize("model", list(RESOURCES))
    def test_remote_id(self, merge: Merge, truth: dict[str, list[Stored]], model: str) -> None:
        rows = live(truth[model])
        target = rows[len(rows) // 3]
        assert check_filter(
            resource(merge, model).list, rows, lambda r: r.remote_id == target.remote_id, remote_id=target.remote_id
        ) == {target.id}
        check_filter(resource(merge, model).list, rows, lambda r: False, proper=False, remote_id="no-such-remote-id")

    @pytest.mark.parametrize("model", list(RESOURCES))
    def test_company_id(self, merge: Merge, truth: dict[str, list[Stored]], model: str) -> None:
        rows = live(truth[model])
        company = rows[0].doc["company"]
        assert company
        check_filter(
            resource(merge, model).list, rows, lambda r: r.doc["company"] == company, proper=False, company_id=company
        )
        check_filter(resource(merge, model).list, rows, lambda r: False, proper=False, company_id=str(uuid.uuid4()))


class TestInvoiceFilters:
    def _rows(self, truth: dict[str, list[Stored]]) -> list[Stored]:
        return live(truth["Invoice"])

    def test_contact_id(self, merge: Merge, truth: dict[str, list[Stored]]) -> None:
        rows = self._rows(truth)
        contacts = [row.doc["contact"] for row in rows]
        busiest = max(set(contacts), key=contacts.count)
        check_filter(merge.accounting.invoices.list, rows, lambda r: r.doc["contact"] == busiest, contact_id=busiest)

    def test_issue_date_after_and_before(self, merge: Merge, truth: dict[str, list[Stored]]) -> None:
        rows = self._rows(truth)
        pivot = _pivot(_at(row.doc["issue_date"]) for row in rows)
        listing = merge.accounting.invoices.list
        check_filter(listing, rows, lambda r: _at(r.doc["issue_date"]) > pivot, issue_date_after=pivot)
        check_filter(listing, rows, lambda r: _at(r.doc["issue_date"]) < pivot, issue_date_before=pivot)
        # one microsecond either side of an existing value moves it across the boundary
        check_filter(
            listing,
            rows,
            lambda r: _at(r.doc["issue_date"]) >= pivot,
            issue_date_after=pivot - timedelta(microseconds=1),
        )
        check_filter(
            listing,
            rows,
            lambda r: _at(r.doc["issue_date"]) <= pivot,
            issue_date_before=pivot + timedelta(microseconds=1),
        )
        shifted = pivot.astimezone(timezone(timedelta(hours=5, minutes=30)))
        check_filter(listing, rows, lambda r: _at(r.doc["issue_date"]) > pivot, issue_date_after=shifted)

    def test_status(self, merge: Merge, truth: dict[str, list[Stored]]) -> None:
        rows = self._rows(truth)
        statuses = {row.doc["status"] for row in rows}
        assert len(statuses) >= 3
        for status in sorted(statuses):
            check_filter(merge.accounting.invoices.list, rows, lambda r, s=status: r.doc["status"] == s, status=status)

    def test_type(self, merge: Merge, truth: dict[str, list[Stored]]) -> None:
        rows = self._rows(truth)
        for kind in ("ACCOUNTS_RECEIVABLE", "ACCOUNTS_PAYABLE"):
            check_filter(merge.accounting.invoices.list, rows, lambda r, k=kind: r.doc["type"] == k, type=kind)

    def test_number(self, merge: Merge, truth: dict[str, list[Stored]]) -> None:
        rows = self._rows(truth)
        number = rows[5].doc["number"]
        assert number
        expected = check_filter(
            merge.accounting.invoices.list, rows, lambda r: r.doc["number"] == number, number=number
        )
        assert rows[5].id in expected
        check_filter(merge.accounting.invoices.list, rows, lambda r: False, proper=False, number=f"{number}-nope")

    def test_company_id(self, merge: Merge, truth: dict[str, list[Stored]]) -> None:
        rows = self._rows(truth)
        company = rows[0].doc["company"]
        check_filter(
            merge.accounting.invoices.list,
            rows,
            lambda r: r.doc["company"] == company,
            proper=False,
            company_id=company,
        )

    def test_combination(self, merge: Merge, truth: dict[str, list[Stored]]) -> None:
        rows = self._rows(truth)
        pivot = _pivot(_at(row.doc["issue_date"]) for row in rows)
        paid_receivables = [r for r in rows if r.doc["status"] == "PAID" and r.doc["type"] == "ACCOUNTS_RECEIVABLE"]
        contacts = [r.doc["contact"] for r in paid_receivables]
        contact = max(set(contacts), key=contacts.count)

        def keep(r: Stored) -> bool:
            return (
                r.doc["status"] == "PAID"
                and r.doc["type"] == "ACCOUNTS_RECEIVABLE"
                and r.doc["contact"] == contact
                and _at(r.doc["issue_date"]) > pivot - timedelta(days=400)
            )

        check_filter(
            merge.accounting.invoices.list,
            rows,
            keep,
            status="PAID",
            type="ACCOUNTS_RECEIVABLE",
            contact_id=contact,
            issue_date_after=pivot - timedelta(days=400),
        )

    def test_filter_with_deleted_data(self, merge: Merge, truth: dict[str, list[Stored]]) -> None:
        rows = truth["Invoice"]
        deleted = [r for r in rows if r.deleted]
        status = deleted[0].doc["status"]
        expected = check_filter(
            merge.accounting.invoices.list,
            rows,
            lambda r: r.doc["status"] == status,
            status=status,
            include_deleted_data=True,
        )
        assert deleted[0].id in expected

    @pytest.mark.parametrize(
        "name",
        [
            "issue_date_after",
            "issue_date_before",
            "created_after",
            "created_before",
            "modified_after",
            "modified_before",
        ],
    )
    @pytest.mark.parametrize("value", ["2024-01-01", "yesterday", "2024-01-01T00:00:00", "2024-13-01T00:00:00Z"])
    def test_malformed_datetime_is_400(self, server: Server, tenant: Tenant, name: str, value: str) -> None:
        response = raw(server, tenant, "invoices", {name: value})
        assert response.status_code == 400
        assert name in response.json()["detail"]

    def test_unknown_status_is_400(self, server: Server, tenant: Tenant) -> None:
        response = raw(server, tenant, "invoices", {"status": "PAYED"})
        assert response.status_code == 400
        assert "status" in response.json()["detail"]


class TestDateFilters:
    """``transaction_date_after`` / ``_before`` of expenses, transactions and journal entries."""

    @pytest.mark.parametrize("model", ["Expense", "Transaction", "JournalEntry"])
    def test_transaction_date(self, merge: Merge, truth: dict[str, list[Stored]], model: str) -> None:
        rows = live(truth[model])
        pivot = _pivot(_at(row.doc["transaction_date"]) for row in rows)
        listing = resource(merge, model).list
        check_filter(listing, rows, lambda r: _at(r.doc["transaction_date"]) > pivot, transaction_date_after=pivot)
        check_filter(listing, rows, lambda r: _at(r.doc["transaction_date"]) < pivot, transaction_date_before=pivot)
        start = pivot - timedelta(days=60)
        check_filter(
            listing,
            rows,
            lambda r: start < _at(r.doc["transaction_date"]) < pivot,
            transaction_date_after=start,
            transaction_date_before=pivot,
        )

    @pytest.mark.parametrize("path", ["expenses", "transactions", "journal-entries"])
    @pytest.mark.parametrize("value", ["2024-01-01", "yesterday"])
    def test_malformed_transaction_date_is_400(self, server: Server, tenant: Tenant, path: str, value: str) -> None:
        response = raw(server, tenant, path, {"transaction_date_after": value})
        assert response.status_code == 400
        assert "transaction_date_after" in response.json()["detail"]


# --------------------------------------------------------------------------------------------------------------------
# Amounts


def _sum(values: Iterable[Any]) -> Decimal:
    return sum((Decimal(v) for v in values if v is not None), Decimal(0))


class TestAmounts:
    def test_invoice_totals_add_up_exactly(
        self, server: Server, tenant: Tenant, truth: dict[str, list[Stored]]
    ) -> None:
        docs = by_id(truth["Invoice"])
        checked = 0
        cursor = None
        while True:
            body = exact(raw(server, tenant, "invoices", {"page_size": 100, **({"cursor": cursor} if cursor else {})}))
            for invoice in body["results"]:
                lines = invoice["line_items"]
                assert lines, invoice["id"]
                assert all(isinstance(line["total_amount"], Decimal | int) for line in lines)
                total = (
                    _sum(line["total_amount"] for line in lines)
                    + _sum([invoice["total_tax_amount"]])
                    - _sum([invoice["total_discount"]])
                )
                assert invoice["total_amount"] == total, invoice["id"]
                stored_doc = docs[invoice["id"]].doc
                for field in ("total_amount", "sub_total", "total_tax_amount", "total_discount", "balance"):
                    assert str(invoice[field]) == str(stored_doc[field]), (invoice["id"], field)
                checked += 1
            cursor = body["next"]
            if not cursor:
                break
        assert checked == len(live(truth["Invoice"]))

    def test_sdk_amounts_match_the_stored_numbers(self, merge: Merge, truth: dict[str, list[Stored]]) -> None:
        docs = by_id(truth["Invoice"])
        for invoice in merge.accounting.invoices.list(page_size=50).results:
            assert invoice.total_amount == float(docs[invoice.id].doc["total_amount"])
            assert [line.total_amount for line in invoice.line_items] == [
                float(line["total_amount"]) for line in docs[invoice.id].doc["line_items"]
            ]


class TestExpenses:
    """Expenses as the SDK reads them: signed amounts and lines exactly as stored, and Merge's expand values."""

    EXPAND = ("account", "contact", "employee", "company", "accounting_period", "tracking_categories")
    TYPES = {
        "account": Account,
        "contact": Contact,
        "employee": Employee,
        "company": CompanyInfo,
        "accounting_period": AccountingPeriod,
    }

    def test_sdk_reads_amounts_and_lines_as_stored(self, merge: Merge, truth: dict[str, list[Stored]]) -> None:
        docs = by_id(truth["Expense"])
        page = merge.accounting.expenses.list(page_size=100)
        assert len(page.results) == 100
        for expense in page.results:
            doc = docs[expense.id].doc
            assert expense.transaction_date == _at(doc["transaction_date"])
            for field in ("total_amount", "sub_total", "total_tax_amount"):
                assert getattr(expense, field) == float(doc[field]), (expense.id, field)
            assert [(line.id, line.net_amount, line.quantity, line.unit_price) for line in expense.lines] == [
                (line["id"], float(line["net_amount"]), line["quantity"], line["unit_price"]) for line in doc["lines"]
            ]
        signs = {expense.total_amount > 0 for expense in page.results}
        assert signs == {True, False}, "purchases (negative) and refunds (positive) both seeded"

    def test_sdk_expands_every_relation_merge_offers(self, merge: Merge, truth: dict[str, list[Stored]]) -> None:
        rows = [row for row in live(truth["Expense"]) if row.doc["employee"]][:3]
        rows += [row for row in live(truth["Expense"]) if row.doc["contact"]][:3]
        assert len(rows) == 6
        for row in rows:
            expense = merge.accounting.expenses.retrieve(row.id, expand=list(self.EXPAND))
            for field, kind in self.TYPES.items():
                value = getattr(expense, field)
                if row.doc[field] is None:
                    assert value is None, field
                else:
                    assert isinstance(value, kind), field
                    assert value.id == row.doc[field]
            assert [category.id for category in expense.tracking_categories] == row.doc["tracking_categories"]
            assert all(isinstance(category, TrackingCategory) for category in expense.tracking_categories)

    def test_raw_list_with_expand_equals_the_stored_documents(
        self, server: Server, tenant: Tenant, truth: dict[str, list[Stored]]
    ) -> None:
        related = {
            row.id: {**row.doc, "remote_data": None}
            for model in ("Account", "Contact", "Employee", "CompanyInfo", "AccountingPeriod")
            for row in truth[model]
        }
        body = exact(raw(server, tenant, "expenses", {"expand": "account,contact,employee", "page_size": 40}))
        expected = [
            {
                **row.doc,
                "remote_data": None,
                **{field: related.get(row.doc[field], row.doc[field]) for field in ("account", "contact", "employee")},
            }
            for row in live(truth["Expense"])[:40]
        ]
        assert body["results"] == expected


# --------------------------------------------------------------------------------------------------------------------
# Authentication and tenancy


class TestAuthentication:
    def test_invalid_api_key(self, server: Server, tenant: Tenant) -> None:
        sdk = client(server, tenant, api_key="lpk_not-a-real-key")
        error = raise_api_error(lambda: sdk.accounting.invoices.list())
        assert error.status_code == 401
        assert set(error.body) == {"detail"}
        error = raise_api_error(lambda: sdk.accounting.linked_accounts.list())
        assert error.status_code == 401

    def test_missing_account_token(self, server: Server, tenant: Tenant) -> None:
        sdk = Merge(api_key=tenant.api_key, base_url=server.api)
        for call in (sdk.accounting.invoices.list, sdk.accounting.account_details.retrieve):
            error = raise_api_error(call)
            assert error.status_code == 401
            assert error.body == {"detail": NO_ACCOUNT_TOKEN}

    def test_invalid_account_token(self, server: Server, tenant: Tenant) -> None:
        sdk = client(server, tenant, account_token="lpt_not-a-real-token")
        error = raise_api_error(lambda: sdk.accounting.journal_entries.list())
        assert error.status_code == 401
        assert isinstance(error.body["detail"], str)

    def test_missing_account_token_with_wrong_key_reveals_nothing(self, server: Server) -> None:
        sdk = Merge(api_key="lpk_wrong", base_url=server.api)
        error = raise_api_error(sdk.accounting.invoices.list)
        assert error.status_code == 401
        assert error.body["detail"] != NO_ACCOUNT_TOKEN


class TestTenantIsolation:
    def test_other_key_with_my_token_is_404(self, server: Server, tenant: Tenant, other: Tenant) -> None:
        sdk = Merge(api_key=other.api_key, account_token=tenant.account_token, base_url=server.api)
        for call in (sdk.accounting.invoices.list, sdk.accounting.account_details.retrieve):
            error = raise_api_error(call)
            assert error.status_code == 404
            assert error.body == {"detail": "Not found."}

    def test_other_token_cannot_retrieve_my_records(
        self, server: Server, other: Tenant, truth: dict[str, list[Stored]]
    ) -> None:
        sdk = client(server, other)
        for model in RESOURCES:
            target = live(truth[model])[0].id
            error = raise_api_error(lambda m=model, t=target: resource(sdk, m).retrieve(t))
            assert error.status_code == 404

    @pytest.mark.parametrize("model", list(RESOURCES))
    def test_lists_hold_only_own_records(
        self, server: Server, database_url: str, other: Tenant, truth: dict[str, list[Stored]], model: str
    ) -> None:
        theirs = all_ids(resource(client(server, other), model).list, include_deleted_data=True)
        assert set(theirs) == {row.id for row in stored(database_url, other, model)}
        assert theirs
        assert not set(theirs) & {row.id for row in truth[model]}

    def test_linked_accounts_of_other_org(self, server: Server, tenant: Tenant, other: Tenant) -> None:
        page = client(server, other).accounting.linked_accounts.list()
        assert [account.id for account in page.results] == [str(other.account_id)]
        ids = [account.id for account in client(server, tenant).accounting.linked_accounts.list().results]
        assert str(tenant.account_id) in ids
        assert str(other.account_id) not in ids


# --------------------------------------------------------------------------------------------------------------------
# Linked accounts


async def _account_row(url: str, tenant: Tenant) -> accounts.LinkedAccount:
    database = Database(url)
    try:
        async with database.read() as session:
            found = await accounts.find_linked_account(
                session, organization_id=tenant.organization_id, account_id=tenant.account_id
            )
    finally:
        await database.dispose()
    assert found is not None
    return found


@dataclass(frozen=True)
class Org:
    tenant: Tenant
    accounts: list[accounts.LinkedAccount]  # every non-test account, the tenant's included
    test_account: accounts.LinkedAccount


async def _add_accounts(url: str, tenant: Tenant) -> Org:
    specs = [
        dict(
            integration="xero", integration_name="Xero", end_user_email_address="a@acme.test", end_user_origin_id="o-1"
        ),
        dict(
            integration="xero",
            integration_name="Xero",
            end_user_email_address="b@acme.test",
            end_user_origin_id="o-2",
            status="RELINK_NEEDED",
        ),
        dict(
            integration="netsuite",
            integration_name="NetSuite",
            end_user_email_address="a@acme.test",
            end_user_origin_id="o-3",
        ),
        dict(
            integration="netsuite",
            integration_name="NetSuite",
            end_user_email_address="c@acme.test",
            end_user_origin_id="o-4",
            status="INCOMPLETE",
        ),
        dict(
            integration="xero",
            integration_name="Xero",
            end_user_email_address="d@acme.test",
            end_user_origin_id="o-5",
            category="hris",
        ),
    ]
    database = Database(url)
    made: list[accounts.LinkedAccount] = []
    try:
        for number, spec in enumerate(specs):
            async with database.write() as session:
                created = await accounts.create_linked_account(
                    session,
                    organization_id=tenant.organization_id,
                    end_user_organization_name=f"Customer {number}",
                    **spec,
                )
            made.append(created.account)
        async with database.write() as session:
            test_account = (
                await accounts.create_linked_account(
                    session,
                    organization_id=tenant.organization_id,
                    integration="xero",
                    integration_name="Xero",
                    end_user_organization_name="Sandbox",
                    end_user_origin_id="o-test",
                    is_test_account=True,
                )
            ).account
    finally:
        await database.dispose()
    return Org(tenant, [await _account_row(url, tenant), *made], test_account)


@pytest.fixture(scope="module")
def org(database_url: str, make_tenant: TenantFactory) -> Org:
    """An organization with seven linked accounts of several integrations, statuses and categories."""
    owner = make_tenant(integration="xero")
    return run(_add_accounts(database_url, owner))


class TestAccountDetails:
    def test_fields(self, database_url: str, merge: Merge, tenant: Tenant) -> None:
        account = run(_account_row(database_url, tenant))
        details = merge.accounting.account_details.retrieve()
        assert details.id == str(tenant.account_id)
        assert details.integration_slug == "quickbooks-online"
        assert details.end_user_organization_name == account.end_user_organization_name
        assert details.end_user_email_address == account.end_user_email_address
        assert details.end_user_origin_id == account.end_user_origin_id
        assert details.category == "accounting"
        assert details.status == "COMPLETE"

    def test_other_account_sees_its_own(self, server: Server, other: Tenant) -> None:
        details = client(server, other).accounting.account_details.retrieve()
        assert details.id == str(other.account_id)
        assert details.integration_slug == "xero"


class TestLinkedAccounts:
    def _ids(self, server: Server, org: Org, **filters: Any) -> list[str]:
        return all_ids(client(server, org.tenant).accounting.linked_accounts.list, **filters)

    def _expect(self, org: Org, keep: Callable[[accounts.LinkedAccount], bool]) -> set[str]:
        expected = {str(a.id) for a in org.accounts if keep(a)}
        assert expected
        return expected

    def test_lists_every_non_test_account(self, server: Server, org: Org) -> None:
        ids = self._ids(server, org)
        assert ids == [str(a.id) for a in org.accounts]  # oldest first
        assert str(org.test_account.id) not in ids

    def test_is_test_account(self, server: Server, org: Org) -> None:
        assert self._ids(server, org, is_test_account="true") == [str(org.test_account.id)]

    def test_end_user_origin_id(self, server: Server, org: Org) -> None:
        assert set(self._ids(server, org, end_user_origin_id="o-3")) == self._expect(
            org, lambda a: a.end_user_origin_id == "o-3"
        )

    def test_end_user_email_address(self, server: Server, org: Org) -> None:
        expected = self._expect(org, lambda a: a.end_user_email_address == "a@acme.test")
        assert len(expected) == 2
        assert set(self._ids(server, org, end_user_email_address="a@acme.test")) == expected

    @pytest.mark.parametrize("status", ["COMPLETE", "RELINK_NEEDED", "INCOMPLETE"])
    def test_status(self, server: Server, org: Org, status: str) -> None:
        assert set(self._ids(server, org, status=status)) == self._expect(org, lambda a: a.status == status)

    @pytest.mark.parametrize("category", ["accounting", "hris"])
    def test_category(self, server: Server, org: Org, category: str) -> None:
        assert set(self._ids(server, org, category=category)) == self._expect(org, lambda a: a.category == category)

    @pytest.mark.parametrize(("name", "integration"), [("xero", "xero"), ("NetSuite", "netsuite")])
    def test_integration_name(self, server: Server, org: Org, name: str, integration: str) -> None:
        expected = self._expect(org, lambda a: a.integration == integration)
        assert set(self._ids(server, org, integration_name=name)) == expected

    def test_bad_status_is_400(self, server: Server, org: Org) -> None:
        sdk = client(server, org.tenant)
        error = raise_api_error(lambda: sdk.accounting.linked_accounts.list(status="DONE"))
        assert error.status_code == 400
        assert "status" in error.body["detail"]

    def test_paging(self, server: Server, org: Org) -> None:
        listing = client(server, org.tenant).accounting.linked_accounts.list
        pages: list[list[str]] = []
        page = listing(page_size=2)
        while True:
            pages.append([a.id for a in page.results])
            if not page.next:
                break
            page = listing(page_size=2, cursor=page.next)
        assert [i for ids in pages for i in ids] == [str(a.id) for a in org.accounts]
        assert [len(ids) for ids in pages] == [2, 2, 2]
        back = [pages[-1]]
        while page.previous:
            page = listing(page_size=2, cursor=page.previous)
            back.append([a.id for a in page.results])
        assert list(reversed(back)) == pages

    def test_results_describe_the_account(self, server: Server, org: Org) -> None:
        first = client(server, org.tenant).accounting.linked_accounts.list(end_user_origin_id="o-2").results[0]
        assert first.status == "RELINK_NEEDED"
        assert first.end_user_email_address == "b@acme.test"
        assert first.category == "accounting"
        assert first.integration.slug == "xero"
        assert first.integration.name == "Xero"


class TestDeleteAccount:
    def test_delete_removes_account_and_records(
        self, server: Server, database_url: str, make_tenant: TenantFactory
    ) -> None:
        doomed = make_tenant(seed={"invoices": 8, "transactions": 4, "journal_entries": 4}, seed_value=3)
        bystander = make_tenant(seed={"invoices": 3, "transactions": 2, "journal_entries": 2}, seed_value=4)
        records_before, accounts_before = run(_count_account_rows(database_url, doomed.account_id))
        assert records_before > 0
        assert accounts_before == 1
        sdk = client(server, doomed)
        assert sdk.accounting.invoices.list().results
        assert sdk.accounting.delete_account.delete() is None

        for call in (sdk.accounting.account_details.retrieve, sdk.accounting.invoices.list):
            error = raise_api_error(call)
            assert error.status_code == 401
        assert run(_count_account_rows(database_url, doomed.account_id)) == (0, 0)
        # nobody else lost anything
        assert len(client(server, bystander).accounting.invoices.list(include_deleted_data=True).results) == len(
            stored(database_url, bystander, "Invoice")
        )
        # the organization's API key still works
        assert client(server, doomed).accounting.linked_accounts.list().results == []


# --------------------------------------------------------------------------------------------------------------------
# Base URL and schema


class TestBaseUrl:
    def test_without_api_prefix(self, server: Server, tenant: Tenant, truth: dict[str, list[Stored]]) -> None:
        bare = client(server, tenant, base_url=server.url)
        page = bare.accounting.invoices.list(page_size=10)
        assert [item.id for item in page.results] == [row.id for row in live(truth["Invoice"])[:10]]
        assert [item.id for item in bare.accounting.invoices.list(page_size=10, cursor=page.next).results] == [
            row.id for row in live(truth["Invoice"])[10:20]
        ]
        assert bare.accounting.account_details.retrieve().id == str(tenant.account_id)
        assert bare.accounting.journal_entries.retrieve(truth["JournalEntry"][0].id).id == truth["JournalEntry"][0].id


class TestSchema:
    def test_openapi_document(self, server: Server) -> None:
        response = httpx.get(f"{server.api}/accounting/v1/schema", timeout=30)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/json")
        document = response.json()
        assert document["openapi"].startswith("3.1")
        operation = document["paths"]["/accounting/v1/invoices"]["get"]
        names = {param["name"] for param in operation["parameters"]}
        assert {
            "contact_id",
            "issue_date_after",
            "issue_date_before",
            "status",
            "type",
            "number",
            "company_id",
            "remote_id",
            "created_after",
            "created_before",
            "modified_after",
            "modified_before",
            "cursor",
            "page_size",
            "expand",
            "include_deleted_data",
            "include_remote_data",
        } <= names
        status = next(p for p in operation["parameters"] if p["name"] == "status")
        assert set(status["schema"]["enum"]) == {"PAID", "DRAFT", "SUBMITTED", "PARTIALLY_PAID", "OPEN", "VOID"}
        assert "/accounting/v1/invoices/{id}" in document["paths"]
        assert "/accounting/v1/journal-entries" in document["paths"]
        assert httpx.get(f"{server.url}/accounting/v1/schema", timeout=30).json() == document


def test_timestamps_are_utc_rfc3339(merge: Merge, truth: dict[str, list[Stored]]) -> None:
    """The SDK parses the stored timestamps back to the instants the store recorded."""
    docs = by_id(truth["Invoice"])
    for invoice in merge.accounting.invoices.list(page_size=10).results:
        row = docs[invoice.id]
        assert invoice.created_at == clock.from_micros(row.created_at)
        assert invoice.modified_at == clock.from_micros(row.modified_at)
        assert invoice.created_at.tzinfo is not None
        assert invoice.issue_date == _at(row.doc["issue_date"])
        assert invoice.created_at.utcoffset() == UTC.utcoffset(None)
