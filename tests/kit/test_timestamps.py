from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledgerport.kit import clock
from ledgerport.kit.timestamps import canonical, parse_rfc3339


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-02T03:04:05Z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02t03:04:05z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02T03:04:05.5+02:00", datetime(2024, 1, 2, 1, 4, 5, 500000, tzinfo=UTC)),
        ("2024-01-02T03:04:05.123456789Z", datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)),
    ],
)
def test_parses_rfc3339(text: str, expected: datetime) -> None:
    assert parse_rfc3339(text) == expected


@pytest.mark.parametrize(
    "text", ["2024-01-02", "2024-01-02T03:04:05", "yesterday", "2024-W01-1T00:00:00Z", "2024-13-02T03:04:05Z", ""]
)
def test_rejects_everything_else(text: str) -> None:
    with pytest.raises(ValueError, match=r"RFC 3339|month|day|hour"):
        parse_rfc3339(text)


moments = st.datetimes(
    min_value=datetime(1971, 1, 1),  # noqa: DTZ001 - hypothesis takes naive bounds
    max_value=datetime(2200, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@given(moments, moments)
def test_canonical_text_orders_like_time(a: datetime, b: datetime) -> None:
    assert (canonical(a) < canonical(b)) == (a < b)


@given(moments)
def test_micros_round_trip(moment: datetime) -> None:
    assert clock.from_micros(clock.to_micros(moment)) == moment


def test_canonical_normalizes_offsets() -> None:
    eastern = datetime(2024, 1, 1, 12, tzinfo=timezone(timedelta(hours=-5)))
    assert canonical(eastern) == "2024-01-01T17:00:00.000000Z"
