"""Microsoft Entra ID's OAuth 2.0 v2.0 endpoints, as BC's API sees them, and the bearer check of the API.

Paths as at login.microsoftonline.com: ``/{tenant}/oauth2/v2.0/authorize`` (``organizations``/``common`` or the
tenant id) and ``/{tenant}/oauth2/v2.0/token``: authorization code, refresh token and client credentials grants.
Code and token state is ``_kit.OAuthServer``'s; what is Entra's lives here:

- Access tokens are JWTs (HS256, sandbox-signed) with ``tid``, ``oid``, ``aud`` = the BC resource, ``scp`` (delegated)
  or ``roles`` (application), ``exp`` one hour out; the kit's opaque token rides in ``jti`` so expiry and revocation
  stay the kit's.
- Refresh tokens rotate on every use, and the old one stays valid until its own expiry (Entra's default, no strict
  rotation; FACTS §4 VERIFY): each use of any live refresh token mints a fresh pair.
- Errors are Entra's JSON (``error``, ``error_description`` with an ``AADSTS`` code, ``error_codes``, ``trace_id``,
  ``correlation_id``); the API's 401 is BC's ``Authentication_InvalidCredentials``.
- ``auto_approve=true`` on authorize stands in for the person's consent click (ledgerport's headless linking).
"""

from __future__ import annotations

import html
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import jwt

from ledgerport.sandboxes._kit import Grant, OAuthError, OAuthServer, TokenPair
from ledgerport.sandboxes.business_central.errors import ODataError
from ledgerport.sandboxes.business_central.wire import Request, Response, encode_json

__all__ = ["AUDIENCE", "EntraTokens", "Identity"]

AUDIENCE = "https://api.businesscentral.dynamics.com"
DELEGATED_SCOPES = ("Financials.ReadWrite.All", "user_impersonation")
ACCESS_TTL = 3600
REFRESH_TTL = 90 * 86_400
_AADSTS = {
    "invalid_grant": (
        70000,
        "AADSTS70000: The provided value for the 'code' or 'refresh_token' parameter is not valid.",
    ),
    "invalid_client": (7000215, "AADSTS7000215: Invalid client secret provided."),
    "invalid_request": (900144, "AADSTS900144: The request body must contain the following parameter: 'grant_type'."),
    "unsupported_grant_type": (70003, "AADSTS70003: The app requested an unsupported grant type."),
    "invalid_scope": (70011, "AADSTS70011: The provided value for the input parameter 'scope' is not valid."),
}


class EntraTokens(OAuthServer):
    """The kit's server with Entra's refresh rule (rotate, keep the old token alive) and client credentials."""

    def refresh(self, *, client_id: str, refresh_token: str) -> TokenPair:
        """A fresh pair for any live refresh token; the presented one stays valid until it expires."""
        found = self._refresh.get(refresh_token)
        if (
            found is None
            or found.grant.revoked
            or found.grant.client_id != client_id
            or found.expires_at < self.clock()
        ):
            raise OAuthError("invalid_grant", "refresh token is invalid, expired or revoked")
        return self._issue(found.grant)

    def client_credentials(self, client_id: str, subject: str) -> TokenPair:
        """An app-only token (no refresh token is returned to the client)."""
        return self._issue(
            Grant(client_id=client_id, subject=subject, scopes=(f"{AUDIENCE}/.default",), extra={"app": "1"})
        )


