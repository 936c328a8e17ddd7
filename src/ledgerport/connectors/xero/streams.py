"""What ledgerport reads from Xero: one :class:`Stream` per collection of the Accounting API.

Every list is ``GET {base}/api.xro/2.0/{Collection}`` ordered by ``UpdatedDateUTC ASC``, with ``If-Modified-Since``
for an incremental run where Xero honours it. Collections Xero pages get ``page``/``pageSize=1000`` (the largest
page Xero allows, to spend as few of the 60 calls a minute as possible); sending ``page`` also matters because an
unpaged ``GET /Invoices`` (and CreditNotes, ManualJournals) returns no lines. Accounts, Items, TaxRates,
TrackingCategories and Organisation are not paged: one call returns them all.

Deletions are status flips in Xero, so each stream names the statuses that mean "gone" (``StatusIn``):

* Invoices: DELETED only. A VOIDED invoice stays a live record with status VOID, as Merge shows it; Merge's
  ``InvoiceStatus`` has VOID precisely for this.
* CreditNotes, BankTransactions, ManualJournals: DELETED and VOIDED (their common models have no void status, and
  a voided document no longer touches the ledger).
* Contacts: only GDPRREQUEST (an erased contact). ARCHIVED contacts stay live with ``status=ARCHIVED``, as Merge
  marks them; ``includeArchived=true`` is sent so they are read at all.
* Accounts, TaxRates, TrackingCategories, Payments, PurchaseOrders: DELETED.
* Items are hard-deleted by Xero (no status), so the stream is ``complete``: every sync lists all items (one
  unpaged call, as an incremental one would be) and the engine marks stored items missing from it deleted.
* Tracking categories and their options leave the listing when deleted (``includeArchived`` adds only archived
  ones), so that stream is ``complete`` too; it is one unpaged call without ``If-Modified-Since`` anyway.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

import msgspec

from ledgerport.connectors._base.http import Request
from ledgerport.connectors._base.paging import PageNumber, Paginator
from ledgerport.connectors._base.streams import DayBound, StatusIn, Stream, StreamContext, Total, Watermark
from ledgerport.connectors.xero.convert import http_date, xero_date

__all__ = [
    "ACCOUNTS",
    "API_PATH",
    "BANK_TRANSACTIONS",
    "BANK_TRANSFERS",
    "CONTACTS",
    "CREDIT_NOTES",
    "INVOICES",
    "ITEMS",
    "MANUAL_JOURNALS",
    "OPTION_DELETED",
    "ORGANISATION",
    "OVERPAYMENTS",
    "OnePage",
    "PAGE_SIZE",
    "PAYMENTS",
    "PREPAYMENTS",
    "PURCHASE_ORDERS",
    "STREAMS",
    "TAX_RATES",
    "TRACKING_CATEGORIES",
    "XeroList",
]

API_PATH = "/api.xro/2.0"
PAGE_SIZE = 1000
_UPDATED = Watermark("UpdatedDateUTC", xero_date)


class OnePage(msgspec.Struct, frozen=True):
    """The paginator of a collection Xero returns whole: one request, then done."""

    size: int = 0

    @property
    def first(self) -> int:
        """The only position."""
        return 1

    def advance(self, position: int, count: int) -> int | None:
        """There is never a next page."""
        return None


class XeroList(msgspec.Struct, frozen=True, kw_only=True):
    """The request builder of one Xero list: ``GET /api.xro/2.0/{collection}`` with Xero's query dialect."""

    collection: str
    paged: bool = True
    modified_since: bool = True
    """False where Xero ignores ``If-Modified-Since`` (TaxRates, TrackingCategories): every run reads all."""
    ordered: bool = True
    params: Sequence[tuple[str, str]] = ()

    def __call__(self, context: StreamContext, since: datetime | None, position: int, size: int) -> Request:
        """The request for page ``position`` of the records changed after ``since``."""
        params: list[tuple[str, str]] = [*self.params]
        if context.bounds:
            params.append(("where", " AND ".join(_day_test(bound) for bound in context.bounds)))
        if self.ordered:
            params.append(("order", "UpdatedDateUTC ASC"))
        if self.paged:
            params += [("page", str(position)), ("pageSize", str(size))]
        headers = {"If-Modified-Since": http_date(since)} if since is not None and self.modified_since else {}
        return Request(
            method="GET",
            url=f"{context.base_url.rstrip('/')}{API_PATH}/{self.collection}",
            params=tuple(params),
            headers=headers,
        )


