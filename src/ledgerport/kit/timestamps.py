"""Strict RFC 3339 date-times on the way in, one canonical form on the way out.

Python's ``datetime.fromisoformat`` accepts far more than RFC 3339 (week dates, missing offsets, ``2024-01-02``);
an API that accepts those silently answers a different question than the caller asked, so query parameters go
through :func:`parse_rfc3339`. :func:`canonical` renders any moment as fixed-width UTC text whose lexicographic
order is its chronological order, which is how the store compares date filters on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

__all__ = ["canonical", "parse_rfc3339"]

_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$",
    re.ASCII,
)


def parse_rfc3339(text: str) -> datetime:
    """Parse an RFC 3339 date-time with an explicit offset; raise ``ValueError`` on anything else."""
    match = _RFC3339.match(text)
    if match is None:
        raise ValueError("expected an RFC 3339 date-time such as 2024-01-02T03:04:05Z")
    fraction = match.group(7) or ""
    normalized = text[: match.start(7)] if fraction else text[: match.start(8)]
    micros = (fraction[1:] + "000000")[:6] if fraction else ""
    offset = match.group(8)
    offset = "+00:00" if offset in {"Z", "z"} else offset
    stamp = normalized.replace("t", "T").replace(" ", "T")
    moment = datetime.fromisoformat(f"{stamp}{'.' + micros if micros else ''}{offset}")
    try:
        moment.astimezone(UTC)
    except OverflowError as exc:  # 0001-01-01T00:00:00+01:00 lies before the first representable instant
        raise ValueError("the date-time lies outside years 1 to 9999 in UTC") from exc
    return moment


def canonical(moment: datetime) -> str:
    """Fixed-width UTC text (``2024-01-02T03:04:05.000000Z``); naive values are taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
