"""Intuit's OAuth 2.0 HTTP surface on top of ``_kit.OAuthServer``, and the bearer check of the API.

Paths are the real ones so only scheme+host change: ``/connect/oauth2`` (appcenter.intuit.com),
``/oauth2/v1/tokens/bearer`` (oauth.platform.intuit.com), ``/v2/oauth2/tokens/revoke`` (developer.api.intuit.com;
``/oauth2/v1/tokens/revoke`` is accepted too) and the discovery document ``/.well-known/openid_configuration/``,
which points every endpoint back at this sandbox so ``intuitlib.AuthClient(environment=<that URL>)`` works as is.

Sandbox-only extensions: ``auto_approve=true`` on the authorize URL skips the consent page (for automation), and
``realm_id=`` picks the company (default: the seeded one).

Refresh-token rotation: every refresh returns a new refresh token and the old one stops working (no grace period;
Intuit documents none and tells clients to always keep the latest). Replaying it gives 400 ``invalid_grant``.
"""

from __future__ import annotations

import html
from urllib.parse import urlencode

from ledgerport.sandboxes._kit import OAuthError, TokenPair
from ledgerport.sandboxes.quickbooks import errors
from ledgerport.sandboxes.quickbooks.state import Sandbox
from ledgerport.sandboxes.quickbooks.wire import (
    Request,
    Response,
    basic_credentials,
    decode_json,
    form,
    json_response,
)

__all__ = [
    "ACCESS_TTL",
    "REFRESH_TTL",
    "SCOPE",
    "approve",
    "authenticate",
    "authorize_page",
    "discovery",
    "revoke_token",
    "token",
    "userinfo",
]

ACCESS_TTL = 3_600
REFRESH_TTL = 8_726_400
SCOPE = "com.intuit.quickbooks.accounting"

_PAGE = """<!doctype html><html><head><title>QuickBooks sandbox: connect</title></head><body>
<h1>Connect to QuickBooks (sandbox)</h1><p>{client} wants access to your company data ({scope}).</p>
<form method="post" action="{action}">{hidden}<label>Company <select name="realm_id">{options}</select></label>
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Cancel</button></form></body></html>"""


def _error_page(message: str) -> Response:
    return Response(
        400,
        f"<html><body><h1>Error</h1><p>{html.escape(message)}</p></body></html>".encode(),
        "text/html;charset=UTF-8",
    )


def _redirect(location: str) -> Response:
    return Response(302, b"", "text/plain", [("location", location)])


def _check_authorize(sandbox: Sandbox, params: dict[str, str]) -> str | None:
    if params.get("client_id") not in sandbox.oauth.clients:
        return "invalid client_id"
    if params.get("response_type") != "code":
        return "response_type must be code"
    if not params.get("redirect_uri"):
        return "redirect_uri is required"
    if SCOPE not in params.get("scope", "").split() and "openid" not in params.get("scope", "").split():
        return f"scope must include {SCOPE}"
    if params.get("realm_id", sandbox.realm_ids[0]) not in sandbox.companies:
        return "unknown realm_id"
    return None


def _grant(sandbox: Sandbox, params: dict[str, str]) -> Response:
    realm = params.get("realm_id") or sandbox.realm_ids[0]
    code = sandbox.oauth.authorize(
        client_id=params["client_id"],
        redirect_uri=params["redirect_uri"],
        subject=realm,
        scopes=tuple(params["scope"].split()),
        extra={"realmId": realm},
    )
    query = urlencode({"code": code, "state": params.get("state", ""), "realmId": realm})
    separator = "&" if "?" in params["redirect_uri"] else "?"
    return _redirect(f"{params['redirect_uri']}{separator}{query}")


def authorize_page(sandbox: Sandbox, request: Request) -> Response:
    """``GET /connect/oauth2``: the consent page, or straight to the callback with ``auto_approve=true``.

    The form posts back under the prefix the sandbox is mounted at (``root_path``), where the browser found it.
    """
    problem = _check_authorize(sandbox, request.query)
    if problem is not None:
        return _error_page(problem)
    if request.query.get("auto_approve", "").lower() == "true":
        return _grant(sandbox, request.query)
    keep = ("client_id", "redirect_uri", "response_type", "scope", "state")
    hidden = "".join(f'<input type="hidden" name="{k}" value="{html.escape(request.query.get(k, ""))}">' for k in keep)
    options = "".join(f'<option value="{realm}">{realm}</option>' for realm in sandbox.realm_ids)
    page = _PAGE.format(
        action=html.escape(f"{request.root_path}/connect/oauth2"),
        client=html.escape(request.query["client_id"]),
        scope=html.escape(request.query["scope"]),
        hidden=hidden,
        options=options,
    )
    return Response(200, page.encode(), "text/html;charset=UTF-8")


