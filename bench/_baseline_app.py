"""The benchmark's floor: a raw ASGI app that answers ``GET /invoices?cursor=...`` with the same keyset query.

No framework, no auth, no query parsing beyond the cursor: it decodes the cursor with ledgerport's own codec, runs
the indexed range scan ledgerport's ``store.records.page`` runs (same table, same WHERE, ``ORDER BY created_at, id
LIMIT 101``) through the driver ledgerport uses underneath (asyncpg, or aiosqlite for SQLite), and joins the stored
document bytes into ``{"next":...,"previous":null,"results":[...]}``. Whatever ledgerport spends beyond this is
its overhead. Each document gets ``"remote_data":null`` spliced in as ledgerport does, so both bodies are the same
size. Run by ``bench/list_api.py`` as ``python bench/_baseline_app.py`` with the ``BASELINE_*`` variables set.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

import uvicorn

from ledgerport.kit.cursor import Cursor, InvalidCursor, decode_cursor, encode_cursor

PAGE_SIZE = 100
_NULL_REMOTE_DATA = b',"remote_data":null}'
_COLUMNS = "SELECT id, created_at, document FROM records WHERE linked_account_id = {0} AND model = {1} "
_FIRST = _COLUMNS + "AND remote_was_deleted = {2} ORDER BY created_at, id LIMIT {3}"
_AFTER = _COLUMNS + "AND remote_was_deleted = {2} AND (created_at, id) > ({4}, {5}) ORDER BY created_at, id LIMIT {3}"

Row = tuple[Any, int, bytes]
Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]


class PostgresStore:
    """An asyncpg pool; each page is one prepared statement, one round trip, no transaction."""

    def __init__(self, url: str, account: uuid.UUID) -> None:
        self.url, self.account, self.pool = url, account, None

    async def open(self) -> None:
        import asyncpg

        self.pool = await asyncpg.create_pool(self.url, min_size=1, max_size=10)

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()

    async def page(self, after: tuple[int, uuid.UUID] | None) -> list[Row]:
        assert self.pool is not None
        if after is None:
            sql = _FIRST.format("$1", "$2", "false", PAGE_SIZE + 1)
            return await self.pool.fetch(sql, self.account, "Invoice")
        sql = _AFTER.format("$1", "$2", "false", PAGE_SIZE + 1, "$3", "$4")
        return await self.pool.fetch(sql, self.account, "Invoice", after[0], after[1])


class SqliteStore:
    """A few aiosqlite connections (one thread each, as SQLAlchemy's pool keeps), with ledgerport's pragmas.

    SQLAlchemy stores ``Uuid`` on SQLite as 32 hex digits and booleans as 0/1, so that is what is bound here.
    """

    def __init__(self, path: str, account: uuid.UUID, size: int = 5) -> None:
        self.path, self.account, self.size = path, account, size
        self.idle: asyncio.Queue[Any] = asyncio.Queue()

    async def open(self) -> None:
        import aiosqlite

        for _ in range(self.size):
            connection = await aiosqlite.connect(self.path)
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=10000"):
                await connection.execute(f"PRAGMA {pragma}")
            self.idle.put_nowait(connection)

    async def close(self) -> None:
        while not self.idle.empty():
            await self.idle.get_nowait().close()

    async def page(self, after: tuple[int, uuid.UUID] | None) -> list[Row]:
        connection = await self.idle.get()
        try:
            if after is None:
                sql, args = _FIRST.format("?", "?", "0", PAGE_SIZE + 1), (self.account.hex, "Invoice")
            else:
                sql = _AFTER.format("?", "?", "0", PAGE_SIZE + 1, "?", "?")
                args = (self.account.hex, "Invoice", after[0], after[1].hex)
            async with connection.execute(sql, args) as cursor:
                rows = await cursor.fetchall()
            return [(uuid.UUID(hex=row[0]), row[1], row[2]) for row in rows]
        finally:
            self.idle.put_nowait(connection)


def make_store() -> PostgresStore | SqliteStore:
    url, account = os.environ["BASELINE_DATABASE_URL"], uuid.UUID(os.environ["BASELINE_ACCOUNT_ID"])
    if url.startswith("sqlite:///"):
        return SqliteStore(url.removeprefix("sqlite:///"), account)
    return PostgresStore(url, account)


STORE = make_store()
SCOPE = f"Invoice/{uuid.UUID(os.environ['BASELINE_ACCOUNT_ID'])}"
"""The scope ledgerport binds its invoice cursors to (``api.params.list_scope``), so both servers' cursors match."""


async def _respond(send: Send, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _body(rows: list[Row]) -> bytes:
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    cursor = b"null"
    if more:
        last_id, last_created = rows[-1][0], rows[-1][1]
        cursor = b'"' + encode_cursor(Cursor(last_created, str(last_id)), scope=SCOPE).encode() + b'"'
    results = b",".join(row[2][:-1] + _NULL_REMOTE_DATA for row in rows)
    return b"".join((b'{"next":', cursor, b',"previous":null,"results":[', results, b"]}"))


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await STORE.open()
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await STORE.close()
            await send({"type": "lifespan.shutdown.complete"})
            return


async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
    """The whole baseline: ``/health`` and the forward keyset page of invoices."""
    if scope["type"] == "lifespan":
        await _lifespan(receive, send)
        return
    if scope["path"] == "/health":
        await _respond(send, 200, b'{"status":"ok"}')
        return
    if scope["path"] != "/invoices":
        await _respond(send, 404, b'{"detail":"Not found."}')
        return
    after = None
    texts = parse_qs(scope["query_string"].decode("latin-1")).get("cursor")
    if texts:
        try:
            cursor = decode_cursor(texts[0], scope=SCOPE)
            after = (cursor.created, uuid.UUID(cursor.id))
        except (InvalidCursor, ValueError):
            await _respond(send, 400, b'{"detail":"Invalid cursor"}')
            return
    await _respond(send, 200, _body(await STORE.page(after)))


if __name__ == "__main__":
    # The same uvicorn settings ``ledgerport serve`` uses for one process.
    uvicorn.run(app, host="127.0.0.1", port=int(os.environ["BASELINE_PORT"]), log_level="warning", access_log=False)
