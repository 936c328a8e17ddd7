"""The OpenAPI document of the whole API, served where Merge serves its own (``/api/accounting/v1/schema``).

Nothing in it is written twice. Common-model operations, their filters and ``expand`` values come from the model
registry, exactly as the handlers parse them; every schema is generated from a msgspec Struct that a handler
encodes (models, :mod:`ledgerport.api.shapes`) or decodes (request bodies, read with
:func:`ledgerport.api.bodies.read_json`). Two corrections make the generated schemas say what goes on the wire:

* msgspec documents ``Decimal`` as a string, its default encoding; the store encodes amounts as JSON numbers
  (``decimal_format="number"``), so they are declared as Merge declares them, ``number`` / ``double``.
* A relation field holds an id, or the related object once ``expand`` names it; and ``remote_data`` is added to
  every model's document by the API, never stored in it.

An operation is one :func:`_operation` call; a request body is the Struct the handler decodes
(``body=LinkTokenRequest``), a response the Struct it encodes.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

import msgspec

from ledgerport import __version__
from ledgerport.api.accounting.bulk import BulkBody, BulkItem
from ledgerport.api.accounting.field_mappings import (
    MAPPABLE_MODELS,
    CreateFieldMappingRequest,
    PatchedEditFieldMappingRequest,
)
from ledgerport.api.accounting.keys import RemoteKeyRequest
from ledgerport.api.accounting.linked_accounts import ACCOUNT_CATEGORIES, ACCOUNT_STATUSES
from ledgerport.api.accounting.nested import NESTED_PATHS
from ledgerport.api.accounting.scopes import LinkedAccountCommonModelScopeDeserializerRequest
from ledgerport.api.accounting.selective_sync import LinkedAccountSelectiveSyncConfigurationListRequest
from ledgerport.api.accounting.sync_status import ISSUE_STATUSES, ISSUE_TIME_FILTERS
from ledgerport.api.accounting.webhook_receivers import WebhookReceiverRequest
from ledgerport.api.accounting.writes import ApplicationBody, WriteBody
from ledgerport.api.examples import EXAMPLES
from ledgerport.api.link import LinkTokenRequest
from ledgerport.api.params import MAX_PAGE_SIZE
from ledgerport.api.shapes import (
    AccountDetails,
    AccountDetailsAndActions,
    AccountToken,
    AsyncPostTask,
    AsyncTaskReceipt,
    AuditLogEvent,
    AvailableActions,
    CommonModelScopeAPI,
    ConditionSchema,
    ExternalTargetFieldApi,
    FieldMappingApiInstance,
    FieldMappingInstanceResponse,
    IntegrationListing,
    Issue,
    LinkedAccountSelectiveSyncConfiguration,
    LinkToken,
    RegenerateAccountToken,
    RemoteFieldApi,
    RemoteKey,
    SelectiveSyncConditionList,
    SyncStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEndpointWithKey,
    WebhookReceiver,
    WebhookReplay,
)
from ledgerport.api.webhooks import DELIVERY_STATUSES, EndpointChange, NewEndpointRequest
from ledgerport.models import MODELS, BoolEquals, DateAfter, DateBefore, Equals, ModelSpec, Ref, RemoteData
from ledgerport.models._base import RemoteFieldClass
from ledgerport.models.contact import AccountingPhoneNumber, Address
from ledgerport.passthrough import AsyncPassthroughReciept, DataPassthroughRequest, RemoteResponse
from ledgerport.store.audit import EVENT_TYPES
from ledgerport.writes.problems import Problem

__all__ = ["WEBHOOKS_GUIDE", "openapi_document"]

Schema = dict[str, Any]

_BOOL: Schema = {"type": "boolean"}
_DATETIME: Schema = {"type": "string", "format": "date-time"}
_STRING: Schema = {"type": "string"}
_UUID: Schema = {"type": "string", "format": "uuid"}
_REMOTE_DATA_HELP = "Whether to include the original data Merge fetched from the third-party to produce these models."

_DECIMAL_AS_MSGSPEC_DOCUMENTS_IT = msgspec.json.schema(Decimal)
_AMOUNT: Schema = {"type": "number", "format": "double"}
_REF = msgspec.json.schema(Ref)


def _ref(struct: type[msgspec.Struct]) -> Schema:
    return {"$ref": f"#/components/schemas/{struct.__name__}"}


def _param(name: str, schema: Schema, description: str, where: str = "query") -> Schema:
    return {"name": name, "in": where, "required": where == "path", "schema": schema, "description": description}


def _comma_list(name: str, values: Iterable[str], description: str) -> Schema:
    """A query parameter holding comma-separated values from a fixed set (``expand=contact,company``)."""
    schema = {"type": "array", "items": {"type": "string", "enum": sorted(values)}}
    return {**_param(name, schema, description), "style": "form", "explode": False}


_ACCOUNT_TOKEN = {
    "name": "X-Account-Token",
    "in": "header",
    "required": True,
    "schema": _STRING,
    "description": "Token identifying the end user.",
}
_PAGE = [
    _param("cursor", _STRING, "The pagination cursor value."),
    _param(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        f"Number of results to return per page. The maximum limit is {MAX_PAGE_SIZE}.",
    ),
]
_ERROR_TEXTS = {
    "400": "A malformed parameter or body, named in the detail",
    "401": "Missing or wrong credentials",
    "403": "The linked account's scopes disable this common model (or writing it)",
    "404": "Not found (or an account token of another organization)",
    "409": "A write with this Idempotency-Key is still in progress, or the object changed meanwhile; see Retry-After",
    "422": "This Idempotency-Key was used with another request",
    "429": "Rate limited; see Retry-After",
    "503": "The provider could not say which remote fields it has, and none are known yet",
    "502": "The provider did not answer; retry with the same Idempotency-Key",
}
_ACCOUNT_ERRORS = ("401", "404", "429")
"""What every operation authenticated with an account token may answer."""


def _operation(
    operation_id: str,
    tag: str,
    summary: str,
    *,
    ok: Schema,
    errors: Iterable[str],
    parameters: Iterable[Schema] = (),
    body: type[msgspec.Struct] | None = None,
    public: bool = False,
    status: str = "200",
    error_bodies: dict[str, Schema] | None = None,
) -> Schema:
    """One operation: ``ok`` is the ``status`` body's schema, ``body`` the Struct the handler decodes;
    ``error_bodies`` replaces ``{"detail"}`` for the statuses that answer otherwise (a write's problems)."""
    operation: Schema = {"operationId": operation_id, "tags": [tag], "summary": summary}
    if parameters:
        operation["parameters"] = list(parameters)
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(body)}}}
    if public:
        operation["security"] = []
    error_schema: Schema = {"$ref": "#/components/schemas/Error"}
    special = error_bodies or {}
    operation["responses"] = {
        status: {"description": "", "content": {"application/json": {"schema": ok}}},
        **{
            code: {
                "description": _ERROR_TEXTS[code],
                "content": {"application/json": {"schema": special.get(code, error_schema)}},
            }
            for code in sorted(set(errors))
        },
    }
    return operation


