"""The sync engine: a linked account's provider data into the store, model by model, page by page.

For each mapping of the account's connector (referenced models first), the engine walks the mapping's stream from
the stored watermark (everything on the first sync), maps each record to its common model, and writes the page's
records, deletions and the new watermark in one transaction. A sync that dies (a killed worker, a revoked grant)
resumes from the last stored page: nothing is lost and, because records upsert by provider id, nothing is
duplicated. ``modified_at`` moves only for records whose common document changed.

What the run shows while and after it runs (sync-status, issues, the account's status) is
:mod:`ledgerport.sync.status`'s job. The engine is generic over :class:`~ledgerport.connectors._base.Connector`; no
provider's name appears here.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

import msgspec

from ledgerport.connectors._base.client import Page, ProviderClient
from ledgerport.connectors._base.mapping import MappingContext, ModelMap, apply
from ledgerport.connectors._base.streams import RequestBuilder, getter
from ledgerport.kit import clock
from ledgerport.kit.metrics import RECORDS_SYNCED, SYNC_RUNS
from ledgerport.kit.timestamps import canonical
from ledgerport.models import MODELS
from ledgerport.remote import ProviderDeps, open_provider
from ledgerport.store.records import NewRecord, live_remote_ids, mark_deleted, record_ids, upsert_many
from ledgerport.store.sync_states import begin_sync, list_sync_states, save_watermark
from ledgerport.sync.events import ChangeEvents
from ledgerport.sync.field_mappings import targets_for, with_targets
from ledgerport.sync.status import RunStatus

__all__ = ["SyncDeps", "SyncReport", "sync_account"]

Progress = Callable[[str, int], None]
Checkpoint = Callable[[], Awaitable[None]]
"""Called after every stored page: a job renews its lease there (and learns if it must stop). What it raises ends
the run without counting as the sync's failure: the caller stopped it."""


SyncDeps = ProviderDeps
"""What a sync needs from its surroundings: what every provider call needs."""


class SyncReport(msgspec.Struct, kw_only=True):
    """What one sync did."""

    fetched: dict[str, int] = msgspec.field(default_factory=dict)
    """Records read and stored per model (an unchanged record is stored without moving its modified_at)."""
    deleted: dict[str, int] = msgspec.field(default_factory=dict)
    requests: int = 0
    failed: str | None = None


def _watermarks(raw: str | None) -> dict[str, str]:
    return {} if not raw else msgspec.json.decode(raw, type=dict[str, str])


def _records(mapping: ModelMap, page: Page, context: MappingContext) -> list[NewRecord]:
    return [
        NewRecord(
            remote_id=remote_id,
            model=apply(mapping, record, context, remote_id=remote_id, owner=owner),
            remote_data=[{"path": page.path, "data": record}],
        )
        for remote_id, record, owner in mapping.rows(page.records)
    ]


CLOCK_SKEW = timedelta(minutes=5)
"""How far a provider's clock may run behind ours; a finished walk re-reads this much next time."""


