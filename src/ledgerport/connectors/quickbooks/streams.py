"""What ledgerport reads from QBO: one :class:`Stream` per entity, and how a walk chooses CDC or the query.

**Full sync** (``since`` is ``None``): the query language, oldest change first, ``STARTPOSITION`` paging by 1000.
Name lists add ``Active IN (true, false)`` so inactive rows come back (as ARCHIVED/INACTIVE records).

**Incremental sync** (``since`` given), decided per page by :func:`read_mode`:

* ``since`` within CDC's 30 days (less an hour of margin for clock skew and slow runs) → the first page is
  ``GET /cdc?entities=X&changedSince=since``. CDC answers live records *and* deletions (``"status": "Deleted"``
  stubs with ``Id`` and ``MetaData``), which the stream reports through ``deleted=StatusIn("status", {"Deleted"})``.
* older → the query with ``MetaData.LastUpdatedTime >= since``. Queries never return deleted transactions, so a run
  this late cannot see deletions (the engine keeps watermarks within the window by advancing a finished walk's
  watermark to the start of its run). Sync more often than
  monthly to avoid it.

**A full CDC page.** CDC has no paging and answers at most 1000 objects per entity, oldest change first (the
sandbox does; Intuit documents the cap, not the order, which this design assumes). The paginator is the ordinary
``StartPosition(1000)``, so a full first page moves the walk to position 1001, where the builder switches to the
query with ``>= since``. That continuation is exact when the CDC page held no deletions: its 1000 records are then
the first 1000 rows of the query's own ordering, and ``STARTPOSITION 1001`` starts right after them. Deletions
are not rows of the query, so a page holding ``k`` of them would make ``STARTPOSITION 1001`` skip ``k`` live
records. :func:`page_records` prevents that: a full CDC page with deletions is handed back as its 999 oldest
changes, which ends the walk (a short page), and the page watermark (the newest of those 999) lets the next run's
CDC pick up exactly there. Re-reading the window from ``STARTPOSITION 1`` instead would repeat the CDC page, which
the walk's loop guard rightly refuses.

``>=`` rather than ``>`` in incremental queries: QBO stamps seconds, so a change in the watermark's own second made
after the previous run read that second would be missed by ``>``; re-reading a record is harmless (CDC's
``changedSince`` is inclusive too, which keeps the continuation aligned with the CDC page).

TaxCode, TaxRate and CompanyInfo never use CDC: whether CDC covers the two tax entities is unverified, and the
company is one record read whole every run.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from ledgerport.connectors._base.http import Request
from ledgerport.connectors._base.paging import StartPosition
from ledgerport.connectors._base.streams import StatusIn, Stream, StreamContext, Total, Watermark, dig
from ledgerport.connectors.quickbooks.client import (
    MAX_RESULTS,
    Entity,
    cdc_request,
    parse_qbo_datetime,
    query_request,
    select,
    select_count,
)
from ledgerport.kit import clock

__all__ = [
    "ACCOUNTS",
    "ATTACHABLES",
    "BILLS",
    "BILL_PAYMENTS",
    "CDC_LIMIT",
    "CDC_WINDOW",
    "CLASSES",
    "COMPANY_INFO",
    "CREDIT_CARD_PAYMENTS",
    "CREDIT_MEMOS",
    "CUSTOMERS",
    "DELETED",
    "DEPARTMENTS",
    "DEPOSITS",
    "EMPLOYEES",
    "ESTIMATES",
    "INVOICES",
    "ITEMS",
    "JOURNAL_ENTRIES",
    "PAYMENTS",
    "PAYMENT_METHODS",
    "PURCHASES",
    "PURCHASE_ORDERS",
    "QboRead",
    "REFUND_RECEIPTS",
    "ReadMode",
    "SALES_RECEIPTS",
    "STREAMS",
    "TAX_CODES",
    "TAX_RATES",
    "TERMS",
    "TRANSFERS",
    "VENDORS",
    "VENDOR_CREDITS",
    "page_records",
    "read_mode",
]

CDC_LIMIT = 1000
"""Objects per entity in one CDC answer."""
CDC_WINDOW = timedelta(days=30) - timedelta(hours=1)
"""How far back CDC is used: Intuit's 30 days less a margin, so a slow run never asks for a refused window."""
DELETED = StatusIn("status", {"Deleted"})
_UPDATED = Watermark("MetaData.LastUpdatedTime", parse_qbo_datetime)


