"""How a stream walks its pages, as small sans-I/O values.

A paginator knows the position of the first page and, given how many records a page held, the position of the
next one (or ``None`` at the end). The stream's request builder turns a position into a request, so the same
``StartPosition`` serves QBO's query language and ``PageNumber`` Xero's ``page`` parameter. :func:`guard` stops a
walk that would go on forever (a provider that ignores the position and repeats a page).
"""

from __future__ import annotations

from typing import Protocol

import msgspec

from ledgerport.connectors._base.errors import Malformed

__all__ = ["Offset", "PageNumber", "Paginator", "StartPosition", "guard"]


class Paginator(Protocol):
    """Positions of successive pages."""

    size: int

    @property
    def first(self) -> int:
        """The position of the first page."""
        ...

    def advance(self, position: int, count: int) -> int | None:
        """The position after a page of ``count`` records at ``position``, or ``None`` when it was the last."""
        ...


class PageNumber(msgspec.Struct, frozen=True):
    """``page=1, 2, ...``; a short page is the last (Xero)."""

    size: int = 100

    @property
    def first(self) -> int:
        """Pages count from 1."""
        return 1

    def advance(self, position: int, count: int) -> int | None:
        """The next page number."""
        return position + 1 if count >= self.size else None


class StartPosition(msgspec.Struct, frozen=True):
    """1-based record position (QBO's ``STARTPOSITION``); a short page is the last."""

    size: int = 1000

    @property
    def first(self) -> int:
        """Records count from 1."""
        return 1

    def advance(self, position: int, count: int) -> int | None:
        """The position of the first record of the next page."""
        return position + count if count >= self.size else None


class Offset(msgspec.Struct, frozen=True):
    """0-based record offset (NetSuite's ``offset``); a short page is the last."""

    size: int = 1000

    @property
    def first(self) -> int:
        """Offsets count from 0."""
        return 0

    def advance(self, position: int, count: int) -> int | None:
        """The offset of the next page."""
        return position + count if count >= self.size else None


def guard(seen_keys: set[str], page_keys: list[str]) -> None:
    """Raise :class:`Malformed` when a whole non-empty page repeats records already seen in this walk."""
    if page_keys and all(key in seen_keys for key in page_keys):
        raise Malformed("the provider returned a page of records already seen; paging would loop")
    seen_keys.update(page_keys)
