"""Merge's field mappings: ``/field-mappings`` (list, create, change, delete), ``/remote-fields`` and
``/target-fields``.

A mapping belongs to the linked account of the account token (Merge's "linked-account-defined targets"): it shows
the provider value at ``remote_field_traversal_path`` of each record of ``common_model_name`` as
``field_mappings.linked_account_defined_targets.<target_field_name>``. ledgerport has no organization-wide or
integration-wide targets (Merge makes those in its dashboard): ``organization_defined_targets`` is always ``{}``,
``organization_wide_target_field`` and ``is_integration_wide: true`` are refused, and ``/target-fields`` lists the
account's own targets. ``jmes_path`` and ``advanced_mapping_expression`` (expressions over the value) are refused too:
the value is mapped as the provider holds it.

Values are written into documents by the sync (:mod:`ledgerport.sync.field_mappings`), so a change shows after the
next sync; making, changing or deleting a mapping restarts the model's sync from the beginning and queues a sync of
the account at once. ``/remote-fields`` lists what the account's synced records hold (their stored ``remote_data``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Annotated, Any

import msgspec
from litestar import MediaType, Request, Response, delete, get, patch, post
from msgspec import UNSET, UnsetType

from ledgerport.api.auth import actor_of, authenticate_account
from ledgerport.api.bodies import read_json
from ledgerport.api.context import context_of
from ledgerport.api.errors import BadRequest, NotFound
from ledgerport.api.params import parse_bool, parse_uuid
from ledgerport.api.shapes import (
    ExternalTargetFieldApi,
    FieldMappingApiInstance,
    FieldMappingApiInstanceRemoteField,
    FieldMappingApiInstanceTargetField,
    FieldMappingInstanceResponse,
    RemoteEndpointInfo,
    RemoteFieldApi,
)
from ledgerport.models import MODELS
from ledgerport.store import ReadSession
from ledgerport.store.accounts import LinkedAccount
from ledgerport.store.field_mappings import (
    FieldMapping,
    NewFieldMapping,
    add_field_mapping,
    change_field_mapping,
    list_field_mappings,
    remove_field_mapping,
    sample_remote_data,
)
from ledgerport.sync.field_mappings import (
    FoundField,
    came_from,
    json_type,
    remote_fields,
    schema_of,
    url_path,
    value_at,
)
from ledgerport.sync.tasks import queue_sync
from ledgerport.writes.problems import Problem, problem

__all__ = [
    "CreateFieldMappingRequest",
    "FIELD_MAPPING_HANDLERS",
    "MAPPABLE_MODELS",
    "PatchedEditFieldMappingRequest",
]

MAPPABLE_MODELS = tuple(name for name, spec in MODELS.items() if "field_mappings" in spec.struct.__struct_fields__)
"""The common models whose documents carry ``field_mappings``: the ones a mapping may name."""
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
RESERVED = frozenset({"remote_data", "remote_fields", "field_mappings"})
"""Names every served document holds besides its Struct's fields."""
DEFAULT_ITERATIONS = 250
"""Merge's default ``remote_data_iteration_count``: how many synced records a new mapping is checked against."""
MAX_ITERATIONS = 1000
LISTING_SAMPLE = 100
"""Records sampled per model for the remote field metadata of ``GET /field-mappings``."""

Step = Annotated[str, msgspec.Meta(min_length=1, max_length=200)] | Annotated[int, msgspec.Meta(ge=0, le=100_000)]
Path = Annotated[list[Step], msgspec.Meta(min_length=1, max_length=32)]
Method = Annotated[str, msgspec.Meta(min_length=1, max_length=16)]
UrlPath = Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]


class CreateFieldMappingRequest(msgspec.Struct, kw_only=True):
    """Merge's ``CreateFieldMappingRequest`` (linked-account targets only)."""

    target_field_name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    target_field_description: Annotated[str, msgspec.Meta(max_length=2000)]
    remote_field_traversal_path: Path
    remote_method: Method
    remote_url_path: UrlPath
    common_model_name: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    jmes_path: str | None | UnsetType = UNSET
    advanced_mapping_expression: str | None | UnsetType = UNSET
    organization_wide_target_field: str | None | UnsetType = UNSET
    is_integration_wide: bool | UnsetType = UNSET


class PatchedEditFieldMappingRequest(msgspec.Struct, kw_only=True):
    """Merge's ``PatchedEditFieldMappingRequest``: where the mapping reads its value; what is left out stays."""

    remote_field_traversal_path: Path | UnsetType = UNSET
    remote_method: Method | UnsetType = UNSET
    remote_url_path: UrlPath | UnsetType = UNSET
    jmes_path: str | None | UnsetType = UNSET
    advanced_mapping_expression: str | None | UnsetType = UNSET


