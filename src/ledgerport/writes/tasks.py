"""Asynchronous writes: a task row and a job that runs :func:`~ledgerport.writes.engine.perform` for it.

```
POST /<path>/async, run_async=true ──> task QUEUED + job writes.task {task_id} (one transaction) ──> 202 {task_id}
worker: task IN_PROGRESS ──> perform(..., idempotency key "task <id>") ──> task COMPLETED | FAILURE
                                                                          (status_code, response = the sync answer)
```

Exactly once: the task's write is keyed by the task (``task <id>``; a space no caller's ``Idempotency-Key`` may
hold), so a job taken over from a worker that died mid-write claims the same operation and presents the provider
the same idempotency key, and a write that already finished is replayed from its operation instead of sent again.

What the write engine answers decides the task: a final answer (written, or refused by validation or by the
provider, or credentials that need a relink) ends it; a throttle or another process still sending re-queues the
job for the ``Retry-After`` (no attempt spent); an outage (the outcome is not known yet) or an object that kept
changing while it was updated fails the attempt, so the worker retries with backoff, and the last attempt ends the
task with that answer.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal

import msgspec

from ledgerport.jobs import Abandoned, Handler, JobContext, LeaseLost, RetryLater, Wakeups, WorkerStopping, submit
from ledgerport.store import Database, WriteSession
from ledgerport.store.accounts import find_linked_account_by_id
from ledgerport.store.jobs import JobRow
from ledgerport.store.write_tasks import FINAL_STATUSES, Submitted, finish_task, start_task, submit_task
from ledgerport.writes.engine import Outcome, WriteCall, WriteDeps, perform
from ledgerport.writes.events import task_completed

__all__ = ["WRITE_TASK", "queue_task", "task_key", "write_task_handlers", "write_tasks_abandoned"]

WRITE_TASK = "writes.task"

_decoder = msgspec.json.Decoder(float_hook=Decimal)
_encoder = msgspec.json.Encoder(decimal_format="number")


class Unsettled(Exception):  # noqa: N818 - names the condition
    """The provider's outcome is not known yet: the worker retries the job with backoff."""


def task_key(task_id: uuid.UUID) -> str:
    """The idempotency key of a task's write operation (no ``Idempotency-Key`` header can hold a space)."""
    return f"task {task_id}"


async def queue_task(session: WriteSession, call: WriteCall, *, wakeups: Wakeups | None = None) -> Submitted:
    """Record the task for ``call`` and queue its job, in the caller's transaction (or find the task that
    ``call.idempotency_key`` already names)."""
    submitted = await submit_task(
        session,
        linked_account_id=call.account.id,
        idempotency_key=call.idempotency_key,
        request_digest=call.digest,
        model=call.model,
        kind=call.kind,
        record_id=call.record_id,
        request=_encoder.encode(call.given),
        debug=call.debug,
    )
    if submitted.outcome == "new":
        await submit(
            session,
            kind=WRITE_TASK,
            payload={"task_id": str(submitted.task_id)},
            linked_account_id=call.account.id,
            dedupe_key=f"write-task:{submitted.task_id}",
            wakeups=wakeups,
        )
    return submitted


async def _finish(database: Database, task_id: uuid.UUID, status_code: int, response: bytes) -> None:
    """The task's final answer, and its ``AsyncPost.completed`` event (once: a task already final is left alone)."""
    status = "COMPLETED" if 200 <= status_code < 300 else "FAILURE"
    async with database.write() as session:
        account_id = await finish_task(
            session, task_id=task_id, status=status, status_code=status_code, response=response
        )
        account = None if account_id is None else await find_linked_account_by_id(session, account_id=account_id)
        if account is not None:
            await task_completed(
                session,
                organization_id=account.organization_id,
                account_id=account.id,
                task_id=task_id,
                status=status,
                status_code=status_code,
                response=response,
            )


def write_task_handlers(deps: WriteDeps) -> Mapping[str, Handler]:
    """Handlers by job kind, bound to this process's write dependencies."""
    database = deps.providers.database

    async def run(context: JobContext) -> None:
        task_id = uuid.UUID(str(context.row.payload["task_id"]))
        async with database.write() as session:
            task = await start_task(session, task_id=task_id)
        if task is None or task.status in FINAL_STATUSES:
            return  # the account was deleted with its tasks, or a run before this one finished it
        async with database.read() as session:
            account = await find_linked_account_by_id(session, account_id=task.linked_account_id)
        if account is None:
            return
        await context.checkpoint()
        call = WriteCall(
            account=account,
            model=task.model,
            kind="create" if task.kind == "create" else "apply" if task.kind == "apply" else "update",
            given=_decoder.decode(task.request),
            record_id=task.record_id,
            idempotency_key=task_key(task.id),
            digest=task.request_digest,
            debug=task.debug,
        )
        try:
            outcome = await perform(deps, call)
        except (LeaseLost, WorkerStopping):
            raise
        except Exception:
            if context.retry_in is None:
                body = _encoder.encode({"detail": "The write failed inside ledgerport and was given up."})
                await _finish(database, task_id, 500, body)
            raise
        await _settle(context, task_id, outcome)

    async def _settle(context: JobContext, task_id: uuid.UUID, outcome: Outcome) -> None:
        if outcome.final or outcome.status == 400:  # 400 not final: credentials that only a relink can fix
            await _finish(database, task_id, outcome.status, outcome.body)
            return
        wait = outcome.headers.get("Retry-After")
        if outcome.status in (409, 429) and wait is not None:  # a throttle, or another process still sending
            raise RetryLater(float(wait), outcome.body.decode("utf-8", "replace"))
        if context.retry_in is None:
            await _finish(database, task_id, outcome.status, outcome.body)
            return
        raise Unsettled(outcome.body.decode("utf-8", "replace"))

    return {WRITE_TASK: run}


def write_tasks_abandoned() -> Mapping[str, Abandoned]:
    """What the worker calls when it gives a task's job up unrun (its workers kept stopping): the task fails with
    the reason, and says that whether the change was made is not known."""

    async def abandoned(database: Database, row: JobRow, reason: str) -> None:
        task_id = uuid.UUID(str(row.payload["task_id"]))
        detail = (
            f"The write was given up: {reason}. Whether the provider made the change is not known; look the "
            "object up before writing it again."
        )
        await _finish(database, task_id, 500, _encoder.encode({"detail": detail}))

    return {WRITE_TASK: abandoned}
