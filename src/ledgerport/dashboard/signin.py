"""Signing in with an organization's API key, and out again; the stylesheet and the dashboard's front door.

A wrong key gets one sentence, the same for an unknown key and a revoked one, and spends the client address's
budget of failed lookups that the API's key checks spend too: the sign-in form is no faster way to guess keys
than the API.
"""

from __future__ import annotations

import secrets
from typing import Any

from litestar import Request, Response, get, post

from ledgerport.dashboard.context import dashboard_context
from ledgerport.dashboard.gate import html_page, posted, see_other
from ledgerport.dashboard.sessions import (
    SIGN_IN_COOKIE,
    cleared_cookies,
    new_session,
    open_session,
    same_token,
    session_cookie,
    sign_in_cookie,
)
from ledgerport.dashboard.style import STYLESHEET
from ledgerport.dashboard.templates import bare_page, esc
from ledgerport.store.accounts import resolve_api_key

__all__ = ["SIGN_IN_HANDLERS"]

WRONG_KEY = "That API key is not valid. Check it and try again."
_TOO_MANY = "Too many failed sign-ins from your address. Wait a minute and try again."


def _form(token: str) -> str:
    return (
        "<h1>ledgerport</h1>"
        '<div class="panel"><form method="post" action="/dashboard/sign-in">'
        f'<input type="hidden" name="csrf" value="{esc(token)}">'
        '<p><label for="api_key">Your organization\'s API key</label>'
        '<input type="password" id="api_key" name="api_key" autocomplete="off" required autofocus></p>'
        '<button type="submit" class="primary">Sign in</button></form></div>'
        '<p class="muted">The key is checked and forgotten: the dashboard keeps a session, never the key.</p>'
    )


def _sign_in_page(request: Request[Any, Any, Any], *, status: int = 200, error: str | None = None) -> Response[str]:
    token = secrets.token_urlsafe(32)
    notice = request.query_params.get("notice")
    return html_page(
        bare_page("Sign in", _form(token), notice=notice, error=error),
        status=status,
        cookies=[sign_in_cookie(request, token)],
    )


@get("/sign-in", name="dashboard-sign-in", include_in_schema=False)
async def show_sign_in(request: Request[Any, Any, Any]) -> Response[Any]:
    """The sign-in form (straight to the accounts when a session is open)."""
    if open_session(request, dashboard_context(request).sealer) is not None:
        return see_other("/dashboard/accounts")
    return _sign_in_page(request)


def _address(request: Request[Any, Any, Any]) -> str:
    return "unknown" if request.client is None else request.client.host


@post("/sign-in", name="dashboard-sign-in-post", include_in_schema=False)
async def sign_in(request: Request[Any, Any, Any]) -> Response[Any]:
    """Check the key; on success a session cookie and the accounts page."""
    context = dashboard_context(request)
    form = await request.form()
    if not same_token(request.cookies.get(SIGN_IN_COOKIE), form.get("csrf")):
        return _sign_in_page(request, status=403, error="The sign-in form expired. Please try again.")
    failures = context.failure_quota
    if failures is not None and not (await failures.check(_address(request))).allowed:
        return _sign_in_page(request, status=429, error=_TOO_MANY)
    secret = str(form.get("api_key") or "").strip()
    async with context.database.read() as db:
        key = None if not secret or len(secret) > 200 else await resolve_api_key(db, secret=secret)
    if key is None:
        if failures is not None:
            await failures.hit(_address(request))
        return _sign_in_page(request, status=401, error=WRONG_KEY)
    session = new_session(organization_id=key.organization_id, key_id=key.id, seconds=context.session_seconds)
    cookies = [*cleared_cookies(request)[1:], session_cookie(request, context.sealer, session)]
    return see_other("/dashboard/accounts", cookies=cookies)


@post("/sign-out", name="dashboard-sign-out", include_in_schema=False)
async def sign_out(request: Request[Any, Any, Any]) -> Response[Any]:
    """End the session in this browser."""
    await posted(request)
    return see_other("/dashboard/sign-in", notice="signed-out", cookies=cleared_cookies(request))


@get("/", name="dashboard", include_in_schema=False)
async def front_door() -> Response[Any]:
    """The dashboard opens on the linked accounts (which send a stranger to sign in)."""
    return see_other("/dashboard/accounts")


@get("/style.css", name="dashboard-style", include_in_schema=False)
async def stylesheet() -> Response[str]:
    """The one stylesheet."""
    return Response(
        content=STYLESHEET, media_type="text/css; charset=utf-8", headers={"Cache-Control": "public, max-age=3600"}
    )


SIGN_IN_HANDLERS = [show_sign_in, sign_in, sign_out, front_door, stylesheet]
