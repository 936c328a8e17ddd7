"""Opaque keyset cursors.

A cursor names a position in an ordered list, ``(created_at_micros, id)``, and a direction. It is the base64 of a
query string, like Django REST Framework's ``CursorPagination`` tokens that Merge hands out (``p=...``), so clients
that log or compare cursors see the familiar shape. Because it holds a position rather than an offset, a page
costs the same at any depth and rows inserted meanwhile never shift what the next page returns.

A cursor is bound to the list that issued it (a model and a linked account, say): it carries a short digest of that
list's ``scope``, and decoding it for another scope fails, so an ``/invoices`` cursor sent to ``/contacts`` or to
another linked account is an error rather than a silent jump to some unrelated position. The digest keeps the
cursor opaque: it names no model or account.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from urllib.parse import parse_qs, urlencode

import msgspec

__all__ = ["Cursor", "ForeignCursor", "InvalidCursor", "decode_cursor", "encode_cursor"]

_ID = re.compile(r"^[0-9A-Za-z-]{1,64}$")
_FIELDS = frozenset({"p", "i", "s", "r", "e"})


class InvalidCursor(ValueError):
    """The text is not a cursor this server issued."""


class ForeignCursor(InvalidCursor):
    """The text is a cursor, but one issued by another list."""


class Cursor(msgspec.Struct, frozen=True):
    """A keyset position; ``reverse`` pages towards older rows (the ``previous`` link)."""

    created: int
    id: str
    reverse: bool = False
    inclusive: bool = False
    """Whether the row at the position itself belongs to the page (a page that came back empty points here)."""


def _scope_tag(scope: str) -> str:
    return hashlib.blake2b(scope.encode(), digest_size=8).hexdigest()


def encode_cursor(cursor: Cursor, *, scope: str) -> str:
    """Render a cursor of the list named ``scope`` as URL-safe text."""
    fields = {"p": str(cursor.created), "i": cursor.id, "s": _scope_tag(scope)}
    if cursor.reverse:
        fields["r"] = "1"
    if cursor.inclusive:
        fields["e"] = "1"
    return base64.urlsafe_b64encode(urlencode(fields).encode()).decode()


def decode_cursor(text: str, *, scope: str) -> Cursor:
    """Parse a cursor that :func:`encode_cursor` made for ``scope``.

    Raise :class:`ForeignCursor` for a cursor of another scope and :class:`InvalidCursor` for anything else.
    """
    try:
        raw = base64.urlsafe_b64decode(text.encode("ascii") + b"=" * (-len(text) % 4)).decode("ascii")
        fields = parse_qs(raw, strict_parsing=True)
        (position,) = fields["p"]
        (row_id,) = fields["i"]
        (tag,) = fields["s"]
        reverse = _flag(fields, "r")
        inclusive = _flag(fields, "e")
        created = int(position) if position.isascii() and position.isdigit() else -1
    except (binascii.Error, UnicodeError, ValueError, KeyError) as exc:
        raise InvalidCursor("not a cursor issued by this server") from exc
    if not 0 <= created < 2**63 or not _ID.match(row_id) or set(fields) - _FIELDS:
        raise InvalidCursor("not a cursor issued by this server")
    if tag != _scope_tag(scope):
        raise ForeignCursor("a cursor issued by another list")
    return Cursor(created=created, id=row_id, reverse=reverse, inclusive=inclusive)


def _flag(fields: dict[str, list[str]], name: str) -> bool:
    value = fields.get(name, ["0"])
    if value not in (["0"], ["1"]):
        raise ValueError(f"flag {name} must be 0 or 1")
    return value == ["1"]
