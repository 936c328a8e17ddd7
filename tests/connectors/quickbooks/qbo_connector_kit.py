"""The QuickBooks connector's test kit: a seeded sandbox in-process, tokens from its consent flow, a client on it.

The connector keeps Intuit's real URLs; only the origin is swapped for the sandbox's (``on_sandbox``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import msgspec
import pytest

from harness import SandboxTokens
from ledgerport.connectors._base import AsgiTransport, Request
from ledgerport.connectors._base.auth import OAuthClient, TokenSet, code_request, read_tokens
from ledgerport.connectors._base.client import ProviderClient, RetryPolicy
from ledgerport.connectors.quickbooks import CONNECTOR
from ledgerport.kit.budget import MemoryBudget
from ledgerport.sandboxes.quickbooks import QuickBooksSandbox, create_app

ORIGIN = "http://sandbox"
OAUTH_CLIENT = OAuthClient(client_id="sandbox-client", client_secret="sandbox-secret", redirect_uri="http://l/cb")


def on_sandbox(url: str) -> str:
    """A real Intuit URL with only its origin swapped for the sandbox's."""
    return f"{ORIGIN}{urlsplit(url).path}"


class MemoryTokens(SandboxTokens):
    """One token set in memory, refreshed against the sandbox's token endpoint."""

    def __init__(self, transport: AsgiTransport, tokens: TokenSet) -> None:
        oauth = msgspec.structs.replace(CONNECTOR.auth, token_url=on_sandbox(CONNECTOR.auth.token_url))
        super().__init__(transport, tokens, oauth=oauth, client=OAUTH_CLIENT)


async def link(transport: AsgiTransport, realm: str | None = None) -> TokenSet:
    """The consent flow, headless (``auto_approve``): authorize → callback facts → code exchange."""
    query = {
        "client_id": OAUTH_CLIENT.client_id,
        "redirect_uri": OAUTH_CLIENT.redirect_uri,
        "response_type": "code",
        "scope": " ".join(CONNECTOR.auth.scopes),
        "state": "s",
        "auto_approve": "true",
        **({"realm_id": realm} if realm else {}),
    }
    redirect = await transport.send(
        Request(method="GET", url=f"{on_sandbox(CONNECTOR.auth.authorize_url)}?{urlencode(query)}")
    )
    assert redirect.status == 302, redirect.body
    callback = {k: v[0] for k, v in parse_qs(urlsplit(redirect.headers["location"]).query).items()}
    assert CONNECTOR.account_facts is not None
    facts = CONNECTOR.account_facts(callback)
    oauth = msgspec.structs.replace(CONNECTOR.auth, token_url=on_sandbox(CONNECTOR.auth.token_url))
    response = await transport.send(code_request(oauth, OAUTH_CLIENT, callback["code"]))
    return read_tokens(response, now=time.time(), extra=facts)


async def call(transport: AsgiTransport, method: str, path: str, body: Any = None, **params: str) -> Any:
    """A raw call to the sandbox (its control surface, or writes that set up a scenario)."""
    query = f"?{urlencode(params)}" if params else ""
    response = await transport.send(
        Request(
            method=method,
            url=f"{ORIGIN}{path}{query}",
            headers={"Content-Type": "application/json"},
            body=None if body is None else msgspec.json.encode(body),
        )
    )
    return response


@pytest.fixture
def sandbox() -> QuickBooksSandbox:
    return create_app(seed=1, size="small", limits=False)


@pytest.fixture
def transport(sandbox: QuickBooksSandbox) -> AsgiTransport:
    return AsgiTransport(sandbox)


@pytest.fixture
def realm(sandbox: QuickBooksSandbox) -> str:
    return sandbox.state.realm_ids[0]


@pytest.fixture
async def tokens(transport: AsgiTransport) -> MemoryTokens:
    return MemoryTokens(transport, await link(transport))


ClientFactory = Callable[..., ProviderClient]


@pytest.fixture
def make_client(transport: AsgiTransport, tokens: MemoryTokens) -> ClientFactory:
    """``make_client(realm=None, tokens=None, **retry)``: a ProviderClient on the sandbox for one realm."""

    def build(realm: str | None = None, token_source: Any = None, **retry: float) -> ProviderClient:
        source = token_source or tokens
        account = {"realm_id": realm or source.tokens.extra["realm_id"]}
        return ProviderClient(
            CONNECTOR,
            transport=transport,
            tokens=source,
            budget=MemoryBudget(),
            budget_key=account["realm_id"],
            context=CONNECTOR.context(account, base_url=ORIGIN),
            retry=RetryPolicy(**{"base_delay": 0.0, "max_throttle_wait": 1.0, "attempts": 2, **retry}),
        )

    return build


@pytest.fixture
def headers(tokens: MemoryTokens) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens.tokens.access_token}", "Accept": "application/json"}