def _page_of(item: Schema) -> Schema:
    return {
        "type": "object",
        "properties": {
            "next": {"type": ["string", "null"]},
            "previous": {"type": ["string", "null"]},
            "results": {"type": "array", "items": item},
        },
        "required": ["next", "previous", "results"],
        "additionalProperties": False,
    }


def _filter_schema(rule: Any) -> Schema:
    if isinstance(rule, BoolEquals):
        return _BOOL
    if isinstance(rule, DateAfter | DateBefore):
        return _DATETIME
    if isinstance(rule, Equals) and rule.choices is not None:
        return {"type": "string", "enum": [str(member.value) for member in rule.choices]}
    return _STRING


def _expand_param(spec: ModelSpec) -> list[Schema]:
    if not spec.expand:
        return []
    return [_comma_list("expand", spec.expand, "Which relations to expand into the related objects.")]


def _list_params(spec: ModelSpec) -> list[Schema]:
    params = list(_PAGE)
    if spec.created_modified_filters:
        params += [
            _param(f"{what}_{when}", _DATETIME, f"If provided, will only return objects {what} {when} this datetime.")
            for what in ("created", "modified")
            for when in ("after", "before")
        ]
    params += [
        _param(
            "include_deleted_data", _BOOL, "Whether to include data that was marked as deleted by third party webhooks."
        ),
        _param("include_remote_data", _BOOL, _REMOTE_DATA_HELP),
    ]
    if spec.remote_id_filter:
        params.append(_param("remote_id", _STRING, "The API provider's ID for the given object."))
    if spec.company_field is not None:
        params.append(_param("company_id", _STRING, "If provided, will only return objects for this company."))
    params += [_param(name, _filter_schema(rule), f"Filter on `{rule.field}`.") for name, rule in spec.filters.items()]
    return params + _expand_param(spec)


def _model_paths(spec: ModelSpec) -> dict[str, Any]:
    plural = spec.path.replace("-", "_")
    return {
        f"/accounting/v1/{spec.path}": {
            "get": _operation(
                f"{plural}_list",
                spec.path,
                f"Returns a list of `{spec.name}` objects." + (f" {spec.notes}" if spec.notes else ""),
                parameters=[_ACCOUNT_TOKEN, *_list_params(spec)],
                ok=_page_of(_ref(spec.struct)),
                errors=("400", "403", *_ACCOUNT_ERRORS),
            )
        },
        f"/accounting/v1/{spec.path}/{{id}}": {
            "get": _operation(
                f"{plural}_retrieve",
                spec.path,
                f"Returns a `{spec.name}` object with the given `id`.",
                parameters=[
                    _ACCOUNT_TOKEN,
                    _param("id", _UUID, "", "path"),
                    *_expand_param(spec),
                    _param("include_remote_data", _BOOL, _REMOTE_DATA_HELP),
                ],
                ok=_ref(spec.struct),
                errors=("400", "403", *_ACCOUNT_ERRORS),
            )
        },
    }


_LINKED_ACCOUNT_FILTERS = [
    _param("category", {"type": "string", "enum": list(ACCOUNT_CATEGORIES)}, "Filter on `category`."),
    *[
        _param(name, _STRING, f"Filter on `{name}`.")
        for name in ("end_user_email_address", "end_user_organization_name", "end_user_origin_id")
    ],
    _param("end_user_origin_ids", _STRING, "Comma-separated `end_user_origin_id` values."),
    _param("id", _UUID, "Filter on `id`."),
    _param("ids", _STRING, "Comma-separated linked account ids."),
    _param("integration_name", _STRING, "Filter on the integration (its name or slug)."),
    _param("is_test_account", _BOOL, "Test accounts only if true; production accounts if false or not given."),
    _param("status", {"type": "string", "enum": list(ACCOUNT_STATUSES)}, "Filter on `status`."),
]
_ISSUE_FILTERS = [
    _param("status", {"type": "string", "enum": list(ISSUE_STATUSES)}, "Filter on `status`."),
    _param("linked_account_id", _UUID, "Only the issues of this linked account."),
    _param("integration_name", _STRING, "Filter on the integration's name."),
    _param("end_user_organization_name", _STRING, "Filter on the end user's organization name."),
    _param("include_muted", _BOOL, "Whether muted issues are included."),
    *[_param(name, _DATETIME, f"Filter on `{name}`.") for name in ISSUE_TIME_FILTERS],
]


def _key_operation(name: str, summary: str) -> Schema:
    return _operation(
        f"{name.replace('-', '_')}_create",
        name,
        summary,
        body=RemoteKeyRequest,
        ok=_ref(RemoteKey),
        errors=("400", "401"),
    )


