"""Talking to Business Central: where a linked company's API lives, the ``ERRORS`` table, and the request headers.

A linked account is one (tenant, environment, company): every read is
``{origin}/v2.0/{tenant_id}/{environment}/api/v2.0/companies({company_id})/{entitySet}`` (FACTS.md §1).

BC's failures, all ``{"error": {"code", "message"}}`` whose message ends ``CorrelationId:  <guid>.`` (§5.1)::

    429  (6,000 per 5 min, or 100 connections) -> RateLimited(Retry-After, or 1 s guessed)   doubled per retry
    401  Authentication_InvalidCredentials     -> AuthExpired      refresh once, then the run fails: relink
    403  Authorization_*                       -> AuthRevoked      the user lacks a permission set: relink
    404  *_NotFound, Internal_RecordNotFound   -> NotFound
    409/412  Request_EntityChanged             -> Conflict         a stale If-Match (§9 leaves 409 vs 412 open)
    408, 503, 504 (queue and gateway timeouts) -> Transient        retried with exponential backoff and jitter
    other 4xx                                  -> Rejected(one Problem: BC's code and message)
    5xx                                        -> Transient

BC does not promise a ``Retry-After`` on a 429 (§5); when one comes it is honoured, when none comes the first wait
is a second and the client doubles it while the throttles go on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from ledgerport.connectors._base.errors import (
    AuthExpired,
    AuthRevoked,
    Conflict,
    ConnectorError,
    ErrorRule,
    NotFound,
    Problem,
    RateLimited,
    Rejected,
    Transient,
    status_is,
)
from ledgerport.connectors._base.http import Request, Response
from ledgerport.connectors._base.streams import StreamContext

__all__ = [
    "API_VERSION",
    "COMPANY_ID",
    "ENVIRONMENT",
    "ERRORS",
    "TENANT_ID",
    "THROTTLE_WAIT",
    "api_root",
    "authorize",
    "company_root",
    "error_code",
    "error_message",
    "problems",
]

API_VERSION = "v2.0"
TENANT_ID = "tenant_id"
ENVIRONMENT = "environment"
COMPANY_ID = "company_id"
THROTTLE_WAIT = 1.0
"""The first wait after a 429 that names none; the client doubles it while throttles repeat."""
_CORRELATION = re.compile(r"\s*CorrelationId:\s*\S*\s*$")


def api_root(base_url: str, tenant_id: str, environment: str) -> str:
    """The standard API of one environment: ``{origin}/v2.0/{tenant}/{environment}/api/v2.0``."""
    return f"{base_url.rstrip('/')}/v2.0/{tenant_id}/{environment}/api/{API_VERSION}"


def company_root(context: StreamContext) -> str:
    """The linked company's API root, from the account's facts."""
    account = context.account
    try:
        tenant, environment, company = account[TENANT_ID], account[ENVIRONMENT], account[COMPANY_ID]
    except KeyError as exc:
        raise AuthRevoked(f"the Business Central account lacks the fact {exc.args[0]!r}; link it again") from exc
    return f"{api_root(context.base_url, tenant, environment)}/companies({company})"


def authorize(request: Request, account: Mapping[str, str]) -> Request:
    """Ask for JSON; the company is in the path and the bearer token is added by the client."""
    return msgspec.structs.replace(request, headers={"Accept": "application/json", **request.headers})


# --- errors ---------------------------------------------------------------------------------------------------


def _error(body: Any) -> Mapping[str, Any]:
    error = body.get("error") if isinstance(body, Mapping) else None
    return error if isinstance(error, Mapping) else {}


def error_code(body: Any) -> str:
    """The OData error's ``code`` (``BadRequest_NotFound``)."""
    return str(_error(body).get("code") or "")


def error_message(body: Any) -> str:
    """The OData error's ``message`` without its ``CorrelationId`` suffix."""
    return _CORRELATION.sub("", str(_error(body).get("message") or "")).strip()


def problems(body: Any) -> list[Problem]:
    """BC's one error as a Merge-style problem (BC never lists several)."""
    code, message = error_code(body), error_message(body)
    if not code and not message:
        return []
    return [Problem(title=code or "Business Central error", detail=message or code, raw_error=f"{code} {message}")]


def _summary(response: Response, body: Any) -> str:
    found = " ".join(part for part in (error_code(body), error_message(body)) if part)
    return found or f"{response.status} {response.body[:200].decode('utf-8', 'replace')}"


def _retry_after(response: Response) -> tuple[float, bool]:
    """``(seconds, guessed)``: BC's ``Retry-After`` if it sent one, else the first guessed wait."""
    try:
        return max(0.0, float(response.headers["retry-after"])), False
    except (KeyError, ValueError):
        return THROTTLE_WAIT, True


def _throttled(response: Response, body: Any) -> ConnectorError:
    wait, guessed = _retry_after(response)
    return RateLimited(
        f"Business Central throttled the call: {_summary(response, body)}", retry_after=wait, guessed=guessed
    )


def _rejected(response: Response, body: Any) -> ConnectorError:
    found = problems(body) or [Problem(title="Bad request", detail=_summary(response, body))]
    return Rejected(f"Business Central refused the request: {_summary(response, body)}", problems=found)


ERRORS: Sequence[ErrorRule] = (
    ErrorRule(status_is(429), _throttled, name="rate or connection limit"),
    ErrorRule(
        status_is(401),
        lambda r, b: AuthExpired(f"Business Central refused the access token: {_summary(r, b)}"),
        name="token",
    ),
    ErrorRule(
        status_is(403),
        lambda r, b: AuthRevoked(f"the Business Central user lacks a permission: {_summary(r, b)}"),
        name="permission",
    ),
    ErrorRule(
        status_is(404), lambda r, b: NotFound(f"Business Central has no {r.url}: {_summary(r, b)}"), name="not found"
    ),
    ErrorRule(
        lambda r, b: r.status in {409, 412} and error_code(b) == "Request_EntityChanged",
        lambda r, b: Conflict(f"the Business Central record changed meanwhile: {_summary(r, b)}"),
        name="stale etag",
    ),
    ErrorRule(
        status_is(408, 503, 504),
        lambda r, b: Transient(f"Business Central timed out or queued too long ({r.status}): {_summary(r, b)}"),
        name="timeout",
    ),
    ErrorRule(lambda r, b: 400 <= r.status < 500, _rejected, name="OData error"),
    ErrorRule(
        lambda r, b: r.status >= 500,
        lambda r, b: Transient(f"Business Central answered {r.status}: {_summary(r, b)}"),
        name="outage",
    ),
)
