"""A selective-sync date condition as the day bound a provider query applies: always a superset of what the
condition keeps, so pushing it to the provider never loses a record the sync would store."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ledgerport.store.scopes import Condition, day_bound, matches


def _condition(operator: str, value: str, condition_type: str = "DATE") -> Condition:
    return Condition(
        id="c",
        schema_id="s",
        common_model="Invoice",
        field_name="issue_date",
        native_name="TxnDate",
        condition_type=condition_type,
        operator=operator,
        value=value,
    )


@pytest.mark.parametrize(
    ("operator", "value"),
    [
        ("GREATER_THAN", "2026-06-15"),
        ("GREATER_THAN_OR_EQUAL_TO", "2026-06-15"),
        ("LESS_THAN", "2026-06-15"),
        ("LESS_THAN_OR_EQUAL_TO", "2026-06-15"),
        ("GREATER_THAN_OR_EQUAL_TO", "2026-06-15T23:30:00-05:00"),
        ("LESS_THAN", "2026-06-15T00:30:00+09:00"),
    ],
)
def test_the_bound_keeps_every_day_the_condition_keeps(operator: str, value: str) -> None:
    condition = _condition(operator, value, "DATE" if len(value) == 10 else "DATE_TIME")
    found = day_bound(condition)
    assert found is not None
    lower, day = found
    for offset in range(-5, 6):
        when = date(2026, 6, 15) + timedelta(days=offset)
        kept = matches(condition, datetime(when.year, when.month, when.day, tzinfo=UTC))
        asked = when >= day if lower else when <= day
        assert asked or not kept, f"{when} meets {operator} {value} but the query would leave it out"


def test_conditions_that_are_not_date_ranges_give_no_bound() -> None:
    assert day_bound(_condition("EQUALS", "2026-06-15")) is None
    assert day_bound(_condition("EQUALS", "ACTIVE", "STRING")) is None
