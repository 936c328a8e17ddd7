"""How NetSuite takes writes: the record API for one record, async jobs for a bulk, SuiteQL to read back.

* **Create**: ``POST /services/rest/record/v1/{type}`` with ``X-NetSuite-PropertyNameValidation: Error`` (a
  misspelt field is refused, not silently dropped: FACTS.md §3.4) → ``204`` + ``Location: …/{type}/{id}``. An item
  fulfillment is made only by ``POST /salesOrder/{id}/!transform/itemFulfillment``. The record is then read back
  through the sync's SuiteQL (:mod:`.readback`), so it is stored exactly as a sync stores it.
* **Exactly once without idempotency.** NetSuite has no idempotency key for synchronous calls (FACTS.md §3.3). Each
  create carries an ``externalId`` derived from the operation (``ledgerport-<operation id>``), which NetSuite keeps
  unique per record type. Before sending, the record is looked up by that external id (a create retried after a
  lost answer finds what the first attempt made); the ``POST`` itself is never resent by the client's retry loop.
  When its outcome is lost (a 5xx, a cut connection) the record is looked up again, and only when it is not there
  is the create sent as an upsert, ``PUT /{type}/eid:<externalId>``: should the lost ``POST`` still land, one of the
  two finds the other's external id taken, and no second record is made. A transform has no upsert form: its lost
  outcome is left unknown for the engine, whose retry looks the record up first.
* **Update**: ``PATCH /{type}/{id}`` with only the fields named; a sublist given (``item``, ``expense``, ``line``,
  ``apply``) replaces the record's lines (``?replace=item``), as Merge's PATCH of ``line_items`` means. A PATCH
  sent twice makes the same record, so the client may resend it.
* **Bulk** (invoices, sales orders, item fulfillments): each record is its own async request, ``Prefer:
  respond-async`` with ``X-NetSuite-Idempotency-Key`` derived from (batch, chunk, item) → ``202`` + the job's
  ``Location``. The chunk's jobs are followed to their task results (``…/job/{id}/task/{id}/result``: the create's
  own answer, an nsError when it failed). A chunk sent again after a worker died presents the same keys; NetSuite
  answers ``400 IDEMPOTENCY_ERROR`` naming the first job (``o:errorUrl``: a guess the sandbox shares, NETSUITE.md),
  which is followed to its result instead. Made records are read back in one SuiteQL query by external id.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import re
import uuid
from collections.abc import Mapping
from typing import Any

import msgspec

from ledgerport.connectors._base.client import ProviderClient
from ledgerport.connectors._base.errors import (
    AuthExpired,
    AuthRevoked,
    ConnectorError,
    DailyLimitReached,
    Malformed,
    NotFound,
    Problem,
    RateLimited,
    Rejected,
    Transient,
)
from ledgerport.connectors._base.http import Request, Response
from ledgerport.connectors._base.streams import StreamContext
from ledgerport.connectors._base.writes import Target, WriteProtocol
from ledgerport.connectors.netsuite.readback import read_back

__all__ = [
    "ASYNC_PATH",
    "BATCH_SIZE",
    "RECORD_PATH",
    "TRANSFORM_FROM",
    "WRITER",
    "async_key",
    "external_id",
]

RECORD_PATH = "/services/rest/record/v1"
ASYNC_PATH = "/services/rest/async/v1/job"
BATCH_SIZE = 25
"""Records per bulk chunk: each is its own async job; the account's concurrency limit (the shared budget) paces
their submission and polling."""
TRANSFORM_FROM = "__transform_from"
"""A payload key the tables set for a record made by a transform: ``(source type, source id)``; never sent."""
SUBLISTS = ("item", "expense", "line", "apply")
"""Sublists a PATCH replaces when it names them."""
_EXTERNAL_PREFIX = "ledgerport-"
_POLL_FIRST = 0.1
_POLL_MOST = 2.0
_POLLS = 600
"""About twenty minutes of polling a job before the chunk is left for a later run (the keys find it again)."""
_JOB = re.compile(r"/job/(\d+)")
_DUPLICATE = re.compile(r"external\s*id|DUP_RCRD|DUP_ENTITY", re.IGNORECASE)
_encoder = msgspec.json.Encoder(decimal_format="number")


def external_id(key: str) -> str:
    """The ``externalId`` a write gives its record, derived from the operation (or the bulk item)."""
    return f"{_EXTERNAL_PREFIX}{key}"


def async_key(key: str, index: int) -> str:
    """``X-NetSuite-Idempotency-Key`` of one item of a chunk: a UUID (v4 in form, as NetSuite asks) derived from the
    chunk's key and the item's fixed place in it, so the same item sent again presents the same key."""
    digest = hashlib.sha256(f"{key}/{index}".encode()).digest()[:16]
    return str(uuid.UUID(bytes=digest, version=4))


def _url(context: StreamContext, *parts: str) -> str:
    return "/".join((f"{context.base_url.rstrip('/')}{RECORD_PATH}", *parts))


def _headers(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-NetSuite-PropertyNameValidation": "Error",
        **(extra or {}),
    }


def _split(payload: Mapping[str, Any]) -> tuple[tuple[str, str] | None, dict[str, Any]]:
    body = dict(payload)
    source = body.pop(TRANSFORM_FROM, None)
    return (None if source is None else (str(source[0]), str(source[1]))), body


def _create_request(context: StreamContext, target: Target, payload: Mapping[str, Any], ext: str) -> Request:
    source, body = _split(payload)
    url = (
        _url(context, target.entity)
        if source is None
        else _url(context, source[0], source[1], "!transform", target.entity)
    )
    return Request(method="POST", url=url, headers=_headers(), body=_encoder.encode({**body, "externalId": ext}))


def _id_from(location: str | None) -> str | None:
    if not location:
        return None
    last = location.rstrip("/").rsplit("/", 1)[-1]
    return last if last.isdigit() else None


def _once(client: ProviderClient) -> ProviderClient:
    """The same account's client, whose failures are never resent (a ``POST`` without idempotency)."""
    single = copy.copy(client)
    single.retry = msgspec.structs.replace(client.retry, attempts=1)
    return single


