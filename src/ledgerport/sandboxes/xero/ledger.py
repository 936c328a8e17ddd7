"""The read-only ledger endpoints: ``GET /Journals`` (and one journal) and the two reports, over ``journals.Book``.

``/Journals`` answers at most 100 journals numbered above ``offset``, oldest first, and only those created after
``If-Modified-Since`` when it is sent; ``paymentsOnly=true`` keeps cash journals. The reports take Xero's query
parameters (``date`` / ``fromDate``, ``toDate``, ``periods``, ``timeframe``); without dates the balance sheet is at
the end of the current month and the profit and loss covers the current month (Guess: Xero's defaults).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import UTC, date, datetime

from ledgerport.sandboxes.xero.dates import parse_if_modified_since
from ledgerport.sandboxes.xero.errors import not_found, problem
from ledgerport.sandboxes.xero.http import Request, Response, Route, json_response
from ledgerport.sandboxes.xero.journals import book_for
from ledgerport.sandboxes.xero.reports import MAX_PERIODS, balance_sheet, profit_and_loss
from ledgerport.sandboxes.xero.routes import API_PREFIX, Api
from ledgerport.sandboxes.xero.store import Tenant

__all__ = ["JOURNALS_PAGE", "JOURNAL_SCOPES", "Ledger", "REPORT_SCOPES"]

JOURNALS_PAGE = 100
JOURNAL_SCOPES = frozenset({"accounting.journals.read"})
REPORT_SCOPES = frozenset({"accounting.reports.read"})


def _date(text: str | None, field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError as error:
        raise problem(400, "Bad Request", f"'{field}' is not a valid date") from error


def _periods(request: Request) -> int:
    raw = request.arg("periods")
    if not raw:
        return 0
    if not raw.isdigit() or not 0 <= int(raw) <= MAX_PERIODS + 1:
        raise problem(400, "Bad Request", "'periods' must be a whole number from 1 to 12")
    return min(int(raw), MAX_PERIODS + 1)


class Ledger:
    """Handlers bound to the sandbox's API (its identity service, clock and envelope)."""

    def __init__(self, api: Api) -> None:
        self.api = api

    def routes(self) -> list[Route]:
        """Listed before the generic collection routes, which would otherwise take these paths."""
        base = API_PREFIX
        return [
            Route("GET", f"{base}/Journals", self.list_journals),
            Route("GET", f"{base}/Journals/{{key}}", self.retrieve_journal),
            Route("GET", f"{base}/Reports/BalanceSheet", self.balance_sheet),
            Route("GET", f"{base}/Reports/ProfitAndLoss", self.profit_and_loss),
        ]

    def _tenant(self, request: Request, scopes: frozenset[str]) -> Tenant:
        grant = self.api.identity.bearer(request)
        tenant = self.api.identity.tenant_for(grant, request.header("xero-tenant-id"))
        if not scopes & set(grant.scopes):
            raise problem(403, "Forbidden", "AuthorizationUnsuccessful")
        return tenant

    def _today(self) -> date:
        return datetime.fromtimestamp(self.api.clock(), UTC).date()

    async def list_journals(self, request: Request) -> Response:
        """``GET /Journals?offset=&paymentsOnly=`` with ``If-Modified-Since``."""
        tenant = self._tenant(request, JOURNAL_SCOPES)
        raw = request.arg("offset") or "0"
        offset = int(raw) if raw.strip().isdigit() else 0
        header = request.header("if-modified-since")
        since = parse_if_modified_since(header) if header else None
        payments_only = (request.arg("paymentsOnly") or "").lower() == "true"
        journals = book_for(tenant).after(offset, since, JOURNALS_PAGE, payments_only=payments_only)
        return json_response(self.api.envelope("Journals", journals))

    async def retrieve_journal(self, request: Request) -> Response:
        """``GET /Journals/{JournalID or JournalNumber}``."""
        tenant = self._tenant(request, JOURNAL_SCOPES)
        journal = book_for(tenant).find(request.params["key"])
        if journal is None:
            raise not_found()
        return json_response(self.api.envelope("Journals", [journal]))

    def _report(self, request: Request, build: Callable[[Tenant], dict[str, object]]) -> Response:
        tenant = self._tenant(request, REPORT_SCOPES)
        return json_response(self.api.envelope("Reports", [build(tenant)]))

    async def balance_sheet(self, request: Request) -> Response:
        """``GET /Reports/BalanceSheet?date=&periods=&timeframe=``."""
        today = self._today()
        day = _date(request.arg("date"), "date") or today.replace(day=calendar.monthrange(today.year, today.month)[1])
        periods, timeframe = _periods(request), request.arg("timeframe") or "MONTH"
        now = int(self.api.clock() * 1000)
        return self._report(request, lambda t: balance_sheet(book_for(t), day, periods, timeframe, now))

    async def profit_and_loss(self, request: Request) -> Response:
        """``GET /Reports/ProfitAndLoss?fromDate=&toDate=&periods=&timeframe=``."""
        today = self._today()
        start = _date(request.arg("fromDate"), "fromDate") or today.replace(day=1)
        end = _date(request.arg("toDate"), "toDate") or start.replace(
            day=calendar.monthrange(start.year, start.month)[1]
        )
        if end < start:
            raise problem(400, "Bad Request", "'toDate' must not be before 'fromDate'")
        periods, timeframe = _periods(request), request.arg("timeframe") or "MONTH"
        now = int(self.api.clock() * 1000)
        return self._report(request, lambda t: profit_and_loss(book_for(t), start, end, periods, timeframe, now))
