"""``next_sync_start``: when the schedule, a queued job or a retry next starts an account's sync."""

from __future__ import annotations

from ledgerport.sync.tasks import next_sync_start

NOW = 1_800_000_000_000_000
MINUTE = 60_000_000


def when(**given: object) -> int | None:
    values: dict[str, object] = {
        "queued_at": None,
        "scheduled": True,
        "oldest_finished": NOW - MINUTE,
        "retry_at": None,
        "interval_seconds": 300,
        "now": NOW,
    }
    return next_sync_start(**{**values, **given})  # type: ignore[arg-type]


def test_the_interval_after_the_oldest_finished_model() -> None:
    assert when() == NOW + 4 * MINUTE


def test_an_overdue_account_is_due_now() -> None:
    assert when(oldest_finished=NOW - 60 * MINUTE) == NOW
    assert when(oldest_finished=0) == NOW  # a model never finished


def test_a_retry_ahead_comes_first_and_a_past_one_is_ignored() -> None:
    assert when(retry_at=NOW + MINUTE) == NOW + MINUTE
    assert when(retry_at=NOW - MINUTE) == NOW + 4 * MINUTE


def test_a_queued_job_comes_first_even_unscheduled() -> None:
    assert when(queued_at=NOW + 2 * MINUTE) == NOW + 2 * MINUTE
    assert when(queued_at=NOW - MINUTE, scheduled=False) == NOW


def test_nothing_when_the_schedule_never_syncs_the_account() -> None:
    assert when(scheduled=False) is None
    assert when(scheduled=False, retry_at=NOW + MINUTE) is None