_OTHER_PATHS: dict[str, Any] = {
    "/accounting/v1/account-details": {
        "get": _operation(
            "account_details_retrieve",
            "account-details",
            "Get details for a linked account.",
            parameters=[_ACCOUNT_TOKEN],
            ok=_ref(AccountDetails),
            errors=_ACCOUNT_ERRORS,
        )
    },
    "/accounting/v1/linked-accounts": {
        "get": _operation(
            "linked_accounts_list",
            "linked-accounts",
            "List linked accounts for your organization.",
            parameters=[*_PAGE, *_LINKED_ACCOUNT_FILTERS],
            ok=_page_of(_ref(AccountDetailsAndActions)),
            errors=("400", "401"),
        )
    },
    "/accounting/v1/audit-trail": {
        "get": _operation(
            "audit_trail_list",
            "audit-trail",
            "Gets a list of audit trail events, newest first.",
            parameters=[
                *_PAGE,
                _param("start_date", _DATETIME, "Only events after this time (a date: its midnight UTC)."),
                _param("end_date", _DATETIME, "Only events before this time (a date: its midnight UTC)."),
                _param("event_type", {"type": "string", "enum": list(EVENT_TYPES)}, "Only events of this type."),
                _param("user_email", _STRING, "Only events of the user with this email at the time of the event."),
            ],
            ok=_page_of(_ref(AuditLogEvent)),
            errors=("400", "401"),
        )
    },
    "/accounting/v1/generate-key": {
        "post": _key_operation("generate-key", "Create a new API key for your organization (shown once).")
    },
    "/accounting/v1/regenerate-key": {
        "post": _key_operation("regenerate-key", "Create a new API key and revoke the one this request was made with.")
    },
    "/accounting/v1/link-token": {
        "post": _operation(
            "link_token_create",
            "link-token",
            "Creates a link token to be used when linking a new end user; `magic_link_url` opens the flow.",
            body=LinkTokenRequest,
            ok=_ref(LinkToken),
            errors=("400", "401"),
        )
    },
    "/accounting/v1/account-token/{public_token}": {
        "get": _operation(
            "account_token_retrieve",
            "account-token",
            "Returns the account token for the end user with the provided public token (once).",
            parameters=[_param("public_token", _STRING, "", "path")],
            ok=_ref(AccountToken),
            errors=("401", "404"),
        )
    },
    "/accounting/v1/account-token/regenerate": {
        "post": _operation(
            "account_token_regenerate_create",
            "account-token",
            "Exchange the linked account's current account token for a new one; the old one stops working.",
            parameters=[_ACCOUNT_TOKEN],
            ok=_ref(RegenerateAccountToken),
            errors=_ACCOUNT_ERRORS,
        )
    },
    "/accounting/v1/delete-account": {
        "post": _operation(
            "delete_account_create",
            "delete-account",
            "Delete a linked account and all data synced for it.",
            parameters=[_ACCOUNT_TOKEN],
            ok={"type": "object", "additionalProperties": False},
            errors=_ACCOUNT_ERRORS,
        )
    },
    "/accounting/v1/available-actions": {
        "get": _operation(
            "available_actions_retrieve",
            "available-actions",
            "Returns a list of models and actions available for an account.",
            parameters=[_ACCOUNT_TOKEN],
            ok=_ref(AvailableActions),
            errors=_ACCOUNT_ERRORS,
        )
    },
    "/accounting/v1/sync-status": {
        "get": _operation(
            "sync_status_list",
            "sync-status",
            "Get the sync status of each model of the linked account.",
            parameters=[_ACCOUNT_TOKEN, *_PAGE],
            ok=_page_of(_ref(SyncStatus)),
            errors=("400", *_ACCOUNT_ERRORS),
        )
    },
    "/accounting/v1/sync-status/resync": {
        "post": _operation(
            "sync_status_resync_create",
            "force-resync",
            "Queue a sync of the linked account now (a sync already queued or running is not doubled).",
            parameters=[_ACCOUNT_TOKEN],
            ok={"type": "array", "items": _ref(SyncStatus)},
            errors=_ACCOUNT_ERRORS,
        )
    },
    "/accounting/v1/passthrough": {
        "post": _operation(
            "passthrough_create",
            "passthrough",
            "Pull data from an endpoint not currently supported by Merge: `path` is relative to the integration's "
            "API base for this linked account (its company), the account's credentials are added by the server, and "
            "`status` is what the provider answered. Only Accept, Content-Type, If-Match, If-None-Match, "
            "If-Modified-Since and Prefer headers may be set. 502: the provider gave no answer.",
            parameters=[_ACCOUNT_TOKEN],
            body=DataPassthroughRequest,
            ok=_ref(RemoteResponse),
            errors=("400", "502", *_ACCOUNT_ERRORS),
        )
    },
    "/accounting/v1/async-passthrough": {
        "post": _operation(
            "async_passthrough_create",
            "async-passthrough",
            "Asynchronously pull data from an endpoint not currently supported by Merge (checked as `/passthrough` "
            "checks it; a worker sends it).",
            parameters=[_ACCOUNT_TOKEN],
            body=DataPassthroughRequest,
            ok=_ref(AsyncPassthroughReciept),
            errors=("400", *_ACCOUNT_ERRORS),
        )
    },
    "/accounting/v1/async-passthrough/{async_passthrough_receipt_id}": {
        "get": _operation(
            "async_passthrough_retrieve",
            "async-passthrough",
            "Retrieves data from earlier async-passthrough POST request: the `RemoteResponse` once sent, a string "
            "saying it is still queued or in progress before.",
            parameters=[_ACCOUNT_TOKEN, _param("async_passthrough_receipt_id", _UUID, "", "path")],
            ok={"oneOf": [_ref(RemoteResponse), _STRING]},
            errors=_ACCOUNT_ERRORS,
        )
    },
    "/accounting/v1/issues": {
        "get": _operation(
            "issues_list",
            "issues",
            "Gets the issues of your organization.",
            parameters=[*_PAGE, *_ISSUE_FILTERS],
            ok=_page_of(_ref(Issue)),
            errors=("400", "401"),
        )
    },
    "/accounting/v1/issues/{id}": {
        "get": _operation(
            "issues_retrieve",
            "issues",
            "Get a specific issue.",
            parameters=[_param("id", _UUID, "", "path")],
            ok=_ref(Issue),
            errors=("401", "404"),
        )
    },
    "/accounting/v1/webhook-receivers": {
        "get": _operation(
            "webhook_receivers_list",
            "webhook-receivers",
            "Returns a list of `WebhookReceiver` objects.",
            parameters=[_ACCOUNT_TOKEN],
            ok={"type": "array", "items": _ref(WebhookReceiver)},
            errors=_ACCOUNT_ERRORS,
        ),
        "post": _operation(
            "webhook_receivers_create",
            "webhook-receivers",
            "Creates a `WebhookReceiver` object with the given values (replacing the account's one for `event`).",
            parameters=[_ACCOUNT_TOKEN],
            body=WebhookReceiverRequest,
            ok=_ref(WebhookReceiver),
            status="201",
            errors=("400", *_ACCOUNT_ERRORS),
        ),
    },
    "/integrations": {
        "get": _operation(
            "integrations_list",
            "integrations",
            "Every integration ledgerport knows, and what the linkable ones can read (no credentials needed).",
            ok={"type": "array", "items": _ref(IntegrationListing)},
            errors=(),
            public=True,
        )
    },
}

_STRUCTS: tuple[type[msgspec.Struct], ...] = (
    RemoteData,
    Address,
    AccountingPhoneNumber,
    RemoteFieldClass,
    WriteBody,
    ApplicationBody,
    BulkBody,
    BulkItem,
    Problem,
    RemoteKeyRequest,
    LinkTokenRequest,
    DataPassthroughRequest,
    RemoteResponse,
    AsyncPassthroughReciept,
    AccountDetails,
    AccountDetailsAndActions,
    AccountToken,
    AsyncPostTask,
    AsyncTaskReceipt,
    AuditLogEvent,
    AvailableActions,
    IntegrationListing,
    Issue,
    LinkToken,
    RegenerateAccountToken,
    RemoteKey,
    SyncStatus,
    WebhookReceiverRequest,
    WebhookReceiver,
    NewEndpointRequest,
    EndpointChange,
    WebhookEndpoint,
    WebhookEndpointWithKey,
    WebhookDelivery,
    WebhookReplay,
    CommonModelScopeAPI,
    LinkedAccountCommonModelScopeDeserializerRequest,
    ConditionSchema,
    LinkedAccountSelectiveSyncConfiguration,
    LinkedAccountSelectiveSyncConfigurationListRequest,
    SelectiveSyncConditionList,
    CreateFieldMappingRequest,
    PatchedEditFieldMappingRequest,
    FieldMappingApiInstance,
    FieldMappingInstanceResponse,
    RemoteFieldApi,
    ExternalTargetFieldApi,
)
"""Every Struct an operation names besides the common models (their nested Structs follow by themselves)."""


