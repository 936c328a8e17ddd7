"""One NetSuite account's state: records kept as their REST documents, projected into an in-memory SQLite
database of SuiteQL tables on every write (``project.py``), so SuiteQL always sees what the record API wrote.

Documents are stored encoded (msgspec JSON bytes): 100,000 invoices cost a few hundred megabytes as dicts but far
less as bytes, and a read decodes one record. Keys starting with ``_`` are the sandbox's own bookkeeping (the
transaction number, a voided flag) and never leave it. Seeding goes through ``bulk()``, which buffers rows and
writes them with ``executemany`` at the end.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ledgerport.sandboxes.netsuite.catalog import RECORD_TYPES, RecordType
from ledgerport.sandboxes.netsuite.project import NON_POSTING, entity_rows, list_rows, transaction_rows
from ledgerport.sandboxes.netsuite.schema import DDL, INDEXES, TABLES
from ledgerport.sandboxes.netsuite.wire import decode_json, encode_json

__all__ = ["Account", "display_name", "posts"]

_COLUMNS = {table: list(columns) for table, columns in TABLES.items()}
_INSERTS = {  # table and column names come from schema.TABLES, never from a request
    table: 'INSERT INTO "{}" ({}) VALUES ({})'.format(  # noqa: S608
        table, ", ".join(f'"{c}"' for c in columns), ", ".join("?" * len(columns))
    )
    for table, columns in _COLUMNS.items()
}


def display_name(rt: RecordType, doc: dict[str, Any]) -> str:
    """NetSuite's ``refName`` of a record."""
    if rt.family == "transaction":
        return f"{rt.label} #{doc.get('tranId') or doc.get('id')}"
    if rt.name == "account":
        number = doc.get("acctNumber")
        return f"{number} {doc.get('acctName')}" if number else str(doc.get("acctName"))
    for key in ("entityId", "companyName", "itemId", "periodName", "name", "description"):
        if doc.get(key):
            return str(doc[key])
    if doc.get("firstName") or doc.get("lastName"):
        return " ".join(filter(None, [doc.get("firstName"), doc.get("lastName")]))
    return str(doc.get("id"))


def posts(rt: RecordType, doc: dict[str, Any]) -> bool:
    """Whether a transaction hits the GL: not an order or fulfilment, not pending approval, not voided."""
    if rt.code in NON_POSTING or doc.get("_voided"):
        return False
    approval = doc.get("approvalStatus")
    return not (isinstance(approval, dict) and str(approval.get("id")) in {"1", "3"})


