"""The record store on every reachable database: upsert semantics, keyset pages, key filters, cascades."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import msgspec
import pytest

from ledgerport.models import MODELS, Contact, Invoice
from ledgerport.models.invoice import InvoiceStatus
from ledgerport.store import Database, accounts
from ledgerport.store.records import KeyTest, NewRecord, RecordQuery, count_records, find_record, page, upsert_many

INVOICE = MODELS["Invoice"]


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    yield db
    await db.dispose()


@pytest.fixture
async def account_id(database: Database) -> uuid.UUID:
    async with database.write() as session:
        organization_id = await accounts.create_organization(session, name="store-test")
        made = await accounts.create_linked_account(
            session,
            organization_id=organization_id,
            integration="xero",
            integration_name="Xero",
            end_user_organization_name="Store test",
        )
    return made.account.id


def _invoice(n: int, **fields: object) -> NewRecord:
    model = Invoice(number=f"INV-{n:04d}", total_amount=Decimal("10.10") * n, **fields)  # type: ignore[arg-type]
    return NewRecord(remote_id=f"inv-{n}", model=model, remote_data=[{"path": f"/invoices/{n}", "data": {"n": n}}])


async def _write(
    database: Database, account_id: uuid.UUID, items: list[NewRecord], now: int | None = None
) -> list[uuid.UUID]:
    async with database.write() as session:
        return await upsert_many(
            session,
            linked_account_id=account_id,
            model_name="Invoice",
            key_fields=INVOICE.key_fields,
            items=items,
            now=now,
        )


async def _document(database: Database, account_id: uuid.UUID, record_id: uuid.UUID) -> dict[str, object]:
    async with database.read() as session:
        row = await find_record(
            session, linked_account_id=account_id, model="Invoice", record_id=record_id, with_remote_data=True
        )
    assert row is not None
    return msgspec.json.decode(row.document)


class TestUpsert:
    async def test_assigns_ids_and_timestamps_once(self, database: Database, account_id: uuid.UUID) -> None:
        (first_id,) = await _write(database, account_id, [_invoice(1)], now=1_000_000)
        (again_id,) = await _write(database, account_id, [_invoice(1)], now=2_000_000)
        assert again_id == first_id
        document = await _document(database, account_id, first_id)
        assert document["id"] == str(first_id)
        assert document["remote_id"] == "inv-1"
        assert document["created_at"] == document["modified_at"] == "1970-01-01T00:00:01Z"

    async def test_modified_at_moves_only_when_the_document_changes(
        self, database: Database, account_id: uuid.UUID
    ) -> None:
        (record_id,) = await _write(database, account_id, [_invoice(2)], now=1_000_000)
        await _write(database, account_id, [_invoice(2)], now=5_000_000)
        assert (await _document(database, account_id, record_id))["modified_at"] == "1970-01-01T00:00:01Z"
        await _write(database, account_id, [_invoice(2, memo="changed")], now=7_000_000)
        document = await _document(database, account_id, record_id)
        assert document["modified_at"] == "1970-01-01T00:00:07Z"
        assert document["created_at"] == "1970-01-01T00:00:01Z"
        assert document["memo"] == "changed"

    async def test_amounts_stay_exact(self, database: Database, account_id: uuid.UUID) -> None:
        items = [NewRecord(remote_id="exact", model=Invoice(total_amount=Decimal("12345678901234.10")))]
        (record_id,) = await _write(database, account_id, items)
        async with database.read() as session:
            row = await find_record(
                session, linked_account_id=account_id, model="Invoice", record_id=record_id, with_remote_data=False
            )
        assert row is not None
        assert b'"total_amount":12345678901234.10' in row.document

    async def test_deletion_flag_is_a_change(self, database: Database, account_id: uuid.UUID) -> None:
        (record_id,) = await _write(database, account_id, [_invoice(3)], now=1_000_000)
        deleted = msgspec.structs.replace(_invoice(3), remote_was_deleted=True)
        await _write(database, account_id, [deleted], now=3_000_000)
        document = await _document(database, account_id, record_id)
        assert document["remote_was_deleted"] is True
        assert document["modified_at"] == "1970-01-01T00:00:03Z"


class TestPage:
    async def test_keyset_pages_cover_everything_once(self, database: Database, account_id: uuid.UUID) -> None:
        ids = set(await _write(database, account_id, [_invoice(n) for n in range(1, 26)]))
        query = RecordQuery(linked_account_id=account_id, model="Invoice")
        seen: list[uuid.UUID] = []
        after = None
        async with database.read() as session:
            while True:
                rows = await page(session, query, after=after, reverse=False, limit=7, with_remote_data=False)
                if not rows:
                    break
                seen += [row.id for row in rows]
                after = (rows[-1].created_at, rows[-1].id)
        assert len(seen) == len(set(seen)) == 25
        assert set(seen) == ids

    async def test_reverse_pages_walk_back(self, database: Database, account_id: uuid.UUID) -> None:
        await _write(database, account_id, [_invoice(n) for n in range(1, 11)])
        query = RecordQuery(linked_account_id=account_id, model="Invoice")
        async with database.read() as session:
            forward = await page(session, query, after=None, reverse=False, limit=100, with_remote_data=False)
            last = forward[-1]
            back = await page(
                session, query, after=(last.created_at, last.id), reverse=True, limit=3, with_remote_data=False
            )
        assert [row.id for row in back] == [row.id for row in forward[-2:-5:-1]]

    @pytest.mark.parametrize(
        ("test", "expected"),
        [
            (KeyTest("status", "eq", "PAID"), {1, 3}),
            (KeyTest("issue_date", "gt", "2024-01-02T00:00:00.000000Z"), {3, 4}),
            (KeyTest("issue_date", "lt", "2024-01-02T00:00:00.000000Z"), {1}),
            (KeyTest("number", "icontains", "inv-000"), {1, 2, 3, 4}),
            (KeyTest("number", "icontains", "%"), set()),
        ],
    )
    async def test_key_filters(
        self, database: Database, account_id: uuid.UUID, test: KeyTest, expected: set[int]
    ) -> None:
        statuses = {1: InvoiceStatus.PAID, 2: InvoiceStatus.OPEN, 3: InvoiceStatus.PAID, 4: InvoiceStatus.DRAFT}
        items = [_invoice(n, status=statuses[n], issue_date=datetime(2024, 1, n, tzinfo=UTC)) for n in statuses]
        ids = await _write(database, account_id, items)
        by_id = {record_id: n for n, record_id in zip(statuses, ids, strict=True)}
        query = RecordQuery(linked_account_id=account_id, model="Invoice", tests=(test,))
        async with database.read() as session:
            rows = await page(session, query, after=None, reverse=False, limit=100, with_remote_data=False)
        assert {by_id[row.id] for row in rows} == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("_", {"A_1"}),
        ("%", {"A%1"}),
        ("/", {"A/1"}),
        ("a_", {"A_1"}),
        ("a%1", {"A%1"}),
        ("a_1", {"A_1"}),  # ``_`` would match any one character: A%1, A/1, AB1 too
        ("a%", {"A%1"}),  # ``%`` would match anything after the A
        ("a", {"A_1", "A%1", "A/1", "AB1"}),
    ],
)
async def test_contains_takes_wildcard_characters_literally(
    database: Database, account_id: uuid.UUID, text: str, expected: set[str]
) -> None:
    """A name search for ``a_1`` finds names containing "a_1", not every three-letter name starting with "a"."""
    numbers = ["A_1", "A%1", "A/1", "AB1"]
    ids = await _write(database, account_id, [NewRecord(remote_id=n, model=Invoice(number=n)) for n in numbers])
    by_id = dict(zip(ids, numbers, strict=True))
    query = RecordQuery(linked_account_id=account_id, model="Invoice", tests=(KeyTest("number", "icontains", text),))
    async with database.read() as session:
        rows = await page(session, query, after=None, reverse=False, limit=100, with_remote_data=False)
    assert {by_id[row.id] for row in rows} == expected


async def test_an_upsert_of_many_records_finds_every_existing_one(database: Database, account_id: uuid.UUID) -> None:
    """Existing rows are looked up in chunks: each must be found and updated, not inserted a second time."""
    count = 1_234  # three lookups' worth
    first = await _write(database, account_id, [_invoice(n) for n in range(count)], now=1_000_000)
    changed = [_invoice(n, memo="changed") if n % 2 else _invoice(n) for n in range(count)]
    again = await _write(database, account_id, changed, now=2_000_000)
    assert again == first
    async with database.read() as session:
        assert await count_records(session, linked_account_id=account_id, model="Invoice") == count
    for n in (0, 499, 500, 501, 1_000, 1_001, count - 1):
        document = await _document(database, account_id, first[n])
        assert document["created_at"] == "1970-01-01T00:00:01Z", n
        assert document["modified_at"] == ("1970-01-01T00:00:02Z" if n % 2 else "1970-01-01T00:00:01Z"), n
        assert document.get("memo") == ("changed" if n % 2 else None), n


async def test_deleting_an_account_removes_its_records(database: Database, account_id: uuid.UUID) -> None:
    await _write(database, account_id, [_invoice(n) for n in range(3)])
    async with database.write() as session:
        contact = NewRecord(remote_id="c1", model=Contact(name="Acme"))
        await upsert_many(session, linked_account_id=account_id, model_name="Contact", key_fields=(), items=[contact])
    async with database.write() as session:
        await accounts.delete_linked_account(session, account_id=account_id)
    async with database.read() as session:
        assert await count_records(session, linked_account_id=account_id, model="Invoice") == 0
        assert await count_records(session, linked_account_id=account_id, model="Contact") == 0


async def test_mark_deleted_keeps_content_and_moves_modified_at(database: Database, account_id: uuid.UUID) -> None:
    from ledgerport.store.records import mark_deleted

    (record_id,) = await _write(database, account_id, [_invoice(9, memo="keep me")], now=1_000_000)
    async with database.write() as session:
        changed = await mark_deleted(
            session,
            linked_account_id=account_id,
            model_name="Invoice",
            remote_ids=["inv-9", "never-synced"],
            now=4_000_000,
        )
    assert changed == 1
    document = await _document(database, account_id, record_id)
    assert (document["remote_was_deleted"], document["memo"]) == (True, "keep me")
    assert document["modified_at"] == "1970-01-01T00:00:04Z"
    async with database.read() as session:
        visible = await page(
            session,
            RecordQuery(linked_account_id=account_id, model="Invoice"),
            after=None,
            reverse=False,
            limit=10,
            with_remote_data=False,
        )
    assert record_id not in {row.id for row in visible}
    async with database.write() as session:  # a second report of the same deletion changes nothing
        assert (
            await mark_deleted(session, linked_account_id=account_id, model_name="Invoice", remote_ids=["inv-9"]) == 0
        )
