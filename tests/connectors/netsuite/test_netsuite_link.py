"""Linking NetSuite accounts into a real database: OAuth 2.0 with the account id the callback names (its token
endpoint at the account's host), TBA credentials sealed at rest, and an expired refresh token surfacing as a
relink. The provider is scripted (the sandbox's end-to-end tests are in tests/e2e/)."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from harness import TEST_SEALING_KEY
from ledgerport.connectors._base import AuthRevoked, FunctionTransport, Rejected, Request, Response
from ledgerport.connectors._base.auth import OAuthClient, decode_tokens
from ledgerport.connectors._base.registrations import Registrations
from ledgerport.connectors.netsuite import CONNECTOR
from ledgerport.kit.budget import MemoryBudget
from ledgerport.kit.sealing import Sealer
from ledgerport.linking import EndUser, complete, link_sandbox, link_with_credentials, typed_facts
from ledgerport.remote import open_provider
from ledgerport.store import Database, accounts
from ledgerport.store.accounts import find_linked_account_by_id
from ledgerport.store.credentials import find_credentials
from ledgerport.sync import SyncDeps, sync_account

ORIGIN = "http://netsuite.sandbox.test"
CLIENT = OAuthClient("sandbox-client", "sandbox-secret", "http://127.0.0.1/callback")
SEALER = Sealer([TEST_SEALING_KEY])
END_USER = EndUser(organization_name="Wolfe Electronics", email_address="owner@wolfe.example")


class Provider:
    """NetSuite's consent and token endpoints as the contract pins them; ``refresh_ok`` off answers invalid_grant."""

    def __init__(self, company: str | None = "1234567_SB1") -> None:
        self.company = company
        self.refresh_ok = True
        self.seen: list[Request] = []

    def __call__(self, request: Request) -> Response:
        self.seen.append(request)
        path = urlsplit(request.url).path
        if path.endswith("/app/login/oauth2/authorize.nl"):
            query = dict(parse_qsl(urlsplit(request.full_url).query))
            back = {"code": "the-code", "state": query["state"], "role": "3", "entity": "9"}
            if self.company:
                back["company"] = self.company
            return Response(status=302, headers={"location": f"{query['redirect_uri']}?{urlencode(back)}"}, body=b"")
        if path.endswith("/services/rest/auth/oauth2/v1/token"):
            form = dict(parse_qsl((request.body or b"").decode()))
            if form["grant_type"] == "refresh_token" and not self.refresh_ok:
                return Response(status=400, headers={}, body=b'{"error":"invalid_grant"}')
            tokens = {"access_token": "jwt-a", "refresh_token": "jwt-r", "expires_in": "3600", "token_type": "bearer"}
            if form["grant_type"] == "refresh_token":
                tokens["expires_in"] = "3600"
            return Response(status=200, headers={}, body=json.dumps(tokens).encode())
        return Response(status=404, headers={}, body=b"{}")


async def _organization(database: Database) -> uuid.UUID:
    async with database.write() as session:
        return await accounts.create_organization(session, name=f"ns-{uuid.uuid4().hex[:6]}")


def _deps(database: Database, transport: FunctionTransport) -> SyncDeps:
    return SyncDeps(
        database=database,
        sealer=SEALER,
        connectors={CONNECTOR.key: CONNECTOR},
        registrations=Registrations(configured={}, sandbox_origins={}, sandbox_client=CLIENT),
        transport=lambda _origin: transport,
        budget=MemoryBudget(),
    )


@pytest.fixture
async def database(database_url: str) -> Any:
    opened = Database(database_url)
    yield opened
    await opened.dispose()


async def test_oauth_link_learns_the_account_from_the_callback(database: Database) -> None:
    provider = Provider()
    transport = FunctionTransport(provider)
    made = await link_sandbox(
        database,
        sealer=SEALER,
        connector=CONNECTOR,
        client=CLIENT,
        transport=transport,
        organization_id=await _organization(database),
        sandbox_url=ORIGIN,
        end_user=END_USER,
    )
    authorize, token = provider.seen
    assert urlsplit(authorize.url).path == "/app/login/oauth2/authorize.nl"
    assert dict(parse_qsl(urlsplit(authorize.full_url).query))["scope"] == "rest_webservices"
    assert token.url == f"{ORIGIN}/services/rest/auth/oauth2/v1/token"
    assert token.headers["Authorization"].startswith("Basic ")
    opened = await open_provider(_deps(database, transport), made.account.id)
    assert opened.facts == {"account_id": "1234567_SB1", "host": "1234567-sb1"}
    assert opened.client.context.base_url == ORIGIN
    assert opened.account.integration == "netsuite"