_CREATE_EXAMPLE = (
    '{"target_field_name": "crew_number", "target_field_description": "Crew #", "remote_field_traversal_path": '
    '["CustomField", 0, "StringValue"], "remote_method": "GET", "remote_url_path": "/query", '
    '"common_model_name": "Invoice"}'
)
_PATCH_EXAMPLE = '{"remote_field_traversal_path": ["CustomField", 1, "StringValue"]}'


def _json(value: Any, status: int = 200) -> Response[bytes]:
    return Response(content=msgspec.json.encode(value), status_code=status, media_type=MediaType.JSON)


def _method(raw: str) -> str:
    method = raw.strip().upper()
    if method not in METHODS:
        raise BadRequest(f"remote_method must be one of {', '.join(METHODS)}, not {raw!r}.")
    return method


def _no_expressions(body: CreateFieldMappingRequest | PatchedEditFieldMappingRequest) -> None:
    for name in ("jmes_path", "advanced_mapping_expression"):
        if getattr(body, name) not in (UNSET, None, ""):
            raise BadRequest(
                f"{name} is not supported: ledgerport maps the value at remote_field_traversal_path as the provider "
                "holds it."
            )


def _iterations(params: Any) -> int:
    raw = params.get("remote_data_iteration_count")
    if raw is None or raw == "":
        return DEFAULT_ITERATIONS
    try:
        count = int(raw)
    except ValueError as exc:
        raise BadRequest(f"Query parameter 'remote_data_iteration_count' must be an integer, not {raw!r}.") from exc
    if not 1 <= count <= MAX_ITERATIONS:
        raise BadRequest(f"Query parameter 'remote_data_iteration_count' must be between 1 and {MAX_ITERATIONS}.")
    return count


def _mapping_id(raw: str) -> uuid.UUID:
    found = parse_uuid(raw)
    if found is None:
        raise NotFound()
    return found


def _key_name(path: Sequence[str | int]) -> str | None:
    return next((step for step in reversed(path) if isinstance(step, str)), None)


async def _samples(session: ReadSession, account_id: uuid.UUID, model: str, limit: int) -> list[Any]:
    raw = await sample_remote_data(session, linked_account_id=account_id, model=model, limit=limit)
    return [msgspec.json.decode(entry) for entry in raw]


def _entries(samples: Iterable[Any], endpoint: str) -> list[Any]:
    """The provider records (``data``) of the samples that came from ``endpoint``."""
    return [
        entry.get("data")
        for sample in samples
        for entry in (sample if isinstance(sample, list) else [])
        if isinstance(entry, dict) and came_from(endpoint, str(entry.get("path", "")))
    ]


def _schema(samples: Sequence[Any], mapping: FieldMapping) -> dict[str, Any] | None:
    """The JSON type of the values the mapping finds in the samples; ``None`` when it finds none."""
    types = {
        json_type(value_at(data, mapping.remote_field_traversal_path))
        for data in _entries(samples, mapping.remote_url_path)
    }
    return schema_of(types) if types - {"null"} else None


def _instance(mapping: FieldMapping, samples: Sequence[Any] | None) -> FieldMappingApiInstance:
    """Merge's view of a mapping; ``samples`` (decoded ``remote_data``) give its remote field metadata, ``None``
    leaves that out."""
    return FieldMappingApiInstance(
        id=str(mapping.id),
        is_integration_wide=False,
        target_field=FieldMappingApiInstanceTargetField(
            name=mapping.target_field_name,
            description=mapping.target_field_description,
            is_organization_wide=False,
        ),
        remote_field=FieldMappingApiInstanceRemoteField(
            remote_key_name=None if samples is None else _key_name(mapping.remote_field_traversal_path),
            schema=None if samples is None else _schema(samples, mapping),
            remote_endpoint_info=RemoteEndpointInfo(
                method=mapping.remote_method,
                url_path=mapping.remote_url_path,
                field_traversal_path=list(mapping.remote_field_traversal_path),
            ),
        ),
    )


