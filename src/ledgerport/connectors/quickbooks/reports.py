"""What ledgerport reads from QBO's Reports API: one :class:`Stream` per report, one request per sync.

QBO keeps no financial statements or ledger lines as entities: ``GET /v3/company/{realm}/reports/{ReportName}``
computes them when asked. Each stream asks once a sync for the last ``report_periods`` calendar months (the current
one to its last day included; see the setting below):

* ``BalanceSheet``, ``ProfitAndLoss`` and ``CashFlow`` with ``summarize_column_by=Month``: QBO answers one money
  column per month (its ``MetaData`` names the month's ``StartDate`` and ``EndDate``; the balance sheet's is the
  balance at the month's end). :func:`monthly_columns` makes one record of each month: the report's ``Header``
  with that month as ``StartPeriod``/``EndPeriod``, the account column and that month's column, and every row's
  cells for those two columns, i.e. what QBO answers for that month alone.
* ``JournalReport`` for the whole window: one record per posting document, the report's ``Header`` and
  ``Columns`` with that document's rows (its ``Data`` rows and the ``Summary`` row closing them).

``remote_data`` keeps those records: each is the part of QBO's answer its common record was read from.

**What refreshes.** Statements are recomputed by QBO, and a backdated document changes every later balance sheet,
so every sync reads the three statements over the whole window again (``since`` is ignored): three requests a sync,
however many months. Records keep stable remote ids (``BalanceSheet:2026-11-30``, ``Invoice-130``), so a resync
updates them rather than adding new ones, and ``modified_at`` moves only when a figure changed. A month that leaves
the window keeps its last statements and transactions.

The journal is different: each of its transactions is a function of one posting document, so the stream follows the
posting documents' streams (``Stream.follows``). A full sync reads the window's journal; an incremental one asks
only for the days between the first and last ``TxnDate`` of the documents this sync read (none changed: no request)
and keeps only those documents' transactions; a document CDC reports deleted takes its transaction with it.
QBO caps a report at 400,000 cells (about 50,000 journal rows); a company whose year of journal exceeds it needs
the window split, which is not done yet.

**The setting.** A sync reads the last ``LEDGERPORT_REPORT_PERIODS`` months (the deployment's ``report_periods``,
which request builders see as an account fact: :func:`periods`), by default :data:`REPORT_PERIODS` (12: a year).
Months, not QBO's fiscal periods: QBO has no accounting-period entity, and months are what its ``date_macro`` and
column summaries speak.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import msgspec

from ledgerport.connectors._base.http import Request
from ledgerport.connectors._base.streams import Follows, Stream, StreamContext
from ledgerport.connectors.quickbooks.client import MINOR_VERSION, Entity, company_url
from ledgerport.kit import clock

__all__ = [
    "BALANCE_SHEETS",
    "CASH_FLOWS",
    "JOURNAL",
    "Once",
    "POSTING_STREAMS",
    "PROFIT_AND_LOSS",
    "REPORT_PERIODS",
    "ReportRead",
    "journal_transactions",
    "month",
    "monthly_columns",
    "periods",
    "report_stream",
]

REPORT_PERIODS = 12
"""How many months back each sync reads the reports (the current month included) when the deployment says
nothing."""


def month(today: date, back: int) -> tuple[date, date]:
    """The first and last day of the calendar month ``back`` months before ``today``'s."""
    index = today.year * 12 + today.month - 1 - back
    year, number = divmod(index, 12)
    first = date(year, number + 1, 1)
    return first, first.replace(day=calendar.monthrange(year, number + 1)[1])


def periods(context: StreamContext, default: int = REPORT_PERIODS) -> int:
    """The months a sync reads: the deployment's ``report_periods`` (``LEDGERPORT_REPORT_PERIODS``, an account fact
    to request builders), else ``default``."""
    try:
        return max(1, int(context.account.get("report_periods") or default))
    except ValueError:
        return default


class Once(msgspec.Struct, frozen=True):
    """A report is one page: QBO's reports do not page."""

    size: int = 1

    @property
    def first(self) -> int:
        """The only position."""
        return 1

    def advance(self, position: int, count: int) -> int | None:
        """Never a next page."""
        return None


