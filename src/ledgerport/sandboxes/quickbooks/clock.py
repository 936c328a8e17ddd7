"""QBO's wall-clock formats, in one place so every timestamp the sandbox emits or parses agrees.

QBO writes ``MetaData`` times in US Pacific time with an explicit offset (``2024-01-02T03:04:05-08:00``) and the
envelope ``time`` with milliseconds. The sandbox pins the zone to a fixed UTC-08:00 (no daylight saving) so that the
same seed yields byte-identical data on every machine; any ISO 8601 literal with another offset still compares
correctly because comparisons happen on epoch seconds. A literal without an offset is read in that zone, as QBO
reads one in the company's zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

__all__ = ["ZONE", "format_date", "format_envelope_time", "format_time", "parse_date", "parse_time"]

ZONE = timezone(timedelta(hours=-8))


def format_time(epoch: int) -> str:
    """``MetaData`` style: seconds and offset."""
    return datetime.fromtimestamp(epoch, ZONE).strftime("%Y-%m-%dT%H:%M:%S-08:00")


def format_envelope_time(epoch: float) -> str:
    """The ``time`` attribute of a response: milliseconds and offset."""
    moment = datetime.fromtimestamp(epoch, ZONE)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}-08:00"


def format_date(epoch: int) -> str:
    """The company-zone calendar date of an instant (``TxnDate`` of a generated document)."""
    return datetime.fromtimestamp(epoch, ZONE).strftime("%Y-%m-%d")


def parse_time(text: str) -> float:
    """Epoch seconds of an ISO 8601 date or date-time; raises ``ValueError`` when it is neither."""
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZONE)
    return moment.astimezone(UTC).timestamp()


def parse_date(text: str) -> date:
    """A ``YYYY-MM-DD`` date."""
    return date.fromisoformat(text.strip()[:10])
