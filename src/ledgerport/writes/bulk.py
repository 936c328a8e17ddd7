"""Bulk creates: up to 100 objects in one request, written through the provider's batch API by a worker job.

```
POST /<model>/bulk ──envelope checks (400)──> each payload checked as a single create ──> one commit:
   batch + items (provider bodies built, chunks fixed) + a ``writes.bulk`` job ──> 202 {"batch_id"}

worker: for each chunk still PENDING ──create_many(chunk, key = batch id + chunk index)──> one commit:
   records stored as a sync stores them + the chunk's items SUCCESS/FAILURE
```

**What is refused whole, what per item.** The envelope is the request's: more than :data:`MAX_ITEMS` items, more
than :data:`MAX_BYTES`, an ``item_id`` missing or repeated, a payload that is not an object, or a model the
integration cannot bulk-create answer 400 naming the problem, and nothing is stored or queued. A payload that is an
object is checked exactly as ``POST /<model>`` checks its ``model`` (fields, references, currencies); one that fails
is FAILURE at once with that check's message, never sent, and the rest of the batch goes on (Merge reports such
items per object).

**Exactly once.** Chunks are formed when the batch is accepted and stored with the items, so every run of the job
sends the same chunk with the same provider idempotency key (QBO's ``requestid``, Xero's ``Idempotency-Key``). A
worker killed after the provider answered but before the commit leaves the chunk PENDING; the worker that takes the
job over sends it again and the provider answers with the objects it already made. Items only move from PENDING,
and records are upserted by remote id, so a chunk settled twice changes nothing. Each chunk settled is progress
(``checkpoint(progressed=True)``): the worker gives a job up after ten takeovers *in a row without progress*, so
workers killed now and then during a long batch never end it, while a chunk that kills every worker still does.

**Rate limits.** The job's provider client does not sit out a throttle itself: a 429 marks the batch RATE_LIMITED and
re-queues the job for ``Retry-After`` (:class:`~ledgerport.jobs.RetryLater`, no attempt spent); the chunks already
settled stay settled and the rest go on by themselves. Other failures (an outage) fail the attempt, and the worker
retries with backoff, with the same keys; on the last attempt the items still PENDING become FAILURE with the reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import msgspec

from ledgerport.connectors import connector_for_slug
from ledgerport.connectors._base import (
    AuthExpired,
    AuthRevoked,
    ConnectorError,
    NotFound,
    RateLimited,
    Rejected,
)
from ledgerport.connectors._base import Problem as ProviderProblem
from ledgerport.connectors._base.client import ProviderClient
from ledgerport.connectors._base.errors import cause_of
from ledgerport.connectors._base.mapping import MappingContext
from ledgerport.connectors._base.writes import Target, WriteProtocol, WriteSpec
from ledgerport.jobs import Abandoned, Handler, JobContext, LeaseLost, RetryLater, Wakeups, WorkerStopping, submit
from ledgerport.models import MODELS
from ledgerport.remote import open_provider
from ledgerport.store import Database
from ledgerport.store.accounts import LinkedAccount, find_linked_account_by_id
from ledgerport.store.bulks import (
    PENDING,
    Batch,
    BatchItem,
    NewItem,
    find_batch,
    find_batch_by_key,
    finish_batch,
    insert_batch,
    items_of,
    set_batch_status,
    settle_items,
)
from ledgerport.store.jobs import JobRow
from ledgerport.store.records import upsert_many
from ledgerport.writes.engine import (
    Outcome,
    Prepared,
    WriteCall,
    WriteDeps,
    mapping_context,
    new_record,
    prepare_create,
    read_mapping,
)
from ledgerport.writes.problems import ERROR, Problem, problem

__all__ = [
    "BULK_RUN",
    "BulkCall",
    "MAX_BYTES",
    "MAX_ITEMS",
    "bulk_abandoned",
    "bulk_handlers",
    "bulk_status",
    "run_batch",
    "submit_bulk",
]

BULK_RUN = "writes.bulk"
MAX_ITEMS = 100
MAX_BYTES = 5 * 1024 * 1024
_ITEM_ID_CHARS = 255

_decoder = msgspec.json.Decoder(float_hook=Decimal)
_encoder = msgspec.json.Encoder(decimal_format="number")


class BulkCall(msgspec.Struct, frozen=True, kw_only=True):
    """One ``POST /<model>/bulk``, authenticated; ``body`` is the raw request body."""

    account: LinkedAccount
    model: str
    body: bytes
    idempotency_key: str | None = None


def _refused(detail: str) -> Outcome:
    why = problem(ERROR, "Invalid Bulk Request", detail)
    return Outcome(status=400, body=_encoder.encode({"warnings": [], "errors": [why]}))


def _envelope(raw: bytes) -> list[tuple[str, dict[str, Any]]] | Outcome:
    """The ``(item_id, payload)`` pairs of a well-formed body, or the 400 that names what is wrong with it."""
    if len(raw) > MAX_BYTES:
        return _refused(f"The request body is {len(raw)} bytes; a bulk request takes at most {MAX_BYTES} (5 MB).")
    try:
        body = _decoder.decode(raw)
    except (msgspec.DecodeError, UnicodeDecodeError):
        return _refused('The request body must be a JSON object such as {"batch_items": [{"item_id", "payload"}]}.')
    items = body.get("batch_items") if isinstance(body, dict) else None
    if not isinstance(items, list) or not items:
        return _refused("batch_items must be a list of at least one {item_id, payload} object.")
    if len(items) > MAX_ITEMS:
        return _refused(f"batch_items holds {len(items)} items; a bulk request takes at most {MAX_ITEMS}.")
    found: list[tuple[str, dict[str, Any]]] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        item_id = item.get("item_id") if isinstance(item, dict) else None
        if not isinstance(item_id, str | int) or isinstance(item_id, bool) or not str(item_id).strip():
            return _refused(f"batch_items[{index}] has no item_id (a string unique within the request).")
        item_id = str(item_id)
        if len(item_id) > _ITEM_ID_CHARS:
            return _refused(f"batch_items[{index}].item_id is longer than {_ITEM_ID_CHARS} characters.")
        if item_id in seen:
            return _refused(f"The item_id {item_id!r} appears more than once in batch_items; each must be unique.")
        seen.add(item_id)
        payload = item.get("payload")
        if not isinstance(payload, dict):
            return _refused(f"batch_items[{index}] (item_id {item_id!r}) has no payload object.")
        found.append((item_id, payload))
    return found


def _message(problems: Sequence[Problem], index: int) -> str:
    """Our validation problems as one ``error_message``; pointers point into the bulk request."""
    parts = []
    for one in problems:
        pointer = None if one.source is None else one.source.pointer
        where = "" if pointer is None else f" ({pointer.replace('/model', f'/batch_items/{index}/payload', 1)})"
        parts.append(f"{one.title}: {one.detail}{where}")
    return "; ".join(parts)


def _chunks(targets: Sequence[int | None], size: int) -> list[int | None]:
    """Each item's chunk: items of one target in request order, ``size`` per chunk; refused items have none."""
    chunk_of: list[int | None] = [None] * len(targets)
    next_chunk = 0
    for target in dict.fromkeys(t for t in targets if t is not None):
        members = [index for index, t in enumerate(targets) if t == target]
        for start in range(0, len(members), size):
            for index in members[start : start + size]:
                chunk_of[index] = next_chunk
            next_chunk += 1
    return chunk_of


