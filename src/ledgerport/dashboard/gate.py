"""Who is signed in, and the checks every dashboard handler runs before it does anything.

A page (GET) without a live session redirects to the sign-in page. A form (POST) needs a live session and the
session's CSRF token, or it is refused with 403 and nothing happens. An id in a URL that is not the organization's
answers 404, exactly as an id that does not exist: a tenant learns nothing about another's.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import msgspec
from litestar import MediaType, Request, Response
from litestar.datastructures import Cookie, FormMultiDict

from ledgerport.dashboard.context import dashboard_context
from ledgerport.dashboard.sessions import Session, cleared_cookies, open_session, same_token
from ledgerport.dashboard.templates import PAGE_POLICY, bare_page, esc
from ledgerport.store.accounts import find_live_api_key, find_organization_name
from ledgerport.store.audit import Actor

__all__ = [
    "DASHBOARD_EXCEPTION_HANDLERS",
    "Missing",
    "Refused",
    "SignInNeeded",
    "Visitor",
    "html_page",
    "parse_id",
    "posted",
    "see_other",
    "signed_in",
]

_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": PAGE_POLICY,
    "X-Frame-Options": "DENY",
}
"""Pages show tenants' data and one-time secrets: never cached, never framed, no script or inline style."""


class SignInNeeded(Exception):
    """No live session: the visitor is sent to the sign-in page."""


class Refused(Exception):
    """A form came without a live session or with the wrong CSRF token (403)."""


class Missing(Exception):
    """No such thing in this organization (404)."""


class Visitor(msgspec.Struct, frozen=True, kw_only=True):
    """The signed-in organization."""

    session: Session
    organization_name: str
    key_name: str = ""
    ip_address: str = ""

    @property
    def organization_id(self) -> uuid.UUID:
        """Whose data every query of the request is limited to."""
        return self.session.organization_id

    @property
    def actor(self) -> Actor:
        """Who the audit trail says acted: an operator (Merge's ``ADMIN``) signed in to the dashboard."""
        return Actor(role="ADMIN", ip_address=self.ip_address, user_name=f"dashboard (key '{self.key_name}')")

    @property
    def csrf(self) -> str:
        """The token each form of the page carries."""
        return self.session.csrf


def html_page(content: str, *, status: int = 200, cookies: list[Cookie] | None = None) -> Response[str]:
    """An HTML answer with the dashboard's headers."""
    return Response(content=content, status_code=status, media_type=MediaType.HTML, headers=_HEADERS, cookies=cookies)


def see_other(path: str, *, notice: str | None = None, cookies: list[Cookie] | None = None) -> Response[Any]:
    """POST-redirect-GET: a 303 to ``path`` (a constant of ours), optionally naming a notice to show there."""
    target = path if notice is None else f"{path}?{urlencode({'notice': notice})}"
    return Response(content=b"", status_code=303, headers={**_HEADERS, "Location": target}, cookies=cookies)


async def _visitor(request: Request[Any, Any, Any]) -> Visitor | None:
    context = dashboard_context(request)
    session = open_session(request, context.sealer)
    if session is None:
        return None
    async with context.database.read() as db:
        key = await find_live_api_key(db, organization_id=session.organization_id, key_id=session.key_id)
        name = None if key is None else await find_organization_name(db, organization_id=session.organization_id)
    if key is None or name is None:
        return None
    address = "unknown" if request.client is None else request.client.host
    return Visitor(session=session, organization_name=name, key_name=key.name, ip_address=address)


async def signed_in(request: Request[Any, Any, Any]) -> Visitor:
    """The visitor of a page; :class:`SignInNeeded` without a live session."""
    visitor = await _visitor(request)
    if visitor is None:
        raise SignInNeeded()
    return visitor


async def posted(request: Request[Any, Any, Any]) -> tuple[Visitor, FormMultiDict]:
    """The visitor and the form of a POST whose CSRF token is the session's; :class:`Refused` otherwise."""
    visitor = await _visitor(request)
    if visitor is None:
        raise Refused("Your session has ended. Sign in again, then repeat what you were doing.")
    form = await request.form()
    if not same_token(visitor.csrf, form.get("csrf")):
        raise Refused("This form has expired or did not come from this dashboard. Reload the page and try again.")
    return visitor, form


def parse_id(raw: str) -> uuid.UUID:
    """An id from a URL; :class:`Missing` when it is not one."""
    try:
        return uuid.UUID(raw)
    except ValueError as exc:
        raise Missing() from exc


def _sign_in_needed(request: Request[Any, Any, Any], _exc: SignInNeeded) -> Response[Any]:
    notice = "expired" if request.cookies.get("ledgerport_dashboard") else None
    return see_other("/dashboard/sign-in", notice=notice, cookies=cleared_cookies(request) if notice else None)


def _refused(_request: Request[Any, Any, Any], exc: Refused) -> Response[str]:
    body = '<h1>Not allowed</h1><p><a href="/dashboard/accounts">Back to the dashboard</a></p>'
    return html_page(bare_page("Not allowed", body, error=str(exc)), status=403)


def _missing(_request: Request[Any, Any, Any], _exc: Missing) -> Response[str]:
    body = (
        "<h1>Not found</h1><p>There is nothing here in your organization.</p>"
        f'<p><a href="{esc("/dashboard/accounts")}">Back to the dashboard</a></p>'
    )
    return html_page(bare_page("Not found", body), status=404)


DASHBOARD_EXCEPTION_HANDLERS: Mapping[type[Exception], Any] = {
    SignInNeeded: _sign_in_needed,
    Refused: _refused,
    Missing: _missing,
}
"""The dashboard router's answers to its own exceptions."""