class Identity:
    """The Entra endpoints over one tenant."""

    def __init__(self, oauth: EntraTokens, tenant_id: str, secret: str, clock: Callable[[], float] = time.time) -> None:
        self.oauth = oauth
        self.tenant_id = tenant_id
        self.secret = secret
        self.clock = clock
        self.user_oid = str(uuid.uuid5(uuid.UUID(tenant_id), "sandbox-user"))

    # --- tokens ------------------------------------------------------------------------------------------------------

    def access_jwt(self, pair: TokenPair) -> str:
        """The JWT a client sees for the kit's opaque access token."""
        now = int(self.clock())
        grant = pair.grant
        app_only = grant.extra.get("app") == "1"
        claims: dict[str, Any] = {
            "aud": AUDIENCE,
            "iss": f"https://sts.windows.net/{self.tenant_id}/",
            "iat": now,
            "nbf": now,
            "exp": now + pair.expires_in,
            "appid": grant.client_id,
            "oid": str(uuid.uuid5(uuid.UUID(self.tenant_id), f"app:{grant.client_id}")) if app_only else self.user_oid,
            "tid": self.tenant_id,
            "ver": "1.0",
            "jti": pair.access_token,
        }
        if app_only:
            claims["roles"] = ["API.ReadWrite.All", "Automation.ReadWrite.All"]
        else:
            claims["scp"] = " ".join(DELEGATED_SCOPES)
            claims["upn"] = "admin@cronus.example.com"
        return jwt.encode(claims, self.secret, algorithm="HS256")

    def token_body(self, pair: TokenPair, scope: str, refresh: bool) -> dict[str, Any]:
        """The token endpoint's success body."""
        body: dict[str, Any] = {
            "token_type": "Bearer",
            "scope": scope,
            "expires_in": pair.expires_in,
            "ext_expires_in": pair.expires_in,
            "access_token": self.access_jwt(pair),
        }
        if refresh:
            body["refresh_token"] = pair.refresh_token
        return body

    def mint(self, client_id: str = "sandbox-client") -> dict[str, Any]:
        """A delegated token set without the consent dance (``/_sandbox/tokens``)."""
        code = self.oauth.authorize(
            client_id=client_id,
            redirect_uri="urn:sandbox",
            subject=self.user_oid,
            scopes=(f"{AUDIENCE}/.default", "offline_access"),
        )
        pair = self.oauth.exchange_code(client_id=client_id, code=code, redirect_uri="urn:sandbox")
        return self.token_body(pair, f"{AUDIENCE}/.default", refresh=True)

    def check(self, request: Request) -> str:
        """The caller's ``oid`` for a live bearer token of this tenant, or BC's 401."""
        header = request.header("authorization") or ""
        if not header.lower().startswith("bearer "):
            raise _unauthorized()
        try:
            claims = jwt.decode(
                header[7:].strip(), self.secret, algorithms=["HS256"], audience=AUDIENCE, options={"verify_exp": False}
            )
        except jwt.InvalidTokenError as error:
            raise _unauthorized() from error
        if self.oauth.check_access(str(claims.get("jti", ""))) is None or claims.get("tid") != self.tenant_id:
            raise _unauthorized()
        return str(claims.get("oid", ""))

    # --- HTTP --------------------------------------------------------------------------------------------------------

    def _error(self, error: OAuthError, status: int | None = None) -> Response:
        stamp = f"{datetime.now(UTC):%Y-%m-%d %H:%M:%SZ}"
        number, text = _AADSTS.get(error.code, (50000, f"AADSTS50000: {error.description}"))
        if error.code == "invalid_grant" and "redirect_uri" in error.description:
            number, text = 50011, "AADSTS50011: The redirect URI specified in the request does not match."
        body = {
            "error": error.code,
            "error_description": f"{text} Trace ID: {uuid.uuid4()} Correlation ID: {uuid.uuid4()} Timestamp: {stamp}",
            "error_codes": [number],
            "timestamp": f"{datetime.now(UTC):%Y-%m-%d %H:%M:%SZ}",
            "trace_id": str(uuid.uuid4()),
            "correlation_id": str(uuid.uuid4()),
        }
        code = status or (401 if error.code == "invalid_client" else 400)
        return Response(code, encode_json(body), content_type="application/json; charset=utf-8")

    def _known_tenant(self, tenant: str) -> bool:
        return tenant.lower() in {"organizations", "common", self.tenant_id}

    async def authorize(self, request: Request, tenant: str) -> Response:
        """``GET``: the consent page, or straight back with a code under ``auto_approve=true``. ``POST``: consent."""
        params = request.form() if request.method == "POST" else dict(request.query)
        redirect_uri = params.get("redirect_uri", "")
        client_id = params.get("client_id", "")
        if not self._known_tenant(tenant):
            return self._error(OAuthError("invalid_request", f"Tenant '{tenant}' not found."))
        if client_id not in self.oauth.clients:
            return self._error(
                OAuthError(
                    "unauthorized_client",
                    f"AADSTS700016: Application with identifier '{client_id}' was not found in the directory.",
                )
            )
        if not redirect_uri or params.get("response_type", "code") != "code":
            return self._error(
                OAuthError("invalid_request", "AADSTS900144: redirect_uri and response_type=code are required.")
            )
        approve = params.get("auto_approve", "").lower() == "true" or (
            request.method == "POST" and params.get("decision") == "approve"
        )
        if not approve:
            return self._consent_page(params, request.root_path, tenant)
        scopes = tuple(params.get("scope", f"{AUDIENCE}/.default offline_access").split())
        code = self.oauth.authorize(
            client_id=client_id, redirect_uri=redirect_uri, subject=self.user_oid, scopes=scopes
        )
        query = {"code": code, "session_state": str(uuid.uuid4())}
        if "state" in params:
            query["state"] = params["state"]
        separator = "&" if "?" in redirect_uri else "?"
        return Response(302, b"", headers=[("location", f"{redirect_uri}{separator}{urlencode(query)}")])

    def _consent_page(self, params: dict[str, str], root_path: str, tenant: str) -> Response:
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in params.items()
        )
        page = (
            "<!doctype html><html><head><title>Permissions requested</title></head><body>"
            "<h1>Permissions requested</h1><p>ledgerport sandbox app (unverified) needs permission to access "
            "Dynamics 365 "
            "Business Central as you (Financials.ReadWrite.All, user_impersonation) and to maintain that access.</p>"
            f'<form method="post" action="{html.escape(root_path)}/{html.escape(tenant)}/oauth2/v2.0/authorize">'
            f"{hidden}"
            '<button name="decision" value="approve">Accept</button> '
            '<button name="decision" value="deny">Cancel</button>'
            "</form></body></html>"
        )
        return Response(200, page.encode(), content_type="text/html; charset=utf-8")

    async def token(self, request: Request, tenant: str) -> Response:
        """``POST /{tenant}/oauth2/v2.0/token``."""
        form = request.form()
        client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
        basic = request.header("authorization") or ""
        if basic.lower().startswith("basic "):
            import base64

            client_id, _, client_secret = base64.b64decode(basic[6:]).decode().partition(":")
        grant_type = form.get("grant_type", "")
        try:
            if not self._known_tenant(tenant):
                raise OAuthError("invalid_request", f"AADSTS90002: Tenant '{tenant}' not found.")
            self.oauth.check_client(client_id, client_secret)
            scope = form.get("scope", f"{AUDIENCE}/.default offline_access")
            if grant_type == "authorization_code":
                pair = self.oauth.exchange_code(
                    client_id=client_id, code=form.get("code", ""), redirect_uri=form.get("redirect_uri", "")
                )
                return _json(self.token_body(pair, _granted(pair.grant.scopes), "offline_access" in pair.grant.scopes))
            if grant_type == "refresh_token":
                pair = self.oauth.refresh(client_id=client_id, refresh_token=form.get("refresh_token", ""))
                return _json(self.token_body(pair, _granted(pair.grant.scopes), True))
            if grant_type == "client_credentials":
                if not scope.endswith("/.default") or AUDIENCE not in scope:
                    raise OAuthError("invalid_scope", "client credentials need the resource's /.default scope")
                if tenant.lower() in {"organizations", "common"}:
                    raise OAuthError("invalid_request", "AADSTS700016: client credentials need a tenant id.")
                pair = self.oauth.client_credentials(client_id, f"app:{client_id}")
                return _json(self.token_body(pair, f"{AUDIENCE}/.default", False))
            raise OAuthError(
                "unsupported_grant_type" if grant_type else "invalid_request", f"grant_type {grant_type!r}"
            )
        except OAuthError as error:
            return self._error(error)


def _granted(scopes: tuple[str, ...]) -> str:
    """The scopes Entra reports: the resource's delegated permissions plus ``offline_access`` when asked for."""
    granted = [f"{AUDIENCE}/{scope}" for scope in DELEGATED_SCOPES]
    if "offline_access" in scopes:
        granted.append("offline_access")
    return " ".join(granted)


def _json(body: dict[str, Any]) -> Response:
    return Response(
        200, encode_json(body), content_type="application/json; charset=utf-8", headers=[("cache-control", "no-store")]
    )


def _unauthorized() -> ODataError:
    return ODataError(
        401,
        "Authentication_InvalidCredentials",
        "The server has rejected the client credentials.",
        [
            (
                "www-authenticate",
                'Bearer authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", '
                f'resource_id="{AUDIENCE}"',
            )
        ],
    )
