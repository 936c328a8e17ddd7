"""One write, exactly once: validate, claim the operation, call the provider, store what it answered.

```
request ──validate (tables)──> resolve references (store) ──claim operation (idempotency key)──┐
                                                                                               ▼
        provider call, keyed by the operation id ──> answer mapped by the read table ──> one commit:
        record upserted + operation done (its response is what every replay of the key gets) + debug logs
```

The provider's idempotency key is derived from the operation, never drawn per attempt: a request retried with the
same ``Idempotency-Key`` after a crash, a timeout or an outage presents the provider the same key, so the provider
answers with the object it already made instead of making a second. An answer that is final (written, or refused
by validation or by the provider) is stored with the operation and replayed; an outcome that is not known yet
(outage, throttle, expired credentials) releases the operation for the next attempt with the same key.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal

import msgspec

from ledgerport.connectors import connector_for_slug
from ledgerport.connectors._base import (
    AuthExpired,
    AuthRevoked,
    Conflict,
    Connector,
    ConnectorError,
    NotFound,
    RateLimited,
    Rejected,
    Transport,
)
from ledgerport.connectors._base.errors import cause_of
from ledgerport.connectors._base.mapping import MappingContext, ModelMap, apply
from ledgerport.connectors._base.writes import Target, WriteProtocol, WriteSpec, build_payload
from ledgerport.kit import clock
from ledgerport.models import MODELS
from ledgerport.remote import ProviderDeps, open_provider
from ledgerport.remote.fields import class_id, field_classes
from ledgerport.remote.recording import Recorder, call_log
from ledgerport.store.accounts import LinkedAccount
from ledgerport.store.engine import ReadSession
from ledgerport.store.operations import (
    WriteLog,
    add_write_log,
    claim_operation,
    finish_operation,
    purge_write_history,
    release_operation,
)
from ledgerport.store.records import (
    Change,
    NewRecord,
    StoredRecord,
    find_record,
    live_remote_ids,
    record_ids,
    referenced,
    upsert_many,
)
from ledgerport.store.scopes import account_scopes, write_refused
from ledgerport.writes.events import record_changes
from ledgerport.writes.fields import line_struct, request_fields
from ledgerport.writes.problems import (
    CREDENTIAL_REFRESH_FAILED,
    ERROR,
    INCORRECT_FIELD_TYPE,
    INVALID_FIELD_CHOICE,
    INVALID_REFERENCE,
    PROVIDER_ERROR,
    Problem,
    problem,
)
from ledgerport.writes.validate import Checked, check_request

__all__ = [
    "Outcome",
    "Prepared",
    "WriteCall",
    "WriteDeps",
    "mapping_context",
    "new_record",
    "perform",
    "prepare_create",
    "read_mapping",
    "request_digest",
]

_decoder = msgspec.json.Decoder(float_hook=Decimal)
_encoder = msgspec.json.Encoder(decimal_format="number")
_HOUR = 3_600_000_000


class WriteDeps(msgspec.Struct, frozen=True, kw_only=True):
    """What writes need: the provider plumbing syncs use, and how long to keep what they leave behind."""

    providers: ProviderDeps
    currencies: dict[uuid.UUID, tuple[float, frozenset[str] | None]] = msgspec.field(default_factory=dict)
    """Each linked account's usable currencies, remembered for ``currency_seconds`` (a write does not pay a
    settings read at the provider each time)."""
    currency_seconds: float = 600.0
    public_url: str = "http://127.0.0.1:8000"
    lease_seconds: float = 120.0
    """How long a process owns an operation it is sending; after that, a retry with the same key takes it over."""
    idempotency_hours: float = 24.0
    log_hours: float = 24.0 * 7
    busy_wait_seconds: float = 10.0
    """How long a request whose key is being written by another request waits for that answer before a 409."""


class WriteCall(msgspec.Struct, frozen=True, kw_only=True):
    """One write request, authenticated and decoded."""

    account: LinkedAccount
    model: str
    kind: Literal["create", "update", "apply"]
    given: Any
    """The body's ``model`` object (an application: the body itself, ``{invoice, applied_date, applied_amount}``)."""
    record_id: uuid.UUID | None = None
    idempotency_key: str | None = None
    digest: str = ""
    debug: bool = False


