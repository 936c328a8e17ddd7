"""The provider calls of one piece of work, recorded as they are sent: writes show them in debug mode and keep
them for the operators' logs (``GET /logs/{id}``, the dashboard), and every passthrough is kept the same way."""

from __future__ import annotations

import time
import uuid
from typing import Any
from urllib.parse import parse_qsl, urlencode

import msgspec

from ledgerport.connectors._base import Request, Response, Transport
from ledgerport.kit import clock
from ledgerport.store.operations import WriteLog

__all__ = ["Call", "Recorder", "call_log", "scrub"]

Call = tuple[Request, Response | None, int, int]
"""A request, its answer (``None``: none came), when it was sent (epoch microseconds) and how long it took (ms)."""

_encoder = msgspec.json.Encoder(decimal_format="number")

_SECRET_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "x-api-key", "proxy-authorization"})
_SECRET_FIELDS = frozenset(
    {"access_token", "refresh_token", "id_token", "client_secret", "client_assertion", "assertion", "password"}
)
"""Fields of OAuth token requests and answers: a token refresh made during a write passes the same transport."""
_SECRET_FORM_FIELDS = _SECRET_FIELDS | {"code", "code_verifier"}
"""Form bodies are OAuth's own; JSON keeps ``code`` (accounting objects have codes)."""
_REMOVED = "[removed]"
LOG_BODY_LIMIT = 1024 * 1024
"""The largest body a log keeps; a larger one (a file upload, a file download) is logged by its size only."""


class Recorder:
    """A transport that keeps every call it passes on, for debug mode and the operators' logs."""

    def __init__(self, inner: Transport) -> None:
        self.inner = inner
        self.calls: list[Call] = []

    async def send(self, request: Request) -> Response:
        """Pass the request on, and keep it with its answer (or none), when it started and how long it took."""
        started, moment = time.perf_counter(), clock.now_micros()
        response: Response | None = None
        try:
            response = await self.inner.send(request)
            return response
        finally:
            self.calls.append((request, response, moment, int((time.perf_counter() - started) * 1000)))

    async def close(self) -> None:
        """The inner transport belongs to the app."""


def call_log(account_id: uuid.UUID, operation_id: uuid.UUID | None, call: Call) -> WriteLog:
    """One recorded call as a log row, credentials removed (``operation_id``: the write it belongs to, if any)."""
    request, response, moment, duration = call
    headers = {k: ("[removed]" if k.lower() in _SECRET_HEADERS else v) for k, v in request.headers.items()}
    return WriteLog(
        id=uuid.uuid4(),
        linked_account_id=account_id,
        operation_id=operation_id,
        created_at=moment,
        method=request.method,
        url=request.full_url[:2000],
        status_code=None if response is None else response.status,
        duration_ms=duration,
        request=_encoder.encode({"headers": headers, "body": _kept(request.body or b"")}),
        response=None
        if response is None
        else _encoder.encode(
            {
                "headers": {k: v for k, v in response.headers.items() if k.lower() not in _SECRET_HEADERS},
                "body": _kept(response.body),
            }
        ),
    )


def _kept(body: bytes) -> str:
    """What a log keeps of a body: :func:`scrub`'s text, or only its size when it is a file's bytes (not UTF-8 text,
    or more than ``LOG_BODY_LIMIT``), which would fill the log table and show as noise."""
    if len(body) > LOG_BODY_LIMIT:
        return f"[{len(body)} bytes, not kept]"
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return f"[{len(body)} bytes of binary content, not kept]"
    return scrub(body)


def scrub(body: bytes) -> str:
    """The body as text with the values of token and password fields removed, in JSON or form encoding; other
    bodies as they are."""
    text = body.decode("utf-8", "replace")
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        try:
            document = msgspec.json.decode(body)
        except msgspec.DecodeError:
            return text
        scrubbed = _scrub_json(document)
        return text if scrubbed == document else _encoder.encode(scrubbed).decode()
    if "=" in text and not any(ch.isspace() for ch in text.strip()):
        pairs = parse_qsl(text, keep_blank_values=True)
        if pairs and any(key.lower() in _SECRET_FORM_FIELDS for key, _ in pairs):
            return urlencode([(k, _REMOVED if k.lower() in _SECRET_FORM_FIELDS else v) for k, v in pairs])
    return text


def _scrub_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _REMOVED if k.lower() in _SECRET_FIELDS else _scrub_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub_json(v) for v in value]
    return value
