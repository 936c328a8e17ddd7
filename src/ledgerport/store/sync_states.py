"""Where each linked account's sync of each common model stands (Merge's ``sync-status``).

A sync moves a state through ``SYNCING`` to ``DONE`` or ``FAILED``; the watermark, the newest provider change
time fully stored, advances only with the pages it covers, so a sync that dies resumes where it stopped.

A failure stays shown until the provider answers again: a run that starts after one leaves ``FAILED`` and its
reason in place (:func:`begin_sync`) until it stores a page (:func:`show_syncing`), and a run whose calls keep
failing while it still retries them shows ``FAILED`` at once (:func:`show_failure`), so a retry never hides a
failure behind ``SYNCING``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import msgspec
from sqlalchemy import case, func, or_, select, update

from ledgerport.kit import clock
from ledgerport.store.engine import ReadSession, WriteSession
from ledgerport.store.tables import credentials, linked_accounts, sync_states

__all__ = [
    "SyncState",
    "abandon_sync",
    "begin_sync",
    "due_accounts",
    "end_sync",
    "is_scheduled",
    "list_sync_states",
    "save_watermark",
    "schedule_next",
    "show_failure",
    "show_syncing",
]

SYNCING = "SYNCING"
DONE = "DONE"
FAILED = "FAILED"


class SyncState(msgspec.Struct, frozen=True, kw_only=True):
    """One row of ``sync_states``."""

    linked_account_id: uuid.UUID
    model: str
    status: str
    is_initial_sync: bool
    watermark: str | None
    last_sync_start: int | None
    last_sync_finished: int | None
    last_sync_result: str | None
    next_sync_start: int | None
    data_fresh_as_of: int | None
    reason: str | None


_COLUMNS = [sync_states.c[name] for name in SyncState.__struct_fields__]


async def list_sync_states(session: ReadSession, *, linked_account_id: uuid.UUID) -> list[SyncState]:
    """Every model's state for one account, by model name."""
    rows = await session.execute(
        select(*_COLUMNS).where(sync_states.c.linked_account_id == linked_account_id).order_by(sync_states.c.model)
    )
    return [SyncState(**row._mapping) for row in rows]


async def begin_sync(
    session: WriteSession, *, linked_account_id: uuid.UUID, models: Sequence[str]
) -> dict[str, str | None]:
    """Mark models ``SYNCING`` (those that failed stay ``FAILED`` with their reason until :func:`show_syncing`);
    returns each model's watermark (``None``: sync everything)."""
    now = clock.now_micros()
    existing = {state.model: state for state in await list_sync_states(session, linked_account_id=linked_account_id)}
    failed = sync_states.c.status == FAILED
    for model in models:
        if model in existing:
            await session.execute(
                update(sync_states)
                .where(sync_states.c.linked_account_id == linked_account_id, sync_states.c.model == model)
                .values(
                    status=case((failed, FAILED), else_=SYNCING),
                    reason=case((failed, sync_states.c.reason), else_=None),
                    last_sync_start=now,
                )
            )
        else:
            await session.execute(
                sync_states.insert().values(
                    linked_account_id=linked_account_id,
                    model=model,
                    status=SYNCING,
                    is_initial_sync=True,
                    watermark=None,
                    last_sync_start=now,
                )
            )
    return {model: existing[model].watermark if model in existing else None for model in models}


async def save_watermark(session: WriteSession, *, linked_account_id: uuid.UUID, model: str, watermark: str) -> None:
    """Record progress after a page is stored (in the same transaction as the page)."""
    await session.execute(
        update(sync_states)
        .where(sync_states.c.linked_account_id == linked_account_id, sync_states.c.model == model)
        .values(watermark=watermark)
    )


