"""The OpenAPI document of the whole API, served where Merge serves its own (``/api/accounting/v1/schema``).

Built from the model registry, so every model's list and retrieve operations, their filters and ``expand``
values are documented exactly as the handlers parse them. Component schemas come from the msgspec Structs.
"""

from __future__ import annotations

from typing import Any

import msgspec

from ledgerport import __version__
from ledgerport.models import MODELS, BoolEquals, DateAfter, DateBefore, Equals, ModelSpec
from ledgerport.models._base import RemoteFieldClass

__all__ = ["openapi_document"]

_BOOL = {"type": "boolean"}
_REMOTE_DATA_HELP = "Whether to include the original data Merge fetched from the third-party to produce these models."
_DATETIME = {"type": "string", "format": "date-time"}
_STRING = {"type": "string"}


def _param(name: str, schema: dict[str, Any], description: str, where: str = "query") -> dict[str, Any]:
    return {"name": name, "in": where, "required": where == "path", "schema": schema, "description": description}


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
        {"type": "integer", "minimum": 1, "maximum": 100},
        "Number of results to return per page. The maximum limit is 100.",
    ),
]
_ERRORS = {
    status: {"description": text, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    for status, text in (
        ("400", "A malformed parameter"),
        ("401", "Missing or wrong credentials"),
        ("404", "Not found"),
        ("429", "Rate limited; see Retry-After"),
    )
}


def _filter_schema(rule: Any) -> dict[str, Any]:
    if isinstance(rule, BoolEquals):
        return _BOOL
    if isinstance(rule, DateAfter | DateBefore):
        return _DATETIME
    if isinstance(rule, Equals) and rule.choices is not None:
        return {"type": "string", "enum": [str(member.value) for member in rule.choices]}
    return _STRING


def _expand_param(spec: ModelSpec) -> list[dict[str, Any]]:
    if not spec.expand:
        return []
    return [
        _param(
            "expand",
            {"type": "string"},
            "Comma-separated related objects to expand: " + ", ".join(sorted(spec.expand)) + ".",
        )
    ]


def _list_params(spec: ModelSpec) -> list[dict[str, Any]]:
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
        _param(
            "include_remote_data",
            _BOOL,
            _REMOTE_DATA_HELP,
        ),
    ]
    if spec.remote_id_filter:
        params.append(_param("remote_id", _STRING, "The API provider's ID for the given object."))
    if spec.company_field is not None:
        params.append(_param("company_id", _STRING, "If provided, will only return objects for this company."))
    params += [_param(name, _filter_schema(rule), f"Filter on `{rule.field}`.") for name, rule in spec.filters.items()]
    return params + _expand_param(spec)


def _ok(schema: dict[str, Any]) -> dict[str, Any]:
    return {"200": {"description": "", "content": {"application/json": {"schema": schema}}}, **_ERRORS}


def _model_paths(spec: ModelSpec) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{spec.struct.__name__}"}
    plural = spec.path.replace("-", "_")
    page_schema = {
        "type": "object",
        "properties": {
            "next": {"type": ["string", "null"]},
            "previous": {"type": ["string", "null"]},
            "results": {"type": "array", "items": ref},
        },
    }
    return {
        f"/accounting/v1/{spec.path}": {
            "get": {
                "operationId": f"{plural}_list",
                "tags": [spec.path],
                "summary": f"Returns a list of `{spec.name}` objects.",
                "parameters": [_ACCOUNT_TOKEN, *_list_params(spec)],
                "responses": _ok(page_schema),
            }
        },
        f"/accounting/v1/{spec.path}/{{id}}": {
            "get": {
                "operationId": f"{plural}_retrieve",
                "tags": [spec.path],
                "summary": f"Returns a `{spec.name}` object with the given `id`.",
                "parameters": [
                    _ACCOUNT_TOKEN,
                    _param("id", {"type": "string", "format": "uuid"}, "", "path"),
                    *_expand_param(spec),
                    _param(
                        "include_remote_data",
                        _BOOL,
                        _REMOTE_DATA_HELP,
                    ),
                ],
                "responses": _ok(ref),
            }
        },
    }


