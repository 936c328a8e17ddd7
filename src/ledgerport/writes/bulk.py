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

**Two doors, one set of rules.** ``ledgerport bulk`` reads a JSON Lines file with the same entry and size checks
(:func:`check_entry`, :func:`check_size`, in :func:`read_bulk_file`) and queues through the same
:func:`queue_batches` as the API, several batches of 100 in one commit.

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
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import msgspec

from ledgerport.connectors import Connector, connector_for_slug
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
from ledgerport.store import Database, WriteSession
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
from ledgerport.store.records import Change, upsert_many
from ledgerport.store.scopes import account_scopes, write_refused
from ledgerport.writes.engine import (
    Outcome,
    Prepared,
    WriteCall,
    WriteDeps,
    mapping_context,
    new_record,
    prepare_create,
    read_mapping,
    request_digest,
)
from ledgerport.writes.events import bulk_completed, record_changes
from ledgerport.writes.problems import ERROR, Problem, problem

__all__ = [
    "BULK_RUN",
    "BulkBatch",
    "BulkCall",
    "BulkFile",
    "MAX_BYTES",
    "MAX_ITEMS",
    "Queued",
    "bulk_abandoned",
    "bulk_handlers",
    "bulk_models",
    "bulk_status",
    "check_entry",
    "check_size",
    "queue_batches",
    "read_bulk_file",
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


def check_size(size: int, what: str = "The request body") -> str | None:
    """What is wrong with a bulk request of ``size`` bytes, or ``None`` (``what`` names the request)."""
    if size > MAX_BYTES:
        return f"{what} is {size} bytes; a bulk request takes at most {MAX_BYTES} (5 MB)."
    return None


def check_entry(entry: Any, *, where: str, within: str, seen: set[str]) -> tuple[str, dict[str, Any]] | str:
    """One ``{"item_id", "payload"}`` entry as a bulk request takes it: the ``(item_id, payload)`` pair, or what is
    wrong with it. ``where`` names the entry (``batch_items[3]``, ``line 4``) and ``within`` the whole that its
    ``item_id`` must be unique in; ``seen`` collects the ids met so far. The API and ``ledgerport bulk`` both check
    entries here, so they refuse the same things in the same words."""
    item_id = entry.get("item_id") if isinstance(entry, dict) else None
    if not isinstance(item_id, str | int) or isinstance(item_id, bool) or not str(item_id).strip():
        return f"{where} has no item_id (a string unique within {within})."
    item_id = str(item_id)
    if len(item_id) > _ITEM_ID_CHARS:
        return f"The item_id of {where} is longer than {_ITEM_ID_CHARS} characters."
    if item_id in seen:
        return f"The item_id {item_id!r} of {where} appears more than once in {within}; each must be unique."
    seen.add(item_id)
    payload = entry.get("payload")
    if not isinstance(payload, dict):
        return f"{where} (item_id {item_id!r}) has no payload object."
    return item_id, payload


def _envelope(raw: bytes) -> list[tuple[str, dict[str, Any]]] | Outcome:
    """The ``(item_id, payload)`` pairs of a well-formed body, or the 400 that names what is wrong with it."""
    too_big = check_size(len(raw))
    if too_big is not None:
        return _refused(too_big)
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
        checked = check_entry(item, where=f"batch_items[{index}]", within="batch_items", seen=seen)
        if isinstance(checked, str):
            return _refused(checked)
        found.append(checked)
    return found


class BulkFile(msgspec.Struct, frozen=True, kw_only=True):
    """A JSON Lines file of bulk items as ``ledgerport bulk`` reads it: its batches, or what is wrong with it."""

    batches: list[BulkBatch]
    problems: list[str]
    """Each names its line; when there is one, ``batches`` is empty and nothing may be queued."""


def read_bulk_file(lines: Iterable[bytes], model: str) -> BulkFile:
    """A JSON Lines file of bulk items cut into batches of :data:`MAX_ITEMS` in file order, or every problem found.

    A line that has an ``item_id`` or a ``payload`` key is an entry, checked as the API checks ``batch_items``
    (:func:`check_entry`); any other object is a bare payload whose ``item_id`` is its line number. Blank lines are
    skipped (and still counted). Each batch must also fit the API's size limit, as its own request would."""
    problems: list[str] = []
    entries: list[tuple[int, tuple[str, dict[str, Any]]]] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = _decoder.decode(line)
        except (msgspec.DecodeError, UnicodeDecodeError) as exc:
            problems.append(f"line {number} is not valid JSON ({exc}).")
            continue
        if not isinstance(value, dict):
            problems.append(f"line {number} is not a JSON object.")
            continue
        entry = value if "item_id" in value or "payload" in value else {"item_id": str(number), "payload": value}
        checked = check_entry(entry, where=f"line {number}", within="the file", seen=seen)
        if isinstance(checked, str):
            problems.append(checked)
        else:
            entries.append((number, checked))
    if not entries and not problems:
        problems.append("The file holds no items (one JSON object a line).")
    if problems:
        return BulkFile(batches=[], problems=problems)
    batches: list[BulkBatch] = []
    for start in range(0, len(entries), MAX_ITEMS):
        group = entries[start : start + MAX_ITEMS]
        pairs = [pair for _, pair in group]
        body = {"batch_items": [{"item_id": item_id, "payload": payload} for item_id, payload in pairs]}
        too_big = check_size(len(_encoder.encode(body)), f"The request of lines {group[0][0]}-{group[-1][0]}")
        if too_big is not None:
            problems.append(too_big)
        batches.append(BulkBatch(entries=pairs, digest=request_digest("bulk", model, body)))
    return BulkFile(batches=[] if problems else batches, problems=problems)


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


def bulk_models(integration: str) -> list[str]:
    """The common models (Merge's names) an integration can bulk-create: ``"bulk"`` in the model's writes, and a
    connector whose write table and protocol take it."""
    return [name for name, spec in MODELS.items() if "bulk" in spec.writes and _bulk_spec(integration, name)]


def _bulk_spec(integration: str, model: str) -> tuple[Connector, WriteSpec, WriteProtocol] | None:
    connector = connector_for_slug(integration)
    spec = None if connector is None else connector.writes.get(model)
    writer = None if connector is None else connector.writer
    if connector is None or spec is None or writer is None or not spec.bulk or writer.create_many is None:
        return None
    return connector, spec, writer


class BulkBatch(msgspec.Struct, frozen=True, kw_only=True):
    """One bulk request's checked entries (see :func:`check_entry`), ready to be queued as one batch."""

    entries: list[tuple[str, dict[str, Any]]]
    digest: str
    idempotency_key: str | None = None


class Queued(msgspec.Struct, frozen=True, kw_only=True):
    """A stored batch, whether this call made it (``False``: an ``Idempotency-Key`` found it), and its job."""

    batch: Batch
    new: bool
    job_id: uuid.UUID | None


async def queue_batches(
    deps: WriteDeps,
    account: LinkedAccount,
    model: str,
    batches: Sequence[BulkBatch],
    *,
    wakeups: Wakeups | None = None,
) -> list[Queued]:
    """Check every payload of every batch as a single create would be checked, then store the batches with their
    items and queue one job each, all in one commit (so a caller with several batches queues all or none).

    The model must be one the account's integration bulk-creates (:func:`bulk_models`)."""
    found = _bulk_spec(account.integration, model)
    if found is None:
        raise ValueError(f"{account.integration_name} cannot bulk-create {model} records")
    connector, spec, writer = found
    ready: list[list[NewItem]] = []
    for batch in batches:
        prepared: list[Prepared | str] = []
        for index, (_, payload) in enumerate(batch.entries):
            single = WriteCall(account=account, model=model, kind="create", given=payload)
            checked = await prepare_create(deps, single, connector, spec)
            prepared.append(_message(checked, index) if isinstance(checked, list) else checked)
        targets = [None if isinstance(p, str) else _target_index(spec, p.target) for p in prepared]
        chunks = _chunks(targets, max(1, writer.batch_size))
        ready.append(
            [
                NewItem(item_id=item_id, chunk=None, target=None, payload=None, error_message=one)
                if isinstance(one, str)
                else NewItem(item_id=item_id, chunk=chunk, target=target, payload=_encoder.encode(one.payload))
                for (item_id, _), one, chunk, target in zip(batch.entries, prepared, chunks, targets, strict=True)
            ]
        )
    queued: list[Queued] = []
    async with deps.providers.database.write() as session:
        for batch, items in zip(batches, ready, strict=True):
            stored, new = await insert_batch(
                session,
                linked_account_id=account.id,
                model=model,
                idempotency_key=batch.idempotency_key,
                request_digest=batch.digest,
                items=items,
            )
            job_id = None
            if new:
                job_id = await submit(
                    session,
                    kind=BULK_RUN,
                    payload={"batch_id": str(stored.id)},
                    linked_account_id=account.id,
                    dedupe_key=f"bulk:{stored.id}",
                    wakeups=wakeups,
                )
            queued.append(Queued(batch=stored, new=new, job_id=job_id))
    return queued


async def submit_bulk(deps: WriteDeps, call: BulkCall, digest: str, *, wakeups: Wakeups | None = None) -> Outcome:
    """Accept a bulk request: check it, store the batch with its items and queue its job (see the module
    docstring). A repeated ``Idempotency-Key`` answers the batch it made the first time."""
    if _bulk_spec(call.account.integration, call.model) is None:
        name = call.account.integration_name
        why = problem(
            ERROR, "Unsupported Operation", f"{name} cannot bulk-create {call.model} records through ledgerport."
        )
        return Outcome(status=400, body=_encoder.encode({"warnings": [], "errors": [why]}))
    async with deps.providers.database.read() as session:
        scopes = await account_scopes(session, linked_account_id=call.account.id)
    if not scopes.writes(call.model):
        refused = problem(ERROR, *write_refused(call.model))
        return Outcome(status=403, body=_encoder.encode({"warnings": [], "errors": [refused]}))
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
    one = BulkBatch(entries=pairs, digest=digest, idempotency_key=call.idempotency_key)
    (queued,) = await queue_batches(deps, call.account, call.model, [one], wakeups=wakeups)
    if not queued.new:
        assert call.idempotency_key is not None
        return _replay(queued.batch, call.idempotency_key, digest)
    return _accepted(queued.batch, False)


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
    return _status_body(batch, items)


def _status_body(batch: Batch, items: Sequence[BatchItem]) -> bytes:
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


async def _close(session: WriteSession, batch_id: uuid.UUID) -> None:
    """Give the batch its outcome and, the first time, its ``AsyncBulkPost.completed`` event."""
    before = await find_batch(session, batch_id=batch_id)
    if before is None:
        return
    await finish_batch(session, batch_id=batch_id)
    if before.finished_at is not None:
        return
    batch = await find_batch(session, batch_id=batch_id)
    account = await find_linked_account_by_id(session, account_id=before.linked_account_id)
    if batch is None or account is None:
        return
    await bulk_completed(
        session,
        organization_id=account.organization_id,
        account_id=account.id,
        status_body=_status_body(batch, await items_of(session, batch_id)),
    )


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
            await opened.client.learn_session_facts()  # the read mapping of the answers may need them
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
        scopes = await account_scopes(session, linked_account_id=account.id)
        made = [(position, scopes.redact(batch.model, record)) for position, record in made]
        changes: list[Change] = []
        ids = (
            await upsert_many(
                session,
                linked_account_id=account.id,
                model_name=batch.model,
                key_fields=MODELS[batch.model].key_fields,
                items=[record for _, record in made],
                changes=changes,
            )
            if made
            else []
        )
        await record_changes(
            session, organization_id=account.organization_id, account_id=account.id, model=batch.model, changes=changes
        )
        outcomes = [(position, record_id, None) for (position, _), record_id in zip(made, ids, strict=True)]
        await settle_items(session, batch_id=batch.id, outcomes=[*outcomes, *failed])


async def _status(deps: WriteDeps, batch_id: uuid.UUID, status: str) -> None:
    async with deps.providers.database.write() as session:
        await set_batch_status(session, batch_id=batch_id, status=status)


async def _finish(deps: WriteDeps, batch_id: uuid.UUID) -> None:
    async with deps.providers.database.write() as session:
        await _close(session, batch_id)


async def _fail_pending(
    deps: WriteDeps, batch_id: uuid.UUID, members: list[BatchItem], reason: str, *, finish: bool = True
) -> None:
    async with deps.providers.database.write() as session:
        await settle_items(session, batch_id=batch_id, outcomes=[(m.position, None, reason) for m in members])
        if finish:
            await _close(session, batch_id)