def _warnings(samples: Sequence[Any], mapping: FieldMapping) -> list[Problem]:
    """What a caller should know about a mapping the synced records cannot fill (yet)."""
    if not samples:
        return [
            problem(
                "REMOTE_FIELD_NOT_FOUND",
                "No synced records",
                f"No {mapping.model} of this linked account has been synced yet, so the remote field could not be "
                "checked; its values appear after the next sync.",
            )
        ]
    entries = _entries(samples, mapping.remote_url_path)
    if not entries:
        seen = sorted(
            {
                url_path(str(entry.get("path", "")))
                for sample in samples
                for entry in (sample if isinstance(sample, list) else [])
                if isinstance(entry, dict)
            }
        )
        return [
            problem(
                "REMOTE_FIELD_NOT_FOUND",
                "Unknown remote endpoint",
                f"No synced {mapping.model} came from {mapping.remote_url_path!r} (they came from "
                f"{', '.join(seen)}); the target stays null until one does.",
                pointer="/remote_url_path",
            )
        ]
    if all(value_at(data, mapping.remote_field_traversal_path) is None for data in entries):
        return [
            problem(
                "REMOTE_FIELD_NOT_FOUND",
                "Remote field not found",
                f"None of the {len(entries)} synced {mapping.model} records checked holds a value at "
                f"{msgspec.json.encode(mapping.remote_field_traversal_path).decode()}.",
                pointer="/remote_field_traversal_path",
            )
        ]
    return []


def _mappable(name: str) -> str:
    if name not in MAPPABLE_MODELS:
        raise BadRequest(
            f"common_model_name {name!r} is not a common model with field mappings; use one of "
            f"{', '.join(MAPPABLE_MODELS)}."
        )
    return name