async def _one(client: ProviderClient, target: Target, *, ids: tuple[str, ...] = (), ext: str = "") -> Any:
    found = await read_back(client, target, ids=ids, external_ids=(ext,) if ext else ())
    return found[0] if found else None


def _duplicate(refused: Rejected) -> bool:
    return any(_DUPLICATE.search(f"{p.detail} {p.raw_error or ''}") for p in refused.problems)


async def create(client: ProviderClient, target: Target, payload: dict[str, Any], key: str) -> Any:
    """One record, made at most once (see the module docstring), as the sync reads it."""
    ext = external_id(key)
    made = await _one(client, target, ext=ext)
    if made is not None:
        return made
    request = _create_request(client.context, target, payload, ext)
    try:
        response = await _once(client).send(request)
    except Rejected as refused:
        if not _duplicate(refused):
            raise
        made = await _one(client, target, ext=ext)  # an earlier attempt made it after all
        if made is None:
            raise
        return made
    except (NotFound, AuthExpired, AuthRevoked, RateLimited, DailyLimitReached):
        raise  # refused before anything was made
    except ConnectorError:
        made = await _one(client, target, ext=ext)
        if made is not None:
            return made
        source, body = _split(payload)
        if source is not None:
            raise  # no upsert for a transform: the engine keeps the outcome unknown, and its retry looks first
        upsert = Request(
            method="PUT",
            url=_url(client.context, target.entity, f"eid:{ext}"),
            headers=_headers(),
            body=_encoder.encode(body),
        )
        response = await client.send(upsert)
    remote_id = _id_from(response.headers.get("location") or response.headers.get("Location"))
    made = await _one(client, target, ids=(remote_id,)) if remote_id else await _one(client, target, ext=ext)
    if made is None:
        raise Malformed(f"NetSuite made the {target.entity} but SuiteQL does not show it")
    return made


async def update(client: ProviderClient, target: Target, remote_id: str, payload: dict[str, Any], key: str) -> Any:
    """``PATCH /{type}/{id}``: the named fields, and the named sublists replaced."""
    _, body = _split(payload)
    replace = [name for name in SUBLISTS if name in body]
    request = Request(
        method="PATCH",
        url=_url(client.context, target.entity, remote_id),
        params=(("replace", ",".join(replace)),) if replace else (),
        headers=_headers(),
        body=_encoder.encode(body),
    )
    await client.send(request)
    return await fetch(client, target, remote_id)


async def fetch(client: ProviderClient, target: Target, remote_id: str) -> Any:
    """The record as the sync reads it."""
    made = await _one(client, target, ids=(remote_id,))
    if made is None:
        raise NotFound(f"NetSuite has no {target.entity} {remote_id}")
    return made


# --- bulk: async jobs -----------------------------------------------------------------------------------------


def _job_url(context: StreamContext, location: str) -> str:
    """A job's URL at this account's origin (NetSuite may answer a relative ``Location``)."""
    found = _JOB.search(location)
    if found is None:
        raise Malformed(f"NetSuite named no async job: {location[:200]}")
    return f"{context.base_url.rstrip('/')}{ASYNC_PATH}/{found.group(1)}"


def _first_job(refused: Rejected) -> str | None:
    """The job an ``IDEMPOTENCY_ERROR`` names: its ``o:errorUrl`` (kept as the problem's raw error here), else a
    job number in the detail."""
    for problem in refused.problems:
        if "IDEMPOTENCY_ERROR" not in (problem.raw_error or ""):
            continue
        for text in (problem.pointer or "", problem.raw_error or "", problem.detail):
            found = _JOB.search(text) or re.search(r"\bjob\s+(\d+)", text, re.IGNORECASE)
            if found:
                return f"/job/{found.group(1)}"
    return None


