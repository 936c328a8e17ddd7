"""Linked accounts: the list, one account's page (sync status, sync history, issues, provider calls, writes), and
what may be done to an account: resync, delete, relink.

Resync and delete take the API's own paths (``queue_sync``, as ``POST /sync-status/resync`` does;
``delete_linked_account``, as ``POST /delete-account`` does). Every read is limited to the signed-in organization;
another organization's account id answers 404.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from litestar import Request, Response, get, post

from ledgerport.dashboard.context import DashboardContext, dashboard_context
from ledgerport.dashboard.gate import Missing, Visitor, html_page, parse_id, posted, see_other, signed_in
from ledgerport.dashboard.templates import Raw, badge, duration, esc, page, post_button, table, when
from ledgerport.kit import clock
from ledgerport.store import ReadSession
from ledgerport.store.accounts import LinkedAccount, delete_linked_account, find_linked_account
from ledgerport.store.activity import (
    list_provider_calls,
    list_write_operations,
    list_write_tasks,
    summarize_accounts,
)
from ledgerport.store.issues import list_issues
from ledgerport.store.overview import list_account_summaries
from ledgerport.store.sync_runs import SyncRun, list_sync_runs
from ledgerport.store.sync_states import list_sync_states
from ledgerport.sync.tasks import SYNC_RUN, account_next_sync, queue_sync

__all__ = ["ACCOUNT_HANDLERS"]


async def _next_syncs(
    db: ReadSession, organization_id: uuid.UUID, interval_seconds: int
) -> dict[uuid.UUID, int | None]:
    """When the schedule next syncs each of the organization's accounts: the rule ``/sync-status`` and the CLI use."""
    now = clock.now_micros()
    found = await list_account_summaries(db, sync_kind=SYNC_RUN, organization_id=organization_id)
    return {one.account.id: account_next_sync(one, interval_seconds=interval_seconds, now=now) for one in found}


def _path(account_id: uuid.UUID, action: str = "") -> str:
    return f"/dashboard/accounts/{account_id}{action}"


@get("/accounts", name="dashboard-accounts", include_in_schema=False)
async def list_accounts(request: Request[Any, Any, Any]) -> Response[str]:
    """Every linked account of the organization, with where its syncs stand."""
    visitor = await signed_in(request)
    context = dashboard_context(request)
    async with context.database.read() as db:
        summaries = await summarize_accounts(db, organization_id=visitor.organization_id, sync_kinds=[SYNC_RUN])
        upcoming = await _next_syncs(db, visitor.organization_id, context.sync_interval_seconds)
    rows = [
        (
            Raw(
                f'<a href="{esc(_path(s.account.id))}">{esc(s.account.end_user_organization_name)}</a>'
                f'<br><span class="muted">{esc(s.account.end_user_email_address or "")}</span>'
            ),
            s.account.integration_name,
            Raw(badge(s.account.status) + (" " + badge("QUEUED") if s.sync_waiting else "")),
            when(s.last_sync_finished),
            when(upcoming.get(s.account.id)),
            Raw(badge("ONGOING") + f" {s.open_issues}") if s.open_issues else Raw('<span class="muted">none</span>'),
            Raw(
                '<span class="row">'
                + post_button(_path(s.account.id, "/resync"), "Resync", visitor.csrf, style="quiet")
                + f'<a href="{esc(_path(s.account.id))}">Details</a></span>'
            ),
        )
        for s in summaries
    ]
    body = (
        "<h1>Linked accounts</h1>"
        f'<p class="lead">{len(summaries)} account{"" if len(summaries) == 1 else "s"} linked to '
        f"{esc(visitor.organization_name)}.</p>"
        + table(
            ["End user", "Integration", "Status", "Last sync", "Next sync", "Open issues", ""],
            rows,
            empty="No linked accounts yet. Create a link token with the API and send the end user the link.",
        )
    )
    return html_page(_frame(visitor, "Linked accounts", body, request))


def _frame(visitor: Visitor, title: str, body: str, request: Request[Any, Any, Any], current: str = "accounts") -> str:
    return page(
        title,
        body,
        organization_name=visitor.organization_name,
        csrf=visitor.csrf,
        current=current,
        notice=request.query_params.get("notice"),
    )


async def _account(context: DashboardContext, visitor: Visitor, raw_id: str) -> LinkedAccount:
    account_id = parse_id(raw_id)
    async with context.database.read() as db:
        account = await find_linked_account(db, organization_id=visitor.organization_id, account_id=account_id)
    if account is None:
        raise Missing()
    return account