def _replace(schema: Any, wanted: Schema, make: Callable[[Schema], Schema]) -> tuple[Any, int]:
    """``schema`` with every sub-schema equal to ``wanted`` replaced by ``make(it)``, and how many were."""
    if schema == wanted:
        return make(schema), 1
    if isinstance(schema, dict):
        pairs = [(key, _replace(value, wanted, make)) for key, value in schema.items()]
        return {key: value for key, (value, _) in pairs}, sum(count for _, (_, count) in pairs)
    if isinstance(schema, list):
        items = [_replace(value, wanted, make) for value in schema]
        return [value for value, _ in items], sum(count for _, count in items)
    return schema, 0


def _as_served(spec: ModelSpec, schema: Schema) -> Schema:
    """A model's component as the API serves it: relations ``expand`` can fill, and ``remote_data``."""
    properties = dict(schema["properties"])
    for name, relation in spec.expand.items():
        if relation.model is None:
            continue  # nested objects already, or ids of rows that are not stored on their own
        either: Schema = {"anyOf": [_REF, _ref(MODELS[relation.model].struct)]}
        properties[name], count = _replace(properties[name], _REF, lambda _, either=either: either)
        if count == 0:
            raise TypeError(f"{spec.name}.{name} can be expanded but is not a Ref")
    properties["remote_data"] = {"anyOf": [{"type": "array", "items": _ref(RemoteData)}, {"type": "null"}]}
    return {**schema, "properties": properties}


def _components() -> dict[str, Schema]:
    structs = [spec.struct for spec in MODELS.values()] + list(_STRUCTS)
    _, components = msgspec.json.schema_components(structs, ref_template="#/components/schemas/{name}")
    components, _ = _replace(components, _DECIMAL_AS_MSGSPEC_DOCUMENTS_IT, lambda _: dict(_AMOUNT))
    for spec in MODELS.values():
        name = spec.struct.__name__
        components[name] = _as_served(spec, components[name])
        if spec.lines is not None:  # lines served on their own may expand their relations too
            line = spec.lines.struct.__name__
            components[line] = _as_served(spec.lines, components[line])
    components["Error"] = {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
        "additionalProperties": False,
    }
    return dict(sorted(components.items()))


_PROBLEMS: Schema = {"type": "array", "items": _ref(Problem)}
_DEBUG_LOGS: Schema = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {
            "log_id": _STRING,
            "dashboard_view": _STRING,
            "log_summary": {
                "type": "object",
                "properties": {"url": _STRING, "method": _STRING, "status_code": {"type": ["integer", "null"]}},
            },
        },
        "required": ["log_id", "dashboard_view", "log_summary"],
    },
}
_REFUSED: Schema = {
    "anyOf": [
        {
            "type": "object",
            "properties": {"warnings": _PROBLEMS, "errors": _PROBLEMS, "logs": _DEBUG_LOGS},
            "required": ["warnings", "errors"],
        },
        {"$ref": "#/components/schemas/Error"},
    ]
}
"""A refused write: Merge's problems (validation, or the provider's refusal), or ``{"detail"}`` for the rest."""
_WRITE_FLAGS = [
    _param("is_debug_mode", _BOOL, "Whether to include debug fields (such as log file links) in the response."),
    _param("run_async", _BOOL, "Whether or not third-party updates should be run asynchronously."),
    {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
        "description": "The same key and body within 24 hours answer the first response; the write happens once.",
    },
]
_META: Schema = {
    "type": "object",
    "properties": {
        "request_schema": {"type": "object"},
        "status": {
            "type": "object",
            "properties": {"linked_account_status": _STRING, "can_make_request": _BOOL},
            "required": ["linked_account_status", "can_make_request"],
        },
        "has_conditional_params": _BOOL,
        "has_required_linked_account_params": _BOOL,
    },
    "required": ["request_schema", "status", "has_conditional_params", "has_required_linked_account_params"],
}


def _write_paths(spec: ModelSpec) -> dict[str, Any]:
    """The write operations of a model Merge writes; what ``model`` may hold is the linked account's integration's,
    which ``meta/post`` and ``meta/patch/{id}`` describe."""
    plural = spec.path.replace("-", "_")
    answer: Schema = {
        "type": "object",
        "properties": {
            "model": _ref(spec.struct),
            "warnings": _PROBLEMS,
            "errors": _PROBLEMS,
            "logs": _DEBUG_LOGS,
        },
        "required": ["model", "warnings", "errors"],
    }
    refused = {"400": _REFUSED}
    statuses = ("400", "409", "422", "502", *_ACCOUNT_ERRORS)
    paths: dict[str, Any] = {}
    if "create" in spec.writes:
        paths[f"/accounting/v1/{spec.path}"] = {
            "post": _queued_too(
                _operation(
                    f"{plural}_create",
                    spec.path,
                    f"Creates a `{spec.name}` object with the given values.",
                    parameters=[_ACCOUNT_TOKEN, *_WRITE_FLAGS],
                    body=WriteBody,
                    ok=answer,
                    status="201",
                    errors=statuses,
                    error_bodies=refused,
                )
            )
        }
        paths[f"/accounting/v1/{spec.path}/async"] = {
            "post": _operation(
                f"{plural}_async_create",
                spec.path,
                f"Queues the creation of a `{spec.name}` object; poll `GET /async-tasks/{{task_id}}` for the "
                "answer the synchronous create would have given.",
                parameters=[_ACCOUNT_TOKEN, *[flag for flag in _WRITE_FLAGS if flag["name"] != "run_async"]],
                body=WriteBody,
                ok=_ref(AsyncTaskReceipt),
                status="202",
                errors=("400", "422", *_ACCOUNT_ERRORS),
            )
        }
        paths[f"/accounting/v1/{spec.path}/meta/post"] = {
            "get": _operation(
                f"{plural}_meta_post_retrieve",
                spec.path,
                f"Returns metadata for `{spec.name}` POSTs.",
                parameters=[_ACCOUNT_TOKEN],
                ok=_META,
                errors=_ACCOUNT_ERRORS,
            )
        }
    if "bulk" in spec.writes:
        paths.update(_bulk_paths(spec, plural))
    if "update" in spec.writes:
        paths[f"/accounting/v1/{spec.path}/{{id}}"] = {
            "patch": _queued_too(
                _operation(
                    f"{plural}_partial_update",
                    spec.path,
                    f"Updates a `{spec.name}` object with the given `id`: only the fields sent change.",
                    parameters=[_ACCOUNT_TOKEN, _param("id", _UUID, "", "path"), *_WRITE_FLAGS],
                    body=WriteBody,
                    ok=answer,
                    errors=statuses,
                    error_bodies=refused,
                )
            )
        }
        paths[f"/accounting/v1/{spec.path}/meta/patch/{{id}}"] = {
            "get": _operation(
                f"{plural}_meta_patch_retrieve",
                spec.path,
                f"Returns metadata for `{spec.name}` PATCHs.",
                parameters=[_ACCOUNT_TOKEN, _param("id", _UUID, "", "path")],
                ok=_META,
                errors=_ACCOUNT_ERRORS,
            )
        }
    if "apply" in spec.writes:
        paths[f"/accounting/v1/{spec.path}/{{id}}/application"] = {
            "post": _queued_too(
                _operation(
                    f"{plural}_application_create",
                    spec.path,
                    f"Applies the `{spec.name}` with the given `id` to an invoice: the credit as it then stands.",
                    parameters=[_ACCOUNT_TOKEN, _param("id", _UUID, "", "path"), *_WRITE_FLAGS],
                    body=ApplicationBody,
                    ok=answer,
                    status="201",
                    errors=statuses,
                    error_bodies=refused,
                )
            )
        }
    return paths


