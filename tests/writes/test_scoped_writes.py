"""Writes under a linked account's scopes, through the real app and the QuickBooks sandbox: a model whose WRITE is
disabled is refused before QuickBooks is called, and a written record is stored as the sync would store it under
the scopes (its disabled fields null, no provider data), read from the ``records`` table itself."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from quickbooks_kit import QboWrites, open_qbo
from sqlalchemy import select

from ledgerport.store.tables import records


@pytest.fixture
async def qbo(database_url: str) -> AsyncIterator[QboWrites]:
    async with open_qbo(database_url) as kit:
        yield kit


async def _scopes(qbo: QboWrites, common_models: list[dict[str, Any]]) -> None:
    response = await qbo.api.post("/linked-account-scopes", json={"common_models": common_models})
    assert response.status_code == 200, response.text


async def test_a_write_to_a_model_whose_write_is_disabled_is_refused(qbo: QboWrites) -> None:
    await _scopes(
        qbo,
        [
            {"model_name": "Contact", "model_permissions": {"WRITE": {"is_enabled": False}}},
            {"model_name": "Invoice", "model_permissions": {"WRITE": {"is_enabled": False}}},
        ],
    )
    before = await qbo.count("Customer")
    response = await qbo.create("contacts", {"name": "Refused Ltd", "is_customer": True})
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["warnings"] == []
    assert [error["problem_type"] for error in body["errors"]] == ["ERROR"]
    assert "Contact" in body["errors"][0]["detail"]
    assert await qbo.count("Customer") == before
    bulk = await qbo.api.post(
        "/invoices/bulk", json={"batch_items": [{"item_id": "1", "payload": {"type": "ACCOUNTS_RECEIVABLE"}}]}
    )
    assert bulk.status_code == 403, bulk.text
    assert "Invoice" in bulk.json()["errors"][0]["detail"]
    assert (await qbo.api.get("/contacts")).status_code == 200, "reading is still allowed"


async def test_a_written_record_is_stored_without_its_disabled_fields(qbo: QboWrites) -> None:
    await _scopes(qbo, [{"model_name": "Contact", "field_permissions": {"disabled_fields": ["email_address"]}}])
    response = await qbo.create(
        "contacts", {"name": "Quiet Harbor Co", "is_customer": True, "email_address": "hidden@quiet.example"}
    )
    assert response.status_code == 201, response.text
    model = response.json()["model"]
    assert model["email_address"] is None
    assert model["name"] == "Quiet Harbor Co"
    c = records.c
    async with qbo.database.read() as session:
        (document, remote_data) = (
            await session.execute(
                select(c.document, c.remote_data).where(
                    c.linked_account_id == qbo.account_id, c.model == "Contact", c.remote_id == model["remote_id"]
                )
            )
        ).one()
    assert b"hidden@quiet.example" not in bytes(document)
    assert b'"email_address":null' in bytes(document)
    assert remote_data is None
