"""Webhook endpoints and their delivery logs: add an endpoint (its signing key shown once), switch it on or off,
and replay deliveries.

Adding and changing go through :mod:`ledgerport.webhooks.endpoints`, the functions the API and the CLI share, so
the same addresses are refused everywhere; a replay is the store's ``replay``, as the API's is. An endpoint of
another organization answers 404.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post

from ledgerport.dashboard.context import DashboardContext, dashboard_context
from ledgerport.dashboard.gate import Missing, Visitor, html_page, parse_id, posted, see_other, signed_in
from ledgerport.dashboard.templates import Raw, badge, esc, page, post_button, table, when
from ledgerport.store import webhooks as rows
from ledgerport.webhooks.endpoints import EndpointRefused, add_endpoint, change_endpoint

__all__ = ["WEBHOOK_HANDLERS"]


def _path(endpoint_id: object, action: str = "") -> str:
    return f"/dashboard/webhooks/{endpoint_id}{action}"


def _frame(visitor: Visitor, title: str, body: str, *, notice: str | None, error: str | None = None) -> str:
    return page(
        title,
        body,
        organization_name=visitor.organization_name,
        csrf=visitor.csrf,
        current="webhooks",
        notice=notice,
        error=error,
    )


def _reason(reason: str | None) -> str:
    return f'<br><span class="muted">{esc(reason)}</span>' if reason else ""


def _endpoints_page(
    visitor: Visitor,
    endpoints: list[rows.Endpoint],
    *,
    notice: str | None,
    error: str | None = None,
    signing_key: str | None = None,
) -> str:
    listed = table(
        ["URL", "Events", "Status", "Last delivered", ""],
        [
            (
                Raw(f'<a href="{esc(_path(e.id))}" class="mono">{esc(e.url)}</a>'),
                "all" if e.events == [rows.ALL] else ", ".join(e.events),
                Raw(
                    badge(e.status)
                    + (f'<br><span class="muted">{esc(e.status_reason)}</span>' if e.status_reason else "")
                ),
                when(e.last_delivered_at),
                Raw(f'<a href="{esc(_path(e.id))}">Deliveries</a>'),
            )
            for e in endpoints
        ],
        empty="No webhook endpoints.",
    )
    shown = ""
    if signing_key is not None:
        shown = (
            '<div class="panel"><strong>The new endpoint\'s signing key</strong> — copy it now: it is shown this once. '
            "Check each delivery's <code>X-Merge-Webhook-Signature</code> with it."
            f'<code class="secret" id="signing-key">{esc(signing_key)}</code></div>'
        )
    add = (
        '<h2>Add an endpoint</h2><div class="panel"><form class="inline" method="post" action="/dashboard/webhooks">'
        f'<input type="hidden" name="csrf" value="{esc(visitor.csrf)}">'
        '<div><label for="url">URL</label><input type="url" id="url" name="url" required '
        'placeholder="https://example.com/hooks/ledgerport"></div>'
        '<div><label for="events">Events</label><input type="text" id="events" name="events" value="all" required>'
        "</div>"
        '<button type="submit" class="primary">Add endpoint</button></form>'
        '<p class="muted">Events: <code>all</code>, or names separated by commas such as '
        "<code>Invoice.added, LinkedAccount.sync_completed</code>.</p></div>"
    )
    body = "<h1>Webhook endpoints</h1>" + shown + listed + add
    return _frame(visitor, "Webhooks", body, notice=notice, error=error)


async def _endpoints(context: DashboardContext, visitor: Visitor) -> list[rows.Endpoint]:
    async with context.database.read() as db:
        return await rows.list_endpoints(db, organization_id=visitor.organization_id)


@get("/webhooks", name="dashboard-webhooks", include_in_schema=False)
async def show_endpoints(request: Request[Any, Any, Any]) -> Response[str]:
    """The organization's endpoints."""
    visitor = await signed_in(request)
    endpoints = await _endpoints(dashboard_context(request), visitor)
    return html_page(_endpoints_page(visitor, endpoints, notice=request.query_params.get("notice")))


@post("/webhooks", name="dashboard-webhooks-create", include_in_schema=False)
async def create_endpoint(request: Request[Any, Any, Any]) -> Response[str]:
    """A new endpoint, checked as the API checks it; its signing key is in this answer only."""
    visitor, form = await posted(request)
    context = dashboard_context(request)
    try:
        made = await add_endpoint(
            context.database,
            context.sealer,
            organization_id=visitor.organization_id,
            url=str(form.get("url") or "").strip()[:2000],
            events=str(form.get("events") or "").strip()[:2000],
            allow_private=context.webhook_allow_private,
            actor=visitor.actor,
        )
    except EndpointRefused as exc:
        endpoints = await _endpoints(context, visitor)
        return html_page(_endpoints_page(visitor, endpoints, notice=None, error=str(exc)), status=400)
    endpoints = await _endpoints(context, visitor)
    return html_page(_endpoints_page(visitor, endpoints, notice=None, signing_key=made.signing_key))


