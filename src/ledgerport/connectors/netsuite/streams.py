"""What ledgerport reads from NetSuite: one SuiteQL :class:`Stream` per model, and the second reads per page.

**One query per page, not one GET per record.** The REST record API lists ids only, so reading N records costs
N + N/1000 calls (FACTS.md §2.1); SuiteQL answers 1,000 whole rows per call. Transactions are headers (the
``transaction`` row joined to its main line, which holds the subsidiary and the header segments) and, per page, a
second query over ``transactionline`` for the lines of the page's 1,000 ids (:class:`Assemble`), a third over
``transactionaccountingline`` for journal debits and credits, and one over ``previoustransactionlinelink`` for
what a payment or credit applies to (or what was applied to an invoice). The assembled document, header with
``lines``, ``applied`` and ``applied_by``, is what the mappings read and ``remote_data`` keeps.

**Incremental.** ``lastmodifieddate >= since``, oldest change first, ``>=`` so a second shared with the previous
run is read again. NetSuite writes times in the account's zone without an offset: the client learns the zone's
offset once per run (``SYSDATE`` against our clock, :func:`~.client.learn_session`), every date-time of a page is
given that offset here (:func:`localize`), and ``since`` is turned back into the account's wall time, less
:data:`OVERLAP`, for the filter. A line edit does not always move its header's ``lastmodifieddate`` (FACTS.md
§6.4 #8); that is not covered here (VERIFY against a real account).

**Deletions** are rows of ``deletedrecord`` (record type id, record id, when), read by one stream per model
whose every row is a deletion. Tax codes and tax groups have no ``lastmodifieddate`` (FACTS.md §1.4): those two
streams are read whole every run (``complete``), and what they no longer list is deleted.

**100,000 rows** is SuiteQL's cap per query (FACTS.md §2.3): a walk reaching it goes on with a new query for the
rows after the last one read in the stream's order (``Stream.reach``, :func:`~.suiteql.keyset_after`), so a first
sync of a larger table reads it whole, in order, once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from ledgerport.connectors._base.convert import iso_datetime
from ledgerport.connectors._base.errors import Malformed
from ledgerport.connectors._base.http import Request
from ledgerport.connectors._base.paging import Offset
from ledgerport.connectors._base.streams import Fetch, Stream, StreamContext, Total, Watermark
from ledgerport.connectors.netsuite.client import PAGE_SIZE, offset_of, read_all, segments_of, suiteql_request
from ledgerport.connectors.netsuite.suiteql import (
    DATE,
    DATETIME,
    Column,
    Kind,
    Query,
    changed_since,
    col,
    ids_in,
    keyset_after,
    text,
    values_in,
)

__all__ = [
    "ACCOUNTS",
    "Assemble",
    "CLASSES",
    "CREDIT_NOTES",
    "CUSTOMERS",
    "DEPARTMENTS",
    "EMPLOYEES",
    "EXPENSES",
    "INVOICES",
    "ITEMS",
    "ITEM_FULFILLMENTS",
    "JOBS",
    "JOURNAL_ENTRIES",
    "LOCATIONS",
    "OVERLAP",
    "PAYMENTS",
    "PERIODS",
    "PURCHASE_ORDERS",
    "REACH",
    "SALES_ORDERS",
    "SUBSIDIARIES",
    "SuiteQlRead",
    "TAX_CODES",
    "TAX_GROUPS",
    "TERMS",
    "TRANSACTIONS",
    "VENDORS",
    "VENDOR_CREDITS",
    "deleted_stream",
    "localize",
]

REACH = 100_000
"""SuiteQL's rows per query (FACTS.md §2.3: an offset of 100,000 or more is refused); a walk goes on past them
with a query for what follows its last row (``keyset_after``)."""
OVERLAP = timedelta(hours=1)
"""Re-read before the watermark: a DST change within the run (the learnt offset is an hour off for the records
stamped before it) and a clock a little off. Records read twice are stored once."""


def _suffix(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign, minutes = ("+" if minutes >= 0 else "-"), abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def localize(rows: Iterable[dict[str, Any]], columns: Sequence[str], context: StreamContext) -> list[dict[str, Any]]:
    """``rows`` with each date-time in ``columns`` given the account zone's offset (``…T10:00:00-07:00``)."""
    suffix = _suffix(offset_of(context.account))
    out = []
    for row in rows:
        fixed = dict(row)
        for name in columns:
            value = fixed.get(name)
            if isinstance(value, str) and len(value) == 19:
                fixed[name] = value + suffix
        out.append(fixed)
    return out


