"""Settings, read once from ``LEDGERPORT_*`` environment variables by :func:`load_settings`.

Nothing here runs at import; the entry points (``app.py``, ``cli.py``) call :func:`load_settings` and pass the value
down, so tests build as many differently configured apps as they like in one process.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import msgspec

__all__ = ["Settings", "SettingsError", "ensure_parent_dir", "load_settings"]

DEFAULT_DATABASE_URL = "sqlite:///./var/ledgerport.db"


class SettingsError(ValueError):
    """An environment variable holds a value ledgerport cannot use."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Everything a ledgerport process needs to know about its surroundings."""

    database_url: str = DEFAULT_DATABASE_URL
    """``sqlite:///path`` (embedded default) or ``postgresql://user@host/db``; the async driver is chosen inside."""
    redis_url: str | None = None
    """When set, rate-limit budgets are shared by every process through this Redis."""
    rate_limit_per_minute: int = 600
    """Requests per minute per linked account (Merge's Enterprise tier); 0 turns the limit off."""
    auth_cache_seconds: float = 2.0
    """How long a process may reuse a credential lookup; revocation takes effect within this delay everywhere."""
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str | None = None
    """The URL clients use to reach this server, printed in demo instructions; defaults to http://host:port."""


_ENV: Mapping[str, tuple[str, type]] = {
    "LEDGERPORT_DATABASE_URL": ("database_url", str),
    "LEDGERPORT_REDIS_URL": ("redis_url", str),
    "LEDGERPORT_RATE_LIMIT_PER_MINUTE": ("rate_limit_per_minute", int),
    "LEDGERPORT_AUTH_CACHE_SECONDS": ("auth_cache_seconds", float),
    "LEDGERPORT_HOST": ("host", str),
    "LEDGERPORT_PORT": ("port", int),
    "LEDGERPORT_PUBLIC_URL": ("public_url", str),
}


def load_settings(environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Build settings from the environment (or ``environ``), then apply keyword overrides."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for variable, (field, kind) in _ENV.items():
        raw = env.get(variable)
        if raw is None or raw == "":
            continue
        try:
            values[field] = kind(raw)
        except ValueError as exc:
            raise SettingsError(f"{variable}={raw!r} is not a valid {kind.__name__}") from exc
    values.update({k: v for k, v in overrides.items() if v is not None})
    settings = msgspec.convert(values, Settings)
    if settings.rate_limit_per_minute < 0:
        raise SettingsError("LEDGERPORT_RATE_LIMIT_PER_MINUTE must be 0 (off) or positive")
    return settings


def ensure_parent_dir(database_url: str) -> None:
    """Create the folder of an SQLite file so the embedded default works in a fresh checkout."""
    prefix = "sqlite:///"
    if database_url.startswith(prefix) and ":memory:" not in database_url:
        Path(database_url[len(prefix) :]).expanduser().parent.mkdir(parents=True, exist_ok=True)
