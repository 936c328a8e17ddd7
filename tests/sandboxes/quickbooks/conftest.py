"""Fixtures for the QuickBooks sandbox tests: an app on a controllable clock and an OAuth-connected client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from qbo_client import Clock, Connected, connect

from ledgerport.sandboxes.quickbooks import create_app


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def qbo(clock: Clock) -> AsyncIterator[Connected]:
    app = create_app(seed=7, size="small", clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://qbo.test") as client:
        yield await connect(app, client, clock)