def _datetimes(query: Query) -> list[str]:
    return [column.alias for column in query.columns if column.kind is Kind.DATETIME]


class SuiteQlRead(msgspec.Struct, frozen=True, kw_only=True):
    """The request builder of one stream: its query, with ``since`` as the account's wall time, at an offset."""

    query: Query
    segments: str | None = None
    """The alias of the ``transactionline`` whose custom segment columns (learnt per account) are selected too."""

    def __call__(self, context: StreamContext, since: datetime | None, position: int, size: int) -> Request:
        """The page at ``position`` (a row offset) of the rows changed since ``since``."""
        return suiteql_request(context.base_url, self.sql(context, since), offset=position, limit=min(size, PAGE_SIZE))

    def sql(self, context: StreamContext, since: datetime | None) -> str:
        """The query text of a walk."""
        conditions = []
        if since is not None and self.query.changed is not None:
            wall = (since.astimezone(UTC) + offset_of(context.account) - OVERLAP).replace(tzinfo=None)
            conditions.append(changed_since(self.query.changed, wall))
        if context.after is not None:  # past SuiteQL's 100,000 rows: what follows the last row read
            try:
                conditions.append(keyset_after(self.query, context.after))
            except ValueError as exc:
                raise Malformed(f"cannot read past {REACH:,} rows: {exc}") from exc
        query = self.query
        if self.segments is not None:
            query = query.with_columns(col(name, table=self.segments) for name in segments_of(context.account))
        return text(query, *conditions)


class Localize(msgspec.Struct, frozen=True):
    """The expander of a stream without second reads: its date-times get the account's offset."""

    columns: Sequence[str]

    async def __call__(self, fetch: Fetch, context: StreamContext, records: list[Any]) -> list[Any]:
        """The page's rows, localized."""
        return localize(records, self.columns, context)


def _stream(name: str, query: Query, *, key: str = "id", complete: bool = False) -> Stream:
    changed = query.changed is not None
    return Stream(
        name=name,
        request=SuiteQlRead(query=query),
        records="items",
        key=key,
        paging=Offset(size=PAGE_SIZE),
        reach=REACH,
        total=Total("totalResults"),
        since=Watermark("lastmodifieddate", iso_datetime) if changed else None,
        expand=Localize(_datetimes(query)),
        complete=complete,
    )


def _list(
    table: str, alias: str, columns: Sequence[Column], *, changed: bool = True, where: Sequence[str] = ()
) -> Query:
    stamp = (col("lastmodifieddate", DATETIME, table=alias),) if changed else ()
    return Query(
        columns=(*columns, *stamp),
        source=f"{table} {alias}",
        where=where,
        order=(f"{alias}.lastmodifieddate", f"{alias}.id") if changed else (f"{alias}.id",),
        changed=f"{alias}.lastmodifieddate" if changed else None,
    )


def _cols(alias: str, *names: str, kind: Kind = Kind.VALUE) -> tuple[Column, ...]:
    return tuple(col(name, kind, table=alias) for name in names)


# --- reference data -------------------------------------------------------------------------------------------

