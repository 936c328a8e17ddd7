"""Fixtures of the end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness import own_database


@pytest.fixture(scope="module")
def own_database_url(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, empty database of each kind for one module that runs workers.

    The session's database holds every other module's tenants and their queued jobs (a link queues a sync): a worker
    started on it runs those first, against sandboxes long stopped, and the module's own jobs wait behind them."""
    with own_database(database_url, tmp_path_factory.mktemp("own-database")) as url:
        yield url
