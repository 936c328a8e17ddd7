"""The sandbox-only control surface under ``/_sandbox/``: tenants, faults, token fault injection, stats, dumps.

None of this exists on Xero; it lets tests and demos steer the sandbox over HTTP as well as in-process.
"""

from __future__ import annotations

from typing import Any

import msgspec

from ledgerport.sandboxes._kit import Faults
from ledgerport.sandboxes.xero.auth import SCOPES, Identity
from ledgerport.sandboxes.xero.catalog import spec_for
from ledgerport.sandboxes.xero.errors import not_found, post_data_invalid
from ledgerport.sandboxes.xero.http import Request, Response, Route, decode_json, json_response
from ledgerport.sandboxes.xero.store import Tenant
from ledgerport.sandboxes.xero.throttle import Throttle

__all__ = ["Control"]


class Control:
    """Handlers over the sandbox's live state."""

    def __init__(self, tenants: dict[str, Tenant], identity: Identity, faults: Faults, throttle: Throttle) -> None:
        self.tenants = tenants
        self.identity = identity
        self.faults = faults
        self.throttle = throttle

    def routes(self) -> list[Route]:
        """The control routes."""
        return [
            Route("GET", "/_sandbox/tenants", self.list_tenants),
            Route("POST", "/_sandbox/faults", self.set_faults),
            Route("POST", "/_sandbox/tokens", self.mint_token),
            Route("POST", "/_sandbox/tokens/expire", self.expire_tokens),
            Route("POST", "/_sandbox/tokens/revoke", self.revoke_tokens),
            Route("GET", "/_sandbox/stats", self.stats),
            Route("GET", "/_sandbox/dump/{tenant_id}/{collection}", self.dump),
        ]

    @staticmethod
    def _body(request: Request) -> dict[str, Any]:
        try:
            body = decode_json(request.body) if request.body.strip() else {}
        except msgspec.DecodeError as error:
            raise post_data_invalid(str(error)) from error
        if not isinstance(body, dict):
            raise post_data_invalid("expected a JSON object")
        return body

    async def list_tenants(self, request: Request) -> Response:
        """Every organisation with its record counts."""
        return json_response(
            [
                {
                    "tenantId": t.tenant_id,
                    "tenantName": t.name,
                    "baseCurrency": t.organisation["BaseCurrency"],
                    "counts": {name: len(c.ids) for name, c in t.collections.items()},
                }
                for t in self.tenants.values()
            ]
        )

    async def set_faults(self, request: Request) -> Response:
        """Change fault settings (``latency_ms``, ``error_rate``, ``throttle_rate``, ``malformed_rate``...)."""
        try:
            self.faults.update(
                **{
                    k: float(v) if isinstance(v, int | float) or hasattr(v, "as_tuple") else v
                    for k, v in self._body(request).items()
                }
            )
        except (TypeError, ValueError) as error:
            raise post_data_invalid(str(error)) from error
        settings = {k: v for k, v in vars(self.faults).items() if not k.startswith("_")}
        return json_response(settings)

    async def mint_token(self, request: Request) -> Response:
        """A token set for ``{"tenants": [...], "scope": "..."}`` without the consent dance (defaults: all)."""
        body = self._body(request)
        tenants = [str(t) for t in body.get("tenants") or list(self.tenants)]
        scopes = tuple(str(body.get("scope") or " ".join(SCOPES)).split())
        return json_response(self.identity.issue(tenants, scopes, str(body.get("client_id") or "")))

    async def expire_tokens(self, request: Request) -> Response:
        """Every access token expires now."""
        self.identity.expire_all()
        return Response(204)

    async def revoke_tokens(self, request: Request) -> Response:
        """Revoke one token's grant (``{"token": ...}``) or, without a body, every grant."""
        token = self._body(request).get("token")
        if token:
            self.identity.oauth.revoke(str(token))
        else:
            self.identity.oauth.revoke_all()
        return Response(204)

    async def stats(self, request: Request) -> Response:
        """Request counts per path and tenant; ``refused``: how many of them a rate limit answered with 429."""
        return json_response(
            [
                {
                    "path": path,
                    "tenantId": tenant or None,
                    "count": count,
                    "refused": self.throttle.refused[(path, tenant)],
                }
                for (path, tenant), count in sorted(self.throttle.stats.items())
            ]
        )

    async def dump(self, request: Request) -> Response:
        """Every record of a collection, deleted, voided, archived and removed ones included, lines included."""
        tenant = self.tenants.get(request.params["tenant_id"].lower())
        spec = spec_for(request.params["collection"])
        if tenant is None or spec is None:
            raise not_found()
        return json_response({spec.name: list(tenant.collections[spec.name].all_records())})
