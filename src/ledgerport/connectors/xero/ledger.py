"""The general ledger and the financial statements from Xero: ``/Journals`` and the Reports API.

* **General ledger.** ``GET /Journals`` answers 100 journals at a time numbered above ``offset``, oldest first.
  Journals are immutable and never deleted, so JournalNumber is the stream's cursor (``Stream.resume``): a walk goes
  on from the last number it read (``Stream.reach``: every page starts a new query after its last record), the
  engine keeps the last number a sync read, and the next sync asks only for the journals after it. (The
  ``If-Modified-Since`` Xero also honours on ``/Journals`` is sent only when no number is known.)
  ``underlying_transaction_type`` comes from ``SourceType`` (:data:`SOURCE_TYPES`) and
  ``underlying_transaction_remote_id`` is ``SourceID``: a bank transaction's journal points at the Expense or
  Transaction record our Xero mappings made of it, a payment's at the Payment, and so on.
* **Statements.** For the last :func:`periods` calendar months, current month included (the deployment's
  ``LEDGERPORT_REPORT_PERIODS``, an account fact ``report_periods`` here): a BalanceSheet at each month's end and an
  IncomeStatement for each month, from ``Reports/BalanceSheet`` and ``Reports/ProfitAndLoss`` asked with
  ``periods``/``timeframe=MONTH`` (12 months per call). Each report column becomes one record, keyed by its
  period (``BalanceSheet:2026-11-30``), so a resync updates the month instead of adding one; the record kept as
  ``remote_data`` is Xero's report cut down to that column.
* **Cash flow.** Xero's API has no cash-flow report; :func:`cash_flows` derives one per month from the journals
  (direct method). Cash is the BANK-type accounts: their balance from every journal dated before the month is
  ``cash_at_beginning_of_period``. Each journal of the month that moves a bank account contributes its other lines,
  sign flipped (cash in when the counter-account is credited), to the activity of the counter-account's type:
  fixed and non-current assets are investing; term liabilities, other non-current liabilities and equity are
  financing; everything else (income, expenses, receivables, payables, tax, prepayments, inventory) is operating.
  A journal balances, so its counter-lines add up to its bank movement, and beginning + activities = end exactly.
  A journal of any number may be dated in any month, so the statements need every journal: they are derived from
  the journals the general ledger's stream already stored (``Stream.derived``), with no request, and only when
  those changed or a new month began. A scope that leaves the general ledger out leaves the cash flow empty.
"""

from __future__ import annotations

import calendar
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import msgspec

from ledgerport.connectors._base.convert import to_decimal, to_str
from ledgerport.connectors._base.http import Request
from ledgerport.connectors._base.mapping import (
    ChildId,
    Computed,
    Const,
    Each,
    F,
    MappingContext,
    ModelMap,
    NestedMap,
    Ref,
    RefList,
)
from ledgerport.connectors._base.paging import Offset
from ledgerport.connectors._base.streams import Derived, Fetch, NoRequest, Stream, StreamContext, dig
from ledgerport.connectors.xero.convert import http_date, xero_date, xero_day
from ledgerport.connectors.xero.streams import API_PATH, OnePage
from ledgerport.kit import clock
from ledgerport.models.balance_sheet import BalanceSheet
from ledgerport.models.cash_flow_statement import CashFlowStatement
from ledgerport.models.general_ledger_transaction import (
    GeneralLedgerTransaction,
    GeneralLedgerTransactionLine,
    UnderlyingTransactionType,
)
from ledgerport.models.income_statement import IncomeStatement
from ledgerport.models.report_item import ReportItem

__all__ = [
    "BALANCE_SHEET",
    "BALANCE_SHEETS",
    "CASH_FLOWS",
    "CASH_FLOW_STATEMENT",
    "DEFAULT_PERIODS",
    "GENERAL_LEDGER_TRANSACTION",
    "INCOME_STATEMENT",
    "INCOME_STATEMENTS",
    "JOURNALS",
    "JOURNALS_PAGE",
    "LEDGER_MAPPINGS",
    "SOURCE_TYPES",
    "cash_flows",
    "month_ends",
    "periods",
]