SUBSIDIARIES = _stream(
    "subsidiaries",
    msgspec.structs.replace(
        _list(
            "subsidiary",
            "s",
            (
                *_cols("s", "id", "name", "fullname", "legalname", "parent", "currency", "country", "iselimination"),
                *_cols("s", "isinactive"),
                col("symbol", table="c", alias="currencysymbol"),
            ),
        ),
        source="subsidiary s LEFT JOIN currency c ON c.id = s.currency",
    ),
)
ACCOUNTS = _stream(
    "accounts",
    msgspec.structs.replace(
        _list(
            "account",
            "a",
            (
                *_cols("a", "id", "acctnumber", "accountsearchdisplayname", "fullname", "accttype", "parent"),
                *_cols("a", "issummary", "isinactive", "currency", "subsidiary", "description"),
                col("symbol", table="c", alias="currencysymbol"),
            ),
        ),
        source="account a LEFT JOIN currency c ON c.id = a.currency",
    ),
)
PERIODS = _stream(
    "accounting_periods",
    _list(
        "accountingperiod",
        "p",
        (
            *_cols("p", "id", "periodname", "isposting", "isyear", "isquarter", "closed", "alllocked", "isinactive"),
            *_cols("p", "parent"),
            *_cols("p", "startdate", "enddate", kind=DATE),
        ),
    ),
)
TERMS = _stream(
    "payment_terms", _list("term", "m", _cols("m", "id", "name", "daysuntilnetdue", "discountpercent", "isinactive"))
)
_SEGMENT_COLUMNS = ("id", "name", "fullname", "parent", "isinactive", "subsidiary")
DEPARTMENTS = _stream("departments", _list("department", "d", _cols("d", *_SEGMENT_COLUMNS)))
CLASSES = _stream("classes", _list("classification", "d", _cols("d", *_SEGMENT_COLUMNS)))
LOCATIONS = _stream("locations", _list("location", "d", _cols("d", *_SEGMENT_COLUMNS)))
TAX_CODES = _stream(
    "tax_codes",
    _list(
        "salestaxitem", "x", _cols("x", "id", "itemid", "description", "rate", "taxtype", "isinactive"), changed=False
    ),
    complete=True,
)
TAX_GROUPS = _stream(
    "tax_groups",
    _list("taxgroup", "x", _cols("x", "id", "itemid", "description", "rate", "taxtype", "isinactive"), changed=False),
    complete=True,
)

_ENTITY = ("id", "entityid", "companyname", "isperson", "firstname", "lastname", "email", "phone", "altphone")
_ADDRESS = ("addr1", "addr2", "addr3", "city", "state", "zip", "country", "addressee", "addrphone")


def _entity(table: str, extra: Sequence[str]) -> Query:
    columns = (
        *_cols("e", *_ENTITY, "fax", "url", "subsidiary", "currency", "terms", "isinactive", "externalid", *extra),
        col("datecreated", DATETIME, table="e"),
        col("symbol", table="c", alias="currencysymbol"),
        *(col(name, table="ba", alias=f"bill_{name}") for name in _ADDRESS),
        *(col(name, table="sa", alias=f"ship_{name}") for name in _ADDRESS),
    )
    return msgspec.structs.replace(
        _list(table, "e", columns),
        source=(
            f"{table} e LEFT JOIN currency c ON c.id = e.currency"
            " LEFT JOIN entityaddress ba ON ba.nkey = e.defaultbillingaddress"
            " LEFT JOIN entityaddress sa ON sa.nkey = e.defaultshippingaddress"
        ),
    )


CUSTOMERS = _stream("customers", _entity("customer", ("balancesearch",)))
VENDORS = _stream("vendors", _entity("vendor", ("legalname",)))
EMPLOYEES = _stream(
    "employees",
    _list(
        "employee",
        "e",
        (
            *_cols("e", "id", "entityid", "firstname", "lastname", "email", "phone", "subsidiary", "department"),
            *_cols("e", "location", "supervisor", "title", "isinactive"),
            col("hiredate", DATE, table="e"),
            col("datecreated", DATETIME, table="e"),
        ),
    ),
)
JOBS = _stream(
    "projects",
    _list(
        "job",
        "j",
        (
            *_cols("j", "id", "entityid", "companyname", "parent", "entitystatus", "subsidiary", "isinactive"),
            *_cols("j", "startdate", "projectedenddate", kind=DATE),
            col("datecreated", DATETIME, table="j"),
        ),
    ),
)
ITEMS = _stream(
    "items",
    _list(
        "item",
        "i",
        (
            *_cols("i", "id", "itemid", "displayname", "itemtype", "salesdescription", "purchasedescription"),
            *_cols("i", "baseprice", "cost", "incomeaccount", "expenseaccount", "assetaccount", "isinactive"),
            *_cols("i", "subsidiary"),
        ),
        # Tax codes and groups are items to NetSuite and TaxRates to Merge: their own streams read them.
        where=("i.itemtype NOT IN ('TaxItem', 'TaxGroup')",),
    ),
)


