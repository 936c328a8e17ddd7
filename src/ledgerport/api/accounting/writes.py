"""Create, PATCH and meta endpoints for every common model Merge writes (``ModelSpec.writes``).

```
POST  /<path>                {"model": {...}}  → 201 {model, warnings, errors[, logs]}   (400 {warnings, errors})
PATCH /<path>/{id}           {"model": {...}}  → 200 the same
POST  /<path>/async          {"model": {...}}  → 202 {task_id}   (so do the two above with run_async=true)
POST  /<path>/{id}/application {invoice, applied_date, applied_amount} → 201 {model (the credit), warnings, errors}
GET   /async-tasks/{id}      → {status, result: {status_code, response}}: response is what the write answered
GET   /<path>/meta/post      → {request_schema, status, has_conditional_params, has_required_linked_account_params}
GET   /<path>/meta/patch/{id} → the same, for that record's provider object
GET   /logs/{log_id}         → one provider call of a write (is_debug_mode links here)
```

The handlers authenticate, read the body and the ``Idempotency-Key`` header, and hand over to
:func:`ledgerport.writes.perform`, or queue a task whose job runs it (:mod:`ledgerport.writes.tasks`); whether
the linked account's integration can write the model is the connector's answer, read from its write tables like
everything else about writes.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Coroutine
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

import msgspec
from litestar import MediaType, Request, Response, get, patch, post
from litestar.handlers import HTTPRouteHandler

from ledgerport.api.accounting.attachments import fetched_model, with_written_link
from ledgerport.api.auth import authenticate_account
from ledgerport.api.bodies import read_json
from ledgerport.api.context import context_of
from ledgerport.api.errors import BadRequest, NotFound
from ledgerport.api.params import parse_uuid
from ledgerport.api.shapes import AsyncPostTask, AsyncPostTaskResult, AsyncTaskReceipt
from ledgerport.connectors import connector_for_slug
from ledgerport.connectors._base.writes import WriteSpec
from ledgerport.models import MODELS, ModelSpec
from ledgerport.store.accounts import LinkedAccount
from ledgerport.store.operations import find_write_log
from ledgerport.store.records import find_record
from ledgerport.store.write_tasks import find_task
from ledgerport.writes import WriteCall, perform, request_digest, request_schema
from ledgerport.writes.tasks import queue_task

__all__ = ["ApplicationBody", "WriteBody", "idempotency_key", "write_deps", "write_handlers"]

Handler = Callable[..., Coroutine[Any, Any, Response[bytes]]]

_decoder = msgspec.json.Decoder(float_hook=Decimal)
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no", ""}


def _flag(request: Request[Any, Any, Any], name: str) -> bool:
    raw = (request.query_params.get(name) or "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise BadRequest(f"{name} must be true or false.")


class WriteBody(msgspec.Struct, kw_only=True):
    """The body of every write: Merge's ``{"model": {...}}`` (what the model may hold is the integration's, and is
    checked field by field against its write table)."""

    model: dict[str, Any]
    remote_user_id: str | None = None


class ApplicationBody(msgspec.Struct, kw_only=True):
    """Merge's application of a credit (a credit note, a vendor credit) to a document: which invoice (or bill), on
    which date, how much. The fields are checked against the integration's apply table like a model's."""

    invoice: str | None = None
    applied_date: datetime
    applied_amount: Decimal
    """A decimal string, as Merge's SDK sends it (a JSON number is read exactly as well)."""


def idempotency_key(request: Request[Any, Any, Any]) -> str | None:
    """The request's ``Idempotency-Key`` header (checked), if any."""
    key = request.headers.get("idempotency-key")
    if key is None:
        return None
    if not _KEY.match(key):
        raise BadRequest("Idempotency-Key must be 1 to 255 printable ASCII characters.")
    return key


def _answer(outcome: Any) -> Response[bytes]:
    return Response(
        content=outcome.body, status_code=outcome.status, media_type=MediaType.JSON, headers=dict(outcome.headers)
    )


def write_deps(request: Request[Any, Any, Any]) -> Any:
    """What writes need; a context that serves reads only has no write endpoints."""
    deps = context_of(request).writes
    if deps is None:
        raise NotFound()
    return deps