def _accepted(batch: Batch, replayed: bool) -> Outcome:
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    return Outcome(status=202, body=_encoder.encode({"batch_id": str(batch.id)}), headers=headers)


async def submit_bulk(deps: WriteDeps, call: BulkCall, digest: str, *, wakeups: Wakeups | None = None) -> Outcome:
    """Accept a bulk request: check it, store the batch with its items and queue its job (see the module
    docstring). A repeated ``Idempotency-Key`` answers the batch it made the first time."""
    connector = connector_for_slug(call.account.integration)
    spec: WriteSpec | None = None if connector is None else connector.writes.get(call.model)
    writer = None if connector is None else connector.writer
    if connector is None or spec is None or writer is None or not spec.bulk or writer.create_many is None:
        name = call.account.integration_name
        why = problem(
            ERROR, "Unsupported Operation", f"{name} cannot bulk-create {call.model} records through ledgerport."
        )
        return Outcome(status=400, body=_encoder.encode({"warnings": [], "errors": [why]}))
    if call.idempotency_key is not None:
        async with deps.providers.database.read() as session:
            earlier = await find_batch_by_key(
                session, linked_account_id=call.account.id, idempotency_key=call.idempotency_key
            )
        if earlier is not None:
            return _replay(earlier, call.idempotency_key, digest)
    pairs = _envelope(call.body)
    if isinstance(pairs, Outcome):
        return pairs
    prepared: list[Prepared | str] = []
    for index, (_, payload) in enumerate(pairs):
        single = WriteCall(account=call.account, model=call.model, kind="create", given=payload)
        checked = await prepare_create(deps, single, connector, spec)
        prepared.append(_message(checked, index) if isinstance(checked, list) else checked)
    targets = [None if isinstance(p, str) else _target_index(spec, p.target) for p in prepared]
    chunks = _chunks(targets, max(1, writer.batch_size))
    items = [
        NewItem(item_id=item_id, chunk=None, target=None, payload=None, error_message=one)
        if isinstance(one, str)
        else NewItem(item_id=item_id, chunk=chunk, target=target, payload=_encoder.encode(one.payload))
        for (item_id, _), one, chunk, target in zip(pairs, prepared, chunks, targets, strict=True)
    ]
    async with deps.providers.database.write() as session:
        batch, new = await insert_batch(
            session,
            linked_account_id=call.account.id,
            model=call.model,
            idempotency_key=call.idempotency_key,
            request_digest=digest,
            items=items,
        )
        if new:
            await submit(
                session,
                kind=BULK_RUN,
                payload={"batch_id": str(batch.id)},
                linked_account_id=call.account.id,
                dedupe_key=f"bulk:{batch.id}",
                wakeups=wakeups,
            )
    if not new:
        assert call.idempotency_key is not None
        return _replay(batch, call.idempotency_key, digest)
    return _accepted(batch, False)


