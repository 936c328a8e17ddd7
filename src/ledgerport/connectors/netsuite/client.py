"""Talking to NetSuite: the SuiteQL request, reading a query whole, the ``ERRORS`` table and the account facts.

Every read is SuiteQL: ``POST /services/rest/query/v1/suiteql?limit=1000&offset=N`` with ``Prefer: transient``
and ``{"q": …}``; the answer is a collection (``items``, ``hasMore``, ``totalResults``) whose rows are keyed by
lower-case column aliases, with null columns left out (FACTS.md §2.4).

NetSuite's failures (nsError bodies: ``title``, ``status``, ``o:errorDetails[{detail, o:errorCode, o:errorPath}]``)::

    429  (concurrency limit; no Retry-After)  -> RateLimited(1 s, guessed)   the client doubles the wait per retry
    401  INVALID_LOGIN                         -> AuthExpired                  OAuth 2.0: refresh once; TBA: relink
    403  INSUFFICIENT_PERMISSION               -> AuthRevoked                  the role lacks a permission: relink
    404  NONEXISTENT_ID                        -> NotFound
    400  any other nsError                     -> Rejected(one Problem per o:errorDetails entry)
    5xx                                        -> Transient

NetSuite's limit is concurrency per account (5 on a standard account, shared by every integration), not calls per
minute: a 429 means other integrations hold the slots ledgerport's budget leaves them. It names no wait, so the
first is a second and the client doubles it while the throttles go on (VERIFY: FACTS.md §5 notes that bursts over
the limit may also come back as slow 401s; those are refreshed once and then fail the run, to be retried later).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from ledgerport.connectors._base.errors import (
    AuthExpired,
    AuthRevoked,
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
from ledgerport.connectors._base.streams import Fetch, StreamContext
from ledgerport.connectors.netsuite.auth import account_facts_of
from ledgerport.connectors.netsuite.suiteql import DATETIME, Query, col, text
from ledgerport.kit import clock

__all__ = [
    "ERRORS",
    "PAGE_SIZE",
    "SEGMENTS",
    "SUITEQL_PATH",
    "THROTTLE_WAIT",
    "UTC_OFFSET",
    "account_facts",
    "authorize",
    "learn_session",
    "offset_of",
    "problems",
    "read_all",
    "segments_of",
    "suiteql_request",
    "utc_offset_between",
]

SUITEQL_PATH = "/services/rest/query/v1/suiteql"
PAGE_SIZE = 1000
"""SuiteQL's largest page."""
THROTTLE_WAIT = 1.0
"""The first wait after a 429 (NetSuite names none); the client doubles it while throttles repeat."""
UTC_OFFSET = "utc_offset"
"""Session fact: the account zone's UTC offset now, in minutes (``"-420"``)."""
SEGMENTS = "segments"
"""Session fact: the account's custom segment columns (``cseg_region,cseg_channel``)."""
_SEGMENT = re.compile(r"^cseg_[a-z0-9_]+$")
_NOW = Query(columns=(col("SYSDATE", DATETIME, alias="now"),), source="dual")


def suiteql_request(base_url: str, query: str, *, offset: int = 0, limit: int = PAGE_SIZE) -> Request:
    """One page of a SuiteQL query."""
    if not 1 <= limit <= PAGE_SIZE:
        raise ValueError(f"limit must be within 1..{PAGE_SIZE}")
    return Request(
        method="POST",
        url=f"{base_url.rstrip('/')}{SUITEQL_PATH}",
        params=(("limit", str(limit)), ("offset", str(offset))),
        headers={"Prefer": "transient", "Content-Type": "application/json", "Accept": "application/json"},
        body=msgspec.json.encode({"q": query}),
    )


async def read_all(fetch: Fetch, context: StreamContext, query: str) -> list[dict[str, Any]]:
    """Every row of a query, page after page (a page's lines can outnumber the 1,000 rows of one answer)."""
    rows: list[dict[str, Any]] = []
    offset = 0
    while True:
        body = await fetch(suiteql_request(context.base_url, query, offset=offset))
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise Rejected(f"SuiteQL answered without items: {str(body)[:200]}")
        rows.extend(items)
        if not body.get("hasMore") or not items:
            return rows
        offset += len(items)


# --- session facts --------------------------------------------------------------------------------------------


def utc_offset_between(local: str, now: datetime) -> int:
    """The account zone's offset in minutes, from its wall clock (``SYSDATE``) and ours, to the quarter hour."""
    wall = datetime.fromisoformat(local).replace(tzinfo=UTC)
    minutes = (wall - now.astimezone(UTC)).total_seconds() / 60
    return int(round(minutes / 15) * 15)


def offset_of(account: Mapping[str, str]) -> timedelta:
    """The learnt UTC offset of the account's zone (none learnt: UTC)."""
    try:
        return timedelta(minutes=int(account.get(UTC_OFFSET) or 0))
    except ValueError:
        return timedelta(0)


def segments_of(account: Mapping[str, str]) -> list[str]:
    """The custom segment columns learnt for the account."""
    return [name for name in (account.get(SEGMENTS) or "").split(",") if _SEGMENT.match(name)]