async def _sync_mapping(
    started: datetime,
    checkpoint: Checkpoint | None,
    deps: SyncDeps,
    client: ProviderClient,
    account_id: uuid.UUID,
    mapping: ModelMap,
    marks: dict[str, str],
    context: MappingContext,
    report: SyncReport,
    progress: Progress | None,
    listed: set[str] | None,
    status: RunStatus,
    events: ChangeEvents,
) -> None:
    """``listed`` collects the remote ids a ``complete`` stream lists (``None`` for other streams)."""
    stream = mapping.stream
    targets = await targets_for(deps.database, account_id, mapping.model, marks)
    since = datetime.fromisoformat(marks[stream.name]) if stream.name in marks and not stream.complete else None
    spec = MODELS[mapping.model]
    resume = f"{stream.name}#{stream.resume}" if stream.resume else None
    after = {stream.resume: marks[resume]} if stream.resume and resume in marks else None

    async def store(page: Page, items: list[NewRecord]) -> None:
        gone = mapping.gone(page.records, page.deleted)
        async with deps.database.write() as session:
            listening = await events.listen(session, mapping.model)
            changes = None if listening is None else listening.changes
            await upsert_many(
                session,
                linked_account_id=account_id,
                model_name=mapping.model,
                key_fields=spec.key_fields,
                items=items,
                changes=changes,
            )
            removed = await mark_deleted(
                session, linked_account_id=account_id, model_name=mapping.model, remote_ids=gone, changes=changes
            )
            await events.emit(session, listening)
            reached = getter(stream.resume)(page.last) if stream.resume and page.last is not None else None
            if reached is not None and resume is not None:
                marks[resume] = str(reached)
            if page.watermark is not None or reached is not None:
                if page.watermark is not None:
                    marks[stream.name] = canonical(page.watermark)
                await save_watermark(
                    session,
                    linked_account_id=account_id,
                    model=mapping.model,
                    watermark=msgspec.json.encode(marks).decode(),
                )
        RECORDS_SYNCED.labels(provider=client.connector.key, model=mapping.model).inc(len(items))
        report.fetched[mapping.model] = report.fetched.get(mapping.model, 0) + len(items)
        report.deleted[mapping.model] = report.deleted.get(mapping.model, 0) + removed
        await status.progress()
        if progress is not None:
            progress(mapping.model, report.fetched[mapping.model])
        if checkpoint is not None:
            await checkpoint()

    # Pages are stored in order, one transaction each, while the next page is mapped: the database works (in
    # SQLite's thread, or PostgreSQL's process) while this process maps, instead of each waiting for the other.
    storing: asyncio.Task[None] | None = None
    try:
        async for page in client.pages(stream, since, after):
            items = with_targets(targets, _records(mapping, page, context))
            if listed is not None:
                listed.update(item.remote_id for item in items)
            if storing is not None:
                await storing
            storing = asyncio.ensure_future(store(page, items))
    finally:
        if storing is not None:  # a page already mapped is stored even when the walk stops early
            await storing
    # The walk read every change made before the run started, so the next one may start there even when the
    # newest record is old (a quiet stream): otherwise its watermark would age out of windows like QBO's 30-day
    # change feed and deletions would go unseen.
    finished = canonical(started - CLOCK_SKEW)
    if marks.get(stream.name, "") < finished:
        marks[stream.name] = finished
        async with deps.database.write() as session:
            await save_watermark(
                session,
                linked_account_id=account_id,
                model=mapping.model,
                watermark=msgspec.json.encode(marks).decode(),
            )


async def sync_account(
    deps: SyncDeps,
    account_id: uuid.UUID,
    *,
    models: Sequence[str] | None = None,
    progress: Progress | None = None,
    checkpoint: Checkpoint | None = None,
    report: SyncReport | None = None,
) -> SyncReport:
    """Sync one linked account (all its connector's models, or ``models``); failures are recorded, then raised.

    Whatever ``checkpoint`` raises is re-raised unrecorded: the run was stopped, it did not fail. ``report``, when
    given, is filled as the run goes, so a caller still holds what a run that raised had done.
    """
    opened = await open_provider(deps, account_id)
    connector, client = opened.connector, opened.client
    mappings = [m for m in connector.mappings if models is None or m.model in models]
    names = list(dict.fromkeys(m.model for m in mappings))
    account = opened.account
    status = RunStatus(
        deps.database,
        organization_id=account.organization_id,
        account_id=account_id,
        models=names,
        integration=account.integration,
        integration_name=account.integration_name,
    )
    client.on_retry = status.retrying
    async with deps.database.write() as session:
        marks = {
            model: _watermarks(raw)
            for model, raw in (await begin_sync(session, linked_account_id=account_id, models=names)).items()
        }
        states = await list_sync_states(session, linked_account_id=account_id)
    # A model never synced to the end reports no record changes (see sync/events.py), even when this run resumes it.
    events = ChangeEvents(
        organization_id=account.organization_id,
        account_id=account_id,
        quiet={state.model for state in states if state.is_initial_sync} | (set(names) - {s.model for s in states}),
    )
    ref = _ref_cache(account_id)
    context = MappingContext(ref=ref, child=record_ids(account_id), company=await _company(deps, account_id, ref))
    report = SyncReport() if report is None else report
    started = clock.now()
    stopped: list[BaseException] = []

    async def stop_here() -> None:
        if checkpoint is not None:
            try:
                await checkpoint()
            except BaseException as exc:
                stopped.append(exc)
                raise

    # Per model fed by ``complete`` streams: what this sync's listings held (several mappings may feed one model,
    # so records missing from all of them are the deleted ones).
    listed: dict[str, set[str]] = {}
    try:
        await client.learn_session_facts()  # before the first mapping: a table may read them
        context = msgspec.structs.replace(context, facts=client.context.account)
        for mapping in mappings:
            await _sync_mapping(
                started,
                stop_here,
                deps,
                client,
                account_id,
                mapping,
                marks[mapping.model],
                context,
                report,
                progress,
                listed.setdefault(mapping.model, set()) if mapping.stream.complete else None,
                status,
                events,
            )
            if mapping.stream.ids is not None:
                ids = await _list_ids(client, mapping, mapping.stream.ids)
                listed.setdefault(mapping.model, set()).update(ids)
            if mapping.model == COMPANY_MODEL:
                context = msgspec.structs.replace(context, company=await _company(deps, account_id, ref))
            if mapping is _last_of(mappings, mapping.model):
                if mapping.model in listed and _reconciled(mappings, mapping.model):
                    await _remove_unlisted(deps, account_id, mapping.model, listed[mapping.model], report, events)
                await status.model_done(mapping.model)
    except Exception as exc:
        if exc not in stopped:
            SYNC_RUNS.labels(provider=connector.key, outcome="failed").inc()
            report.failed = f"{type(exc).__name__}: {exc}"
            await status.failed(exc)
        else:
            SYNC_RUNS.labels(provider=connector.key, outcome="stopped").inc()
        raise
    finally:
        report.requests = client.requests_sent
    await status.succeeded()
    SYNC_RUNS.labels(provider=connector.key, outcome="succeeded").inc()
    return report


