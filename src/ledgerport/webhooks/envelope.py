"""The body of a delivery, in Merge's envelope: ``{"hook": {...}, "linked_account": {...}, "data": {...}}``.

``hook`` names the endpoint (``id``), the event and the URL it is sent to (``target``); ``linked_account`` is the
account the event is about, with the fields Merge's webhook payloads carry; ``data`` is the event's own JSON,
copied byte for byte from the outbox.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from ledgerport.kit import clock
from ledgerport.store.accounts import LinkedAccount

__all__ = [
    "envelope",
    "linked_account_summary",
]


def _iso(micros: int | None) -> str | None:
    return None if micros is None else clock.from_micros(micros).isoformat().replace("+00:00", "Z")


def linked_account_summary(account: LinkedAccount) -> dict[str, Any]:
    """The ``linked_account`` of a payload."""
    return {
        "id": str(account.id),
        "integration": account.integration_name,
        "integration_slug": account.integration,
        "category": account.category,
        "end_user_origin_id": account.end_user_origin_id,
        "end_user_organization_name": account.end_user_organization_name,
        "end_user_email_address": account.end_user_email_address,
        "status": account.status,
        "webhook_listener_url": None,
        "is_duplicate": None if account.is_test_account else False,
        "account_type": "TEST" if account.is_test_account else "PRODUCTION",
        "completed_at": _iso(account.completed_at),
    }


def envelope(
    *,
    endpoint_id: uuid.UUID,
    target: str,
    event: str,
    account: LinkedAccount | None,
    linked_account_id: uuid.UUID | None,
    data: bytes,
) -> bytes:
    """The exact bytes to sign and send; an account deleted since the event keeps just its id."""
    if account is not None:
        summary: dict[str, Any] | None = linked_account_summary(account)
    else:
        summary = None if linked_account_id is None else {"id": str(linked_account_id)}
    return msgspec.json.encode(
        {
            "hook": {"id": str(endpoint_id), "event": event, "target": target},
            "linked_account": summary,
            "data": msgspec.Raw(data),
        }
    )