# --- transactions ---------------------------------------------------------------------------------------------

_HEADER = (
    *_cols("t", "id", "tranid", "transactionnumber", "type", "postingperiod", "entity", "currency", "exchangerate"),
    *_cols("t", "status", "memo", "foreigntotal", "foreignamountremaining", "foreignamountunpaid", "approvalstatus"),
    *_cols("t", "voided", "posting", "externalid", "createdfrom", "terms", "otherrefnum", "employee"),
    *_cols("t", "trandate", "duedate", "shipdate", kind=DATE),
    col("createddate", DATETIME, table="t"),
    col("lastmodifieddate", DATETIME, table="t"),
    col("symbol", table="c", alias="currencysymbol"),
    *_cols("ml", "subsidiary", "department", "class", "location"),
    col("expenseaccount", table="ml", alias="account"),
)

_LINE = Query(
    columns=(
        *_cols("tl", "transaction", "id", "linesequencenumber", "item", "quantity", "rate", "netamount"),
        *_cols("tl", "foreignamount", "memo", "department", "class", "location", "subsidiary", "entity"),
        *_cols("tl", "expenseaccount", "taxline", "isclosed", "quantityshiprecv", "itemtype"),
        col("linelastmodifieddate", DATETIME, table="tl"),
    ),
    source="transactionline tl",
    where=("tl.mainline = 'F'",),
    order=("tl.transaction", "tl.linesequencenumber", "tl.id"),
)
_ACCOUNTING = Query(
    columns=_cols("tal", "transaction", "transactionline", "account", "debit", "credit", "amount", "accountingbook"),
    source="transactionaccountingline tal",
    order=("tal.transaction", "tal.transactionline"),
)
_LINKS = Query(
    columns=_cols(
        "l",
        "previousdoc",
        "previousline",
        "previoustype",
        "nextdoc",
        "nextline",
        "nexttype",
        "linktype",
        "foreignamount",
    ),
    source="previoustransactionlinelink l",
    order=("l.nextdoc", "l.nextline", "l.previousdoc", "l.previousline"),
)


class Assemble(msgspec.Struct, frozen=True, kw_only=True):
    """The second reads of a page of transactions: its lines and, as the model needs, GL lines and links."""

    lines: bool = True
    accounting: bool = False
    """Journal debits and credits (``transactionaccountingline``), merged into the lines."""
    applied: bool = False
    """Links where these documents are the later one: what a payment or credit is applied to."""
    applied_by: bool = False
    """Links where these documents are the earlier one: the payments and credits applied to an invoice."""

    async def __call__(self, fetch: Fetch, context: StreamContext, records: list[Any]) -> list[Any]:
        """The page's headers with ``lines`` (and ``applied`` / ``applied_by``) attached."""
        headers = localize(records, ("createddate", "lastmodifieddate"), context)
        ids = [str(record["id"]) for record in headers]
        lines: dict[str, list[dict[str, Any]]] = defaultdict(list)
        if self.lines:
            segments = [col(name, table="tl") for name in segments_of(context.account)]
            query = _LINE.with_columns(segments)
            rows = await read_all(fetch, context, text(query, ids_in("tl.transaction", ids)))
            postings = await self._postings(fetch, context, ids)
            for row in localize(rows, ("linelastmodifieddate",), context):
                posted = postings.get((str(row.get("transaction")), str(row.get("id"))))
                lines[str(row.get("transaction"))].append({**row, **posted} if posted else row)
        applied = await self._links(fetch, context, ids, "nextdoc") if self.applied else {}
        applied_by = await self._links(fetch, context, ids, "previousdoc") if self.applied_by else {}
        assembled = []
        for header in headers:
            key = str(header["id"])
            document = {**header, "lines": lines.get(key, [])}
            if self.applied:
                document["applied"] = applied.get(key, [])
            if self.applied_by:
                document["applied_by"] = applied_by.get(key, [])
            assembled.append(document)
        return assembled

    async def _postings(
        self, fetch: Fetch, context: StreamContext, ids: list[str]
    ) -> dict[tuple[str, str], dict[str, Any]]:
        """Each line's account, debit and credit, from the GL (the first accounting book's row of each line)."""
        if not self.accounting:
            return {}
        rows = await read_all(fetch, context, text(_ACCOUNTING, ids_in("tal.transaction", ids)))
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for row in rows:
            key = (str(row.get("transaction")), str(row.get("transactionline")))
            found.setdefault(key, {name: row.get(name) for name in ("account", "debit", "credit") if name in row})
        return found

    async def _links(
        self, fetch: Fetch, context: StreamContext, ids: list[str], side: str
    ) -> dict[str, list[dict[str, Any]]]:
        rows = await read_all(fetch, context, text(_LINKS, ids_in(f"l.{side}", ids)))
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            grouped[str(row.get(side))].append(row)
        return grouped


