"""The in-memory organisation store: per collection, records by slot plus an index sorted by UpdatedDateUTC.

A slot is a record's position in creation order. Generated records are built on first read from the tenant's
seed (``builder``), so a 100,000-invoice sandbox holds ids and timestamps, not 100,000 dicts; a record that has
been written is kept as a dict. ``UpdatedDateUTC`` values are unique and grow with every write, so the index is two
parallel sorted lists and an If-Modified-Since page is one bisect plus a slice, whatever the collection's size.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ledgerport.sandboxes.xero.catalog import Spec
from ledgerport.sandboxes.xero.dates import ms_date

__all__ = ["Builder", "Collection", "Tenant"]

Record = dict[str, Any]
Builder = Callable[[int], Record]


class Collection:
    """One collection of one tenant."""

    def __init__(
        self,
        spec: Spec,
        ids: list[str],
        updated: list[int],
        builder: Builder | None = None,
        records: list[Record | None] | None = None,
        numbers: dict[str, int] | None = None,
    ) -> None:
        self.spec = spec
        self.ids = ids
        self.updated = updated
        self.builder = builder
        self.records: list[Record | None] = records if records is not None else [None] * len(ids)
        self.slot_of = {key.lower(): slot for slot, key in enumerate(ids)}
        self.numbers = numbers if numbers is not None else {}
        pairs = sorted(zip(updated, range(len(ids)), strict=True))
        self.index_ms = [ms for ms, _ in pairs]
        self.index_slot = [slot for _, slot in pairs]
        self.removed: set[int] = set()
        self.last_ms = max(updated, default=0)

    def __len__(self) -> int:
        return len(self.index_ms)

    def get(self, slot: int) -> Record:
        """The record in ``slot``, building it from the seed if it was never written."""
        record = self.records[slot]
        if record is not None:
            return record
        assert self.builder is not None
        return self.builder(slot)

    def find(self, key: str) -> int | None:
        """The slot of an id (any case) or, failing that, of the alternate key (InvoiceNumber, Code, Name...)."""
        lowered = key.lower()
        slot = self.slot_of.get(lowered)
        return slot if slot is not None else self.numbers.get(lowered)

    def live_slots(self, since_ms: int | None = None, *, descending: bool = False) -> list[int]:
        """Slots in UpdatedDateUTC order, only those updated strictly after ``since_ms``."""
        start = 0 if since_ms is None else bisect.bisect_right(self.index_ms, since_ms)
        slots = self.index_slot[start:]
        return slots[::-1] if descending else slots

    def count_since(self, since_ms: int | None) -> int:
        """How many live records were updated after ``since_ms``: one bisect."""
        return len(self.index_ms) - (0 if since_ms is None else bisect.bisect_right(self.index_ms, since_ms))

    def page_slots(self, since_ms: int | None, offset: int, limit: int, *, descending: bool = False) -> list[int]:
        """One page of slots in UpdatedDateUTC order without touching the rest of the index."""
        start = 0 if since_ms is None else bisect.bisect_right(self.index_ms, since_ms)
        if not descending:
            return self.index_slot[start + offset : start + offset + limit]
        end = len(self.index_slot) - offset
        return self.index_slot[max(start, end - limit) : max(start, end)][::-1]

    def all_records(self) -> Iterator[Record]:
        """Every record ever created, removed ones included (the sandbox dump)."""
        return (self.get(slot) for slot in range(len(self.ids)))

    def _stamp(self, now_ms: int) -> int:
        self.last_ms = max(now_ms, self.last_ms + 1)
        return self.last_ms

    def _unindex(self, slot: int) -> None:
        position = bisect.bisect_left(self.index_ms, self.updated[slot])
        if position < len(self.index_slot) and self.index_slot[position] == slot:
            del self.index_ms[position]
            del self.index_slot[position]

    def put(self, record: Record, now_ms: int, slot: int | None = None) -> int:
        """Store a written record; stamps UpdatedDateUTC strictly after every earlier write. Returns the slot."""
        stamp = self._stamp(now_ms)
        if "UpdatedDateUTC" in record or self.spec.modified_since:
            record["UpdatedDateUTC"] = ms_date(stamp)
        if slot is None:
            slot = len(self.ids)
            self.ids.append(str(record[self.spec.key]))
            self.slot_of[self.ids[slot].lower()] = slot
            self.updated.append(stamp)
            self.records.append(record)
        else:
            old = self.spec.number and self.get(slot).get(self.spec.number)
            if old and str(old) != str(record.get(self.spec.number)):
                self.numbers.pop(str(old).lower(), None)
            self._unindex(slot)
            self.updated[slot] = stamp
            self.records[slot] = record
        self.index_ms.append(stamp)
        self.index_slot.append(slot)
        if self.spec.number and record.get(self.spec.number):
            self.numbers[str(record[self.spec.number]).lower()] = slot
        return slot

    def remove(self, slot: int) -> None:
        """A hard delete (Items): gone from reads and lookups, kept for the dump."""
        self._unindex(slot)
        self.removed.add(slot)
        self.slot_of.pop(self.ids[slot].lower(), None)
        number = self.spec.number and self.get(slot).get(self.spec.number)
        if number:
            self.numbers.pop(str(number).lower(), None)


@dataclass
class Tenant:
    """One organisation: its Organisation record and its collections."""

    tenant_id: str
    name: str
    organisation: Record
    collections: dict[str, Collection]
    rates: dict[str, Any] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    idempotency: dict[str, tuple[str, Any]] = field(default_factory=dict)
    ledger: Any = None
    """The organisation's journals (``journals.Book``), made when first read."""

    def next_number(self, prefix: str) -> int:
        """The next document number for a prefix (INV, CN, PO)."""
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return self.counters[prefix]
