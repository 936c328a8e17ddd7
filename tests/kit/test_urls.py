"""URLs as start lines show them: never a password, in the authority or in the query."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledgerport.kit.urls import shown_url


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://app:s3cret@db:5432/ledgerport", "postgresql://app@db:5432/ledgerport"),
        (
            "postgresql://app@db/ledgerport?sslmode=require&password=s3cret",
            "postgresql://app@db/ledgerport?sslmode=require",
        ),
        ("redis://:s3cret@cache:6379/0", "redis://cache:6379/0"),
        ("rediss://user:s3cret@[::1]:6380/1", "rediss://user@[::1]:6380/1"),
        (
            "redis://cache:6379/0?health_check_interval=5&auth_token=s3cret",
            "redis://cache:6379/0?health_check_interval=5",
        ),
    ],
)
def test_credentials_are_removed(url: str, shown: str) -> None:
    assert shown_url(url) == shown
    assert "s3cret" not in shown_url(url)


def test_sqlite_shows_the_file(tmp_path: Path) -> None:
    assert shown_url(f"sqlite:///{tmp_path}/x.db") == f"sqlite {tmp_path.resolve()}/x.db"
    assert shown_url("sqlite:///:memory:") == "sqlite (in memory)"
