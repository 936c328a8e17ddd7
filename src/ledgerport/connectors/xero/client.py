"""Talking to Xero: the ``ERRORS`` table, the tenant header, and finding the tenant after the code exchange.

Xero's failures, as its API answers them (captures in ``provider-apis.md`` §2.6-2.7; the sandbox emits the same):

```
429  X-Rate-Limit-Problem: day       -> DailyLimitReached(Retry-After)   5,000/day per tenant is spent
429  (minute, appminute, concurrent) -> RateLimited(Retry-After)         wait, then the same call again
401  problem JSON "TokenExpired: …"  -> AuthExpired                      refresh once (also for an unknown token)
403  "AuthenticationUnsuccessful"    -> AuthRevoked                      the tenant is not (or no longer) connected
403  "AuthorizationUnsuccessful"     -> AuthRevoked                      the grant lacks a scope: relink with it
404  text/html sentence              -> NotFound
400  {"Type": "ValidationException"} -> Rejected(one Problem per ValidationError of every element)
400  other ApiException              -> Rejected(its Message)
5xx                                  -> Transient                        503 = organisation offline or outage
```

First match wins; the rows are tested one by one against the sandbox's bodies. A write Xero refuses is the same
400 ValidationException: each message becomes one Problem, which the write engine reports as a PROVIDER_ERROR whose
``detail`` is Xero's own sentence ("Invoice not of valid status for modification"). An element that comes back in
a 200 still carrying ``ValidationErrors`` (``summarizeErrors=false``) is refused the same way by ``writer``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from ledgerport.connectors._base.errors import (
    AuthExpired,
    AuthRevoked,
    ConnectorError,
    DailyLimitReached,
    ErrorRule,
    NotFound,
    Problem,
    RateLimited,
    Rejected,
    Transient,
    classify,
    status_is,
)
from ledgerport.connectors._base.http import Request, Response
from ledgerport.connectors.xero.bank_feeds import FEED_ERRORS

__all__ = [
    "CONNECTIONS_PATH",
    "ERRORS",
    "authorize",
    "connections_request",
    "facts_after_consent",
    "facts_from_connection",
    "read_connections",
    "validation_problems",
]

CONNECTIONS_PATH = "/connections"
_DEFAULT_RETRY_AFTER = 60.0


def _retry_after(response: Response) -> float:
    """``Retry-After`` seconds; Xero always sends it on a 429, a minute is the safe guess if not."""
    try:
        return max(0.0, float(response.headers.get("retry-after", _DEFAULT_RETRY_AFTER)))
    except ValueError:
        return _DEFAULT_RETRY_AFTER


def _detail(body: Any) -> str:
    """The problem JSON's ``Detail`` (PascalCase on Xero's identity layer)."""
    return str(body.get("Detail") or "") if isinstance(body, Mapping) else ""


def _api_type(body: Any) -> str:
    """The ApiException ``Type`` of a 400 body."""
    return str(body.get("Type") or "") if isinstance(body, Mapping) else ""


def validation_problems(body: Any) -> list[Problem]:
    """Every ``ValidationErrors[].Message`` of every failing element, in order, as Merge-style problems.

    Xero echoes each failing element with its errors; the element's position is the pointer, so a batch write can
    tell which of its items failed.
    """
    problems: list[Problem] = []
    elements = (body.get("Elements") or []) if isinstance(body, Mapping) else []
    for index, element in enumerate(elements):
        for error in (element.get("ValidationErrors") or []) if isinstance(element, Mapping) else []:
            message = str(error.get("Message") or "") if isinstance(error, Mapping) else str(error)
            problems.append(
                Problem(title="Validation error", detail=message, pointer=f"/Elements/{index}", raw_error=message)
            )
    return problems


def _rejected(response: Response, body: Any) -> ConnectorError:
    message = str(body.get("Message") or "") if isinstance(body, Mapping) else ""
    problems = validation_problems(body) or [Problem(title=_api_type(body) or "Bad request", detail=message)]
    return Rejected(f"Xero refused the request: {message or response.status}", problems=problems)


ERRORS: Sequence[ErrorRule] = (
    *FEED_ERRORS,
    ErrorRule(
        lambda r, b: r.status == 429 and r.headers.get("x-rate-limit-problem", "").lower() == "day",
        lambda r, b: DailyLimitReached("Xero's daily call limit for this tenant is spent", retry_after=_retry_after(r)),
        name="daily limit",
    ),
    ErrorRule(
        status_is(429),
        lambda r, b: RateLimited(
            f"Xero throttled the call ({r.headers.get('x-rate-limit-problem', 'unknown')} limit)",
            retry_after=_retry_after(r),
        ),
        name="minute, app-minute or concurrency limit",
    ),
    ErrorRule(status_is(401), lambda r, b: AuthExpired(f"Xero refused the access token: {_detail(b)}"), name="token"),
    ErrorRule(
        lambda r, b: r.status == 403 and _detail(b) == "AuthorizationUnsuccessful",
        lambda r, b: AuthRevoked("the Xero grant lacks a scope this call needs; link the account again"),
        name="missing scope",
    ),
    ErrorRule(
        status_is(403),
        lambda r, b: AuthRevoked(f"the Xero tenant is not connected to this grant: {_detail(b) or 'Forbidden'}"),
        name="tenant disconnected",
    ),
    ErrorRule(status_is(404), lambda r, b: NotFound(f"Xero has no {r.url}"), name="not found"),
    ErrorRule(status_is(400), _rejected, name="validation or API exception"),
    ErrorRule(
        lambda r, b: r.status >= 500,
        lambda r, b: Transient(f"Xero answered {r.status}: {_detail(b) or 'service unavailable'}"),
        name="outage",
    ),
)


def authorize(request: Request, account: Mapping[str, str]) -> Request:
    """Add the tenant header (every Accounting API call needs it) and ask for JSON (XML is Xero's default)."""
    headers = {**request.headers, "Accept": "application/json"}
    tenant = account.get("tenant_id")
    if tenant:
        headers["xero-tenant-id"] = tenant
    return msgspec.structs.replace(request, headers=headers)


def connections_request(base_url: str, access_token: str, auth_event_id: str | None = None) -> Request:
    """``GET /connections``: the tenants a consent connected (optionally only those of one auth event)."""
    params = (("authEventId", auth_event_id),) if auth_event_id else ()
    return Request(
        method="GET",
        url=f"{base_url.rstrip('/')}{CONNECTIONS_PATH}",
        params=params,
        headers={"Authorization": f"Bearer {access_token}", "Accept": "application/json"},
    )


def facts_from_connection(connection: Mapping[str, Any]) -> Mapping[str, str]:
    """One ``/connections`` row as a linked account's facts: ``{"tenant_id", "tenant_name"}``."""
    return {"tenant_id": str(connection["tenantId"]), "tenant_name": str(connection.get("tenantName") or "")}


def facts_after_consent(params: Mapping[str, str], connections: Any) -> Mapping[str, str]:
    """The organisation a consent connected: the first organisation row of ``GET /connections``.

    One consent may connect several organisations; each becomes its own linked account only when linked again
    (Merge links one company per account).
    """
    rows = [row for row in connections or [] if row.get("tenantType", "ORGANISATION") == "ORGANISATION"]
    if not rows:
        raise Rejected("the consent connected no Xero organisation")
    return facts_from_connection(rows[0])


def read_connections(response: Response) -> list[Mapping[str, str]]:
    """Facts for every connected organisation (one consent may connect several; practices are skipped)."""
    error = classify(response, ERRORS)
    if error is not None:
        raise error
    body = response.json()
    if not isinstance(body, list):
        raise Rejected(f"GET /connections answered {response.status} without a list")
    return [facts_from_connection(row) for row in body if row.get("tenantType", "ORGANISATION") == "ORGANISATION"]
