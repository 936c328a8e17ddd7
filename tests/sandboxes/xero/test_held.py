"""``GET /Overpayments``, ``GET /Prepayments`` and ``GET /BankTransfers``: listed, paged (the first two),
If-Modified-Since, and read-only as Xero's API keeps them (see ``sandboxes/xero/held``)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

API = "/api.xro/2.0"


async def _list(client: httpx.AsyncClient, headers: dict[str, str], name: str, **params: Any) -> Any:
    response = await client.get(f"{API}/{name}", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    ("name", "key", "kinds"),
    [
        ("Overpayments", "OverpaymentID", {"RECEIVE-OVERPAYMENT", "SPEND-OVERPAYMENT"}),
        ("Prepayments", "PrepaymentID", {"RECEIVE-PREPAYMENT", "SPEND-PREPAYMENT"}),
    ],
)
async def test_held_credit_is_listed_and_paged(
    client: httpx.AsyncClient, headers: dict[str, str], name: str, key: str, kinds: set[str]
) -> None:
    everything = (await _list(client, headers, name))[name]
    assert everything
    assert {record["Type"] for record in everything} <= kinds
    for record in everything:
        assert record["RemainingCredit"] == (0 if record["Status"] == "VOIDED" else record["Total"])
        assert record["Allocations"] == []
        assert record["Contact"]["ContactID"]
    first = await _list(client, headers, name, page=1, pageSize=2)
    assert first["pagination"] == {
        "page": 1,
        "pageSize": 2,
        "pageCount": -(-len(everything) // 2),
        "itemCount": len(everything),
    }
    assert len(first[name]) == 2
    one = everything[0][key]
    again = (await client.get(f"{API}/{name}/{one}", headers=headers)).json()[name]
    assert [record[key] for record in again] == [one]
    assert (await client.put(f"{API}/{name}", headers=headers, json={name: [{}]})).status_code == 405


async def test_if_modified_since_leaves_out_older_records(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    everything = (await _list(client, headers, "Overpayments"))["Overpayments"]
    later = sorted(everything, key=lambda r: r["UpdatedDateUTC"])[-1]
    stamp = int(later["UpdatedDateUTC"][6:19]) / 1000
    from email.utils import formatdate

    since = {**headers, "If-Modified-Since": formatdate(stamp - 1, usegmt=True)}
    recent = (await client.get(f"{API}/Overpayments", headers=since)).json()["Overpayments"]
    assert later["OverpaymentID"] in {r["OverpaymentID"] for r in recent}
    assert len(recent) < len(everything)


async def test_bank_transfers_move_money_between_two_bank_accounts(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    body = await _list(client, headers, "BankTransfers")
    assert "pagination" not in body
    transfers = body["BankTransfers"]
    assert transfers
    for transfer in transfers:
        assert {transfer["FromBankAccount"]["Code"], transfer["ToBankAccount"]["Code"]} == {"090", "091"}
        assert transfer["Amount"] > 0
        assert transfer["CreatedDateUTC"].startswith("/Date(")
    unpaged = await _list(client, headers, "BankTransfers", page=1)
    assert len(unpaged["BankTransfers"]) == len(transfers)
    assert (await client.post(f"{API}/BankTransfers", headers=headers, json={})).status_code == 405
