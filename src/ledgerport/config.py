"""Settings, read once from ``LEDGERPORT_*`` environment variables by :func:`load_settings`.

Nothing here runs at import; the entry points (``app.py``, ``cli.py``) call :func:`load_settings` and pass the value
down, so tests build as many differently configured apps as they like in one process.
"""

from __future__ import annotations

import ipaddress
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import msgspec

from ledgerport.connectors._base.registrations import OriginRefused, normal_origin

__all__ = [
    "OAuthApp",
    "SANDBOX_CLIENT",
    "Settings",
    "SettingsError",
    "callback_url",
    "ensure_parent_dir",
    "load_settings",
    "oauth_apps",
    "public_url",
    "sealing_keys",
]

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
    organization_rate_limit_per_minute: int = 600
    """Requests per minute per organization to the endpoints the API key alone opens (linked-accounts, keys,
    link-token, account-token exchange, issues); a budget apart from the accounts'; 0 turns it off."""
    auth_failures_per_minute: int = 30
    """Failed credential lookups (wrong API key or account token) allowed per client address per minute; past it
    that address is answered 429 before any lookup. Keyed by address, never by the key presented, so nobody can
    lock a tenant out by sending its key wrongly. 0 turns it off."""
    public_rate_limit_per_minute: int = 300
    """Requests per minute per client address to what needs no credentials (link pages, docs, schema,
    integrations; not /health); 0 turns it off."""
    request_timeout_seconds: float = 10.0
    """How long a client may take to send one whole request (line, headers, body) from its first byte, or from
    connecting for the first request; slower connections are closed (slowloris). API requests are small: 10 s
    leaves a slow mobile link several retransmissions."""
    max_header_bytes: int = 16 * 1024
    """Largest request line plus headers accepted (h11's and Node's default); a larger head is answered 431 and
    the connection closed."""
    max_headers: int = 100
    """Most header fields in one request (Apache's default); more are answered 431."""
    max_concurrency: int = 1000
    """Connections plus requests in flight per server process before new requests get 503; 0 means no limit."""
    auth_cache_seconds: float = 2.0
    """How long a process may reuse a credential lookup; revocation takes effect within this delay everywhere."""
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str | None = None
    """The URL clients use to reach this server, printed in demo instructions; defaults to http://host:port."""
    secret_keys: tuple[str, ...] = ()
    """Keys that seal provider credentials at rest, newest first (comma-separated in the variable)."""
    secret_key_file: str = "./var/secret.key"  # noqa: S105 - a path, not a secret
    """Where the embedded default keeps a generated key when ``LEDGERPORT_SECRET_KEYS`` is not set."""
    sync_interval_seconds: int = 300
    """How often each linked account is synced incrementally."""
    report_periods: int = 12
    """How many months of financial statements and general-ledger postings each sync reads again
    (``LEDGERPORT_REPORT_PERIODS``), for the providers that compute them on request (QuickBooks' reports)."""
    sandbox_origins: dict[str, str] = {}
    """Connector key → a sandbox origin to link against instead of the real provider (``LEDGERPORT_SANDBOX_ORIGINS``
    = ``quickbooks=http://127.0.0.1:8100,xero=http://127.0.0.1:8101``); the link page then offers them."""
    job_lease_seconds: float = 60.0
    """How long a worker owns a job without renewing; a killed worker's job is taken over after this."""
    write_lease_seconds: float = 120.0
    """How long a process owns a write it is sending; a retry with the same Idempotency-Key takes over after it."""
    write_wait_seconds: float = 10.0
    """How long a request whose Idempotency-Key another request is still writing waits for that answer before a 409
    with ``Retry-After``."""
    write_log_hours: float = 24.0 * 7
    """How long the provider calls of writes are kept for ``GET /logs/{id}`` (debug mode)."""
    webhook_allow_private: bool = False
    """Whether webhook endpoints may be on private, loopback or link-local addresses
    (``LEDGERPORT_WEBHOOK_ALLOW_PRIVATE=1``). Off by default, so a tenant cannot make the server call services
    inside its network; checked when an endpoint is saved and again for every address each delivery connects to."""
    webhook_retry_hours: float = 24.0
    """How long a delivery is retried (exponential backoff) before it is given up; the endpoint is disabled when
    one is given up with no success since its failures began."""
    webhook_backoff_seconds: float = 10.0
    """The wait after a delivery's first failed attempt; each further failure doubles it, up to
    ``webhook_max_backoff_seconds``."""
    webhook_max_backoff_seconds: float = 3600.0
    """The longest wait between two attempts of a delivery."""
    webhook_timeout_seconds: float = 10.0
    """How long an endpoint has to answer one delivery."""
    webhook_retention_days: float = 7.0
    """How long delivered and given-up events are kept for the delivery log and replay."""
    sandbox_url_allowlist: frozenset[str] = frozenset()
    """Other sandbox origins a person may type on the link page (or a script pass) for a connector that is
    itself sandboxed (``LEDGERPORT_SANDBOX_URL_ALLOWLIST``, comma-separated); nothing else is ever accepted."""
    log_format: str = "text"
    """``text`` (one human line per record) or ``json`` (one JSON object per line: ``ts``, ``level``, ``logger``,
    ``message`` and the record's fields) for ``serve`` and ``worker`` (``LEDGERPORT_LOG_FORMAT``)."""
    log_level: str = "INFO"
    """The least level logged (``LEDGERPORT_LOG_LEVEL``: DEBUG, INFO, WARNING, ERROR); DEBUG adds probe requests."""
    metrics: bool = True
    """Whether the server answers ``GET /metrics`` (``LEDGERPORT_METRICS=off`` makes it 404)."""
    metrics_allow: tuple[str, ...] = ()
    """Client networks allowed to read the server's ``/metrics`` (``LEDGERPORT_METRICS_ALLOW``, comma-separated
    addresses or CIDR blocks such as ``127.0.0.1,10.0.0.0/8``); others get 404. Empty: anyone who reaches it."""
    worker_metrics_port: int | None = None
    """Where ``ledgerport worker`` serves its own ``/metrics`` (``LEDGERPORT_WORKER_METRICS_PORT``, or
    ``--metrics-port``); unset: it serves none."""
    worker_metrics_host: str = "127.0.0.1"
    """The interface of the worker's metrics port (``LEDGERPORT_WORKER_METRICS_HOST``)."""
    operator_email: str | None = None
    """Who runs the CLI, as the audit trail's ``user_email`` names them (``LEDGERPORT_OPERATOR_EMAIL``); the
    operating-system login is its ``user_name``."""