JOURNALS_PAGE = 100
DEFAULT_PERIODS = 12
REPORT_COLUMNS = 12
"""Columns one report call answers: the period asked and ``periods=11`` earlier ones."""

_T = UnderlyingTransactionType
SOURCE_TYPES: Mapping[str, UnderlyingTransactionType] = {
    "ACCREC": _T.INVOICE,
    "ACCPAY": _T.INVOICE,
    "ACCRECCREDIT": _T.CREDIT_NOTE,
    "ACCPAYCREDIT": _T.VENDOR_CREDIT,
    "ACCRECPAYMENT": _T.PAYMENT,
    "ACCPAYPAYMENT": _T.PAYMENT,
    "ARCREDITPAYMENT": _T.PAYMENT,
    "APCREDITPAYMENT": _T.PAYMENT,
    "AROVERPAYMENTPAYMENT": _T.PAYMENT,
    "ARPREPAYMENTPAYMENT": _T.PAYMENT,
    "APOVERPAYMENTPAYMENT": _T.PAYMENT,
    "APPREPAYMENTPAYMENT": _T.PAYMENT,
    "MANJOURNAL": _T.JOURNAL_ENTRY,
    "CASHREC": _T.EXPENSE,  # SPEND and RECEIVE bank transactions are Expenses in our Xero mappings
    "CASHPAID": _T.EXPENSE,
    "EXPCLAIM": _T.EXPENSE,
    "EXPPAYMENT": _T.PAYMENT,
    "TRANSFER": _T.TRANSACTION,
    "ARPREPAYMENT": _T.TRANSACTION,  # the RECEIVE-PREPAYMENT bank transaction, a Transaction in our mappings
    "APPREPAYMENT": _T.TRANSACTION,
    "AROVERPAYMENT": _T.TRANSACTION,
    "APOVERPAYMENT": _T.TRANSACTION,
}
"""Journal ``SourceType`` -> Merge's kind of document; types absent here (payroll, fixed-asset depreciation...)
leave the field empty."""

_INVESTING = frozenset({"FIXED", "NONCURRENT"})
_FINANCING = frozenset({"TERMLIAB", "LIABILITY", "EQUITY"})


# --- periods ---------------------------------------------------------------------------------------------------