class Account:
    """Records, ids, names and the SuiteQL database of one account."""

    def __init__(self, account_id: str) -> None:
        self.account_id = account_id
        self.db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=OFF")
        self.db.execute("PRAGMA synchronous=OFF")
        for statement in DDL:
            self.db.execute(statement)
        self.db.execute("INSERT INTO dual VALUES ('X')")
        self._indexed = False
        self.docs: dict[str, dict[int, bytes]] = {name: {} for name in RECORD_TYPES}
        self.kinds: dict[str, dict[int, str]] = {}
        self.names: dict[str, dict[int, str]] = {}
        self.external: dict[tuple[str, str], int] = {}
        self.sequences: dict[str, int] = {}
        self.numbers: dict[str, int] = {}
        self.nkeys = 0
        self.settings: dict[str, Any] = {}
        self._buffer: dict[str, list[tuple[Any, ...]]] | None = None
        self._sorted: dict[str, list[int]] = {}

    # -- ids -------------------------------------------------------------------------------------------------------
    def next_id(self, family: str) -> int:
        """The next internal id of an id family."""
        self.sequences[family] = self.sequences.get(family, 0) + 1
        return self.sequences[family]

    def next_nkey(self) -> int:
        """The next address (``entityaddress.nkey``) id."""
        self.nkeys += 1
        return self.nkeys

    def next_number(self, rt: RecordType) -> str:
        """The next auto-generated ``tranId`` of a transaction type (``INV1001``...)."""
        self.numbers[rt.name] = self.numbers.get(rt.name, 1000) + 1
        return f"{rt.prefix}{self.numbers[rt.name]}"

    # -- reads -----------------------------------------------------------------------------------------------------
    def get(self, rt: RecordType, record_id: int) -> dict[str, Any] | None:
        """A record's document (a fresh dict), or ``None``."""
        raw = self.docs[rt.name].get(record_id)
        return None if raw is None else decode_json(raw)

    def type_of(self, family: str, record_id: int) -> RecordType | None:
        """The record type of an id in a family (which item subtype, customer or vendor...)."""
        name = self.kinds.get(family, {}).get(record_id)
        return RECORD_TYPES[name] if name else None

    def name_of(self, family: str, record_id: int) -> str | None:
        """The ``refName`` of a record."""
        return self.names.get(family, {}).get(record_id)

    def by_external_id(self, rt: RecordType, external_id: str) -> int | None:
        """The internal id behind an external id."""
        return self.external.get((rt.name, external_id))

    def ids(self, rt: RecordType) -> list[int]:
        """Every id of a type, ascending (the collection GET's order)."""
        cached = self._sorted.get(rt.name)
        if cached is None:
            cached = self._sorted[rt.name] = sorted(self.docs[rt.name])
        return cached

    # -- writes ----------------------------------------------------------------------------------------------------
    @contextmanager
    def bulk(self) -> Iterator[None]:
        """Buffer the rows of many ``put`` calls and insert them at once (seeding)."""
        self._buffer = {table: [] for table in _COLUMNS}
        try:
            yield
            self.db.execute("BEGIN")
            for table, rows in self._buffer.items():
                if rows:
                    self.db.executemany(_INSERTS[table], rows)
            self.db.execute("COMMIT")
        finally:
            self._buffer = None
            self.index()

    def index(self) -> None:
        """Create the SuiteQL indexes (after a bulk load: building them once is cheaper than keeping them up)."""
        if not self._indexed:
            for statement in INDEXES:
                self.db.execute(statement)
            self._indexed = True

    def rows(self, rt: RecordType, doc: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
        """The SuiteQL rows of a document."""
        if rt.family == "transaction":
            return transaction_rows(rt, doc, posting=posts(rt, doc))
        if rt.family == "entity":
            return entity_rows(rt, doc)
        return list_rows(rt, doc)

    def put(self, rt: RecordType, doc: dict[str, Any]) -> None:
        """Store a record and bring its SuiteQL rows in step."""
        record_id = int(doc["id"])
        old = self.docs[rt.name].get(record_id)
        if old is None:
            self._sorted.pop(rt.name, None)
        self.docs[rt.name][record_id] = encode_json(doc)
        self.kinds.setdefault(rt.family, {})[record_id] = rt.name
        self.names.setdefault(rt.family, {})[record_id] = display_name(rt, doc)
        if doc.get("externalId"):
            self.external[(rt.name, str(doc["externalId"]))] = record_id
        rows = self.rows(rt, doc)
        if self._buffer is not None:
            for table, table_rows in rows.items():
                columns = _COLUMNS[table]
                self._buffer[table].extend(tuple([row.get(c) for c in columns]) for row in table_rows)
            return
        self.db.execute("BEGIN")
        try:
            if old is not None:
                self._delete_rows(rt, record_id, decode_json(old))
            for table, table_rows in rows.items():
                columns = _COLUMNS[table]
                self.db.executemany(_INSERTS[table], [tuple(row.get(c) for c in columns) for row in table_rows])
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def _delete_rows(self, rt: RecordType, record_id: int, old: dict[str, Any]) -> None:
        if rt.family == "transaction":
            for table in ("transaction", "transactionline", "transactionaccountingline"):
                column = "id" if table == "transaction" else "transaction"
                self.db.execute(f'DELETE FROM "{table}" WHERE "{column}" = ?', (record_id,))  # noqa: S608
            self.db.execute("DELETE FROM previoustransactionlinelink WHERE nextdoc = ?", (record_id,))
            return
        self.db.execute(f'DELETE FROM "{rt.table}" WHERE id = ?', (record_id,))  # noqa: S608
        for entry in (old.get("addressBook") or {}).get("items") or []:
            nkey = entry.get("internalId") or entry.get("id")
            if nkey is not None:
                self.db.execute("DELETE FROM entityaddress WHERE nkey = ?", (int(nkey),))

    def remove(self, rt: RecordType, record_id: int, *, when: str, by: int | None, context: str = "RST") -> None:
        """Delete a record: its rows go, and a ``deletedrecord`` tombstone is written."""
        raw = self.docs[rt.name].pop(record_id, None)
        if raw is None:
            return
        self._sorted.pop(rt.name, None)
        old = decode_json(raw)
        self.kinds.get(rt.family, {}).pop(record_id, None)
        name = self.names.get(rt.family, {}).pop(record_id, None)
        if old.get("externalId"):
            self.external.pop((rt.name, str(old["externalId"])), None)
        self.db.execute("BEGIN")
        self._delete_rows(rt, record_id, old)
        self.db.execute(
            _INSERTS["deletedrecord"],
            (
                when,
                rt.name.lower(),
                record_id,
                name,
                context,
                by,
                "F",
                "T" if rt.name.startswith("customrecord") else "F",
            ),
        )
        self.db.execute("COMMIT")

    def refresh_balances(self, entity: int | None = None) -> None:
        """Customer ``balancesearch`` and vendor ``balance``: open A/R or A/P in base currency (one or all)."""
        for table, types, credit, column in (
            ("customer", "'CustInvc', 'CustCred'", "CustCred", "balancesearch"),
            ("vendor", "'VendBill', 'VendCred'", "VendCred", "balance"),
        ):
            sql = (
                f"UPDATE {table} SET {column} = ROUND(COALESCE((SELECT SUM(t.foreignamountremaining * t.exchangerate"  # noqa: S608
                f" * CASE WHEN t.type = '{credit}' THEN -1 ELSE 1 END) FROM \"transaction\" t WHERE t.entity ="
                f" {table}.id AND t.type IN ({types}) AND t.posting = 'T'), 0), 2)"
            )
            if entity is None:
                self.db.execute(sql)
            else:
                self.db.execute(f"{sql} WHERE id = ?", (entity,))

    def tombstone(self, type_name: str, record_id: int, name: str, when: str) -> None:
        """A ``deletedrecord`` row for a record that never existed here (seeded deletions)."""
        row = (when, type_name.lower(), record_id, name, "UI", None, "F", "F")
        if self._buffer is not None:
            self._buffer["deletedrecord"].append(row)
        else:
            self.db.execute(_INSERTS["deletedrecord"], row)