async def test_the_real_provider_needs_the_account_id_first(database: Database) -> None:
    """Without a sandbox origin the token endpoint is the account's host: known from the callback or typed."""
    provider = Provider(company=None)
    transport = FunctionTransport(provider)
    organization_id = await _organization(database)
    params = {"code": "the-code", "state": "s"}
    with pytest.raises(Rejected, match="NetSuite account ID"):
        await complete(
            database,
            sealer=SEALER,
            connector=CONNECTOR,
            client=CLIENT,
            transport=transport,
            organization_id=organization_id,
            params=params,
            end_user=END_USER,
            base_url=None,
        )
    assert provider.seen == []  # nothing was sent anywhere
    made = await complete(
        database,
        sealer=SEALER,
        connector=CONNECTOR,
        client=CLIENT,
        transport=transport,
        organization_id=organization_id,
        params=params,
        end_user=END_USER,
        base_url=None,
        facts=typed_facts(CONNECTOR, {"account_id": "7654321"}),
    )
    assert provider.seen[0].url == "https://7654321.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token"
    async with database.read() as session:
        stored = await find_credentials(session, sealer=SEALER, linked_account_id=made.account.id)
    assert stored is not None
    assert decode_tokens(stored.secret).extra == {"account_id": "7654321", "host": "7654321"}


async def test_tba_credentials_are_sealed_and_sign_requests(database: Database) -> None:
    given = {
        "account_id": "1234567-sb1",
        "consumer_key": "ck",
        "consumer_secret": "cs",
        "token_id": "ti",
        "token_secret": "ts",
    }
    made = await link_with_credentials(
        database,
        sealer=SEALER,
        connector=CONNECTOR,
        organization_id=await _organization(database),
        given=given,
        end_user=END_USER,
        base_url=ORIGIN,
    )
    async with database.read() as session:
        stored = await find_credentials(session, sealer=SEALER, linked_account_id=made.account.id)
    assert stored is not None
    tokens = decode_tokens(stored.secret)
    assert tokens.secrets == {"consumer_key": "ck", "consumer_secret": "cs", "token_id": "ti", "token_secret": "ts"}
    assert tokens.extra == {"account_id": "1234567_SB1", "host": "1234567-sb1"}
    sent: list[Request] = []

    def answer(request: Request) -> Response:
        sent.append(request)
        return Response(status=200, headers={}, body=b'{"items": [], "hasMore": false}')

    opened = await open_provider(_deps(database, FunctionTransport(answer)), made.account.id)
    await opened.client.json(Request(method="POST", url=f"{ORIGIN}/services/rest/query/v1/suiteql"))
    assert sent[0].headers["Authorization"].startswith('OAuth realm="1234567_SB1"')
    with pytest.raises(Rejected, match="token_secret"):
        await link_with_credentials(
            database,
            sealer=SEALER,
            connector=CONNECTOR,
            organization_id=await _organization(database),
            given={**given, "token_secret": ""},
            end_user=END_USER,
            base_url=ORIGIN,
        )


async def test_an_expired_refresh_token_asks_for_a_relink(database: Database) -> None:
    provider = Provider()
    transport = FunctionTransport(provider)
    made = await link_sandbox(
        database,
        sealer=SEALER,
        connector=CONNECTOR,
        client=CLIENT,
        transport=transport,
        organization_id=await _organization(database),
        sandbox_url=ORIGIN,
        end_user=END_USER,
    )
    provider.refresh_ok = False
    deps = _deps(database, transport)
    opened = await open_provider(deps, made.account.id)
    with pytest.raises(AuthRevoked, match="invalid_grant"):
        await opened.client.tokens.refresh(await opened.client.tokens.current())
    # a sync meeting it marks the account for relinking
    async with database.write() as session:
        import msgspec

        from ledgerport.connectors._base.auth import encode_tokens
        from ledgerport.store.credentials import lock_credentials, replace_credentials

        locked = await lock_credentials(session, sealer=SEALER, linked_account_id=made.account.id)
        assert locked is not None
        expired = msgspec.structs.replace(decode_tokens(locked.secret), expires_at=0.0)
        await replace_credentials(
            session,
            sealer=SEALER,
            linked_account_id=made.account.id,
            expected_version=locked.version,
            secret=encode_tokens(expired),
        )
    with pytest.raises(AuthRevoked):
        await sync_account(deps, made.account.id)
    async with database.read() as session:
        account = await find_linked_account_by_id(session, account_id=made.account.id)
    assert account is not None
    assert account.status == "RELINK_NEEDED"
