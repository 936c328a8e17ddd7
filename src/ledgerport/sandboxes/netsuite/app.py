"""The NetSuite sandbox as one ASGI app: ``create_app(seed=..., size=...)``.

Composition, outermost first (each layer plain ASGI)::

    NetSuiteSandbox     strips a mount prefix, counts calls per path (GET /_sandbox/stats)
      governance          account-wide concurrency: past the limit (default 5) -> 429 nsError, no Retry-After
        FaultsMiddleware    injected latency, 5xx, 429 storms, truncated bodies (``_kit``)
          _Router             ``ROUTES``; /services/rest/* needs OAuth 2.0 or TBA; ``Prefer: respond-async``

Governance sits outside the fault layer so injected latency holds a concurrency slot, as a slow NetSuite would.
In sandbox mode every NetSuite host is this one origin (NETSUITE.md): the consent page, the token endpoint, the
record, SuiteQL and async services answer at their real paths.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from ledgerport.sandboxes._kit import CountingEntry, Faults, FaultsMiddleware, read_body, serve_lifespan, uvicorn_server
from ledgerport.sandboxes.netsuite import control, identity, jobs, query, records, writes
from ledgerport.sandboxes.netsuite.auth import Authority, TbaCredentials
from ledgerport.sandboxes.netsuite.data import seed as seed_account
from ledgerport.sandboxes.netsuite.dates import ZONE
from ledgerport.sandboxes.netsuite.errors import concurrency_exceeded, error_body, fail, invalid_login, not_found
from ledgerport.sandboxes.netsuite.oracle import install_functions
from ledgerport.sandboxes.netsuite.state import Clock, Sandbox
from ledgerport.sandboxes.netsuite.store import Account
from ledgerport.sandboxes.netsuite.wire import ERROR, Halt, Request, Response

__all__ = ["ACCOUNT_ID", "DEFAULT_CLIENTS", "NetSuiteSandbox", "create_app", "run", "serve"]

ACCOUNT_ID = "1234567_SB1"
DEFAULT_CLIENTS = {"sandbox-client": "sandbox-secret"}
EXEMPT = ("/_sandbox", "/app/login", "/services/rest/auth")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
Handler = Callable[[Sandbox, Request], Awaitable[Response]]

_R = "/services/rest/record/v1"
_A = "/services/rest/async/v1/job"
ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", "/app/login/oauth2/authorize.nl", identity.authorize),
    ("POST", "/app/login/oauth2/authorize.nl", identity.authorize_submit),
    ("POST", "/services/rest/auth/oauth2/v1/token", identity.token),
    ("POST", "/services/rest/query/v1/suiteql", query.suiteql),
    ("GET", f"{_R}/{{type}}", records.list_records),
    ("POST", f"{_R}/{{type}}", writes.create_record),
    ("GET", f"{_R}/{{type}}/{{id}}", records.get_record),
    ("PATCH", f"{_R}/{{type}}/{{id}}", writes.update_record),
    ("PUT", f"{_R}/{{type}}/{{id}}", writes.upsert_record),
    ("DELETE", f"{_R}/{{type}}/{{id}}", writes.delete_record),
    ("POST", f"{_R}/{{type}}/{{id}}/!transform/{{target}}", writes.transform_record),
    ("GET", f"{_R}/{{type}}/{{id}}/{{sub}}", records.get_sublist),
    ("GET", f"{_A}/{{job}}", jobs.get_job),
    ("GET", f"{_A}/{{job}}/task", jobs.list_tasks),
    ("GET", f"{_A}/{{job}}/task/{{task}}", jobs.get_task),
    ("GET", f"{_A}/{{job}}/task/{{task}}/result", jobs.get_result),
    *control.ROUTES,
]
_COMPILED = [
    (
        method,
        re.compile(
            "^"
            + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", re.escape(path).replace(r"\{", "{").replace(r"\}", "}"))
            + "/?$",
            re.IGNORECASE,
        ),
        handler,
    )
    for method, path, handler in ROUTES
]
_PROTECTED = ("/services/rest/record", "/services/rest/query", "/services/rest/async")
_ASYNC_ABLE = ("/services/rest/record", "/services/rest/query")


async def _send(send: Send, response: Response) -> None:
    headers = [("content-length", str(len(response.body))), *response.headers]
    if response.content_type:
        headers.insert(0, ("content-type", response.content_type))
    await send(
        {
            "type": "http.response.start",
            "status": response.status,
            "headers": [(k.lower().encode(), v.encode("latin-1")) for k, v in headers],
        }
    )
    await send({"type": "http.response.body", "body": response.body})


def _request(scope: Scope, body: bytes) -> Request:
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
    host = headers.get("host") or "{}:{}".format(*(scope.get("server") or ("127.0.0.1", 80)))
    root = scope.get("root_path", "")
    pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    base_url = f"{scope.get('scheme', 'http')}://{host.lower()}{root}"
    return Request(scope["method"], scope["path"], pairs, headers, body, base_url, root_path=root)


class _Router:
    """First matching route wins; authentication and ``Prefer: respond-async`` are decided here."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await serve_lifespan(receive, send)
            return
        body = await read_body(receive)
        if body is None:
            return
        request = _request(scope, body)
        try:
            response = await self.dispatch(request)
        except Halt as halt:
            response = halt.response
        await _send(send, response)

    def _authenticate(self, request: Request) -> None:
        header = request.headers.get("authorization", "")
        authority = self.sandbox.authority
        if header.lower().startswith("bearer "):
            if authority.bearer(header[7:].strip()) is not None:
                return
        elif header.lower().startswith("oauth "):
            url = f"{request.base_url}{request.path}"
            if authority.check_tba(header, request.method, url, request.query_pairs) is not None:
                return
        raise invalid_login()

    async def dispatch(self, request: Request) -> Response:
        handler, path_matched = None, False
        for method, pattern, candidate in _COMPILED:
            match = pattern.match(request.path)
            if match is None:
                continue
            if method == request.method:
                handler = candidate
                request.params = match.groupdict()
                break
            path_matched = True
        if handler is None:
            if path_matched:
                return Response(405, error_body(405, "METHOD_NOT_ALLOWED", "Method not allowed."), ERROR)
            raise not_found(request.path)
        if request.path.lower().startswith(_PROTECTED):
            self._authenticate(request)
            language = request.headers.get("accept-language")
            if language and not language.strip().lower().startswith(("en", "*")):
                # FACTS §6.4 #7: only the company's default language (English here) is accepted.
                raise fail(
                    400,
                    "INVALID_HEADER",
                    "REST web services currently only support the default company language. Remove the"
                    " Accept-Language header or set it to the default company language.",
                    errorHeader="Accept-Language",
                )
        prefer = (request.headers.get("prefer") or "").lower()
        if "respond-async" in prefer and request.path.lower().startswith(_ASYNC_ABLE):
            return await self._run_async(handler, request)
        return await handler(self.sandbox, request)

    async def _run_async(self, handler: Handler, request: Request) -> Response:
        job = jobs.start_job(self.sandbox, request)
        try:
            outcome = await handler(self.sandbox, request)
        except Halt as halt:
            outcome = halt.response
        job.status, job.body = outcome.status, outcome.body
        job.headers = [("content-type", outcome.content_type)] if outcome.content_type else []
        job.headers += outcome.headers
        job.finished = self.sandbox.clock()
        location = jobs.job_url(request, job.id)
        return Response(202, b"", None, [("location", location), ("preference-applied", "respond-async")])


