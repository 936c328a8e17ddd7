"""API keys: the list (a prefix names each key; the secret is never stored), a new key shown once, revocation.

A revoked key is refused by the API at once in this process and within the credential cache's time in others.
Revoking the key this session signed in with ends the session too.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post

from ledgerport.dashboard.context import dashboard_context
from ledgerport.dashboard.gate import Missing, Visitor, html_page, parse_id, posted, see_other, signed_in
from ledgerport.dashboard.sessions import cleared_cookies
from ledgerport.dashboard.templates import Raw, badge, esc, page, post_button, table, when
from ledgerport.store.accounts import ApiKey, create_api_key, list_api_keys, revoke_api_key_by_id

__all__ = ["KEY_HANDLERS"]

_NAME_LIMIT = 200


def _row(key: ApiKey, visitor: Visitor) -> tuple[object, ...]:
    mine = key.id == visitor.session.key_id
    label = "Revoke and sign out" if mine else "Revoke"
    action: object = (
        post_button(f"/dashboard/keys/{key.id}/revoke", label, visitor.csrf, style="quiet danger")
        if key.revoked_at is None
        else ""
    )
    return (
        Raw(esc(key.name) + (' <span class="muted">(this session)</span>' if mine else "")),
        Raw(f'<span class="mono">{esc(key.key_prefix)}…</span>'),
        when(key.created_at),
        badge("live" if key.revoked_at is None else "revoked"),
        when(key.revoked_at),
        action,
    )


def _keys_page(
    visitor: Visitor, keys: list[ApiKey], *, notice: str | None, new_secret: str | None = None, error: str | None = None
) -> str:
    shown = ""
    if new_secret is not None:
        shown = (
            '<div class="panel"><strong>Your new API key</strong> — copy it now: it is shown this once and never '
            f'again.<code class="secret" id="new-key">{esc(new_secret)}</code></div>'
        )
    create = (
        '<h2>Create a key</h2><div class="panel"><form class="inline" method="post" action="/dashboard/keys">'
        f'<input type="hidden" name="csrf" value="{esc(visitor.csrf)}">'
        '<div><label for="name">Name</label><input type="text" id="name" name="name" maxlength="200" '
        'placeholder="e.g. billing backend" required></div>'
        '<button type="submit" class="primary">Create key</button></form></div>'
    )
    body = (
        "<h1>API keys</h1>"
        '<p class="lead">Keys are stored as digests; a prefix names each one. Last use is not recorded.</p>'
        + shown
        + table(["Name", "Key", "Created", "State", "Revoked", ""], [_row(k, visitor) for k in keys], empty="No keys.")
        + create
    )
    return page(
        "API keys",
        body,
        organization_name=visitor.organization_name,
        csrf=visitor.csrf,
        current="keys",
        notice=notice,
        error=error,
    )


@get("/keys", name="dashboard-keys", include_in_schema=False)
async def show_keys(request: Request[Any, Any, Any]) -> Response[str]:
    """The organization's keys."""
    visitor = await signed_in(request)
    async with dashboard_context(request).database.read() as db:
        keys = await list_api_keys(db, organization_id=visitor.organization_id)
    return html_page(_keys_page(visitor, keys, notice=request.query_params.get("notice")))


@post("/keys", name="dashboard-keys-create", include_in_schema=False)
async def create_key(request: Request[Any, Any, Any]) -> Response[str]:
    """A new key, shown in this answer only (the page is not cached; reloading it does not show the key again)."""
    visitor, form = await posted(request)
    name = str(form.get("name") or "").strip()
    context = dashboard_context(request)
    if not name or len(name) > _NAME_LIMIT:
        async with context.database.read() as db:
            keys = await list_api_keys(db, organization_id=visitor.organization_id)
        error = f"A key needs a name of 1 to {_NAME_LIMIT} characters."
        return html_page(_keys_page(visitor, keys, notice=None, error=error), status=400)
    async with context.database.write() as db:
        made = await create_api_key(db, organization_id=visitor.organization_id, name=name, actor=visitor.actor)
        keys = await list_api_keys(db, organization_id=visitor.organization_id)
    return html_page(_keys_page(visitor, keys, notice=None, new_secret=made.secret))


@post("/keys/{key_id:str}/revoke", name="dashboard-keys-revoke", include_in_schema=False)
async def revoke_key(request: Request[Any, Any, Any], key_id: str) -> Response[Any]:
    """Revoke one of the organization's keys; another organization's key id answers 404."""
    visitor, _form = await posted(request)
    wanted = parse_id(key_id)
    context = dashboard_context(request)
    async with context.database.write() as db:
        keys = {key.id: key for key in await list_api_keys(db, organization_id=visitor.organization_id)}
        if wanted not in keys:
            raise Missing()
        revoked = await revoke_api_key_by_id(
            db, organization_id=visitor.organization_id, key_id=wanted, actor=visitor.actor
        )
    context.keys_revoked()
    if wanted == visitor.session.key_id:
        return see_other("/dashboard/sign-in", notice="revoked", cookies=cleared_cookies(request))
    return see_other("/dashboard/keys", notice="revoked" if revoked else "not-revoked")


KEY_HANDLERS = [show_keys, create_key, revoke_key]
