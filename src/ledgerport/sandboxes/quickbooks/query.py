"""QBO's query language: a parser for the SQL-like text and an evaluator over a ``Table``.

Grammar (provider-apis §1.3), keywords case-insensitive, entity names case-sensitive::

    SELECT ( * [, Field]* | COUNT(*) ) FROM Entity
      [WHERE cond (AND cond)*]  [ORDERBY | ORDER BY Field [ASC|DESC] (, Field [ASC|DESC])*]
      [STARTPOSITION n] [MAXRESULTS m]
    cond := Field (= | < | > | <= | >= | !=) literal | Field IN (literal, ...) | Field LIKE 'a%b'

No OR, no JOIN, no projections (``SELECT *, Sku`` is accepted and returns everything, as QBO does).
STARTPOSITION is 1-based; MAXRESULTS defaults to 100 and is clamped to 1..1000.

Evaluation avoids O(N) work on the hot path: conditions on ``MetaData.LastUpdatedTime`` become a bisected window
of the table's time index, and when the order is by that field (or absent: index order) with no other condition,
a page is a slice. Other conditions and orders materialize the window and filter it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import islice
from operator import itemgetter
from typing import Any

from ledgerport.sandboxes.quickbooks.clock import parse_time
from ledgerport.sandboxes.quickbooks.errors import query_parser_error, query_validation_error
from ledgerport.sandboxes.quickbooks.store import ENTITIES, Record, Table, TimeBounds

__all__ = ["Condition", "DEFAULT_MAX_RESULTS", "LAST_UPDATED", "Literal", "MAX_RESULTS", "Query", "execute", "parse"]

DEFAULT_MAX_RESULTS = 100
MAX_RESULTS = 1000
LAST_UPDATED = "MetaData.LastUpdatedTime"

Literal = str | Decimal | bool | tuple[Any, ...]

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:\\.|''|[^'\\])*')|(?P<number>-?\d+(?:\.\d+)?)(?![A-Za-z_])"
    r"|(?P<op><=|>=|!=|<>|[=<>(),*])|(?P<word>[A-Za-z_][A-Za-z0-9_.]*)|(?P<bad>\S))"
)
_OPERATORS = {"=", "<", ">", "<=", ">=", "!=", "<>"}


@dataclass(frozen=True)
class Condition:
    """``field op value``; ``IN`` carries a tuple."""

    field: str
    op: str
    value: Literal


@dataclass(frozen=True)
class Query:
    """A parsed query."""

    entity: str
    count: bool
    where: tuple[Condition, ...]
    order: tuple[tuple[str, bool], ...]
    start: int
    max_results: int


@dataclass
class _Token:
    kind: str
    text: str
    column: int


def _tokenize(text: str) -> list[_Token]:
    tokens, position = [], 0
    text = text.rstrip().rstrip(";")
    while position < len(text.rstrip()):
        match = _TOKEN.match(text, position)
        if match is None or match.lastgroup is None:
            break
        kind = match.lastgroup
        token = _Token(kind, match.group(kind), match.start(kind) + 1)
        if kind == "bad":
            raise query_parser_error(f'Lexical error at line 1, column {token.column}. Encountered: "{token.text}"')
        tokens.append(token)
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.position = 0

    def peek(self, offset: int = 0) -> _Token | None:
        index = self.position + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def fail(self, expected: str) -> Exception:
        token = self.peek()
        if token is None:
            return query_parser_error(f'Encountered "<EOF>" at line 1. Was expecting: {expected}')
        return query_parser_error(
            f'Encountered " {token.text} " at line 1, column {token.column}. Was expecting: {expected}'
        )

    def keyword(self, *words: str) -> bool:
        token = self.peek()
        if token is not None and token.kind == "word" and token.text.upper() in words:
            self.position += 1
            return True
        return False

    def expect_keyword(self, word: str) -> None:
        if not self.keyword(word):
            raise self.fail(word)

    def take(self, kind: str, text: str | None = None) -> _Token:
        token = self.peek()
        if token is None or token.kind != kind or (text is not None and token.text != text):
            raise self.fail(text or kind)
        self.position += 1
        return token

    def literal(self) -> Literal:
        token = self.peek()
        if token is None:
            raise self.fail("a literal")
        self.position += 1
        if token.kind == "string":
            return token.text[1:-1].replace("''", "'").replace("\\'", "'")
        if token.kind == "number":
            return Decimal(token.text)
        if token.kind == "word" and token.text.lower() in ("true", "false"):
            return token.text.lower() == "true"
        self.position -= 1
        raise self.fail("a literal")

    def condition(self) -> Condition:
        field = self.take("word").text
        if self.keyword("IN"):
            self.take("op", "(")
            values = [self.literal()]
            while self.peek() is not None and self.peek().text == ",":  # type: ignore[union-attr]
                self.position += 1
                values.append(self.literal())
            self.take("op", ")")
            return Condition(field, "IN", tuple(values))
        if self.keyword("LIKE"):
            value = self.literal()
            if not isinstance(value, str):
                raise self.fail("a string")
            return Condition(field, "LIKE", value)
        token = self.peek()
        if token is None or token.kind != "op" or token.text not in _OPERATORS:
            raise self.fail("one of = < > <= >= IN LIKE")
        self.position += 1
        return Condition(field, "!=" if token.text == "<>" else token.text, self.literal())

    def select(self) -> tuple[bool, str]:
        self.expect_keyword("SELECT")
        count = False
        if self.keyword("COUNT"):
            self.take("op", "(")
            self.take("op", "*")
            self.take("op", ")")
            count = True
        else:
            self.take("op", "*")
            while self.peek() is not None and self.peek().text == ",":  # type: ignore[union-attr]
                self.position += 1
                self.take("word")
        self.expect_keyword("FROM")
        return count, self.take("word").text

    def order(self) -> tuple[tuple[str, bool], ...]:
        if not (self.keyword("ORDERBY") or (self.keyword("ORDER") and (self.keyword("BY") or self._no_by()))):
            return ()
        fields = []
        while True:
            name = self.take("word").text
            descending = self.keyword("DESC")
            if not descending:
                self.keyword("ASC")
            fields.append((name, descending))
            token = self.peek()
            if token is None or token.text != ",":
                return tuple(fields)
            self.position += 1

    def _no_by(self) -> bool:
        raise self.fail("BY")

    def number(self) -> int:
        return int(self.take("number").text)

    def parse(self) -> Query:
        count, entity = self.select()
        where: list[Condition] = []
        if self.keyword("WHERE"):
            where.append(self.condition())
            while self.keyword("AND"):
                where.append(self.condition())
        order = self.order()
        start, maximum = 1, DEFAULT_MAX_RESULTS
        for _ in range(2):
            if self.keyword("STARTPOSITION"):
                start = max(1, self.number())
            elif self.keyword("MAXRESULTS"):
                maximum = min(MAX_RESULTS, max(1, self.number()))
        if self.peek() is not None:
            raise self.fail("<EOF>")
        if entity not in ENTITIES:
            raise query_validation_error(f"Invalid entity name: {entity}")
        return Query(entity, count, tuple(where), order, start, maximum)


def parse(text: str) -> Query:
    """Parse a query, raising QBO's 4000 fault (or 4001 for an unknown entity)."""
    if not text.strip():
        raise query_parser_error('Encountered "<EOF>" at line 1, column 0. Was expecting: SELECT')
    return _Parser(text).parse()