def _queued_too(operation: Schema) -> Schema:
    """A write that ``run_async=true`` turns into a task: it may also answer 202 with the task's id."""
    operation["responses"]["202"] = {
        "description": "run_async=true: the write was queued as a task",
        "content": {"application/json": {"schema": _ref(AsyncTaskReceipt)}},
    }
    operation["responses"] = dict(sorted(operation["responses"].items()))
    return operation


_ASYNC_TASK_PATH = {
    "/accounting/v1/async-tasks/{id}": {
        "get": _operation(
            "async_tasks_retrieve",
            "async-tasks",
            "Returns an `AsyncPostTask` object with the given `id`: QUEUED, IN_PROGRESS, COMPLETED or FAILURE, and "
            "once final the status code and body the synchronous write would have answered.",
            parameters=[_ACCOUNT_TOKEN, _param("id", _UUID, "", "path")],
            ok=_ref(AsyncPostTask),
            errors=_ACCOUNT_ERRORS,
        )
    }
}


_BATCH_STATUS: Schema = {
    "type": "object",
    "properties": {
        "batch_id": _UUID,
        "status": {
            "type": "string",
            "enum": ["ENQUEUED", "IN_PROGRESS", "PARTIAL_SUCCESS", "SUCCESS", "FAILED", "RATE_LIMITED"],
        },
        "total_count": {"type": "integer"},
        "objects": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "item_id": _STRING,
                    "status": {"type": "string", "enum": ["PENDING", "SUCCESS", "FAILURE"]},
                    "response": {
                        "type": ["object", "null"],
                        "properties": {"merge_common_model_id": _UUID, "error_message": _STRING},
                    },
                },
                "required": ["item_id", "status", "response"],
            },
        },
    },
    "required": ["batch_id", "status", "total_count", "objects"],
}


def _bulk_paths(spec: ModelSpec, plural: str) -> dict[str, Any]:
    """``POST /<path>/bulk`` and ``GET /<path>/bulk/{batch_id}`` of a model Merge bulk-creates."""
    return {
        f"/accounting/v1/{spec.path}/bulk": {
            "post": _operation(
                f"{plural}_bulk_create",
                spec.path,
                f"Creates up to 100 `{spec.name}` objects in the background, through the provider's batch API. "
                "A malformed request (over 100 items or 5 MB, an item_id missing or repeated) is refused whole; "
                "an item whose payload a single create would refuse fails alone.",
                parameters=[_ACCOUNT_TOKEN, _WRITE_FLAGS[2]],
                body=BulkBody,
                ok={"type": "object", "properties": {"batch_id": _UUID}, "required": ["batch_id"]},
                status="202",
                errors=("400", "422", *_ACCOUNT_ERRORS),
                error_bodies={"400": _REFUSED},
            )
        },
        f"/accounting/v1/{spec.path}/bulk/{{batch_id}}": {
            "get": _operation(
                f"{plural}_bulk_retrieve",
                spec.path,
                f"Returns the status and results of a `{spec.name}` bulk create batch.",
                parameters=[_ACCOUNT_TOKEN, _param("batch_id", _UUID, "", "path")],
                ok=_BATCH_STATUS,
                errors=_ACCOUNT_ERRORS,
            )
        },
    }


_WRITE_LOG_PATH = {
    "/accounting/v1/logs/{id}": {
        "get": _operation(
            "logs_retrieve",
            "logs",
            "One provider call a write made (debug mode), with credentials removed.",
            parameters=[_ACCOUNT_TOKEN, _param("id", _UUID, "", "path")],
            ok={
                "type": "object",
                "properties": {
                    "log_id": _STRING,
                    "method": _STRING,
                    "url": _STRING,
                    "status_code": {"type": ["integer", "null"]},
                    "duration_ms": {"type": "integer"},
                    "request": {},
                    "response": {},
                },
                "required": ["log_id", "method", "url", "status_code", "duration_ms", "request", "response"],
            },
            errors=_ACCOUNT_ERRORS,
        )
    }
}


_ORGANIZATION_ERRORS = ("401", "429")
"""What every operation authenticated with the API key alone may answer."""
_ENDPOINT_ID = _param("id", _UUID, "The endpoint's id.", "path")


def _no_content(operation: Schema) -> Schema:
    """An operation whose success is ``204`` with an empty body."""
    operation["responses"]["204"] = {"description": "Done; no body."}
    return operation


