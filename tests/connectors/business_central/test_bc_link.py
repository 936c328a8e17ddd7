"""Linking Business Central companies into a real database and syncing them, against a scripted BC
(``bc_fake``): the tenant learnt from the token, the environment and company chosen, refresh tokens rotated and
stored, invalid_grant as a relink, and full, incremental and reconciling syncs (the sandbox's end-to-end tests are
in tests/e2e/)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import msgspec
import pytest
from bc_fake import COMPANY, TENANT, USER, FakeBusinessCentral, seeded

from harness import TEST_SEALING_KEY
from ledgerport.connectors._base import AuthRevoked, FunctionTransport, Rejected
from ledgerport.connectors._base.auth import OAuthClient, decode_tokens, encode_tokens
from ledgerport.connectors._base.client import RetryPolicy
from ledgerport.connectors._base.registrations import Registrations
from ledgerport.connectors.business_central import CONNECTOR
from ledgerport.kit.budget import MemoryBudget
from ledgerport.kit.sealing import Sealer
from ledgerport.linking import EndUser, complete, link_sandbox, typed_facts
from ledgerport.remote import open_provider
from ledgerport.store import Database, accounts
from ledgerport.store.accounts import find_linked_account_by_id
from ledgerport.store.credentials import find_credentials, lock_credentials, replace_credentials
from ledgerport.store.records import count_records, find_record, live_remote_ids, record_id
from ledgerport.sync import SyncDeps, sync_account

ORIGIN = "http://bc.sandbox.test"
CLIENT = OAuthClient("sandbox-client", "sandbox-secret", "http://127.0.0.1/callback")
SEALER = Sealer([TEST_SEALING_KEY])
END_USER = EndUser(organization_name="CRONUS", email_address="owner@cronus.example")


async def _organization(database: Database) -> uuid.UUID:
    async with database.write() as session:
        return await accounts.create_organization(session, name=f"bc-{uuid.uuid4().hex[:6]}")


def _deps(database: Database, transport: FunctionTransport) -> SyncDeps:
    return SyncDeps(
        database=database,
        sealer=SEALER,
        connectors={CONNECTOR.key: CONNECTOR},
        registrations=Registrations(configured={}, sandbox_origins={}, sandbox_client=CLIENT),
        transport=lambda _origin: transport,
        budget=MemoryBudget(),
        retry=RetryPolicy(base_delay=0.001, max_delay=0.01),
    )


@pytest.fixture
async def database(database_url: str) -> Any:
    opened = Database(database_url)
    yield opened
    await opened.dispose()


async def _link(database: Database, provider: FakeBusinessCentral, **typed: str) -> Any:
    return await link_sandbox(
        database,
        sealer=SEALER,
        connector=CONNECTOR,
        client=CLIENT,
        transport=FunctionTransport(provider),
        organization_id=await _organization(database),
        sandbox_url=ORIGIN,
        end_user=END_USER,
        facts=typed_facts(CONNECTOR, typed),
    )


async def _facts(database: Database, account_id: uuid.UUID) -> dict[str, str]:
    async with database.read() as session:
        stored = await find_credentials(session, sealer=SEALER, linked_account_id=account_id)
    assert stored is not None
    return dict(decode_tokens(stored.secret).extra)


async def test_a_link_learns_the_tenant_and_takes_the_first_production_company(database: Database) -> None:
    provider = FakeBusinessCentral(ORIGIN)
    made = await _link(database, provider)
    authorize, exchange, companies = provider.seen
    query = dict(parse_qsl(urlsplit(authorize.full_url).query))
    assert urlsplit(authorize.url).path == "/organizations/oauth2/v2.0/authorize"
    assert query["scope"] == "https://api.businesscentral.dynamics.com/.default offline_access"
    assert exchange.url == f"{ORIGIN}/organizations/oauth2/v2.0/token"  # the tenant is not known yet
    assert dict(parse_qsl((exchange.body or b"").decode()))["client_secret"] == "sandbox-secret"
    assert companies.url == f"{ORIGIN}/v2.0/{TENANT}/production/api/v2.0/companies"
    facts = await _facts(database, made.account.id)
    # "CRONUS Canada, Inc." sorts before "CRONUS USA, Inc."
    assert facts == {
        "tenant_id": TENANT,
        "environment": "production",
        "company_id": "c0000000-0000-4000-8000-000000000001",
        "company_name": "CRONUS CA",
        "user_id": USER,
    }
    assert made.account.integration == "microsoft-dynamics-365-business-central"


@pytest.mark.parametrize(
    ("typed", "company_id"),
    [
        ({"company": "cronus usa, inc."}, "c0000000-0000-4000-8000-000000000002"),
        ({"company": "c0000000-0000-4000-8000-000000000002"}, "c0000000-0000-4000-8000-000000000002"),
        ({"environment": "sandbox"}, "c0000000-0000-4000-8000-000000000003"),
    ],
)
async def test_the_person_names_the_environment_and_company(
    database: Database, typed: dict[str, str], company_id: str
) -> None:
    made = await _link(database, FakeBusinessCentral(ORIGIN), **typed)
    facts = await _facts(database, made.account.id)
    assert facts["company_id"] == company_id
    assert facts["environment"] == typed.get("environment", "production")


async def test_an_unknown_company_or_environment_is_refused_with_what_there_is(database: Database) -> None:
    with pytest.raises(Rejected, match=r"no company 'Nope'.*CRONUS Canada, Inc\., CRONUS USA, Inc\."):
        await _link(database, FakeBusinessCentral(ORIGIN), company="Nope")
    with pytest.raises(Rejected, match="no environment 'staging'"):
        await _link(database, FakeBusinessCentral(ORIGIN), environment="staging")
    with pytest.raises(Rejected, match="environment"):
        typed_facts(CONNECTOR, {"environment": "not/a name"})


async def test_the_real_entra_endpoints_without_a_sandbox(database: Database) -> None:
    provider = FakeBusinessCentral(ORIGIN)
    made = await complete(
        database,
        sealer=SEALER,
        connector=CONNECTOR,
        client=CLIENT,
        transport=FunctionTransport(provider),
        organization_id=await _organization(database),
        params={"code": "the-code", "state": "s"},
        end_user=END_USER,
        base_url=None,
    )
    exchange, companies = provider.seen
    assert exchange.url == "https://login.microsoftonline.com/organizations/oauth2/v2.0/token"
    assert companies.url == f"https://api.businesscentral.dynamics.com/v2.0/{TENANT}/production/api/v2.0/companies"
    assert (await _facts(database, made.account.id))["tenant_id"] == TENANT


async def test_companies_one_user_linked_share_one_budget(database: Database) -> None:
    provider = FakeBusinessCentral(ORIGIN)
    usa = await _link(database, provider, company="CRONUS USA, Inc.")
    canada = await _link(database, provider, company="CRONUS Canada, Inc.")
    deps = _deps(database, FunctionTransport(provider))
    keys = {(await open_provider(deps, made.account.id)).client.budget_key for made in (usa, canada)}
    assert keys == {f"business_central:{TENANT}:{USER}"}


async def test_refresh_tokens_rotate_and_an_invalid_grant_asks_for_a_relink(database: Database) -> None:
    provider = FakeBusinessCentral(ORIGIN)
    made = await _link(database, provider)
    deps = _deps(database, FunctionTransport(provider))
    opened = await open_provider(deps, made.account.id)
    fresh = await opened.client.tokens.refresh(await opened.client.tokens.current())
    assert provider.seen[-1].url == f"{ORIGIN}/{TENANT}/oauth2/v2.0/token"  # the tenant's own endpoint
    async with database.read() as session:
        stored = await find_credentials(session, sealer=SEALER, linked_account_id=made.account.id)
    assert stored is not None
    assert decode_tokens(stored.secret).refresh_token == fresh.refresh_token == "rt-2"
    assert decode_tokens(stored.secret).extra["tenant_id"] == TENANT  # the facts survive a refresh

    provider.refresh_ok = False
    async with database.write() as session:
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
    with pytest.raises(AuthRevoked, match="invalid_grant"):
        await sync_account(deps, made.account.id)
    async with database.read() as session:
        account = await find_linked_account_by_id(session, account_id=made.account.id)
    assert account is not None
    assert account.status == "RELINK_NEEDED"


async def _document(database: Database, account_id: uuid.UUID, model: str, remote_id: str) -> dict[str, Any]:
    async with database.read() as session:
        found = await find_record(
            session,
            linked_account_id=account_id,
            model=model,
            record_id=record_id(account_id, model, remote_id),
            with_remote_data=False,
        )
    assert found is not None, f"{model} {remote_id} was not stored"
    return dict(json.loads(found.document))


async def test_full_incremental_and_reconciling_syncs(database: Database) -> None:
    provider = FakeBusinessCentral(ORIGIN)
    provider.sets[COMPANY] = seeded(customers=2500)  # three pages of customers, three of their ids
    made = await _link(database, provider, company="CRONUS USA, Inc.")
    deps = _deps(database, FunctionTransport(provider))
    account_id = made.account.id

    first = await sync_account(deps, account_id)
    assert first.failed is None
    expected = {
        "CompanyInfo": 1,
        "Account": 2,
        "TaxRate": 2,
        "TrackingCategory": 2,
        "PaymentTerm": 1,
        "AccountingPeriod": 1,
        "Contact": 2501,
        "Employee": 1,
        "Project": 1,
        "Item": 1,
        "Invoice": 2,
        "CreditNote": 1,
        "SalesOrder": 1,
        "PurchaseOrder": 1,
        "ItemFulfillment": 1,
        "JournalEntry": 1,
        "Transaction": 2,
        "Payment": 2,
    }
    assert first.fetched == expected
    customer_pages = [r for r in provider.seen if urlsplit(r.url).path.endswith("/customers")]
    assert len(customer_pages) == 3 + 1  # 1,000 to a page; the id listing takes 5,000 to a page
    assert all(r.headers["Prefer"] in {"odata.maxpagesize=1000", "odata.maxpagesize=5000"} for r in customer_pages)

    invoice = await _document(database, account_id, "Invoice", "00000008-0000-4000-8000-000000000001")
    assert invoice["status"] == "PARTIALLY_PAID"
    assert invoice["contact"] == str(record_id(account_id, "Contact", "00000002-0000-4000-8000-000000000001"))
    assert invoice["company"] is not None
    assert [line["item"] is None for line in invoice["line_items"]] == [False, True]

    # An incremental sync asks only for what changed since, and still lists every id.
    provider.seen.clear()
    customers = provider.sets[COMPANY]["customers"]
    customers[5]["displayName"] = "Renamed"
    customers[5]["lastModifiedDateTime"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    gone = customers.pop(7)
    del provider.sets[COMPANY]["salesInvoices"][0]
    second = await sync_account(deps, account_id)
    assert second.fetched.get("Contact") == 1
    assert second.deleted == {"Contact": 1, "Invoice": 1} | {
        model: 0 for model in second.deleted if model not in {"Contact", "Invoice"}
    }
    filters = [dict(parse_qsl(urlsplit(r.full_url).query)).get("$filter") for r in provider.seen]
    assert all(f.startswith("lastModifiedDateTime ge ") for f in filters if f)
    assert filters.count(None) >= 20  # the id listings (and the journals, read whole)
    renamed = await _document(database, account_id, "Contact", customers[5]["id"])
    assert renamed["name"] == "Renamed"
    removed = await _document(database, account_id, "Contact", gone["id"])
    assert removed["remote_was_deleted"] is True
    async with database.read() as session:
        assert await count_records(session, linked_account_id=account_id, model="Contact") == 2501
        live = await live_remote_ids(session, linked_account_id=account_id, model="Invoice")
    assert live == ["00000008-0000-4000-8000-000000000002"]


async def test_throttles_and_expired_tokens_during_a_sync(database: Database) -> None:
    provider = FakeBusinessCentral(ORIGIN)
    provider.sets[COMPANY] = seeded()
    made = await _link(database, provider, company="CRONUS USA, Inc.")
    deps = _deps(database, FunctionTransport(provider))
    provider.throttles = [{"retry-after": "0"}, {}, {}]  # one with Retry-After, two without: backed off
    provider.expire_access_tokens()
    report = await sync_account(deps, made.account.id)
    assert report.failed is None
    assert report.fetched["Invoice"] == 2
    assert provider.issued == 2  # the link's tokens, then one refresh
    statuses = [r for r in provider.seen if "/api/v2.0/" in r.url]
    assert len(statuses) >= 4