def _target_index(spec: WriteSpec, target: Target) -> int:
    return next(index for index, one in enumerate(spec.targets) if one is target or one == target)


def _replay(batch: Batch, key: str, digest: str) -> Outcome:
    if batch.request_digest != digest:
        body = _encoder.encode({"detail": f"The Idempotency-Key {key!r} was already used with a different request."})
        return Outcome(status=422, body=body)
    return _accepted(batch, True)


async def bulk_status(deps: WriteDeps, account: LinkedAccount, model: str, batch_id: uuid.UUID) -> bytes | None:
    """Merge's ``GET /<model>/bulk/{batch_id}`` body, or ``None`` for a batch this account and model do not own."""
    async with deps.providers.database.read() as session:
        batch = await find_batch(session, batch_id=batch_id, linked_account_id=account.id)
        if batch is None or batch.model != model:
            return None
        items = await items_of(session, batch.id)
    objects = [
        {
            "item_id": item.item_id,
            "status": item.status,
            "response": None
            if item.status == PENDING
            else {"merge_common_model_id": str(item.record_id)}
            if item.record_id is not None
            else {"error_message": item.error_message or "The object was not written."},
        }
        for item in items
    ]
    body = {"batch_id": str(batch.id), "status": batch.status, "total_count": batch.total_count, "objects": objects}
    return _encoder.encode(body)


# --- the job ------------------------------------------------------------------------------------------------------