def _records(counts: dict[str, int]) -> str:
    return ", ".join(f"{model} {count}" for model, count in sorted(counts.items()) if count) or "—"


def _run_row(run: SyncRun) -> tuple[object, ...]:
    return (
        when(run.started_at),
        duration(run.finished_at - run.started_at),
        badge(run.result),
        _records(run.fetched),
        _records(run.deleted),
        run.requests,
        run.reason or "",
    )


def _facts(account: LinkedAccount) -> str:
    facts = [
        ("Integration", esc(account.integration_name)),
        ("Status", badge(account.status)),
        ("End user", esc(account.end_user_organization_name)),
        ("Email", esc(account.end_user_email_address or "—")),
        ("Origin id", f'<span class="mono">{esc(account.end_user_origin_id or "—")}</span>'),
        ("Linked", when(account.completed_at)),
        ("Account id", f'<span class="mono">{esc(account.id)}</span>'),
        ("Kind", "test account" if account.is_test_account else "production"),
    ]
    return '<dl class="facts">' + "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in facts) + "</dl>"


def _relink(context: DashboardContext, account: LinkedAccount) -> str:
    body = json.dumps(
        {
            "end_user_organization_name": account.end_user_organization_name,
            "end_user_email_address": account.end_user_email_address or "",
            "end_user_origin_id": account.end_user_origin_id or "",
            "categories": ["accounting"],
            "integration": account.integration,
        },
        indent=2,
    )
    command = (
        f"curl -X POST {context.public_url}/api/accounting/v1/link-token \\\n"
        '  -H "Authorization: Bearer $LEDGERPORT_API_KEY" -H "Content-Type: application/json" \\\n'
        "  -d '" + body.replace("'", "'\\''") + "'"
    )
    urgent = " This account needs it: its grant at the provider is gone." if account.status == "RELINK_NEEDED" else ""
    return (
        f'<h2>Relink</h2><div class="panel"><p>A relink is a new link of the same end user.{esc(urgent)} Create a '
        "link token for them with the same integration preselected, and send them the <code>magic_link_url</code> "
        "it answers. Once their new account is linked and synced, delete this one.</p>"
        f'<pre class="howto">{esc(command)}</pre></div>'
    )