def periods(context: StreamContext) -> int:
    """How many months of statements a sync reads: ``LEDGERPORT_REPORT_PERIODS`` (the fact ``report_periods``)."""
    raw = context.account.get("report_periods", "")
    return max(1, min(int(raw), 120)) if raw.isdigit() else DEFAULT_PERIODS


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def month_ends(count: int, today: date | None = None) -> list[date]:
    """The last day of this month and of the ``count - 1`` months before it, newest first."""
    today = today or clock.now().date()
    index = today.year * 12 + today.month - 1
    return [_month_end((index - k) // 12, (index - k) % 12 + 1) for k in range(count)]


def _moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


# --- journals --------------------------------------------------------------------------------------------------


class JournalsRequest(msgspec.Struct, frozen=True):
    """``GET /Journals?offset=<the last JournalNumber read>``, ``If-Modified-Since`` on an incremental run."""

    def __call__(self, context: StreamContext, since: datetime | None, position: int, size: int) -> Request:
        """The next 100 journals after the walk's last one."""
        after = context.after
        number = after.get("JournalNumber") if isinstance(after, dict) else None
        return Request(
            method="GET",
            url=f"{context.base_url.rstrip('/')}{API_PATH}/Journals",
            params=(("offset", str(int(number) if number else 0)),),
            headers={"If-Modified-Since": http_date(since)} if since is not None and not number else {},
        )


JOURNALS = Stream(
    name="Journals",
    request=JournalsRequest(),
    records="Journals",
    key="JournalID",
    paging=Offset(size=JOURNALS_PAGE),
    reach=1,  # each full page is followed by a new query after its last JournalNumber
    resume="JournalNumber",
)


def _debit(line: Any, context: MappingContext) -> str:
    amount = to_decimal(line.get("NetAmount")) or Decimal(0)
    return str(amount) if amount > 0 else "0"


def _credit(line: Any, context: MappingContext) -> str:
    amount = to_decimal(line.get("NetAmount")) or Decimal(0)
    return str(-amount) if amount < 0 else "0"


def _source_type(record: Any, context: MappingContext) -> UnderlyingTransactionType | None:
    return SOURCE_TYPES.get(str(record.get("SourceType") or ""))


def _journal_tracking(record: Any, context: MappingContext) -> list[str]:
    options = {
        str(tracking["TrackingOptionID"])
        for line in record.get("JournalLines") or []
        for tracking in line.get("TrackingCategories") or []
        if tracking.get("TrackingOptionID")
    }
    return [context.ref("TrackingCategory", option) for option in sorted(options)]


GENERAL_LEDGER_TRANSACTION = ModelMap(
    model="GeneralLedgerTransaction",
    struct=GeneralLedgerTransaction,
    stream=JOURNALS,
    fields={
        "remote_id": F("JournalID"),
        "underlying_transaction_remote_id": F("SourceID", to_str),
        "underlying_transaction_type": Computed(_source_type),
        "remote_created_at": F("CreatedDateUTC", xero_date),
        "remote_updated_at": F("CreatedDateUTC", xero_date),  # a journal never changes after it is made
        "tracking_categories": Computed(_journal_tracking),
        "posting_date": F("JournalDate", xero_day),
        "general_ledger_transaction_lines": Each(
            "JournalLines",
            NestedMap(
                GeneralLedgerTransactionLine,
                {
                    "id": ChildId("GeneralLedgerTransactionLine", "JournalLineID"),
                    "remote_id": F("JournalLineID", to_str),
                    "account": Ref("AccountID", "Account"),
                    "description": F("Description", to_str),
                    "tracking_categories": RefList("TrackingCategories", "TrackingCategory", "TrackingOptionID"),
                    "debit_amount": Computed(_debit),
                    "credit_amount": Computed(_credit),
                    # Journal amounts are in the organisation's base currency: no foreign amounts to tell apart.
                    "foreign_debit_amount": Computed(_debit),
                    "foreign_credit_amount": Computed(_credit),
                    "remote_was_deleted": Const(False),
                },
            ),
        ),
        "remote_was_deleted": Const(False),
    },
)


# --- reports ---------------------------------------------------------------------------------------------------


def _column(report: Mapping[str, Any], index: int) -> dict[str, Any]:
    """The report with only its label cells and column ``index`` (1-based) in every row."""

    def rows(items: Sequence[Any]) -> list[Any]:
        cut = []
        for row in items:
            row = dict(row)
            if "Cells" in row:
                cells = list(row["Cells"])
                row["Cells"] = cells[:1] + cells[index : index + 1]
            if "Rows" in row:
                row["Rows"] = rows(row["Rows"])
            cut.append(row)
        return cut

    return {**report, "Rows": rows(report.get("Rows") or [])}


def _report_request(context: StreamContext, kind: str, latest: date, count: int) -> Request:
    params: list[tuple[str, str]]
    if kind == "BalanceSheet":
        params = [("date", latest.isoformat())]
    else:
        params = [("fromDate", latest.replace(day=1).isoformat()), ("toDate", latest.isoformat())]
    if count > 1:
        params += [("periods", str(count - 1)), ("timeframe", "MONTH")]
    return Request(method="GET", url=f"{context.base_url.rstrip('/')}{API_PATH}/Reports/{kind}", params=tuple(params))


class ReportRequest(msgspec.Struct, frozen=True):
    """The first call of a statements stream: the newest 12 months of one report."""

    kind: str

    def __call__(self, context: StreamContext, since: datetime | None, position: int, size: int) -> Request:
        """The report for this month and up to 11 earlier ones."""
        ends = month_ends(periods(context))
        return _report_request(context, self.kind, ends[0], min(REPORT_COLUMNS, len(ends)))


class ReportColumns(msgspec.Struct, frozen=True):
    """Completes a statements stream: the further calls for older months, then one record per month."""

    kind: str
    model: str

    async def __call__(self, fetch: Fetch, context: StreamContext, records: list[Any]) -> list[Any]:
        """Per month: ``{"StatementID", "FromDate", "ToDate", "Report": the report cut to that month}``."""
        ends = month_ends(periods(context))
        chunks = [ends[start : start + REPORT_COLUMNS] for start in range(0, len(ends), REPORT_COLUMNS)]
        reports = [records[0] if records else None]
        for chunk in chunks[1:]:
            body = await fetch(_report_request(context, self.kind, chunk[0], len(chunk)))
            found = dig(body, "Reports")
            reports.append(found[0] if isinstance(found, list) and found else None)
        result = []
        for chunk, report in zip(chunks, reports, strict=True):
            if not isinstance(report, dict):
                continue
            for index, end in enumerate(chunk, start=1):
                result.append(
                    {
                        "StatementID": f"{self.model}:{end.isoformat()}",
                        "FromDate": end.replace(day=1).isoformat(),
                        "ToDate": end.isoformat(),
                        "Report": _column(report, index),
                    }
                )
        return result


def _statement_stream(kind: str, model: str) -> Stream:
    return Stream(
        name=f"Reports/{kind}",
        request=ReportRequest(kind),
        records="Reports",
        key="StatementID",
        paging=OnePage(),
        expand=ReportColumns(kind, model),
    )


BALANCE_SHEETS = _statement_stream("BalanceSheet", "BalanceSheet")
INCOME_STATEMENTS = _statement_stream("ProfitAndLoss", "IncomeStatement")


class _Parsed(msgspec.Struct):
    parts: dict[str, list[ReportItem]]
    named: dict[str, Decimal]


def _value(row: Mapping[str, Any]) -> Decimal | None:
    cells = row.get("Cells") or []
    if len(cells) < 2:
        return None
    try:
        return to_decimal(cells[1].get("Value"))
    except ValueError:
        return None


def _account_of(row: Mapping[str, Any]) -> str | None:
    for cell in row.get("Cells") or []:
        for attribute in cell.get("Attributes") or []:
            if attribute.get("Id") == "account" and attribute.get("Value"):
                return str(attribute["Value"])
    return None


def _item(row: Mapping[str, Any], context: MappingContext, sub_items: list[ReportItem] | None = None) -> ReportItem:
    cells = row.get("Cells") or [{}]
    return ReportItem(
        remote_id=_account_of(row),
        name=to_str(cells[0].get("Value")),
        value=_value(row),
        sub_items=sub_items or [],
        company=context.company,
    )


_PARTS = {"Assets": "assets", "Liabilities": "liabilities", "Equity": "equity"}
_INCOME_PARTS = {
    "Income": "income",
    "Plus Other Income": "income",
    "Less Cost of Sales": "cost_of_sales",
    "Less Operating Expenses": "operating_expenses",
}


def _parse(record: Any, context: MappingContext) -> _Parsed:
    """A one-column report as trees of items per part (assets, income...) and its lone named rows (Net Assets)."""
    parts: dict[str, list[ReportItem]] = {}
    named: dict[str, Decimal] = {}
    part = ""
    for section in (record.get("Report") or {}).get("Rows") or []:
        if section.get("RowType") != "Section":
            continue
        title = str(section.get("Title") or "")
        rows = section.get("Rows") or []
        if title in _PARTS:
            part = _PARTS[title]
            if title != "Equity":
                continue
        if not title:
            for row in rows:
                value = _value(row)
                if value is not None:
                    named[str((row.get("Cells") or [{}])[0].get("Value"))] = value
            continue
        accounts = [_item(row, context) for row in rows if row.get("RowType") == "Row"]
        total = next((_value(row) for row in rows if row.get("RowType") == "SummaryRow"), None)
        if title == "Equity":
            parts.setdefault("equity", []).extend(accounts)
            continue
        if title in _INCOME_PARTS or record.get("StatementID", "").startswith("IncomeStatement"):
            part = _INCOME_PARTS.get(title, "income" if title.startswith("Plus") else "operating_expenses")
        section_item = ReportItem(name=title, value=total, sub_items=accounts, company=context.company)
        parts.setdefault(part or "assets", []).append(section_item)
    return _Parsed(parts, named)


def _part(name: str) -> Computed:
    return Computed(lambda record, context: _parse(record, context).parts.get(name, []))


def _total(items: list[ReportItem]) -> Decimal:
    return sum((item.value or Decimal(0) for item in items), Decimal(0))


def _net_assets(record: Any, context: MappingContext) -> Decimal | None:
    parsed = _parse(record, context)
    found = parsed.named.get("Net Assets")
    return (
        found
        if found is not None
        else _total(parsed.parts.get("assets", [])) - _total(parsed.parts.get("liabilities", []))
    )


def _gross_profit(record: Any, context: MappingContext) -> Decimal:
    """Income (other income included, as Merge has no separate line for it) less cost of sales."""
    parts = _parse(record, context).parts
    return _total(parts.get("income", [])) - _total(parts.get("cost_of_sales", []))


def _net_operating_income(record: Any, context: MappingContext) -> Decimal:
    return _gross_profit(record, context) - _total(_parse(record, context).parts.get("operating_expenses", []))


def _net_income(record: Any, context: MappingContext) -> Decimal:
    """Xero's Net Profit row; it equals net operating income, as Xero lists no non-operating expenses."""
    found = _parse(record, context).named.get("Net Profit")
    return found if found is not None else _net_operating_income(record, context)


def _day(field: str) -> F:
    return F(field, lambda value: None if not value else _moment(date.fromisoformat(str(value))))


BALANCE_SHEET = ModelMap(
    model="BalanceSheet",
    struct=BalanceSheet,
    stream=BALANCE_SHEETS,
    fields={
        "remote_id": F("StatementID"),
        "name": F("Report.ReportName", to_str),
        "date": _day("ToDate"),
        "net_assets": Computed(_net_assets),
        "assets": _part("assets"),
        "liabilities": _part("liabilities"),
        "equity": _part("equity"),
        "remote_generated_at": F("Report.UpdatedDateUTC", xero_date),
        "remote_was_deleted": Const(False),
    },
)

INCOME_STATEMENT = ModelMap(
    model="IncomeStatement",
    struct=IncomeStatement,
    stream=INCOME_STATEMENTS,
    fields={
        "remote_id": F("StatementID"),
        "name": F("Report.ReportName", to_str),
        "start_period": _day("FromDate"),
        "end_period": _day("ToDate"),
        "income": _part("income"),
        "cost_of_sales": _part("cost_of_sales"),
        "gross_profit": Computed(_gross_profit),
        "operating_expenses": _part("operating_expenses"),
        "net_operating_income": Computed(_net_operating_income),
        "non_operating_expenses": Const([]),
        "net_income": Computed(_net_income),
        "remote_was_deleted": Const(False),
    },
)


# --- cash flow -------------------------------------------------------------------------------------------------


def _activity(account_type: str) -> str:
    if account_type in _INVESTING:
        return "Investing"
    if account_type in _FINANCING:
        return "Financing"
    return "Operating"


def cash_flows(journals: Sequence[Mapping[str, Any]], ends: Sequence[date]) -> list[dict[str, Any]]:
    """One cash-flow record per month ending at each of ``ends`` (see the module's docstring for the method).

    One pass over the journals: every sync that saw a new journal derives the statements again from all of them."""
    months = {(end.year, end.month): index for index, end in enumerate(ends)}
    activities: list[dict[str, dict[str, dict[str, Any]]]] = [
        {"Operating": {}, "Investing": {}, "Financing": {}} for _ in ends
    ]
    movements: list[tuple[date, Decimal]] = []  # each bank-moving journal's day and bank movement
    newest: datetime | None = None
    newest_text = ""
    for journal in journals:
        created = xero_date(journal.get("CreatedDateUTC"))
        if created is not None and (newest is None or created > newest):
            newest, newest_text = created, str(journal.get("CreatedDateUTC"))
        moment = xero_day(journal.get("JournalDate"))
        lines = journal.get("JournalLines") or []
        bank = [line for line in lines if line.get("AccountType") == "BANK"]
        if moment is None or not bank:
            continue
        day = moment.date()
        movements.append((day, sum((to_decimal(line.get("NetAmount")) or Decimal(0) for line in bank), Decimal(0))))
        index = months.get((day.year, day.month))
        if index is None:
            continue
        for line in lines:
            if line.get("AccountType") == "BANK":
                continue
            bucket = activities[index][_activity(str(line.get("AccountType") or ""))]
            key = str(line.get("AccountID") or "")
            entry = bucket.setdefault(
                key, {"AccountID": key, "Name": line.get("AccountName") or "", "Value": Decimal(0)}
            )
            entry["Value"] -= to_decimal(line.get("NetAmount")) or Decimal(0)
    movements.sort(key=lambda movement: movement[0])
    days = [day for day, _ in movements]
    running = [Decimal(0)]
    for _, amount in movements:
        running.append(running[-1] + amount)
    result = []
    for end, found in zip(ends, activities, strict=True):
        start = end.replace(day=1)
        beginning = running[bisect_left(days, start)]
        flows = {
            name: [e | {"Value": str(e["Value"])} for e in bucket.values() if e["Value"]]
            for name, bucket in found.items()
        }
        moved = sum((Decimal(e["Value"]) for entries in flows.values() for e in entries), Decimal(0))
        result.append(
            {
                "StatementID": f"CashFlowStatement:{end.isoformat()}",
                "FromDate": start.isoformat(),
                "ToDate": end.isoformat(),
                "CashAtBeginning": str(beginning),
                "CashAtEnd": str(beginning + moved),
                **flows,
                "GeneratedAt": newest_text,
            }
        )
    return result


def _derived_cash_flows(context: StreamContext, journals: Sequence[Any]) -> list[dict[str, Any]]:
    return cash_flows(journals, month_ends(periods(context)))


def _statement_months(context: StreamContext) -> str:
    """What the statements depend on besides the journals: which months they cover."""
    return f"{month_ends(1)[0].isoformat()}/{periods(context)}"


CASH_FLOWS = Stream(
    name="Journals/CashFlow",
    request=NoRequest(),
    records="Journals",
    key="StatementID",
    paging=OnePage(),
    derived=Derived(
        source="GeneralLedgerTransaction",
        build=_derived_cash_flows,
        epoch=_statement_months,
        path=f"{API_PATH}/Journals",
    ),
)


def _activities(name: str) -> Computed:
    def build(record: Any, context: MappingContext) -> list[ReportItem]:
        return [
            ReportItem(
                remote_id=e["AccountID"] or None,
                name=to_str(e["Name"]),
                value=to_decimal(e["Value"]),
                company=context.company,
            )
            for e in record.get(name) or []
        ]

    return Computed(build)


CASH_FLOW_STATEMENT = ModelMap(
    model="CashFlowStatement",
    struct=CashFlowStatement,
    stream=CASH_FLOWS,
    fields={
        "remote_id": F("StatementID"),
        "name": Const("Cash Flow Statement"),
        "start_period": _day("FromDate"),
        "end_period": _day("ToDate"),
        "cash_at_beginning_of_period": F("CashAtBeginning", to_decimal),
        "cash_at_end_of_period": F("CashAtEnd", to_decimal),
        "operating_activities": _activities("Operating"),
        "investing_activities": _activities("Investing"),
        "financing_activities": _activities("Financing"),
        "remote_generated_at": F("GeneratedAt", xero_date),
        "remote_was_deleted": Const(False),
    },
)

LEDGER_MAPPINGS: Sequence[ModelMap] = (GENERAL_LEDGER_TRANSACTION, BALANCE_SHEET, INCOME_STATEMENT, CASH_FLOW_STATEMENT)
"""After the accounts and tracking categories they reference (``MAPPINGS`` appends them last)."""
