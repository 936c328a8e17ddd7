"""The HTTP side of OAuth 2.0: the consent page and the token endpoint (``auth.py`` holds the state)."""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from ledgerport.sandboxes.netsuite.auth import ENTITY, ROLE
from ledgerport.sandboxes.netsuite.state import Sandbox
from ledgerport.sandboxes.netsuite.wire import Request, Response, basic_credentials, json_response

__all__ = ["authorize", "authorize_submit", "token"]


def _oauth_error(code: str, status: int = 400) -> Response:
    return json_response({"error": code}, status)


def _redirect(sandbox: Sandbox, client_id: str, redirect_uri: str, scope: str, state: str) -> Response:
    code = sandbox.authority.authorize(client_id, redirect_uri, scope)
    query = urlencode(
        {"code": code, "state": state, "role": ROLE, "entity": ENTITY, "company": sandbox.account.account_id}
    )
    separator = "&" if "?" in redirect_uri else "?"
    return Response(302, b"", None, [("location", f"{redirect_uri}{separator}{query}")])


async def authorize(sandbox: Sandbox, request: Request) -> Response:
    """``GET /app/login/oauth2/authorize.nl``: a consent form, or with the sandbox-only ``auto_approve=true`` the
    redirect at once (ledgerport's headless linking)."""
    client_id = request.arg("client_id") or ""
    redirect_uri = request.arg("redirect_uri") or ""
    scope = request.arg("scope") or ""
    state = request.arg("state") or ""
    if request.arg("response_type") != "code" or client_id not in sandbox.authority.clients or not redirect_uri:
        body = b"<html><body><h1>Error</h1><p>InvalidRequest: unknown client or bad request.</p></body></html>"
        return Response(400, body, "text/html; charset=UTF-8")
    if not {"rest_webservices", "restlets", "suite_analytics"} & set(scope.replace(",", " ").split()):
        body = b"<html><body><h1>Error</h1><p>ScopeMismatched</p></body></html>"
        return Response(400, body, "text/html; charset=UTF-8")
    if (request.arg("auto_approve") or "").lower() == "true":
        return _redirect(sandbox, client_id, redirect_uri, scope, state)
    fields = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">'
        for k, v in {"client_id": client_id, "redirect_uri": redirect_uri, "scope": scope, "state": state}.items()
    )
    html = (
        "<html><body><h1>NetSuite sandbox</h1>"
        f"<p>Allow {escape(client_id)} to access account {escape(sandbox.account.account_id)}?</p>"
        f'<form method="post" action="{escape(request.root_path)}/app/login/oauth2/authorize.nl">{fields}'
        '<button type="submit">Allow</button></form></body></html>'
    )
    return Response(200, html.encode(), "text/html; charset=UTF-8")


async def authorize_submit(sandbox: Sandbox, request: Request) -> Response:
    """The consent form's "Allow"."""
    form = request.form()
    if form.get("client_id") not in sandbox.authority.clients:
        return Response(400, b"<html><body>InvalidRequest</body></html>", "text/html; charset=UTF-8")
    return _redirect(
        sandbox, form["client_id"], form.get("redirect_uri", ""), form.get("scope", ""), form.get("state", "")
    )


async def token(sandbox: Sandbox, request: Request) -> Response:
    """``POST /services/rest/auth/oauth2/v1/token``."""
    credentials = basic_credentials(request)
    form = request.form()
    if credentials is None and form.get("client_id"):
        credentials = (form["client_id"], form.get("client_secret", ""))
    if credentials is None or not sandbox.authority.check_client(*credentials):
        return _oauth_error("invalid_client", 401)
    client_id = credentials[0]
    grant_type = form.get("grant_type")
    try:
        if grant_type == "authorization_code":
            answer = sandbox.authority.exchange(client_id, form.get("code", ""), form.get("redirect_uri", ""))
        elif grant_type == "refresh_token":
            answer = sandbox.authority.refresh(client_id, form.get("refresh_token", ""))
        else:
            return _oauth_error("unsupported_grant_type")
    except ValueError as error:
        return _oauth_error(str(error))
    return json_response(answer)