@get("/accounts/{account_id:str}", name="dashboard-account", include_in_schema=False)
async def show_account(request: Request[Any, Any, Any], account_id: str) -> Response[str]:
    """One account: its facts, each model's sync status, the sync history, issues, provider calls and writes."""
    visitor = await signed_in(request)
    context = dashboard_context(request)
    account = await _account(context, visitor, account_id)
    organization_id = visitor.organization_id
    async with context.database.read() as db:
        states = await list_sync_states(db, linked_account_id=account.id)
        runs = await list_sync_runs(db, organization_id=organization_id, linked_account_id=account.id)
        issues = await list_issues(
            db,
            organization_id=organization_id,
            filters={"linked_account_id": account.id, "status": "ONGOING"},
            after=None,
            reverse=True,
            inclusive=False,
            limit=50,
        )
        calls = await list_provider_calls(db, organization_id=organization_id, linked_account_id=account.id)
        operations = await list_write_operations(db, organization_id=organization_id, linked_account_id=account.id)
        tasks = await list_write_tasks(db, organization_id=organization_id, linked_account_id=account.id)
    actions = (
        '<div class="row">'
        + post_button(_path(account.id, "/resync"), "Resync now", visitor.csrf, style="primary")
        + f'<a class="button" href="{esc(_path(account.id, "/delete"))}">Delete…</a></div>'
    )
    body = "".join(
        [
            f'<p><a href="/dashboard/accounts">← Linked accounts</a></p><h1>{esc(account.end_user_organization_name)}'
            f' <span class="muted">· {esc(account.integration_name)}</span></h1>',
            f'<div class="panel">{_facts(account)}</div>{actions}',
            "<h2>Sync status</h2>",
            table(
                ["Model", "Status", "Last start", "Last finished", "Result", "Retry at", "Reason"],
                [
                    (
                        s.model,
                        badge(s.status),
                        when(s.last_sync_start),
                        when(s.last_sync_finished),
                        s.last_sync_result or "",
                        when(s.next_sync_start),
                        s.reason or "",
                    )
                    for s in states
                ],
                empty="No sync has started yet.",
            ),
            "<h2>Sync history</h2>",
            table(
                ["Started", "Took", "Result", "Records stored", "Records deleted", "Provider calls", "Reason"],
                [_run_row(run) for run in runs],
                empty="No sync run has finished yet.",
            ),
            "<h2>Open issues</h2>",
            table(
                ["Issue", "First seen", "Last seen"],
                [(i.error_description, when(i.first_incident_time), when(i.last_incident_time)) for i in issues],
                empty="No open issues.",
            ),
            "<h2>Provider calls</h2>",
            '<p class="lead">Calls that writes made with <code>is_debug_mode=true</code>, kept for a while; '
            "sync calls are counted in the sync history, not logged one by one.</p>",
            table(
                ["When", "Call", "Status", "Took"],
                [
                    (
                        when(c.created_at),
                        Raw(f'<span class="mono">{esc(c.method)} {esc(c.url)}</span>'),
                        c.status_code if c.status_code is not None else "no answer",
                        f"{c.duration_ms} ms",
                    )
                    for c in calls
                ],
                empty="No provider calls were logged.",
            ),
            "<h2>Writes</h2>",
            table(
                ["When", "Model", "Kind", "State", "Attempts", "Provider status", "Remote id"],
                [
                    (
                        when(o.created_at),
                        o.model,
                        o.kind,
                        badge(o.state),
                        o.attempts,
                        o.status_code if o.status_code is not None else "",
                        o.remote_id or "",
                    )
                    for o in operations
                ],
                empty="No writes.",
            ),
            "<h2>Asynchronous writes</h2>",
            table(
                ["Submitted", "Model", "Kind", "Status", "Answer", "Took"],
                [
                    (
                        when(t.created_at),
                        t.model,
                        t.kind,
                        badge(t.status),
                        t.status_code if t.status_code is not None else "",
                        duration(
                            None if t.finished_at is None or t.started_at is None else t.finished_at - t.started_at
                        ),
                    )
                    for t in tasks
                ],
                empty="No asynchronous writes.",
            ),
            _relink(context, account),
        ]
    )
    return html_page(_frame(visitor, account.end_user_organization_name, body, request))


@post("/accounts/{account_id:str}/resync", name="dashboard-account-resync", include_in_schema=False)
async def resync_account(request: Request[Any, Any, Any], account_id: str) -> Response[Any]:
    """Queue a sync now, as the API's force-resync does (one live sync per account: a queued one is not doubled)."""
    visitor, _form = await posted(request)
    context = dashboard_context(request)
    account = await _account(context, visitor, account_id)
    async with context.database.write() as db:
        await queue_sync(db, linked_account_id=account.id)
    return see_other(_path(account.id), notice="resync")


@get("/accounts/{account_id:str}/delete", name="dashboard-account-delete-confirm", include_in_schema=False)
async def confirm_delete(request: Request[Any, Any, Any], account_id: str) -> Response[str]:
    """The confirmation step before a delete."""
    visitor = await signed_in(request)
    account = await _account(dashboard_context(request), visitor, account_id)
    body = (
        f"<h1>Delete {esc(account.end_user_organization_name)}?</h1>"
        f'<div class="panel"><p>This deletes the linked {esc(account.integration_name)} account and every record '
        "synced for it. Its account token stops working at once. The data at the provider is not touched.</p>"
        '<div class="row">'
        + post_button(_path(account.id, "/delete"), "Delete this account", visitor.csrf, style="danger")
        + f'<a class="button" href="{esc(_path(account.id))}">Cancel</a></div></div>'
    )
    return html_page(_frame(visitor, "Delete account", body, request))


@post("/accounts/{account_id:str}/delete", name="dashboard-account-delete", include_in_schema=False)
async def delete_account(request: Request[Any, Any, Any], account_id: str) -> Response[Any]:
    """Delete the account and its records, as the API's ``delete-account`` does."""
    visitor, _form = await posted(request)
    context = dashboard_context(request)
    account = await _account(context, visitor, account_id)
    async with context.database.write() as db:
        await delete_linked_account(db, account_id=account.id, actor=visitor.actor)
    context.account_deleted(account.id)
    return see_other("/dashboard/accounts", notice="deleted")


ACCOUNT_HANDLERS = [list_accounts, show_account, resync_account, confirm_delete, delete_account]
