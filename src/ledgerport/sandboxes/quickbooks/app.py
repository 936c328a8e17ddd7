"""The QuickBooks Online sandbox as one ASGI app: ``create_app(seed=..., size=...)``.

Composition, outermost first (each layer is plain ASGI)::

    QuickBooksSandbox   counts requests per path (GET /_sandbox/stats)
      _LimitsMiddleware   500/min per realm, 10 in flight per realm+app, batch 120/min per realm and 40/min per
                          realm+app -> 429 with Intuit's XML ThrottleExceeded body (no Retry-After, as QBO)
        FaultsMiddleware    injected latency, 429 storms, 5xx, truncated bodies (``_kit``)
          _Router             ``routes.ROUTES``

Limits sit outside the fault layer so injected latency holds a concurrency slot, as a slow QBO would.
``app.state`` (a ``Sandbox``) exposes the companies, the OAuth server and the faults to tests.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from ledgerport.sandboxes._kit import (
    CountingEntry,
    Faults,
    FaultsMiddleware,
    OAuthServer,
    read_body,
    serve_lifespan,
    uvicorn_server,
)
from ledgerport.sandboxes.quickbooks import errors
from ledgerport.sandboxes.quickbooks.auth import ACCESS_TTL, REFRESH_TTL
from ledgerport.sandboxes.quickbooks.clock import format_envelope_time
from ledgerport.sandboxes.quickbooks.data import build_company
from ledgerport.sandboxes.quickbooks.routes import ROUTES
from ledgerport.sandboxes.quickbooks.state import Limits, Sandbox
from ledgerport.sandboxes.quickbooks.wire import Request, Response, json_response

__all__ = ["DEFAULT_CLIENTS", "QuickBooksSandbox", "create_app", "realm_ids", "run", "serve"]

DEFAULT_CLIENTS = {"sandbox-client": "sandbox-secret"}
_XML = "application/xml"
_API_PREFIX = "/v3/company/"

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


async def _send(send: Send, response: Response, extra: list[tuple[str, str]] | None = None) -> None:
    headers = [
        ("content-type", response.content_type),
        ("content-length", str(len(response.body))),
        *response.headers,
        *(extra or []),
    ]
    await send(
        {
            "type": "http.response.start",
            "status": response.status,
            "headers": [(k.encode(), v.encode()) for k, v in headers],
        }
    )
    await send({"type": "http.response.body", "body": response.body})


def _request(scope: Scope, body: bytes) -> Request:
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    host = headers.get("host") or "{}:{}".format(*(scope.get("server") or ("127.0.0.1", 80)))
    query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True))
    root = scope.get("root_path", "")
    base_url = f"{scope.get('scheme', 'http')}://{host}{root}"
    return Request(scope["method"], scope["path"], query, headers, body, base_url, root_path=root)


class _Router:
    """First matching route wins; an unknown path is a 404 and a known path with another method a 405."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self._tids = itertools.count(1)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await serve_lifespan(receive, send)
            return
        body = await read_body(receive)
        if body is None:
            return
        request = _request(scope, body)
        response = json_response({"error": f"no route for {request.path}"}, 404)
        for method, pattern, handler in ROUTES:
            match = pattern.match(request.path)
            if match is None:
                continue
            if method != request.method:
                response = json_response({"error": f"method {request.method} not allowed"}, 405)
                continue
            request.params = {k: v for k, v in match.groupdict().items() if v is not None}
            response = handler(self.sandbox, request)
            break
        await _send(send, response, [("intuit_tid", f"sandbox-{next(self._tids):012d}")])


def _realm_of(path: str) -> str | None:
    if not path.startswith(_API_PREFIX):
        return None
    return path[len(_API_PREFIX) :].split("/", 1)[0]


class _LimitsMiddleware:
    """QBO's per-realm throttles in front of everything else under /v3/company/{realm}."""

    def __init__(self, app: App, sandbox: Sandbox) -> None:
        self.app = app
        self.sandbox = sandbox

    async def _throttled(self, send: Send) -> None:
        body = errors.throttle_xml(format_envelope_time(self.sandbox.clock()))
        await _send(send, Response(429, body, _XML))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limits, realm = self.sandbox.limits, _realm_of(scope.get("path", "")) if scope["type"] == "http" else None
        if limits is None or realm is None:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        token = headers.get(b"authorization", b"").decode("latin-1")[7:].strip()
        grant = self.sandbox.oauth.check_access(token) if token else None
        app_key = f"{realm}:{grant.client_id if grant else '-'}"
        allowed = limits.per_minute.hit(realm)[0]
        if allowed and scope["path"].endswith("/batch"):
            allowed = limits.batch_per_realm.hit(realm)[0] and limits.batch_per_app.hit(app_key)[0]
        if not allowed or not limits.concurrent.enter(app_key):
            await self._throttled(send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            limits.concurrent.leave(app_key)


class QuickBooksSandbox(CountingEntry):
    """The outermost ASGI app; ``state`` is the running ``Sandbox``."""

    state: Sandbox

    def __init__(self, sandbox: Sandbox) -> None:
        inner = FaultsMiddleware(
            _Router(sandbox),
            sandbox.faults,
            throttle_body=errors.throttle_xml(format_envelope_time(0)),
            throttle_type=_XML.encode(),
            error_body=errors.system_fault_body(),
        )
        super().__init__(sandbox, _LimitsMiddleware(inner, sandbox))

    @property
    def companies(self) -> dict[str, Any]:
        """Realm id -> ``Company``."""
        return self.state.companies

    @property
    def oauth(self) -> OAuthServer:
        """The authorization server."""
        return self.state.oauth


def realm_ids(seed: int) -> tuple[str, str]:
    """The seeded company and a tiny second one (so realm checks mean something)."""
    return f"9341{seed % 10**12:012d}", f"9342{seed % 10**12:012d}"


def create_app(
    *,
    seed: int = 0,
    size: str | int = "small",
    faults: Faults | None = None,
    clock: Callable[[], float] = time.time,
    clients: dict[str, str] | None = None,
    limits: bool = True,
) -> QuickBooksSandbox:
    """Build a sandbox: a seeded company (plus a 5-invoice second realm), OAuth, throttles and faults."""
    anchor = int(clock()) // 86_400 * 86_400  # a day boundary: same seed, same day -> same bytes
    main, second = realm_ids(seed)
    companies = {
        main: build_company(main, seed=seed, size=size, anchor=anchor),
        second: build_company(second, seed=seed + 1, size=5, anchor=anchor),
    }
    oauth = OAuthServer(
        clients=clients or dict(DEFAULT_CLIENTS),
        access_ttl=ACCESS_TTL,
        refresh_ttl=REFRESH_TTL,
        refresh_grace=-1,
        clock=clock,
    )  # -1: no grace, even within the same second
    faults = faults or Faults(exempt=(*Faults().exempt, "/.well-known", "/v2/oauth2", "/v1/openid_connect"))
    sandbox = Sandbox(
        companies=companies, oauth=oauth, faults=faults, limits=Limits.standard(clock) if limits else None, clock=clock
    )
    return QuickBooksSandbox(sandbox)


def serve(host: str = "127.0.0.1", port: int = 8000, seed: int = 0, size: str | int = "small") -> Any:
    """A configured ``uvicorn.Server`` (call ``.run()``, or run it in a thread in tests)."""
    return uvicorn_server(create_app(seed=seed, size=size), host, port)


def run(host: str, port: int, seed: int, size: str | int) -> None:
    """Serve until interrupted (the CLI's ``ledgerport sandbox quickbooks``)."""
    serve(host, port, seed, size).run()
