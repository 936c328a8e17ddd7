"""Xero's ``where`` and ``order`` parameters, compiled once per request into a predicate and a sort.

Supported ``where`` grammar (the forms Xero documents and SDK users send):

    expr       := conjunct (("OR" | "||") conjunct)*
    conjunct   := unary (("AND" | "&&") unary)*
    unary      := ("NOT" | "!") unary | "(" expr ")" | comparison
    comparison := path ["." ("Contains" | "StartsWith" | "EndsWith") "(" value ")"] [op value]
    op         := "==" | "!=" | ">=" | "<=" | ">" | "<"
    value      := "string" | number | true | false | null | DateTime(y, m, d[, h, mi, s]) | Guid("...")

A date field (``/Date(...)/`` on the record) compares against ``DateTime(...)`` by milliseconds, a GUID compares
case-insensitively, a number as a Decimal. Anything else is a 400 QueryParseException, as Xero answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ledgerport.sandboxes.xero.dates import day_ms, parse_ms_date
from ledgerport.sandboxes.xero.errors import query_parse

__all__ = ["Predicate", "compile_order", "compile_where", "field_value"]

Record = dict[str, Any]
Predicate = Callable[[Record], bool]

_TOKEN = re.compile(
    r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<op>==|!=|>=|<=|&&|\|\||[><()!,=])'
    r"|(?P<num>-?\d+(?:\.\d+)?)|(?P<word>[A-Za-z_][\w.]*))"
)
_METHODS = {"contains": str.__contains__, "startswith": str.startswith, "endswith": str.endswith}
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">=": lambda a, b: a is not None and b is not None and a >= b,
    "<=": lambda a, b: a is not None and b is not None and a <= b,
    ">": lambda a, b: a is not None and b is not None and a > b,
    "<": lambda a, b: a is not None and b is not None and a < b,
}


class _Date(int):
    """A ``DateTime(...)`` literal, in milliseconds."""


class _Guid(str):
    """A ``Guid("...")`` literal, lower-cased."""

    __slots__ = ()


def field_value(record: Record, path: str) -> Any:
    """A dotted path into a record (``Contact.ContactID``), matching keys case-insensitively."""
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        if part in value:
            value = value[part]
            continue
        lowered = part.lower()
        value = next((v for k, v in value.items() if k.lower() == lowered), None)
    return value


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        found = _TOKEN.match(text, position)
        if found is None or found.end() == position:
            raise query_parse(f"Unexpected character at position {position} in where clause")
        kind = found.lastgroup or ""
        tokens.append((kind, found.group(kind)))
        position = found.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.position = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.position] if self.position < len(self.tokens) else ("end", "")

    def take(self, value: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token[0] == "end" or (value is not None and token[1].upper() != value.upper()):
            raise query_parse(f"Expected {value or 'a token'} in where clause, found {token[1] or 'the end'}")
        self.position += 1
        return token

    def parse(self) -> Predicate:
        predicate = self.expr()
        if self.peek()[0] != "end":
            raise query_parse(f"Unexpected {self.peek()[1]} in where clause")
        return predicate

    def expr(self) -> Predicate:
        parts = [self.conjunct()]
        while self.peek()[1].upper() in ("OR", "||"):
            self.take()
            parts.append(self.conjunct())
        return parts[0] if len(parts) == 1 else (lambda r: any(p(r) for p in parts))

    def conjunct(self) -> Predicate:
        parts = [self.unary()]
        while self.peek()[1].upper() in ("AND", "&&"):
            self.take()
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else (lambda r: all(p(r) for p in parts))

    def unary(self) -> Predicate:
        if self.peek()[1].upper() in ("NOT", "!"):
            self.take()
            inner = self.unary()
            return lambda r: not inner(r)
        if self.peek()[1] == "(":
            self.take("(")
            inner = self.expr()
            self.take(")")
            return inner
        return self.comparison()

    def value(self) -> Any:
        kind, text = self.take()
        upper = text.upper()
        if kind == "str":
            return text[1:-1].replace('\\"', '"')
        if kind == "num":
            return Decimal(text)
        if upper in ("TRUE", "FALSE"):
            return upper == "TRUE"
        if upper == "NULL":
            return None
        if upper in ("DATETIME", "DATETIMEOFFSET"):
            self.take("(")
            numbers = [int(self.take()[1])]
            while self.peek()[1] == ",":
                self.take(",")
                numbers.append(int(self.take()[1]))
            self.take(")")
            return _Date(day_ms(*numbers[:6]))
        if upper == "GUID":
            self.take("(")
            guid = self.take()[1].strip('"').lower()
            self.take(")")
            return _Guid(guid)
        raise query_parse(f"Unexpected {text} in where clause")

    def comparison(self) -> Predicate:
        kind, path = self.take()
        if kind != "word":
            raise query_parse(f"Expected a field name in where clause, found {path}")
        head, _, method = path.rpartition(".")
        if head and method.lower() in _METHODS and self.peek()[1] == "(":
            self.take("(")
            argument = self.value()
            self.take(")")
            test = _METHODS[method.lower()]
            return lambda r: isinstance(v := field_value(r, head), str) and test(v, str(argument))
        if self.peek()[0] != "op" or self.peek()[1] in ("(", ")", ",", "!", "&&", "||"):
            return lambda r: field_value(r, path) is True
        compare = _COMPARE[self.take()[1]]
        expected = self.value()
        return lambda r: compare(_coerce(field_value(r, path), expected), expected)


def _coerce(value: Any, expected: Any) -> Any:
    """The record's value in the literal's terms."""
    if isinstance(expected, _Date):
        return parse_ms_date(value) if isinstance(value, str) else None
    if isinstance(expected, _Guid):
        return value.lower() if isinstance(value, str) else None
    if isinstance(expected, Decimal) and isinstance(value, int | Decimal) and not isinstance(value, bool):
        return Decimal(value)
    return value


def compile_where(text: str | None) -> Predicate | None:
    """A predicate for a ``where`` parameter, or ``None`` when there is none."""
    if not text or not text.strip():
        return None
    return _Parser(text).parse()


def _sort_key(path: str) -> Callable[[Record], tuple[int, Any]]:
    def key(record: Record) -> tuple[int, Any]:
        value = field_value(record, path)
        if isinstance(value, str):
            moment = parse_ms_date(value)
            return (1, moment) if moment is not None else (2, value.lower())
        if value is None:
            return (0, 0)
        return (1, value)

    return key


def compile_order(text: str | None) -> list[tuple[Callable[[Record], tuple[int, Any]], bool]]:
    """``Field [ASC|DESC][, ...]`` as (key, descending) pairs, most significant first."""
    if not text or not text.strip():
        return []
    keys = []
    for part in text.split(","):
        words = part.split()
        if not words or len(words) > 2 or (len(words) == 2 and words[1].upper() not in ("ASC", "DESC")):
            raise query_parse(f"Invalid order clause: {part.strip()}")
        keys.append((_sort_key(words[0]), len(words) == 2 and words[1].upper() == "DESC"))
    return keys
