"""The sandbox's state: tenant -> environments -> companies -> tables of rows.

A row is a list in the entity set's field order with the row version appended, not a dict: 100,000 invoices with
their lines and G/L entries fit in a few hundred megabytes this way, and ``dict(zip(fields, row))`` renders one in
C. Tables keep insertion order (BC's default order of an API page is its key; the generator inserts in key order).
Contained tables (lines, journal lines, dimension values) also index their rows by parent id.

The row version is BC's SQL rowversion: one counter per company, bumped on every write, rendered as the weak ETag
``W/"<base64('<len>;<digits>;00;')>"`` (FACTS §2: clients treat it as opaque, it changes on every modify).
"""

from __future__ import annotations

import base64
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ledgerport.sandboxes.business_central.catalog import SETS, EntitySet

__all__ = ["Clock", "Company", "Environment", "Row", "Table", "Tenant", "etag_of", "iso_datetime"]

Row = list[Any]


def iso_datetime(seconds: float) -> str:
    """BC's datetime wire form: UTC, milliseconds, ``Z``."""
    stamp = datetime.fromtimestamp(seconds, UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def etag_of(version: int) -> str:
    """The weak ETag of a row version."""
    digits = str(10**19 + version * 7919)
    return 'W/"' + base64.b64encode(f"'{len(digits)};{digits};00;'".encode()).decode() + '"'


@dataclass
class Clock:
    """The sandbox's time: the injected clock plus an offset that ``/_sandbox/clock`` can move."""

    base: Callable[[], float]
    offset: float = 0.0

    def __call__(self) -> float:
        return self.base() + self.offset

    def iso(self) -> str:
        """Now, as a BC datetime."""
        return iso_datetime(self())

    def today(self) -> str:
        """Today's date (UTC), as BC writes dates."""
        return datetime.fromtimestamp(self(), UTC).strftime("%Y-%m-%d")


class Table:
    """The rows of one entity set in one company."""

    def __init__(self, entity_set: EntitySet) -> None:
        self.spec = entity_set
        self.fields = entity_set.fields
        self.pos = {name: index for index, name in enumerate(entity_set.fields)}
        self.rows: dict[str, Row] = {}
        self.children: dict[str, list[str]] = {}
        self._link = self.pos.get(entity_set.link) if entity_set.parent else None

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, row: Row) -> None:
        """Insert a finished row (version last)."""
        self.rows[row[0]] = row
        if self._link is not None:
            self.children.setdefault(row[self._link], []).append(row[0])

    def remove(self, key: str) -> Row | None:
        """Delete by id."""
        row = self.rows.pop(key, None)
        if row is not None and self._link is not None:
            siblings = self.children.get(row[self._link], [])
            if key in siblings:
                siblings.remove(key)
        return row

    def of_parent(self, parent_id: str) -> list[Row]:
        """The contained rows of one parent, in insertion order."""
        return [self.rows[key] for key in self.children.get(parent_id, ()) if key in self.rows]

    def get(self, row: Row, name: str) -> Any:
        """One field of a row."""
        return row[self.pos[name]]

    def record(self, row: Row) -> dict[str, Any]:
        """A row as a field dict (without its version)."""
        return dict(zip(self.fields, row, strict=False))


@dataclass
class Company:
    """One BC company: its tables, number series and row-version counter."""

    id: str
    name: str
    display_name: str
    created_at: str
    tables: dict[str, Table] = field(default_factory=dict)
    series: dict[str, int] = field(default_factory=dict)
    versions: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    last_version: int = 0

    def __post_init__(self) -> None:
        for entity_set in SETS.values():
            if entity_set.kind != "company":
                self.tables.setdefault(entity_set.name, Table(entity_set))

    def next_version(self) -> int:
        """A fresh rowversion."""
        self.last_version = next(self.versions)
        return self.last_version

    def touch(self, table: Table, row: Row, now: str) -> None:
        """A row was written: new version, and ``lastModifiedDateTime`` where the set has one."""
        row[-1] = self.next_version()
        index = table.pos.get("lastModifiedDateTime")
        if index is not None:
            row[index] = now

    def next_number(self, series: str, start: int) -> int:
        """The next number of a number series (BC's No. Series: each use takes the next)."""
        value = self.series.get(series, start) + 1
        self.series[series] = value
        return value

    def wire(self) -> dict[str, Any]:
        """The ``companies`` row."""
        return {
            "id": self.id,
            "systemVersion": "27.0.38460.41200",
            "timestamp": 0,
            "name": self.name,
            "displayName": self.display_name,
            "businessProfileId": "",
            "systemCreatedAt": self.created_at,
            "systemCreatedBy": "00000000-0000-0000-0000-000000000001",
            "systemModifiedAt": self.created_at,
            "systemModifiedBy": "00000000-0000-0000-0000-000000000001",
        }


@dataclass
class Environment:
    """A BC environment (``production``, ``sandbox``) of the tenant."""

    name: str
    type: str
    companies: dict[str, Company] = field(default_factory=dict)

    def company(self, key: str) -> Company | None:
        """A company by id (GUID, any case) or, inside ``$batch``'s ``Company`` header, by name."""
        found = self.companies.get(key.lower())
        if found is not None:
            return found
        return next((c for c in self.companies.values() if c.name == key), None)


@dataclass
class Tenant:
    """The Entra tenant and its environments."""

    id: str
    environments: dict[str, Environment] = field(default_factory=dict)

    def environment(self, name: str) -> Environment | None:
        """Environment names are case-insensitive (FACTS §1, VERIFY)."""
        return self.environments.get(name.lower())