async def _endpoint(context: DashboardContext, visitor: Visitor, raw_id: str) -> rows.Endpoint:
    wanted = parse_id(raw_id)
    async with context.database.read() as db:
        found = await rows.find_endpoint(db, organization_id=visitor.organization_id, endpoint_id=wanted)
    if found is None:
        raise Missing()
    return found


@get("/webhooks/{endpoint_id:str}", name="dashboard-webhook", include_in_schema=False)
async def show_endpoint(request: Request[Any, Any, Any], endpoint_id: str) -> Response[str]:
    """One endpoint and its newest deliveries."""
    visitor = await signed_in(request)
    context = dashboard_context(request)
    endpoint = await _endpoint(context, visitor, endpoint_id)
    async with context.database.read() as db:
        deliveries = await rows.list_deliveries(db, endpoint_id=endpoint.id, limit=100)
    active = endpoint.status == rows.ACTIVE
    toggle = post_button(
        _path(endpoint.id, "/status"),
        "Disable" if active else "Enable",
        visitor.csrf,
        fields=[("active", "false" if active else "true")],
    )
    replay_all = post_button(_path(endpoint.id, "/replay"), "Replay every failed delivery", visitor.csrf)
    facts = (
        '<dl class="facts">'
        f'<dt>URL</dt><dd class="mono">{esc(endpoint.url)}</dd>'
        f"<dt>Events</dt><dd>{esc('all' if endpoint.events == [rows.ALL] else ', '.join(endpoint.events))}</dd>"
        f"<dt>Status</dt><dd>{badge(endpoint.status)} {esc(endpoint.status_reason or '')}</dd>"
        f"<dt>Failing since</dt><dd>{when(endpoint.failing_since)}</dd>"
        f"<dt>Last delivered</dt><dd>{when(endpoint.last_delivered_at)}</dd></dl>"
    )
    rows_shown = [
        (
            when(d.created_at),
            d.event,
            badge(d.status),
            d.attempts,
            when(d.last_attempt_at),
            d.last_status_code if d.last_status_code is not None else "",
            d.last_error or "",
            post_button(_path(endpoint.id, f"/deliveries/{d.id}/replay"), "Replay", visitor.csrf, style="quiet"),
        )
        for d in deliveries
    ]
    body = (
        f'<p><a href="/dashboard/webhooks">← Webhook endpoints</a></p><h1>Endpoint</h1>'
        f'<div class="panel">{facts}</div><div class="row">{toggle}{replay_all}</div><h2>Deliveries</h2>'
        + table(
            ["Event made", "Event", "Status", "Attempts", "Last attempt", "Answer", "Last error", ""],
            rows_shown,
            empty="Nothing was sent to this endpoint yet.",
        )
    )
    return html_page(_frame(visitor, "Endpoint", body, notice=request.query_params.get("notice")))


@post("/webhooks/{endpoint_id:str}/status", name="dashboard-webhook-status", include_in_schema=False)
async def set_endpoint_status(request: Request[Any, Any, Any], endpoint_id: str) -> Response[Any]:
    """Enable or disable the endpoint (enabling clears why it was disabled)."""
    visitor, form = await posted(request)
    context = dashboard_context(request)
    endpoint = await _endpoint(context, visitor, endpoint_id)
    changed = await change_endpoint(
        context.database,
        organization_id=visitor.organization_id,
        endpoint_id=endpoint.id,
        active=form.get("active") == "true",
        allow_private=context.webhook_allow_private,
        actor=visitor.actor,
    )
    if changed is None:
        raise Missing()
    return see_other(_path(endpoint.id), notice="endpoint-changed")


@post("/webhooks/{endpoint_id:str}/replay", name="dashboard-webhook-replay", include_in_schema=False)
async def replay_failed(request: Request[Any, Any, Any], endpoint_id: str) -> Response[Any]:
    """Queue every FAILED delivery again, with the bytes sent before."""
    visitor, _form = await posted(request)
    context = dashboard_context(request)
    endpoint = await _endpoint(context, visitor, endpoint_id)
    async with context.database.write() as db:
        count = await rows.replay(db, endpoint_id=endpoint.id)
    return see_other(_path(endpoint.id), notice="replayed-all" if count else "nothing-replayed")


@post(
    "/webhooks/{endpoint_id:str}/deliveries/{delivery_id:str}/replay",
    name="dashboard-webhook-replay-one",
    include_in_schema=False,
)
async def replay_one(request: Request[Any, Any, Any], endpoint_id: str, delivery_id: str) -> Response[Any]:
    """Queue one delivery again, whatever its status."""
    visitor, _form = await posted(request)
    context = dashboard_context(request)
    endpoint = await _endpoint(context, visitor, endpoint_id)
    wanted = parse_id(delivery_id)
    async with context.database.write() as db:
        count = await rows.replay(db, endpoint_id=endpoint.id, delivery_id=wanted)
    if count == 0:
        raise Missing()
    return see_other(_path(endpoint.id), notice="replayed")


WEBHOOK_HANDLERS = [show_endpoints, create_endpoint, show_endpoint, set_endpoint_status, replay_failed, replay_one]
