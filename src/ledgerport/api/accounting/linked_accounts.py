"""Linked-account endpoints: ``account-details`` and ``delete-account`` (account token), ``linked-accounts``
(organization level).
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import MediaType, Request, Response, get, post

from ledgerport.api.accounting.integrations import model_operations, passthrough_available
from ledgerport.api.auth import actor_of, authenticate_account, authenticate_organization
from ledgerport.api.context import context_of
from ledgerport.api.errors import BadRequest
from ledgerport.api.pages import list_body, window
from ledgerport.api.params import list_scope, parse_bool, parse_page, parse_uuid
from ledgerport.api.shapes import AccountDetails, AccountDetailsAndActions, AccountDetailsAndActionsIntegration
from ledgerport.kit import clock
from ledgerport.models.integrations import INTEGRATIONS, Integration
from ledgerport.store.accounts import (
    AccountFilters,
    LinkedAccount,
    delete_linked_account,
    find_linked_account_by_id,
    list_linked_accounts,
)

__all__ = ["ACCOUNT_CATEGORIES", "ACCOUNT_STATUSES", "LINKED_ACCOUNT_HANDLERS"]

ACCOUNT_STATUSES = ("COMPLETE", "INCOMPLETE", "RELINK_NEEDED", "IDLE")
ACCOUNT_CATEGORIES = ("hris", "ats", "accounting", "ticketing", "crm", "mktg", "filestorage", "knowledgebase", "chat")


def _integration(account: LinkedAccount) -> Integration:
    return INTEGRATIONS.get(account.integration) or Integration(
        slug=account.integration,
        name=account.integration_name,
        abbreviated_name=account.integration_name,
        color="#000000",
    )


def _iso(micros: int | None) -> str | None:
    return None if micros is None else clock.from_micros(micros).isoformat().replace("+00:00", "Z")


def account_details(account: LinkedAccount) -> AccountDetails:
    """Merge's ``AccountDetails``."""
    return AccountDetails(
        id=str(account.id),
        integration=account.integration_name,
        integration_slug=account.integration,
        category=account.category,
        end_user_origin_id=account.end_user_origin_id,
        end_user_organization_name=account.end_user_organization_name,
        end_user_email_address=account.end_user_email_address,
        status=account.status,
        webhook_listener_url=None,
        is_duplicate=None if account.is_test_account else False,
        account_type="TEST" if account.is_test_account else "PRODUCTION",
        completed_at=_iso(account.completed_at),
        instance_id=None,
        instance_display_value=None,
    )


def account_details_and_actions(account: LinkedAccount) -> AccountDetailsAndActions:
    """Merge's ``AccountDetailsAndActions`` (a ``linked-accounts`` result)."""
    integration = _integration(account)
    return AccountDetailsAndActions(
        id=str(account.id),
        category=account.category,
        status=account.status,
        status_detail="",
        end_user_origin_id=account.end_user_origin_id,
        end_user_organization_name=account.end_user_organization_name,
        end_user_email_address=account.end_user_email_address,
        subdomain=None,
        webhook_listener_url="",
        is_duplicate=None if account.is_test_account else False,
        integration=AccountDetailsAndActionsIntegration(
            name=integration.name,
            categories=[account.category],
            image=None,
            square_image=None,
            color=integration.color,
            slug=integration.slug,
            passthrough_available=passthrough_available(integration.slug),
            available_model_operations=model_operations(integration.slug),
        ),
        account_type="TEST" if account.is_test_account else "PRODUCTION",
        completed_at=_iso(account.completed_at),
        integration_specific_fields={},
    )


def _choice(params: Any, name: str, choices: tuple[str, ...]) -> str | None:
    value = params.get(name)
    if value is not None and value not in choices:
        raise BadRequest(f"Query parameter '{name}' must be one of {', '.join(choices)}, not {value!r}.")
    return value


def _ids(params: Any) -> list[Any] | None:
    raw = [params["id"]] if params.get("id") else []
    raw += [part for part in (params.get("ids") or "").split(",") if part.strip()]
    if not raw and params.get("ids") is None:
        return None
    ids = [parse_uuid(value.strip()) for value in raw]
    if any(value is None for value in ids):
        raise BadRequest("Query parameters 'id' and 'ids' must hold linked account UUIDs.")
    return ids


def _filters(params: Any) -> AccountFilters:
    origin_ids = params.get("end_user_origin_ids")
    test = parse_bool(params, "is_test_account")
    return AccountFilters(
        category=_choice(params, "category", ACCOUNT_CATEGORIES),
        end_user_email_address=params.get("end_user_email_address"),
        end_user_organization_name=params.get("end_user_organization_name"),
        end_user_origin_id=params.get("end_user_origin_id"),
        end_user_origin_ids=None if origin_ids is None else [v.strip() for v in origin_ids.split(",") if v.strip()],
        ids=_ids(params),
        integration_name=params.get("integration_name"),
        # Merge: "If not included, will only include non-test linked accounts."
        is_test_account=bool(test),
        status=_choice(params, "status", ACCOUNT_STATUSES),
    )


@get("/account-details", name="account-details", include_in_schema=False)
async def retrieve_account_details(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The linked account behind the account token, read afresh: its ``status`` changes as syncs run, and the
    credential cache may hold an older copy."""
    account = await authenticate_account(request)
    async with context_of(request).database.read() as session:
        account = await find_linked_account_by_id(session, account_id=account.id) or account
    return Response(content=msgspec.json.encode(account_details(account)), media_type=MediaType.JSON)


@get("/linked-accounts", name="linked-accounts", include_in_schema=False)
async def list_linked_accounts_handler(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The organization's linked accounts, filtered and paged like every Merge list."""
    organization_id = await authenticate_organization(request)
    params = request.query_params
    scope = list_scope("linked-accounts", organization_id)
    page = parse_page(params, scope)
    filters = _filters(params)
    if filters.integration_name is not None:
        wanted = filters.integration_name.lower()
        names = [i.name for i in INTEGRATIONS.values() if wanted in {i.slug, i.name.lower()}]
        filters = msgspec.structs.replace(filters, integration_name=names[0] if names else filters.integration_name)
    cursor = page.cursor
    after = None if cursor is None else (cursor.created, parse_uuid(cursor.id))
    reverse = cursor is not None and cursor.reverse
    async with context_of(request).database.read() as session:
        rows = await list_linked_accounts(
            session,
            organization_id=organization_id,
            filters=filters,
            after=after,  # type: ignore[arg-type]
            reverse=reverse,
            limit=page.page_size + 1,
            inclusive=cursor is not None and cursor.inclusive,
        )
    page_rows = window(cursor, rows, page.page_size, lambda row: (row.created_at, str(row.id)))
    results = [msgspec.json.encode(account_details_and_actions(row)) for row in page_rows.rows]
    body = list_body(results, next_cursor=page_rows.next, previous_cursor=page_rows.previous, scope=scope)
    return Response(content=body, media_type=MediaType.JSON)


@post("/delete-account", name="delete-account", status_code=200, include_in_schema=False)
async def delete_account(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Delete the linked account behind the account token and every record synced for it."""
    account = await authenticate_account(request)
    context = context_of(request)
    async with context.database.write() as session:
        await delete_linked_account(session, account_id=account.id, actor=actor_of(request))
    context.credentials.forget_account(account.id)
    return Response(content=b"{}", media_type=MediaType.JSON)


LINKED_ACCOUNT_HANDLERS = [retrieve_account_details, list_linked_accounts_handler, delete_account]
