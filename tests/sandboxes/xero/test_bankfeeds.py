"""The Bank Feeds API of the Xero sandbox: feed connections and statements, with Xero's checks and answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from ledgerport.sandboxes.xero import SandboxApp, create_app

FEEDS = "/bankfeeds.xro/1.0"
NOW = 1_800_000_000.0  # 2027-01-15
DAY = "2027-01-10"


async def _client(sandbox: SandboxApp) -> httpx.AsyncClient:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox), base_url="http://sandbox")
    token = (await client.post("/_sandbox/tokens", json={})).json()
    client.headers.update(
        {"authorization": f"Bearer {token['access_token']}", "xero-tenant-id": next(iter(sandbox.tenants))}
    )
    return client


@pytest.fixture
def sandbox() -> SandboxApp:
    return create_app(seed=5, size="small", limits=False, clock=lambda: NOW)


@pytest.fixture
async def api(sandbox: SandboxApp) -> AsyncIterator[httpx.AsyncClient]:
    client = await _client(sandbox)
    try:
        yield client
    finally:
        await client.aclose()


def _connection(**extra: Any) -> dict[str, Any]:
    return {
        "accountToken": "card-1",
        "accountNumber": "4821",
        "accountName": "Corporate cards",
        "accountType": "CREDITCARD",
        "currency": "AUD",
        **extra,
    }


def _statement(feed: str, amount: str = "50", **extra: Any) -> dict[str, Any]:
    line = {
        "postedDate": DAY,
        "description": "Coffee",
        "amount": amount,
        "creditDebitIndicator": "DEBIT",
        "transactionId": "txn-1",
        "payeeName": "Harbour Cafe",
    }
    return {
        "feedConnectionId": feed,
        "startDate": DAY,
        "endDate": DAY,
        "startBalance": {"amount": "100", "creditDebitIndicator": "CREDIT"},
        "endBalance": {"amount": str(100 - float(amount)), "creditDebitIndicator": "CREDIT"},
        "statementLines": [line],
        **extra,
    }


async def _feed(api: httpx.AsyncClient, **extra: Any) -> str:
    made = await api.post(f"{FEEDS}/FeedConnections", json={"items": [_connection(**extra)]})
    assert made.status_code == 202, made.text
    return str(made.json()["items"][0]["id"])


async def test_a_connection_is_accepted_then_reads_back_with_its_bank_account(api: httpx.AsyncClient) -> None:
    made = await api.post(f"{FEEDS}/FeedConnections", json={"items": [_connection()]})
    assert made.status_code == 202
    (item,) = made.json()["items"]
    assert item["status"] == "PENDING"
    assert item["accountToken"] == "card-1"
    found = (await api.get(f"{FEEDS}/FeedConnections/{item['id']}")).json()
    assert found["accountType"] == "CREDITCARD"
    assert found["status"] == "ACTIVE"
    accounts = (await api.get("/api.xro/2.0/Accounts")).json()["Accounts"]
    bank = next(a for a in accounts if a["AccountID"] == found["accountId"])
    assert bank["Type"] == "BANK"
    assert bank["BankAccountNumber"] == "4821"
    listed = (await api.get(f"{FEEDS}/FeedConnections", params={"page": 1, "pageSize": 10})).json()
    assert listed["pagination"]["itemCount"] == 1
    assert listed["items"][0]["id"] == item["id"]


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"accountType": "SAVINGS"}, "accountType"),
        ({"accountNumber": "4111111111111111"}, "maximum length of 4"),
        ({"accountNumber": None}, "accountNumber"),
        ({"accountToken": "x" * 51}, "accountToken"),
        ({"currency": None}, "currency"),
    ],
)
async def test_a_bad_connection_is_rejected_with_a_problem(
    api: httpx.AsyncClient, change: dict[str, Any], says: str
) -> None:
    refused = await api.post(f"{FEEDS}/FeedConnections", json={"items": [_connection(**change)]})
    assert refused.status_code == 400
    assert refused.headers["content-type"].startswith("application/problem+json")
    (item,) = refused.json()["items"]
    assert item["status"] == "REJECTED"
    assert item["error"]["type"] == "invalid-request"
    assert says in item["error"]["detail"]


async def test_an_account_token_is_used_once(api: httpx.AsyncClient) -> None:
    await _feed(api)
    again = await api.post(f"{FEEDS}/FeedConnections", json={"items": [_connection()]})
    assert again.status_code == 409
    assert again.json()["items"][0]["error"]["type"] == "duplicate-account-token"


async def test_a_statement_is_accepted_and_delivered(api: httpx.AsyncClient) -> None:
    feed = await _feed(api)
    made = await api.post(f"{FEEDS}/Statements", json={"items": [_statement(feed)]})
    assert made.status_code == 202, made.text
    (item,) = made.json()["items"]
    assert item["status"] == "PENDING"
    assert item["feedConnectionId"] == feed
    found = (await api.get(f"{FEEDS}/Statements/{item['id']}")).json()
    assert found["status"] == "DELIVERED"
    assert found["statementLineCount"] == 1
    assert (await api.get(f"{FEEDS}/Statements")).json()["items"][0]["id"] == item["id"]


async def test_statement_checks(api: httpx.AsyncClient) -> None:
    feed = await _feed(api)
    unbalanced = _statement(feed, endBalance={"amount": "100", "creditDebitIndicator": "CREDIT"})
    refused = await api.post(f"{FEEDS}/Statements", json={"items": [unbalanced]})
    assert refused.status_code == 422
    assert refused.json()["items"][0]["errors"][0]["type"] == "invalid-end-balance"
    stale = _statement(feed, startDate="2025-01-01")
    assert (await api.post(f"{FEEDS}/Statements", json={"items": [stale]})).status_code == 400
    unknown = _statement("00000000-0000-0000-0000-000000000000")
    assert (await api.post(f"{FEEDS}/Statements", json={"items": [unknown]})).status_code == 400
    assert (await api.post(f"{FEEDS}/Statements", json={"items": [_statement(feed)]})).status_code == 202
    duplicate = await api.post(f"{FEEDS}/Statements", json={"items": [_statement(feed)]})
    assert duplicate.status_code == 409
    assert duplicate.json()["items"][0]["errors"][0]["type"] == "duplicate-statement"
    assert (await api.post(f"{FEEDS}/Statements", json={})).status_code == 400


async def test_the_same_idempotency_key_answers_the_first_response(api: httpx.AsyncClient) -> None:
    body = {"items": [_connection()]}
    first = await api.post(f"{FEEDS}/FeedConnections", json=body, headers={"Idempotency-Key": "k1"})
    second = await api.post(f"{FEEDS}/FeedConnections", json=body, headers={"Idempotency-Key": "k1"})
    assert first.status_code == second.status_code == 202
    assert first.json() == second.json()


async def test_an_app_xero_has_not_approved_is_refused() -> None:
    client = await _client(create_app(seed=5, size="small", limits=False, clock=lambda: NOW, bank_feeds=False))
    try:
        refused = await client.post(f"{FEEDS}/FeedConnections", json={"items": [_connection()]})
        assert refused.status_code == 403
        assert refused.json()["type"] == "invalid-application"
        assert (await client.get(f"{FEEDS}/Statements")).status_code == 403
    finally:
        await client.aclose()


async def test_unknown_ids_are_not_found(api: httpx.AsyncClient) -> None:
    for path in ("FeedConnections", "Statements"):
        missing = await api.get(f"{FEEDS}/{path}/00000000-0000-0000-0000-000000000000")
        assert missing.status_code == 404