def _origins(raw: str) -> dict[str, str]:
    origins = {}
    for pair in filter(None, (part.strip() for part in raw.split(","))):
        key, _, origin = pair.partition("=")
        origin = origin.strip().rstrip("/")
        if not key.strip() or not origin.startswith(("http://", "https://")):
            raise ValueError(f"{pair!r} is not <connector>=<http(s) origin>")
        origins[key.strip()] = origin
    return origins


def _allowlist(raw: str) -> frozenset[str]:
    allowed = set()
    for entry in filter(None, (part.strip() for part in raw.split(","))):
        try:
            allowed.add(normal_origin(entry))
        except OriginRefused as exc:
            raise ValueError(str(exc)) from exc
    return frozenset(allowed)


def _networks(raw: str) -> tuple[str, ...]:
    found = []
    for entry in filter(None, (part.strip() for part in raw.split(","))):
        found.append(str(ipaddress.ip_network(entry, strict=False)))
    return tuple(found)


def _log_format(raw: str) -> str:
    lowered = raw.strip().lower()
    if lowered not in ("text", "json"):
        raise ValueError("use text or json")
    return lowered


def _log_level(raw: str) -> str:
    upper = raw.strip().upper()
    if upper not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ValueError("use DEBUG, INFO, WARNING, ERROR or CRITICAL")
    return upper