async def _write(
    request: Request[Any, Any, Any],
    spec: ModelSpec,
    kind: Literal["create", "update"],
    record_id: uuid.UUID | None,
    *,
    run_async: bool = False,
) -> Response[bytes]:
    account = await authenticate_account(request)
    deps = write_deps(request)
    debug = _flag(request, "is_debug_mode")
    async_route = run_async  # ``POST /<path>/async``, whose refusals are ``{"detail"}`` as its other 400s
    run_async = _flag(request, "run_async") or run_async
    key = idempotency_key(request)
    body = await read_json(request, WriteBody, example='{"model": {...}}', exact=True)
    digest = request_digest(kind, f"{spec.name}/{record_id or ''}", msgspec.structs.asdict(body))
    given = await fetched_model(request, spec, body.model)  # a file model's file_url, fetched (or a 400)
    if isinstance(given, Response):
        if async_route:
            (refused,) = msgspec.json.decode(given.content)["errors"]
            raise BadRequest(f"{refused['title']}: {refused['detail']}")
        return given
    call = WriteCall(
        account=account,
        model=spec.name,
        kind=kind,
        given=given,
        record_id=record_id,
        idempotency_key=key,
        digest=digest,
        debug=debug,
    )
    if run_async:
        return await _submit(request, call)
    outcome = await perform(deps, call)
    return _answer(
        msgspec.structs.replace(outcome, body=with_written_link(request, spec, outcome.status, outcome.body))
    )


async def _submit(request: Request[Any, Any, Any], call: WriteCall) -> Response[bytes]:
    """Queue the write as a task: 202 with its id (the same task again for a repeated ``Idempotency-Key``)."""
    async with context_of(request).database.write() as session:
        submitted = await queue_task(session, call)
    if submitted.outcome == "mismatch":
        detail = f"The Idempotency-Key {call.idempotency_key!r} was already used with a different request."
        return Response(content=msgspec.json.encode({"detail": detail}), status_code=422, media_type=MediaType.JSON)
    headers = {"Idempotent-Replayed": "true"} if submitted.outcome == "existing" else {}
    return Response(
        content=msgspec.json.encode(AsyncTaskReceipt(task_id=str(submitted.task_id))),
        status_code=202,
        media_type=MediaType.JSON,
        headers=headers,
    )


async def _apply(request: Request[Any, Any, Any], spec: ModelSpec, record_id: uuid.UUID) -> Response[bytes]:
    account = await authenticate_account(request)
    deps = write_deps(request)
    debug = _flag(request, "is_debug_mode")
    run_async = _flag(request, "run_async")
    key = idempotency_key(request)
    body = await read_json(request, ApplicationBody, example=_APPLICATION_EXAMPLE)
    given = {name: value for name, value in msgspec.to_builtins(body).items() if value is not None}
    call = WriteCall(
        account=account,
        model=spec.name,
        kind="apply",
        given=given,
        record_id=record_id,
        idempotency_key=key,
        digest=request_digest("apply", f"{spec.name}/{record_id}", given),
        debug=debug,
    )
    if run_async:
        return await _submit(request, call)
    return _answer(await perform(deps, call))


_APPLICATION_EXAMPLE = '{"invoice": "<id>", "applied_date": "2026-01-31T00:00:00Z", "applied_amount": "10.00"}'


def _apply_handler(spec: ModelSpec) -> Handler:
    async def apply_credit(request: Request[Any, Any, Any], record_id: str) -> Response[bytes]:
        wanted = parse_uuid(record_id)
        if wanted is None:
            raise NotFound()
        return await _apply(request, spec, wanted)

    apply_credit.__name__ = f"application_create_{spec.path.replace('-', '_')}"
    return apply_credit


def _create_handler(spec: ModelSpec) -> Handler:
    async def create_record(request: Request[Any, Any, Any]) -> Response[bytes]:
        return await _write(request, spec, "create", None)

    create_record.__name__ = f"create_{spec.path.replace('-', '_')}"
    return create_record


def _async_create_handler(spec: ModelSpec) -> Handler:
    async def create_record_async(request: Request[Any, Any, Any]) -> Response[bytes]:
        return await _write(request, spec, "create", None, run_async=True)

    create_record_async.__name__ = f"create_{spec.path.replace('-', '_')}_async"
    return create_record_async


def _update_handler(spec: ModelSpec) -> Handler:
    async def update_record(request: Request[Any, Any, Any], record_id: str) -> Response[bytes]:
        wanted = parse_uuid(record_id)
        if wanted is None:
            raise NotFound()
        return await _write(request, spec, "update", wanted)

    update_record.__name__ = f"update_{spec.path.replace('-', '_')}"
    return update_record


def _spec_for(account: LinkedAccount, model: str) -> WriteSpec | None:
    connector = connector_for_slug(account.integration)
    return None if connector is None or connector.writer is None else connector.writes.get(model)


def _meta(
    account: LinkedAccount, spec: ModelSpec, kind: Literal["create", "update"], written: WriteSpec | None, doc: Any
) -> bytes:
    usable = written is not None and (written.create if kind == "create" else written.update)
    if written is None or not usable:
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {"model": {"type": "object", "properties": {}}},
            "required": ["model"],
            "description": f"{account.integration_name} cannot {kind} {spec.name} records through ledgerport.",
        }
        conditional = False
    else:
        if doc is None:
            targets = list(written.targets)
        else:
            chosen = written.target_for(doc)
            targets = [] if chosen is None else [chosen]
        schema, conditional = request_schema(written, spec.struct, kind, targets)
        if written.note:
            schema = {**schema, "description": written.note}
    body = {
        "request_schema": schema,
        "status": {
            "linked_account_status": account.status,
            "can_make_request": usable and account.status == "COMPLETE",
        },
        "has_conditional_params": conditional,
        "has_required_linked_account_params": False,
    }
    return msgspec.json.encode(body)


