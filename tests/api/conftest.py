"""Fixtures of the API tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from synced_harness import SyncedOrganization, build_synced, remove_synced

from harness import run


@pytest.fixture(scope="module")
def synced_org(database_url: str) -> Iterator[SyncedOrganization]:
    """A fresh :class:`SyncedOrganization` in the suite's database, for one test module."""
    synced = run(build_synced(database_url))
    yield synced
    run(remove_synced(database_url, synced))
