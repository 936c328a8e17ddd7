"""``PUT /CreditNotes/{id}/Allocations``: Xero's allocation rules, and what an allocation moves on the credit note
and the invoice (both modified, so If-Modified-Since finds them)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from ledgerport.sandboxes.xero import SandboxApp

API = "/api.xro/2.0"


def _line(amount: int) -> dict[str, Any]:
    return {"Description": "x", "Quantity": 1, "UnitAmount": amount, "AccountCode": "200", "TaxType": "NONE"}


async def _put(client: httpx.AsyncClient, headers: dict[str, str], path: str, body: Any) -> httpx.Response:
    return await client.put(f"{API}/{path}", json=body, headers=headers)


async def _documents(
    client: httpx.AsyncClient, headers: dict[str, str], contact: str, *, sales: bool = True, currency: str | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    extra = {"CurrencyCode": currency} if currency else {}
    invoice = await _put(
        client,
        headers,
        "Invoices",
        {
            "Invoices": [
                {
                    "Type": "ACCREC" if sales else "ACCPAY",
                    "InvoiceNumber": None if sales else "SUP-1",
                    "Contact": {"ContactID": contact},
                    "Status": "AUTHORISED",
                    "DueDate": "2026-12-31",
                    "LineItems": [_line(100)],
                }
            ]
        },
    )
    assert invoice.status_code == 200, invoice.text
    note = await _put(
        client,
        headers,
        "CreditNotes",
        {
            "CreditNotes": [
                {
                    "Type": "ACCRECCREDIT",
                    "Contact": {"ContactID": contact},
                    "Status": "AUTHORISED",
                    "LineItems": [_line(40)],
                    **extra,
                }
            ]
        },
    )
    assert note.status_code == 200, note.text
    return invoice.json()["Invoices"][0], note.json()["CreditNotes"][0]


async def _contacts(client: httpx.AsyncClient, headers: dict[str, str]) -> list[str]:
    listed = (await client.get(f"{API}/Contacts", headers=headers)).json()["Contacts"]
    return [c["ContactID"] for c in listed if c.get("ContactStatus") == "ACTIVE"]


def _allocation(invoice_id: str, amount: Any) -> dict[str, Any]:
    return {"Allocations": [{"Invoice": {"InvoiceID": invoice_id}, "Amount": amount, "Date": "2026-06-01"}]}


def _messages(response: httpx.Response) -> list[str]:
    assert response.status_code == 400, response.text
    body = response.json()
    assert (body["ErrorNumber"], body["Type"]) == (10, "ValidationException")
    return [e["Message"] for e in body["Elements"][0]["ValidationErrors"]]


async def test_an_allocation_moves_both_documents(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    contact = (await _contacts(client, headers))[0]
    invoice, note = await _documents(client, headers, contact)
    made = await _put(
        client, headers, f"CreditNotes/{note['CreditNoteID']}/Allocations", _allocation(invoice["InvoiceID"], 15)
    )
    assert made.status_code == 200, made.text
    (allocation,) = made.json()["Allocations"]
    assert Decimal(str(allocation["Amount"])) == 15
    assert allocation["Invoice"]["InvoiceID"] == invoice["InvoiceID"]
    assert allocation["CreditNote"]["CreditNoteID"] == note["CreditNoteID"]
    after = (await client.get(f"{API}/CreditNotes/{note['CreditNoteID']}", headers=headers)).json()["CreditNotes"][0]
    assert Decimal(str(after["RemainingCredit"])) == 25
    assert [a["AllocationID"] for a in after["Allocations"]] == [allocation["AllocationID"]]
    owed = (await client.get(f"{API}/Invoices/{invoice['InvoiceID']}", headers=headers)).json()["Invoices"][0]
    assert (Decimal(str(owed["AmountDue"])), Decimal(str(owed["AmountCredited"]))) == (85, 15)
    assert [c["CreditNoteID"] for c in owed["CreditNotes"]] == [note["CreditNoteID"]]
    rest = await _put(
        client, headers, f"CreditNotes/{note['CreditNoteID']}/Allocations", _allocation(invoice["InvoiceID"], 25)
    )
    assert rest.status_code == 200
    paid = (await client.get(f"{API}/CreditNotes/{note['CreditNoteID']}", headers=headers)).json()["CreditNotes"][0]
    assert (paid["Status"], Decimal(str(paid["RemainingCredit"]))) == ("PAID", 0)


async def test_the_rules_refuse_and_nothing_moves(
    client: httpx.AsyncClient, headers: dict[str, str], app: SandboxApp
) -> None:
    first, second = (await _contacts(client, headers))[:2]
    invoice, note = await _documents(client, headers, first)
    path = f"CreditNotes/{note['CreditNoteID']}/Allocations"
    too_much = _messages(await _put(client, headers, path, _allocation(invoice["InvoiceID"], "40.01")))
    assert too_much == ["The amount allocated cannot exceed the remaining credit on the credit note"]
    zero = _messages(await _put(client, headers, path, _allocation(invoice["InvoiceID"], 0)))
    assert zero == ["The allocation amount must be greater than zero"]
    other_invoice, _ = await _documents(client, headers, second)
    stranger = _messages(await _put(client, headers, path, _allocation(other_invoice["InvoiceID"], 1)))
    assert stranger == ["The invoice and the credit note must be for the same contact"]
    bill, _ = await _documents(client, headers, first, sales=False)
    wrong_type = _messages(await _put(client, headers, path, _allocation(bill["InvoiceID"], 1)))
    assert wrong_type == ["A ACCRECCREDIT credit note cannot be allocated to a ACCPAY invoice"]
    missing = _messages(
        await _put(client, headers, path, {"Allocations": [{"Invoice": {"InvoiceID": "nope"}, "Amount": 1}]})
    )
    assert missing == ["Invoice could not be found"]
    unknown = await _put(
        client,
        headers,
        "CreditNotes/00000000-0000-0000-0000-000000000000/Allocations",
        _allocation(invoice["InvoiceID"], 1),
    )
    assert unknown.status_code == 404
    after = (await client.get(f"{API}/CreditNotes/{note['CreditNoteID']}", headers=headers)).json()["CreditNotes"][0]
    assert (Decimal(str(after["RemainingCredit"])), after["Allocations"]) == (40, [])
    owed = (await client.get(f"{API}/Invoices/{invoice['InvoiceID']}", headers=headers)).json()["Invoices"][0]
    assert Decimal(str(owed["AmountDue"])) == 100


async def test_another_currency_is_refused(client: httpx.AsyncClient, headers: dict[str, str], app: SandboxApp) -> None:
    contact = (await _contacts(client, headers))[0]
    invoice, note = await _documents(client, headers, contact)
    tenant = next(iter(app.tenants.values()))
    notes = tenant.collections["CreditNotes"]
    slot = notes.find(note["CreditNoteID"])
    assert slot is not None
    notes.put({**notes.get(slot), "CurrencyCode": "NZD"}, 1_800_000_000_000, slot)
    path = f"CreditNotes/{note['CreditNoteID']}/Allocations"
    messages = _messages(await _put(client, headers, path, _allocation(invoice["InvoiceID"], 1)))
    assert messages == ["The invoice and the credit note must be in the same currency"]
