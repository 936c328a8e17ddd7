"""Opaque keyset cursors.

A cursor names a position in an ordered list, ``(created_at_micros, id)``, and a direction. It is the base64 of a
query string, like Django REST Framework's ``CursorPagination`` tokens that Merge hands out (``p=...``), so clients
that log or compare cursors see the familiar shape. Because it holds a position rather than an offset, a page
costs the same at any depth and rows inserted meanwhile never shift what the next page returns.
"""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import parse_qs, urlencode

import msgspec

__all__ = ["Cursor", "InvalidCursor", "decode_cursor", "encode_cursor"]

_ID = re.compile(r"^[0-9A-Za-z-]{1,64}$")


class InvalidCursor(ValueError):
    """The text is not a cursor this server issued."""


class Cursor(msgspec.Struct, frozen=True):
    """A keyset position; ``reverse`` pages towards older rows (the ``previous`` link)."""

    created: int
    id: str
    reverse: bool = False
    inclusive: bool = False
    """Whether the row at the position itself belongs to the page (a page that came back empty points here)."""


def encode_cursor(cursor: Cursor) -> str:
    """Render a cursor as URL-safe text."""
    fields = {"p": str(cursor.created), "i": cursor.id}
    if cursor.reverse:
        fields["r"] = "1"
    if cursor.inclusive:
        fields["e"] = "1"
    return base64.urlsafe_b64encode(urlencode(fields).encode()).decode()


def decode_cursor(text: str) -> Cursor:
    """Parse a cursor from :func:`encode_cursor`; raise :class:`InvalidCursor` on anything else."""
    try:
        raw = base64.urlsafe_b64decode(text.encode("ascii") + b"=" * (-len(text) % 4)).decode("ascii")
        fields = parse_qs(raw, strict_parsing=True)
        (position,) = fields["p"]
        (row_id,) = fields["i"]
        reverse = _flag(fields, "r")
        inclusive = _flag(fields, "e")
        created = int(position) if position.isascii() and position.isdigit() else -1
    except (binascii.Error, UnicodeError, ValueError, KeyError) as exc:
        raise InvalidCursor("not a cursor issued by this server") from exc
    if not 0 <= created < 2**63 or not _ID.match(row_id) or set(fields) - {"p", "i", "r", "e"}:
        raise InvalidCursor("not a cursor issued by this server")
    return Cursor(created=created, id=row_id, reverse=reverse, inclusive=inclusive)


def _flag(fields: dict[str, list[str]], name: str) -> bool:
    value = fields.get(name, ["0"])
    if value not in (["0"], ["1"]):
        raise ValueError(f"flag {name} must be 0 or 1")
    return value == ["1"]
