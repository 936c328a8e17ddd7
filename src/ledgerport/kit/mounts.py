"""Serve other ASGI apps under path prefixes beside a main app (the embedded demo mounts the sandboxes).

A mounted app is told where it is mounted the standard ASGI way: ``root_path`` grows by the prefix, and ``path``
stays the whole request path, as uvicorn's ``--root-path`` and Starlette's ``Mount`` leave it. The app routes on
the part of ``path`` below ``root_path`` and starts every URL that points back at itself (form actions, redirects,
discovery documents) with ``root_path``, so a browser that found it under the prefix stays there. A provider
emulator keeps its real paths below the prefix; frameworks' own mounts may rewrite paths (trailing slashes) in ways
an emulator must not.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

__all__ = ["PrefixMounts"]

ASGIApp = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


class PrefixMounts:
    """Route ``/prefix/...`` to the app mounted there and everything else to ``main``."""

    def __init__(self, main: Any, mounts: Mapping[str, Any]) -> None:
        self.main = main
        self.mounts = sorted(((prefix.rstrip("/"), app) for prefix, app in mounts.items()), key=lambda m: -len(m[0]))

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        """Dispatch one connection (lifespan goes to the main app only)."""
        if scope["type"] in {"http", "websocket"}:
            root: str = scope.get("root_path", "")
            path: str = scope["path"]
            below = path[len(root) :] if root and (path == root or path.startswith(root + "/")) else path
            for prefix, app in self.mounts:
                if below == prefix or below.startswith(prefix + "/"):
                    await app({**scope, "root_path": root + prefix}, receive, send)
                    return
        await self.main(scope, receive, send)
