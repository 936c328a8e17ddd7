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
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime, timedelta

import msgspec

from ledgerport.connectors._base.client import Page, ProviderClient
from ledgerport.connectors._base.mapping import MappingContext, ModelMap, apply
from ledgerport.connectors._base.streams import DayBound, Derived, RequestBuilder, Stream, getter
from ledgerport.kit import clock
from ledgerport.kit.metrics import RECORDS_SYNCED, SYNC_RUNS
from ledgerport.kit.timestamps import canonical
from ledgerport.models import MODELS
from ledgerport.remote import ProviderDeps, open_provider
from ledgerport.store.records import (
    NewRecord,
    live_remote_data,
    live_remote_ids,
    mark_deleted,
    record_ids,
    stored_state,
    upsert_many,
)
from ledgerport.store.scopes import (
    EVERYTHING,
    AccountScopes,
    account_scopes,
    day_bound,
    forget_records,
    rescoped,
)
from ledgerport.store.sync_states import begin_sync, list_sync_states, save_watermark
from ledgerport.sync.events import ChangeEvents
from ledgerport.sync.field_mappings import targets_for, with_targets, withheld_paths
from ledgerport.sync.follows import Noted, may_follow, snapshot_key
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


def _records(mapping: ModelMap, page: Page, context: MappingContext, keep: Noted | None = None) -> list[NewRecord]:
    """The page's common records; with ``keep``, only those of its changed ids (the rest are not even mapped)."""
    wanted = None if keep is None else keep.changed
    return [
        NewRecord(
            remote_id=remote_id,
            model=apply(mapping, record, context, remote_id=remote_id, owner=owner),
            remote_data=[{"path": page.path, "data": record}],
        )
        for remote_id, record, owner in mapping.rows(page.records)
        if wanted is None or remote_id in wanted
    ]


async def _no_pages() -> AsyncIterator[Page]:
    return
    yield  # an async generator that yields nothing


async def _derived_pages(
    deps: SyncDeps,
    account_id: uuid.UUID,
    stream: Stream,
    derived: Derived,
    marks: dict[str, str],
    client: ProviderClient,
) -> AsyncIterator[Page]:
    """A derived stream's one page, built from the stored source records, or none when neither they nor the
    epoch changed since the last build (``marks`` then already holds what was built from)."""
    async with deps.database.read() as session:
        state = await stored_state(session, linked_account_id=account_id, model=derived.source)
        built = f"{state}|{derived.epoch(client.context)}"
        if marks.get(_built_key(stream)) == built:
            return
        sources = await live_remote_data(session, linked_account_id=account_id, model=derived.source)
    records = derived.build(client.context, sources)
    marks[_built_key(stream)] = built
    yield Page(records=records, deleted=[], watermark=None, path=derived.path)


def _built_key(stream: Stream) -> str:
    return f"{stream.name}#built"


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
    scopes: AccountScopes = EVERYTHING,
    notes: Sequence[Noted] = (),
    follow: Noted | None = None,
) -> None:
    """``listed`` collects the remote ids a ``complete`` stream lists (``None`` for other streams); ``notes`` are
    the followers of this stream, told about every page; ``follow``, for a ``follows`` stream this run may read
    incrementally, is what its followed streams changed (``None``: read it all)."""
    stream = mapping.stream
    targets = await targets_for(deps.database, account_id, mapping.model, marks)
    withheld = withheld_paths(mapping, scopes.scope(mapping.model).disabled_fields) if targets else ()
    since = datetime.fromisoformat(marks[stream.name]) if stream.name in marks and not stream.complete else None
    spec = MODELS[mapping.model]
    resume = f"{stream.name}#{stream.resume}" if stream.resume else None
    after = {stream.resume: marks[resume]} if stream.resume and resume in marks else None

    rescoped_pages: list[int] = []  # the sizes of pages stored under scopes changed during this run

    async def store(page: Page, items: list[NewRecord], excluded: list[str]) -> None:
        gone = mapping.gone(page.records, page.deleted)
        async with deps.database.write() as session:
            items, settled = await rescoped(session, account_id, scopes, mapping.model, items)
            if not settled:
                rescoped_pages.append(len(items))
            elif excluded:  # read again, they no longer meet the conditions: stored versions go
                await forget_records(session, linked_account_id=account_id, model=mapping.model, remote_ids=excluded)
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
            if not settled:  # scopes changed meanwhile: the next run reads it all again
                reached = None
            if reached is not None and resume is not None:
                marks[resume] = str(reached)
            if settled and (page.watermark is not None or reached is not None):
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
    pages: AsyncIterator[Page]
    if stream.derived is not None:
        pages = _derived_pages(deps, account_id, stream, stream.derived, marks, client)
    elif follow is not None:
        pages = client.pages(stream, since, after, span=follow.span()) if follow.changed else _no_pages()
    else:
        # Conditions reach the provider on full reads only: an incremental read must see the records an edit moved
        # out of the conditions, so that what was stored of them goes (``forget_records``).
        bounds = _bounds(stream, scopes, mapping.model) if since is None else ()
        pages = client.pages(stream, since, after, bounds=bounds)
    storing: asyncio.Task[None] | None = None
    try:
        async for page in pages:
            for noted in notes:
                noted.note(stream.name, page.records, page.deleted)
            items = with_targets(targets, _records(mapping, page, context, follow), withheld)
            if listed is not None:
                listed.update(item.remote_id for item in items)
            items, excluded = scopes.split(mapping.model, items)  # after listing: one left out is not a deleted one
            if storing is not None:
                await storing
            storing = asyncio.ensure_future(store(page, items, excluded))
    finally:
        if storing is not None:  # a page already mapped is stored even when the walk stops early
            await storing
    if follow is not None and follow.gone:  # their documents were deleted: so are the records made of them
        await _remove(deps, account_id, mapping.model, report, events, remote_ids=sorted(follow.gone))
    # The walk read every change made before the run started, so the next one may start there even when the
    # newest record is old (a quiet stream): otherwise its watermark would age out of windows like QBO's 30-day
    # change feed and deletions would go unseen.
    finished = canonical(started - CLOCK_SKEW)
    if marks.get(stream.name, "") < finished and not rescoped_pages:
        marks[stream.name] = finished
        await _save_marks(deps, account_id, mapping.model, marks)
    elif stream.derived is not None and not rescoped_pages:
        await _save_marks(deps, account_id, mapping.model, marks)


