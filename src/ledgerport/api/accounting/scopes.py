"""Merge's scopes: ``GET /default-scopes`` (organization level), ``GET`` and ``POST /linked-account-scopes``
(account token).

The defaults are fixed (see :mod:`ledgerport.store.scopes`): every model and field enabled, ``WRITE`` where Merge
can write the model. A linked account's ``POST`` replaces its scopes; what the body leaves out inherits the
defaults, as Merge says. Changing them rewrites what is stored at once, queues a full sync of the account and is
recorded in the audit trail as ``CHANGED_SCOPES``. A model whose ``READ`` is disabled answers 403 on its endpoints.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import MediaType, Request, Response, get, post

from ledgerport.api.auth import actor_of, authenticate_account, authenticate_organization
from ledgerport.api.bodies import read_json
from ledgerport.api.context import context_of
from ledgerport.api.errors import ApiProblem, BadRequest
from ledgerport.api.shapes import (
    CommonModelScopeAPI,
    FieldPermissionDeserializer,
    IndividualCommonModelScopeDeserializer,
    ModelPermissionDeserializer,
)
from ledgerport.models import MODELS
from ledgerport.store.engine import ReadSession
from ledgerport.store.scopes import EVERYTHING, AccountScopes, ModelScope, account_scopes, save_model_scopes
from ledgerport.store.scopes import scoped_fields as _fields
from ledgerport.sync.tasks import queue_sync

__all__ = [
    "FieldPermissionDeserializerRequest",
    "Forbidden",
    "IndividualCommonModelScopeDeserializerRequest",
    "LinkedAccountCommonModelScopeDeserializerRequest",
    "ModelPermissionDeserializerRequest",
    "SCOPE_HANDLERS",
    "require_readable",
    "scopes_body",
]

PERMISSIONS = ("READ", "WRITE")


class Forbidden(ApiProblem):
    """403: the linked account's scopes disable what was asked for."""

    status = 403


class ModelPermissionDeserializerRequest(msgspec.Struct, kw_only=True):
    """Merge's ``ModelPermissionDeserializerRequest``."""

    is_enabled: bool | None = None


class FieldPermissionDeserializerRequest(msgspec.Struct, kw_only=True):
    """Merge's ``FieldPermissionDeserializerRequest``: field names (Merge types the items as "any")."""

    enabled_fields: list[Any] | None = None
    disabled_fields: list[Any] | None = None


class IndividualCommonModelScopeDeserializerRequest(msgspec.Struct, kw_only=True):
    """Merge's ``IndividualCommonModelScopeDeserializerRequest``."""

    model_name: str
    model_permissions: dict[str, ModelPermissionDeserializerRequest] | None = None
    field_permissions: FieldPermissionDeserializerRequest | None = None


class LinkedAccountCommonModelScopeDeserializerRequest(msgspec.Struct, kw_only=True):
    """Merge's ``LinkedAccountCommonModelScopeDeserializerRequest``: the ``POST /linked-account-scopes`` body."""

    common_models: list[IndividualCommonModelScopeDeserializerRequest]


def _writable(model: str) -> bool:
    return bool(MODELS[model].writes)


def scopes_body(scopes: AccountScopes) -> CommonModelScopeAPI:
    """Every model's scopes as Merge lists them (a model with ``READ`` disabled has every field disabled)."""
    entries = []
    for name in MODELS:
        scope = scopes.scope(name)
        fields = _fields(name)
        disabled = set(fields) if not scope.read else set(scope.disabled_fields)
        entries.append(
            IndividualCommonModelScopeDeserializer(
                model_name=name,
                model_permissions={
                    "READ": ModelPermissionDeserializer(is_enabled=scope.read),
                    "WRITE": ModelPermissionDeserializer(is_enabled=scope.write and scope.read and _writable(name)),
                },
                field_permissions=FieldPermissionDeserializer(
                    enabled_fields=[field for field in fields if field not in disabled],
                    disabled_fields=[field for field in fields if field in disabled],
                ),
            )
        )
    return CommonModelScopeAPI(common_models=entries)


def _names(values: list[Any], where: str) -> list[str]:
    wrong = [value for value in values if not isinstance(value, str)]
    if wrong:
        raise BadRequest(f"{where} must hold field names, not {wrong[0]!r}.")
    return values