def bulk_handlers(deps: WriteDeps) -> Mapping[str, Handler]:
    """The ``writes.bulk`` handler, bound to this process's write dependencies. A run that fails its last attempt
    ends the batch (its PENDING items FAILURE with the reason) rather than leaving it IN_PROGRESS for ever."""

    async def run(context: JobContext) -> None:
        batch_id = uuid.UUID(str(context.row.payload["batch_id"]))
        try:
            await run_batch(deps, batch_id, context)
        except (LeaseLost, WorkerStopping, RetryLater):
            raise
        except Exception as exc:
            if context.retry_in is None:
                await _give_up(deps, batch_id, f"The batch could not be finished ({type(exc).__name__}: {exc}).")
            raise

    return {BULK_RUN: run}


def bulk_abandoned(deps: WriteDeps) -> Mapping[str, Abandoned]:
    """What the worker calls when it gives a bulk job up unrun (its workers kept dying): the batch ends FAILED or
    PARTIAL_SUCCESS, its unwritten items saying why."""

    async def abandoned(database: Database, row: JobRow, reason: str) -> None:
        await _give_up(deps, uuid.UUID(str(row.payload["batch_id"])), f"The batch was given up: {reason}.")

    return {BULK_RUN: abandoned}


async def _give_up(deps: WriteDeps, batch_id: uuid.UUID, reason: str) -> None:
    async with deps.providers.database.read() as session:
        pending = [item for item in await items_of(session, batch_id) if item.status == PENDING]
    await _fail_pending(deps, batch_id, pending, reason)


def _provider_message(problems: Sequence[ProviderProblem], fallback: str) -> str:
    """The provider's own words for a refused item (each problem's detail, its title when it has none)."""
    return "; ".join(part for part in (one.detail or one.title for one in problems) if part) or fallback


async def run_batch(deps: WriteDeps, batch_id: uuid.UUID, context: JobContext) -> None:
    """Send every PENDING chunk of the batch, settle its items, and give the batch its outcome."""
    async with deps.providers.database.read() as session:
        batch = await find_batch(session, batch_id=batch_id)
        items = [] if batch is None else await items_of(session, batch_id)
        account = (
            None if batch is None else await find_linked_account_by_id(session, account_id=batch.linked_account_id)
        )
    if batch is None or batch.finished_at is not None:
        return
    pending = [item for item in items if item.status == PENDING]
    chunks: dict[int, list[BatchItem]] = {}
    for item in pending:
        chunks.setdefault(item.chunk if item.chunk is not None else -1, []).append(item)
    connector = None if account is None else connector_for_slug(account.integration)
    spec = None if connector is None else connector.writes.get(batch.model)
    writer = None if connector is None else connector.writer
    if account is None or connector is None or spec is None or writer is None or writer.create_many is None:
        await _fail_pending(deps, batch_id, pending, "The linked account can no longer bulk-create this model.")
        return
    if not chunks:
        await _finish(deps, batch_id)
        return
    await _status(deps, batch_id, "IN_PROGRESS")
    # Every throttle (even one asking for no wait) re-queues the job instead of holding a worker slot through
    # Retry-After or calling again at once.
    retry = msgspec.structs.replace(deps.providers.retry, max_throttle_wait=-1.0)
    providers = msgspec.structs.replace(deps.providers, retry=retry)
    try:
        opened = await open_provider(providers, account.id)
    except (AuthRevoked, AuthExpired) as exc:
        await _fail_pending(deps, batch_id, pending, cause_of(exc).reason)
        return
    except ConnectorError as exc:
        if context.retry_in is None:
            await _fail_pending(deps, batch_id, pending, cause_of(exc).reason)
            return
        raise
    async with deps.providers.database.read() as session:
        mapping_ctx = await mapping_context(session, account.id)
    settled = False
    for chunk, members in sorted(chunks.items()):
        # A chunk settled by this run is progress: the workers killed before it were not killed by this batch,
        # so a long batch is not given up after max_takeovers kills spread over its chunks.
        await context.checkpoint(progressed=settled)
        settled = True
        if chunk < 0 or members[0].target is None:
            await _fail_pending(deps, batch_id, members, "The object was not written.", finish=False)
            continue
        target = spec.targets[members[0].target]
        answers: list[Any] = [None] * len(members)
        payloads: list[tuple[int, dict[str, Any]]] = []
        for index, member in enumerate(members):
            payload = _decoder.decode(member.payload or b"{}")
            if target.complete is None:
                payloads.append((index, payload))
                continue
            try:
                payloads.append((index, await target.complete(opened.client, payload)))
            except (Rejected, NotFound) as exc:
                answers[index] = list(getattr(exc, "problems", ()) or [ProviderProblem(title="", detail=str(exc))])
        try:
            if payloads:
                made = await writer.create_many(
                    opened.client, target, [body for _, body in payloads], f"{batch_id.hex}-{chunk}"
                )
                for (index, _), answer in zip(payloads, made, strict=True):
                    answers[index] = answer
        except RateLimited as exc:
            # Syncs and single writes of the company hold back too: the budget is shared.
            await opened.client.budget.pause(opened.client.budget_key, exc.retry_after)
            await _status(deps, batch_id, "RATE_LIMITED")
            raise RetryLater(max(1.0, exc.retry_after), str(exc)) from exc
        except (Rejected, NotFound) as exc:
            refused = list(getattr(exc, "problems", ()) or [ProviderProblem(title="", detail=str(exc))])
            answers = [refused if answer is None else answer for answer in answers]
        except (AuthRevoked, AuthExpired) as exc:
            await _fail_pending(deps, batch_id, pending, cause_of(exc).reason)
            return
        except ConnectorError as exc:
            if context.retry_in is not None:
                raise
            reason = f"{cause_of(exc).reason} The object was not written."
            answers = [[ProviderProblem(title="", detail=reason)] if answer is None else answer for answer in answers]
        await _settle(deps, account, batch, opened.client, writer, target, members, answers, mapping_ctx)
    await _finish(deps, batch_id)


