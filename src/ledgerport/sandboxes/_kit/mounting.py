"""A sandbox served under a path prefix: route on the path below ``root_path``, build its own URLs under it.

ASGI gives the prefix an app is mounted at as ``scope["root_path"]`` (WSGI's ``SCRIPT_NAME``). Servers and mounts
that follow the current reading of the spec (uvicorn's ``--root-path``, Starlette's ``Mount``, ``PrefixMounts``)
keep the whole request path in ``path``; older ones strip the prefix. An emulator answers on the provider's real
paths either way, so its entry point takes the prefix off once, and every URL it writes that points back at itself
(a consent form's action, a discovery document) starts with ``root_path`` so the browser stays under the mount.
"""

from __future__ import annotations

from typing import Any

__all__ = ["at_own_root"]


def at_own_root(scope: dict[str, Any]) -> dict[str, Any]:
    """``scope`` with ``path`` (and ``raw_path``) relative to ``root_path``, which is kept for building URLs."""
    root: str = scope.get("root_path", "")
    path: str = scope.get("path", "")
    if not root or not (path == root or path.startswith(root + "/")):
        return scope
    inner = path[len(root) :] or "/"
    raw: bytes | None = scope.get("raw_path")
    raw_root = root.encode()
    if raw is not None and (raw == raw_root or raw.startswith(raw_root + b"/")):
        raw = raw[len(raw_root) :] or b"/"
    return {**scope, "path": inner, "raw_path": raw}
