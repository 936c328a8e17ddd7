"""Managing webhook endpoints over the API, at the organization level (the API key alone, the organization's budget).

```
GET    /api/webhooks/events                                         the event names one may subscribe to
GET    /api/webhooks/endpoints                                      the organization's endpoints
POST   /api/webhooks/endpoints                                      {url, events} → 201, with the signing key (once)
GET    /api/webhooks/endpoints/{id}                                 one endpoint
PATCH  /api/webhooks/endpoints/{id}                                 {url?, events?, is_active?}
DELETE /api/webhooks/endpoints/{id}                                 the endpoint and its delivery log
POST   /api/webhooks/endpoints/{id}/rotate-key                      a new signing key (once)
GET    /api/webhooks/endpoints/{id}/deliveries                      the delivery log, newest first, paged
POST   /api/webhooks/endpoints/{id}/replay                          every FAILED delivery again
POST   /api/webhooks/endpoints/{id}/deliveries/{delivery_id}/replay one delivery again
```

The signing key is never readable after the answer that made it: a lost key is replaced with ``rotate-key``.
Another organization's endpoint is simply not found.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import msgspec
from litestar import MediaType, Request, Response, delete, get, patch, post
from msgspec import UNSET, UnsetType

from ledgerport.api.auth import actor_of, authenticate_organization
from ledgerport.api.bodies import read_json
from ledgerport.api.context import context_of
from ledgerport.api.errors import BadRequest, NotFound
from ledgerport.api.pages import list_body, window
from ledgerport.api.params import list_scope, parse_page, parse_uuid
from ledgerport.api.shapes import WebhookDelivery, WebhookEndpoint, WebhookEndpointWithKey, WebhookReplay
from ledgerport.kit import clock
from ledgerport.models.events import ALL_EVENTS
from ledgerport.store import webhooks as rows
from ledgerport.webhooks import EndpointRefused, add_endpoint, change_endpoint, rotate_key

__all__ = [
    "DELIVERY_STATUSES",
    "EndpointChange",
    "NewEndpointRequest",
    "WEBHOOK_HANDLERS",
    "delivery_view",
    "endpoint_view",
]

DELIVERY_STATUSES = (rows.PENDING, rows.DELIVERED, rows.FAILED)

_EVENTS_HELP = '["all"] for every event, or event names such as "Invoice.added" (GET /webhooks/events lists them).'
EventNames = Annotated[
    list[Annotated[str, msgspec.Meta(max_length=64)]],
    msgspec.Meta(min_length=1, max_length=len(ALL_EVENTS), description=_EVENTS_HELP),
]
Url = Annotated[
    str,
    msgspec.Meta(
        max_length=2000,
        description="Where deliveries are POSTed: https:// (or http://) on a public address, unless the operator "
        "allows private ones (LEDGERPORT_WEBHOOK_ALLOW_PRIVATE=1).",
    ),
]


class NewEndpointRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The body of ``POST /webhooks/endpoints``."""

    url: Url
    events: EventNames