_WEBHOOK_PATHS: dict[str, Any] = {
    "/webhooks/events": {
        "get": _operation(
            "webhooks_events_list",
            "webhooks",
            "The event names an endpoint may subscribe to (Merge's names).",
            ok={"type": "array", "items": _STRING},
            errors=_ORGANIZATION_ERRORS,
        )
    },
    "/webhooks/endpoints": {
        "get": _operation(
            "webhooks_endpoints_list",
            "webhooks",
            "Your organization's webhook endpoints, oldest first (never their signing keys).",
            ok={"type": "array", "items": _ref(WebhookEndpoint)},
            errors=_ORGANIZATION_ERRORS,
        ),
        "post": _operation(
            "webhooks_endpoints_create",
            "webhooks",
            "Creates a webhook endpoint; the answer holds its `signing_key`, shown only this once.",
            body=NewEndpointRequest,
            ok=_ref(WebhookEndpointWithKey),
            status="201",
            errors=("400", *_ORGANIZATION_ERRORS),
        ),
    },
    "/webhooks/endpoints/{id}": {
        "get": _operation(
            "webhooks_endpoints_retrieve",
            "webhooks",
            "Returns the webhook endpoint with the given `id`.",
            parameters=[_ENDPOINT_ID],
            ok=_ref(WebhookEndpoint),
            errors=("404", *_ORGANIZATION_ERRORS),
        ),
        "patch": _operation(
            "webhooks_endpoints_partial_update",
            "webhooks",
            "Changes the endpoint's `url`, `events` or `is_active` (re-activating a DISABLED endpoint clears its "
            "`status_reason`).",
            parameters=[_ENDPOINT_ID],
            body=EndpointChange,
            ok=_ref(WebhookEndpoint),
            errors=("400", "404", *_ORGANIZATION_ERRORS),
        ),
        "delete": _no_content(
            {
                "operationId": "webhooks_endpoints_destroy",
                "tags": ["webhooks"],
                "summary": "Deletes the endpoint and its delivery log.",
                "parameters": [_ENDPOINT_ID],
                "responses": {
                    code: {
                        "description": _ERROR_TEXTS[code],
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    }
                    for code in ("401", "404", "429")
                },
            }
        ),
    },
    "/webhooks/endpoints/{id}/rotate-key": {
        "post": _operation(
            "webhooks_endpoints_rotate_key_create",
            "webhooks",
            "Replaces the endpoint's signing key; the answer holds the new `signing_key`, shown only this once.",
            parameters=[_ENDPOINT_ID],
            ok=_ref(WebhookEndpointWithKey),
            errors=("404", *_ORGANIZATION_ERRORS),
        )
    },
    "/webhooks/endpoints/{id}/deliveries": {
        "get": _operation(
            "webhooks_endpoints_deliveries_list",
            "webhooks",
            "The endpoint's deliveries, newest event first.",
            parameters=[
                _ENDPOINT_ID,
                *_PAGE,
                _param("status", {"type": "string", "enum": list(DELIVERY_STATUSES)}, "Filter on `status`."),
            ],
            ok=_page_of(_ref(WebhookDelivery)),
            errors=("400", "404", *_ORGANIZATION_ERRORS),
        )
    },
    "/webhooks/endpoints/{id}/replay": {
        "post": _operation(
            "webhooks_endpoints_replay_create",
            "webhooks",
            "Queues every FAILED delivery of the endpoint again (the same bytes, a fresh retry window).",
            parameters=[_ENDPOINT_ID],
            ok=_ref(WebhookReplay),
            errors=("404", *_ORGANIZATION_ERRORS),
        )
    },
    "/webhooks/endpoints/{id}/deliveries/{delivery_id}/replay": {
        "post": _operation(
            "webhooks_endpoints_deliveries_replay_create",
            "webhooks",
            "Queues one delivery again, whatever its status.",
            parameters=[_ENDPOINT_ID, _param("delivery_id", _UUID, "The delivery's id.", "path")],
            ok=_ref(WebhookReplay),
            errors=("404", *_ORGANIZATION_ERRORS),
        )
    },
}

WEBHOOKS_GUIDE = """\
ledgerport POSTs each event your endpoint subscribes to as JSON, in Merge's envelope: \
`{"hook": {"id", "event", "target"}, "linked_account": {...}, "data": {...}}`.

**Signing.** `X-Merge-Webhook-Signature` is the base64url HMAC-SHA256 of the raw request body, keyed with the \
endpoint's `signing_key` (shown once, on create and on rotate-key). Verify the raw bytes before parsing them; a \
receiver written for Merge verifies ledgerport's deliveries unchanged.

**At least once.** A delivery may arrive twice (a worker stopped mid-send sends it again); \
`X-Ledgerport-Event-Id` is the same for every copy of an event, so drop ids you have already handled.

**Retries.** A delivery that is not answered 2xx is retried with exponential backoff for \
`LEDGERPORT_WEBHOOK_RETRY_HOURS` (24 hours by default), then marked FAILED. An endpoint that has had no success \
for that whole window is DISABLED with a `status_reason`; PATCH `{"is_active": true}` turns it back on.

**Ordering.** Events about one linked account are delivered in the order they happened: a failing delivery holds \
back that account's later ones, while other accounts' events go on.

**Replay.** `POST /webhooks/endpoints/{id}/replay` queues every FAILED delivery again, and \
`POST /webhooks/endpoints/{id}/deliveries/{delivery_id}/replay` one delivery, with the bytes first sent.

```python
import base64, hashlib, hmac

def verify(raw_body: bytes, signature_header: str, signing_key: str) -> bool:
    digest = hmac.new(signing_key.encode(), raw_body, hashlib.sha256).digest()
    expected = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    return hmac.compare_digest(expected, signature_header.strip().rstrip("="))
```
"""
"""The ``webhooks`` tag's description: what a receiver must know, shown on the reference page."""

_TAGS = [{"name": "webhooks", "description": WEBHOOKS_GUIDE}]

