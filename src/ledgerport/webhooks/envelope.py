"""The body of a delivery, in Merge's envelope: ``{"hook": {...}, "linked_account": {...}, "data": {...}}``.

``hook`` names the endpoint (``id``), the event and the URL it is sent to (``target``); ``linked_account`` is the
account the event is about, with the fields Merge's webhook payloads carry; ``data`` is the event's own JSON,
copied byte for byte from the outbox.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec

from ledgerport.store.accounts import LinkedAccount
from ledgerport.store.webhooks import account_summary

__all__ = ["envelope"]


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
        summary: dict[str, Any] | None = account_summary(account)
    else:
        summary = None if linked_account_id is None else {"id": str(linked_account_id)}
    return msgspec.json.encode(
        {
            "hook": {"id": str(endpoint_id), "event": event, "target": target},
            "linked_account": summary,
            "data": msgspec.Raw(data),
        }
    )