class ReportRead(msgspec.Struct, frozen=True, kw_only=True):
    """The request of one report over the last ``months`` months (``since`` is ignored: see the module docstring)."""

    report: str
    months: int = REPORT_PERIODS
    by_month: bool = True

    def __call__(self, context: StreamContext, since: datetime | None, position: int, size: int) -> Request:
        """``GET /reports/{report}?start_date&end_date&accounting_method=Accrual[&summarize_column_by=Month]``."""
        today = clock.now().date()
        first, last = month(today, periods(context, self.months) - 1)[0], month(today, 0)[1]
        if context.span is not None:  # an incremental journal read: the changed documents' days in the window
            start, end = max(first, context.span[0]), min(last, context.span[1])
            first, last = (start, end) if start <= end else context.span
        params = [
            ("start_date", first.isoformat()),
            ("end_date", last.isoformat()),
            ("accounting_method", "Accrual"),
        ]
        if self.by_month:
            params.append(("summarize_column_by", "Month"))
        params.append(("minorversion", MINOR_VERSION))
        url = company_url(context.base_url, context.account, f"reports/{self.report}")
        return Request(method="GET", url=url, params=tuple(params))


def _meta(column: Any) -> dict[str, str]:
    pairs = column.get("MetaData") if isinstance(column, dict) else None
    return {str(p.get("Name")): str(p.get("Value")) for p in pairs or [] if isinstance(p, dict)}


def _project(rows: list[Any], keep: int) -> list[Any]:
    """Rows with the cells of the first column and of column ``keep`` only."""
    projected = []
    for row in rows:
        if not isinstance(row, dict):
            continue
        copy = dict(row)
        for part in ("Header", "Summary"):
            if isinstance(row.get(part), dict):
                cells = row[part].get("ColData") or []
                copy[part] = {**row[part], "ColData": [cells[i] for i in (0, keep) if i < len(cells)]}
        if isinstance(row.get("ColData"), list):
            copy["ColData"] = [row["ColData"][i] for i in (0, keep) if i < len(row["ColData"])]
        if isinstance(row.get("Rows"), dict):
            copy["Rows"] = {**row["Rows"], "Row": _project(row["Rows"].get("Row") or [], keep)}
        projected.append(copy)
    return projected


def monthly_columns(body: Any) -> list[Any]:
    """One record per month column of a statement (columns without a ``StartDate``/``EndDate``, such as
    ``Total``, are left out); a report summarized by ``Total`` is one record, as it is."""
    if not isinstance(body, dict) or not isinstance(body.get("Header"), dict):
        return []
    columns = (body.get("Columns") or {}).get("Column") or []
    months = [(i, _meta(c)) for i, c in enumerate(columns) if "StartDate" in _meta(c) and "EndDate" in _meta(c)]
    if not months:
        return [body]
    rows = (body.get("Rows") or {}).get("Row") or []
    return [
        {
            "Header": {**body["Header"], "StartPeriod": meta["StartDate"], "EndPeriod": meta["EndDate"]},
            "Columns": {**body["Columns"], "Column": [columns[0], columns[index]]},
            "Rows": {**body["Rows"], "Row": _project(rows, index)},
        }
        for index, meta in months
    ]


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


def report_stream(
    report: str,
    records: Callable[[Any], list[Any]],
    periods: int = REPORT_PERIODS,
    *,
    by_month: bool = True,
    follows: Follows | None = None,
) -> Stream:
    """The stream of one report over ``periods`` months; its records are keyed by their month
    (``Header.EndPeriod``) only to let the walk notice a repeated page: mappings give them their own remote ids."""
    return Stream(
        name=report,
        request=ReportRead(report=report, months=periods, by_month=by_month),
        records=records,
        key="Header.EndPeriod",
        paging=Once(),
        remote_path=_remote_path(report),
        follows=follows,
    )


POSTING_STREAMS = frozenset(
    {
        Entity.INVOICE,
        Entity.SALES_RECEIPT,
        Entity.CREDIT_MEMO,
        Entity.REFUND_RECEIPT,
        Entity.PAYMENT,
        Entity.BILL,
        Entity.VENDOR_CREDIT,
        Entity.BILL_PAYMENT,
        Entity.CREDIT_CARD_PAYMENT,
        Entity.JOURNAL_ENTRY,
        Entity.DEPOSIT,
        Entity.TRANSFER,
        Entity.PURCHASE,
    }
)
"""The entity streams whose documents post to the ledger: each is the journal report's transaction
``{entity}-{Id}`` (estimates and purchase orders do not post)."""


def _posting_key(stream: str, record: Any) -> str | None:
    found = record.get("Id") if isinstance(record, dict) else None
    return f"{stream}-{found}" if found else None


def _posting_day(record: Any) -> date | None:
    try:
        return date.fromisoformat(str(record.get("TxnDate")))
    except ValueError:
        return None


BALANCE_SHEETS = report_stream("BalanceSheet", monthly_columns)
PROFIT_AND_LOSS = report_stream("ProfitAndLoss", monthly_columns)
CASH_FLOWS = report_stream("CashFlow", monthly_columns)
JOURNAL = report_stream(
    "JournalReport",
    journal_transactions,
    by_month=False,
    follows=Follows(streams=POSTING_STREAMS, key=_posting_key, day=_posting_day),
)
