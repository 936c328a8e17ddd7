"""What to read from a provider and how, as data.

A :class:`Stream` names a provider resource, how to build the request for a page (a typed function the provider
supplies), where the records sit in the body, the record's key, how to ask only for changes since a moment, how
to page, and how a deleted record looks. The sync engine walks any stream the same way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from datetime import date, datetime
from functools import cached_property
from typing import Any, Protocol

import msgspec

from ledgerport.connectors._base.http import Request
from ledgerport.connectors._base.paging import Paginator

__all__ = [
    "DayBound",
    "Derived",
    "Expander",
    "Fetch",
    "Follows",
    "Getter",
    "NoRequest",
    "RequestBuilder",
    "StatusIn",
    "Stream",
    "StreamContext",
    "Total",
    "Watermark",
    "dig",
    "getter",
]


def dig(record: Any, path: str) -> Any:
    """The value at a dotted path (``"Contact.ContactID"``), or ``None`` where any step is missing."""
    value = record
    for step in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(step)
    return value


Getter = Callable[[Any], Any]
"""A compiled dotted path: a record in, the value at the path (or ``None``) out."""


def getter(path: str) -> Getter:
    """`dig` for one fixed path, specialised once: a sync reads millions of fields, and splitting the path
    and testing every step against the ``Mapping`` ABC each time cost more than the mapping itself.

    Provider JSON decodes to plain dicts, which take the fast route; anything else takes `dig`'s."""
    steps = tuple(path.split("."))
    if len(steps) == 1:
        (key,) = steps

        def one(record: Any) -> Any:
            return record.get(key) if type(record) is dict else dig(record, path)

        return one
    if len(steps) == 2:
        first, second = steps

        def two(record: Any) -> Any:
            if type(record) is dict:
                inner = record.get(first)
                if type(inner) is dict:
                    return inner.get(second)
                if inner is None:
                    return None
            return dig(record, path)

        return two

    def many(record: Any) -> Any:
        value = record
        for step in steps:
            if type(value) is not dict:
                return dig(record, path)
            value = value.get(step)
        return value

    return many


class DayBound(msgspec.Struct, frozen=True):
    """A date condition as a provider query can apply it: the provider's ``field`` on or after (``lower``) or on or
    before ``day``. Always a day wider than the condition it comes from, so a provider's query returns a superset
    of what the condition keeps, whatever time of day or zone the condition names."""

    field: str
    lower: bool
    day: date


class StreamContext(msgspec.Struct, frozen=True, kw_only=True):
    """What a request builder may use: the API origin and the linked account's provider facts."""

    base_url: str
    account: Mapping[str, str] = {}
    """Provider facts of the linked account (``realm_id``, ``tenant_id``...)."""
    after: Any = None
    """The last record of the walk so far, when its query could page no further (``Stream.reach``): the request
    builder asks for what follows that record in the stream's order, from the first position again."""
    span: tuple[date, date] | None = None
    """For a :class:`Follows` stream in an incremental run: the first and last day of the records the followed
    streams changed, the part of its range it has to read (``None``: all of it)."""
    bounds: tuple[DayBound, ...] = ()
    """The linked account's selective-sync conditions this stream can ask the provider to apply (``Stream.narrows``),
    on a full read: a query may leave out what they exclude (the sync applies them exactly to what it reads)."""


class RequestBuilder(Protocol):
    """Builds the request for one page."""

    def __call__(self, context: StreamContext, since: datetime | None, position: int, size: int) -> Request:
        """The request for the page at ``position`` of the records changed after ``since`` (all when ``None``)."""
        ...


class Watermark(msgspec.Struct, frozen=True, dict=True):
    """The record field whose greatest value says how far a sync got (``UpdatedDateUTC``, ``LastUpdatedTime``)."""

    field: str
    parse: Callable[[Any], datetime | None]

    def of(self, record: Any) -> datetime | None:
        """The record's watermark value."""
        return self.parse(self._get(record))

    @cached_property
    def _get(self) -> Getter:
        return getter(self.field)


class StatusIn(msgspec.Struct, frozen=True, dict=True):
    """A record whose ``field`` holds one of ``values`` was deleted (Xero DELETED/VOIDED, QBO CDC "Deleted")."""

    field: str
    values: Collection[str]

    def __call__(self, record: Any) -> bool:
        """Whether the record is a deletion."""
        return self._get(record) in self.values

    @cached_property
    def _get(self) -> Getter:
        return getter(self.field)


class Total(msgspec.Struct, frozen=True):
    """How a walk learns the last position of a listing, so that reading ahead never asks past its end.

    ``path`` is where an answer holds it: every Xero page carries ``pagination.pageCount`` (page numbers are its
    positions); QBO says nothing in its pages, so ``request`` builds a ``COUNT(*)`` query over the same records,
    asked once beside the second page, whose ``QueryResponse.totalCount`` is the last record position.
    """

    path: str
    request: Callable[[StreamContext, datetime | None], Request] | None = None


