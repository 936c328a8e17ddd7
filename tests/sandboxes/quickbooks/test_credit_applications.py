"""A credit memo (vendor credit) applied by a zero Payment (BillPayment): QBO's rules on the credit line, and what
the payment moves on the credit and the document (see ``sandboxes/quickbooks/credits``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from qbo_client import Connected

ITEM_LINE = {"DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {"ItemRef": {"value": "1"}}}


async def _made(qbo: Connected, entity: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await qbo.post(entity.lower(), body)
    assert response.status_code == 200, response.text
    return dict(response.json()[entity])


async def _sales(qbo: Connected, customer: str = "1") -> tuple[dict[str, Any], dict[str, Any]]:
    invoice = await _made(qbo, "Invoice", {"CustomerRef": {"value": customer}, "Line": [{"Amount": 100, **ITEM_LINE}]})
    memo = await _made(qbo, "CreditMemo", {"CustomerRef": {"value": customer}, "Line": [{"Amount": 30, **ITEM_LINE}]})
    return invoice, memo


def _zero(customer: str, invoice: str, memo: str, amount: Any, total: Any = 0) -> dict[str, Any]:
    return {
        "CustomerRef": {"value": customer},
        "TotalAmt": total,
        "Line": [
            {"Amount": amount, "LinkedTxn": [{"TxnId": invoice, "TxnType": "Invoice"}]},
            {"Amount": amount, "LinkedTxn": [{"TxnId": memo, "TxnType": "CreditMemo"}]},
        ],
    }


async def _balance(qbo: Connected, entity: str, entity_id: str) -> Decimal:
    return Decimal(str((await qbo.get(f"{entity.lower()}/{entity_id}")).json()[entity]["Balance"]))


def _fault(response: Any) -> tuple[str, str]:
    assert response.status_code == 400, response.text
    error = response.json()["Fault"]["Error"][0]
    return str(error["code"]), str(error["Detail"])


async def test_a_zero_payment_applies_the_credit_and_a_delete_gives_it_back(qbo: Connected) -> None:
    invoice, memo = await _sales(qbo)
    payment = await _made(qbo, "Payment", _zero("1", invoice["Id"], memo["Id"], 25))
    assert Decimal(str(payment["TotalAmt"])) == 0
    assert await _balance(qbo, "Invoice", invoice["Id"]) == Decimal("75.00")
    after = (await qbo.get(f"creditmemo/{memo['Id']}")).json()["CreditMemo"]
    assert Decimal(str(after["RemainingCredit"])) == Decimal(str(after["Balance"])) == Decimal("5.00")
    assert after["LinkedTxn"] == [{"TxnId": payment["Id"], "TxnType": "Payment"}]
    assert after["MetaData"]["LastUpdatedTime"] != memo["MetaData"]["LastUpdatedTime"] or after["SyncToken"] != "0"
    deleted = await qbo.post("payment", {"Id": payment["Id"], "SyncToken": payment["SyncToken"]}, operation="delete")
    assert deleted.status_code == 200, deleted.text
    assert await _balance(qbo, "Invoice", invoice["Id"]) == Decimal("100.00")
    assert await _balance(qbo, "CreditMemo", memo["Id"]) == Decimal("30.00")


async def test_more_than_the_credit_left_is_refused_and_nothing_moves(qbo: Connected) -> None:
    invoice, memo = await _sales(qbo)
    code, detail = _fault(await qbo.post("payment", _zero("1", invoice["Id"], memo["Id"], "30.01")))
    assert code == "6000"
    assert "exceeds the remaining credit 30.00" in detail
    assert await _balance(qbo, "Invoice", invoice["Id"]) == Decimal("100.00")
    assert await _balance(qbo, "CreditMemo", memo["Id"]) == Decimal("30.00")


async def test_more_than_the_invoice_owes_is_refused(qbo: Connected) -> None:
    invoice, memo = await _sales(qbo)
    big = await _made(qbo, "CreditMemo", {"CustomerRef": {"value": "1"}, "Line": [{"Amount": 500, **ITEM_LINE}]})
    code, detail = _fault(await qbo.post("payment", _zero("1", invoice["Id"], big["Id"], 120)))
    assert code == "6000"
    assert "exceeds the open balance" in detail
    assert await _balance(qbo, "CreditMemo", big["Id"]) == Decimal("500.00")
    assert await _balance(qbo, "CreditMemo", memo["Id"]) == Decimal("30.00")


async def test_credits_cannot_exceed_what_is_applied(qbo: Connected) -> None:
    invoice, memo = await _sales(qbo)
    body = _zero("1", invoice["Id"], memo["Id"], 10)
    body["Line"][1]["Amount"] = 20
    code, detail = _fault(await qbo.post("payment", body))
    assert code == "6000"
    assert "exceed the amount applied" in detail


async def test_another_customers_credit_is_refused(qbo: Connected) -> None:
    invoice, _ = await _sales(qbo, "1")
    _, other = await _sales(qbo, "2")
    code, detail = _fault(await qbo.post("payment", _zero("1", invoice["Id"], other["Id"], 5)))
    assert code == "6000"
    assert "belongs to another customer" in detail


async def test_a_credit_in_another_currency_is_refused(qbo: Connected) -> None:
    invoice, memo = await _sales(qbo)
    table = qbo.app.state.companies[qbo.realm].table("CreditMemo")
    stored = table.get(int(memo["Id"]))
    assert stored is not None
    table.replace(int(memo["Id"]), {**stored, "CurrencyRef": {"value": "EUR"}}, int(qbo.clock()))
    code, detail = _fault(await qbo.post("payment", _zero("1", invoice["Id"], memo["Id"], 5)))
    assert code == "6000"
    assert "another currency" in detail
    assert await _balance(qbo, "Invoice", invoice["Id"]) == Decimal("100.00")


async def test_a_vendor_credit_is_applied_by_a_bill_payment(qbo: Connected) -> None:
    expense = {"DetailType": "AccountBasedExpenseLineDetail"}
    accounts = (await qbo.query("select * from Account")).json()["QueryResponse"]["Account"]
    spend = next(a for a in accounts if a["AccountType"] == "Expense")["Id"]
    bank = next(a for a in accounts if a["AccountType"] == "Bank")["Id"]
    detail = {"AccountBasedExpenseLineDetail": {"AccountRef": {"value": spend}}}
    vendor = (await qbo.query("select * from Vendor")).json()["QueryResponse"]["Vendor"][0]["Id"]
    bill = await _made(qbo, "Bill", {"VendorRef": {"value": vendor}, "Line": [{"Amount": 80, **expense, **detail}]})
    credit = await _made(
        qbo, "VendorCredit", {"VendorRef": {"value": vendor}, "Line": [{"Amount": 20, **expense, **detail}]}
    )
    body = {
        "VendorRef": {"value": vendor},
        "PayType": "Check",
        "CheckPayment": {"BankAccountRef": {"value": bank}},
        "TotalAmt": 0,
        "Line": [
            {"Amount": 20, "LinkedTxn": [{"TxnId": bill["Id"], "TxnType": "Bill"}]},
            {"Amount": 20, "LinkedTxn": [{"TxnId": credit["Id"], "TxnType": "VendorCredit"}]},
        ],
    }
    await _made(qbo, "BillPayment", body)
    assert await _balance(qbo, "Bill", bill["Id"]) == Decimal("60.00")
    assert await _balance(qbo, "VendorCredit", credit["Id"]) == Decimal("0.00")
    again = await qbo.post("billpayment", body)
    assert _fault(again)[0] == "6000"
