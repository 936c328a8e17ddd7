"""The in-memory company: one ``Table`` per entity, ordered by ``MetaData.LastUpdatedTime``.

Why this shape: a connector pages ``WHERE MetaData.LastUpdatedTime > t ORDERBY MetaData.LastUpdatedTime
STARTPOSITION k MAXRESULTS 1000`` through up to 100,000 invoices, so each table keeps its live records as a list of
``(last_updated_epoch, id)`` pairs sorted by time: a page is two bisects and a slice. Generated records are not
stored at all until written: ``make(id)`` rebuilds one from the seed on demand (deterministic and cheap), which keeps
a 100,000-invoice company small. Records written through the API live in ``_written``; deleted ones leave a tombstone
in ``_gone`` (CDC and the dump report them) and leave the time index.

``ENTITIES`` is the declarative table of what each entity is (name list, transaction, company singleton) and
whether it can be voided.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from ledgerport.sandboxes.quickbooks.clock import format_time

__all__ = ["Company", "ENTITIES", "EntitySpec", "Kind", "PATHS", "Record", "Table", "TimeBounds"]

Kind = Literal["list", "txn", "company", "file"]
Record = dict[str, Any]
TimeBounds = tuple[int | None, int | None]


@dataclass(frozen=True)
class EntitySpec:
    """What an entity is: ``list`` entities are deactivated, never deleted; ``txn`` ones are deleted, some voided;
    ``file`` ones (Attachable) are made by ``/upload``."""

    name: str
    kind: Kind
    voidable: bool = False


ENTITIES: dict[str, EntitySpec] = {
    spec.name: spec
    for spec in (
        EntitySpec("Account", "list"),
        EntitySpec("Attachable", "file"),  # created by /upload; deleted by operation=delete (writes.delete)
        EntitySpec("Bill", "txn"),
        EntitySpec("BillPayment", "txn", voidable=True),
        EntitySpec("Class", "list"),
        EntitySpec("CompanyInfo", "company"),
        EntitySpec("CreditMemo", "txn"),
        EntitySpec("Customer", "list"),
        EntitySpec("Department", "list"),
        EntitySpec("Deposit", "txn"),
        EntitySpec("Employee", "list"),
        EntitySpec("Estimate", "txn"),
        EntitySpec("Invoice", "txn", voidable=True),
        EntitySpec("Item", "list"),
        EntitySpec("JournalEntry", "txn"),
        EntitySpec("Payment", "txn", voidable=True),
        EntitySpec("PaymentMethod", "list"),
        EntitySpec("Preferences", "company"),
        EntitySpec("Purchase", "txn"),
        EntitySpec("PurchaseOrder", "txn"),
        EntitySpec("SalesReceipt", "txn", voidable=True),
        EntitySpec("TaxCode", "list"),
        EntitySpec("TaxRate", "list"),
        EntitySpec("Term", "list"),
        EntitySpec("Transfer", "txn"),
        EntitySpec("Vendor", "list"),
        EntitySpec("VendorCredit", "txn"),
        EntitySpec("RefundReceipt", "txn", voidable=True),
        EntitySpec("CreditCardPayment", "txn"),
    )
}

PATHS: dict[str, str] = {name.lower(): name for name in ENTITIES}
"""URL segment -> entity: QBO paths are the lower-cased entity name."""


def _envelope(body: Record, entity_id: int, sync_token: str, created: str, updated: str) -> Record:
    return {
        **body,
        "domain": "QBO",
        "sparse": False,
        "Id": str(entity_id),
        "SyncToken": sync_token,
        "MetaData": {"CreateTime": created, "LastUpdatedTime": updated},
    }


class Table:
    """One entity's records: generated lazily by ``make``, overridden by writes, indexed by last-update time."""

    def __init__(
        self,
        entity: str,
        *,
        count: int = 0,
        make: Callable[[int], Record] | None = None,
        stamp: Callable[[int], tuple[int, int]] | None = None,
    ) -> None:
        self.entity = entity
        self._make = make
        self._stamp = stamp
        self._generated = count if make is not None and stamp is not None else 0
        stamp_of = stamp or (lambda _: (0, 0))
        self._index: list[tuple[int, int]] = [(stamp_of(i)[1], i) for i in range(1, self._generated + 1)]
        self._index.sort()
        self._written: dict[int, Record] = {}
        self._updated: dict[int, int] = {}
        self._gone: dict[int, Record] = {}
        self._gone_index: list[tuple[int, int]] = []
        self.next_id = self._generated + 1
        self.version = 0
        """Counts writes (insert, replace, remove), so what is derived from the table (the ledger) knows when to
        be derived again."""
        self.changes: list[int] = []
        """The Id each write touched, in order (``changes[v:]``: what changed since version ``v``), so the ledger
        derives again only the documents written since it was built."""

    def __len__(self) -> int:
        return len(self._index)

    def get(self, entity_id: int) -> Record | None:
        """The live record, or ``None`` when unknown or deleted."""
        found = self._written.get(entity_id)
        if found is not None:
            return found
        if entity_id in self._gone or not 1 <= entity_id <= self._generated:
            return None
        assert self._make is not None
        assert self._stamp is not None
        created, updated = self._stamp(entity_id)
        return _envelope(self._make(entity_id), entity_id, "0", format_time(created), format_time(updated))

    def _updated_at(self, entity_id: int) -> int:
        if entity_id in self._updated:
            return self._updated[entity_id]
        assert self._stamp is not None
        return self._stamp(entity_id)[1]

    def _unindex(self, entity_id: int) -> None:
        key = (self._updated_at(entity_id), entity_id)
        position = bisect_left(self._index, key)
        assert self._index[position] == key, f"{self.entity} {entity_id} missing from the time index"
        del self._index[position]

    def insert(self, body: Record, now: int, *, entity_id: int | None = None) -> Record:
        """Store a new record with the next Id (or ``entity_id`` for singletons), SyncToken "0"."""
        new_id = entity_id if entity_id is not None else self.next_id
        self.next_id = max(self.next_id, new_id + 1)
        stamp = format_time(now)
        record = _envelope(body, new_id, "0", stamp, stamp)
        self.version += 1
        self.changes.append(new_id)
        self._written[new_id], self._updated[new_id] = record, now
        insort(self._index, (now, new_id))
        return record

    def replace(self, entity_id: int, body: Record, now: int) -> Record:
        """Overwrite a live record: SyncToken + 1, LastUpdatedTime = now, CreateTime kept."""
        old = self.get(entity_id)
        assert old is not None
        record = _envelope(
            body, entity_id, str(int(old["SyncToken"]) + 1), old["MetaData"]["CreateTime"], format_time(now)
        )
        self._unindex(entity_id)
        self.version += 1
        self.changes.append(entity_id)
        self._written[entity_id], self._updated[entity_id] = record, now
        insort(self._index, (now, entity_id))
        return record

    def remove(self, entity_id: int, now: int) -> Record:
        """Delete: the record leaves the index; a tombstone (what CDC reports) takes its place."""
        old = self.get(entity_id)
        assert old is not None
        self._unindex(entity_id)
        self.version += 1
        self.changes.append(entity_id)
        self._written.pop(entity_id, None)
        self._updated[entity_id] = now
        tombstone = {
            "domain": "QBO",
            "status": "Deleted",
            "Id": str(entity_id),
            "MetaData": {"CreateTime": old["MetaData"]["CreateTime"], "LastUpdatedTime": format_time(now)},
        }
        self._gone[entity_id] = tombstone
        insort(self._gone_index, (now, entity_id))
        return tombstone

    def window(self, bounds: TimeBounds) -> list[tuple[int, int]]:
        """Index entries with ``low <= LastUpdatedTime <= high`` (either bound may be open), oldest first."""
        low, high = bounds
        start = 0 if low is None else bisect_left(self._index, (low, -1))
        stop = len(self._index) if high is None else bisect_left(self._index, (high + 1, -1))
        return self._index[start:stop]

    def records(self, keys: Iterable[tuple[int, int]]) -> Iterator[Record]:
        """Materialize index entries."""
        for _, entity_id in keys:
            record = self.get(entity_id)
            if record is not None:
                yield record

    def deleted_since(self, low: int) -> list[Record]:
        """Tombstones whose deletion time is at or after ``low``."""
        start = bisect_left(self._gone_index, (low, -1))
        return [self._gone[entity_id] for _, entity_id in self._gone_index[start:]]

    def changes_since(self, low: int) -> list[tuple[int, Record]]:
        """Live records and tombstones changed at or after ``low``, oldest change first (CDC)."""
        keys = self.window((low, None))
        live = [(updated, record) for (updated, _), record in zip(keys, self.records(keys), strict=True)]
        start = bisect_left(self._gone_index, (low, -1))
        gone = [(updated, self._gone[entity_id]) for updated, entity_id in self._gone_index[start:]]
        return sorted(live + gone, key=lambda pair: (pair[0], int(pair[1]["Id"])))

    def dump(self) -> list[Record]:
        """Every record ever created, deleted ones as tombstones, by Id."""
        ids = sorted({entity_id for _, entity_id in self._index} | set(self._gone))
        return [self.get(entity_id) or self._gone[entity_id] for entity_id in ids]


@dataclass
class Company:
    """One QBO company (realm): its tables and the few facts handlers need."""

    realm_id: str
    home_currency: str
    currencies: dict[str, str]
    tables: dict[str, Table] = field(default_factory=dict)
    derived: dict[str, Any] = field(default_factory=dict)
    """What is computed from the tables and kept until they change (the ledger behind the reports)."""
    files: dict[str, bytes] = field(default_factory=dict)
    """Uploaded files' bytes by Attachable Id."""

    def table(self, entity: str) -> Table:
        """The entity's table (every entity in ``ENTITIES`` has one, possibly empty)."""
        found = self.tables.get(entity)
        if found is None:
            found = self.tables[entity] = Table(entity)
        return found