_SCOPE_PATHS: dict[str, Any] = {
    "/accounting/v1/default-scopes": {
        "get": _operation(
            "default_scopes_retrieve",
            "scopes",
            "Get the default permissions for Merge Common Models and fields across all Linked Accounts: every model "
            "and field, WRITE where Merge can write the model (fixed; a linked account's own scopes change it).",
            ok=_ref(CommonModelScopeAPI),
            errors=_ORGANIZATION_ERRORS,
        )
    },
    "/accounting/v1/linked-account-scopes": {
        "get": _operation(
            "linked_account_scopes_retrieve",
            "scopes",
            "Get all available permissions for Merge Common Models and fields for a single Linked Account.",
            parameters=[_ACCOUNT_TOKEN],
            ok=_ref(CommonModelScopeAPI),
            errors=_ACCOUNT_ERRORS,
        ),
        "post": _operation(
            "linked_account_scopes_create",
            "scopes",
            "Update permissions for any Common Model or field for a single Linked Account. Any Scopes not set in this "
            "POST request will inherit the default Scopes. A disabled field is null in every stored record (and its "
            "model keeps no remote_data); a model with READ disabled is not synced and its stored records are "
            "deleted. A full sync of the account is queued.",
            parameters=[_ACCOUNT_TOKEN],
            body=LinkedAccountCommonModelScopeDeserializerRequest,
            ok=_ref(CommonModelScopeAPI),
            errors=("400", *_ACCOUNT_ERRORS),
        ),
    },
    "/accounting/v1/selective-sync/meta": {
        "get": _operation(
            "selective_sync_meta_list",
            "selective-sync",
            "Get the selective-sync conditions the linked account's integration offers (one page).",
            parameters=[
                _ACCOUNT_TOKEN,
                _param("common_model", _STRING, "Only the conditions on this common model (Invoice, Contact…)."),
                *_PAGE,
            ],
            ok=_page_of(_ref(ConditionSchema)),
            errors=("400", *_ACCOUNT_ERRORS),
        )
    },
    "/accounting/v1/selective-sync/configurations": {
        "get": _operation(
            "selective_sync_configurations_list",
            "selective-sync",
            "Get the selective-sync conditions set on the linked account (empty: it syncs every record).",
            parameters=[_ACCOUNT_TOKEN],
            ok={"type": "array", "items": _ref(LinkedAccountSelectiveSyncConfiguration)},
            errors=_ACCOUNT_ERRORS,
        ),
        "put": _operation(
            "selective_sync_configurations_update",
            "selective-sync",
            "Replace the linked account's selective-sync conditions: only records meeting every condition on their "
            "model are stored; stored records that no longer meet them are deleted and a full sync is queued.",
            parameters=[_ACCOUNT_TOKEN],
            body=LinkedAccountSelectiveSyncConfigurationListRequest,
            ok={"type": "array", "items": _ref(LinkedAccountSelectiveSyncConfiguration)},
            errors=("400", *_ACCOUNT_ERRORS),
        ),
    },
    "/accounting/v1/selective-sync/conditions": {
        "get": _operation(
            "selective_sync_conditions_list",
            "selective-sync",
            "Returns a list of `SelectiveSyncCondition` objects: the conditions set on the linked account.",
            parameters=[_ACCOUNT_TOKEN],
            ok=_ref(SelectiveSyncConditionList),
            errors=_ACCOUNT_ERRORS,
        )
    },
}


def _paths() -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for spec in MODELS.values():
        found = [*_model_paths(spec).items(), *_write_paths(spec).items(), *_remote_field_paths(spec).items()]
        found += _download_paths(spec).items()
        for path, operations in found:
            paths.setdefault(path, {}).update(operations)
        if spec.remote_fields:
            for path in (f"/accounting/v1/{spec.path}", f"/accounting/v1/{spec.path}/{{id}}"):
                paths[path]["get"]["parameters"].append(_INCLUDE_REMOTE_FIELDS)
        paths.update(_lines_paths(spec))
    paths.update(_nested_paths())
    paths.update(_WRITE_LOG_PATH)
    paths.update(_ASYNC_TASK_PATH)
    paths.update(_OTHER_PATHS)
    paths.update(_WEBHOOK_PATHS)
    paths.update(_SCOPE_PATHS)
    paths.update(_FIELD_MAPPING_PATHS)
    paths = copy.deepcopy(paths)  # the shared operation tables stay as declared
    for (path, method), example in EXAMPLES.items():
        responses = paths[path][method]["responses"]
        success = next(code for code in responses if code.startswith("2"))
        responses[success]["content"]["application/json"]["example"] = example
    return dict(sorted(paths.items()))


def _download_paths(spec: ModelSpec) -> dict[str, Any]:
    """``GET /<path>/{id}/download`` of a file model: the bytes, read from the provider with the account's
    credentials (``file_url`` on every record of the model points here)."""
    if spec.file_field is None:
        return {}
    operation = _operation(
        f"{spec.path.replace('-', '_')}_download",
        spec.path,
        f"Returns the file of the `{spec.name}` with the given `id`, read from the provider. Every record's "
        f"`{spec.file_field}` is this link; it takes the same API key and account token as every endpoint.",
        parameters=[_ACCOUNT_TOKEN, _param("id", _UUID, "", "path")],
        ok={"type": "string", "format": "binary"},
        errors=("400", *_ACCOUNT_ERRORS, "502"),
    )
    operation["responses"]["200"] = {
        "description": "The file's bytes, with its media type and a Content-Disposition naming it.",
        "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
    }
    operation["responses"]["502"] = {
        **operation["responses"]["502"],
        "description": "The provider did not answer, or refused the account's credentials",
    }
    return {f"/accounting/v1/{spec.path}/{{id}}/download": {"get": operation}}


def _lines_paths(spec: ModelSpec) -> dict[str, Any]:
    """``GET /<path>/{id}/<lines>``: the lines of one record, paged in their order."""
    lines = spec.lines
    if lines is None:
        return {}
    plural = spec.path.replace("-", "_")
    return {
        f"/accounting/v1/{spec.path}/{{id}}/{lines.path}": {
            "get": _operation(
                f"{plural}_{lines.path}_list",
                spec.path,
                f"Returns a list of `{lines.name}` objects of the `{spec.name}` with the given `id`.",
                parameters=[
                    _ACCOUNT_TOKEN,
                    _param("id", _UUID, "", "path"),
                    *_PAGE,
                    *_expand_param(lines),
                    *[
                        _param(name, _BOOL, "Accepted as Merge accepts it.")
                        for name in (
                            "include_deleted_data",
                            "include_remote_data",
                            "include_remote_fields",
                            "include_shell_data",
                        )
                    ],
                ],
                ok=_page_of(_ref(lines.struct)),
                errors=("400", *_ACCOUNT_ERRORS),
            )
        }
    }


_NESTED_STRUCTS: dict[str, type[msgspec.Struct]] = {"Address": Address, "AccountingPhoneNumber": AccountingPhoneNumber}


def _nested_paths() -> dict[str, Any]:
    """``GET /addresses/{id}`` and ``GET /phone-numbers/{id}``: one object nested in a contact or company."""
    only_type: Schema = {"type": "string", "enum": ["type"]}
    paths: dict[str, Any] = {}
    for model, path in NESTED_PATHS.items():
        struct = _NESTED_STRUCTS[model]
        served: Schema = {
            "allOf": [
                _ref(struct),
                {
                    "type": "object",
                    "properties": {
                        "remote_data": {"anyOf": [{"type": "array", "items": _ref(RemoteData)}, {"type": "null"}]}
                    },
                },
            ]
        }
        paths[f"/accounting/v1/{path}/{{id}}"] = {
            "get": _operation(
                f"{path.replace('-', '_')}_retrieve",
                path,
                f"Returns an `{model}` object with the given `id` (its `id` is in the contact's or company's "
                f"`{path.replace('-', '_')}`); `remote_data` is its record's.",
                parameters=[
                    _ACCOUNT_TOKEN,
                    _param("id", _UUID, "", "path"),
                    _param("include_remote_data", _BOOL, _REMOTE_DATA_HELP),
                    _param("include_shell_data", _BOOL, "Accepted as Merge accepts it."),
                    _param("remote_fields", only_type, "Deprecated. Use show_enum_origins."),
                    _param("show_enum_origins", only_type, "Accepted; the provider's own type is not kept apart."),
                ],
                ok=served,
                errors=("400", *_ACCOUNT_ERRORS),
            )
        }
    return paths