class Outcome(msgspec.Struct, frozen=True, kw_only=True):
    """The HTTP answer to give."""

    status: int
    body: bytes
    headers: Mapping[str, str] = {}
    final: bool = True
    """Whether this is the write's last word; ``False``: nothing is known to be written yet (an outage, a
    throttle, another process still sending), and the same idempotency key may be tried again."""


_digest_encoder = msgspec.json.Encoder(decimal_format="number", order="sorted")


def _canonical(value: Any) -> Any:
    """A decoded JSON value with one spelling per number (``2``, ``2.0`` and ``2.00`` are one amount)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | Decimal):
        return Decimal(value).normalize()
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    return value


def request_digest(method: str, path: str, body: Any) -> str:
    """What makes two requests "the same" for an idempotency key: method, path and the decoded body, as a JSON
    value: the order of an object's keys and how a number is written do not matter (Merge's SDK sends ``2.0``
    where a hand-written request says ``2``, and its own key order)."""
    canonical = _digest_encoder.encode([method, path, _canonical(body)])
    return hashlib.sha256(canonical).hexdigest()


def _problems_body(warnings: list[Problem], errors: list[Problem]) -> bytes:
    return _encoder.encode({"warnings": warnings, "errors": errors})


def _detail(status: int, detail: str, headers: Mapping[str, str] | None = None) -> Outcome:
    return Outcome(status=status, body=_encoder.encode({"detail": detail}), headers=headers or {})


# --- the provider's calls, recorded ------------------------------------------------------------------------------


def _log_summaries(deps: WriteDeps, logs: list[WriteLog]) -> list[dict[str, Any]]:
    return [
        {
            "log_id": str(log.id),
            "dashboard_view": f"{deps.public_url}/api/accounting/v1/logs/{log.id}",
            "log_summary": {"url": log.url, "method": log.method, "status_code": log.status_code},
        }
        for log in logs
    ]


# --- references ------------------------------------------------------------------------------------------------


class _Resolver:
    """The records a validated request names (see :class:`~ledgerport.connectors._base.writes.Resolved`)."""

    def __init__(self) -> None:
        self.remote_ids: dict[str, str] = {}
        self.documents: dict[str, bytes] = {}

    def __call__(self, record_id: str) -> str | None:
        return self.remote_ids.get(record_id)

    def document(self, record_id: str) -> Mapping[str, Any] | None:
        raw = self.documents.get(record_id)
        return None if raw is None else _decoder.decode(raw)


async def _resolve(deps: WriteDeps, account_id: uuid.UUID, checked: Checked) -> tuple[_Resolver, list[Problem]]:
    """Every record id the request names → its remote id, or a problem per id that is not a live record of this
    account (the same answer whether or not the id exists in another account)."""
    wanted: dict[str, set[uuid.UUID]] = {}
    problems: list[Problem] = []
    parsed: dict[str, uuid.UUID] = {}
    for ref in checked.references:
        try:
            parsed[ref.value] = uuid.UUID(ref.value)
        except ValueError:
            problems.append(
                problem(INCORRECT_FIELD_TYPE, "Incorrect Field Type", f"{ref.value!r} is no id.", ref.pointer)
            )
            continue
        wanted.setdefault(ref.model, set()).add(parsed[ref.value])
    found: dict[tuple[str, uuid.UUID], Any] = {}
    async with deps.providers.database.read() as session:
        for model, ids in wanted.items():
            rows = await referenced(session, linked_account_id=account_id, model=model, ids=ids)
            found.update({(model, key): row for key, row in rows.items()})
    resolved = _Resolver()
    for ref in checked.references:
        key = parsed.get(ref.value)
        if key is None:
            continue
        row = found.get((ref.model, key))
        if row is None:
            problems.append(
                problem(
                    INVALID_REFERENCE,
                    "Invalid Reference",
                    f"No {ref.model} with id {ref.value} exists in this linked account.",
                    ref.pointer,
                )
            )
        elif ref.accept is not None and not ref.accept(row.remote_id):
            problems.append(
                problem(
                    INVALID_REFERENCE,
                    "Invalid Reference",
                    f"The {ref.model} {ref.value} cannot be used here: it must be {ref.accept_note or 'another kind'}.",
                    ref.pointer,
                )
            )
        elif row.deleted:
            problems.append(
                problem(
                    INVALID_REFERENCE,
                    "Invalid Reference",
                    f"The {ref.model} {ref.value} was deleted at the provider.",
                    ref.pointer,
                )
            )
        else:
            resolved.remote_ids[ref.value] = row.remote_id
            resolved.documents[ref.value] = row.document
    return resolved, problems


# --- currencies -------------------------------------------------------------------------------------------------


def _named_currencies(model: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(pointer, code)`` of every currency the request names, on the document and on its lines."""
    found = [("/model/currency", str(model["currency"]))] if model.get("currency") else []
    for name, value in model.items():
        if isinstance(value, list):
            for index, line in enumerate(value):
                if isinstance(line, Mapping) and line.get("currency"):
                    found.append((f"/model/{name}/{index}/currency", str(line["currency"])))
    return found


