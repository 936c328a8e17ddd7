"""Merge's official Python SDK on expense reports, payment methods, addresses, phone numbers and bank feeds, for
accounts linked to the QuickBooks and Xero sandboxes and synced, with only ``base_url`` (and the HTTP client, to
reach the app and its sandboxes in process) changed. No call answers 404 or 5xx; each answers what the store holds.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest
from litestar.testing import TestClient
from merge import Merge
from merge.core.api_error import ApiError

from harness import TEST_SEALING_KEY, run
from ledgerport.app import create_app
from ledgerport.config import load_settings
from ledgerport.connectors import CONNECTORS
from ledgerport.connectors._base import AsgiTransport
from ledgerport.linking import EndUser, link_sandbox
from ledgerport.sandboxes.quickbooks import create_app as create_quickbooks
from ledgerport.sandboxes.xero import create_app as create_xero
from ledgerport.store import Database, accounts
from ledgerport.sync import sync_account
from ledgerport.worker import build_sync_deps, registrations, sealer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ORIGINS = {"quickbooks": "http://quickbooks.sdk.test", "xero": "http://xero.sdk.test"}
BASE = "http://ledgerport.sdk.test"


class _Unlimited:
    """No waits for the provider's budget: the sandboxes run without limits."""

    @asynccontextmanager
    async def slot(self, key: str, quotas: Any) -> AsyncIterator[None]:
        yield

    async def pause(self, key: str, seconds: float) -> None:
        return None


@dataclass
class Linked:
    """The app in process, and an SDK client per linked account."""

    http: TestClient[Any]
    clients: dict[str, Merge]
    headers: dict[str, dict[str, str]]


async def _link(database_url: str, settings: Any, transports: dict[str, Any]) -> tuple[str, dict[str, str]]:
    database = Database(database_url)
    deps = msgspec.structs.replace(build_sync_deps(settings, database, transports=transports), budget=_Unlimited())
    tokens: dict[str, str] = {}
    try:
        async with database.write() as session:
            organization_id = await accounts.create_organization(session, name=f"sdk-{uuid.uuid4().hex[:8]}")
            key = await accounts.create_api_key(session, organization_id=organization_id, name="sdk")
        for provider, origin in ORIGINS.items():
            made = await link_sandbox(
                database,
                sealer=sealer(settings),
                connector=CONNECTORS[provider],
                client=registrations(settings).client(provider, origin),
                transport=transports[origin],
                organization_id=organization_id,
                sandbox_url=origin,
                end_user=EndUser(organization_name=f"SDK {provider}", email_address="owner@sdk.example"),
            )
            report = await sync_account(deps, made.account.id)
            assert report.failed is None, report.failed
            tokens[provider] = made.account_token
    finally:
        await database.dispose()
    return key.secret, tokens


@pytest.fixture(scope="module")
def linked(database_url: str) -> Iterator[Linked]:
    transports = {
        ORIGINS["quickbooks"]: AsgiTransport(create_quickbooks(seed=5, size="small", limits=False)),
        ORIGINS["xero"]: AsgiTransport(create_xero(seed=5, size="small", limits=False)),
    }
    settings = load_settings(
        {},
        database_url=database_url,
        secret_keys=(TEST_SEALING_KEY,),
        sandbox_origins=ORIGINS,
        rate_limit_per_minute=0,
    )
    api_key, tokens = run(_link(database_url, settings, transports))
    app = create_app(settings, transports=transports)
    with TestClient(app=app, base_url=BASE) as http:
        clients = {
            who: Merge(base_url=f"{BASE}/api", api_key=api_key, account_token=token, httpx_client=http)
            for who, token in tokens.items()
        }
        headers = {who: {"Authorization": f"Bearer {api_key}", "X-Account-Token": t} for who, t in tokens.items()}
        yield Linked(http=http, clients=clients, headers=headers)


WHO = ["quickbooks", "xero"]


