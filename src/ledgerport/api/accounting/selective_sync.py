"""Merge's selective sync (account token): which records a linked account syncs.

* ``GET /selective-sync/meta``: the conditions the account's integration offers (``ConditionSchema``, one page),
  declared per connector (:attr:`Connector.selective_sync`);
* ``GET`` and ``PUT /selective-sync/configurations``: the conditions set on the account (``PUT`` replaces them,
  deletes the stored records that no longer meet them and queues a full sync);
* ``GET /selective-sync/conditions``: the same conditions as Merge's current SDK lists them
  (``SelectiveSyncCondition``; ``value`` is ``{"value": <the value set>}``).

Merge's 2026 document has none of these paths; the first two follow Merge's earlier API, the last its SDK.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import MediaType, Request, Response, get, put

from ledgerport.api.auth import authenticate_account
from ledgerport.api.bodies import read_json
from ledgerport.api.context import context_of
from ledgerport.api.errors import BadRequest
from ledgerport.api.params import list_scope, parse_page
from ledgerport.api.shapes import (
    ConditionSchema,
    LinkedAccountCondition,
    LinkedAccountSelectiveSyncConfiguration,
    OperatorSchema,
    SelectiveSyncCondition,
    SelectiveSyncConditionList,
)
from ledgerport.connectors import connector_for_slug
from ledgerport.connectors._base.selective_sync import SyncCondition
from ledgerport.store.accounts import LinkedAccount
from ledgerport.store.scopes import AccountScopes, Condition, account_scopes, condition_value, save_conditions
from ledgerport.sync.tasks import queue_sync

__all__ = [
    "LinkedAccountConditionRequest",
    "LinkedAccountSelectiveSyncConfigurationListRequest",
    "LinkedAccountSelectiveSyncConfigurationRequest",
    "SELECTIVE_SYNC_HANDLERS",
    "schema_id",
]

_SCHEMA_IDS = uuid.UUID("0b6f0d1e-3c1a-4f6e-9a57-6d2f4c1e8b90")


class LinkedAccountConditionRequest(msgspec.Struct, kw_only=True):
    """Merge's ``LinkedAccountConditionRequest``."""

    condition_schema_id: str
    operator: str
    value: Any


class LinkedAccountSelectiveSyncConfigurationRequest(msgspec.Struct, kw_only=True):
    """Merge's ``LinkedAccountSelectiveSyncConfigurationRequest``."""

    linked_account_conditions: list[LinkedAccountConditionRequest]


class LinkedAccountSelectiveSyncConfigurationListRequest(msgspec.Struct, kw_only=True):
    """Merge's ``LinkedAccountSelectiveSyncConfigurationListRequest``: the ``PUT`` body."""

    sync_configurations: list[LinkedAccountSelectiveSyncConfigurationRequest]


def schema_id(integration: str, condition: SyncCondition) -> str:
    """A condition schema's id, the same on every server: it follows from the integration, model and field."""
    return str(uuid.uuid5(_SCHEMA_IDS, f"{integration}/{condition.common_model}/{condition.field_name}"))


def _offered(account: LinkedAccount) -> dict[str, SyncCondition]:
    connector = connector_for_slug(account.integration)
    conditions = () if connector is None else connector.selective_sync
    return {schema_id(account.integration, condition): condition for condition in conditions}


def _schema(schema: str, condition: SyncCondition) -> ConditionSchema:
    return ConditionSchema(
        id=schema,
        common_model=condition.common_model,
        native_name=condition.native_name,
        field_name=condition.field_name,
        is_unique=condition.is_unique,
        condition_type=condition.condition_type,
        operators=[OperatorSchema(operator=operator, is_unique=True) for operator in condition.operators],
    )


def _configurations(scopes: AccountScopes) -> list[LinkedAccountSelectiveSyncConfiguration]:
    if not scopes.conditions:
        return []
    conditions = [
        LinkedAccountCondition(
            condition_schema_id=condition.schema_id,
            common_model=condition.common_model,
            native_name=condition.native_name,
            operator=condition.operator,
            value=condition.value,
            field_name=condition.field_name,
        )
        for condition in scopes.conditions
    ]
    return [LinkedAccountSelectiveSyncConfiguration(linked_account_conditions=conditions)]


