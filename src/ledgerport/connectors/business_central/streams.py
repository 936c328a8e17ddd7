"""What ledgerport reads from Business Central: one :class:`Stream` per entity set of the company.

Every list is ``GET …/companies({id})/{entitySet}`` with ``$orderby=lastModifiedDateTime`` and, on an incremental
run, ``$filter=lastModifiedDateTime ge {watermark}`` (FACTS.md §3; ``ge`` rather than ``gt`` re-reads the records
stamped at the watermark itself, which costs nothing since records upsert, and loses none committed in the same
millisecond after the last run read). Pages are server-driven: ``Prefer: odata.maxpagesize=1000`` keeps them small
and each answer's ``@odata.nextLink`` names the next (§2). Documents bring their lines in the same answer
(``$expand=salesInvoiceLines``): lines have no ``lastModifiedDateTime`` of their own, and a line change stamps its
header (§3), so a changed header is re-read whole.

**Deletions.** BC keeps no tombstones (§3): a deleted record simply leaves the listing. Each incremental stream
therefore has an id-only listing (``$select=id``, bigger pages) that every sync reads whole; stored records it no
longer holds are marked deleted (``Stream.ids``). A posted draft keeps its id (§3), so posting is an update, not a
deletion.

**Journals and payment journals** are read whole on every sync (``complete``): a journal batch's
``lastModifiedDateTime`` does not move when its lines change (VERIFY: FACTS.md states it only for documents), and
the batches are few. Their lines come expanded (``journals?$expand=journalLines``); a top-level line listing without
a journal filter is refused by BC (§1).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import msgspec

from ledgerport.connectors._base.convert import iso_datetime
from ledgerport.connectors._base.http import Request
from ledgerport.connectors._base.paging import Offset
from ledgerport.connectors._base.streams import Stream, StreamContext, Watermark
from ledgerport.connectors.business_central.client import company_root
from ledgerport.connectors.business_central.convert import odata_datetime

__all__ = [
    "ACCOUNTING_PERIODS",
    "ACCOUNTS",
    "COMPANY_INFORMATION",
    "CUSTOMERS",
    "CUSTOMER_PAYMENT_JOURNALS",
    "DIMENSIONS",
    "DIMENSION_VALUES",
    "EMPLOYEES",
    "GENERAL_LEDGER_ENTRIES",
    "IDS_PAGE_SIZE",
    "ITEMS",
    "JOURNALS",
    "LAST_MODIFIED",
    "NEXT_LINK",
    "ODataList",
    "PAGE_SIZE",
    "PAYMENT_TERMS",
    "PROJECTS",
    "PURCHASE_INVOICES",
    "PURCHASE_ORDERS",
    "SALES_CREDIT_MEMOS",
    "SALES_INVOICES",
    "SALES_ORDERS",
    "SALES_SHIPMENTS",
    "STREAMS",
    "TAX_AREAS",
    "TAX_GROUPS",
    "VENDORS",
    "VENDOR_PAYMENT_JOURNALS",
]

PAGE_SIZE = 1000
"""``Prefer: odata.maxpagesize`` for records (BC's own default page is 20,000: too much to hold at once)."""
IDS_PAGE_SIZE = 5000
"""``Prefer: odata.maxpagesize`` for id-only listings, whose rows are a few dozen bytes."""
NEXT_LINK = "@odata.nextLink"
LAST_MODIFIED = "lastModifiedDateTime"
_WATERMARK = Watermark(LAST_MODIFIED, iso_datetime)


class ODataList(msgspec.Struct, frozen=True, kw_only=True):
    """The request builder of one entity set of the linked company, in OData's query dialect."""

    entity_set: str
    expand: str = ""
    incremental: bool = True
    """False where the set has no ``lastModifiedDateTime`` or is read whole anyway."""
    select: str = ""

    def __call__(self, context: StreamContext, since: datetime | None, position: int, size: int) -> Request:
        """The first page of the records changed at or after ``since``; BC's ``nextLink`` names the others."""
        params: list[tuple[str, str]] = []
        if self.incremental and since is not None:
            params.append(("$filter", f"{LAST_MODIFIED} ge {odata_datetime(since)}"))
        if self.incremental and not self.select:
            params.append(("$orderby", f"{LAST_MODIFIED} asc"))
        if self.select:
            params.append(("$select", self.select))
        if self.expand:
            params.append(("$expand", self.expand))
        return Request(
            method="GET",
            url=f"{company_root(context)}/{self.entity_set}",
            params=tuple(params),
            headers={"Accept": "application/json", "Prefer": f"odata.maxpagesize={size}"},
        )


class _IdsOnly(msgspec.Struct, frozen=True):
    """An entity set's id-only listing: the ids of every record it holds now."""

    entity_set: str

    def __call__(self, context: StreamContext, since: datetime | None, position: int, size: int) -> Request:
        """Every id, ``IDS_PAGE_SIZE`` to a page (the stream's own page size is for whole records)."""
        request = ODataList(entity_set=self.entity_set, incremental=False, select="id")(
            context, None, position, IDS_PAGE_SIZE
        )
        return request


def _stream(entity_set: str, *, expand: str = "", incremental: bool = True) -> Stream:
    """An incremental entity set, with its id-only listing for deletions; or a small one read whole."""
    return Stream(
        name=entity_set,
        request=ODataList(entity_set=entity_set, expand=expand, incremental=incremental),
        records="value",
        key="id",
        paging=Offset(size=PAGE_SIZE),
        since=_WATERMARK if incremental else None,
        next_link=NEXT_LINK,
        ids=_IdsOnly(entity_set) if incremental else None,
        complete=not incremental,
    )


COMPANY_INFORMATION = _stream("companyInformation", incremental=False)
ACCOUNTS = _stream("accounts")
TAX_AREAS = _stream("taxAreas")
TAX_GROUPS = _stream("taxGroups")
DIMENSIONS = _stream("dimensions")
DIMENSION_VALUES = _stream("dimensionValues")
PAYMENT_TERMS = _stream("paymentTerms")
ACCOUNTING_PERIODS = _stream("accountingPeriods")
CUSTOMERS = _stream("customers")
VENDORS = _stream("vendors")
EMPLOYEES = _stream("employees")
PROJECTS = _stream("projects")
ITEMS = _stream("items")
SALES_INVOICES = _stream("salesInvoices", expand="salesInvoiceLines")
PURCHASE_INVOICES = _stream("purchaseInvoices", expand="purchaseInvoiceLines")
SALES_CREDIT_MEMOS = _stream("salesCreditMemos", expand="salesCreditMemoLines")
SALES_ORDERS = _stream("salesOrders", expand="salesOrderLines")
PURCHASE_ORDERS = _stream("purchaseOrders", expand="purchaseOrderLines")
SALES_SHIPMENTS = _stream("salesShipments", expand="salesShipmentLines")
GENERAL_LEDGER_ENTRIES = _stream("generalLedgerEntries")
JOURNALS = _stream("journals", expand="journalLines", incremental=False)
CUSTOMER_PAYMENT_JOURNALS = _stream("customerPaymentJournals", expand="customerPayments", incremental=False)
VENDOR_PAYMENT_JOURNALS = _stream("vendorPaymentJournals", expand="vendorPayments", incremental=False)

STREAMS: Sequence[Stream] = (
    COMPANY_INFORMATION,
    ACCOUNTS,
    TAX_AREAS,
    TAX_GROUPS,
    DIMENSIONS,
    DIMENSION_VALUES,
    PAYMENT_TERMS,
    ACCOUNTING_PERIODS,
    CUSTOMERS,
    VENDORS,
    EMPLOYEES,
    PROJECTS,
    ITEMS,
    SALES_INVOICES,
    PURCHASE_INVOICES,
    SALES_CREDIT_MEMOS,
    SALES_ORDERS,
    PURCHASE_ORDERS,
    SALES_SHIPMENTS,
    GENERAL_LEDGER_ENTRIES,
    JOURNALS,
    CUSTOMER_PAYMENT_JOURNALS,
    VENDOR_PAYMENT_JOURNALS,
)
