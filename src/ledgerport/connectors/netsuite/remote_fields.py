"""NetSuite's remote fields: the account's custom segments, on every document.

Custom segments (``cseg_*``) are the classification lists a company adds beside department, class and location.
Their definitions are rows of ``customsegment`` (asked when first needed, see :mod:`ledgerport.remote.fields`);
their values are columns of the document's main line, which the streams select for the segments the client
learnt at the start of the run, so a synced document's JSON carries them (the value is the segment value's id).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ledgerport.connectors._base.remote_fields import CustomFields, FieldClass, RemoteFields
from ledgerport.connectors.netsuite.client import read_all

if TYPE_CHECKING:
    from ledgerport.connectors._base.client import ProviderClient

__all__ = ["REMOTE_FIELDS", "SEGMENTS_QUERY", "segment_class"]

SEGMENTS_QUERY = "SELECT c.scriptid AS scriptid, c.label AS label FROM customsegment c ORDER BY c.scriptid"


def segment_class(key: str, label: str | None = None) -> FieldClass:
    """The class of one custom segment."""
    return FieldClass(
        key=key,
        display_name=label or key,
        description="A custom segment of the account (the value is the id of the segment's value).",
        is_custom=True,
    )


async def _definitions(client: ProviderClient) -> Sequence[FieldClass]:
    rows = await read_all(client.json, client.context, SEGMENTS_QUERY)
    return [
        segment_class(str(row["scriptid"]).lower(), str(row.get("label") or "") or None)
        for row in rows
        if str(row.get("scriptid") or "").lower().startswith("cseg_")
    ]


def _values(record: Mapping[str, Any]) -> Sequence[tuple[FieldClass, Any]]:
    return [(segment_class(key), value) for key, value in record.items() if key.startswith("cseg_")]


_SEGMENTS = RemoteFields(custom=CustomFields(definitions=_definitions, values=_values))

REMOTE_FIELDS: Mapping[str, RemoteFields] = dict.fromkeys(
    ("Invoice", "JournalEntry", "Payment", "PurchaseOrder", "SalesOrder", "ItemFulfillment"), _SEGMENTS
)
