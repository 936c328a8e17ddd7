"""The account's clock and formats: REST writes ISO dates and UTC date-times, SuiteQL stores and shows the
account's time zone (America/Los_Angeles by default, NETSUITE.md) and date format (M/D/YYYY).

Stored SuiteQL values are ``YYYY-MM-DD HH:MM:SS`` in the account zone for both DATE and DATETIME columns, so any
two compare as Oracle DATEs do. ``TO_CHAR`` / ``TO_DATE`` understand the Oracle format elements connectors use.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

__all__ = [
    "ZONE",
    "from_iso_utc",
    "iso_utc",
    "local_text",
    "oracle_format",
    "oracle_parse",
    "parse_user_date",
    "show_date",
]

ZONE = ZoneInfo("America/Los_Angeles")


def iso_utc(epoch: float) -> str:
    """REST's date-time form: ``2025-03-03T12:53:00Z``."""
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_iso_utc(text: str) -> datetime:
    """An aware datetime from REST's ISO form (``Z`` or an offset; naive is read as UTC)."""
    value = text.strip().replace("Z", "+00:00")
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local_text(value: str | None, *, is_date: bool = False) -> str | None:
    """The stored SuiteQL form of a REST date (``YYYY-MM-DD``) or date-time (ISO, UTC)."""
    if not value:
        return None
    if is_date or len(value) == 10:
        return f"{value[:10]} 00:00:00"
    return _local_datetime(value)


@lru_cache(maxsize=8192)
def _local_datetime(value: str) -> str:
    # Cached: a record's createdDate, lastModifiedDate and every line's date are usually the same instant.
    return from_iso_utc(value).astimezone(ZONE).strftime("%Y-%m-%d %H:%M:%S")


def show_date(stored: str) -> str:
    """SuiteQL's default rendering of a DATE or DATETIME without ``TO_CHAR``: the account date format, M/D/YYYY."""
    return f"{int(stored[5:7])}/{int(stored[8:10])}/{stored[:4]}"


_ELEMENTS = re.compile(r'"[^"]*"|YYYY|HH24|HH12|HH|MI|SS|MM|DD|MON|YY|AM|PM|FF\d?|.', re.IGNORECASE)
_MONTHS = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()


_FAST = {  # the formats connectors send on every row, by slicing the stored text
    'YYYY-MM-DD"T"HH24:MI:SS': lambda s: f"{s[:10]}T{s[11:19]}",
    "YYYY-MM-DD HH24:MI:SS": lambda s: s[:19],
    "YYYY-MM-DD": lambda s: s[:10],
}


def oracle_format(stored: str, fmt: str) -> str:
    """``TO_CHAR(value, fmt)`` for a stored date-time."""
    fast = _FAST.get(fmt.upper() if '"' not in fmt else fmt.replace('"t"', '"T"'))
    if fast is not None and len(stored) >= 19:
        return fast(stored)
    text = stored[:19] if len(stored) >= 19 else f"{stored[:10]} 00:00:00"
    moment = datetime.strptime(text, "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007 - an account-zone wall time
    out = []
    for token in _ELEMENTS.findall(fmt):
        upper = token.upper()
        if token.startswith('"'):
            out.append(token[1:-1])
        elif upper == "YYYY":
            out.append(f"{moment.year:04d}")
        elif upper == "YY":
            out.append(f"{moment.year % 100:02d}")
        elif upper == "MM":
            out.append(f"{moment.month:02d}")
        elif upper == "MON":
            out.append(_MONTHS[moment.month - 1])
        elif upper == "DD":
            out.append(f"{moment.day:02d}")
        elif upper == "HH24":
            out.append(f"{moment.hour:02d}")
        elif upper in {"HH", "HH12"}:
            out.append(f"{(moment.hour % 12) or 12:02d}")
        elif upper == "MI":
            out.append(f"{moment.minute:02d}")
        elif upper == "SS":
            out.append(f"{moment.second:02d}")
        elif upper in {"AM", "PM"}:
            out.append("AM" if moment.hour < 12 else "PM")
        elif upper.startswith("FF"):
            out.append("0" * (int(upper[2:]) if len(upper) > 2 else 6))
        else:
            out.append(token)
    return "".join(out)


def oracle_parse(text: str, fmt: str) -> str:
    """``TO_DATE(text, fmt)``: the stored form; raises ``ValueError`` when ``text`` does not fit ``fmt``."""
    parts = {"year": 1970, "month": 1, "day": 1, "hour": 0, "minute": 0, "second": 0}
    pm: bool | None = None
    pos = 0
    for token in _ELEMENTS.findall(fmt):
        upper = token.upper()
        widths = {"YYYY": 4, "YY": 2, "MM": 2, "DD": 2, "HH24": 2, "HH": 2, "HH12": 2, "MI": 2, "SS": 2}
        if token.startswith('"'):
            pos += len(token) - 2
            continue
        if upper in widths:
            match = re.match(rf"\d{{1,{widths[upper]}}}", text[pos:])
            if match is None:
                raise ValueError(f"{text!r} does not match {fmt!r}")
            number = int(match.group())
            pos += len(match.group())
            key = {"YYYY": "year", "YY": "year", "MM": "month", "DD": "day", "MI": "minute", "SS": "second"}.get(
                upper, "hour"
            )
            parts[key] = number + (2000 if upper == "YY" else 0)
        elif upper == "MON":
            parts["month"] = _MONTHS.index(text[pos : pos + 3].upper()) + 1
            pos += 3
        elif upper in {"AM", "PM"}:
            pm = text[pos : pos + 2].upper() == "PM"
            pos += 2
        elif upper.startswith("FF"):
            match = re.match(r"\d*", text[pos:])
            pos += len(match.group()) if match else 0
        else:
            pos += 1
    if pm is not None:
        parts["hour"] = parts["hour"] % 12 + (12 if pm else 0)
    if text[pos:].strip():
        raise ValueError(f"{text!r} does not match {fmt!r}")
    return datetime(**parts).strftime("%Y-%m-%d %H:%M:%S")  # noqa: DTZ001 - an account-zone wall time


def parse_user_date(text: str) -> date:
    """A ``q`` date literal in the user's date format (M/D/YYYY or M/D/YY, as the account's preference); an ISO
    literal is refused, as NetSuite refuses one under a US preference (airbytehq/airbyte #21871)."""
    match = re.fullmatch(r"\s*(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(?:\s+\d{1,2}:\d{2}\s*(?:[ap]m)?)?\s*", text, re.I)
    if match is None:
        raise ValueError(text)
    month, day, year = (int(g) for g in match.groups())
    return date(year + 2000 if year < 100 else year, month, day)