def _remote_field_paths(spec: ModelSpec) -> dict[str, Any]:
    """``GET /<path>[/<lines>]/remote-field-classes`` of a model with remote fields."""
    if not spec.remote_fields:
        return {}
    params = [
        _ACCOUNT_TOKEN,
        *_PAGE,
        *[
            _param(name, _BOOL, f"If provided, will only return remote field classes with this {name} value.")
            for name in ("is_common_model_field", "is_custom")
        ],
        *[_param(name, _BOOL, "") for name in ("include_deleted_data", "include_remote_data", "include_shell_data")],
    ]
    subjects = [(spec.path, spec.path.replace("-", "_"))]
    if spec.remote_field_lines is not None:
        segment = spec.remote_field_lines[0]
        subjects.append((f"{spec.path}/{segment}", f"{spec.path}_{segment}".replace("-", "_")))
    return {
        f"/accounting/v1/{path}/remote-field-classes": {
            "get": _operation(
                f"{operation}_remote_field_classes_list",
                spec.path,
                "Returns a list of `RemoteFieldClass` objects.",
                parameters=params,
                ok=_page_of(_ref(RemoteFieldClass)),
                errors=("400", "503", *_ACCOUNT_ERRORS),
            )
        }
        for path, operation in subjects
    }


def _per_model(item: Schema) -> Schema:
    """Merge's field-mapping answers: a list of ``item`` for each common model that has field mappings."""
    return {
        "type": "object",
        "properties": {model: {"type": "array", "items": item} for model in MAPPABLE_MODELS},
        "additionalProperties": False,
    }


_FIELD_MAPPING_ID = _param("field_mapping_id", _UUID, "The field mapping's id.", "path")
_EXCLUDE_METADATA = _param(
    "exclude_remote_field_metadata",
    _BOOL,
    "If true, `remote_field.remote_key_name` and `remote_field.schema` are null (they are read from synced data).",
)
_ITERATIONS = _param(
    "remote_data_iteration_count",
    {"type": "integer", "minimum": 1, "maximum": 1000},
    "How many synced records the mapping's remote field is checked against (warnings); 250 if not given.",
)
_FIELD_MAPPING_PATHS: dict[str, Any] = {
    "/accounting/v1/field-mappings": {
        "get": _operation(
            "field_mappings_retrieve",
            "field-mappings",
            "Get all field mappings of this linked account, per common model. A mapping shows the provider value "
            "at its traversal path under each record's `field_mappings.linked_account_defined_targets`.",
            parameters=[_ACCOUNT_TOKEN, _EXCLUDE_METADATA],
            ok=_per_model(_ref(FieldMappingApiInstance)),
            errors=("400", *_ACCOUNT_ERRORS),
        ),
        "post": _operation(
            "field_mappings_create",
            "field-mappings",
            "Create a field mapping of this linked account (organization-wide and integration-wide targets, "
            "`jmes_path` and `advanced_mapping_expression` are not supported). Its values appear after the sync it "
            "queues, which reads the model's records from the start; `warnings` say when synced records lack the "
            "remote field.",
            parameters=[_ACCOUNT_TOKEN, _EXCLUDE_METADATA, _ITERATIONS],
            body=CreateFieldMappingRequest,
            ok=_ref(FieldMappingInstanceResponse),
            status="201",
            errors=("400", *_ACCOUNT_ERRORS),
        ),
    },
    "/accounting/v1/field-mappings/{field_mapping_id}": {
        "patch": _operation(
            "field_mappings_partial_update",
            "field-mappings",
            "Change where a field mapping reads its value; the change appears after the sync it queues.",
            parameters=[_ACCOUNT_TOKEN, _FIELD_MAPPING_ID, _ITERATIONS],
            body=PatchedEditFieldMappingRequest,
            ok=_ref(FieldMappingInstanceResponse),
            errors=("400", "404", *_ACCOUNT_ERRORS),
        ),
        "delete": _operation(
            "field_mappings_destroy",
            "field-mappings",
            "Delete a field mapping (its target leaves the documents at the sync it queues); the answer is the "
            "deleted mapping, with 200 rather than Merge's documented 204, as Merge's SDKs read a body.",
            parameters=[_ACCOUNT_TOKEN, _FIELD_MAPPING_ID],
            ok=_ref(FieldMappingInstanceResponse),
            errors=_ACCOUNT_ERRORS,
        ),
    },
    "/accounting/v1/remote-fields": {
        "get": _operation(
            "remote_fields_retrieve",
            "field-mappings",
            "The provider fields this linked account's synced records hold (their `remote_data`), per common model: "
            "each path a field mapping can name, with its JSON type.",
            parameters=[
                _ACCOUNT_TOKEN,
                _param("common_models", _STRING, "Comma-separated common model names: only their remote fields."),
                _param("include_example_values", _BOOL, "If true, up to five values seen in synced records."),
            ],
            ok=_per_model(_ref(RemoteFieldApi)),
            errors=("400", *_ACCOUNT_ERRORS),
        )
    },
    "/accounting/v1/target-fields": {
        "get": _operation(
            "target_fields_retrieve",
            "field-mappings",
            "The target fields of this linked account, per common model (ledgerport has no organization-wide ones).",
            parameters=[_ACCOUNT_TOKEN],
            ok=_per_model(_ref(ExternalTargetFieldApi)),
            errors=_ACCOUNT_ERRORS,
        )
    },
}


_INCLUDE_REMOTE_FIELDS = _param(
    "include_remote_fields",
    _BOOL,
    "Whether to include all remote fields, including fields that Merge did not map to common model fields, "
    "with a description of each field's class.",
)


def openapi_document(server_url: str = "/api") -> dict[str, Any]:
    """The OpenAPI 3.1 document; ``server_url`` is the base URL SDK users pass (ending in ``/api``)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ledgerport Accounting API",
            "version": __version__,
            "description": "A self-hosted unified accounting API, wire-compatible with Merge's Accounting API.",
        },
        "servers": [{"url": server_url}],
        "security": [{"tokenAuth": []}],
        "tags": _TAGS,
        "paths": _paths(),
        "components": {
            "schemas": _components(),
            "securitySchemes": {
                "tokenAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": 'Token-based authentication with required prefix "Bearer"',
                },
            },
        },
    }
