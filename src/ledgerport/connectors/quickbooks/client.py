"""Talking to QuickBooks Online: the query language, the two read requests, the ``ERRORS`` table and the realm.

QBO's SQL-like query text is built here by typed functions, never by templates: an entity is an :class:`Entity`
member (QBO's names are case-sensitive), a moment is a tz-aware ``datetime`` rendered in QBO's form
(``2024-06-01T00:00:00-07:00``), and a string literal is quoted by :func:`quote`::

    select(Entity.INVOICE, changed_after=t, start=1, max_results=1000)
    -> SELECT * FROM Invoice WHERE MetaData.LastUpdatedTime > '2024-06-01T00:00:00+00:00'
       ORDERBY MetaData.LastUpdatedTime STARTPOSITION 1 MAXRESULTS 1000

QBO's failures, as its API answers them (``provider-apis.md`` §1.7-1.8; the sandbox emits the same bodies)::

    429, or any body naming ThrottleExceeded / 3001  -> RateLimited(Retry-After, else 60 s)
    401  (3200 lower-case JSON, or XML code 100)     -> AuthExpired     refresh once
    403  (3100 AuthorizationFailed: wrong realm)     -> AuthRevoked     relink
    400  Fault code 5010 (Stale Object)              -> Conflict        re-read the SyncToken and retry
    404, or Fault code 610 (Object Not Found)        -> NotFound
    400  any other Fault (ValidationFault...)        -> Rejected(one Problem per Fault.Error)
    5xx                                              -> Transient

First match wins. The throttle row comes first because QBO sent throttles as 403 before December 2016 and its
429 body is XML even to JSON clients (so the body cannot be decoded and is matched as bytes). QBO sends no
``Retry-After``; Intuit's limits page says to wait 60 s, and the 500/min window is a minute long, so 60 s is the
one wait that is always enough. The budget already spaces calls at 500/min, so a throttle means another app or
process is spending the realm's quota too; waiting out a whole window is the honest answer to that.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

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
)
from ledgerport.connectors._base.http import Request, Response
from ledgerport.connectors._base.streams import DayBound

__all__ = [
    "ERRORS",
    "Entity",
    "LAST_UPDATED",
    "MAX_RESULTS",
    "MINOR_VERSION",
    "THROTTLE_WAIT",
    "account_facts",
    "authorize",
    "cdc_request",
    "company_url",
    "fault_errors",
    "parse_qbo_datetime",
    "problems",
    "qbo_datetime",
    "query_request",
    "quote",
    "select",
    "select_count",
]

MINOR_VERSION = "75"
"""Intuit serves 75 for anything lower since 2025-08-01; sending it keeps behaviour pinned if that changes."""
MAX_RESULTS = 1000
"""QBO's largest page (``MAXRESULTS``)."""
LAST_UPDATED = "MetaData.LastUpdatedTime"
THROTTLE_WAIT = 60.0
"""Seconds to wait after a throttle when QBO names no wait (it never does): one full 500/min window."""


class Entity(enum.StrEnum):
    """QBO entity names as the query language and CDC spell them (case-sensitive)."""

    ACCOUNT = "Account"
    ATTACHABLE = "Attachable"
    BILL = "Bill"
    BILL_PAYMENT = "BillPayment"
    CLASS = "Class"
    COMPANY_INFO = "CompanyInfo"
    CREDIT_CARD_PAYMENT = "CreditCardPayment"
    CREDIT_MEMO = "CreditMemo"
    CUSTOMER = "Customer"
    DEPARTMENT = "Department"
    DEPOSIT = "Deposit"
    EMPLOYEE = "Employee"
    ESTIMATE = "Estimate"
    INVOICE = "Invoice"
    ITEM = "Item"
    JOURNAL_ENTRY = "JournalEntry"
    PAYMENT = "Payment"
    PAYMENT_METHOD = "PaymentMethod"
    PURCHASE = "Purchase"
    PURCHASE_ORDER = "PurchaseOrder"
    REFUND_RECEIPT = "RefundReceipt"
    SALES_RECEIPT = "SalesReceipt"
    TAX_CODE = "TaxCode"
    TAX_RATE = "TaxRate"
    TERM = "Term"
    TRANSFER = "Transfer"
    VENDOR = "Vendor"
    VENDOR_CREDIT = "VendorCredit"


# --- the query language -------------------------------------------------------------------------------------------


