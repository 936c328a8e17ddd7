"""Fixtures for the NetSuite sandbox: a settable clock and an in-process client holding a token from the real
OAuth flow (helpers in ``netsuite_sandbox_client.py``, a name no other test folder uses)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from netsuite_sandbox_client import NS, Clock, oauth_tokens

from ledgerport.sandboxes.netsuite import create_app


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def ns(clock: Clock) -> AsyncIterator[NS]:
    app = create_app(seed=3, size="small", clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ns.test") as client:
        yield NS(app, client, clock, await oauth_tokens(client))
