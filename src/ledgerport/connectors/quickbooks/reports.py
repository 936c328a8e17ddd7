"""What ledgerport reads from QBO's Reports API: one :class:`Stream` per report, one page per accounting period.

QBO keeps no financial statements or ledger lines as entities: ``GET /v3/company/{realm}/reports/{ReportName}``
computes them when asked. A report stream's "position" is therefore a period, not a record offset: position ``n``
is the ``n``-th calendar month back (1: the current month, to its last day), up to :data:`REPORT_PERIODS`, and each
page is that month's report.

* ``BalanceSheet`` as of each month's last day, ``ProfitAndLoss`` and ``CashFlow`` for each month: one record per
  page, the report itself (``Header``, ``Columns``, ``Rows``), kept whole as ``remote_data``.
* ``JournalReport`` for each month: one record per posting document, the report's ``Header`` and ``Columns`` with
  that document's rows (its ``Data`` rows and the ``Summary`` row closing them), so ``remote_data`` is the slice of
  the report the general-ledger transaction was read from.

**What refreshes.** Reports are recomputed by QBO, and a backdated document changes every later balance sheet, so
every sync (full or incremental) reads all :data:`REPORT_PERIODS` months of every report again: ``since`` is
ignored. Records keep stable remote ids (``BalanceSheet:2026-11-30``, ``Invoice-130``), so a resync updates them
rather than adding new ones, and ``modified_at`` moves only when a figure changed. A month that leaves the window
keeps its last statements and transactions. A document deleted in QBO keeps its ledger transaction: the journal
report simply omits it, and the engine marks deletions only from a change feed or a whole listing, which a window
of months is not (a known gap).

**The setting.** :data:`REPORT_PERIODS` (12: a year of months) is how far back a sync reads, the number of
``report_periods`` a linked account gets; :func:`report_stream` builds a stream for another count. Months, not QBO's
fiscal periods: QBO has no accounting-period entity, and months are what its ``date_macro`` and summaries speak.
Each month costs four report requests a sync (48 by default, under a tenth of QBO's 500 a minute).
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import msgspec

from ledgerport.connectors._base.http import Request
from ledgerport.connectors._base.streams import Stream, StreamContext
from ledgerport.connectors.quickbooks.client import MINOR_VERSION, company_url
from ledgerport.kit import clock

__all__ = [
    "BALANCE_SHEETS",
    "CASH_FLOWS",
    "JOURNAL",
    "PROFIT_AND_LOSS",
    "Periods",
    "REPORT_PERIODS",
    "ReportRead",
    "journal_transactions",
    "month",
    "report_stream",
    "whole_report",
]

REPORT_PERIODS = 12
"""How many months back each sync reads the reports (the current month included)."""


def month(today: date, back: int) -> tuple[date, date]:
    """The first and last day of the calendar month ``back`` months before ``today``'s."""
    index = today.year * 12 + today.month - 1 - back
    year, number = divmod(index, 12)
    first = date(year, number + 1, 1)
    return first, first.replace(day=calendar.monthrange(year, number + 1)[1])


class Periods(msgspec.Struct, frozen=True):
    """Positions 1..``count``, one period each, whatever a page holds (a month may have no ledger transactions)."""

    count: int = REPORT_PERIODS
    size: int = 1

    @property
    def first(self) -> int:
        """The current month."""
        return 1

    def advance(self, position: int, count: int) -> int | None:
        """The month before, until ``count`` months are read."""
        return position + 1 if position < self.count else None


class ReportRead(msgspec.Struct, frozen=True, kw_only=True):
    """The request of one report for the month at a position (``since`` is ignored: see the module docstring)."""

    report: str

    def __call__(self, context: StreamContext, since: datetime | None, position: int, size: int) -> Request:
        """``GET /reports/{report}?start_date&end_date&accounting_method=Accrual`` for the month ``position - 1``
        months back."""
        first, last = month(clock.now().date(), position - 1)
        params = (
            ("start_date", first.isoformat()),
            ("end_date", last.isoformat()),
            ("accounting_method", "Accrual"),
            ("minorversion", MINOR_VERSION),
        )
        return Request(
            method="GET", url=company_url(context.base_url, context.account, f"reports/{self.report}"), params=params
        )


def whole_report(body: Any) -> list[Any]:
    """A statement's page holds one record: the report."""
    return [body] if isinstance(body, dict) and isinstance(body.get("Header"), dict) else []


def journal_transactions(body: Any) -> list[Any]:
    """The posting documents of a journal report, each as the report's header and columns with its own rows.

    A document's rows are ``Data`` rows, the first carrying its date, type and id, closed by a ``Summary`` row; a
    row naming another type or id than the open group's starts a new group too, so a report without summaries
    still splits right. Rows before any document (none in practice) are dropped.
    """
    if not isinstance(body, dict):
        return []
    rows = (body.get("Rows") or {}).get("Row") or []
    found: list[list[Any]] = []
    open_group: list[Any] | None = None
    for row in rows:
        if not isinstance(row, dict):
            continue
        cells = row.get("ColData")
        if "Summary" in row and "ColData" not in row:
            if open_group is not None:
                open_group.append(row)
                open_group = None
            continue
        if not isinstance(cells, list) or len(cells) < 8:
            continue
        kind = cells[1] if isinstance(cells[1], dict) else {}
        if kind.get("value") and kind.get("id"):
            open_group = [row]
            found.append(open_group)
        elif open_group is not None:
            open_group.append(row)
    header, columns = body.get("Header"), body.get("Columns")
    return [{"Header": header, "Columns": columns, "Rows": {"Row": group}} for group in found]


def _remote_path(report: str) -> Callable[[StreamContext, Any], str]:
    return lambda context, record: f"/v3/company/{context.account.get('realm_id', '')}/reports/{report}"


def report_stream(report: str, records: Callable[[Any], list[Any]], periods: int = REPORT_PERIODS) -> Stream:
    """The stream of one report over ``periods`` months; its records are keyed by the month (``Header.EndPeriod``)
    only to let the walk notice a repeated page: mappings give them their own remote ids."""
    return Stream(
        name=report,
        request=ReportRead(report=report),
        records=records,
        key="Header.EndPeriod",
        paging=Periods(count=periods),
        remote_path=_remote_path(report),
    )


BALANCE_SHEETS = report_stream("BalanceSheet", whole_report)
PROFIT_AND_LOSS = report_stream("ProfitAndLoss", whole_report)
CASH_FLOWS = report_stream("CashFlow", whole_report)
JOURNAL = report_stream("JournalReport", journal_transactions)