def qbo_datetime(moment: datetime) -> str:
    """A moment as QBO writes ``MetaData`` times: whole seconds with an explicit offset.

    Seconds are truncated, never rounded up, so a ``>=`` filter on the result can only re-read a record, not skip
    one. Naive datetimes are refused: QBO would read them in the company's zone, which we do not know.
    """
    if moment.tzinfo is None:
        raise ValueError("QBO filters need a tz-aware datetime")
    return moment.replace(microsecond=0).isoformat(timespec="seconds")


def parse_qbo_datetime(value: Any) -> datetime | None:
    """A QBO ``MetaData`` time (``2024-01-02T03:04:05-08:00``) as a tz-aware datetime; ``None`` when absent."""
    if value in (None, ""):
        return None
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def quote(text: str) -> str:
    """A string literal of the query language: single quotes, with backslash and apostrophe escaped (Intuit's rule)."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def select(
    entity: Entity,
    *,
    changed_after: datetime | None = None,
    start: int = 1,
    max_results: int = MAX_RESULTS,
    include_inactive: bool = False,
    operator: Literal[">", ">="] = ">",
    days: Sequence[DayBound] = (),
) -> str:
    """``SELECT *`` over one entity, oldest change first, one page of it.

    ``include_inactive`` adds ``Active IN (true, false)``: name lists (customers, accounts...) answer only active
    rows unless the query mentions ``Active`` (qbo_api does the same), and inactive rows are ARCHIVED records, not
    missing ones. ``operator`` ``>=`` re-reads the records of the watermark's own second, which a ``>`` would miss
    when QBO stamped two changes in one second on either side of a sync. ``days`` are date bounds from the
    account's selective-sync conditions (``TxnDate >= '2026-01-01'``).
    """
    if start < 1:
        raise ValueError("STARTPOSITION is 1-based")
    if not 1 <= max_results <= MAX_RESULTS:
        raise ValueError(f"MAXRESULTS must be within 1..{MAX_RESULTS}")
    head = f"SELECT * {_from(entity, changed_after, include_inactive, operator, days)}"
    return f"{head} ORDERBY {LAST_UPDATED} STARTPOSITION {start} MAXRESULTS {max_results}"


def select_count(
    entity: Entity,
    *,
    changed_after: datetime | None = None,
    include_inactive: bool = False,
    operator: Literal[">", ">="] = ">",
    days: Sequence[DayBound] = (),
) -> str:
    """``SELECT COUNT(*)`` over the rows :func:`select` pages through (``QueryResponse.totalCount``)."""
    return f"SELECT COUNT(*) {_from(entity, changed_after, include_inactive, operator, days)}"


def _from(
    entity: Entity, changed_after: datetime | None, include_inactive: bool, operator: str, days: Sequence[DayBound]
) -> str:
    conditions = []
    if changed_after is not None:
        conditions.append(f"{LAST_UPDATED} {operator} {quote(qbo_datetime(changed_after))}")
    if include_inactive:
        conditions.append("Active IN (true, false)")
    for bound in days:
        if not bound.field.isidentifier():
            raise ValueError(f"not a QBO field name: {bound.field!r}")
        conditions.append(f"{bound.field} {'>=' if bound.lower else '<='} {quote(bound.day.isoformat())}")
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    # Every part is typed (an Entity member, quoted moments and days, field names from the connector's tables,
    # integers): no caller text reaches the query.
    return f"FROM {Entity(entity).value}{where}"


def company_url(base_url: str, account: Mapping[str, str], path: str) -> str:
    realm = account.get("realm_id")
    if not realm:
        raise ValueError("a QBO linked account needs its realm_id")
    return f"{base_url.rstrip('/')}/v3/company/{realm}/{path}"


def query_request(base_url: str, account: Mapping[str, str], query: str) -> Request:
    """``GET /v3/company/{realm}/query?query=...&minorversion=75``."""
    params = (("query", query), ("minorversion", MINOR_VERSION))
    return Request(method="GET", url=company_url(base_url, account, "query"), params=params)


def cdc_request(base_url: str, account: Mapping[str, str], entities: Sequence[Entity], since: datetime) -> Request:
    """``GET /v3/company/{realm}/cdc?entities=...&changedSince=...``: changes and deletions since a moment."""
    params = (
        ("entities", ",".join(Entity(entity).value for entity in entities)),
        ("changedSince", qbo_datetime(since)),
        ("minorversion", MINOR_VERSION),
    )
    return Request(method="GET", url=company_url(base_url, account, "cdc"), params=params)


# --- errors -------------------------------------------------------------------------------------------------------


def fault_errors(body: Any) -> list[Mapping[str, Any]]:
    """The ``Error`` objects of a fault body, whichever casing QBO used (``Fault.Error`` or ``fault.error``)."""
    if not isinstance(body, Mapping):
        return []
    fault = body.get("Fault") or body.get("fault")
    if not isinstance(fault, Mapping):
        return []
    errors = fault.get("Error") or fault.get("error") or []
    return [error for error in errors if isinstance(error, Mapping)]


def _text(error: Mapping[str, Any], key: str) -> str:
    return str(error.get(key) or error.get(key.lower()) or "")


def _codes(body: Any) -> set[str]:
    return {str(error.get("code")) for error in fault_errors(body)}


def _retry_after(response: Response) -> float:
    try:
        return max(0.0, float(response.headers.get("retry-after", THROTTLE_WAIT)))
    except ValueError:
        return THROTTLE_WAIT


def _throttled(response: Response, body: Any) -> bool:
    if response.status == 429 or "3001" in _codes(body):
        return True
    # The XML throttle body (even for JSON clients) does not decode; its bytes still say what it is.
    return response.status in (403, 503) and (b"ThrottleExceeded" in response.body or b'code="3001"' in response.body)


def _summary(body: Any, fallback: str) -> str:
    errors = fault_errors(body)
    if not errors:
        return fallback
    return "; ".join(f"{_text(e, 'Message')}: {_text(e, 'Detail')}".strip(": ") for e in errors)


def problems(body: Any) -> list[Problem]:
    """One Merge-style problem per ``Fault.Error``: the Message is the title, the Detail the detail."""
    return [
        Problem(
            title=_text(error, "Message") or "QuickBooks error",
            detail=_text(error, "Detail") or _text(error, "Message"),
            pointer=f"/{_text(error, 'element')}" if _text(error, "element") else None,
            raw_error=f"{_text(error, 'code')} {_text(error, 'Message')}: {_text(error, 'Detail')}".strip(),
        )
        for error in fault_errors(body)
    ]


def _rejected(response: Response, body: Any) -> ConnectorError:
    found = problems(body) or [Problem(title="Bad request", detail=response.body[:300].decode("utf-8", "replace"))]
    return Rejected(f"QuickBooks refused the request: {_summary(body, str(response.status))}", problems=found)


ERRORS: Sequence[ErrorRule] = (
    ErrorRule(
        _throttled,
        lambda r, b: RateLimited("QuickBooks throttled the realm (ThrottleExceeded 3001)", retry_after=_retry_after(r)),
        name="throttle",
    ),
    ErrorRule(
        lambda r, b: r.status == 401 or "3200" in _codes(b),
        lambda r, b: AuthExpired(f"QuickBooks refused the access token: {_summary(b, 'AuthenticationFailed')}"),
        name="authentication",
    ),
    ErrorRule(
        lambda r, b: r.status == 403 or "3100" in _codes(b),
        lambda r, b: AuthRevoked(f"the grant does not cover this company: {_summary(b, 'AuthorizationFailed')}"),
        name="authorization (realm mismatch)",
    ),
    ErrorRule(
        lambda r, b: "5010" in _codes(b),
        lambda r, b: Conflict(f"stale SyncToken: {_summary(b, 'Stale Object Error')}"),
        name="stale object",
    ),
    ErrorRule(
        lambda r, b: r.status == 404 or (r.status < 500 and "610" in _codes(b)),
        lambda r, b: NotFound(f"QuickBooks has no such object: {_summary(b, r.url)}"),
        name="object not found",
    ),
    ErrorRule(lambda r, b: r.status < 500 and bool(fault_errors(b)), _rejected, name="validation or business fault"),
    ErrorRule(
        lambda r, b: r.status >= 500,
        lambda r, b: Transient(f"QuickBooks answered {r.status}: {_summary(b, 'service unavailable')}"),
        name="outage",
    ),
)


# --- the linked account -------------------------------------------------------------------------------------------


def authorize(request: Request, account: Mapping[str, str]) -> Request:
    """Ask for JSON (QBO answers XML otherwise); the realm is already in the URL the builders made."""
    return msgspec.structs.replace(request, headers={**request.headers, "Accept": "application/json"})


def account_facts(callback: Mapping[str, Any], discovered: Any = None) -> Mapping[str, str]:
    """The company a consent linked: QBO's redirect carries it as ``realmId`` next to ``code`` and ``state``."""
    realm = callback.get("realmId") or callback.get("realm_id")
    if isinstance(realm, list | tuple):  # parse_qs style
        realm = realm[0] if realm else None
    if not realm:
        raise Rejected("the QuickBooks callback carries no realmId")
    return {"realm_id": str(realm)}