async def _submit(client: ProviderClient, target: Target, payload: dict[str, Any], ext: str, key: str) -> str:
    """The job that makes one record: a new one, or the one this key started before."""
    request = _create_request(client.context, target, payload, ext)
    headers = {**request.headers, "Prefer": "respond-async", "X-NetSuite-Idempotency-Key": key}
    try:
        response = await client.send(msgspec.structs.replace(request, headers=headers))
    except Rejected as refused:
        first = _first_job(refused)
        if first is None:
            raise
        return _job_url(client.context, first)
    location = response.headers.get("location") or response.headers.get("Location")
    if response.status != 202 or not location:
        raise Malformed(f"NetSuite answered {response.status} to an async create, without a job")
    return _job_url(client.context, location)


async def _get(client: ProviderClient, url: str) -> Any:
    return await client.json(Request(method="GET", url=url, headers={"Accept": "application/json"}))


async def _result(client: ProviderClient, job: str) -> Response:
    """The job's one task's result, once the job is complete: the create's own answer (a refusal raises)."""
    wait = _POLL_FIRST
    for _ in range(_POLLS):
        state = await _get(client, job)
        if isinstance(state, dict) and state.get("completed"):
            break
        await asyncio.sleep(wait)
        wait = min(_POLL_MOST, wait * 2)
    else:
        raise Transient(f"the NetSuite job {job} is still running")
    tasks = await _get(client, f"{job}/task")
    items = tasks.get("items") if isinstance(tasks, dict) else None
    if not items or not isinstance(items[0], dict) or not items[0].get("id"):
        raise Malformed(f"the NetSuite job {job} has no task")
    return await client.send(Request(method="GET", url=f"{job}/task/{items[0]['id']}/result"))


def _made_id(response: Response) -> str | None:
    """The new record's id from a task result: its ``Location`` (the create's 204), else an ``id`` or a link in a
    body (what NetSuite puts there is unverified, FACTS.md §3.3)."""
    found = _id_from(response.headers.get("location") or response.headers.get("Location"))
    if found or not response.body:
        return found
    try:
        body = response.json()
    except Malformed:
        return None
    if isinstance(body, dict):
        if str(body.get("id") or "").isdigit():
            return str(body["id"])
        for link in body.get("links") or []:
            found = _id_from(link.get("href") if isinstance(link, dict) else None)
            if found:
                return found
    return None


async def _item(client: ProviderClient, target: Target, payload: dict[str, Any], ext: str, key: str) -> Any:
    """One item's outcome: the new record's id, or the problems NetSuite refused it with."""
    try:
        job = await _submit(client, target, payload, ext, key)
        return _made_id(await _result(client, job)) or ""
    except (Rejected, NotFound) as refused:
        return list(getattr(refused, "problems", ()) or [Problem(title="NetSuite refused", detail=str(refused))])


def _first(group: BaseExceptionGroup) -> BaseException:
    for failure in group.exceptions:
        if isinstance(failure, BaseExceptionGroup):
            return _first(failure)
        if not isinstance(failure, asyncio.CancelledError):
            return failure
    return group.exceptions[0]


async def create_many(client: ProviderClient, target: Target, payloads: list[dict[str, Any]], key: str) -> list[Any]:
    """One async job per payload, keyed by (chunk, place); each answered with the record or its problems."""
    externals = [external_id(f"{key}-{index}") for index in range(len(payloads))]
    try:
        async with asyncio.TaskGroup() as group:
            running = [
                group.create_task(_item(client, target, payload, externals[index], async_key(key, index)))
                for index, payload in enumerate(payloads)
            ]
    except BaseExceptionGroup as failed:
        # The first failure (a throttle, an outage) is the chunk's: the others were cancelled with it, and the
        # chunk sent again finds their jobs by their keys.
        raise _first(failed) from None
    outcomes = [task.result() for task in running]
    made = [index for index, outcome in enumerate(outcomes) if isinstance(outcome, str)]
    records = await read_back(client, target, external_ids=[externals[index] for index in made]) if made else []
    by_external = {str(record.get("externalid")): record for record in records}
    by_id = {str(record.get("id")): record for record in records}
    answers: list[Any] = []
    for index, outcome in enumerate(outcomes):
        if not isinstance(outcome, str):
            answers.append(outcome)
            continue
        record = by_external.get(externals[index]) or by_id.get(outcome)
        if record is None:
            detail = "NetSuite reported the record made, but SuiteQL does not show it yet; it is not stored."
            answers.append([Problem(title="Not found after the write", detail=detail)])
        else:
            answers.append(record)
    return answers


def remote_path(context: StreamContext, target: Target, remote_id: str) -> str:
    """The record's URL at the record API (where a developer would look at it)."""
    return _url(context, target.entity, remote_id)


WRITER = WriteProtocol(
    create=create,
    update=update,
    fetch=fetch,
    remote_path=remote_path,
    create_many=create_many,
    batch_size=BATCH_SIZE,
)