def _day_test(bound: DayBound) -> str:
    """A selective-sync date bound in Xero's ``where`` dialect: ``Date >= DateTime(2026, 01, 31)``."""
    if not bound.field.isidentifier():
        raise ValueError(f"not a Xero field name: {bound.field!r}")
    day = bound.day
    return f"{bound.field} {'>=' if bound.lower else '<='} DateTime({day.year}, {day.month:02d}, {day.day:02d})"


def _stream(
    collection: str,
    key: str,
    *,
    gone: frozenset[str],
    paged: bool = True,
    modified_since: bool = True,
    status: str = "Status",
    params: Sequence[tuple[str, str]] = (),
    complete: bool = False,
    narrows: Mapping[str, str] | None = None,
) -> Stream:
    paging: Paginator = PageNumber(size=PAGE_SIZE) if paged else OnePage()
    return Stream(
        name=collection,
        request=XeroList(
            collection=collection, paged=paged, modified_since=modified_since, ordered=modified_since, params=params
        ),
        records=collection,
        key=key,
        paging=paging,
        total=Total("pagination.pageCount") if paged else None,
        since=_UPDATED if modified_since else None,
        deleted=StatusIn(status, gone) if gone else None,
        complete=complete,
        narrows=narrows or {},
    )


_DELETED = frozenset({"DELETED"})
_DELETED_OR_VOIDED = frozenset({"DELETED", "VOIDED"})

INVOICES = _stream("Invoices", "InvoiceID", gone=_DELETED, narrows={"issue_date": "Date"})
CREDIT_NOTES = _stream("CreditNotes", "CreditNoteID", gone=_DELETED_OR_VOIDED)
PURCHASE_ORDERS = _stream("PurchaseOrders", "PurchaseOrderID", gone=_DELETED)
BANK_TRANSACTIONS = _stream("BankTransactions", "BankTransactionID", gone=_DELETED_OR_VOIDED)
MANUAL_JOURNALS = _stream(
    "ManualJournals", "ManualJournalID", gone=_DELETED_OR_VOIDED, narrows={"transaction_date": "Date"}
)
PAYMENTS = _stream("Payments", "PaymentID", gone=_DELETED, narrows={"transaction_date": "Date"})
CONTACTS = _stream(
    "Contacts",
    "ContactID",
    gone=frozenset({"GDPRREQUEST"}),
    status="ContactStatus",
    params=(("includeArchived", "true"),),
)
ACCOUNTS = _stream("Accounts", "AccountID", gone=_DELETED, paged=False)
ITEMS = _stream("Items", "ItemID", gone=frozenset(), paged=False, complete=True)
TAX_RATES = _stream("TaxRates", "TaxType", gone=_DELETED, paged=False, modified_since=False)
TRACKING_CATEGORIES = _stream(
    "TrackingCategories",
    "TrackingCategoryID",
    gone=_DELETED,
    paged=False,
    modified_since=False,
    params=(("includeArchived", "true"),),
    complete=True,
)
OVERPAYMENTS = _stream("Overpayments", "OverpaymentID", gone=_DELETED_OR_VOIDED)
PREPAYMENTS = _stream("Prepayments", "PrepaymentID", gone=_DELETED_OR_VOIDED)
"""Credit held with a contact (money received or paid ahead of a document); a voided one no longer holds any."""

BANK_TRANSFERS = Stream(
    name="BankTransfers",
    request=XeroList(collection="BankTransfers", paged=False, ordered=False),
    records="BankTransfers",
    key="BankTransferID",
    paging=OnePage(),
    since=Watermark("CreatedDateUTC", xero_date),
)
"""Unpaged, with If-Modified-Since. A transfer has no ``UpdatedDateUTC`` and cannot change or be deleted through
the API (only its two bank transactions can, in Xero's web app), so its creation time is the watermark and it has no
deleted status."""

OPTION_DELETED = StatusIn("Status", _DELETED)
"""A tracking option deleted on its own, should a listing still show it (Xero normally drops it)."""
ORGANISATION = Stream(
    name="Organisation",
    request=XeroList(collection="Organisation", paged=False, modified_since=False, ordered=False),
    records="Organisations",
    key="OrganisationID",
    paging=OnePage(),
)

STREAMS: Sequence[Stream] = (
    ORGANISATION,
    ACCOUNTS,
    TAX_RATES,
    TRACKING_CATEGORIES,
    CONTACTS,
    ITEMS,
    INVOICES,
    CREDIT_NOTES,
    PURCHASE_ORDERS,
    PAYMENTS,
    BANK_TRANSACTIONS,
    MANUAL_JOURNALS,
    OVERPAYMENTS,
    PREPAYMENTS,
    BANK_TRANSFERS,
)
