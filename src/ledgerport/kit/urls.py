"""Connection URLs as they may be shown: in start lines, logs and error messages, never with a credential.

``postgresql://app:s3cret@db:5432/ledgerport?sslmode=require&password=x`` shows as
``postgresql://app@db:5432/ledgerport?sslmode=require``: the password of the authority goes, and so does every
query parameter whose name says it holds a secret (libpq and redis-py accept passwords there too). An SQLite URL
shows as its file's absolute path, which is what an operator looks for.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["shown_url"]

_SECRET_WORDS = ("pass", "secret", "token", "key", "auth", "credential")


def _secret(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in _SECRET_WORDS)


def shown_url(url: str) -> str:
    """``url`` without its password or secret query parameters; an SQLite URL as its file's path."""
    if url.startswith("sqlite"):
        _, _, rest = url.partition(":///")
        path = rest.partition("?")[0]
        if not path or ":memory:" in path:
            return "sqlite (in memory)"
        return f"sqlite {Path(path).expanduser().resolve()}"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "<unparseable URL>"
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _secret(k)])
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))