_ACCOUNT_PATHS: dict[str, Any] = {
    "/accounting/v1/account-details": {
        "get": {
            "operationId": "account_details_retrieve",
            "tags": ["account-details"],
            "summary": "Get details for a linked account.",
            "parameters": [_ACCOUNT_TOKEN],
            "responses": _ok({"type": "object"}),
        }
    },
    "/accounting/v1/linked-accounts": {
        "get": {
            "operationId": "linked_accounts_list",
            "tags": ["linked-accounts"],
            "summary": "List linked accounts for your organization.",
            "parameters": [
                *_PAGE,
                *[
                    _param(name, _STRING, f"Filter on `{name}`.")
                    for name in (
                        "category",
                        "end_user_email_address",
                        "end_user_organization_name",
                        "end_user_origin_id",
                        "end_user_origin_ids",
                        "id",
                        "ids",
                        "integration_name",
                        "is_test_account",
                        "status",
                    )
                ],
            ],
            "responses": _ok({"type": "object"}),
        }
    },
    **{
        f"/accounting/v1/{name}": {
            "post": {
                "operationId": f"{name.replace('-', '_')}_create",
                "tags": [name],
                "summary": summary,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"name": {"type": "string", "minLength": 1}},
                                "required": ["name"],
                            }
                        }
                    },
                },
                "responses": _ok({"type": "object", "properties": {"name": _STRING, "key": _STRING}}),
            }
        }
        for name, summary in (
            ("generate-key", "Create a new API key for your organization (shown once)."),
            ("regenerate-key", "Create a new API key and revoke the one this request was made with."),
        )
    },
    "/accounting/v1/link-token": {
        "post": {
            "operationId": "link_token_create",
            "tags": ["link-token"],
            "summary": "Creates a link token to be used when linking a new end user; `magic_link_url` opens the flow.",
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "end_user_email_address": {"type": "string", "minLength": 1, "maxLength": 200},
                                "end_user_organization_name": {"type": "string", "minLength": 1, "maxLength": 200},
                                "end_user_origin_id": {"type": "string", "minLength": 1, "maxLength": 200},
                                "categories": {"type": "array", "items": {"type": "string", "enum": ["accounting"]}},
                                "integration": {"type": ["string", "null"]},
                                "link_expiry_mins": {"type": ["integer", "null"], "minimum": 30, "maximum": 720},
                            },
                            "required": [
                                "end_user_email_address",
                                "end_user_organization_name",
                                "end_user_origin_id",
                                "categories",
                            ],
                        }
                    }
                },
            },
            "responses": _ok(
                {
                    "type": "object",
                    "properties": {
                        "link_token": _STRING,
                        "integration_name": {"type": ["string", "null"]},
                        "magic_link_url": _STRING,
                    },
                    "required": ["link_token"],
                }
            ),
        }
    },
    "/accounting/v1/account-token/{public_token}": {
        "get": {
            "operationId": "account_token_retrieve",
            "tags": ["account-token"],
            "summary": "Returns the account token for the end user with the provided public token (once).",
            "parameters": [_param("public_token", _STRING, "", "path")],
            "responses": _ok(
                {
                    "type": "object",
                    "properties": {"account_token": _STRING, "integration": {"type": "object"}, "id": _STRING},
                    "required": ["account_token", "integration", "id"],
                }
            ),
        }
    },
    "/accounting/v1/account-token/regenerate": {
        "post": {
            "operationId": "account_token_regenerate_create",
            "tags": ["account-token"],
            "summary": "Exchange the linked account's current account token for a new one; the old one stops working.",
            "parameters": [_ACCOUNT_TOKEN],
            "responses": _ok(
                {
                    "type": "object",
                    "properties": {"linked_account_id": _STRING, "account_token": _STRING},
                    "required": ["linked_account_id", "account_token"],
                }
            ),
        }
    },
    "/accounting/v1/delete-account": {
        "post": {
            "operationId": "delete_account_create",
            "tags": ["delete-account"],
            "summary": "Delete a linked account and all data synced for it.",
            "parameters": [_ACCOUNT_TOKEN],
            "responses": _ok({"type": "object"}),
        }
    },
}


def _remote_field_paths(spec: ModelSpec) -> dict[str, Any]:
    """``GET /<path>[/<lines>]/remote-field-classes`` and ``include_remote_fields`` on list and retrieve."""
    if not spec.remote_fields:
        return {}
    flag = _param(
        "include_remote_fields",
        _BOOL,
        "Whether to include all remote fields, including fields that "
        "Merge did not map to common model fields, with a description of each field's class.",
    )
    page_schema = {
        "type": "object",
        "properties": {
            "next": {"type": ["string", "null"]},
            "previous": {"type": ["string", "null"]},
            "results": {"type": "array", "items": {"$ref": "#/components/schemas/RemoteFieldClass"}},
        },
    }
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
    paths: dict[str, Any] = {
        f"/accounting/v1/{path}/remote-field-classes": {
            "get": {
                "operationId": f"{operation}_remote_field_classes_list",
                "tags": [spec.path],
                "summary": "Returns a list of `RemoteFieldClass` objects.",
                "parameters": params,
                "responses": _ok(page_schema),
            }
        }
        for path, operation in subjects
    }
    return {"flag": flag, "paths": paths}


def openapi_document(server_url: str = "/api") -> dict[str, Any]:
    """The OpenAPI 3.1 document; ``server_url`` is the base URL SDK users pass (ending in ``/api``)."""
    paths: dict[str, Any] = {}
    for spec in MODELS.values():
        paths.update(_model_paths(spec))
        remote = _remote_field_paths(spec)
        if remote:
            paths.update(remote["paths"])
            for path in (f"/accounting/v1/{spec.path}", f"/accounting/v1/{spec.path}/{{id}}"):
                paths[path]["get"]["parameters"].append(remote["flag"])
    paths.update(_ACCOUNT_PATHS)
    _, components = msgspec.json.schema_components(
        [*(spec.struct for spec in MODELS.values()), RemoteFieldClass], ref_template="#/components/schemas/{name}"
    )
    components["Error"] = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ledgerport Accounting API",
            "version": __version__,
            "description": "A self-hosted unified accounting API, wire-compatible with Merge's Accounting API.",
        },
        "servers": [{"url": server_url}],
        "security": [{"tokenAuth": []}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(components.items())),
            "securitySchemes": {
                "tokenAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": 'Token-based authentication with required prefix "Bearer"',
                },
            },
        },
    }
