"""Helpers shared by the Xero connector tests (a unique module name: test folders here are not packages)."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import msgspec

from harness import SandboxTokens
from ledgerport.connectors._base import AsgiTransport, Request
from ledgerport.connectors._base.auth import OAuthClient, TokenSet, read_tokens
from ledgerport.connectors.xero import CONNECTOR

ORIGIN = "http://sandbox"
OAUTH_CLIENT = OAuthClient(client_id="sandbox-client", client_secret="sandbox-secret", redirect_uri="http://l/cb")


def on_sandbox(url: str) -> str:
    """A real Xero URL with only its origin swapped for the sandbox's."""
    parts = urlsplit(url)
    return f"{ORIGIN}{parts.path}"


class MemoryTokens(SandboxTokens):
    """One token set in memory, refreshed against the sandbox's token endpoint."""

    def __init__(self, transport: AsgiTransport, tokens: TokenSet) -> None:
        oauth = msgspec.structs.replace(CONNECTOR.auth, token_url=on_sandbox(CONNECTOR.auth.token_url))
        super().__init__(transport, tokens, oauth=oauth, client=OAUTH_CLIENT)


async def mint(transport: AsgiTransport, tenants: list[str], scope: str | None = None) -> TokenSet:
    """A token set from the sandbox's control surface (no consent page)."""
    body = msgspec.json.encode({"tenants": tenants, **({"scope": scope} if scope else {})})
    response = await transport.send(Request(method="POST", url=f"{ORIGIN}/_sandbox/tokens", body=body))
    assert response.status == 200, response.body
    return read_tokens(response, now=time.time())
