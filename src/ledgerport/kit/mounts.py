"""Serve other ASGI apps under path prefixes beside a main app (the embedded demo mounts the sandboxes).

The mounted app sees the request as if it were served at its own root (``root_path`` carries the prefix), so a
provider emulator keeps its real paths; frameworks' own mounts may rewrite paths (trailing slashes) in ways an
emulator must not.
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
            path: str = scope["path"]
            for prefix, app in self.mounts:
                if path == prefix or path.startswith(prefix + "/"):
                    inner = path[len(prefix) :] or "/"
                    child = {
                        **scope,
                        "path": inner,
                        "raw_path": inner.encode(),
                        "root_path": scope.get("root_path", "") + prefix,
                    }
                    await app(child, receive, send)
                    return
        await self.main(scope, receive, send)
