"""The webhook events ledgerport sends: Merge's names, so a receiver written for Merge needs no change.

A common model's events are ``{Model}.added``, ``.changed``, ``.removed`` and ``.synced``, under Merge's published
model names (``Transaction`` is published as ``AccountingTransaction``, ``Employee`` as ``AccountingEmployee``).
"""

from __future__ import annotations

from typing import Final, Literal

from ledgerport.models.registry import MODELS

__all__ = [
    "ACCOUNT_EVENTS",
    "ALL_EVENTS",
    "ASYNC_BULK_POST_COMPLETED",
    "ASYNC_POST_COMPLETED",
    "LINKED",
    "MODEL_VERBS",
    "SYNC_COMPLETED",
    "model_event",
]

LINKED: Final = "LinkedAccount.linked"
SYNC_COMPLETED: Final = "LinkedAccount.sync_completed"
ASYNC_POST_COMPLETED: Final = "AsyncPost.completed"
ASYNC_BULK_POST_COMPLETED: Final = "AsyncBulkPost.completed"

ACCOUNT_EVENTS: Final = (LINKED, SYNC_COMPLETED, ASYNC_POST_COMPLETED, ASYNC_BULK_POST_COMPLETED)

Verb = Literal["added", "changed", "removed", "synced"]
MODEL_VERBS: Final[tuple[Verb, ...]] = ("added", "changed", "removed", "synced")

_PUBLISHED = {"Transaction": "AccountingTransaction", "Employee": "AccountingEmployee"}


def model_event(model: str, verb: Verb) -> str:
    """The event name of ``verb`` for the common model ``model`` (a key of ``MODELS``)."""
    return f"{_PUBLISHED.get(model, model)}.{verb}"


ALL_EVENTS: Final = (*ACCOUNT_EVENTS, *(model_event(model, verb) for model in MODELS for verb in MODEL_VERBS))
"""Every event an endpoint may subscribe to."""
