"""SuiteQL text, built by typed functions: columns are declared values, literals are quoted here and nowhere else.

A :class:`Query` is a declaration: its columns (with how each is read: a plain value, a date, a date-time), its
``FROM`` clause with joins, its fixed conditions and its order. :func:`text` renders it with the conditions of
one walk (changed since a moment, ids in a page, the rows after the last one a query could reach), which are built
by :func:`changed_since`, :func:`ids_in` and :func:`keyset_after` from typed values only (a ``datetime``,
integers), so no caller text reaches a query::

    Query(columns=(col("id"), col("lastmodifieddate", DATETIME)), source="account a", order=("a.id",))
    -> SELECT a.id AS id, TO_CHAR(a.lastmodifieddate, 'YYYY-MM-DD"T"HH24:MI:SS') AS lastmodifieddate
       FROM account a ORDER BY a.id

Dates and date-times are always selected through ``TO_CHAR``: without it SuiteQL answers in the account's date
format preference (``M/D/YYYY`` and worse; FACTS.md §6.4 #4). Date-times are the account's wall time, without an
offset (NETSUITE.md); the streams add the offset they learn (:mod:`.client`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import msgspec

__all__ = [
    "Column",
    "DATE",
    "DATETIME",
    "Kind",
    "Query",
    "changed_since",
    "col",
    "ids_in",
    "keyset_after",
    "quote",
    "text",
    "values_in",
]


class Kind(enum.Enum):
    """How a column is selected."""

    VALUE = "value"
    DATE = "date"
    DATETIME = "datetime"


DATE = Kind.DATE
DATETIME = Kind.DATETIME
_FORMATS = {Kind.DATE: "YYYY-MM-DD", Kind.DATETIME: 'YYYY-MM-DD"T"HH24:MI:SS'}


class Column(msgspec.Struct, frozen=True):
    """One selected column: ``expr`` (``t.trandate``) read as ``kind``, named ``alias`` in the rows."""

    expr: str
    alias: str
    kind: Kind = Kind.VALUE

    def render(self) -> str:
        """The column as a select-list item."""
        if self.kind is Kind.VALUE:
            return f"{self.expr} AS {self.alias}"
        return f"TO_CHAR({self.expr}, '{_FORMATS[self.kind]}') AS {self.alias}"


def col(name: str, kind: Kind = Kind.VALUE, *, table: str = "", alias: str | None = None) -> Column:
    """``table.name`` as ``alias`` (default: ``name``)."""
    return Column(f"{table}.{name}" if table else name, alias or name, kind)


class Query(msgspec.Struct, frozen=True, kw_only=True):
    """A declared SELECT: what one stream (or one secondary read) asks."""

    columns: Sequence[Column]
    source: str
    """The ``FROM`` clause, joins included (a constant of the declaring module)."""
    where: Sequence[str] = ()
    """Fixed conditions (constants of the declaring module)."""
    order: Sequence[str] = ()
    changed: str | None = None
    """The column an incremental walk filters on (``t.lastmodifieddate``); ``None``: always read whole."""

    @property
    def aliases(self) -> list[str]:
        """The row keys this query answers."""
        return [column.alias for column in self.columns]

    def with_columns(self, extra: Iterable[Column]) -> Query:
        """The same query selecting more columns (custom segments learnt for an account)."""
        return msgspec.structs.replace(self, columns=(*self.columns, *extra))


def quote(value: str) -> str:
    """A SuiteQL string literal (Oracle's rule: a quote is doubled)."""
    return "'" + value.replace("'", "''") + "'"


def changed_since(column: str, moment: datetime) -> str:
    """``column >= TO_DATE(...)`` for a wall time of the account's zone (seconds; ``>=`` re-reads, never skips)."""
    if moment.tzinfo is not None:
        raise ValueError("pass the account's wall time (naive), after applying its UTC offset")
    stamp = moment.replace(microsecond=0).strftime("%Y-%m-%d %H:%M:%S")
    return f"{column} >= TO_DATE({quote(stamp)}, 'YYYY-MM-DD HH24:MI:SS')"


def keyset_after(query: Query, row: Mapping[str, Any]) -> str:
    """The rows after ``row`` in ``query``'s order: ``(a > x OR (a = x AND b > y))`` over its ``ORDER BY``.

    How a walk goes past SuiteQL's 100,000 rows per query (FACTS.md §2.3): a new query for what follows the last
    row read. Every ordered column must be selected, an internal id or a date-time (the account's wall time, to
    the second as NetSuite keeps it); the order must end with a unique column, so that no row is read twice.
    """
    kinds = {column.expr: column for column in query.columns}
    values = []
    for expr in query.order:
        column = kinds.get(expr)
        value = None if column is None else row.get(column.alias)
        if value is None:
            raise ValueError(f"the row gives no value of {expr}, which the query's order needs")
        if column is not None and column.kind is Kind.DATETIME:
            stamp = datetime.fromisoformat(str(value)[:19]).strftime("%Y-%m-%d %H:%M:%S")
            values.append(f"TO_DATE({quote(stamp)}, 'YYYY-MM-DD HH24:MI:SS')")
        else:
            values.append(str(int(str(value))))
    terms = []
    for depth, expr in enumerate(query.order):
        equal = [f"{query.order[i]} = {values[i]}" for i in range(depth)]
        terms.append(" AND ".join([*equal, f"{expr} > {values[depth]}"]))
    return "(" + " OR ".join(f"({term})" if " AND " in term else term for term in terms) + ")"


def ids_in(column: str, ids: Iterable[object]) -> str:
    """``column IN (1, 2, 3)`` over internal ids, each checked to be an integer (at most 1,000: Oracle's limit)."""
    numbers = sorted({int(str(value)) for value in ids})
    if not numbers:
        raise ValueError("an IN list needs at least one id")
    if len(numbers) > 1000:
        raise ValueError("SuiteQL IN lists hold at most 1,000 values")
    return f"{column} IN ({', '.join(str(number) for number in numbers)})"


def values_in(column: str, values: Iterable[str]) -> str:
    """``column IN ('a', 'b')`` over fixed codes (transaction types, record type ids)."""
    quoted = [quote(value) for value in sorted(set(values))]
    if not quoted:
        raise ValueError("an IN list needs at least one value")
    return f"{column} IN ({', '.join(quoted)})"


def text(query: Query, *conditions: str) -> str:
    """The SQL of ``query`` with the walk's ``conditions`` added to its own."""
    where = [*query.where, *conditions]
    parts = [f"SELECT {', '.join(column.render() for column in query.columns)}", f"FROM {query.source}"]
    if where:
        parts.append("WHERE " + " AND ".join(where))
    if query.order:
        parts.append("ORDER BY " + ", ".join(query.order))
    return " ".join(parts)