def _bounds(stream: Stream, scopes: AccountScopes, model: str) -> tuple[DayBound, ...]:
    """The model's date conditions the stream's query can apply (``Stream.narrows``)."""
    found = []
    for condition in scopes.conditions_of(model) if stream.narrows else ():
        field, bound = stream.narrows.get(condition.field_name), day_bound(condition)
        if field is not None and bound is not None:
            found.append(DayBound(field=field, lower=bound[0], day=bound[1]))
    return tuple(found)


async def _save_marks(deps: SyncDeps, account_id: uuid.UUID, model: str, marks: dict[str, str]) -> None:
    async with deps.database.write() as session:
        await save_watermark(
            session, linked_account_id=account_id, model=model, watermark=msgspec.json.encode(marks).decode()
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
    async with deps.database.read() as session:
        scopes = await account_scopes(session, linked_account_id=account_id)
    mappings = [m for m in connector.mappings if (models is None or m.model in models) and scopes.reads(m.model)]
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
    # Streams others follow (``Stream.follows``): where each keeps its marks, and their marks as this run found them.
    home = {m.stream.name: m.model for m in reversed(mappings)}
    starting = {name: marks[model].get(name, "") for name, model in home.items()}
    followers = {m.stream.name: Noted(m.stream.follows) for m in mappings if m.stream.follows is not None}
    walked: set[str] = set()
    try:
        await client.learn_session_facts()  # before the first mapping: a table may read them
        context = msgspec.structs.replace(context, facts=client.context.account)
        for mapping in mappings:
            stream = mapping.stream
            follows = stream.follows
            follow = followers.get(stream.name)
            if follows is not None and not may_follow(stream.name, follows, walked, starting, marks[mapping.model]):
                follow = None
            notes = [noted for noted in followers.values() if stream.name in noted.follows.streams]
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
                scopes,
                notes,
                follow,
            )
            walked.add(stream.name)
            if follows is not None:  # what it has now seen of each followed stream, for the next run's may_follow
                for name in follows.streams:
                    if name in home:
                        marks[mapping.model][snapshot_key(stream.name, name)] = marks[home[name]].get(name, "")
                await _save_marks(deps, account_id, mapping.model, marks[mapping.model])
            if mapping.stream.ids is not None:
                ids = await _list_ids(client, mapping, mapping.stream.ids)
                listed.setdefault(mapping.model, set()).update(ids)
            if mapping.model == COMPANY_MODEL:
                context = msgspec.structs.replace(context, company=await _company(deps, account_id, ref))
            if mapping is _last_of(mappings, mapping.model):
                if mapping.model in listed and _reconciled(mappings, mapping.model):
                    await _remove(deps, account_id, mapping.model, report, events, listed=listed[mapping.model])
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


async def _remove(
    deps: SyncDeps,
    account_id: uuid.UUID,
    model: str,
    report: SyncReport,
    events: ChangeEvents,
    *,
    remote_ids: Sequence[str] = (),
    listed: set[str] | None = None,
) -> None:
    """Marks ``remote_ids`` deleted, with their webhook events; with ``listed`` (after a whole listing of a
    ``complete`` stream), every live record it does not hold instead."""
    async with deps.database.write() as session:
        if listed is not None:
            stored = await live_remote_ids(session, linked_account_id=account_id, model=model)
            remote_ids = [remote_id for remote_id in stored if remote_id not in listed]
        listening = await events.listen(session, model)
        removed = await mark_deleted(
            session,
            linked_account_id=account_id,
            model_name=model,
            remote_ids=list(remote_ids),
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
