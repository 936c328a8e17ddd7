"""Merge's ``GET /audit-trail``: who made, changed or removed the organization's API keys, linked accounts and
webhook endpoints.

Organization level (the API key alone, like ``linked-accounts``). Newest first, as an audit log is read; paged with
the same keyset cursors as every other list, bound to the organization, so another organization's cursor pages
nothing here.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import msgspec
from litestar import MediaType, Request, Response, get

from ledgerport.api.auth import authenticate_organization
from ledgerport.api.context import context_of
from ledgerport.api.errors import BadRequest
from ledgerport.api.pages import list_body, window
from ledgerport.api.params import list_scope, parse_page, parse_uuid
from ledgerport.api.shapes import AuditLogEvent
from ledgerport.kit import clock
from ledgerport.kit.timestamps import parse_rfc3339
from ledgerport.store.audit import EVENT_TYPES, AuditEvent, AuditFilters, list_audit_events

__all__ = ["AUDIT_TRAIL_HANDLERS", "audit_log_event"]

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def audit_log_event(event: AuditEvent) -> AuditLogEvent:
    """Merge's ``AuditLogEvent`` from a stored event."""
    return AuditLogEvent(
        id=str(event.id),
        user_name=event.user_name,
        user_email=event.user_email,
        role=event.role,
        ip_address=event.ip_address,
        event_type=event.event_type,
        event_description=event.event_description,
        created_at=clock.from_micros(event.created_at).isoformat().replace("+00:00", "Z"),
    )


def _moment(params: Any, name: str) -> int | None:
    """An RFC 3339 date-time, or a plain date (its midnight, UTC)."""
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        if _DATE.fullmatch(raw):
            return clock.to_micros(dt.datetime.fromisoformat(raw).replace(tzinfo=dt.UTC))
        return clock.to_micros(parse_rfc3339(raw))
    except ValueError as exc:
        raise BadRequest(
            f"Query parameter '{name}' must be an RFC 3339 date-time such as 2024-01-02T03:04:05Z, not {raw!r}."
        ) from exc


def _filters(params: Any) -> AuditFilters:
    event_type = params.get("event_type") or None
    if event_type is not None and event_type not in EVENT_TYPES:
        raise BadRequest(f"Query parameter 'event_type' must be one of Merge's event types, not {event_type!r}.")
    return AuditFilters(
        event_type=event_type,
        user_email=params.get("user_email") or None,
        start_date=_moment(params, "start_date"),
        end_date=_moment(params, "end_date"),
    )


@get("/audit-trail", name="audit-trail", include_in_schema=False)
async def list_audit_trail(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The organization's audit events, newest first, filtered and paged like every Merge list."""
    organization_id = await authenticate_organization(request)
    params = request.query_params
    scope = list_scope("audit-trail", organization_id)
    page = parse_page(params, scope)
    filters = _filters(params)
    cursor = page.cursor
    after = None if cursor is None else (cursor.created, parse_uuid(cursor.id))
    async with context_of(request).database.read() as session:
        rows = await list_audit_events(
            session,
            organization_id=organization_id,
            filters=filters,
            after=after,  # type: ignore[arg-type]
            reverse=cursor is not None and cursor.reverse,
            limit=page.page_size + 1,
            inclusive=cursor is not None and cursor.inclusive,
        )
    page_rows = window(cursor, rows, page.page_size, lambda row: (row.created_at, str(row.id)))
    results = [msgspec.json.encode(audit_log_event(row)) for row in page_rows.rows]
    body = list_body(results, next_cursor=page_rows.next, previous_cursor=page_rows.previous, scope=scope)
    return Response(content=body, media_type=MediaType.JSON)


AUDIT_TRAIL_HANDLERS = [list_audit_trail]
