"""What to read from a provider and how, as data.

A :class:`Stream` names a provider resource, how to build the request for a page (a typed function the provider
supplies), where the records sit in the body, the record's key, how to ask only for changes since a moment, how
to page, and how a deleted record looks. The sync engine walks any stream the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from typing import Any, Protocol

import msgspec

from ledgerport.connectors._base.http import Request
from ledgerport.connectors._base.paging import Paginator

__all__ = ["RequestBuilder", "StatusIn", "Stream", "StreamContext", "Watermark", "dig"]


def dig(record: Any, path: str) -> Any:
    """The value at a dotted path (``"Contact.ContactID"``), or ``None`` where any step is missing."""
    value = record
    for step in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(step)
    return value


class StreamContext(msgspec.Struct, frozen=True, kw_only=True):
    """What a request builder may use: the API origin and the linked account's provider facts."""

    base_url: str
    account: Mapping[str, str] = {}
    """Provider facts of the linked account (``realm_id``, ``tenant_id``...)."""


class RequestBuilder(Protocol):
    """Builds the request for one page."""

    def __call__(self, context: StreamContext, since: datetime | None, position: int, size: int) -> Request:
        """The request for the page at ``position`` of the records changed after ``since`` (all when ``None``)."""
        ...


class Watermark(msgspec.Struct, frozen=True):
    """The record field whose greatest value says how far a sync got (``UpdatedDateUTC``, ``LastUpdatedTime``)."""

    field: str
    parse: Callable[[Any], datetime | None]

    def of(self, record: Any) -> datetime | None:
        """The record's watermark value."""
        return self.parse(dig(record, self.field))


class StatusIn(msgspec.Struct, frozen=True):
    """A record whose ``field`` holds one of ``values`` was deleted (Xero DELETED/VOIDED, QBO CDC "Deleted")."""

    field: str
    values: Collection[str]

    def __call__(self, record: Any) -> bool:
        """Whether the record is a deletion."""
        return dig(record, self.field) in self.values


class Stream(msgspec.Struct, frozen=True, kw_only=True):
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
