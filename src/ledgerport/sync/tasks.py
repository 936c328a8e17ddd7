"""The sync room's job handlers and schedule: the thin shell around :mod:`ledgerport.sync.engine`.

``sync.run`` syncs one linked account (payload ``{"linked_account_id", "models"?}``). A provider throttle that
asks for a long wait re-queues the job for then (the attempt is given back); a revoked grant ends it (the account
is marked ``RELINK_NEEDED`` and an issue raised; retrying cannot help); anything else fails the attempt and the
worker retries with backoff. The ``sync.schedule`` tick queues a sync for every account whose last one finished
more than the interval ago; a dedupe key keeps one live sync job per account.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from ledgerport.connectors._base import AuthRevoked, RateLimited
from ledgerport.jobs import Handler, JobContext, RetryLater, Tick, Wakeups, submit
from ledgerport.kit import clock
from ledgerport.store import Database, WriteSession
from ledgerport.store.sync_states import due_accounts
from ledgerport.sync.engine import SyncDeps, sync_account

__all__ = ["SYNC_RUN", "queue_sync", "schedule_tick", "sync_handlers"]

SYNC_RUN = "sync.run"


async def queue_sync(
    session: WriteSession,
    *,
    linked_account_id: uuid.UUID,
    models: Sequence[str] | None = None,
    wakeups: Wakeups | None = None,
) -> uuid.UUID:
    """Queue a sync of the account (or return the one already queued or running)."""
    payload: dict[str, object] = {"linked_account_id": str(linked_account_id)}
    if models:
        payload["models"] = list(models)
    return await submit(
        session,
        kind=SYNC_RUN,
        payload=payload,
        linked_account_id=linked_account_id,
        dedupe_key=f"sync:{linked_account_id}",
        wakeups=wakeups,
    )


def sync_handlers(deps: SyncDeps) -> Mapping[str, Handler]:
    """Handlers by job kind, bound to this process's dependencies."""

    async def run(context: JobContext) -> None:
        payload = context.row.payload
        try:
            await sync_account(
                deps,
                uuid.UUID(str(payload["linked_account_id"])),
                models=payload.get("models"),
                checkpoint=context.checkpoint,
            )
        except AuthRevoked:
            return  # recorded by the engine; only a person relinking can fix it
        except RateLimited as throttled:
            raise RetryLater(throttled.retry_after, str(throttled)) from throttled

    return {SYNC_RUN: run}


def schedule_tick(interval_seconds: int, wakeups: Wakeups | None = None) -> Tick:
    """A ticker callback that queues due syncs."""

    async def tick(database: Database) -> None:
        async with database.read() as session:
            due = await due_accounts(session, now=clock.now_micros(), interval=interval_seconds * 1_000_000)
        for account_id in due:
            async with database.write() as session:
                await queue_sync(session, linked_account_id=account_id, wakeups=wakeups)

    return tick