def approve(sandbox: Sandbox, request: Request) -> Response:
    """``POST /connect/oauth2``: the consent form's answer."""
    params = form(request.body)
    problem = _check_authorize(sandbox, params)
    if problem is not None:
        return _error_page(problem)
    if params.get("decision") != "approve":
        query = urlencode({"error": "access_denied", "state": params.get("state", "")})
        return _redirect(f"{params['redirect_uri']}?{query}")
    return _grant(sandbox, params)


def _token_body(pair: TokenPair) -> Response:
    return json_response(
        {
            "token_type": "bearer",
            "expires_in": pair.expires_in,
            "refresh_token": pair.refresh_token,
            "x_refresh_token_expires_in": pair.refresh_expires_in,
            "access_token": pair.access_token,
        }
    )


def _oauth_error(error: OAuthError) -> Response:
    return json_response({"error": error.code}, 401 if error.code == "invalid_client" else 400)


def token(sandbox: Sandbox, request: Request) -> Response:
    """``POST /oauth2/v1/tokens/bearer``: HTTP Basic client auth, form body."""
    credentials = basic_credentials(request)
    params = form(request.body)
    try:
        if credentials is None:
            raise OAuthError("invalid_client", "HTTP Basic client authentication is required")
        sandbox.oauth.check_client(*credentials)
        grant_type = params.get("grant_type")
        if grant_type == "authorization_code":
            pair = sandbox.oauth.exchange_code(
                client_id=credentials[0], code=params.get("code", ""), redirect_uri=params.get("redirect_uri", "")
            )
        elif grant_type == "refresh_token":
            pair = sandbox.oauth.refresh(client_id=credentials[0], refresh_token=params.get("refresh_token", ""))
        else:
            raise OAuthError("unsupported_grant_type", f"grant_type {grant_type!r} is not supported")
    except OAuthError as error:
        return _oauth_error(error)
    return _token_body(pair)


def revoke_token(sandbox: Sandbox, request: Request) -> Response:
    """``POST /v2/oauth2/tokens/revoke``: JSON ``{"token": ...}`` (a form body works too); 200 either way."""
    credentials = basic_credentials(request)
    try:
        if credentials is None:
            raise OAuthError("invalid_client", "HTTP Basic client authentication is required")
        sandbox.oauth.check_client(*credentials)
    except OAuthError as error:
        return _oauth_error(error)
    try:
        body = decode_json(request.body) if request.body.strip().startswith(b"{") else form(request.body)
    except ValueError:
        body = {}
    sandbox.oauth.revoke(str(body.get("token", "")))
    return Response(200, b"", "text/plain")


def discovery(sandbox: Sandbox, request: Request) -> Response:
    """The OpenID discovery document, every endpoint on this host and under this sandbox's mount prefix."""
    base = request.base_url
    return json_response(
        {
            "issuer": "https://oauth.platform.intuit.com/op/v1",
            "authorization_endpoint": f"{base}/connect/oauth2",
            "token_endpoint": f"{base}/oauth2/v1/tokens/bearer",
            "userinfo_endpoint": f"{base}/v1/openid_connect/userinfo",
            "revocation_endpoint": f"{base}/v2/oauth2/tokens/revoke",
            "jwks_uri": f"{base}/op/v1/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile", "address", "phone"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "claims_supported": ["aud", "exp", "iat", "iss", "realmid", "sub"],
        }
    )


def userinfo(sandbox: Sandbox, request: Request) -> Response:
    """A minimal OpenID userinfo for a live access token."""
    header = request.headers.get("authorization", "")
    grant = sandbox.oauth.check_access(header[7:].strip()) if header.lower().startswith("bearer ") else None
    if grant is None:
        return json_response({"error": "invalid_token"}, 401)
    return json_response(
        {
            "sub": f"sandbox-user-{grant.subject}",
            "email": "owner@sandbox-company.example",
            "emailVerified": True,
            "givenName": "Sandbox",
            "familyName": "Owner",
        }
    )


def authenticate(sandbox: Sandbox, request: Request, realm: str) -> Response | None:
    """``None`` when the bearer token is live and granted for ``realm``; else QBO's lower-case 401/403."""
    epoch_ms = int(sandbox.clock() * 1000)
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer ") or len(header) < 12:
        return Response(401, errors.auth_failure("Malformed bearer token: too short or too long", epoch_ms))
    grant = sandbox.oauth.check_access(header[7:].strip())
    if grant is None:
        return Response(401, errors.auth_failure("Token expired or revoked: invalid access token", epoch_ms))
    if grant.extra.get("realmId") != realm or realm not in sandbox.companies:
        return Response(403, errors.authz_failure(epoch_ms))
    return None
