"""Xero's Bank Feeds API as the connector reads it: its refusals, and the statement a transaction becomes."""

from __future__ import annotations

import json
from decimal import Decimal

from ledgerport.connectors._base import Rejected
from ledgerport.connectors._base.errors import classify
from ledgerport.connectors._base.http import Response
from ledgerport.connectors._base.mapping import MappingContext, apply
from ledgerport.connectors.xero.bank_feeds import FEED_CONNECTION, FEED_WRITES, STATEMENT, feed_problems
from ledgerport.connectors.xero.client import ERRORS

FEEDS = "https://api.xero.com/bankfeeds.xro/1.0/Statements"
CONTEXT = MappingContext(ref=lambda model, remote_id: f"{model}:{remote_id}")


def _response(status: int, body: object, url: str = FEEDS) -> Response:
    return Response(
        status=status, headers={"content-type": "application/problem+json"}, body=json.dumps(body).encode(), url=url
    )


def test_a_403_from_the_bank_feeds_api_says_only_approved_partners_may_call_it() -> None:
    body = {"type": "invalid-application", "title": "Invalid Application", "status": 403, "detail": "Not configured"}
    error = classify(_response(403, body), ERRORS)
    assert isinstance(error, Rejected)  # not a lost tenant: relinking would not help
    (problem,) = error.problems
    assert "approved financial services partners" in problem.detail
    assert "Not configured" in problem.detail


def test_a_403_from_the_accounting_api_is_still_a_revoked_grant() -> None:
    error = classify(
        _response(403, {"Detail": "AuthenticationUnsuccessful"}, "https://api.xero.com/api.xro/2.0/Invoices"), ERRORS
    )
    assert type(error).__name__ == "AuthRevoked"


def test_item_errors_become_problems() -> None:
    body = {
        "items": [
            {"status": "REJECTED", "errors": [{"type": "duplicate-statement", "title": "Duplicate", "detail": "dup"}]}
        ]
    }
    error = classify(_response(409, body), ERRORS)
    assert isinstance(error, Rejected)
    assert [(p.title, p.detail, p.raw_error) for p in error.problems] == [("Duplicate", "dup", "duplicate-statement")]
    assert (
        feed_problems({"type": "invalid-end-balance", "title": "Invalid End Balance", "detail": "x"})[0].detail == "x"
    )


def test_a_transaction_becomes_a_statement_whose_balances_add_up() -> None:
    (target,) = FEED_WRITES[1].targets
    assert target.finish is not None
    payload = target.finish(
        {
            "feedConnectionId": "feed-1",
            "line": {"postedDate": "2027-01-10", "amount": Decimal("-12.50"), "transactionId": "t1"},
        }
    )
    assert payload["startDate"] == payload["endDate"] == "2027-01-10"
    (line,) = payload["statementLines"]
    assert line == {
        "postedDate": "2027-01-10",
        "amount": Decimal("12.50"),
        "transactionId": "t1",
        "creditDebitIndicator": "DEBIT",
    }
    assert payload["startBalance"]["amount"] + line["amount"] == payload["endBalance"]["amount"]
    assert payload["endBalance"]["creditDebitIndicator"] == "DEBIT"


def test_read_tables() -> None:
    account = apply(
        FEED_CONNECTION,
        {"id": "f1", "accountToken": "t", "accountType": "CREDITCARD", "currency": "AUD", "status": "REJECTED"},
        CONTEXT,
    )
    assert (account.account_type, account.feed_status, account.source_account_id) == ("CREDIT_CARD", "INACTIVE", "t")
    statement = {
        "id": "s1",
        "feedConnectionId": "f1",
        "status": "DELIVERED",
        "statementLines": [
            {"postedDate": "2027-01-10", "amount": 5, "creditDebitIndicator": "CREDIT", "payeeName": "P"}
        ],
    }
    transaction = apply(STATEMENT, statement, CONTEXT)
    assert transaction.bank_feed_account == "BankFeedAccount:f1"
    assert transaction.is_processed is True
    assert transaction.credit_or_debit == "CREDIT"
    assert transaction.amount == Decimal(5)
    assert transaction.payee == "P"
    assert transaction.posted_date is not None
    assert transaction.posted_date.isoformat() == "2027-01-10T00:00:00+00:00"
