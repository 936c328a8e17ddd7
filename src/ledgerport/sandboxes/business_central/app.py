"""``create_app``: the Business Central sandbox as one ASGI app serving Entra ID, the environments list and the API.

In sandbox mode one origin serves the paths of ``login.microsoftonline.com`` (``/{tenant}/oauth2/v2.0/…``) and of
``api.businesscentral.dynamics.com`` (``/environments/v1.2``, ``/v2.0/{tenant}/{environment}/api/v2.0/…`` and the
tenant-less ``/v2.0/{environment}/api/v2.0/…``), unchanged (BC.md). The stack, outermost first: ``Throttle`` (the
sliding window, stats) -> ``FaultsMiddleware`` (storms, 5xx, latency, truncated pages) -> the router. The returned
app exposes ``tenant``, ``oauth``, ``identity``, ``faults``, ``throttle``, ``clock`` and ``api`` for tests.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from typing import Any

from ledgerport.sandboxes._kit import Faults, FaultsMiddleware, at_own_root, serve_lifespan
from ledgerport.sandboxes.business_central.api import Api
from ledgerport.sandboxes.business_central.auth import ACCESS_TTL, REFRESH_TTL, EntraTokens, Identity
from ledgerport.sandboxes.business_central.batch import run_batch
from ledgerport.sandboxes.business_central.control import Control
from ledgerport.sandboxes.business_central.data import generate
from ledgerport.sandboxes.business_central.errors import ODataError, error_body, resource_not_found
from ledgerport.sandboxes.business_central.store import Clock, Tenant
from ledgerport.sandboxes.business_central.throttle import Throttle
from ledgerport.sandboxes.business_central.wire import (
    Halt,
    Request,
    Response,
    json_response,
    read_request,
    send_response,
)

__all__ = ["DEFAULT_CLIENTS", "SandboxApp", "create_app", "run"]

DEFAULT_CLIENTS = {"sandbox-client": "sandbox-secret"}
EXEMPT = ("/_sandbox", "/organizations/", "/common/", "/environments")
_OAUTH = re.compile(r"^/(?P<tenant>[^/]+)/oauth2/v2\.0/(?P<endpoint>authorize|token)/?$")
_API = re.compile(r"^/v2\.0/(?:(?P<tenant>[0-9a-fA-F-]{36}|[^/]+\.[^/]+)/)?(?P<env>[^/]+)/api/v2\.0(?P<rest>/.*)?$")


class SandboxApp:
    """The ASGI callable plus handles on its state."""

    def __init__(
        self,
        *,
        tenant: Tenant,
        identity: Identity,
        faults: Faults,
        clock: Clock,
        api: Api,
        rebuild: Callable[[], Tenant],
        limits: bool,
    ) -> None:
        self.tenant = tenant
        self.identity = identity
        self.oauth = identity.oauth
        self.faults = faults
        self.clock = clock
        self.api = api
        self._rebuild = rebuild
        faulty = FaultsMiddleware(
            self._route,
            faults,
            throttle_body=error_body("Application_TooManyRequests", "Too many requests. Please retry later."),
            throttle_type=b"application/json; charset=utf-8",
            error_body=error_body("Internal_ServiceUnavailable", "The service is temporarily unavailable."),
        )
        self.throttle = Throttle(faulty, clock=clock, enabled=limits)
        self.control = Control(self, identity, faults, self.throttle, clock, self.reset_tenant)

    def reset_tenant(self) -> Tenant:
        """A freshly generated tenant (``/_sandbox/reset``)."""
        self.tenant = self._rebuild()
        self.api.tenant = self.tenant
        self.api.cache.entries.clear()
        return self.tenant

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Serve one ASGI connection (under a prefix, on the paths below it)."""
        if scope["type"] == "lifespan":
            await serve_lifespan(receive, send)
            return
        if scope["type"] == "http":
            scope = at_own_root(scope)
        await self.throttle(scope, receive, send)

    async def _route(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        request = await read_request(scope, receive)
        if request is None:
            return
        try:
            response = await self._dispatch(request)
        except Halt as halt:
            response = halt.response
        await send_response(send, response)

    async def _dispatch(self, request: Request) -> Response:
        path = request.path
        if path == "/_sandbox" or path.startswith("/_sandbox/"):
            return await self.control.handle(request, path[len("/_sandbox/") :].strip("/"))
        found = _OAUTH.match(path)
        if found is not None:
            if found.group("endpoint") == "authorize" and request.method in {"GET", "POST"}:
                return await self.identity.authorize(request, found.group("tenant"))
            if found.group("endpoint") == "token" and request.method == "POST":
                return await self.identity.token(request, found.group("tenant"))
            return Response(405)
        if path.rstrip("/") in {"/environments/v1.2", "/environments/v1.1"} and request.method == "GET":
            self.identity.check(request)
            return json_response(
                {"value": [self._environment(request, env.name, env.type) for env in self.tenant.environments.values()]}
            )
        found = _API.match(path)
        if found is not None:
            tenant = found.group("tenant")
            if tenant is not None and tenant.lower() != self.tenant.id:
                self.identity.check(request)
                raise ODataError(
                    401,
                    "Authentication_InvalidCredentials",
                    f"The tenant '{tenant}' does not match the token's tenant.",
                )
            request.user = self.identity.check(request)
            environment = self.tenant.environment(found.group("env"))
            if environment is None:
                raise ODataError(
                    404,
                    "NoEnvironment",
                    f"Environment '{found.group('env')}' does not exist for tenant '{self.tenant.id}'.",
                )
            prefix = f"/v2.0/{tenant + '/' if tenant else ''}{found.group('env')}/api/v2.0"
            root = request.origin() + prefix
            rest = (found.group("rest") or "").strip("/")
            if rest == "$batch":
                if request.method != "POST":
                    raise ODataError(405, "BadRequest_MethodNotAllowed", "$batch takes POST.")
                return await run_batch(self.api, request, environment, root, request.root_path)
            return await self.api.handle(request, environment, root, rest)
        raise resource_not_found(path.strip("/").split("/")[0] if path.strip("/") else "/")

    def _environment(self, request: Request, name: str, kind: str) -> dict[str, Any]:
        return {
            "aadTenantId": self.tenant.id,
            "applicationFamily": "BusinessCentral",
            "type": kind,
            "name": name,
            "countryCode": "US",
            "webServiceUrl": f"{request.origin()}/v2.0/{self.tenant.id}/{name}",
            "webClientLoginUrl": f"{request.origin()}/{self.tenant.id}/{name}",
            "ringName": "PROD" if kind == "Production" else "PREVIEW",
        }


def create_app(
    *,
    seed: int = 0,
    size: str | int = "small",
    faults: Faults | None = None,
    clock: Callable[[], float] = time.time,
    clients: dict[str, str] | None = None,
    limits: bool = True,
) -> SandboxApp:
    """Build a sandbox: one tenant, ``production`` (two companies) and ``sandbox`` (one), seeded from ``seed``."""
    sandbox_clock = Clock(clock)
    tenant = generate(seed, size)
    oauth = EntraTokens(
        clients=clients or DEFAULT_CLIENTS,
        access_ttl=ACCESS_TTL,
        refresh_ttl=REFRESH_TTL,
        refresh_grace=REFRESH_TTL,
        clock=sandbox_clock,
    )
    secret = hashlib.sha256(f"ledgerport-bc-sandbox:{seed}".encode()).hexdigest()
    identity = Identity(oauth, tenant.id, secret, sandbox_clock)
    faults = faults if faults is not None else Faults(exempt=EXEMPT)
    api = Api(tenant, sandbox_clock)
    return SandboxApp(
        tenant=tenant,
        identity=identity,
        faults=faults,
        clock=sandbox_clock,
        api=api,
        rebuild=lambda: generate(seed, size),
        limits=limits,
    )


def run(host: str, port: int, seed: int, size: str | int) -> None:
    """Serve a sandbox with uvicorn until interrupted (``ledgerport sandbox business-central``)."""
    import uvicorn

    uvicorn.run(create_app(seed=seed, size=size), host=host, port=port, log_level="info")