def _reconciled(mappings: Sequence[ModelMap], model: str) -> bool:
    """Whether every stream feeding ``model`` listed all its ids in this sync (so what none listed is gone)."""
    return all(m.stream.complete or m.stream.ids is not None for m in mappings if m.model == model)


async def _list_ids(client: ProviderClient, mapping: ModelMap, request: RequestBuilder) -> set[str]:
    """The ids of every record the stream holds now, from its id-only listing (``Stream.ids``)."""
    listing = msgspec.structs.replace(
        mapping.stream, request=request, since=None, expand=None, deleted=None, total=None
    )
    ids: set[str] = set()
    async for page in client.pages(listing, None):
        ids.update(mapping.remote_id_of(record) for record in page.records)
    return ids


async def _remove_unlisted(
    deps: SyncDeps, account_id: uuid.UUID, model: str, listed: set[str], report: SyncReport, events: ChangeEvents
) -> None:
    """After a whole listing of a ``complete`` stream: what the store holds and the provider no longer lists."""
    async with deps.database.write() as session:
        stored = await live_remote_ids(session, linked_account_id=account_id, model=model)
        listening = await events.listen(session, model)
        removed = await mark_deleted(
            session,
            linked_account_id=account_id,
            model_name=model,
            remote_ids=[remote_id for remote_id in stored if remote_id not in listed],
            changes=None if listening is None else listening.changes,
        )
        await events.emit(session, listening)
    report.deleted[model] = report.deleted.get(model, 0) + removed


COMPANY_MODEL = "CompanyInfo"


async def _company(deps: SyncDeps, account_id: uuid.UUID, ref: Callable[[str, str], str]) -> str | None:
    """The account's CompanyInfo record id for ``company`` fields; none until a sync has stored exactly one."""
    async with deps.database.read() as session:
        companies = await live_remote_ids(session, linked_account_id=account_id, model=COMPANY_MODEL)
    return ref(COMPANY_MODEL, companies[0]) if len(companies) == 1 else None


def _ref_cache(account_id: uuid.UUID) -> Callable[[str, str], str]:
    """Related-record ids for one sync, remembered: a page refers to the same contacts and accounts many times,
    and deriving an id (a SHA-1 and a UUID) dominated mapping time."""
    known: dict[tuple[str, str], str] = {}
    derive = record_ids(account_id)

    def ref(model: str, remote: str) -> str:
        key = (model, remote)
        found = known.get(key)
        if found is None:
            if len(known) >= 100_000:  # keep memory bounded on very large accounts
                known.clear()
            found = known[key] = derive(model, remote)
        return found

    return ref


def _last_of(mappings: Sequence[ModelMap], model: str) -> ModelMap:
    return [m for m in mappings if m.model == model][-1]
