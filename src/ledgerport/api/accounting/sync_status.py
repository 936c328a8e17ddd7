"""``GET /sync-status`` and ``GET /issues`` (+ ``/issues/{id}``): what syncs did, and what went wrong.

``POST /sync-status/resync`` is in :mod:`ledgerport.api.accounting.resync` (it queues a job).
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import MediaType, Request, Response, get

from ledgerport.api.auth import authenticate_account, authenticate_organization
from ledgerport.api.context import context_of
from ledgerport.api.errors import BadRequest, NotFound
from ledgerport.api.pages import list_body, window
from ledgerport.api.params import list_scope, parse_bool, parse_page, parse_uuid
from ledgerport.api.shapes import Issue, IssueEndUser, SyncStatus
from ledgerport.kit import clock
from ledgerport.kit.timestamps import parse_rfc3339
from ledgerport.store import ReadSession, WriteSession
from ledgerport.store.issues import IssueRow, find_issue, list_issues
from ledgerport.store.jobs import next_queued
from ledgerport.store.scopes import AccountScopes, account_scopes
from ledgerport.store.sync_states import SyncState, is_scheduled, list_sync_states
from ledgerport.sync.tasks import SYNC_RUN, next_sync_start

__all__ = [
    "ISSUE_STATUSES",
    "ISSUE_TIME_FILTERS",
    "SYNC_STATUS_HANDLERS",
    "account_sync_statuses",
    "sync_status_document",
]

ISSUE_STATUSES = ("ONGOING", "RESOLVED")
ISSUE_TIME_FILTERS = (
    "first_incident_time_after",
    "first_incident_time_before",
    "last_incident_time_after",
    "last_incident_time_before",
    "start_date",
    "end_date",
)
"""The date-time filters of ``GET /issues``, each an RFC 3339 date-time."""


def _iso(micros: int | None) -> str | None:
    return None if micros is None else msgspec.json.encode(clock.from_micros(micros)).decode().strip('"')


def sync_status_document(state: SyncState, next_start: int | None) -> SyncStatus:
    """Merge's ``SyncStatus``; ``next_start`` is when the schedule (or a retry) next syncs the model."""
    return SyncStatus(
        model_name=state.model,
        model_id=f"accounting.{state.model}",
        last_sync_start=_iso(state.last_sync_start),
        next_sync_start=_iso(next_start),
        last_sync_result=state.last_sync_result,
        last_sync_finished=_iso(state.last_sync_finished),
        data_fresh_as_of=_iso(state.data_fresh_as_of),
        historical_data_since=None,
        status=state.status,
        sync_status_reason=state.reason,
        is_initial_sync=state.is_initial_sync,
        selective_sync_configurations_usage=None,
    )


async def account_sync_statuses(
    session: ReadSession | WriteSession, *, account_id: uuid.UUID, interval_seconds: int
) -> list[SyncStatus]:
    """Every model's ``SyncStatus`` for the account, ``next_sync_start`` read from the schedule the workers keep
    (:func:`ledgerport.sync.tasks.next_sync_start`): the ticker syncs the whole account, so its models share it
    unless one waits for a retry of its own."""
    states = await list_sync_states(session, linked_account_id=account_id)  # type: ignore[arg-type]
    scheduled = await is_scheduled(session, linked_account_id=account_id)
    queued_at = await next_queued(session, linked_account_id=account_id, kind=SYNC_RUN)
    oldest = min((state.last_sync_finished or 0 for state in states), default=None)
    now = clock.now_micros()
    statuses = [
        sync_status_document(
            state,
            next_sync_start(
                queued_at=queued_at,
                scheduled=scheduled,
                oldest_finished=oldest,
                retry_at=state.next_sync_start,
                interval_seconds=interval_seconds,
                now=now,
            ),
        )
        for state in states
    ]
    scopes = await account_scopes(session, linked_account_id=account_id)
    return [_under_scopes(status, state, scopes) for status, state in zip(statuses, states, strict=True)]


def _under_scopes(status: SyncStatus, state: SyncState, scopes: AccountScopes) -> SyncStatus:
    """Merge's ``DISABLED`` for a model the account's scopes do not read, and for a model with selective-sync
    conditions whether the last sync ran under them (``IN_LAST_SYNC``) or only the next will (``IN_NEXT_SYNC``)."""
    if not scopes.reads(state.model):
        return msgspec.structs.replace(status, status="DISABLED")
    if scopes.conditions_of(state.model):
        ran = state.last_sync_start is not None and state.last_sync_start >= (scopes.updated_at or 0)
        return msgspec.structs.replace(
            status, selective_sync_configurations_usage="IN_LAST_SYNC" if ran else "IN_NEXT_SYNC"
        )
    return status


