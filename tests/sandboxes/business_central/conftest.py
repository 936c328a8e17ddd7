"""Fixtures for the Business Central sandbox: a settable clock, an in-process client, a linked token and URLs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from ledgerport.sandboxes.business_central import SandboxApp, create_app

REDIRECT = "http://localhost/callback"
SCOPE = "https://api.businesscentral.dynamics.com/.default offline_access"


@dataclass
class Clock:
    """A settable clock, after the generated timeline."""

    now: float = 1_790_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def app(clock: Clock) -> SandboxApp:
    return create_app(seed=3, size="small", clock=clock)


@pytest.fixture
async def client(app: SandboxApp) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox") as c:
        yield c


async def link(client: httpx.AsyncClient, scope: str = SCOPE) -> dict:
    """The authorize (auto-approve) + code exchange dance; returns the token body."""
    response = await client.get(
        "/organizations/oauth2/v2.0/authorize",
        params={
            "response_type": "code",
            "client_id": "sandbox-client",
            "redirect_uri": REDIRECT,
            "scope": scope,
            "state": "s1",
            "auto_approve": "true",
        },
    )
    assert response.status_code == 302, response.text
    location = httpx.URL(response.headers["location"])
    assert location.params["state"] == "s1"
    token = await client.post(
        "/organizations/oauth2/v2.0/token",
        data={
            "grant_type": "authorization_code",
            "client_id": "sandbox-client",
            "client_secret": "sandbox-secret",
            "code": location.params["code"],
            "redirect_uri": REDIRECT,
        },
    )
    assert token.status_code == 200, token.text
    return token.json()


@pytest.fixture
async def auth(client: httpx.AsyncClient) -> dict[str, str]:
    body = await link(client)
    return {"Authorization": f"Bearer {body['access_token']}"}


@pytest.fixture
def tenant_id(app: SandboxApp) -> str:
    return app.tenant.id


@pytest.fixture
def company_id(app: SandboxApp) -> str:
    return next(c.id for c in app.tenant.environments["production"].companies.values() if c.name == "CRONUS USA, Inc.")


@pytest.fixture
def base(tenant_id: str, company_id: str) -> str:
    """The API root of the first production company."""
    return f"/v2.0/{tenant_id}/production/api/v2.0/companies({company_id})"