def _resolve(record: Record, path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    if isinstance(value, dict) and "value" in value:
        return value["value"]
    return value


def _comparable(actual: Any, literal: Any, field: str) -> tuple[Any, Any] | None:
    """Both sides in one comparable type, or ``None`` when they cannot be compared."""
    try:
        if field.startswith("MetaData."):
            return parse_time(str(actual)), parse_time(str(literal))
        if isinstance(actual, bool) or isinstance(literal, bool):
            to_bool = {"true": True, "false": False, True: True, False: False}
            return to_bool[actual if isinstance(actual, bool) else str(actual).lower()], to_bool[
                literal if isinstance(literal, bool) else str(literal).lower()
            ]
        if isinstance(actual, int | Decimal) or (
            isinstance(actual, str) and actual.isdigit() and str(literal).lstrip("-").replace(".", "", 1).isdigit()
        ):
            return Decimal(actual), Decimal(str(literal))
    except (ValueError, KeyError, InvalidOperation):
        return None
    if actual is None:
        return None
    return str(actual).lower(), str(literal).lower()


def _like(pattern: str) -> re.Pattern[str]:
    return re.compile(
        "".join(".*" if part == "%" else re.escape(part) for part in re.split("(%)", pattern)),
        re.IGNORECASE | re.DOTALL,
    )


def _matches(record: Record, condition: Condition) -> bool:
    actual = _resolve(record, condition.field)
    if condition.op == "LIKE":
        return actual is not None and _like(str(condition.value)).fullmatch(str(actual)) is not None
    candidates = condition.value if condition.op == "IN" else (condition.value,)
    assert isinstance(candidates, tuple)
    for candidate in candidates:
        pair = _comparable(actual, candidate, condition.field)
        if pair is None:
            continue
        left, right = pair
        outcome = {
            "IN": left == right,
            "=": left == right,
            "!=": left != right,
            "<": left < right,
            ">": left > right,
            "<=": left <= right,
            ">=": left >= right,
        }[condition.op]
        if outcome:
            return True
    return False


def _time_bounds(where: tuple[Condition, ...]) -> tuple[TimeBounds, list[Condition]]:
    """Fold LastUpdatedTime comparisons into whole-second index bounds; return the other conditions."""
    low: int | None = None
    high: int | None = None
    rest = []
    for condition in where:
        if condition.field != LAST_UPDATED or condition.op not in ("=", "<", ">", "<=", ">="):
            rest.append(condition)
            continue
        try:
            moment = parse_time(str(condition.value))
        except ValueError:
            raise query_parser_error(f"invalid date-time {condition.value!r} for {LAST_UPDATED}") from None
        if condition.op in (">", ">=", "="):
            bound = math.floor(moment) + 1 if condition.op == ">" else math.ceil(moment)
            low = bound if low is None else max(low, bound)
        if condition.op in ("<", "<=", "="):
            bound = math.ceil(moment) - 1 if condition.op == "<" else math.floor(moment)
            high = bound if high is None else min(high, bound)
    return (low, high), rest


def _sort_key(record: Record, field: str) -> tuple[int, Any]:
    value = _resolve(record, field)
    if value is None:
        return (1, "")
    if field.startswith("MetaData."):
        return (0, parse_time(str(value)))
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return (0, Decimal(value))
    if field == "Id" or (isinstance(value, str) and value.isdigit() and field.endswith(("Ref", "Id"))):
        return (0, Decimal(value))
    return (0, str(value).lower())


def _filtered(records: Iterator[Record], rest: list[Condition]) -> Iterator[Record]:
    return (record for record in records if all(_matches(record, condition) for condition in rest))


def _page(query: Query, table: Table, rest: list[Condition], bounds: TimeBounds) -> list[Record]:
    keys = table.window(bounds)
    offset, limit = query.start - 1, query.max_results
    field, descending = query.order[0] if query.order else (LAST_UPDATED, False)
    if len(query.order) <= 1 and field in (LAST_UPDATED, "Id"):
        if field == "Id":
            keys.sort(key=itemgetter(1))
        if not rest and not descending:
            return list(table.records(keys[offset : offset + limit]))
        ordered = (keys[i] for i in range(len(keys) - 1, -1, -1)) if descending else iter(keys)
        if not rest:
            return list(table.records(islice(ordered, offset, offset + limit)))
        return list(islice(_filtered(table.records(ordered), rest), offset, offset + limit))
    records = list(_filtered(table.records(keys), rest))
    for name, backwards in reversed(query.order):
        records.sort(key=lambda record, path=name: _sort_key(record, path), reverse=backwards)  # type: ignore[misc]
    return records[offset : offset + limit]


def execute(query: Query, table: Table) -> dict[str, Any]:
    """The ``QueryResponse`` object for ``query`` over ``table``."""
    bounds, rest = _time_bounds(query.where)
    if ENTITIES[query.entity].kind == "list" and not any(c.field == "Active" for c in query.where):
        rest.append(Condition("Active", "=", True))  # name lists answer active rows unless asked (see README)
    if query.count:
        keys = table.window(bounds)
        return {"totalCount": sum(1 for _ in _filtered(table.records(keys), rest)) if rest else len(keys)}
    page = _page(query, table, rest, bounds)
    if not page:
        return {}
    return {query.entity: page, "startPosition": query.start, "maxResults": len(page)}
