"""The QuickBooks sandbox's PaymentMethod name list: seeded like QBO's defaults, read by query, id, CDC and batch."""

from __future__ import annotations

from qbo_client import Connected


async def _methods(qbo: Connected, text: str) -> list[dict]:
    response = await qbo.query(text)
    assert response.status_code == 200, response.text
    return list(response.json()["QueryResponse"].get("PaymentMethod", []))


async def test_active_methods_by_default_and_every_one_when_asked(qbo: Connected) -> None:
    active = await _methods(qbo, "select * from PaymentMethod")
    assert {m["Name"] for m in active} >= {"Cash", "Check", "Visa", "MasterCard", "American Express"}
    assert all(m["Active"] for m in active)
    assert {m["Type"] for m in active} == {"CREDIT_CARD", "NON_CREDIT_CARD"}
    every = await _methods(qbo, "select * from PaymentMethod where Active in (true, false)")
    assert [m["Name"] for m in every if not m["Active"]] == ["Diners Club"]
    cards = await _methods(qbo, "select * from PaymentMethod where Type = 'CREDIT_CARD'")
    assert {m["Name"] for m in cards} == {"Visa", "MasterCard", "American Express"}
    counted = (await qbo.query("select count(*) from PaymentMethod where Active in (true, false)")).json()
    assert counted["QueryResponse"]["totalCount"] == len(every)


async def test_one_method_by_id_and_through_cdc(qbo: Connected) -> None:
    (cash,) = await _methods(qbo, "select * from PaymentMethod where Name = 'Cash'")
    one = await qbo.client.get(qbo.url(f"paymentmethod/{cash['Id']}"), headers=qbo.headers)
    assert one.status_code == 200, one.text
    assert one.json()["PaymentMethod"]["Name"] == "Cash"
    assert one.json()["PaymentMethod"]["MetaData"]["LastUpdatedTime"]
    changed = await qbo.client.get(
        qbo.url("cdc"),
        params={"entities": "PaymentMethod", "changedSince": "2026-09-01T00:00:00Z"},
        headers=qbo.headers,
    )
    assert changed.status_code == 200, changed.text  # CDC knows the entity (nothing changed in the window)
    assert changed.json()["CDCResponse"][0]["QueryResponse"][0].get("PaymentMethod", []) == []