class EndpointChange(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The body of ``PATCH /webhooks/endpoints/{id}``: only what is sent changes."""

    url: Url | UnsetType = UNSET
    events: EventNames | UnsetType = UNSET
    is_active: (
        Annotated[bool, msgspec.Meta(description="false disables the endpoint; true re-activates it.")] | UnsetType
    ) = UNSET


_NEW_EXAMPLE = '{"url": "https://example.com/hooks", "events": ["all"]}'
_CHANGE_EXAMPLE = '{"is_active": true}'


def _iso(micros: int | None) -> str | None:
    return None if micros is None else clock.from_micros(micros).isoformat().replace("+00:00", "Z")


def _events(stored: list[str]) -> list[str]:
    return ["all"] if rows.ALL in stored else stored


def endpoint_view(endpoint: rows.Endpoint) -> WebhookEndpoint:
    """An endpoint as the API and the CLI show it: never its signing key."""
    return WebhookEndpoint(
        id=str(endpoint.id),
        url=endpoint.url,
        events=_events(endpoint.events),
        status=rows.ACTIVE if endpoint.status == rows.ACTIVE else rows.DISABLED,
        status_reason=endpoint.status_reason,
        created_at=_iso(endpoint.created_at) or "",
        last_delivered_at=_iso(endpoint.last_delivered_at),
        failing_since=_iso(endpoint.failing_since),
    )


def _with_key(endpoint: rows.Endpoint, signing_key: str) -> WebhookEndpointWithKey:
    return WebhookEndpointWithKey(**msgspec.structs.asdict(endpoint_view(endpoint)), signing_key=signing_key)


def delivery_view(delivery: rows.DeliveryView) -> WebhookDelivery:
    """A delivery as the log shows it."""
    status = delivery.status if delivery.status in DELIVERY_STATUSES else rows.FAILED
    return WebhookDelivery(
        id=str(delivery.id),
        event_id=str(delivery.event_id),
        event=delivery.event,
        linked_account_id=None if delivery.linked_account_id is None else str(delivery.linked_account_id),
        status=status,  # type: ignore[arg-type]
        attempts=delivery.attempts,
        created_at=_iso(delivery.created_at) or "",
        first_attempt_at=_iso(delivery.first_attempt_at),
        last_attempt_at=_iso(delivery.last_attempt_at),
        next_attempt_at=_iso(delivery.next_attempt_at) if status == rows.PENDING else None,
        delivered_at=_iso(delivery.delivered_at),
        last_status_code=delivery.last_status_code,
        last_error=delivery.last_error,
    )


def _json(value: Any, status: int = 200) -> Response[bytes]:
    return Response(content=msgspec.json.encode(value), status_code=status, media_type=MediaType.JSON)


def _endpoint_id(raw: str) -> uuid.UUID:
    found = parse_uuid(raw)
    if found is None:
        raise NotFound()
    return found


async def _owned(request: Request[Any, Any, Any], raw_id: str) -> tuple[uuid.UUID, rows.Endpoint]:
    """The caller's organization and its endpoint ``raw_id``; 404 for anyone else's."""
    organization_id = await authenticate_organization(request)
    endpoint_id = _endpoint_id(raw_id)
    async with context_of(request).database.read() as session:
        endpoint = await rows.find_endpoint(session, organization_id=organization_id, endpoint_id=endpoint_id)
    if endpoint is None:
        raise NotFound()
    return organization_id, endpoint


@get("/events", name="webhook-events", include_in_schema=False)
async def list_events(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Every event an endpoint may subscribe to, by Merge's names."""
    await authenticate_organization(request)
    return _json(list(ALL_EVENTS))


@get("/endpoints", name="webhook-endpoints", include_in_schema=False)
async def list_endpoints(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The organization's endpoints, oldest first."""
    organization_id = await authenticate_organization(request)
    async with context_of(request).database.read() as session:
        found = await rows.list_endpoints(session, organization_id=organization_id)
    return _json([endpoint_view(endpoint) for endpoint in found])


@post("/endpoints", name="webhook-endpoint-create", status_code=201, include_in_schema=False)
async def create_endpoint(request: Request[Any, Any, Any]) -> Response[bytes]:
    """A new endpoint; the answer holds its signing key, which no later answer repeats."""
    organization_id = await authenticate_organization(request)
    body = await read_json(request, NewEndpointRequest, example=_NEW_EXAMPLE)
    context = context_of(request)
    try:
        made = await add_endpoint(
            context.database,
            context.sealer,
            organization_id=organization_id,
            url=body.url,
            events=body.events,
            allow_private=context.webhook_allow_private,
            actor=actor_of(request),
        )
    except EndpointRefused as exc:
        raise BadRequest(str(exc)) from exc
    return _json(_with_key(made.endpoint, made.signing_key), 201)


@get("/endpoints/{endpoint_id:str}", name="webhook-endpoint", include_in_schema=False)
async def retrieve_endpoint(request: Request[Any, Any, Any], endpoint_id: str) -> Response[bytes]:
    """One endpoint of the organization."""
    _, endpoint = await _owned(request, endpoint_id)
    return _json(endpoint_view(endpoint))


@patch("/endpoints/{endpoint_id:str}", name="webhook-endpoint-update", include_in_schema=False)
async def update_endpoint(request: Request[Any, Any, Any], endpoint_id: str) -> Response[bytes]:
    """Change the URL, the events, or whether the endpoint is active (re-activating clears why it was disabled)."""
    organization_id = await authenticate_organization(request)
    wanted = _endpoint_id(endpoint_id)
    body = await read_json(request, EndpointChange, example=_CHANGE_EXAMPLE)
    context = context_of(request)
    try:
        changed = await change_endpoint(
            context.database,
            organization_id=organization_id,
            endpoint_id=wanted,
            url=None if isinstance(body.url, UnsetType) else body.url,
            events=None if isinstance(body.events, UnsetType) else body.events,
            active=None if isinstance(body.is_active, UnsetType) else body.is_active,
            allow_private=context.webhook_allow_private,
            actor=actor_of(request),
        )
    except EndpointRefused as exc:
        raise BadRequest(str(exc)) from exc
    if changed is None:
        raise NotFound()
    return _json(endpoint_view(changed))


@delete("/endpoints/{endpoint_id:str}", name="webhook-endpoint-delete", status_code=204, include_in_schema=False)
async def delete_endpoint(request: Request[Any, Any, Any], endpoint_id: str) -> Response[None]:
    """Delete the endpoint and its delivery log; nothing more is sent to it."""
    organization_id, endpoint = await _owned(request, endpoint_id)
    async with context_of(request).database.write() as session:
        deleted = await rows.delete_endpoint(
            session, organization_id=organization_id, endpoint_id=endpoint.id, actor=actor_of(request)
        )
    if not deleted:
        raise NotFound()
    return Response(content=None, status_code=204)


@post(
    "/endpoints/{endpoint_id:str}/rotate-key", name="webhook-endpoint-rotate", status_code=200, include_in_schema=False
)
async def rotate_endpoint_key(request: Request[Any, Any, Any], endpoint_id: str) -> Response[bytes]:
    """A new signing key, shown once; deliveries not yet sent are signed with it."""
    organization_id = await authenticate_organization(request)
    wanted = _endpoint_id(endpoint_id)
    context = context_of(request)
    made = await rotate_key(
        context.database,
        context.sealer,
        organization_id=organization_id,
        endpoint_id=wanted,
        actor=actor_of(request),
    )
    if made is None:
        raise NotFound()
    return _json(_with_key(made.endpoint, made.signing_key))


def _status(params: Any) -> str | None:
    raw = params.get("status")
    if raw is None or raw == "":
        return None
    if raw not in DELIVERY_STATUSES:
        raise BadRequest(f"Query parameter 'status' must be one of {', '.join(DELIVERY_STATUSES)}, not {raw!r}.")
    return str(raw)


@get("/endpoints/{endpoint_id:str}/deliveries", name="webhook-deliveries", include_in_schema=False)
async def list_deliveries(request: Request[Any, Any, Any], endpoint_id: str) -> Response[bytes]:
    """The endpoint's delivery log, newest event first, paged like every list."""
    _, endpoint = await _owned(request, endpoint_id)
    params = request.query_params
    status = _status(params)
    scope = list_scope("webhook-deliveries", endpoint.id)
    page = parse_page(params, scope)
    cursor = page.cursor
    after = None if cursor is None else (cursor.created, uuid.UUID(cursor.id))
    async with context_of(request).database.read() as session:
        fetched = await rows.page_deliveries(
            session,
            endpoint_id=endpoint.id,
            status=status,
            after=after,
            reverse=cursor is not None and cursor.reverse,
            inclusive=cursor is not None and cursor.inclusive,
            limit=page.page_size + 1,
        )
    found = window(cursor, fetched, page.page_size, lambda row: (row[0], str(row[1].id)))
    results = [msgspec.json.encode(delivery_view(delivery)) for _, delivery in found.rows]
    return Response(
        content=list_body(results, next_cursor=found.next, previous_cursor=found.previous, scope=scope),
        media_type=MediaType.JSON,
    )


@post("/endpoints/{endpoint_id:str}/replay", name="webhook-replay", status_code=200, include_in_schema=False)
async def replay_failed(request: Request[Any, Any, Any], endpoint_id: str) -> Response[bytes]:
    """Queue every FAILED delivery of the endpoint again, with the bytes it sent before."""
    _, endpoint = await _owned(request, endpoint_id)
    async with context_of(request).database.write() as session:
        count = await rows.replay(session, endpoint_id=endpoint.id)
    return _json(WebhookReplay(replayed=count))


@post(
    "/endpoints/{endpoint_id:str}/deliveries/{delivery_id:str}/replay",
    name="webhook-replay-one",
    status_code=200,
    include_in_schema=False,
)
async def replay_one(request: Request[Any, Any, Any], endpoint_id: str, delivery_id: str) -> Response[bytes]:
    """Queue one delivery again, whatever its status; 404 when the endpoint has no such delivery."""
    _, endpoint = await _owned(request, endpoint_id)
    wanted = parse_uuid(delivery_id)
    if wanted is None:
        raise NotFound()
    async with context_of(request).database.write() as session:
        count = await rows.replay(session, endpoint_id=endpoint.id, delivery_id=wanted)
    if count == 0:
        raise NotFound()
    return _json(WebhookReplay(replayed=count))


WEBHOOK_HANDLERS = [
    list_events,
    list_endpoints,
    create_endpoint,
    retrieve_endpoint,
    update_endpoint,
    delete_endpoint,
    rotate_endpoint_key,
    list_deliveries,
    replay_failed,
    replay_one,
]