def _conditions(account: LinkedAccount, body: LinkedAccountSelectiveSyncConfigurationListRequest) -> list[Condition]:
    """The body's conditions, checked against what the integration offers; a 400 names what is wrong."""
    offered = _offered(account)
    made: list[Condition] = []
    for configuration in body.sync_configurations:
        for given in configuration.linked_account_conditions:
            condition = offered.get(given.condition_schema_id)
            if condition is None:
                raise BadRequest(
                    f"Unknown condition_schema_id {given.condition_schema_id!r}: "
                    "GET /selective-sync/meta lists the conditions this integration offers."
                )
            where = f"{condition.common_model}.{condition.field_name}"
            if given.operator not in condition.operators:
                raise BadRequest(
                    f"Operator {given.operator!r} is not offered for {where}; expected one of "
                    f"{', '.join(condition.operators)}."
                )
            try:
                condition_value(condition.condition_type, given.operator, given.value)
            except ValueError as exc:
                why = f"The value for {where} ({given.operator}) must be {exc}, not {given.value!r}."
                raise BadRequest(why) from exc
            key = f"{account.id}/{given.condition_schema_id}/{given.operator}"
            made.append(
                Condition(
                    id=str(uuid.uuid5(_SCHEMA_IDS, key)),
                    schema_id=given.condition_schema_id,
                    common_model=condition.common_model,
                    field_name=condition.field_name,
                    native_name=condition.native_name,
                    condition_type=condition.condition_type,
                    operator=given.operator,
                    value=given.value,
                )
            )
    ids = [condition.id for condition in made]
    if len(set(ids)) != len(ids):
        raise BadRequest("A condition is given twice with the same operator.")
    for schema, condition in offered.items():
        if condition.is_unique and sum(made_one.schema_id == schema for made_one in made) > 1:
            raise BadRequest(f"Only one condition may be set on {condition.common_model}.{condition.field_name}.")
    return made


def _json(body: Any) -> Response[bytes]:
    return Response(content=msgspec.json.encode(body), media_type=MediaType.JSON)


@get("/selective-sync/meta", name="selective-sync-meta", include_in_schema=False)
async def list_selective_sync_meta(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The conditions the linked account's integration offers, in one page (``common_model`` narrows them)."""
    account = await authenticate_account(request)
    parse_page(request.query_params, list_scope("selective-sync-meta", account.id))  # accepted; one page holds all
    wanted = request.query_params.get("common_model")
    if wanted is not None:
        wanted = wanted.removeprefix("accounting.")  # Merge's own examples name models with their category
    results = [
        _schema(schema, condition)
        for schema, condition in _offered(account).items()
        if wanted is None or condition.common_model == wanted
    ]
    return _json({"next": None, "previous": None, "results": results})


@get("/selective-sync/configurations", name="selective-sync-configurations", include_in_schema=False)
async def list_selective_sync_configurations(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The conditions set on the linked account (an empty list: it syncs everything its scopes allow)."""
    account = await authenticate_account(request)
    async with context_of(request).database.read() as session:
        scopes = await account_scopes(session, linked_account_id=account.id)
    return _json(_configurations(scopes))


@put("/selective-sync/configurations", name="selective-sync-configurations-update", include_in_schema=False)
async def update_selective_sync_configurations(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Replace the linked account's conditions, delete what no longer meets them and queue a full sync."""
    account = await authenticate_account(request)
    body = await read_json(
        request,
        LinkedAccountSelectiveSyncConfigurationListRequest,
        example='{"sync_configurations": [{"linked_account_conditions": [{"condition_schema_id": "...", '
        '"operator": "GREATER_THAN", "value": "2024-01-01"}]}]}',
    )
    conditions = _conditions(account, body)
    async with context_of(request).database.write() as session:
        scopes = await save_conditions(session, linked_account_id=account.id, conditions=conditions)
        await queue_sync(session, linked_account_id=account.id)
    return _json(_configurations(scopes))


@get("/selective-sync/conditions", name="selective-sync-conditions", include_in_schema=False)
async def list_selective_sync_conditions(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The conditions set on the linked account, as Merge's SDK lists them."""
    account = await authenticate_account(request)
    async with context_of(request).database.read() as session:
        scopes = await account_scopes(session, linked_account_id=account.id)
    results = [
        SelectiveSyncCondition(
            id=condition.id,
            common_model=condition.common_model,
            normalized_key_name=condition.field_name,
            remote_key_name=condition.native_name,
            operator=condition.operator,
            value={"value": condition.value},
        )
        for condition in scopes.conditions
    ]
    return _json(SelectiveSyncConditionList(results=results))


SELECTIVE_SYNC_HANDLERS = [
    list_selective_sync_meta,
    list_selective_sync_configurations,
    update_selective_sync_configurations,
    list_selective_sync_conditions,
]