async def _settle(
    deps: WriteDeps,
    account: LinkedAccount,
    batch: Batch,
    client: ProviderClient,
    writer: WriteProtocol,
    target: Target,
    members: list[BatchItem],
    answers: list[Any],
    mapping_ctx: MappingContext,
) -> None:
    """One chunk's records and outcomes, in one commit."""
    connector = connector_for_slug(account.integration)
    assert connector is not None
    mapping = read_mapping(connector, target)
    made: list[tuple[int, Any]] = []
    failed: list[tuple[int, uuid.UUID | None, str | None]] = []
    name = account.integration_name
    for member, answer in zip(members, answers, strict=True):
        if isinstance(answer, dict):
            made.append((member.position, new_record(client, writer, target, mapping, answer, mapping_ctx)))
        else:
            message = _provider_message(answer or [], f"{name} did not write the object.")
            failed.append((member.position, None, message))
    async with deps.providers.database.write() as session:
        ids = (
            await upsert_many(
                session,
                linked_account_id=account.id,
                model_name=batch.model,
                key_fields=MODELS[batch.model].key_fields,
                items=[record for _, record in made],
            )
            if made
            else []
        )
        outcomes = [(position, record_id, None) for (position, _), record_id in zip(made, ids, strict=True)]
        await settle_items(session, batch_id=batch.id, outcomes=[*outcomes, *failed])


async def _status(deps: WriteDeps, batch_id: uuid.UUID, status: str) -> None:
    async with deps.providers.database.write() as session:
        await set_batch_status(session, batch_id=batch_id, status=status)


async def _finish(deps: WriteDeps, batch_id: uuid.UUID) -> None:
    async with deps.providers.database.write() as session:
        await finish_batch(session, batch_id=batch_id)


async def _fail_pending(
    deps: WriteDeps, batch_id: uuid.UUID, members: list[BatchItem], reason: str, *, finish: bool = True
) -> None:
    async with deps.providers.database.write() as session:
        await settle_items(session, batch_id=batch_id, outcomes=[(m.position, None, reason) for m in members])
        if finish:
            await finish_batch(session, batch_id=batch_id)
