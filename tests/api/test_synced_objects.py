"""Provider objects that feed existing common models, after a real sync through the sandboxes (``synced_org``):
QuickBooks refund receipts and credit card payments are Transactions;
Xero overpayments and prepayments are CreditNotes (a customer's) or VendorCredits (a supplier's), and its bank
transfers Transactions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from synced_harness import SyncedOrganization

from harness import Server


@pytest.fixture(scope="module")
def api(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.api, timeout=30) as client:
        yield client


def _all(api: httpx.Client, org: SyncedOrganization, who: str, path: str, **params: Any) -> list[dict[str, Any]]:
    headers = {"Authorization": f"Bearer {org.api_key}", "X-Account-Token": org.tokens[who]}
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {"page_size": 100, "include_remote_data": "true", **params, **({"cursor": cursor} if cursor else {})}
        response = api.get(f"/accounting/v1/{path}", params=query, headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        found.extend(body["results"])
        cursor = body["next"]
        if not cursor:
            return found


def _from(records: list[dict[str, Any]], collection: str) -> list[dict[str, Any]]:
    return [r for r in records if r["remote_data"] and r["remote_data"][0]["path"].rstrip("/").endswith(collection)]


def test_quickbooks_refund_receipts_and_card_payments_are_transactions(
    api: httpx.Client, synced_org: SyncedOrganization
) -> None:
    listed = _all(api, synced_org, "quickbooks", "transactions")
    refunds = [t for t in listed if t["transaction_type"] == "refund_receipt"]
    cards = [t for t in listed if t["transaction_type"] == "credit_card_payment"]
    assert len(refunds) == 3
    assert all(r["remote_id"].startswith("RefundReceipt-") and r["contact"] and r["line_items"] for r in refunds)
    assert all(r["remote_data"][0]["data"]["DepositToAccountRef"] for r in refunds)
    assert len(cards) == 2, "the sandbox's history deleted CreditCardPayment 1"
    assert all(c["account"] and c["contact"] is None and c["line_items"] == [] for c in cards)
    assert "CreditCardPayment-1" not in {c["remote_id"] for c in cards}


def test_xero_overpayments_and_prepayments_are_credits(api: httpx.Client, synced_org: SyncedOrganization) -> None:
    notes = _all(api, synced_org, "xero", "credit-notes")
    credits = _all(api, synced_org, "xero", "vendor-credits")
    for collection in ("Overpayments", "Prepayments"):
        held = _from(notes, collection) + _from(credits, collection)
        assert held, collection
        for record in held:
            kind = record["remote_data"][0]["data"]["Type"]
            assert kind.endswith(collection[:-1].upper())
            assert (record in notes) == kind.startswith("RECEIVE-")
            assert record["remote_was_deleted"] is False  # voided ones are not listed
    customer = _from(notes, "Overpayments") + _from(notes, "Prepayments")
    assert all(n["contact"] and n["remaining_credit"] == n["total_amount"] for n in customer)


def test_xero_bank_transfers_are_transactions(api: httpx.Client, synced_org: SyncedOrganization) -> None:
    listed = _all(api, synced_org, "xero", "transactions")
    transfers = [t for t in listed if t["transaction_type"] == "BANK-TRANSFER"]
    assert len(transfers) == 6
    accounts = {a["id"]: a for a in _all(api, synced_org, "xero", "accounts")}
    for transfer in transfers:
        data = transfer["remote_data"][0]["data"]
        assert accounts[transfer["account"]]["remote_id"] == data["FromBankAccount"]["AccountID"]
        assert accounts[transfer["account"]]["type"] == "BANK" or accounts[transfer["account"]]["classification"]
        assert transfer["remote_id"] == data["BankTransferID"]