def _flag(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError("use 1 or 0")


_ENV: Mapping[str, tuple[str, Callable[[str], object]]] = {
    "LEDGERPORT_DATABASE_URL": ("database_url", str),
    "LEDGERPORT_REDIS_URL": ("redis_url", str),
    "LEDGERPORT_RATE_LIMIT_PER_MINUTE": ("rate_limit_per_minute", int),
    "LEDGERPORT_ORGANIZATION_RATE_LIMIT_PER_MINUTE": ("organization_rate_limit_per_minute", int),
    "LEDGERPORT_AUTH_FAILURES_PER_MINUTE": ("auth_failures_per_minute", int),
    "LEDGERPORT_PUBLIC_RATE_LIMIT_PER_MINUTE": ("public_rate_limit_per_minute", int),
    "LEDGERPORT_REQUEST_TIMEOUT_SECONDS": ("request_timeout_seconds", float),
    "LEDGERPORT_MAX_HEADER_BYTES": ("max_header_bytes", int),
    "LEDGERPORT_MAX_HEADERS": ("max_headers", int),
    "LEDGERPORT_MAX_CONCURRENCY": ("max_concurrency", int),
    "LEDGERPORT_AUTH_CACHE_SECONDS": ("auth_cache_seconds", float),
    "LEDGERPORT_HOST": ("host", str),
    "LEDGERPORT_PORT": ("port", int),
    "LEDGERPORT_PUBLIC_URL": ("public_url", str),
    "LEDGERPORT_SECRET_KEYS": ("secret_keys", lambda raw: tuple(k.strip() for k in raw.split(",") if k.strip())),
    "LEDGERPORT_SECRET_KEY_FILE": ("secret_key_file", str),
    "LEDGERPORT_SYNC_INTERVAL_SECONDS": ("sync_interval_seconds", int),
    "LEDGERPORT_REPORT_PERIODS": ("report_periods", int),
    "LEDGERPORT_JOB_LEASE_SECONDS": ("job_lease_seconds", float),
    "LEDGERPORT_WRITE_LEASE_SECONDS": ("write_lease_seconds", float),
    "LEDGERPORT_WRITE_WAIT_SECONDS": ("write_wait_seconds", float),
    "LEDGERPORT_WRITE_LOG_HOURS": ("write_log_hours", float),
    "LEDGERPORT_WEBHOOK_ALLOW_PRIVATE": ("webhook_allow_private", lambda raw: _flag(raw)),
    "LEDGERPORT_WEBHOOK_RETRY_HOURS": ("webhook_retry_hours", float),
    "LEDGERPORT_WEBHOOK_BACKOFF_SECONDS": ("webhook_backoff_seconds", float),
    "LEDGERPORT_WEBHOOK_MAX_BACKOFF_SECONDS": ("webhook_max_backoff_seconds", float),
    "LEDGERPORT_WEBHOOK_TIMEOUT_SECONDS": ("webhook_timeout_seconds", float),
    "LEDGERPORT_WEBHOOK_RETENTION_DAYS": ("webhook_retention_days", float),
    "LEDGERPORT_SANDBOX_ORIGINS": ("sandbox_origins", lambda raw: _origins(raw)),
    "LEDGERPORT_SANDBOX_URL_ALLOWLIST": ("sandbox_url_allowlist", lambda raw: _allowlist(raw)),
    "LEDGERPORT_LOG_FORMAT": ("log_format", lambda raw: _log_format(raw)),
    "LEDGERPORT_LOG_LEVEL": ("log_level", lambda raw: _log_level(raw)),
    "LEDGERPORT_METRICS": ("metrics", lambda raw: _flag(raw)),
    "LEDGERPORT_METRICS_ALLOW": ("metrics_allow", lambda raw: _networks(raw)),
    "LEDGERPORT_WORKER_METRICS_PORT": ("worker_metrics_port", int),
    "LEDGERPORT_WORKER_METRICS_HOST": ("worker_metrics_host", str),
    "LEDGERPORT_OPERATOR_EMAIL": ("operator_email", lambda raw: raw.strip()[:320] or None),
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
            raise SettingsError(f"{variable}={raw!r} is not valid: {exc}") from exc
    values.update({k: v for k, v in overrides.items() if v is not None})
    settings = msgspec.convert(values, Settings)
    for variable, least in _LEAST.items():
        value = getattr(settings, _ENV[variable][0])
        if value is not None and value < least:
            raise SettingsError(f"{variable} must be at least {least}{' (0 turns it off)' if least == 0 else ''}")
    return settings


_LEAST: Mapping[str, float] = {
    "LEDGERPORT_SYNC_INTERVAL_SECONDS": 10,
    "LEDGERPORT_REPORT_PERIODS": 1,
    "LEDGERPORT_RATE_LIMIT_PER_MINUTE": 0,
    "LEDGERPORT_ORGANIZATION_RATE_LIMIT_PER_MINUTE": 0,
    "LEDGERPORT_AUTH_FAILURES_PER_MINUTE": 0,
    "LEDGERPORT_PUBLIC_RATE_LIMIT_PER_MINUTE": 0,
    "LEDGERPORT_REQUEST_TIMEOUT_SECONDS": 0.1,
    "LEDGERPORT_MAX_HEADER_BYTES": 1024,
    "LEDGERPORT_MAX_HEADERS": 10,
    "LEDGERPORT_MAX_CONCURRENCY": 0,
    "LEDGERPORT_WEBHOOK_RETRY_HOURS": 0,
    "LEDGERPORT_WEBHOOK_BACKOFF_SECONDS": 0.01,
    "LEDGERPORT_WEBHOOK_MAX_BACKOFF_SECONDS": 0.01,
    "LEDGERPORT_WEBHOOK_TIMEOUT_SECONDS": 0.1,
    "LEDGERPORT_WEBHOOK_RETENTION_DAYS": 0,
    "LEDGERPORT_WORKER_METRICS_PORT": 1,
}
"""Each number setting's least usable value."""


def ensure_parent_dir(database_url: str) -> None:
    """Create an SQLite database's folder and file, readable by their owner only, before SQLite opens the file.

    The embedded default (``./var``) holds every linked account's data and, beside it, the key that seals their
    provider tokens. A folder made here is 0700 and a file 0600; SQLite gives its ``-wal`` and ``-shm`` files the
    database file's mode. A folder or file that already exists is left as it is: its owner chose it.
    """
    prefix = "sqlite:///"
    if database_url.startswith(prefix) and ":memory:" not in database_url:
        path = Path(database_url[len(prefix) :].partition("?")[0]).expanduser()
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass


def sealing_keys(settings: Settings) -> tuple[str, ...]:
    """The configured keys, or the embedded default's key file (created with mode 0600 on first use).

    A generated file suits one machine; several machines sharing a database must share keys through
    ``LEDGERPORT_SECRET_KEYS``.
    """
    if settings.secret_keys:
        return settings.secret_keys
    from cryptography.fernet import Fernet

    path = Path(settings.secret_key_file).expanduser()
    if not path.exists():
        _publish_once(path, Fernet.generate_key().decode())
    return (path.read_text().strip(),)


def _publish_once(path: Path, content: str) -> None:
    """Create ``path`` holding ``content`` unless another process got there first.

    The server, the worker and the CLI often start together on a fresh machine. The file is written
    in full under a private name and then hard-linked into place, so a reader never sees it empty and
    the first writer's key is the one every process ends up using.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor, staging = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "w") as sink:
            sink.write(content)
        try:
            os.link(staging, path)
        except FileExistsError:
            pass
    finally:
        os.unlink(staging)


class OAuthApp(msgspec.Struct, frozen=True):
    """The app's registration at one provider."""

    client_id: str
    client_secret: str
    redirect_uri: str


SANDBOX_CLIENT = ("sandbox-client", "sandbox-secret")
"""What every bundled sandbox accepts; the only registration sent to an origin the operator did not configure."""


def public_url(settings: Settings) -> str:
    """Where clients and providers' redirects reach this server."""
    return (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/")


def callback_url(settings: Settings) -> str:
    """The redirect URI to register at every provider."""
    return f"{public_url(settings)}/link/callback"


def oauth_apps(
    settings: Settings, keys: tuple[str, ...], environ: Mapping[str, str] | None = None
) -> dict[str, OAuthApp]:
    """The registrations the operator configured, from ``LEDGERPORT_OAUTH_<KEY>_CLIENT_ID`` / ``_CLIENT_SECRET``.

    A provider without them has no entry: its sandboxes take the sandbox client, and a real link to it is refused.
    The redirect URI is this server's ``/link/callback`` (register exactly that at the provider) unless
    ``LEDGERPORT_OAUTH_<KEY>_REDIRECT_URI`` says otherwise.
    """
    env = os.environ if environ is None else environ
    apps = {}
    for key in keys:
        prefix = f"LEDGERPORT_OAUTH_{key.upper()}_"
        client_id, secret = env.get(prefix + "CLIENT_ID"), env.get(prefix + "CLIENT_SECRET")
        if bool(client_id) != bool(secret):
            raise SettingsError(f"set both {prefix}CLIENT_ID and {prefix}CLIENT_SECRET, or neither")
        if client_id and secret:
            apps[key] = OAuthApp(client_id, secret, env.get(prefix + "REDIRECT_URI") or callback_url(settings))
    return apps