def _meta_post_handler(spec: ModelSpec) -> Handler:
    async def meta_post(request: Request[Any, Any, Any]) -> Response[bytes]:
        account = await authenticate_account(request)
        body = _meta(account, spec, "create", _spec_for(account, spec.name), None)
        return Response(content=body, media_type=MediaType.JSON)

    meta_post.__name__ = f"meta_post_{spec.path.replace('-', '_')}"
    return meta_post


def _meta_patch_handler(spec: ModelSpec) -> Handler:
    async def meta_patch(request: Request[Any, Any, Any], record_id: str) -> Response[bytes]:
        account = await authenticate_account(request)
        wanted = parse_uuid(record_id)
        if wanted is None:
            raise NotFound()
        async with context_of(request).database.read() as session:
            row = await find_record(
                session, linked_account_id=account.id, model=spec.name, record_id=wanted, with_remote_data=False
            )
        if row is None:
            raise NotFound()
        body = _meta(account, spec, "update", _spec_for(account, spec.name), _decoder.decode(row.document))
        return Response(content=body, media_type=MediaType.JSON)

    meta_patch.__name__ = f"meta_patch_{spec.path.replace('-', '_')}"
    return meta_patch


@get("/logs/{log_id:str}", name="write-log", include_in_schema=False)
async def retrieve_write_log(request: Request[Any, Any, Any], log_id: str) -> Response[bytes]:
    """One provider call a write made, with credentials removed (only the linked account's own)."""
    account = await authenticate_account(request)
    wanted = parse_uuid(log_id)
    if wanted is None:
        raise NotFound()
    async with context_of(request).database.read() as session:
        log = await find_write_log(session, linked_account_id=account.id, log_id=wanted)
    if log is None:
        raise NotFound()
    body = {
        "log_id": str(log.id),
        "method": log.method,
        "url": log.url,
        "status_code": log.status_code,
        "duration_ms": log.duration_ms,
        "request": None if log.request is None else msgspec.json.decode(log.request),
        "response": None if log.response is None else msgspec.json.decode(log.response),
    }
    return Response(content=msgspec.json.encode(body), media_type=MediaType.JSON)


def _linked_answer(request: Request[Any, Any, Any], task: Any) -> bytes:
    """A task's stored answer, with a written file's download link (as the synchronous answer has it)."""
    spec = MODELS.get(task.model)
    return task.response if spec is None else with_written_link(request, spec, task.status_code or 0, task.response)


@get("/async-tasks/{task_id:str}", name="async-task", include_in_schema=False)
async def retrieve_async_task(request: Request[Any, Any, Any], task_id: str) -> Response[bytes]:
    """An asynchronous write of this linked account (another account's task is not found)."""
    account = await authenticate_account(request)
    wanted = parse_uuid(task_id)
    if wanted is None:
        raise NotFound()
    async with context_of(request).database.read() as session:
        task = await find_task(session, task_id=wanted, linked_account_id=account.id)
    if task is None:
        raise NotFound()
    body = AsyncPostTask(
        status=task.status,
        result=AsyncPostTaskResult(
            status_code=task.status_code,
            response=None if task.response is None else msgspec.Raw(_linked_answer(request, task)),
        ),
    )
    return Response(content=msgspec.json.encode(body), media_type=MediaType.JSON)


def write_handlers() -> list[HTTPRouteHandler]:
    """The write endpoints of every model with ``writes``, made fresh per app."""
    handlers: list[HTTPRouteHandler] = []
    for spec in MODELS.values():
        if "create" in spec.writes:
            handlers.append(post(f"/{spec.path}", status_code=201, include_in_schema=False)(_create_handler(spec)))
            handlers.append(get(f"/{spec.path}/meta/post", include_in_schema=False)(_meta_post_handler(spec)))
            handlers.append(
                post(f"/{spec.path}/async", status_code=202, include_in_schema=False)(_async_create_handler(spec))
            )
        if "update" in spec.writes:
            handlers.append(patch(f"/{spec.path}/{{record_id:str}}", include_in_schema=False)(_update_handler(spec)))
            handlers.append(
                get(f"/{spec.path}/meta/patch/{{record_id:str}}", include_in_schema=False)(_meta_patch_handler(spec))
            )
        if "apply" in spec.writes:
            handlers.append(
                post(f"/{spec.path}/{{record_id:str}}/application", status_code=201, include_in_schema=False)(
                    _apply_handler(spec)
                )
            )
    return [*handlers, retrieve_write_log, retrieve_async_task]
