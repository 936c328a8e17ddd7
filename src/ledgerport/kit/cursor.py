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


def encode_cursor(cursor: Cursor) -> str:
    """Render a cursor as URL-safe text."""
    fields = {"p": str(cursor.created), "i": cursor.id}
    if cursor.reverse:
        fields["r"] = "1"
    return base64.urlsafe_b64encode(urlencode(fields).encode()).decode()


def decode_cursor(text: str) -> Cursor:
    """Parse a cursor from :func:`encode_cursor`; raise :class:`InvalidCursor` on anything else."""
    try:
        raw = base64.urlsafe_b64decode(text.encode("ascii") + b"=" * (-len(text) % 4)).decode("ascii")
        fields = parse_qs(raw, strict_parsing=True)
        (position,) = fields["p"]
        (row_id,) = fields["i"]
        reverse = fields.get("r", ["0"]) == ["1"]
        created = int(position)
    except (binascii.Error, UnicodeError, ValueError, KeyError) as exc:
        raise InvalidCursor("not a cursor issued by this server") from exc
    if not _ID.match(row_id) or set(fields) - {"p", "i", "r"}:
        raise InvalidCursor("not a cursor issued by this server")
    return Cursor(created=created, id=row_id, reverse=reverse)
