"""Bank feeds pushed through the real app: to Xero's Bank Feeds API (its sandbox), and kept by ledgerport for
QuickBooks Online, which has no bank feed API. Both read back; both refuse bad input in Merge's problem shapes.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from quickbooks_kit import QboWrites, open_qbo
from xero_kit import XeroKit, open_kit

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

TODAY = datetime.now(UTC).date().isoformat()


def _account(**extra: Any) -> dict[str, Any]:
    return {
        "source_account_id": f"card-{uuid.uuid4().hex[:10]}",
        "source_account_number": "4821",
        "target_account_name": "Corporate cards",
        "currency": "USD",
        "account_type": "CREDIT_CARD",
        **extra,
    }


def _transaction(feed: str, **extra: Any) -> dict[str, Any]:
    return {
        "bank_feed_account": feed,
        "posted_date": f"{TODAY}T00:00:00Z",
        "amount": 42.5,
        "credit_or_debit": "DEBIT",
        "description": "Card purchase",
        "payee": "Harbour Cafe",
        "transaction_type": "CARD",
        "source_transaction_id": f"txn-{uuid.uuid4().hex[:10]}",
        **extra,
    }


@pytest.fixture(scope="module")
async def xero(database_url: str) -> AsyncIterator[XeroKit]:
    async with open_kit(database_url) as opened:
        yield opened


@pytest.fixture
async def qbo(database_url: str) -> AsyncIterator[QboWrites]:
    async with open_qbo(database_url) as kit:
        yield kit


class TestXero:
    async def test_a_feed_account_becomes_a_feed_connection(self, xero: XeroKit) -> None:
        made = await xero.create("bank-feed-accounts", _account())
        assert made.status_code == 201, made.text
        model = made.json()["model"]
        assert model["feed_status"] == "ACTIVE"
        assert model["account_type"] == "CREDIT_CARD"
        assert model["source_account_number"] == "4821"
        assert model["target_account_id"]  # Xero made (or matched) the bank account it feeds
        assert "/bankfeeds.xro/1.0/FeedConnections/" in model["remote_data"][0]["path"]
        again = await xero.get(f"bank-feed-accounts/{model['id']}")
        assert again["remote_id"] == model["remote_id"]
        listed = await xero.all("bank-feed-accounts")
        assert model["id"] in {row["id"] for row in listed}

    async def test_a_transaction_becomes_a_one_line_statement(self, xero: XeroKit) -> None:
        feed = (await xero.create("bank-feed-accounts", _account())).json()["model"]["id"]
        made = await xero.create("bank-feed-transactions", _transaction(feed))
        assert made.status_code == 201, made.text
        model = made.json()["model"]
        assert model["bank_feed_account"] == feed
        assert model["amount"] == 42.5
        assert model["credit_or_debit"] == "DEBIT"
        assert model["is_processed"] is False  # Xero answers PENDING; it processes statements later
        sent = model["remote_data"][0]["data"]
        assert sent["startBalance"]["amount"] == 0
        assert sent["endBalance"] == {"amount": 42.5, "creditDebitIndicator": "DEBIT"}
        assert (await xero.get(f"bank-feed-transactions/{model['id']}", expand="bank_feed_account"))[
            "bank_feed_account"
        ]["id"] == feed
        unprocessed = await xero.all("bank-feed-transactions", is_processed="false")
        assert model["id"] in {row["id"] for row in unprocessed}

    async def test_a_duplicate_transaction_is_refused_by_xero(self, xero: XeroKit) -> None:
        feed = (await xero.create("bank-feed-accounts", _account())).json()["model"]["id"]
        sent = _transaction(feed)
        assert (await xero.create("bank-feed-transactions", sent)).status_code == 201
        again = await xero.create("bank-feed-transactions", sent)
        assert again.status_code == 400, again.text
        (error,) = again.json()["errors"]
        assert error["problem_type"] == "PROVIDER_ERROR"
        assert "duplicate" in error["detail"].lower()

    async def test_invalid_input_is_refused_before_xero(self, xero: XeroKit) -> None:
        no_number = {key: value for key, value in _account().items() if key != "source_account_number"}
        refused = await xero.create("bank-feed-accounts", no_number)
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["source"]["pointer"] == "/model/source_account_number"
        long_card = await xero.create("bank-feed-accounts", _account(source_account_number="4111111111111111"))
        assert long_card.status_code == 400
        wrong_type = await xero.create("bank-feed-accounts", _account(account_type="SAVINGS"))
        assert wrong_type.status_code == 400
        assert wrong_type.json()["errors"][0]["problem_type"] == "INVALID_FIELD_CHOICE"
        unknown_feed = await xero.create("bank-feed-transactions", _transaction(str(uuid.uuid4())))
        assert unknown_feed.status_code == 400
        assert unknown_feed.json()["errors"][0]["problem_type"] == "INVALID_REFERENCE"
        no_amount = {k: v for k, v in _transaction(str(uuid.uuid4())).items() if k != "amount"}
        missing = await xero.create("bank-feed-transactions", no_amount)
        assert missing.status_code == 400
        assert any(e["problem_type"] == "MISSING_REQUIRED_FIELD" for e in missing.json()["errors"])

    async def test_meta_says_where_feeds_go(self, xero: XeroKit) -> None:
        for path in ("bank-feed-accounts", "bank-feed-transactions"):
            meta = await xero.get(f"{path}/meta/post")
            assert meta["status"]["can_make_request"] is True
            assert "Bank Feeds API" in meta["request_schema"]["description"]
        actions = await xero.get("available-actions")
        operations = {op["model_name"]: op for op in actions["available_model_operations"]}
        assert "CREATE" in operations["BankFeedTransaction"]["available_operations"]
        assert "source_account_id" in operations["BankFeedAccount"]["supported_fields"]


class TestQuickBooks:
    async def test_feeds_are_kept_and_read_back(self, qbo: QboWrites) -> None:
        before = await qbo.count("Purchase")
        made = await qbo.create("bank-feed-accounts", _account(source_account_balance=-12.5))
        assert made.status_code == 201, made.text
        account = made.json()["model"]
        assert account["source_account_balance"] == -12.5
        assert account["remote_data"][0]["path"].startswith("ledgerport/BankFeedAccount/")
        pushed = await qbo.create("bank-feed-transactions", _transaction(account["id"]))
        assert pushed.status_code == 201, pushed.text
        transaction = pushed.json()["model"]
        assert transaction["is_processed"] is False
        assert transaction["bank_feed_account"] == account["id"]
        assert transaction["payee"] == "Harbour Cafe"
        assert (await qbo.get(f"bank-feed-transactions/{transaction['id']}"))["amount"] == 42.5
        assert transaction["id"] in {row["id"] for row in await qbo.listed("bank-feed-transactions")}
        assert await qbo.count("Purchase") == before  # nothing went to QuickBooks
        await qbo.sync()  # a sync neither reads nor removes what ledgerport keeps
        assert (await qbo.get(f"bank-feed-accounts/{account['id']}"))["remote_was_deleted"] is False

    async def test_a_retry_with_the_same_key_keeps_one_record(self, qbo: QboWrites) -> None:
        body = {"model": _account()}
        first = await qbo.api.post("/bank-feed-accounts", json=body, headers={"Idempotency-Key": "feed-1"})
        second = await qbo.api.post("/bank-feed-accounts", json=body, headers={"Idempotency-Key": "feed-1"})
        assert first.status_code == second.status_code == 201
        assert first.json()["model"]["id"] == second.json()["model"]["id"]
        assert len(await qbo.listed("bank-feed-accounts")) == 1

    async def test_is_processed_cannot_be_set_and_input_is_checked(self, qbo: QboWrites) -> None:
        account = (await qbo.create("bank-feed-accounts", _account())).json()["model"]["id"]
        made = await qbo.create("bank-feed-transactions", _transaction(account, is_processed=True))
        assert made.status_code == 201
        assert made.json()["model"]["is_processed"] is False
        assert any(w["problem_type"] == "UNSUPPORTED_FIELD" for w in made.json()["warnings"])
        bad = await qbo.create("bank-feed-transactions", _transaction(account, amount="lots"))
        assert bad.status_code == 400
        assert bad.json()["errors"][0]["source"]["pointer"] == "/model/amount"
        no_source = {k: v for k, v in _account().items() if k != "source_account_id"}
        assert (await qbo.create("bank-feed-accounts", no_source)).status_code == 400

    async def test_meta_says_ledgerport_keeps_them(self, qbo: QboWrites) -> None:
        meta = await qbo.get("bank-feed-transactions/meta/post")
        assert meta["status"]["can_make_request"] is True
        assert "no public bank feed API" in meta["request_schema"]["description"]
        actions = await qbo.get("available-actions")
        operations = {op["model_name"]: op for op in actions["available_model_operations"]}
        assert operations["BankFeedTransaction"]["available_operations"] == ["FETCH", "CREATE"]
        assert "is_processed" in operations["BankFeedTransaction"]["supported_fields"]
        assert operations["BankFeedAccount"]["required_post_parameters"] == ["source_account_id"]
