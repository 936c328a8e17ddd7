"""Fixtures for the NetSuite sandbox: a settable clock, an in-process client and a token from the real OAuth flow."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from ledgerport.sandboxes.netsuite import NetSuiteSandbox, create_app

REDIRECT = "http://localhost/callback"
RECORDS = "/services/rest/record/v1"
SUITEQL = "/services/rest/query/v1/suiteql"


@dataclass
class Clock:
    """A settable clock (2026-12-05 18:00 UTC, a Saturday morning in Los Angeles)."""

    now: float = 1_796_493_600.0

    def __call__(self) -> float:
        return self.now


@dataclass
class NS:
    """An app, a client and headers that authenticate."""

    app: NetSuiteSandbox
    client: httpx.AsyncClient
    clock: Clock
    tokens: dict[str, Any]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens['access_token']}"}

    async def query(self, sql: str, **params: Any) -> httpx.Response:
        return await self.client.post(
            SUITEQL, params=params, json={"q": sql}, headers={**self.headers, "Prefer": "transient"}
        )

    async def rows(self, sql: str) -> list[dict[str, Any]]:
        response = await self.query(sql)
        assert response.status_code == 200, response.text
        return response.json()["items"]

    async def create(self, type_name: str, body: dict[str, Any], **params: Any) -> httpx.Response:
        return await self.client.post(f"{RECORDS}/{type_name}", params=params, json=body, headers=self.headers)


async def oauth_tokens(client: httpx.AsyncClient) -> dict[str, Any]:
    """The authorization-code flow, consent by ``auto_approve``."""
    response = await client.get(
        "/app/login/oauth2/authorize.nl",
        params={
            "response_type": "code",
            "client_id": "sandbox-client",
            "redirect_uri": REDIRECT,
            "scope": "rest_webservices",
            "state": "state-of-twenty-two-chars",
            "auto_approve": "true",
        },
    )
    assert response.status_code == 302, response.text
    query = parse_qs(urlparse(response.headers["location"]).query)
    assert query["company"] == ["1234567_SB1"]
    token = await client.post(
        "/services/rest/auth/oauth2/v1/token",
        data={"grant_type": "authorization_code", "code": query["code"][0], "redirect_uri": REDIRECT},
        auth=("sandbox-client", "sandbox-secret"),
    )
    assert token.status_code == 200, token.text
    return token.json()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def ns(clock: Clock) -> AsyncIterator[NS]:
    app = create_app(seed=3, size="small", clock=clock)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ns.test") as client:
        yield NS(app, client, clock, await oauth_tokens(client))