@get("/field-mappings", name="field-mappings", include_in_schema=False)
async def list_mappings(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Every mapping of the linked account, per common model (every model named, with or without mappings)."""
    account = await authenticate_account(request)
    exclude = parse_bool(request.query_params, "exclude_remote_field_metadata") or False
    async with context_of(request).database.read() as session:
        found = await list_field_mappings(session, linked_account_id=account.id)
        samples = {
            model: await _samples(session, account.id, model, LISTING_SAMPLE)
            for model in ({mapping.model for mapping in found} if not exclude else set())
        }
    body: dict[str, list[FieldMappingApiInstance]] = {model: [] for model in MAPPABLE_MODELS}
    for mapping in found:
        body.setdefault(mapping.model, []).append(_instance(mapping, samples.get(mapping.model)))
    return _json(body)


async def _answer(
    request: Request[Any, Any, Any], account: LinkedAccount, mapping: FieldMapping, status: int, *, check: bool
) -> Response[bytes]:
    params = request.query_params
    exclude = parse_bool(params, "exclude_remote_field_metadata") or False
    count = _iterations(params)
    async with context_of(request).database.read() as session:
        samples = await _samples(session, account.id, mapping.model, count)
    warnings = _warnings(samples, mapping) if check else []
    instance = _instance(mapping, None if exclude else samples)
    return _json(FieldMappingInstanceResponse(model=instance, warnings=warnings, errors=[]), status)


@post("/field-mappings", name="field-mappings-create", status_code=201, include_in_schema=False)
async def create_mapping(request: Request[Any, Any, Any]) -> Response[bytes]:
    """A new mapping of the linked account; its values appear after the sync it queues."""
    account = await authenticate_account(request)
    params = request.query_params
    parse_bool(params, "exclude_remote_field_metadata")
    _iterations(params)
    body = await read_json(request, CreateFieldMappingRequest, example=_CREATE_EXAMPLE)
    if body.is_integration_wide is True or body.organization_wide_target_field not in (UNSET, None, ""):
        raise BadRequest(
            "Organization-wide and integration-wide target fields are not supported: a field mapping belongs to the "
            "linked account of the account token (leave out organization_wide_target_field and is_integration_wide)."
        )
    _no_expressions(body)
    model = _mappable(body.common_model_name)
    name = body.target_field_name
    if name in MODELS[model].struct.__struct_fields__ or name in RESERVED:
        raise BadRequest(
            f"target_field_name {name!r} is a field of the {model} common model; choose a name it does not have."
        )
    new = NewFieldMapping(
        model=model,
        target_field_name=name,
        target_field_description=body.target_field_description,
        remote_field_traversal_path=list(body.remote_field_traversal_path),
        remote_method=_method(body.remote_method),
        remote_url_path=body.remote_url_path,
    )
    async with context_of(request).database.write() as session:
        existing = await list_field_mappings(session, linked_account_id=account.id, model=model)
        taken = next((mapping for mapping in existing if mapping.target_field_name == name), None)
        if taken is not None:
            raise BadRequest(
                f"target_field_name {name!r} is already mapped for {model} in this linked account (field mapping "
                f"{taken.id}); change or delete that one."
            )
        made = await add_field_mapping(
            session,
            organization_id=account.organization_id,
            linked_account_id=account.id,
            mapping=new,
            actor=actor_of(request),
        )
        await queue_sync(session, linked_account_id=account.id)
    return await _answer(request, account, made, 201, check=True)


@patch("/field-mappings/{field_mapping_id:str}", name="field-mappings-update", include_in_schema=False)
async def update_mapping(request: Request[Any, Any, Any], field_mapping_id: str) -> Response[bytes]:
    """Change where a mapping of the linked account reads its value."""
    account = await authenticate_account(request)
    wanted = _mapping_id(field_mapping_id)
    _iterations(request.query_params)
    body = await read_json(request, PatchedEditFieldMappingRequest, example=_PATCH_EXAMPLE)
    _no_expressions(body)
    path = None if isinstance(body.remote_field_traversal_path, UnsetType) else body.remote_field_traversal_path
    method = None if isinstance(body.remote_method, UnsetType) else _method(body.remote_method)
    endpoint = None if isinstance(body.remote_url_path, UnsetType) else body.remote_url_path
    async with context_of(request).database.write() as session:
        changed = await change_field_mapping(
            session,
            organization_id=account.organization_id,
            linked_account_id=account.id,
            mapping_id=wanted,
            remote_field_traversal_path=path,
            remote_method=method,
            remote_url_path=endpoint,
            actor=actor_of(request),
        )
        if changed is None:
            raise NotFound()
        await queue_sync(session, linked_account_id=account.id)
    return await _answer(request, account, changed, 200, check=True)


@delete(
    "/field-mappings/{field_mapping_id:str}", name="field-mappings-delete", status_code=200, include_in_schema=False
)
async def delete_mapping(request: Request[Any, Any, Any], field_mapping_id: str) -> Response[bytes]:
    """Delete a mapping; the answer is the mapping that was (Merge's SDK reads a body here, not a bare 204)."""
    account = await authenticate_account(request)
    wanted = _mapping_id(field_mapping_id)
    async with context_of(request).database.write() as session:
        removed = await remove_field_mapping(
            session,
            organization_id=account.organization_id,
            linked_account_id=account.id,
            mapping_id=wanted,
            actor=actor_of(request),
        )
        if removed is None:
            raise NotFound()
        await queue_sync(session, linked_account_id=account.id)
    return _json(FieldMappingInstanceResponse(model=_instance(removed, None), warnings=[], errors=[]))


def _models(params: Any) -> tuple[str, ...]:
    raw = params.get("common_models")
    if raw is None or raw.strip() == "":
        return MAPPABLE_MODELS
    names = tuple(dict.fromkeys(name.strip() for name in raw.split(",") if name.strip()))
    unknown = [name for name in names if name not in MAPPABLE_MODELS]
    if unknown:
        raise BadRequest(
            f"Query parameter 'common_models' names {', '.join(repr(name) for name in unknown)}, not common models "
            f"with field mappings; use {', '.join(MAPPABLE_MODELS)}."
        )
    return names


def _remote_field(found: FoundField, examples: bool) -> RemoteFieldApi:
    return RemoteFieldApi(
        schema=schema_of(found.types),
        remote_key_name=_key_name(found.path) or "",
        remote_endpoint_info=RemoteEndpointInfo(
            method="GET", url_path=found.url_path, field_traversal_path=list(found.path)
        ),
        example_values=list(found.examples) if examples else None,
    )


@get("/remote-fields", name="remote-fields", include_in_schema=False)
async def list_remote_fields(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The provider fields the account's synced records hold, per common model (up to the newest
    ``DEFAULT_ITERATIONS`` records of each are read)."""
    account = await authenticate_account(request)
    params = request.query_params
    models = _models(params)
    examples = parse_bool(params, "include_example_values") or False
    body: dict[str, list[RemoteFieldApi]] = {}
    async with context_of(request).database.read() as session:
        for model in models:
            samples = await _samples(session, account.id, model, DEFAULT_ITERATIONS)
            body[model] = [_remote_field(found, examples) for found in remote_fields(samples, examples=examples)]
    return _json(body)


@get("/target-fields", name="target-fields", include_in_schema=False)
async def list_target_fields(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The target fields of the linked account, per common model (ledgerport has no organization-wide ones)."""
    account = await authenticate_account(request)
    async with context_of(request).database.read() as session:
        found = await list_field_mappings(session, linked_account_id=account.id)
    body: dict[str, list[ExternalTargetFieldApi]] = {model: [] for model in MAPPABLE_MODELS}
    for mapping in found:
        body.setdefault(mapping.model, []).append(
            ExternalTargetFieldApi(
                name=mapping.target_field_name, description=mapping.target_field_description, is_mapped="true"
            )
        )
    return _json(body)


FIELD_MAPPING_HANDLERS = [
    list_mappings,
    create_mapping,
    update_mapping,
    delete_mapping,
    list_remote_fields,
    list_target_fields,
]
