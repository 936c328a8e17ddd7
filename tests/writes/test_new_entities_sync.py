"""The provider objects newly read (QuickBooks RefundReceipt and CreditCardPayment, Xero Overpayments, Prepayments
and BankTransfers) follow the incremental rules of the others: a change or a deletion at the provider after the
first sync reaches the stored record on the next one (QBO's CDC, Xero's If-Modified-Since)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from quickbooks_kit import open_qbo
from xero_kit import open_kit

from ledgerport.sandboxes.xero.dates import ms_date

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _one(records: list[dict[str, Any]], remote_id: str) -> dict[str, Any]:
    (found,) = [r for r in records if r["remote_id"] == remote_id]
    return found


async def test_quickbooks_changes_and_deletions_arrive_by_cdc(database_url: str) -> None:
    async with open_qbo(database_url) as qbo:
        before = await qbo.listed("transactions")
        assert _one(before, "CreditCardPayment-2")["remote_was_deleted"] is False
        refund = _one(before, "RefundReceipt-2")
        company = qbo.company
        now = int(time.time())
        company.table("CreditCardPayment").remove(2, now)
        receipts = company.table("RefundReceipt")
        stored = receipts.get(2)
        assert stored is not None
        body = {k: v for k, v in stored.items() if k not in ("Id", "SyncToken", "MetaData", "domain", "sparse")}
        receipts.replace(2, {**body, "DocNumber": "RR-CHANGED"}, now)
        await qbo.sync()
        after = await qbo.listed("transactions", include_deleted_data="true")
        assert _one(after, "CreditCardPayment-2")["remote_was_deleted"] is True
        changed = _one(after, "RefundReceipt-2")
        assert (changed["id"], changed["number"]) == (refund["id"], "RR-CHANGED")
        assert "CreditCardPayment-2" not in {t["remote_id"] for t in await qbo.listed("transactions")}


async def test_xero_voids_and_new_transfers_arrive_by_if_modified_since(database_url: str) -> None:
    async with open_kit(database_url) as kit:
        tenant = kit.sandbox.tenants[kit.tenant_id]
        held = tenant.collections["Overpayments"]
        slot = next(s for s in range(len(held.ids)) if held.get(s)["Status"] == "AUTHORISED")
        record = held.get(slot)
        path = "credit-notes" if record["Type"].startswith("RECEIVE-") else "vendor-credits"
        stored = _one(await kit.all(path), record["OverpaymentID"])
        transfers = tenant.collections["BankTransfers"]
        now_ms = int(time.time() * 1000)
        held.put({**record, "Status": "VOIDED", "RemainingCredit": 0}, now_ms, slot)
        new = {**transfers.get(0), "BankTransferID": "7d5bd3f0-0000-4000-8000-00000000cafe", "Reference": "Fresh"}
        transfers.put({**new, "CreatedDateUTC": ms_date(now_ms)}, now_ms)
        count = len([t for t in await kit.all("transactions") if t["transaction_type"] == "BANK-TRANSFER"])
        await kit.sync()
        voided = await kit.get(f"{path}/{stored['id']}")
        assert voided["remote_was_deleted"] is True
        assert record["OverpaymentID"] not in {r["remote_id"] for r in await kit.all(path)}
        listed = [t for t in await kit.all("transactions") if t["transaction_type"] == "BANK-TRANSFER"]
        assert len(listed) == count + 1
        assert _one(listed, new["BankTransferID"])["number"] == "Fresh"
