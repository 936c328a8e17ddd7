"""Fixtures for the Xero sandbox: a fake clock, an in-process client and a connected token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from ledgerport.sandboxes.xero import SandboxApp, create_app

REDIRECT = "http://localhost/callback"
SCOPE = "openid profile email offline_access accounting.transactions accounting.contacts accounting.settings"


@dataclass
class Clock:
    """A settable clock, well after the generated timeline."""

    now: float = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(clock: Clock) -> SandboxApp:
    return create_app(seed=7, size="small", clock=clock)


@pytest.fixture
async def client(app: SandboxApp) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox") as c:
        yield c


async def connect(client: httpx.AsyncClient, scope: str = SCOPE, **extra: str) -> dict:
    """The authorize (auto-approve) + code exchange dance; returns the token body."""
    response = await client.get(
        "/identity/connect/authorize",
        params={
            "response_type": "code",
            "client_id": "sandbox-client",
            "redirect_uri": REDIRECT,
            "scope": scope,
            "state": "xyz",
            "auto_approve": "true",
            **extra,
        },
    )
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert "state=xyz" in location
    code = location.split("code=")[1].split("&")[0]
    token = await client.post(
        "/connect/token",
        auth=("sandbox-client", "sandbox-secret"),
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT},
    )
    assert token.status_code == 200, token.text
    return token.json()


@pytest.fixture
async def token(client: httpx.AsyncClient) -> dict:
    return await connect(client)


@pytest.fixture
def tenant_ids(app: SandboxApp) -> list[str]:
    return list(app.tenants)


@pytest.fixture
def headers(token: dict, tenant_ids: list[str]) -> dict[str, str]:
    return {
        "authorization": f"Bearer {token['access_token']}",
        "xero-tenant-id": tenant_ids[0],
        "accept": "application/json",
    }
