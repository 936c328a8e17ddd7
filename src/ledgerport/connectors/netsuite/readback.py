"""Reading written records back through the sync's own SuiteQL: a written record is stored exactly as a sync
stores it.

A write's answer at NetSuite is ``204`` and a ``Location`` (no body), so what ledgerport stores is read back: the
target's stream query (the same columns, joins and custom segments as a sync), narrowed to the record's internal
id or to the external id the write gave it, then the stream's own second reads (lines, GL lines, links). One query
reads a whole bulk chunk.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ledgerport.connectors._base.errors import Malformed
from ledgerport.connectors.netsuite.client import read_all, segments_of
from ledgerport.connectors.netsuite.streams import SuiteQlRead
from ledgerport.connectors.netsuite.suiteql import col, ids_in, text, values_in

if TYPE_CHECKING:
    from ledgerport.connectors._base.client import ProviderClient
    from ledgerport.connectors._base.writes import Target

__all__ = ["read_back", "table_alias"]

_CHUNK = 1000
"""Oracle's IN-list limit."""


def table_alias(read: SuiteQlRead) -> str:
    """The alias of a stream query's first table (``transaction t`` → ``t``), whose ``id``/``externalid`` name the
    record."""
    parts = read.query.source.split()
    if len(parts) < 2:
        raise ValueError(f"a stream query without a table alias: {read.query.source!r}")
    return parts[1]


async def read_back(
    client: ProviderClient, target: Target, *, ids: Sequence[str] = (), external_ids: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """The records of ``target`` with these internal ids or external ids, assembled as the sync assembles them."""
    stream = target.read.stream
    read = stream.request
    if not isinstance(read, SuiteQlRead):
        raise TypeError(f"{stream.name} is not read through SuiteQL")
    await client.learn_session_facts()
    context = client.context
    query = read.query
    if read.segments is not None:
        query = query.with_columns(col(name, table=read.segments) for name in segments_of(context.account))
    alias = table_alias(read)
    conditions = [ids_in(f"{alias}.id", ids[n : n + _CHUNK]) for n in range(0, len(ids), _CHUNK)]
    conditions += [
        values_in(f"{alias}.externalid", external_ids[n : n + _CHUNK]) for n in range(0, len(external_ids), _CHUNK)
    ]
    rows: list[dict[str, Any]] = []
    for condition in conditions:
        rows.extend(await read_all(client.json, context, text(query, condition)))
    if not rows or stream.expand is None:
        return rows
    expanded = await stream.expand(client.json, context, rows)
    if not all(isinstance(row, dict) for row in expanded):
        raise Malformed(f"{stream.name}: a read-back row is not an object")
    return list(expanded)