@get("/sync-status", name="sync-status", include_in_schema=False)
async def list_sync_status(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Every model's sync state for the linked account (one page: there are fewer models than a page holds)."""
    account = await authenticate_account(request)
    scope = list_scope("sync-status", account.id)
    parse_page(request.query_params, scope)  # validated for Merge compatibility; the list always fits one page
    context = context_of(request)
    async with context.database.read() as session:
        statuses = await account_sync_statuses(
            session, account_id=account.id, interval_seconds=context.sync_interval_seconds
        )
    results = [msgspec.json.encode(status) for status in statuses]
    body = list_body(results, next_cursor=None, previous_cursor=None, scope=scope)
    return Response(content=body, media_type=MediaType.JSON)


def issue_document(issue: IssueRow) -> Issue:
    """Merge's ``Issue``."""
    return Issue(
        id=str(issue.id),
        status=issue.status,
        error_description=issue.error_description,
        end_user=IssueEndUser(
            id=None if issue.linked_account_id is None else str(issue.linked_account_id),
            end_user_organization_name=issue.end_user_organization_name,
            end_user_email_address=issue.end_user_email_address,
            end_user_origin_id=issue.end_user_origin_id,
            integration_name=issue.integration_name,
        ),
        first_incident_time=_iso(issue.first_incident_time),
        last_incident_time=_iso(issue.last_incident_time),
        is_muted=issue.is_muted,
        error_details=_details(issue.error_details),
    )


def _details(stored: Any) -> list[str]:
    """Merge's ``error_details`` is a list of strings; rows written before it was stored as one are shown empty
    (they held internal details)."""
    return [item for item in stored if isinstance(item, str)] if isinstance(stored, list) else []


def _micros(params: Any, name: str) -> int | None:
    raw = params.get(name)
    if raw is None:
        return None
    try:
        return clock.to_micros(parse_rfc3339(raw))
    except ValueError as exc:
        raise BadRequest(f"Query parameter '{name}' must be an RFC 3339 date-time, not {raw!r}.") from exc


@get("/issues", name="issues", include_in_schema=False)
async def list_issues_handler(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The organization's issues, with Merge's filters."""
    organization_id = await authenticate_organization(request)
    params = request.query_params
    scope = list_scope("issues", organization_id)
    page = parse_page(params, scope)
    status = params.get("status")
    if status is not None and status not in ISSUE_STATUSES:
        raise BadRequest(f"Query parameter 'status' must be ONGOING or RESOLVED, not {status!r}.")
    linked = params.get("linked_account_id")
    filters: dict[str, Any] = {
        "status": status,
        "linked_account_id": None if linked is None else parse_uuid(linked),
        "integration_name": params.get("integration_name"),
        "end_user_organization_name": params.get("end_user_organization_name"),
        "include_muted": parse_bool(params, "include_muted"),
        **{name: _micros(params, name) for name in ISSUE_TIME_FILTERS},
    }
    if linked is not None and filters["linked_account_id"] is None:
        raise BadRequest("Query parameter 'linked_account_id' must be a UUID.")
    cursor = page.cursor
    async with context_of(request).database.read() as session:
        rows = await list_issues(
            session,
            organization_id=organization_id,
            filters=filters,
            after=None if cursor is None else (cursor.created, parse_uuid(cursor.id)),  # type: ignore[arg-type]
            reverse=cursor is not None and cursor.reverse,
            inclusive=cursor is not None and cursor.inclusive,
            limit=page.page_size + 1,
        )
    shown = window(cursor, rows, page.page_size, lambda row: (row.first_incident_time, str(row.id)))
    results = [msgspec.json.encode(issue_document(row)) for row in shown.rows]
    return Response(
        content=list_body(results, next_cursor=shown.next, previous_cursor=shown.previous, scope=scope),
        media_type=MediaType.JSON,
    )


@get("/issues/{issue_id:str}", name="issue", include_in_schema=False)
async def retrieve_issue(request: Request[Any, Any, Any], issue_id: str) -> Response[bytes]:
    """One of the organization's issues."""
    organization_id = await authenticate_organization(request)
    wanted = parse_uuid(issue_id)
    if wanted is None:
        raise NotFound()
    async with context_of(request).database.read() as session:
        issue = await find_issue(session, organization_id=organization_id, issue_id=wanted)
    if issue is None:
        raise NotFound()
    return Response(content=msgspec.json.encode(issue_document(issue)), media_type=MediaType.JSON)


SYNC_STATUS_HANDLERS = [list_sync_status, list_issues_handler, retrieve_issue]
