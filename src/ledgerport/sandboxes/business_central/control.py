"""The sandbox-only control surface under ``/_sandbox/``: state summary, faults, clock, limits, tokens, stats, reset,
and another user's edits made between a client's read and its write.

None of this exists on BC; it lets tests and demos steer the sandbox over HTTP as well as in-process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from ledgerport.sandboxes._kit import Faults
from ledgerport.sandboxes.business_central.auth import Identity
from ledgerport.sandboxes.business_central.errors import ODataError
from ledgerport.sandboxes.business_central.store import Clock, Tenant
from ledgerport.sandboxes.business_central.throttle import Throttle
from ledgerport.sandboxes.business_central.wire import Request, Response, decode_json, json_response

__all__ = ["Control"]


class Control:
    """Handlers over the sandbox's live state; ``reset`` rebuilds the tenant from its seed."""

    def __init__(
        self,
        state: Any,
        identity: Identity,
        faults: Faults,
        throttle: Throttle,
        clock: Clock,
        rebuild: Callable[[], Tenant],
    ) -> None:
        self.state = state
        self.identity = identity
        self.faults = faults
        self.throttle = throttle
        self.clock = clock
        self.rebuild = rebuild

    @staticmethod
    def _body(request: Request) -> dict[str, Any]:
        try:
            body = decode_json(request.body) if request.body.strip() else {}
        except msgspec.DecodeError as error:
            raise ODataError(400, "BadRequest", str(error)) from error
        if not isinstance(body, dict):
            raise ODataError(400, "BadRequest", "expected a JSON object")
        return body

    async def handle(self, request: Request, name: str) -> Response:
        """Dispatch ``/_sandbox/{name}``."""
        method = request.method
        if name == "" and method == "GET":
            return json_response(self.summary())
        if name == "faults":
            if method == "POST":
                try:
                    self.faults.update(
                        **{
                            k: float(v) if isinstance(v, int | float) and not isinstance(v, bool) else v
                            for k, v in self._body(request).items()
                        }
                    )
                except (TypeError, ValueError) as error:
                    raise ODataError(400, "BadRequest", str(error)) from error
            return json_response({k: v for k, v in vars(self.faults).items() if not k.startswith("_")})
        if name == "clock":
            if method == "POST":
                body = self._body(request)
                if "advance" in body:
                    self.clock.offset += float(body["advance"])
                if "offset" in body:
                    self.clock.offset = float(body["offset"])
            return json_response({"now": self.clock.iso(), "offset": self.clock.offset})
        if name == "limits":
            if method == "POST":
                body = self._body(request)
                self.throttle.configure(
                    limit=int(body["limit"]) if "limit" in body else None,
                    window=float(body["window"]) if "window" in body else None,
                    enabled=bool(body["enabled"]) if "enabled" in body else None,
                )
            return json_response(
                {"limit": self.throttle.limit, "window": self.throttle.window, "enabled": self.throttle.enabled}
            )
        if name == "stats" and method == "GET":
            return json_response(
                {
                    "calls": [
                        {"kind": kind, "status": status, "count": count}
                        for (kind, status), count in sorted(self.throttle.stats.items())
                    ],
                    "requests": [
                        {"method": method, "resource": resource, "count": count}
                        for (method, resource), count in sorted(self.throttle.requests.items())
                    ],
                    "throttled": sum(count for (_, status), count in self.throttle.stats.items() if status == 429),
                    "total": sum(self.throttle.stats.values()),
                }
            )
        if name == "edits" and method == "POST":
            # Another user's change of a record, made just before the next PATCH of it is served: that PATCH's
            # If-Match names the etag its client read before this change, so BC answers it 412.
            body = self._body(request)
            if not isinstance(body.get("id"), str) or not isinstance(body.get("changes"), dict):
                raise ODataError(400, "BadRequest", 'expected {"id": "<record id>", "changes": {...}}')
            self.state.api.edits.setdefault(body["id"], []).append(body["changes"])
            return Response(204)
        if name == "reset" and method == "POST":
            self.state.tenant = self.rebuild()
            self.throttle.configure()
            self.throttle.stats.clear()
            self.throttle.requests.clear()
            self.state.api.edits.clear()
            return Response(204)
        if name == "tokens" and method == "POST":
            return json_response(self.identity.mint(str(self._body(request).get("client_id") or "sandbox-client")))
        if name == "tokens/expire" and method == "POST":
            self.identity.oauth.expire_access_tokens()
            return Response(204)
        if name == "tokens/revoke" and method == "POST":
            token = self._body(request).get("token")
            if token:
                self.identity.oauth.revoke(str(token))
            else:
                self.identity.oauth.revoke_all()
            return Response(204)
        raise ODataError(404, "BadRequest_ResourceNotFound", f"Resource not found for the segment '_sandbox/{name}'.")

    def summary(self) -> dict[str, Any]:
        """The tenant, its environments and companies with their record counts."""
        tenant = self.state.tenant
        return {
            "tenantId": tenant.id,
            "clientId": "sandbox-client",
            "environments": [
                {
                    "name": env.name,
                    "type": env.type,
                    "companies": [
                        {"id": c.id, "name": c.name, "counts": {n: len(t) for n, t in c.tables.items()}}
                        for c in env.companies.values()
                    ],
                }
                for env in tenant.environments.values()
            ],
        }