async def learn_session(fetch: Fetch, context: StreamContext) -> Mapping[str, str]:
    """The account's zone offset now, and its custom segments (the connector's ``session_facts``).

    The zone: ``SYSDATE`` is the account's wall clock (NETSUITE.md), so its difference with our clock is the
    offset, whatever the zone is called. It holds for this run: DST changes between runs are learnt again, and a
    record stamped before a DST change is an hour off (the incremental overlap covers the watermark).
    """
    facts: dict[str, str] = {}
    rows = await read_all(fetch, context, text(_NOW))
    if rows and rows[0].get("now"):
        facts[UTC_OFFSET] = str(utc_offset_between(str(rows[0]["now"]), clock.now()))
    try:
        segments = await read_all(fetch, context, "SELECT scriptid AS scriptid FROM customsegment")
    except (Rejected, NotFound):  # the Custom Segments feature is off: no such table
        segments = []
    names = sorted({str(row.get("scriptid") or "").lower() for row in segments})
    facts[SEGMENTS] = ",".join(name for name in names if _SEGMENT.match(name))
    return facts


# --- errors ---------------------------------------------------------------------------------------------------


def _details(body: Any) -> list[Mapping[str, Any]]:
    details = body.get("o:errorDetails") if isinstance(body, Mapping) else None
    return [detail for detail in details or [] if isinstance(detail, Mapping)]


def _codes(body: Any) -> set[str]:
    return {str(detail.get("o:errorCode") or "") for detail in _details(body)}


def _summary(body: Any, fallback: str) -> str:
    found = "; ".join(str(detail.get("detail") or "") for detail in _details(body)).strip("; ")
    return found or (str(body.get("title")) if isinstance(body, Mapping) and body.get("title") else fallback)


def problems(body: Any) -> list[Problem]:
    """One Merge-style problem per ``o:errorDetails`` entry; its path is the pointer, and the raw error keeps the
    code, the detail and any ``o:errorUrl`` (an ``IDEMPOTENCY_ERROR`` names the first job there)."""
    title = str(body.get("title") or "NetSuite error") if isinstance(body, Mapping) else "NetSuite error"
    return [
        Problem(
            title=title,
            detail=str(detail.get("detail") or title),
            pointer=f"/{str(detail['o:errorPath']).replace('.', '/')}" if detail.get("o:errorPath") else None,
            raw_error=" ".join(
                str(part)
                for part in (detail.get("o:errorCode"), detail.get("detail"), detail.get("o:errorUrl"))
                if part
            ),
        )
        for detail in _details(body)
    ]


def _rejected(response: Response, body: Any) -> ConnectorError:
    found = problems(body) or [Problem(title="Bad request", detail=response.body[:300].decode("utf-8", "replace"))]
    return Rejected(f"NetSuite refused the request: {_summary(body, str(response.status))}", problems=found)


ERRORS: Sequence[ErrorRule] = (
    ErrorRule(
        status_is(429),
        lambda r, b: RateLimited(
            f"NetSuite refused a request over the account's concurrency limit: {_summary(b, 'Too Many Requests')}",
            retry_after=THROTTLE_WAIT,
            guessed=True,
        ),
        name="concurrency limit",
    ),
    ErrorRule(
        status_is(401),
        lambda r, b: AuthExpired(f"NetSuite refused the credentials: {_summary(b, 'INVALID_LOGIN')}"),
        name="login",
    ),
    ErrorRule(
        status_is(403),
        lambda r, b: AuthRevoked(f"the NetSuite role lacks a permission: {_summary(b, 'INSUFFICIENT_PERMISSION')}"),
        name="permission",
    ),
    ErrorRule(
        lambda r, b: r.status == 404 or "NONEXISTENT_ID" in _codes(b),
        lambda r, b: NotFound(f"NetSuite has no such record: {_summary(b, r.url)}"),
        name="not found",
    ),
    ErrorRule(lambda r, b: 400 <= r.status < 500, _rejected, name="nsError"),
    ErrorRule(
        lambda r, b: r.status >= 500,
        lambda r, b: Transient(f"NetSuite answered {r.status}: {_summary(b, 'unexpected error')}"),
        name="outage",
    ),
)


# --- the linked account ---------------------------------------------------------------------------------------


def authorize(request: Request, account: Mapping[str, str]) -> Request:
    """Nothing to add: the account is in the host, the credentials are added by the client (bearer or TBA).

    No ``Accept-Language``: NetSuite refuses any but the company's default language (FACTS.md §6.4 #7)."""
    return request


def account_facts(callback: Mapping[str, Any], discovered: Any = None) -> Mapping[str, str]:
    """The account a consent was given in: NetSuite's redirect names it as ``company`` (VERIFY, FACTS.md §4.3).

    Without it the account id the person typed before consent stands (the link flow keeps it)."""
    company = callback.get("company")
    if isinstance(company, list | tuple):
        company = company[0] if company else None
    if not company:
        return {}
    try:
        return account_facts_of(str(company))
    except ValueError as exc:
        raise Rejected(f"the NetSuite callback names an odd account: {exc}") from exc