class ReadMode(enum.Enum):
    """Which request serves a page."""

    CDC = "cdc"
    QUERY = "query"


def read_mode(*, since: datetime | None, position: int, now: datetime, cdc: bool = True) -> ReadMode:
    """CDC for the first page of an incremental walk inside the window; the query for everything else."""
    if cdc and since is not None and position == 1 and now - since < CDC_WINDOW:
        return ReadMode.CDC
    return ReadMode.QUERY


def _changed_at(record: Any) -> datetime:
    return _UPDATED.of(record) or datetime.min.replace(tzinfo=UTC)


def page_records(entity: Entity) -> Callable[[Any], list[Any]]:
    """The records of a query page or a CDC answer for ``entity`` (see the module docstring for full CDC pages)."""

    def records(body: Any) -> list[Any]:
        if not isinstance(body, dict):
            return []
        if "CDCResponse" not in body:
            return list(dig(body, f"QueryResponse.{entity.value}") or [])
        found: list[Any] = []
        for answer in body.get("CDCResponse") or []:
            for response in answer.get("QueryResponse") or [] if isinstance(answer, dict) else []:
                found.extend(response.get(entity.value) or [] if isinstance(response, dict) else [])
        found.sort(key=_changed_at)
        if len(found) >= CDC_LIMIT and any(DELETED(record) for record in found):
            return found[: CDC_LIMIT - 1]
        return found

    records.__name__ = f"records_{entity.value}"
    return records


class QboRead(msgspec.Struct, frozen=True, kw_only=True):
    """The request builder of one entity: CDC or the query, by :func:`read_mode`."""

    entity: Entity
    include_inactive: bool = False
    cdc: bool = True

    def __call__(self, context: StreamContext, since: datetime | None, position: int, size: int) -> Request:
        """The request for the page at ``position`` (1-based record position) of records changed since ``since``."""
        mode = read_mode(since=since, position=position, now=clock.now(), cdc=self.cdc)
        if mode is ReadMode.CDC:
            assert since is not None
            return cdc_request(context.base_url, context.account, [self.entity], since)
        text = select(
            self.entity,
            changed_after=since,
            start=position,
            max_results=min(size, MAX_RESULTS),
            include_inactive=self.include_inactive,
            operator=">=",
            days=context.bounds,
        )
        return query_request(context.base_url, context.account, text)

    def count(self, context: StreamContext, since: datetime | None) -> Request:
        """How many rows the query mode of this walk has: its last record position, for reading ahead."""
        text = select_count(
            self.entity,
            changed_after=since,
            include_inactive=self.include_inactive,
            operator=">=",
            days=context.bounds,
        )
        return query_request(context.base_url, context.account, text)


def _remote_path(entity: Entity) -> Callable[[StreamContext, Any], str]:
    path = entity.value.lower()
    return lambda context, record: f"/v3/company/{context.account.get('realm_id', '')}/{path}/{record.get('Id')}"


def _stream(
    entity: Entity,
    *,
    name_list: bool = False,
    cdc: bool = True,
    incremental: bool = True,
    complete: bool = False,
    narrows: Mapping[str, str] | None = None,
) -> Stream:
    read = QboRead(entity=entity, include_inactive=name_list, cdc=cdc)
    return Stream(
        name=entity.value,
        request=read,
        total=Total("QueryResponse.totalCount", request=read.count),
        records=page_records(entity),
        key="Id",
        paging=StartPosition(size=MAX_RESULTS),
        since=_UPDATED if incremental else None,
        deleted=DELETED,
        remote_path=_remote_path(entity),
        complete=complete,
        narrows=narrows or {},
    )