async def _check_currencies(deps: WriteDeps, call: WriteCall, connector: Connector, checked: Checked) -> list[Problem]:
    named = _named_currencies(checked.model)
    writer = connector.writer if checked.target is None or checked.target.protocol is None else checked.target.protocol
    if not named or writer is None or writer.currencies is None:
        return []
    cached = deps.currencies.get(call.account.id)
    if cached is None or cached[0] < time.monotonic():
        try:
            opened = await open_provider(deps.providers, call.account.id)
            usable = await writer.currencies(opened.client)
        except ConnectorError:
            return []  # the write itself will meet the same trouble, and say so
        if len(deps.currencies) > 10_000:
            deps.currencies.clear()
        cached = deps.currencies[call.account.id] = (time.monotonic() + deps.currency_seconds, usable)
    usable = cached[1]
    if usable is None:
        return []
    return [
        problem(
            INVALID_FIELD_CHOICE,
            "Invalid Field Choice",
            f"{code} is not a currency this {call.account.integration_name} company uses "
            f"(it uses {', '.join(sorted(usable))}).",
            pointer,
        )
        for pointer, code in named
        if code not in usable
    ]


# --- remote fields ----------------------------------------------------------------------------------------------


_FIELD_TYPES: dict[str, type | tuple[type, ...]] = {"string": str, "bool": bool, "list": list}


async def _check_remote_fields(
    deps: WriteDeps, call: WriteCall, connector: Connector, checked: Checked
) -> list[Problem]:
    """Each ``remote_fields`` entry names a class of this model in this account and holds a value of its type;
    the resolved ``(remote_key_name, value)`` pairs are kept on ``checked`` for the payload."""
    if not checked.remote_fields:
        return []
    try:
        classes = await field_classes(deps.providers, call.account.id, connector, call.model)
    except ConnectorError:
        why = f"The custom field definitions could not be read from {call.account.integration_name}; retry."
        return [problem(PROVIDER_ERROR, "Provider Error", why)]
    by_id = {class_id(call.account.id, call.model, field.key): field for field in classes}
    problems: list[Problem] = []
    for entry in checked.remote_fields:
        field = by_id.get(entry.remote_field_class.lower())
        if field is None:
            problems.append(
                problem(
                    INVALID_REFERENCE,
                    "Invalid Reference",
                    f"No remote field class {entry.remote_field_class} of {call.model} exists in this linked "
                    "account (GET the model's remote-field-classes).",
                    entry.pointer,
                )
            )
            continue
        wanted = _FIELD_TYPES.get(field.field_type)
        value = entry.value
        if value is not None and wanted is not None and not isinstance(value, wanted):
            problems.append(
                problem(
                    INCORRECT_FIELD_TYPE,
                    "Incorrect Field Type",
                    f"{field.display_name}: expected a {field.field_type} value.",
                    entry.pointer.removesuffix("/remote_field_class") + "/value",
                )
            )
            continue
        if field.field_choices is not None and value is not None and str(value) not in field.field_choices:
            problems.append(
                problem(
                    INVALID_FIELD_CHOICE,
                    "Invalid Field Choice",
                    f"{field.display_name} takes {', '.join(field.field_choices)}, not {value}.",
                    entry.pointer.removesuffix("/remote_field_class") + "/value",
                )
            )
            continue
        checked.remote_values.append((field.key, value))
    return problems


# --- the write --------------------------------------------------------------------------------------------------


def _spec_of(connector: Connector, call: WriteCall) -> WriteSpec | None:
    spec = connector.writes.get(call.model)
    if spec is None or connector.writer is None:
        return None
    if call.kind == "apply":
        return spec if spec.apply is not None and connector.writer.apply is not None else None
    return spec if (spec.create if call.kind == "create" else spec.update) else None


