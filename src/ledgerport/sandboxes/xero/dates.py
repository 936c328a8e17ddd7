"""Xero's wire dates: MS-JSON ``/Date(ms+0000)/`` out; MS-JSON, ISO or RFC 1123 in.

Xero emits .NET-style dates and the official SDK refuses ISO strings where it expects them, so every date leaving
the sandbox is written here. Inside the sandbox a moment is integer milliseconds since the epoch (UTC): comparisons,
sort keys and bisects on it are exact, and no float or naive datetime leaks into the store.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache

__all__ = [
    "DAY_MS",
    "date_string",
    "day_ms",
    "ms_date",
    "ms_date_plain",
    "parse_body_date",
    "parse_if_modified_since",
    "parse_ms_date",
    "start_of_day",
]

DAY_MS = 86_400_000
_MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@lru_cache(maxsize=65_536)
def ms_date(ms: int) -> str:
    """``/Date(ms+0000)/``, the form Xero uses on records (cached: dates repeat across records)."""
    return f"/Date({ms}+0000)/"


def ms_date_plain(ms: int) -> str:
    """``/Date(ms)/``, the offset-less form of the envelope's ``DateTimeUTC``."""
    return f"/Date({ms})/"


@lru_cache(maxsize=65_536)
def date_string(ms: int) -> str:
    """The parallel ``DateString`` field: ``2024-01-31T00:00:00``."""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S")


def day_ms(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> int:
    """Milliseconds at a UTC wall-clock moment."""
    return int(datetime(year, month, day, hour, minute, second, tzinfo=UTC).timestamp() * 1000)


def start_of_day(ms: int) -> int:
    """Midnight UTC of the day holding ``ms`` (Xero's ``Date`` fields carry no time)."""
    return ms - ms % DAY_MS


def parse_ms_date(text: str) -> int | None:
    """``/Date(ms[±zzzz])/`` to ms; the number is already UTC, the offset only says how to display it."""
    found = _MS_DATE.match(text)
    return int(found.group(1)) if found else None


def _parse_iso(text: str) -> int | None:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def parse_body_date(value: object) -> int | None:
    """A date in a request body: ``/Date(ms)/`` (xero-python), ``YYYY-MM-DD`` (the docs) or an ISO timestamp."""
    if not isinstance(value, str) or not value:
        return None
    found = parse_ms_date(value)
    if found is not None:
        return found
    if _ISO_DAY.match(value):
        day = date.fromisoformat(value)
        return day_ms(day.year, day.month, day.day)
    return _parse_iso(value)


def parse_if_modified_since(text: str) -> int | None:
    """The ``If-Modified-Since`` header: RFC 1123 (pyxero) or ISO 8601 from ``isoformat()`` (xero-python)."""
    text = text.strip()
    if not text:
        return None
    if text[0].isalpha():
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return int(moment.timestamp() * 1000)
    found = _parse_iso(text)
    return found if found is not None else parse_ms_date(text)
