"""The record API's ``q`` filter: ``field OP value`` joined with AND/OR and parentheses (NS-DOC section_1545222128).

Field names are matched case-insensitively and must be in the type's ``x-ns-filterable`` list, else 400
NONEXISTENT_FIELD. Date literals are read in the user's date format (M/D/YYYY here); anything else, ISO dates
included, is 400 INVALID_PARAMETER. Date filters are day-granular in the account's time zone. ``BETWEEN`` and
``WITHIN`` take two values (``[a, b]``, ``a, b`` or ``a AND b``), ``ANY_OF`` a bracketed list.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ledgerport.sandboxes.netsuite.catalog import DATE_FIELDS, RecordType
from ledgerport.sandboxes.netsuite.dates import ZONE, from_iso_utc, parse_user_date
from ledgerport.sandboxes.netsuite.errors import fail, invalid_parameter

__all__ = ["Predicate", "parse_q"]

Predicate = Callable[[dict[str, Any]], bool]
_TOKEN = re.compile(r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<punct>[()\[\],])|(?P<word>[^\s()\[\],"]+))')
_UNARY = {"EMPTY", "EMPTY_NOT"}
_TWO = {"BETWEEN", "WITHIN", "BETWEEN_NOT", "WITHIN_NOT"}
_OPS = (
    {
        "IS",
        "IS_NOT",
        "EQUAL",
        "EQUAL_NOT",
        "GREATER",
        "GREATER_NOT",
        "GREATER_OR_EQUAL",
        "GREATER_OR_EQUAL_NOT",
        "LESS",
        "LESS_NOT",
        "LESS_OR_EQUAL",
        "LESS_OR_EQUAL_NOT",
        "ANY_OF",
        "ANY_OF_NOT",
        "CONTAIN",
        "CONTAIN_NOT",
        "START_WITH",
        "START_WITH_NOT",
        "END_WITH",
        "END_WITH_NOT",
        "ENDWITH",
        "ENDWITH_NOT",
        "AFTER",
        "AFTER_NOT",
        "BEFORE",
        "BEFORE_NOT",
        "ON",
        "ON_NOT",
        "ON_OR_AFTER",
        "ON_OR_AFTER_NOT",
        "ON_OR_BEFORE",
        "ON_OR_BEFORE_NOT",
    }
    | _UNARY
    | _TWO
)


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            if text[pos:].strip() == "":
                break
            raise invalid_parameter(f"Invalid query: unexpected text at {text[pos:]!r}.", "q")
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


def _field_value(doc: dict[str, Any], name: str) -> Any:
    value = doc.get(name)
    if isinstance(value, dict):
        return value.get("id")
    return value


def _as_date(value: Any, field: str) -> date | None:
    if not value:
        return None
    text = str(value)
    if len(text) == 10:
        return date.fromisoformat(text)
    return from_iso_utc(text).astimezone(ZONE).date()


def _literal_date(text: str) -> date:
    try:
        return parse_user_date(text)
    except ValueError:
        raise invalid_parameter(
            f'Parse of date/time "{text}" failed with date format "M/d/yyyy" in time zone America/Los_Angeles',
            "q",
        ) from None


def _number(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _compare(op: str, field: str, actual: Any, values: list[str]) -> bool:
    base = op.removesuffix("_NOT")
    if base in _UNARY or op in _UNARY:
        empty = actual is None or actual == "" or actual == []
        return empty if op == "EMPTY" else not empty
    if field in DATE_FIELDS and base in {"AFTER", "BEFORE", "ON", "ON_OR_AFTER", "ON_OR_BEFORE", "WITHIN"}:
        day = _as_date(actual, field)
        bounds = [_literal_date(v) for v in values]
        if day is None:
            return False
        return {
            "AFTER": lambda: day > bounds[0],
            "BEFORE": lambda: day < bounds[0],
            "ON": lambda: day == bounds[0],
            "ON_OR_AFTER": lambda: day >= bounds[0],
            "ON_OR_BEFORE": lambda: day <= bounds[0],
            "WITHIN": lambda: bounds[0] <= day <= bounds[1],
        }[base]()
    if base in {"CONTAIN", "START_WITH", "END_WITH", "ENDWITH"}:
        text, needle = str(actual or "").lower(), values[0].lower()
        return {"CONTAIN": needle in text, "START_WITH": text.startswith(needle)}.get(base, text.endswith(needle))
    if base == "IS":
        if isinstance(actual, bool):
            return actual == (values[0].lower() == "true")
        return str(actual if actual is not None else "").lower() == values[0].lower()
    if base == "ANY_OF":
        return str(actual) in {v.strip() for v in values}
    number, targets = _number(actual), [_number(v) for v in values]
    if any(t is None for t in targets):
        raise invalid_parameter(f"Invalid value for a number filter on {field}.", "q")
    if number is None:
        return False
    first = targets[0]
    assert first is not None
    return {
        "EQUAL": lambda: number == first,
        "GREATER": lambda: number > first,
        "GREATER_OR_EQUAL": lambda: number >= first,
        "LESS": lambda: number < first,
        "LESS_OR_EQUAL": lambda: number <= first,
        "BETWEEN": lambda: first <= number <= targets[-1],  # type: ignore[operator]
        "WITHIN": lambda: first <= number <= targets[-1],  # type: ignore[operator]
    }[base]()


class _Parser:
    def __init__(self, rt: RecordType, tokens: list[tuple[str, str]]) -> None:
        self.rt = rt
        self.tokens = tokens
        self.pos = 0
        self.fields = {name.lower(): name for name in rt.filterable}

    def peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise invalid_parameter("Invalid query: unexpected end of the query.", "q")
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def expression(self) -> Predicate:
        left = self.term()
        while (self.peek() or "").upper() == "OR":
            self.take()
            right = self.term()
            left = (lambda a, b: lambda doc: a(doc) or b(doc))(left, right)
        return left

    def term(self) -> Predicate:
        left = self.factor()
        while (self.peek() or "").upper() == "AND":
            self.take()
            right = self.factor()
            left = (lambda a, b: lambda doc: a(doc) and b(doc))(left, right)
        return left

    def value(self) -> str:
        kind, text = self.take()
        if kind == "str":
            return text[1:-1].replace('\\"', '"')
        if kind == "punct":
            raise invalid_parameter(f"Invalid query: unexpected {text!r}.", "q")
        return text

    def factor(self) -> Predicate:
        if self.peek() == "(":
            self.take()
            inner = self.expression()
            if self.take()[1] != ")":
                raise invalid_parameter("Invalid query: missing ')'.", "q")
            return inner
        _, name = self.take()
        field = self.fields.get(name.lower())
        if field is None:
            raise fail(
                400,
                "NONEXISTENT_FIELD",
                f"Unknown field name '{name}' in the search query. The field does not exist on this record type.",
                errorQueryParam="q",
            )
        _, op = self.take()
        op = op.upper()
        if op not in _OPS:
            raise invalid_parameter(f"Invalid query: unknown operator {op}.", "q")
        values: list[str] = []
        if op in _UNARY:
            pass
        elif self.peek() == "[":
            self.take()
            while self.peek() != "]":
                values.append(self.value())
                if self.peek() == ",":
                    self.take()
            self.take()
        elif op in _TWO:
            values.append(self.value())
            if (self.peek() or "").upper() in {",", "AND"}:
                self.take()
            values.append(self.value())
        else:
            values.append(self.value())
        negate = op.endswith("_NOT") and op not in _UNARY
        base = op.removesuffix("_NOT") if negate else op
        if field in DATE_FIELDS and values and base in {"AFTER", "BEFORE", "ON", "ON_OR_AFTER", "ON_OR_BEFORE"}:
            _literal_date(values[0])  # a bad literal fails the request even when no record is tested

        def predicate(doc: dict[str, Any]) -> bool:
            result = _compare(base, field, _field_value(doc, field), values)
            return not result if negate else result

        return predicate


def parse_q(rt: RecordType, text: str) -> Predicate:
    """A predicate over stored documents; raises an nsError ``Halt`` on a bad query."""
    parser = _Parser(rt, _tokens(text))
    predicate = parser.expression()
    if parser.pos != len(parser.tokens):
        raise invalid_parameter(f"Invalid query: unexpected {parser.peek()!r}.", "q")
    return predicate