def _request_struct(call: WriteCall) -> type[msgspec.Struct]:
    """What the request's fields are typed by: the model, or for an application the credit's apply line (the
    ``applied_to_lines`` element: ``invoice``, ``applied_date``, ``applied_amount``)."""
    struct = MODELS[call.model].struct
    if call.kind != "apply":
        return struct
    line = line_struct(request_fields(struct).get("applied_to_lines"))
    return line if line is not None else struct


class Prepared(msgspec.Struct, frozen=True, kw_only=True):
    """A create that passed every check: the target it becomes and the provider body built for it."""

    target: Target
    payload: dict[str, Any]
    warnings: list[Problem]


async def prepare_create(
    deps: WriteDeps, call: WriteCall, connector: Connector, spec: WriteSpec
) -> Prepared | list[Problem]:
    """Every check a create passes before anything is sent (fields, references, currencies, custom fields), and
    the body built from it; or the errors, exactly as the synchronous create answers them."""
    checked = check_request(
        spec, MODELS[call.model].struct, call.given, integration=call.account.integration_name, kind="create"
    )
    if checked.errors or checked.target is None:
        return checked.errors or [problem(ERROR, "Unsupported Operation", f"No way to write this {call.model}.")]
    resolved, problems = await _resolve(deps, call.account.id, checked)
    problems = problems or await _check_currencies(deps, call, connector, checked)
    problems = problems or await _check_remote_fields(deps, call, connector, checked)
    if problems:
        return problems
    payload = build_payload(checked.target, checked.model, resolved, checked.remote_values)
    return Prepared(target=checked.target, payload=payload, warnings=checked.warnings)


async def perform(deps: WriteDeps, call: WriteCall) -> Outcome:
    """Answer one write request (see the module docstring)."""
    connector = connector_for_slug(call.account.integration)
    spec = None if connector is None else _spec_of(connector, call)
    verb = call.kind
    if connector is None or spec is None:
        name = call.account.integration_name
        why = problem(ERROR, "Unsupported Operation", f"{name} cannot {verb} {call.model} records through ledgerport.")
        return Outcome(status=400, body=_problems_body([], [why]))
    async with deps.providers.database.read() as session:
        scopes = await account_scopes(session, linked_account_id=call.account.id)
    if not scopes.writes(call.model):
        return Outcome(status=403, body=_problems_body([], [problem(ERROR, *write_refused(call.model))]))
    existing: StoredRecord | None = None
    existing_doc: dict[str, Any] | None = None
    if call.kind in ("update", "apply"):
        async with deps.providers.database.read() as session:
            existing = await find_record(
                session,
                linked_account_id=call.account.id,
                model=call.model,
                record_id=call.record_id or uuid.UUID(int=0),
                with_remote_data=False,
            )
        if existing is None:
            return _detail(404, "Not found.")
        existing_doc = _decoder.decode(existing.document)
    checked = check_request(
        spec,
        _request_struct(call),
        call.given,
        integration=call.account.integration_name,
        kind=call.kind,
        existing=None if call.kind == "apply" else existing_doc,
        at="" if call.kind == "apply" else "/model",
    )
    if checked.errors or checked.target is None:
        return Outcome(status=400, body=_problems_body(checked.warnings, checked.errors))
    resolved, problems = await _resolve(deps, call.account.id, checked)
    if problems:
        return Outcome(status=400, body=_problems_body(checked.warnings, problems))
    currency_problems = await _check_currencies(deps, call, connector, checked)
    if currency_problems:
        return Outcome(status=400, body=_problems_body(checked.warnings, currency_problems))
    field_problems = await _check_remote_fields(deps, call, connector, checked)
    if field_problems:
        return Outcome(status=400, body=_problems_body(checked.warnings, field_problems))
    remote_id = None if existing_doc is None else str(existing_doc.get("remote_id") or "")
    assert connector.writer is not None
    if remote_id is not None and not connector.writer.owns(checked.target, remote_id):
        why = problem(ERROR, "Unsupported Operation", f"This {call.model} cannot change into another kind of object.")
        return Outcome(status=400, body=_problems_body(checked.warnings, [why]))
    return await _exactly_once(deps, call, connector, checked, resolved, remote_id)


