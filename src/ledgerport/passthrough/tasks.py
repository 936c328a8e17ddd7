"""Asynchronous passthrough: a receipt row and a job that runs :func:`~ledgerport.passthrough.engine.relay` for it.

```
POST /async-passthrough ──> receipt QUEUED + job passthrough.send {receipt_id} (one transaction) ──> {receipt id}
worker: receipt IN_PROGRESS ──> relay(...) ──> receipt DONE (status_code, response = the synchronous answer)
```

A provider that gave no answer at all (502) is asked again with the worker's backoff while attempts remain; any
answer the provider gave, an error included, is final: a passthrough may change data, so it is not sent twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

import msgspec

from ledgerport.jobs import Abandoned, Handler, JobContext, Wakeups, submit
from ledgerport.passthrough.engine import relay
from ledgerport.passthrough.shapes import DataPassthroughRequest
from ledgerport.remote import ProviderDeps
from ledgerport.store import Database, WriteSession
from ledgerport.store.accounts import find_linked_account_by_id
from ledgerport.store.jobs import JobRow
from ledgerport.store.passthrough import create_receipt, finish_receipt, start_receipt

__all__ = ["PASSTHROUGH", "passthrough_abandoned", "passthrough_handlers", "queue_passthrough"]

PASSTHROUGH = "passthrough.send"


class Unanswered(Exception):  # noqa: N818 - names the condition
    """The provider gave no answer: the worker retries the job with backoff."""


async def queue_passthrough(
    session: WriteSession, *, linked_account_id: uuid.UUID, request: bytes, wakeups: Wakeups | None = None
) -> uuid.UUID:
    """Record a receipt for ``request`` (a checked ``DataPassthroughRequest`` body) and queue its job, in the
    caller's transaction."""
    receipt_id = await create_receipt(session, linked_account_id=linked_account_id, request=request)
    await submit(
        session,
        kind=PASSTHROUGH,
        payload={"receipt_id": str(receipt_id)},
        linked_account_id=linked_account_id,
        dedupe_key=f"passthrough:{receipt_id}",
        wakeups=wakeups,
    )
    return receipt_id


async def _finish(database: Database, receipt_id: uuid.UUID, status: int, body: bytes) -> None:
    async with database.write() as session:
        await finish_receipt(session, receipt_id=receipt_id, status_code=status, response=body)


def passthrough_handlers(deps: ProviderDeps) -> Mapping[str, Handler]:
    """Handlers by job kind, bound to this process's provider plumbing."""
    database = deps.database

    async def run(context: JobContext) -> None:
        receipt_id = uuid.UUID(str(context.row.payload["receipt_id"]))
        async with database.write() as session:
            receipt = await start_receipt(session, receipt_id=receipt_id)
        if receipt is None or receipt.status == "DONE":
            return  # the account was deleted with its receipts, or a run before this one finished it
        async with database.read() as session:
            account = await find_linked_account_by_id(session, account_id=receipt.linked_account_id)
        if account is None:
            return
        await context.checkpoint()
        given = msgspec.json.decode(receipt.request, type=DataPassthroughRequest)
        answer = await relay(deps, account, given)
        if answer.status == 502 and context.retry_in is not None:
            raise Unanswered(answer.body.decode("utf-8", "replace"))
        await _finish(database, receipt_id, answer.status, answer.body)

    return {PASSTHROUGH: run}


def passthrough_abandoned() -> Mapping[str, Abandoned]:
    """What the worker calls when it gives a passthrough's job up unrun: the receipt ends with the reason."""

    async def abandoned(database: Database, row: JobRow, reason: str) -> None:
        detail = f"The passthrough request was given up: {reason}. Whether the provider received it is not known."
        await _finish(database, uuid.UUID(str(row.payload["receipt_id"])), 502, msgspec.json.encode({"detail": detail}))

    return {PASSTHROUGH: abandoned}