# Name lists: deactivated, never deleted (QBO refuses deletes); inactive rows must be asked for.
ACCOUNTS = _stream(Entity.ACCOUNT, name_list=True)
CUSTOMERS = _stream(Entity.CUSTOMER, name_list=True)
VENDORS = _stream(Entity.VENDOR, name_list=True)
EMPLOYEES = _stream(Entity.EMPLOYEE, name_list=True)
ITEMS = _stream(Entity.ITEM, name_list=True)
CLASSES = _stream(Entity.CLASS, name_list=True)
DEPARTMENTS = _stream(Entity.DEPARTMENT, name_list=True)
TERMS = _stream(Entity.TERM, name_list=True)
PAYMENT_METHODS = _stream(Entity.PAYMENT_METHOD, name_list=True)
TAX_CODES = _stream(Entity.TAX_CODE, name_list=True, cdc=False)
TAX_RATES = _stream(Entity.TAX_RATE, name_list=True, cdc=False)
COMPANY_INFO = _stream(Entity.COMPANY_INFO, cdc=False, incremental=False)

# Transactions: deleted outright; CDC reports the deletions. The query applies the selective-sync conditions on their
# dates (``narrows``); CDC cannot, and the sync applies them to what it reads either way.
INVOICES = _stream(Entity.INVOICE, narrows={"issue_date": "TxnDate"})
BILLS = _stream(Entity.BILL, narrows={"issue_date": "TxnDate"})
JOURNAL_ENTRIES = _stream(Entity.JOURNAL_ENTRY, narrows={"transaction_date": "TxnDate"})
PAYMENTS = _stream(Entity.PAYMENT, narrows={"transaction_date": "TxnDate"})
BILL_PAYMENTS = _stream(Entity.BILL_PAYMENT, narrows={"transaction_date": "TxnDate"})
CREDIT_MEMOS = _stream(Entity.CREDIT_MEMO)
VENDOR_CREDITS = _stream(Entity.VENDOR_CREDIT)
PURCHASE_ORDERS = _stream(Entity.PURCHASE_ORDER)
PURCHASES = _stream(Entity.PURCHASE)
DEPOSITS = _stream(Entity.DEPOSIT)
TRANSFERS = _stream(Entity.TRANSFER)
SALES_RECEIPTS = _stream(Entity.SALES_RECEIPT)
ESTIMATES = _stream(Entity.ESTIMATE)
REFUND_RECEIPTS = _stream(Entity.REFUND_RECEIPT)
CREDIT_CARD_PAYMENTS = _stream(Entity.CREDIT_CARD_PAYMENT)

# Attachables: files (and notes) on their own or linked to other objects. Whether CDC reports them is unverified and the
# query never returns deleted rows, so every sync lists them whole (``complete``: a company keeps few, a page holds
# 1,000) and the files no longer listed are marked deleted.
ATTACHABLES = _stream(Entity.ATTACHABLE, cdc=False, complete=True)

STREAMS: Sequence[Stream] = (
    COMPANY_INFO,
    ACCOUNTS,
    TAX_RATES,
    TAX_CODES,
    CLASSES,
    DEPARTMENTS,
    TERMS,
    PAYMENT_METHODS,
    CUSTOMERS,
    VENDORS,
    EMPLOYEES,
    ITEMS,
    INVOICES,
    BILLS,
    CREDIT_MEMOS,
    VENDOR_CREDITS,
    PURCHASE_ORDERS,
    PAYMENTS,
    BILL_PAYMENTS,
    JOURNAL_ENTRIES,
    PURCHASES,
    DEPOSITS,
    TRANSFERS,
    SALES_RECEIPTS,
    ESTIMATES,
    REFUND_RECEIPTS,
    CREDIT_CARD_PAYMENTS,
    ATTACHABLES,
)