async def _exactly_once(
    deps: WriteDeps,
    call: WriteCall,
    connector: Connector,
    checked: Checked,
    resolved: _Resolver,
    remote_id: str | None,
) -> Outcome:
    key = call.idempotency_key or f"auto:{uuid.uuid4()}"
    deadline = time.monotonic() + deps.busy_wait_seconds
    while True:
        async with deps.providers.database.write() as session:
            claim = await claim_operation(
                session,
                linked_account_id=call.account.id,
                idempotency_key=key,
                request_digest=call.digest,
                model=call.model,
                kind=call.kind,
                record_id=call.record_id,
                lease_seconds=deps.lease_seconds,
            )
        if claim.outcome == "run":
            break
        if claim.outcome == "replay":
            return Outcome(
                status=claim.status_code or 200, body=claim.response or b"{}", headers={"Idempotent-Replayed": "true"}
            )
        if claim.outcome == "mismatch":
            return _detail(422, f"The Idempotency-Key {key!r} was already used with a different request.")
        if time.monotonic() >= deadline:
            wait = max(1, round(claim.retry_after))
            busy = _detail(
                409,
                f"A request with the Idempotency-Key {key!r} is still being written; retry in {wait} seconds.",
                {"Retry-After": str(wait)},
            )
            return msgspec.structs.replace(busy, final=False)
        await asyncio.sleep(0.1)
    return await _run(deps, call, connector, checked, resolved, remote_id, claim.operation_id)


async def _run(
    deps: WriteDeps,
    call: WriteCall,
    connector: Connector,
    checked: Checked,
    resolved: _Resolver,
    remote_id: str | None,
    operation_id: uuid.UUID,
) -> Outcome:
    target = checked.target
    assert target is not None
    writer = target.protocol or connector.writer
    assert writer is not None
    recorders: list[Recorder] = []

    def recording(origin: str | None) -> Transport:
        recorder = Recorder(deps.providers.transport(origin))
        recorders.append(recorder)
        return recorder

    providers = msgspec.structs.replace(deps.providers, transport=recording)
    payload = build_payload(target, checked.model, resolved, checked.remote_values)
    provider_key = operation_id.hex
    try:
        opened = await open_provider(providers, call.account.id)
        await opened.client.learn_session_facts()  # the read mapping of the answer may need them
        if target.complete is not None:
            payload = await target.complete(opened.client, payload)
        if remote_id is None:
            record = await writer.create(opened.client, target, payload, provider_key)
        elif call.kind == "apply" and writer.apply is not None:
            record = await writer.apply(opened.client, target, remote_id, payload, provider_key)
        else:
            record = await writer.update(opened.client, target, remote_id, payload, provider_key)
    except (Rejected, NotFound) as exc:
        errors = _provider_problems(exc, call.account.integration_name)
        body = _problems_body(checked.warnings, errors)
        return await _final(deps, call, operation_id, recorders, 400, body, None)
    except (AuthRevoked, AuthExpired) as exc:
        why = problem(
            CREDENTIAL_REFRESH_FAILED,
            "Credential Refresh Failed",
            f"{cause_of(exc).reason} Then retry with the same Idempotency-Key.",
        )
        return await _released(deps, call, operation_id, recorders, 400, _problems_body(checked.warnings, [why]))
    except RateLimited as exc:
        wait = max(1, round(exc.retry_after or 1))
        body = _encoder.encode(
            {
                "detail": f"{call.account.integration_name} is rate limiting this company; nothing was written. "
                f"Retry in {wait} seconds with the same Idempotency-Key."
            }
        )
        return await _released(deps, call, operation_id, recorders, 429, body, {"Retry-After": str(wait)})
    except Conflict as exc:
        body = _encoder.encode(
            {
                "detail": f"The object changed at {call.account.integration_name} while it was being updated "
                f"({exc}); retry with the same Idempotency-Key."
            }
        )
        return await _released(deps, call, operation_id, recorders, 409, body)
    except ConnectorError as exc:
        body = _encoder.encode(
            {
                "detail": f"{cause_of(exc).reason} Whether {call.account.integration_name} made the change is not "
                "known yet: retry with the same Idempotency-Key, and it will be made at most once."
            }
        )
        return await _released(deps, call, operation_id, recorders, 502, body, {"Retry-After": "5"})
    except BaseException:
        await _released(deps, call, operation_id, recorders, 500, b"")
        raise
    mapping = read_mapping(connector, target)
    touched = await _touched(opened.client, connector, checked, resolved) if call.kind == "apply" else []
    return await _store(
        deps, call, opened.client, writer, target, mapping, record, operation_id, recorders, checked.warnings, touched
    )


