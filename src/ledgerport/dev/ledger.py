"""``Ledger``: what the factories know about records already written, and the small helpers they share.

The store assigns record ids, so a record that points at another can be built only after that one is written.
:mod:`ledgerport.dev.seed` writes reference data first and fills a ``Ledger`` with the returned ids, pre-digested
into the shapes the hot loops want (prices per currency, tax percentages, terms with their days), so that
generating one invoice is list indexing and a few ``Decimal`` operations, never a lookup by name or a copy.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import msgspec

from ledgerport.dev.catalog import ANCHOR_YEAR, ItemRow, Region
from ledgerport.models import Currency, RemoteData

__all__ = [
    "CENT",
    "DAYS",
    "Goods",
    "Ledger",
    "Party",
    "START",
    "Tax",
    "Term",
    "cents",
    "day",
    "nested_id",
    "remote",
    "stamp",
]

CENT = Decimal("0.01")
START = datetime(ANCHOR_YEAR, 1, 1, tzinfo=UTC)
DAYS = 731  # two calendar years, 2024 being a leap year
_MONTHS = 24


class Term(msgspec.Struct, frozen=True):
    """A payment term's id and how many days after issue it makes an invoice due."""

    id: str
    days: int


class Tax(msgspec.Struct, frozen=True):
    """A tax rate's id and its total percentage."""

    id: str
    percent: Decimal


class Party(msgspec.Struct, frozen=True):
    """A customer or supplier: what an invoice, order or payment needs to know about its contact."""

    id: str
    remote_id: str
    name: str
    region: Region
    term: Term


class Goods(msgspec.Struct, frozen=True):
    """An item as sold (or bought): its id, the account it posts to and its price in every seeded currency."""

    id: str
    row: ItemRow
    account: str
    prices: dict[Currency, Decimal]


class Ledger(msgspec.Struct, kw_only=True):
    """Ids of the reference records written so far, grouped the way the document factories draw from them."""

    realm: str
    company: str = ""
    periods: list[str] = []
    accounts: dict[str, str] = {}  # account number -> id
    taxes: dict[str, Tax] = {}  # tax code -> rate
    classes: list[str] = []
    departments: list[str] = []
    terms: list[Term] = []
    customers: list[Party] = []
    suppliers: list[Party] = []
    sold: list[Goods] = []
    bought: list[Goods] = []
    employees: list[str] = []
    projects: list[str] = []
    sales_orders: list[str] = []
    purchase_orders: list[str] = []

    def period(self, moment: datetime) -> str | None:
        """The monthly accounting period holding ``moment``; ``None`` past the seeded window."""
        index = (moment.year - ANCHOR_YEAR) * 12 + moment.month - 1
        return self.periods[index] if 0 <= index < min(len(self.periods), _MONTHS) else None


def nested_id(rng: random.Random) -> str:
    """A UUID drawn from ``rng``, for lines nested in a document (the store assigns only top-level ids)."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def day(rng: random.Random) -> datetime:
    """Midnight UTC of a day in the seeded two-year window."""
    return START + timedelta(days=rng.randrange(DAYS))


def cents(amount: int) -> Decimal:
    """An integer number of cents as an exact two-place ``Decimal``; amounts are drawn in cents to stay exact."""
    return Decimal(amount).scaleb(-2)


def stamp(moment: datetime) -> str:
    """How QuickBooks writes a timestamp in ``MetaData`` (local offset; the seeded company keeps UTC)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S-00:00")


def remote(ledger: Ledger, resource: str, number: int, data: dict[str, Any]) -> list[RemoteData]:
    """Merge's ``remote_data`` list: the provider JSON of one record, in QuickBooks Online's shape."""
    return [
        RemoteData(
            path=f"/v3/company/{ledger.realm}/{resource}/{number}",
            data={"Id": str(number), "SyncToken": "0", **data},
        )
    ]
