"""The one place the process reads the time, so tests and the store agree on resolution (microseconds, UTC)."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["from_micros", "now", "now_micros", "to_micros"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def now() -> datetime:
    """The current time, tz-aware UTC, truncated to microseconds like every stored timestamp."""
    return datetime.now(UTC)


def to_micros(moment: datetime) -> int:
    """Microseconds since the epoch; integers order and compare the same on SQLite and PostgreSQL."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass a tz-aware datetime")
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(micros: int) -> datetime:
    """The inverse of :func:`to_micros`."""
    seconds, micro = divmod(micros, 1_000_000)
    return datetime.fromtimestamp(seconds, UTC).replace(microsecond=micro)


def now_micros() -> int:
    """:func:`now` as epoch microseconds."""
    return to_micros(now())
