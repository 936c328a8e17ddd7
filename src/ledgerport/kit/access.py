"""The access log and the request metrics: one ASGI wrapper that sees every HTTP request, routed or not.

Each request gives one line on the ``ledgerport.access`` logger, after its answer is sent, with the fields
``method``, ``path``, ``query_keys``, ``status``, ``duration_ms``, ``client``, and ``organization_id`` and
``linked_account_id`` once authentication named them (the handlers' guards call :func:`note_caller`). What is never
logged: header values (``Authorization``, ``X-Account-Token``), bodies, query values (a link page's ``token``, an
OAuth ``code``), and a path segment the route names a token or a secret (``/account-token/{public_token}`` is
logged as that template). Probes and scrapes (``quiet`` paths) log at DEBUG, so a load balancer does not fill the log.

The same wrapper counts :data:`~ledgerport.kit.metrics.HTTP_REQUESTS` and times
:data:`~ledgerport.kit.metrics.HTTP_REQUEST_SECONDS` by route template (``path_template``, which the framework puts
in the scope once it has routed), so a label never holds an id; an unrouted request counts as ``<unmatched>``.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable, Collection, MutableMapping
from typing import Any
from urllib.parse import parse_qsl

from ledgerport.kit.metrics import HTTP_REQUEST_SECONDS, HTTP_REQUESTS

__all__ = ["ACCESS_LOGGER", "AccessLog", "note_caller"]

ACCESS_LOGGER = "ledgerport.access"

_CALLER = "ledgerport.caller"
"""Key of the scope's ``state`` under which authentication leaves who called."""
_SECRET_PARAM = re.compile(r"token|secret|key|password|code", re.IGNORECASE)
_PARAM = re.compile(r"\{([^}:]+)(?::[^}]*)?\}")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def note_caller(scope: Scope, *, organization_id: object, linked_account_id: object = None) -> None:
    """Record who the request is from, for its access-log line (ids only: never a key or token)."""
    state = scope.setdefault("state", {})
    state[_CALLER] = (str(organization_id), None if linked_account_id is None else str(linked_account_id))


def _path(scope: Scope, path: str) -> str:
    """The path as logged: the route template where a path parameter names a secret, the path otherwise."""
    template = scope.get("path_template")
    params = scope.get("path_params") or {}
    if template and any(_SECRET_PARAM.search(name) for name in params):

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            return "{" + name + "}" if _SECRET_PARAM.search(name) else str(params.get(name, match.group(0)))

        return _PARAM.sub(fill, template)
    return path


def _query_keys(raw: bytes) -> str:
    keys = dict.fromkeys(key for key, _ in parse_qsl(raw.decode("latin-1"), keep_blank_values=True))
    return ",".join(keys)


class AccessLog:
    """Wraps an ASGI app: an access-log line and the request metrics for every HTTP request."""

    def __init__(self, app: ASGIApp, *, quiet: Collection[str] = ("/health", "/ready", "/metrics")) -> None:
        self.app = app
        self.quiet = frozenset(quiet)
        self.log = logging.getLogger(ACCESS_LOGGER)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; log and count it once it is answered (or has failed)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        method = str(scope.get("method", ""))
        path = str(scope.get("path", ""))  # before routing rewrites it
        status = 500  # what the server answers when the app fails before starting a response

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            elapsed = time.perf_counter() - started
            self._record(scope, method, path, status, elapsed)

    def _record(self, scope: Scope, method: str, path: str, status: int, elapsed: float) -> None:
        route = scope.get("path_template") or "<unmatched>"
        HTTP_REQUESTS.labels(method=method, route=route, status=str(status)).inc()
        HTTP_REQUEST_SECONDS.labels(method=method, route=route).observe(elapsed)
        level = logging.DEBUG if path in self.quiet and status < 400 else logging.INFO
        if not self.log.isEnabledFor(level):
            return
        shown = _path(scope, path)
        keys = _query_keys(scope.get("query_string") or b"")
        organization_id, account_id = (scope.get("state") or {}).get(_CALLER, (None, None))
        client = scope.get("client")
        duration_ms = round(elapsed * 1000, 1)
        target = f"{shown}?{keys}" if keys else shown
        self.log.log(
            level,
            "%s %s %d %.1fms",
            method,
            target,
            status,
            duration_ms,
            extra={
                "method": method,
                "path": shown,
                "query_keys": keys or None,
                "status": status,
                "duration_ms": duration_ms,
                "client": client[0] if client else None,
                "organization_id": organization_id,
                "linked_account_id": account_id,
                "_shown": ("method", "path", "query_keys", "status", "duration_ms"),
            },
        )