def _model_scopes(body: LinkedAccountCommonModelScopeDeserializerRequest) -> dict[str, ModelScope]:
    """The body as each model's scope, or a 400 naming every unknown model, permission or field."""
    unknown = [entry.model_name for entry in body.common_models if entry.model_name not in MODELS]
    if unknown:
        raise BadRequest(f"Unknown common model names: {', '.join(unknown)}. Expected names such as Invoice, Contact.")
    seen: set[str] = set()
    scopes: dict[str, ModelScope] = {}
    for entry in body.common_models:
        name = entry.model_name
        if name in seen:
            raise BadRequest(f"The common model {name} is given more than once.")
        seen.add(name)
        permissions = entry.model_permissions or {}
        wrong = [key for key in permissions if key not in PERMISSIONS]
        if wrong:
            raise BadRequest(f"Unknown model permissions for {name}: {', '.join(wrong)}. Expected READ, WRITE.")
        read = permissions.get("READ", ModelPermissionDeserializerRequest()).is_enabled
        write = permissions.get("WRITE", ModelPermissionDeserializerRequest()).is_enabled
        if write and not _writable(name):
            raise BadRequest(f"WRITE cannot be enabled for {name}: Merge offers no writes of it.")
        fields = entry.field_permissions or FieldPermissionDeserializerRequest()
        enabled = _names(fields.enabled_fields or [], f"field_permissions.enabled_fields of {name}")
        disabled = _names(fields.disabled_fields or [], f"field_permissions.disabled_fields of {name}")
        known = set(_fields(name))
        strangers = [field for field in [*enabled, *disabled] if field not in known]
        if strangers:
            raise BadRequest(f"Unknown fields of {name}: {', '.join(dict.fromkeys(strangers))}.")
        both = sorted(set(enabled) & set(disabled))
        if both:
            raise BadRequest(f"Fields of {name} both enabled and disabled: {', '.join(both)}.")
        scopes[name] = ModelScope(
            read=True if read is None else read,
            write=True if write is None else write,
            disabled_fields=tuple(field for field in _fields(name) if field in set(disabled)),
        )
    return scopes


async def require_readable(session: ReadSession, account_id: uuid.UUID, model: str) -> None:
    """403 when the linked account's scopes disable reading ``model``."""
    scopes = await account_scopes(session, linked_account_id=account_id)
    if not scopes.reads(model):
        raise Forbidden(
            f"The {model} common model is disabled by this linked account's scopes (READ is not enabled); "
            "enable it with POST /linked-account-scopes."
        )


def _json(body: Any) -> Response[bytes]:
    return Response(content=msgspec.json.encode(body), media_type=MediaType.JSON)


@get("/default-scopes", name="default-scopes", include_in_schema=False)
async def retrieve_default_scopes(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The organization's default scopes: every model and field (fixed; see the module docstring)."""
    await authenticate_organization(request)
    return _json(scopes_body(EVERYTHING))


@get("/linked-account-scopes", name="linked-account-scopes", include_in_schema=False)
async def retrieve_linked_account_scopes(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The scopes the linked account syncs under: its own where set, the defaults elsewhere."""
    account = await authenticate_account(request)
    async with context_of(request).database.read() as session:
        scopes = await account_scopes(session, linked_account_id=account.id)
    return _json(scopes_body(scopes))


@post("/linked-account-scopes", name="linked-account-scopes-create", status_code=200, include_in_schema=False)
async def create_linked_account_scopes(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Replace the linked account's scopes, rewrite what is stored and queue a full sync."""
    account = await authenticate_account(request)
    body = await read_json(
        request,
        LinkedAccountCommonModelScopeDeserializerRequest,
        example='{"common_models": [{"model_name": "Invoice", "field_permissions": {"disabled_fields": ["memo"]}}]}',
    )
    models = _model_scopes(body)
    async with context_of(request).database.write() as session:
        scopes = await save_model_scopes(
            session,
            organization_id=account.organization_id,
            linked_account_id=account.id,
            models=models,
            actor=actor_of(request),
        )
        await queue_sync(session, linked_account_id=account.id)
    return _json(scopes_body(scopes))


SCOPE_HANDLERS = [retrieve_default_scopes, retrieve_linked_account_scopes, create_linked_account_scopes]
