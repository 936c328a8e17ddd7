"""Xero's identity surface: consent page, token endpoint, revocation and the tenant connections list.

Token state (codes, rotation, the 30-minute grace) is ``_kit.OAuthServer``'s. What is Xero's lives here: the tenants a
consent connects (kept on the grant as ``extra["tenants"]``), connection ids and auth events, PKCE, the id_token,
the ``offline_access`` rule (no refresh token without it) and the problem-JSON 401 that names an expired token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlencode

from ledgerport.sandboxes._kit import Grant, OAuthError, OAuthServer, TokenPair
from ledgerport.sandboxes.xero.errors import problem
from ledgerport.sandboxes.xero.http import Request, Response, json_response
from ledgerport.sandboxes.xero.store import Tenant

__all__ = ["Connection", "Identity", "SCOPES"]

SCOPES = (
    "openid",
    "profile",
    "email",
    "offline_access",
    "accounting.transactions",
    "accounting.contacts",
    "accounting.settings",
    "accounting.journals.read",
    "accounting.reports.read",
    "accounting.attachments",
    "accounting.invoices",
    "accounting.payments",
    "accounting.banktransactions",
    "accounting.manualjournals",
)


@dataclass
class Connection:
    """One tenant connected by one consent (``GET /connections`` row)."""

    id: str
    tenant: Tenant
    auth_event_id: str
    created_ms: int

    def to_wire(self) -> dict[str, str | None]:
        """As Xero lists it; timestamps carry no zone."""
        stamp = datetime.fromtimestamp(self.created_ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f0")
        return {
            "id": self.id,
            "authEventId": self.auth_event_id,
            "tenantId": self.tenant.tenant_id,
            "tenantType": "ORGANISATION",
            "tenantName": self.tenant.name,
            "createdDateUtc": stamp,
            "updatedDateUtc": stamp,
        }


@dataclass
class Identity:
    """The identity service's state around an ``OAuthServer``."""

    oauth: OAuthServer
    tenants: dict[str, Tenant]
    connections: dict[str, list[Connection]] = field(default_factory=dict)
    challenges: dict[str, tuple[str, str]] = field(default_factory=dict)
    expiries: dict[str, float] = field(default_factory=dict)

    # --- consent -------------------------------------------------------------------------------------------------

    def _consent_page(self, params: dict[str, str], root_path: str, error: str = "") -> Response:
        """The consent form; it posts back under ``root_path``, the prefix the browser reached the sandbox at."""
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in params.items()
            if k != "tenant"
        )
        boxes = "".join(
            f'<label><input type="checkbox" name="tenant" value="{t.tenant_id}" checked> '
            f"{html.escape(t.name)}</label><br>"
            for t in self.tenants.values()
        )
        body = (
            f"<!doctype html><html><head><title>Xero sandbox - connect</title></head><body>"
            f"<h1>Allow {html.escape(params.get('client_id', ''))} to access your Xero data</h1>"
            f"<p>Scopes: {html.escape(params.get('scope', ''))}</p><p style='color:red'>{html.escape(error)}</p>"
            f'<form method="post" action="{html.escape(root_path)}/identity/connect/authorize">{hidden}{boxes}'
            f'<button type="submit" name="decision" value="allow">Allow access</button> '
            f'<button type="submit" name="decision" value="deny">Cancel</button></form></body></html>'
        )
        return Response(200, body.encode(), content_type="text/html; charset=utf-8")

    @staticmethod
    def _redirect(uri: str, **params: str) -> Response:
        joiner = "&" if "?" in uri else "?"
        return Response(302, b"", content_type="text/plain", headers=[("location", uri + joiner + urlencode(params))])

    def _check_authorize(self, params: dict[str, str]) -> Response | None:
        if params.get("client_id") not in self.oauth.clients or not params.get("redirect_uri"):
            return Response(400, b"Invalid client_id or redirect_uri", content_type="text/plain; charset=utf-8")
        state = {"state": params["state"]} if "state" in params else {}
        if params.get("response_type") != "code":
            return self._redirect(params["redirect_uri"], error="unsupported_response_type", **state)
        scopes = params.get("scope", "").split()
        if not scopes or any(scope not in SCOPES and scope.removesuffix(".read") not in SCOPES for scope in scopes):
            return self._redirect(params["redirect_uri"], error="invalid_scope", **state)
        return None

    async def authorize_page(self, request: Request) -> Response:
        """``GET /identity/connect/authorize``: the consent page, or straight back with ``auto_approve=true``."""
        params = {key: values[0] for key, values in request.query.items()}
        failed = self._check_authorize(params)
        if failed is not None:
            return failed
        if params.get("auto_approve", "").lower() == "true":
            chosen = params["tenant"].split(",") if params.get("tenant") else list(self.tenants)
            return self._approve(params, chosen)
        return self._consent_page(params, request.root_path)

    async def authorize_submit(self, request: Request) -> Response:
        """``POST /identity/connect/authorize``: the consent form's answer."""
        params = request.form()
        failed = self._check_authorize(params)
        if failed is not None:
            return failed
        state = {"state": params["state"]} if "state" in params else {}
        if params.get("decision") == "deny":
            return self._redirect(params["redirect_uri"], error="access_denied", **state)
        chosen = [t for t in request.form_all("tenant") if t in self.tenants]
        if not chosen:
            return self._consent_page(params, request.root_path, "Select at least one organisation")
        return self._approve(params, chosen)

    def _approve(self, params: dict[str, str], chosen: list[str]) -> Response:
        extra = {
            "tenants": ",".join(t for t in chosen if t in self.tenants),
            "auth_event_id": str(uuid.uuid4()),
            "grant_id": str(uuid.uuid4()),
            "nonce": params.get("nonce", ""),
        }
        code = self.oauth.authorize(
            client_id=params["client_id"],
            redirect_uri=params["redirect_uri"],
            subject=str(uuid.uuid5(uuid.NAMESPACE_URL, params["client_id"])),
            scopes=tuple(params.get("scope", "").split()),
            extra=extra,
        )
        if params.get("code_challenge"):
            self.challenges[code] = (params["code_challenge"], params.get("code_challenge_method", "plain"))
        state = {"state": params["state"]} if "state" in params else {}
        return self._redirect(params["redirect_uri"], code=code, **state)

    # --- tokens --------------------------------------------------------------------------------------------------

    def _client(self, request: Request, form: dict[str, str]) -> tuple[str, str | None]:
        header = request.header("authorization") or ""
        if header.lower().startswith("basic "):
            try:
                client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            except ValueError as error:
                raise OAuthError("invalid_client", "malformed Basic credentials") from error
            return client_id, secret
        return form.get("client_id", ""), form.get("client_secret")

    def _verify_pkce(self, code: str, verifier: str | None) -> bool:
        challenge = self.challenges.pop(code, None)
        if challenge is None:
            return False
        expected, method = challenge
        if verifier is None:
            raise OAuthError("invalid_grant", "code_verifier is required")
        computed = (
            verifier
            if method == "plain"
            else base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        )
        if not hmac.compare_digest(computed, expected):
            raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge")
        return True

    def _id_token(self, pair: TokenPair, client_id: str) -> str:
        now = int(self.oauth.clock())
        claims = {
            "iss": "https://identity.xero.com",
            "aud": client_id,
            "sub": pair.grant.subject,
            "iat": now,
            "exp": now + 300,
            "auth_time": now,
            "xero_userid": pair.grant.subject,
            "global_session_id": pair.grant.extra.get("grant_id", ""),
            "email": "sandbox.user@example.com",
            "given_name": "Sandbox",
            "family_name": "User",
            "preferred_username": "sandbox.user@example.com",
        }
        if pair.grant.extra.get("nonce"):
            claims["nonce"] = pair.grant.extra["nonce"]
        segments = [
            base64.urlsafe_b64encode(json.dumps(part, separators=(",", ":")).encode()).rstrip(b"=")
            for part in ({"alg": "HS256", "typ": "JWT", "kid": "sandbox"}, claims)
        ]
        signing = b".".join(segments)
        key = self.oauth.clients.get(client_id, "").encode()
        signature = base64.urlsafe_b64encode(hmac.new(key, signing, hashlib.sha256).digest()).rstrip(b"=")
        return (signing + b"." + signature).decode()

    def token_body(self, pair: TokenPair, client_id: str) -> dict[str, object]:
        """The token endpoint's JSON; no refresh token unless ``offline_access`` was granted, as on Xero."""
        self.expiries[pair.access_token] = self.oauth.clock() + pair.expires_in
        self._connect(pair.grant)
        body: dict[str, object] = {}
        if "openid" in pair.grant.scopes:
            body["id_token"] = self._id_token(pair, client_id)
        body |= {"access_token": pair.access_token, "expires_in": pair.expires_in, "token_type": "Bearer"}
        if "offline_access" in pair.grant.scopes:
            body["refresh_token"] = pair.refresh_token
        body["scope"] = " ".join(pair.grant.scopes)
        return body

    async def token(self, request: Request) -> Response:
        """``POST /connect/token`` for ``authorization_code`` and ``refresh_token``."""
        form = request.form()
        try:
            client_id, secret = self._client(request, form)
            grant_type = form.get("grant_type")
            if grant_type == "authorization_code":
                pkce = self._verify_pkce(form.get("code", ""), form.get("code_verifier"))
                if not pkce or secret is not None:
                    self.oauth.check_client(client_id, secret or "")
                pair = self.oauth.exchange_code(
                    client_id=client_id, code=form.get("code", ""), redirect_uri=form.get("redirect_uri", "")
                )
            elif grant_type == "refresh_token":
                self.oauth.check_client(client_id, secret or "")
                pair = self.oauth.refresh(client_id=client_id, refresh_token=form.get("refresh_token", ""))
            else:
                raise OAuthError("unsupported_grant_type", f"grant_type {grant_type!r} is not supported")
        except OAuthError as error:
            return json_response({"error": error.code}, 400)
        return json_response(self.token_body(pair, client_id))

    async def revocation(self, request: Request) -> Response:
        """``POST /connect/revocation``: revoke the grant and drop its connections."""
        form = request.form()
        try:
            client_id, secret = self._client(request, form)
            self.oauth.check_client(client_id, secret or "")
        except OAuthError as error:
            return json_response({"error": error.code}, 400)
        grant = self.oauth.check_access(form.get("token", ""))
        self.oauth.revoke(form.get("token", ""))
        if grant is not None:
            self.connections.pop(grant.extra.get("grant_id", ""), None)
        return Response(200, b"")

    def issue(self, tenant_ids: list[str], scopes: tuple[str, ...], client_id: str = "") -> dict[str, object]:
        """Mint a token set without the browser dance (sandbox control surface)."""
        client_id = client_id or next(iter(self.oauth.clients))
        redirect = "http://localhost/callback"
        response = self._approve(
            {"client_id": client_id, "redirect_uri": redirect, "scope": " ".join(scopes)}, tenant_ids
        )
        code = dict(response.headers)["location"].split("code=")[1].split("&")[0]
        pair = self.oauth.exchange_code(client_id=client_id, code=code, redirect_uri=redirect)
        return self.token_body(pair, client_id)

    # --- connections and bearer checks ---------------------------------------------------------------------------

    def _connect(self, grant: Grant) -> None:
        grant_id = grant.extra.get("grant_id", "")
        if grant_id in self.connections or grant.revoked:
            return
        now = int(self.oauth.clock() * 1000)
        self.connections[grant_id] = [
            Connection(
                str(uuid.uuid5(uuid.UUID(grant_id), tenant_id)),
                self.tenants[tenant_id],
                grant.extra.get("auth_event_id", ""),
                now,
            )
            for tenant_id in grant.extra.get("tenants", "").split(",")
            if tenant_id in self.tenants
        ]

    def bearer(self, request: Request) -> Grant:
        """The grant behind the request's bearer token, or a 401 problem as Xero answers it."""
        header = request.header("authorization") or ""
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        grant = self.oauth.check_access(token) if token else None
        if grant is not None:
            return grant
        expiry = self.expiries.get(token)
        if expiry is not None and expiry <= self.oauth.clock():
            moment = datetime.fromtimestamp(expiry, UTC).strftime("%m/%d/%Y %H:%M:%S")
            raise problem(
                401,
                "Unauthorized",
                f"TokenExpired: token expired at {moment}",
                [("www-authenticate", 'Bearer error="invalid_token"')],
            )
        raise problem(
            401, "Unauthorized", "AuthenticationUnsuccessful", [("www-authenticate", 'Bearer error="invalid_token"')]
        )

    def tenant_for(self, grant: Grant, tenant_id: str | None) -> Tenant:
        """The connected tenant named by ``xero-tenant-id``, or 403 AuthenticationUnsuccessful."""
        for connection in self.connections.get(grant.extra.get("grant_id", ""), []):
            if tenant_id and connection.tenant.tenant_id == tenant_id.strip().lower():
                return connection.tenant
        raise problem(403, "Forbidden", "AuthenticationUnsuccessful")

    async def list_connections(self, request: Request) -> Response:
        """``GET /connections`` (optionally ``?authEventId=``)."""
        grant = self.bearer(request)
        rows = [c.to_wire() for c in self.connections.get(grant.extra.get("grant_id", ""), [])]
        event = request.arg("authEventId")
        return json_response([row for row in rows if not event or row["authEventId"] == event])

    async def delete_connection(self, request: Request) -> Response:
        """``DELETE /connections/{id}``: 204, and the tenant is no longer reachable with this grant."""
        grant = self.bearer(request)
        grant_id = grant.extra.get("grant_id", "")
        kept = [c for c in self.connections.get(grant_id, []) if c.id != request.params["id"].lower()]
        if len(kept) == len(self.connections.get(grant_id, [])):
            return Response(404, b"")
        self.connections[grant_id] = kept
        return Response(204, b"")

    def expire_all(self) -> None:
        """Control surface: every access token expires now."""
        self.oauth.expire_access_tokens()
        now = self.oauth.clock()
        self.expiries = {token: min(expiry, now) for token, expiry in self.expiries.items()}
