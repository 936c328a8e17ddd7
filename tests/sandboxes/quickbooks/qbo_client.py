"""Test-side QBO client pieces: a hand-moved clock and a headless OAuth connection (imported by conftest and tests)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

import httpx

from ledgerport.sandboxes.quickbooks import QuickBooksSandbox

START = 1_790_000_000.0  # 2026-09-21, a fixed "now" for deterministic data
REDIRECT = "http://localhost:9999/callback"
BASIC = "Basic " + base64.b64encode(b"sandbox-client:sandbox-secret").decode()


class Clock:
    """A clock tests move by hand."""

    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Connected:
    """An in-process client holding tokens for one realm."""

    app: QuickBooksSandbox
    client: httpx.AsyncClient
    clock: Clock
    realm: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}", "Accept": "application/json"}

    def url(self, path: str) -> str:
        return f"/v3/company/{self.realm}/{path}"

    async def query(self, text: str) -> httpx.Response:
        return await self.client.get(
            self.url("query"), params={"query": text, "minorversion": "75"}, headers=self.headers
        )

    async def post(self, path: str, body: object, **params: str) -> httpx.Response:
        return await self.client.post(self.url(path), json=body, params=params, headers=self.headers)

    async def get(self, path: str, **params: str) -> httpx.Response:
        return await self.client.get(self.url(path), params=params, headers=self.headers)


async def connect(
    app: QuickBooksSandbox,
    client: httpx.AsyncClient,
    clock: Clock,
    realm: str | None = None,
) -> Connected:
    """Drive the authorization-code flow headlessly (``auto_approve=true``)."""
    params = {
        "client_id": "sandbox-client",
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": "com.intuit.quickbooks.accounting",
        "state": "xyz",
        "auto_approve": "true",
    }
    if realm is not None:
        params["realm_id"] = realm
    redirect = await client.get("/connect/oauth2", params=params)
    assert redirect.status_code == 302
    callback = parse_qs(urlparse(redirect.headers["location"]).query)
    assert callback["state"] == ["xyz"]
    tokens = await client.post(
        "/oauth2/v1/tokens/bearer",
        headers={"Authorization": BASIC},
        data={"grant_type": "authorization_code", "code": callback["code"][0], "redirect_uri": REDIRECT},
    )
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    return Connected(app, client, clock, callback["realmId"][0], body["access_token"], body["refresh_token"])