class _Touched(msgspec.Struct, frozen=True):
    """A record the write changed besides its own (the invoice a credit was applied to), read back from the
    provider, with the target whose read mapping stores it."""

    model: str
    target: Target
    record: Any


async def _touched(client: Any, connector: Connector, checked: Checked, resolved: _Resolver) -> list[_Touched]:
    """The documents an application names (the invoice or bill), as they stand after it: their balance moved.

    Each is read back through its own model's write target (``WriteProtocol.fetch``), so the stored record is what
    a sync would store. A document that cannot be read now is left to the next sync, which finds it changed (its
    modification time moved): the application itself is made, and is answered as made."""
    writer = connector.writer
    assert writer is not None
    found: list[_Touched] = []
    for ref in checked.references:
        spec = connector.writes.get(ref.model)
        document = resolved.document(ref.value)
        remote_id = resolved(ref.value)
        target = None if spec is None or document is None else spec.target_for(document)
        if target is None or remote_id is None:
            continue
        try:
            record = await writer.fetch(client, target, remote_id)
        except ConnectorError:
            continue
        found.append(_Touched(model=ref.model, target=target, record=record))
    return found


def _provider_problems(exc: ConnectorError, integration: str) -> list[Problem]:
    """The provider's refusal as Merge's ``PROVIDER_ERROR`` problems; a problem a connector typed itself (a check it
    makes before sending, such as an unusable reference) keeps its type."""
    found = getattr(exc, "problems", None) or []
    if not found:
        return [problem(PROVIDER_ERROR, f"{integration} refused the request", str(exc))]
    return [
        problem(
            PROVIDER_ERROR if p.problem_type == "ERROR" else p.problem_type,
            p.title,
            p.detail,
            p.pointer if p.pointer and p.pointer.startswith("/model") else None,
            p.raw_error,
        )
        for p in found
    ]


async def _logs(session: Any, call: WriteCall, operation_id: uuid.UUID, recorders: list[Recorder]) -> list[WriteLog]:
    logs = [call_log(call.account.id, operation_id, one) for recorder in recorders for one in recorder.calls]
    for log in logs:
        await add_write_log(session, log)
    return logs


async def _final(
    deps: WriteDeps,
    call: WriteCall,
    operation_id: uuid.UUID,
    recorders: list[Recorder],
    status: int,
    body: bytes,
    remote_id: str | None,
) -> Outcome:
    async with deps.providers.database.write() as session:
        logs = await _logs(session, call, operation_id, recorders)
        if call.debug:
            body = _with_logs(body, _log_summaries(deps, logs))
        await finish_operation(
            session, operation_id=operation_id, status_code=status, response=body, remote_id=remote_id
        )
    return Outcome(status=status, body=body)


async def _released(
    deps: WriteDeps,
    call: WriteCall,
    operation_id: uuid.UUID,
    recorders: list[Recorder],
    status: int,
    body: bytes,
    headers: Mapping[str, str] | None = None,
) -> Outcome:
    async with deps.providers.database.write() as session:
        logs = await _logs(session, call, operation_id, recorders)
        await release_operation(session, operation_id=operation_id)
    if call.debug and body:
        body = _with_logs(body, _log_summaries(deps, logs))
    return Outcome(status=status, body=body, headers=headers or {}, final=False)


def _with_logs(body: bytes, logs: list[dict[str, Any]]) -> bytes:
    content = _decoder.decode(body)
    content["logs"] = logs
    return _encoder.encode(content)


def read_mapping(connector: Connector, target: Target) -> ModelMap:
    """The connector's own read mapping of a target (with whatever the connector adds to every mapping, such as
    ``company``), so a written record is stored byte for byte as a sync would store it."""
    return next(
        (
            m
            for m in connector.mappings
            if m.model == target.read.model and m.stream.name == target.read.stream.name and m.when is target.read.when
        ),
        target.read,
    )