@pytest.mark.parametrize("who", WHO)
def test_expense_reports(linked: Linked, who: str) -> None:
    reports = linked.clients[who].accounting.expense_reports
    assert reports.list(page_size=10).results == []
    meta = reports.meta_post_retrieve()
    assert meta.status is not None
    assert meta.status.can_make_request is False
    missing = str(uuid.uuid4())
    for call in (lambda: reports.retrieve(missing), lambda: reports.lines_list(missing)):
        with pytest.raises(ApiError) as caught:
            call()
        assert caught.value.status_code == 404  # an unknown report, not an unknown route
    assert reports.remote_field_classes_list().results == []
    assert reports.lines_remote_field_classes_list().results == []


@pytest.mark.parametrize("who", WHO)
def test_payment_methods(linked: Linked, who: str) -> None:
    methods = linked.clients[who].accounting.payment_methods
    listed = methods.list(page_size=100).results or []
    if who == "xero":
        assert listed == []
        return
    assert {method.name for method in listed} >= {"Cash", "Check", "Visa"}
    visa = next(method for method in listed if method.name == "Visa")
    assert visa.id is not None
    one = methods.retrieve(visa.id, include_remote_data=True)
    assert one.method_type == "CREDIT_CARD"
    assert one.remote_data


@pytest.mark.parametrize("who", WHO)
def test_addresses_and_phone_numbers(linked: Linked, who: str) -> None:
    merge = linked.clients[who]
    contacts = linked.http.get("/api/accounting/v1/contacts", params={"page_size": 100}, headers=linked.headers[who])
    page = contacts.json()["results"]
    address = next(a for contact in page for a in contact["addresses"])
    phone = next(p for contact in page for p in contact["phone_numbers"])
    found = merge.accounting.addresses.retrieve(address["id"])
    assert (found.street_1, found.city, found.zip_code) == (address["street_1"], address["city"], address["zip_code"])
    number = merge.accounting.phone_numbers.retrieve(phone["id"])
    assert (number.number, number.type) == (phone["number"], phone["type"])
    other = linked.clients["xero" if who == "quickbooks" else "quickbooks"]
    with pytest.raises(ApiError) as caught:
        other.accounting.addresses.retrieve(address["id"])
    assert caught.value.status_code == 404


@pytest.mark.parametrize("who", WHO)
def test_bank_feeds(linked: Linked, who: str) -> None:
    from merge.resources.accounting import BankFeedAccountRequest, BankFeedTransactionRequestRequest

    accounting = linked.clients[who].accounting
    assert accounting.bank_feed_accounts.list().results == []
    made = accounting.bank_feed_accounts.create(
        model=BankFeedAccountRequest(
            source_account_id=f"card-{uuid.uuid4().hex[:8]}",
            source_account_number="4821",
            target_account_name="Corporate cards",
            currency="USD",
            account_type="CREDIT_CARD",
        )
    )
    assert made.errors == []
    assert made.model.id is not None
    assert accounting.bank_feed_accounts.retrieve(made.model.id).source_account_number == "4821"
    assert [row.id for row in accounting.bank_feed_accounts.list().results or []] == [made.model.id]
    assert accounting.bank_feed_accounts.meta_post_retrieve().status.can_make_request is True
    pushed = accounting.bank_feed_transactions.create(
        model=BankFeedTransactionRequestRequest(
            bank_feed_account=made.model.id,
            posted_date=datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0),
            amount=12.5,
            credit_or_debit="DEBIT",
            description="Card purchase",
            payee="Harbour Cafe",
            source_transaction_id=f"txn-{uuid.uuid4().hex[:8]}",
        )
    )
    assert pushed.errors == []
    assert pushed.model.id is not None
    assert pushed.model.is_processed is False
    again = accounting.bank_feed_transactions.retrieve(pushed.model.id, expand="bank_feed_account")
    assert again.amount == 12.5
    listed = accounting.bank_feed_transactions.list(is_processed=False).results or []
    assert [row.id for row in listed] == [pushed.model.id]
    assert accounting.bank_feed_transactions.meta_post_retrieve().status.can_make_request is True