def _transactions(name: str, types: Sequence[str], assemble: Assemble) -> Stream:
    query = Query(
        columns=_HEADER,
        source=(
            "transaction t JOIN transactionline ml ON ml.transaction = t.id LEFT JOIN currency c ON c.id = t.currency"
        ),
        where=("ml.mainline = 'T'", values_in("t.type", types)),
        order=("t.lastmodifieddate", "t.id"),
        changed="t.lastmodifieddate",
    )
    return Stream(
        name=name,
        request=SuiteQlRead(query=query, segments="ml"),
        records="items",
        key="id",
        paging=Offset(size=PAGE_SIZE),
        reach=REACH,
        total=Total("totalResults"),
        since=Watermark("lastmodifieddate", iso_datetime),
        expand=assemble,
    )


INVOICES = _transactions("invoices", ("CustInvc", "VendBill"), Assemble(applied_by=True))
CREDIT_NOTES = _transactions("credit_notes", ("CustCred",), Assemble(applied=True))
VENDOR_CREDITS = _transactions("vendor_credits", ("VendCred",), Assemble(applied=True))
JOURNAL_ENTRIES = _transactions("journal_entries", ("Journal",), Assemble(accounting=True))
PAYMENTS = _transactions("payments", ("CustPymt", "VendPymt"), Assemble(lines=False, applied=True))
EXPENSES = _transactions("expenses", ("Check", "CardChrg", "ExpRept"), Assemble())
TRANSACTIONS = _transactions("transactions", ("CashSale", "Deposit", "CustDep", "CustRfnd", "CardRfnd"), Assemble())
PURCHASE_ORDERS = _transactions("purchase_orders", ("PurchOrd",), Assemble())
SALES_ORDERS = _transactions("sales_orders", ("SalesOrd",), Assemble())
ITEM_FULFILLMENTS = _transactions("item_fulfillments", ("ItemShip",), Assemble(applied=True))


# --- deletions ------------------------------------------------------------------------------------------------


def deleted_stream(name: str, record_types: Sequence[str]) -> Stream:
    """Deletions of some record types (``deletedrecord.type`` holds the record type id, lower case: VERIFY)."""
    query = Query(
        columns=(
            col("recordid", table="d", alias="id"),
            *_cols("d", "type", "name"),
            col("deleteddate", DATETIME, table="d"),
        ),
        source="deletedrecord d",
        where=(values_in("d.type", record_types),),
        order=("d.deleteddate", "d.recordid"),
        changed="d.deleteddate",
    )
    return Stream(
        name=name,
        request=SuiteQlRead(query=query),
        records="items",
        key="id",
        paging=Offset(size=PAGE_SIZE),
        reach=REACH,
        total=Total("totalResults"),
        since=Watermark("deleteddate", iso_datetime),
        deleted=_always,
        expand=Localize(("deleteddate",)),
    )


def _always(record: Any) -> bool:
    return True
