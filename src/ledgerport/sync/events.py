"""The webhook events a sync run writes: record changes per page, ``{Model}.synced`` per model, and
``LinkedAccount.sync_completed`` per run, each in the transaction that stores what it reports.

A model's first sync reports no record changes: its ``{Model}.synced`` (with ``is_initial_sync``) says the data is
there, as Merge does not send changed-data events for an initial sync (a receiver would otherwise get one event per
record of the company). Nothing is built or written when no endpoint of the organization subscribes.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import msgspec

from ledgerport.kit import clock
from ledgerport.models import MODELS
from ledgerport.models.events import SYNC_COMPLETED, model_event
from ledgerport.store import WriteSession
from ledgerport.store.records import Change
from ledgerport.store.sync_states import SyncState
from ledgerport.store.webhooks import NewEvent, Subscriptions, emit, subscriptions

__all__ = ["ChangeEvents", "Listening", "sync_completed", "synced"]

_CHANGES = ("added", "changed", "removed")


class Listening(msgspec.Struct):
    """A page's changes, collected while it is stored, for the endpoints that subscribe to them."""

    model: str
    subscribed: Subscriptions
    changes: list[Change] = msgspec.field(default_factory=list)


class ChangeEvents:
    """One run's record-change events; ``quiet`` are the models whose first sync this is."""

    def __init__(self, *, organization_id: uuid.UUID, account_id: uuid.UUID, quiet: set[str]) -> None:
        self.organization_id = organization_id
        self.account_id = account_id
        self.quiet = quiet

    async def listen(self, session: WriteSession, model: str) -> Listening | None:
        """Start collecting a page's changes of ``model``, or ``None`` when nobody would be told of them."""
        if model in self.quiet:
            return None
        subscribed = await subscriptions(session, organization_id=self.organization_id)
        if not any(subscribed.wants(model_event(model, verb)) for verb in _CHANGES):
            return None
        return Listening(model, subscribed)

    async def emit(self, session: WriteSession, listening: Listening | None) -> None:
        """Write the collected changes' events in the page's transaction."""
        if listening is None or not listening.changes:
            return
        await emit(
            session,
            organization_id=self.organization_id,
            subscribed=listening.subscribed,
            events=[
                NewEvent(model_event(listening.model, change.kind), change.document, self.account_id)
                for change in listening.changes
            ],
        )


def _iso(micros: int | None) -> str | None:
    return None if micros is None else clock.from_micros(micros).isoformat().replace("+00:00", "Z")


def _status(state: SyncState, *, initial: bool) -> dict[str, object]:
    return {
        "model_name": state.model,
        "model_id": f"accounting.{state.model}",
        "last_sync_start": _iso(state.last_sync_start),
        "last_sync_finished": _iso(state.last_sync_finished),
        "last_sync_result": state.last_sync_result,
        "data_fresh_as_of": _iso(state.data_fresh_as_of),
        "status": state.status,
        "sync_status_reason": state.reason,
        "is_initial_sync": initial,
    }


async def synced(
    session: WriteSession,
    *,
    organization_id: uuid.UUID,
    account_id: uuid.UUID,
    integration: str,
    integration_name: str,
    state: SyncState,
    initial: bool,
) -> None:
    """``{Model}.synced``: one model's sync finished."""
    data = {
        "integration_name": integration_name,
        "integration_id": integration,
        "synced_fields": [name for name in MODELS[state.model].struct.__struct_fields__ if name != "remote_data"],
        "sync_status": _status(state, initial=initial),
    }
    await emit(
        session,
        organization_id=organization_id,
        events=[NewEvent(model_event(state.model, "synced"), msgspec.json.encode(data), account_id)],
    )


async def sync_completed(
    session: WriteSession,
    *,
    organization_id: uuid.UUID,
    account_id: uuid.UUID,
    integration: str,
    integration_name: str,
    states: Sequence[SyncState],
    initial: bool,
) -> None:
    """``LinkedAccount.sync_completed``: every model of the run is done."""
    data = {
        "is_initial_sync": initial,
        "integration_name": integration_name,
        "integration_id": integration,
        "sync_status": {
            f"accounting.{state.model}": {
                "last_sync_finished": _iso(state.last_sync_finished),
                "last_sync_result": state.last_sync_result,
                "data_fresh_as_of": _iso(state.data_fresh_as_of),
                "sync_status_reason": state.reason,
            }
            for state in states
        },
    }
    await emit(
        session,
        organization_id=organization_id,
        events=[NewEvent(SYNC_COMPLETED, msgspec.json.encode(data), account_id)],
    )