class _Governance:
    """NetSuite's account-wide concurrency limit over /services/rest (the token endpoint aside)."""

    def __init__(self, app: Any, sandbox: Sandbox) -> None:
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        sandbox = self.sandbox
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not sandbox.limits or not path.lower().startswith(_PROTECTED):
            await self.app(scope, receive, send)
            return
        if sandbox.in_flight >= sandbox.concurrency:
            sandbox.stats["!429"] += 1
            await _send(send, Response(429, concurrency_exceeded(), ERROR))
            return
        sandbox.in_flight += 1
        sandbox.stats["!peak"] = max(sandbox.stats["!peak"], sandbox.in_flight)
        try:
            await self.app(scope, receive, send)
        finally:
            sandbox.in_flight -= 1


class NetSuiteSandbox(CountingEntry):
    """The outermost ASGI app; ``state`` is the running ``Sandbox``."""

    state: Sandbox

    def __init__(self, sandbox: Sandbox) -> None:
        inner = FaultsMiddleware(
            _Router(sandbox),
            sandbox.faults,
            throttle_body=concurrency_exceeded(),
            throttle_type=ERROR.encode(),
            error_body=error_body(503, "UNEXPECTED_ERROR", "An unexpected error occurred."),
        )
        super().__init__(sandbox, _Governance(inner, sandbox))

    @property
    def account(self) -> Account:
        """The seeded account."""
        return self.state.account


def _tba_credentials(seed: int) -> TbaCredentials:
    """A deterministic credential set per seed (64 hex characters each, as NetSuite's are)."""

    def part(label: str) -> str:
        return hashlib.sha256(f"ledgerport-netsuite-{seed}-{label}".encode()).hexdigest()

    return TbaCredentials(part("consumer-key"), part("consumer-secret"), part("token-id"), part("token-secret"))


def _build_account(seed: int, size: str | int, clock: Clock) -> tuple[Account, Any]:
    account = Account(ACCOUNT_ID)
    anchor = datetime.fromtimestamp(clock(), ZONE).date()
    books = seed_account(account, seed=seed, size=size, anchor=anchor)
    install_functions(account.db, clock, account.name_of)
    return account, books


def create_app(
    *,
    seed: int = 0,
    size: str | int = "small",
    faults: Faults | None = None,
    clock: Callable[[], float] = time.time,
    clients: dict[str, str] | None = None,
    limits: bool = True,
    concurrency: int = 5,
) -> NetSuiteSandbox:
    """Build a sandbox: the seeded OneWorld account ``1234567_SB1``, OAuth 2.0 and TBA, governance and faults."""
    sandbox_clock = Clock(clock)
    account, books = _build_account(seed, size, sandbox_clock)
    authority = Authority(ACCOUNT_ID, dict(clients or DEFAULT_CLIENTS), sandbox_clock, _tba_credentials(seed))
    sandbox = Sandbox(
        account=account,
        authority=authority,
        books=books,
        clock=sandbox_clock,
        faults=faults or Faults(exempt=EXEMPT),
        concurrency=concurrency,
        limits=limits,
        seed=seed,
        size=size,
    )

    def reseed() -> None:
        sandbox.account, sandbox.books = _build_account(seed, size, sandbox_clock)
        sandbox.jobs.clear()
        sandbox.idempotency.clear()
        sandbox.changed()

    sandbox.extra["reseed"] = reseed
    return NetSuiteSandbox(sandbox)


def serve(host: str = "127.0.0.1", port: int = 8000, seed: int = 0, size: str | int = "small") -> Any:
    """A configured ``uvicorn.Server`` (call ``.run()``, or run it in a thread in tests)."""
    return uvicorn_server(create_app(seed=seed, size=size), host, port)


def run(host: str, port: int, seed: int, size: str | int) -> None:
    """Serve until interrupted (``ledgerport sandbox netsuite``)."""
    serve(host, port, seed, size).run()