async def end_sync(
    session: WriteSession,
    *,
    linked_account_id: uuid.UUID,
    model: str,
    succeeded: bool,
    reason: str | None = None,
    next_sync_start: int | None = None,
) -> None:
    """Close a sync: ``DONE`` (and no longer initial) or ``FAILED`` with the reason."""
    now = clock.now_micros()
    values: dict[str, object] = {
        "status": DONE if succeeded else FAILED,
        "last_sync_finished": now,
        "last_sync_result": DONE if succeeded else FAILED,
        "reason": reason,
        "next_sync_start": next_sync_start,
    }
    if succeeded:
        values |= {"is_initial_sync": False, "data_fresh_as_of": now}
    await session.execute(
        update(sync_states)
        .where(sync_states.c.linked_account_id == linked_account_id, sync_states.c.model == model)
        .values(**values)
    )


async def show_failure(
    session: WriteSession, *, linked_account_id: uuid.UUID, models: Sequence[str], reason: str
) -> None:
    """A run still under way keeps failing: its unfinished ``models`` show ``FAILED`` with ``reason`` meanwhile.

    The run has not ended, so ``last_sync_finished`` and ``last_sync_result`` keep the previous run's values.
    """
    await session.execute(
        update(sync_states)
        .where(sync_states.c.linked_account_id == linked_account_id, sync_states.c.model.in_(list(models)))
        .values(status=FAILED, reason=reason)
    )


async def show_syncing(session: WriteSession, *, linked_account_id: uuid.UUID, models: Sequence[str]) -> None:
    """The provider answers again: those of the run's unfinished ``models`` that show ``FAILED`` are ``SYNCING``."""
    await session.execute(
        update(sync_states)
        .where(
            sync_states.c.linked_account_id == linked_account_id,
            sync_states.c.model.in_(list(models)),
            sync_states.c.status == FAILED,
        )
        .values(status=SYNCING, reason=None)
    )


async def abandon_sync(session: WriteSession, *, linked_account_id: uuid.UUID, reason: str) -> list[str]:
    """The sync was given up without an outcome of its own: every model not ``DONE`` ends ``FAILED`` with
    ``reason``. Returns those models."""
    unfinished = [
        state.model
        for state in await list_sync_states(session, linked_account_id=linked_account_id)
        if state.status != DONE
    ]
    for model in unfinished:
        await end_sync(session, linked_account_id=linked_account_id, model=model, succeeded=False, reason=reason)
    return unfinished


async def schedule_next(session: WriteSession, *, linked_account_id: uuid.UUID, at: int) -> None:
    """When the next sync of every model of the account is due."""
    await session.execute(
        update(sync_states).where(sync_states.c.linked_account_id == linked_account_id).values(next_sync_start=at)
    )


async def due_accounts(session: ReadSession, *, now: int, interval: int) -> list[uuid.UUID]:
    """Linked accounts with credentials whose last finished sync is older than ``interval`` µs (or never ran).

    Accounts that need relinking are left alone: syncing them would only fail again.
    """
    finished = (
        select(
            sync_states.c.linked_account_id, func.min(func.coalesce(sync_states.c.last_sync_finished, 0)).label("at")
        )
        .group_by(sync_states.c.linked_account_id)
        .subquery()
    )
    statement = (
        select(credentials.c.linked_account_id)
        .join(linked_accounts, linked_accounts.c.id == credentials.c.linked_account_id)
        .outerjoin(finished, finished.c.linked_account_id == credentials.c.linked_account_id)
        .where(
            linked_accounts.c.status != "RELINK_NEEDED", or_(finished.c.at.is_(None), finished.c.at <= now - interval)
        )
    )
    return list((await session.execute(statement)).scalars())


async def is_scheduled(session: ReadSession | WriteSession, *, linked_account_id: uuid.UUID) -> bool:
    """Whether :func:`due_accounts` ever picks this account: it has credentials and needs no relinking."""
    statement = (
        select(credentials.c.linked_account_id)
        .join(linked_accounts, linked_accounts.c.id == credentials.c.linked_account_id)
        .where(credentials.c.linked_account_id == linked_account_id, linked_accounts.c.status != "RELINK_NEEDED")
    )
    return (await session.execute(statement)).first() is not None