class Follows(msgspec.Struct, frozen=True, dict=True):
    """A stream each of whose records is made from one record of other streams, so that an incremental run needs
    it only where those streams changed.

    QBO's journal report holds one ledger transaction per posting document (``Invoice-130``), a function of that
    document alone, and QBO can only be asked for a range of posting days. Reading the whole range on every run
    re-reads the whole year to learn about a handful of edits. While the followed ``streams`` are walked, the engine
    notes for each record they read the remote id of the record it feeds here (``key(stream name, record)``) and its
    day (``day``); the follower's request sees those days' span in :attr:`StreamContext.span`, only the records of
    the noted ids are stored (the rest of the span is as stored), and those whose document was deleted are marked
    deleted. Whenever the engine cannot be sure it noted every change since the follower's last run (a first run, a
    followed stream left out by ``models`` or scopes, a run that stopped between a followed stream and the
    follower), the follower reads its whole range as before.
    """

    streams: frozenset[str]
    key: Callable[[str, Any], str | None]
    """The remote id of the follower's record made from a followed stream's record (``None``: it makes none)."""
    day: Callable[[Any], date | None]
    """The day a followed stream's record falls on in the follower's range (``None``: unknown, e.g. a deletion)."""


class Derived(msgspec.Struct, frozen=True, dict=True):
    """A stream computed from provider records ledgerport already stores, not read from the provider.

    Xero has no cash-flow report: its statements are derived from the journals, which the general ledger's own
    stream already keeps (``remote_data`` of ``source``'s records). Reading every journal again on every sync cost
    more requests than the rest of the sync; deriving from the store costs none, and the engine builds again only
    when the ``source`` model's stored records changed since the last build or ``epoch`` moved (what else the result
    depends on: for monthly statements, the current month). ``build`` gets the stored provider records (live ones,
    as the source stream read them) and returns this stream's records, which are then mapped like any page.
    A scope that leaves the source model (or its fields) out leaves ``build`` without them.
    """

    source: str
    build: Callable[[StreamContext, Sequence[Any]], list[Any]]
    epoch: Callable[[StreamContext], str]
    path: str = ""
    """What the built records' ``remote_data`` names as their source (the source stream's path)."""


class NoRequest(msgspec.Struct, frozen=True):
    """The request builder of a :class:`Derived` stream, which is built from stored records and asks nothing."""

    def __call__(self, context: StreamContext, since: datetime | None, position: int, size: int) -> Request:
        """Never called: the engine builds derived streams itself."""
        raise TypeError("a derived stream is built from stored records, not requested")


Fetch = Callable[[Request], Awaitable[Any]]
"""Sends a request through the client (budget, credentials, retries) and decodes the answer."""

Expander = Callable[[Fetch, StreamContext, list[Any]], Awaitable[list[Any]]]
"""``expand(fetch, context, records)``: a page's records completed by further requests (their lines)."""


class Stream(msgspec.Struct, frozen=True, kw_only=True, dict=True):
    """One provider resource, read page by page."""

    name: str
    request: RequestBuilder
    records: str | Callable[[Any], list[Any]]
    """Where the page's records are: a dotted path, or a function of the body (QBO's CDC envelope)."""
    key: str
    """The record field that identifies it at the provider."""
    paging: Paginator
    since: Watermark | None = None
    deleted: Callable[[Any], bool] | None = None
    remote_path: Callable[[StreamContext, Any], str] | None = None
    """The provider path of one record, stored in ``remote_data``."""
    total: Total | None = None
    """Where the listing's last position can be learnt (without it, reading ahead may ask past the end)."""
    expand: Expander | None = None
    """Completes each page's records with what a second request per page answers (a provider whose lines are
    rows of their own table); the completed records are what mappings read and ``remote_data`` keeps."""
    reach: int | None = None
    """How far positions go in one query (NetSuite's SuiteQL: 100,000 rows). A walk reaching it goes on with a
    new query for what follows the last record read (``StreamContext.after``); ``None``: no such limit."""
    complete: bool = False
    """The provider removes these records outright, leaving nothing a change feed could report (Xero Items).
    Every sync then reads the whole stream, and stored records missing from it are marked deleted. Only for
    streams whose listing is cheap, and whose model no other stream feeds."""
    next_link: str | None = None
    """Server-driven paging: where a page's body holds the URL of the next page (OData's ``@odata.nextLink``).
    The walk follows it with the first request's headers, one page at a time, and ``paging`` only sizes the
    first request."""
    ids: RequestBuilder | None = None
    """An id-only listing of the whole stream (OData's ``$select=id``), for a provider that removes records
    outright but whose full records are too many to read on every sync (Business Central). After the incremental
    walk every sync reads this listing (``since`` is ``None``; records sit at ``records``, keyed by ``key``) and
    the engine marks stored records missing from it deleted, once every stream feeding the model has listed.
    Not for exploded mappings: the listing's rows are the stream's records, not their elements."""

    resume: str | None = None
    """For a feed that only grows and is paged by position in it (Xero's journals, by JournalNumber): the record
    field holding that position. The engine keeps the last value a sync read, and the next sync's first request
    sees it in ``StreamContext.after`` (``{resume: value}``), so it asks only for what follows."""

    narrows: Mapping[str, str] = {}
    """Common-model date fields a selective-sync condition may test → the provider field this stream's query can
    filter by (``{"issue_date": "TxnDate"}``): such conditions reach the request as ``StreamContext.bounds``."""
    follows: Follows | None = None
    """Records made one for one from other streams' records: read, in an incremental run, only where those changed."""
    derived: Derived | None = None
    """Built from records ledgerport stores rather than read from the provider."""

    @cached_property
    def key_of(self) -> Getter:
        """The record's provider id, read through a compiled path."""
        return getter(self.key)