async def mapping_context(session: ReadSession, account_id: uuid.UUID) -> MappingContext:
    """How the account's references and company are named in its stored records (read in the caller's session, so
    a write reads it in its own transaction before the first change)."""
    derive = record_ids(account_id)
    companies = await live_remote_ids(session, linked_account_id=account_id, model="CompanyInfo")
    return MappingContext(
        ref=derive, child=derive, company=derive("CompanyInfo", companies[0]) if len(companies) == 1 else None
    )


def new_record(
    client: Any, writer: WriteProtocol, target: Target, mapping: ModelMap, record: Any, context: MappingContext
) -> NewRecord:
    """The provider's answer as the record a sync would store (same remote id, document and remote data)."""
    remote_id = mapping.remote_id_of(record)
    stream = mapping.stream
    if writer.remote_path is not None:
        path = writer.remote_path(client.context, target, remote_id)
    elif stream.remote_path is not None:
        path = stream.remote_path(client.context, record)
    else:
        path = target.entity
    return NewRecord(
        remote_id=remote_id,
        model=apply(
            mapping, record, msgspec.structs.replace(context, facts=client.context.account), remote_id=remote_id
        ),
        remote_data=[{"path": path, "data": record}],
        remote_was_deleted=bool(stream.deleted is not None and stream.deleted(record)),
    )


async def _store(
    deps: WriteDeps,
    call: WriteCall,
    client: Any,
    writer: WriteProtocol,
    target: Target,
    mapping: ModelMap,
    record: Any,
    operation_id: uuid.UUID,
    recorders: list[Recorder],
    warnings: list[Problem],
    touched: list[_Touched] | None = None,
) -> Outcome:
    """The provider's answer becomes the stored record (the next sync finds the same remote id) and the response.

    ``mapping`` is the connector's own read mapping of the target (with whatever the connector adds to every
    mapping, such as ``company``), so the stored record is byte for byte what a sync would store."""
    account_id = call.account.id
    status = 200 if call.kind == "update" else 201
    async with deps.providers.database.write() as session:
        # Read before the first change, so SQLite takes its write lock only for the changes below.
        context = await mapping_context(session, account_id)
        item = new_record(client, writer, target, mapping, record, context)
        item = (await account_scopes(session, linked_account_id=account_id)).redact(call.model, item)
        remote_id = item.remote_id
        changes: list[Change] = []
        (stored_id,) = await upsert_many(
            session,
            linked_account_id=account_id,
            model_name=call.model,
            key_fields=MODELS[call.model].key_fields,
            items=[item],
            changes=changes,
        )
        await record_changes(
            session,
            organization_id=call.account.organization_id,
            account_id=account_id,
            model=call.model,
            changes=changes,
        )
        for other in touched or []:
            other_changes: list[Change] = []
            other_mapping = read_mapping(_connector_of(call), other.target)
            await upsert_many(
                session,
                linked_account_id=account_id,
                model_name=other.model,
                key_fields=MODELS[other.model].key_fields,
                items=[new_record(client, writer, other.target, other_mapping, other.record, context)],
                changes=other_changes,
            )
            await record_changes(
                session,
                organization_id=call.account.organization_id,
                account_id=account_id,
                model=other.model,
                changes=other_changes,
            )
        row = await find_record(
            session, linked_account_id=account_id, model=call.model, record_id=stored_id, with_remote_data=True
        )
        assert row is not None
        document = _decoder.decode(row.document)
        document["remote_data"] = None if row.remote_data is None else _decoder.decode(row.remote_data)
        logs = await _logs(session, call, operation_id, recorders)
        answer: dict[str, Any] = {"model": document, "warnings": warnings, "errors": []}
        if call.debug:
            answer["logs"] = _log_summaries(deps, logs)
        body = _encoder.encode(answer)
        await finish_operation(
            session, operation_id=operation_id, status_code=status, response=body, remote_id=remote_id
        )
        if _should_purge(operation_id):
            now = clock.now_micros()
            await purge_write_history(
                session,
                operations_before=now - int(deps.idempotency_hours * _HOUR),
                logs_before=now - int(deps.log_hours * _HOUR),
            )
    return Outcome(status=status, body=body)


def _connector_of(call: WriteCall) -> Connector:
    connector = connector_for_slug(call.account.integration)
    assert connector is not None
    return connector


def _should_purge(operation_id: uuid.UUID) -> bool:
    """About one write in 256 sweeps expired history: no scheduler needed, and the cost is spread thin."""
    return operation_id.bytes[-1] == 0
