"""The response bodies of the endpoints that are not common models, as Structs named after Merge's schemas.

Handlers build these and encode them; :mod:`ledgerport.api.openapi` declares the same Structs, so what the
document says a response holds is what the handler sends. Field order is the wire order.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, UnsetType

from ledgerport.store.audit import ACTOR_ROLES, EVENT_TYPES
from ledgerport.writes.problems import Problem

__all__ = [
    "AccountDetails",
    "AccountDetailsAndActions",
    "AccountDetailsAndActionsIntegration",
    "AccountIntegration",
    "AccountToken",
    "AsyncPostTask",
    "AsyncPostTaskResult",
    "AsyncTaskReceipt",
    "AuditLogEvent",
    "AvailableActions",
    "DateTimeText",
    "ExternalTargetFieldApi",
    "FieldMappingApiInstance",
    "FieldMappingApiInstanceRemoteField",
    "FieldMappingApiInstanceTargetField",
    "FieldMappingInstanceResponse",
    "IntegrationListing",
    "Issue",
    "IssueEndUser",
    "LinkToken",
    "ModelOperation",
    "RawObject",
    "Readiness",
    "RegenerateAccountToken",
    "RemoteEndpointInfo",
    "RemoteFieldApi",
    "RemoteKey",
    "SyncStatus",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEndpointWithKey",
    "WebhookReceiver",
    "WebhookReplay",
]

DateTimeText = Annotated[str, msgspec.Meta(extra_json_schema={"format": "date-time"})]
"""An RFC 3339 date-time the handler has already written as text."""

RawObject = Annotated[msgspec.Raw, msgspec.Meta(extra_json_schema={"type": "object"})]
"""A JSON object kept as the bytes it was stored as (a write's answer, replayed exactly)."""


class SyncStatus(msgspec.Struct, kw_only=True):
    """One common model's sync: `DISABLED`, `DONE`, `FAILED`, `PARTIALLY_SYNCED`, `PAUSED` or `SYNCING`."""

    model_name: str
    model_id: str
    last_sync_start: DateTimeText | None
    next_sync_start: DateTimeText | None
    last_sync_result: str | None
    last_sync_finished: DateTimeText | None
    data_fresh_as_of: DateTimeText | None
    historical_data_since: DateTimeText | None
    status: str
    sync_status_reason: str | None
    is_initial_sync: bool
    selective_sync_configurations_usage: str | None


class AuditLogEvent(msgspec.Struct, kw_only=True):
    """One change to an organization's setup, as Merge's audit trail lists it (``role`` and ``event_type`` hold
    Merge's names, plus ``CREATED_LINKED_ACCOUNT``)."""

    id: str
    user_name: str | None
    user_email: str | None
    role: Annotated[str, msgspec.Meta(extra_json_schema={"enum": list(ACTOR_ROLES)})]
    ip_address: str
    event_type: Annotated[str, msgspec.Meta(extra_json_schema={"enum": list(EVENT_TYPES)})]
    event_description: str
    created_at: DateTimeText


class IssueEndUser(msgspec.Struct, kw_only=True):
    """The linked account an issue concerns."""

    id: str | None
    end_user_organization_name: str | None
    end_user_email_address: str | None
    end_user_origin_id: str | None
    integration_name: str | None


class Issue(msgspec.Struct, kw_only=True):
    """Something that went wrong for a linked account, `ONGOING` until it is `RESOLVED`."""

    id: str
    status: str
    error_description: str
    end_user: IssueEndUser
    first_incident_time: DateTimeText | None
    last_incident_time: DateTimeText | None
    is_muted: bool
    error_details: list[Any]


class ModelOperation(msgspec.Struct, kw_only=True):
    """What can be done with one common model of an integration, and the fields it fills."""

    model_name: str
    available_operations: list[str]
    required_post_parameters: list[str]
    supported_fields: list[str]


class AccountIntegration(msgspec.Struct, kw_only=True):
    """The integration of a linked account."""

    name: str
    categories: list[str]
    image: str | None
    square_image: str | None
    color: str | None
    slug: str


class AvailableActions(msgspec.Struct, kw_only=True):
    """The linked account's integration and the operations it offers."""

    integration: AccountIntegration
    passthrough_available: bool
    available_model_operations: list[ModelOperation]


class IntegrationListing(msgspec.Struct, kw_only=True):
    """One integration ledgerport knows; ``available`` says whether it can be linked."""

    slug: str
    name: str
    categories: list[str]
    color: str
    available: bool
    available_model_operations: list[ModelOperation]


class AccountDetails(msgspec.Struct, kw_only=True):
    """The linked account behind an account token."""

    id: str
    integration: str
    integration_slug: str
    category: str
    end_user_origin_id: str | None
    end_user_organization_name: str
    end_user_email_address: str | None
    status: str
    webhook_listener_url: str | None
    is_duplicate: bool | None
    account_type: str
    completed_at: DateTimeText | None
    instance_id: str | None
    instance_display_value: str | None


class AccountDetailsAndActionsIntegration(msgspec.Struct, kw_only=True):
    """The integration of a linked account, with what it offers."""

    name: str
    categories: list[str]
    image: str | None
    square_image: str | None
    color: str
    slug: str
    passthrough_available: bool
    available_model_operations: list[ModelOperation]


class AccountDetailsAndActions(msgspec.Struct, kw_only=True):
    """A linked account of the organization."""

    id: str
    category: str
    status: str
    status_detail: str
    end_user_origin_id: str | None
    end_user_organization_name: str
    end_user_email_address: str | None
    subdomain: str | None
    webhook_listener_url: str
    is_duplicate: bool | None
    integration: AccountDetailsAndActionsIntegration
    account_type: str
    completed_at: DateTimeText | None
    integration_specific_fields: dict[str, Any]


class LinkToken(msgspec.Struct, kw_only=True):
    """A link flow begun: ``magic_link_url`` is the page the end user opens."""

    link_token: str
    integration_name: str | None
    magic_link_url: str


class AccountToken(msgspec.Struct, kw_only=True):
    """The account token of a newly linked account (given out once)."""

    account_token: str
    integration: AccountIntegration
    id: str


class RegenerateAccountToken(msgspec.Struct, kw_only=True):
    """The linked account's new account token; the old one no longer works."""

    linked_account_id: str
    account_token: str


class RemoteKey(msgspec.Struct, kw_only=True):
    """A new API key (shown once)."""

    name: str
    key: str


class AsyncTaskReceipt(msgspec.Struct, kw_only=True):
    """What ``POST /<path>/async`` (and ``run_async=true``) answers: the task to poll."""

    task_id: str


class AsyncPostTaskResult(msgspec.Struct, kw_only=True):
    """A finished task's answer: the status code and body the synchronous write would have given (``null`` until
    the task is final)."""

    status_code: int | None
    response: RawObject | None


class AsyncPostTask(msgspec.Struct, kw_only=True):
    """``GET /async-tasks/{id}``: `QUEUED`, `IN_PROGRESS`, `COMPLETED` or `FAILURE`, and the result."""

    status: Literal["QUEUED", "IN_PROGRESS", "COMPLETED", "FAILURE"]
    result: AsyncPostTaskResult


class WebhookEndpoint(msgspec.Struct, kw_only=True):
    """Where the organization's events are sent. ``events`` is ``["all"]`` or event names; a `DISABLED` endpoint
    (by its owner, or after a failure streak: ``status_reason`` says which) receives nothing until re-activated."""

    id: str
    url: str
    events: list[str]
    status: Literal["ACTIVE", "DISABLED"]
    status_reason: str | None
    created_at: DateTimeText
    last_delivered_at: DateTimeText | None
    failing_since: DateTimeText | None


class WebhookEndpointWithKey(WebhookEndpoint, kw_only=True):
    """An endpoint with its signing key: answered only when the key is made (create, rotate-key)."""

    signing_key: str


class WebhookDelivery(msgspec.Struct, kw_only=True):
    """One event for one endpoint: `PENDING` until the endpoint answers 2xx (`DELIVERED`) or the retry window ends
    (`FAILED`); ``next_attempt_at`` is set while `PENDING`."""

    id: str
    event_id: str
    event: str
    linked_account_id: str | None
    status: Literal["PENDING", "DELIVERED", "FAILED"]
    attempts: int
    created_at: DateTimeText
    first_attempt_at: DateTimeText | None
    last_attempt_at: DateTimeText | None
    next_attempt_at: DateTimeText | None
    delivered_at: DateTimeText | None
    last_status_code: int | None
    last_error: str | None


class WebhookReplay(msgspec.Struct, kw_only=True):
    """How many deliveries were queued again."""

    replayed: int


class WebhookReceiver(msgspec.Struct, kw_only=True):
    """Merge's ``WebhookReceiver``: a provider event the linked account listens to, and its key (when it has one)."""

    event: str
    is_active: bool
    key: str | UnsetType = UNSET


class Readiness(msgspec.Struct, kw_only=True, omit_defaults=True):
    """``GET /ready`` (not a Merge endpoint): each dependency's state, and ``detail`` naming what failed when one
    did (the 503 answer keeps Merge's error key)."""

    detail: str | UnsetType = UNSET
    status: Literal["ready", "unavailable"]
    checks: dict[str, str]


TraversalStep = str | int
"""A step of a remote field's traversal path: an object's key, or a position in a list."""


class RemoteEndpointInfo(msgspec.Struct, kw_only=True):
    """Where a remote field comes from: the provider endpoint and the path to the value in each record it returns."""

    method: str
    url_path: str
    field_traversal_path: list[TraversalStep]


class FieldMappingApiInstanceTargetField(msgspec.Struct, kw_only=True):
    """The target field a mapping fills (in ledgerport always the linked account's own)."""

    name: str
    description: str
    is_organization_wide: bool


class FieldMappingApiInstanceRemoteField(msgspec.Struct, kw_only=True):
    """The remote field a mapping reads; ``remote_key_name`` and ``schema`` are null when the caller left remote
    field metadata out (``exclude_remote_field_metadata``), ``schema`` also when no synced record holds it."""

    remote_key_name: str | None
    schema: dict[str, Any] | None
    remote_endpoint_info: RemoteEndpointInfo


class FieldMappingApiInstance(msgspec.Struct, kw_only=True):
    """Merge's ``FieldMappingApiInstance``."""

    id: str
    is_integration_wide: bool
    target_field: FieldMappingApiInstanceTargetField
    remote_field: FieldMappingApiInstanceRemoteField
    jmes_path: str | None = None
    advanced_mapping_expression: str | None = None


class FieldMappingInstanceResponse(msgspec.Struct, kw_only=True):
    """A mapping made, changed or deleted, with warnings (a remote field no synced record holds yet, say)."""

    model: FieldMappingApiInstance
    warnings: list[Problem]
    errors: list[Problem]


class RemoteFieldApi(msgspec.Struct, kw_only=True):
    """Merge's ``RemoteFieldAPI``: a path the account's synced provider records hold, with its JSON type."""

    schema: dict[str, Any]
    remote_key_name: str
    remote_endpoint_info: RemoteEndpointInfo
    example_values: list[Any] | None
    advanced_metadata: None = None


class ExternalTargetFieldApi(msgspec.Struct, kw_only=True):
    """Merge's ``ExternalTargetFieldAPI``; ``is_mapped`` is text, as Merge types it."""

    name: str | None
    description: str | None
    is_mapped: str | None
