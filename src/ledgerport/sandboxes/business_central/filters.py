"""``$filter`` as BC's API pages take it: a small OData expression parser that compiles to a row predicate.

Supported (FACTS §2): ``eq ne gt ge lt le``, ``and``, ``or`` (only between conditions on the same field, as BC turns
a filter into AL field filters; across fields it answers 400 "The 'OR' operator is not supported on distinct fields
on an OData filter."), ``not``, parentheses, ``startswith``/``endswith``/``contains`` and ``tolower``/``toupper`` around
a field. Literals: quoted strings (``''`` escapes a quote), numbers, ``true``/``false``, ``null``, dates, datetimes
and GUIDs unquoted. Lambda operators (``any``/``all``) are ignored, as BC silently ignores them. String comparison is
case-insensitive, like BC online's SQL collation (FACTS: VERIFY). Enum fields compare on their plain member names,
so ``'G/L Account'`` and ``'G_x002F_L_x0020_Account'`` both match.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from ledgerport.sandboxes.business_central.catalog import EntitySet, field_type
from ledgerport.sandboxes.business_central.enums import unescape
from ledgerport.sandboxes.business_central.errors import ODataError

__all__ = ["Predicate", "compile_filter", "normalize_datetime"]

Predicate = Callable[[list[Any]], bool]

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')"
    r"|(?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)"
    r"|(?P<guid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
    r"|(?P<date>\d{4}-\d{2}-\d{2})"
    r"|(?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?[mMdDfFlL]?)"
    r"|(?P<name>[A-Za-z_][\w./]*)"
    r"|(?P<punct>[(),]))"
)
_COMPARE = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a is not None and b is not None and a > b,
    "ge": lambda a, b: a is not None and b is not None and a >= b,
    "lt": lambda a, b: a is not None and b is not None and a < b,
    "le": lambda a, b: a is not None and b is not None and a <= b,
}
_STRING_FUNCTIONS = {"startswith", "endswith", "contains"}


def normalize_datetime(text: str) -> str:
    """A datetime literal in the stored form (UTC, milliseconds, ``Z``) so that strings compare as instants."""
    from datetime import UTC, datetime

    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise _syntax(f"Unrecognized 'Edm.DateTimeOffset' literal '{text}'.") from error
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    parsed = parsed.astimezone(UTC)
    return parsed.strftime("%Y-%m-%dT%H:%M:%S.") + f"{parsed.microsecond // 1000:03d}Z"


def _syntax(message: str) -> ODataError:
    return ODataError(400, "BadRequest_InvalidRequestUrl", message)


class _Parser:
    def __init__(self, text: str, entity_set: EntitySet, pos: dict[str, int]) -> None:
        self.tokens: list[tuple[str, str]] = []
        index = 0
        text = text.strip()
        while index < len(text):
            found = _TOKEN.match(text, index)
            if found is None or found.end() == index:
                raise ODataError(400, "BadRequest_NotFound", f"Syntax error at position {index} in '{text}'.")
            kind = found.lastgroup or ""
            self.tokens.append((kind, found.group(kind)))
            index = found.end()
            while index < len(text) and text[index].isspace():
                index += 1
        self.at = 0
        self.entity_set = entity_set
        self.pos = pos

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ODataError(400, "BadRequest_NotFound", "Expression expected at the end of the filter.")
        self.at += 1
        return token

    def expect(self, value: str) -> None:
        kind, text = self.take()
        if text != value:
            raise ODataError(400, "BadRequest_NotFound", f"'{value}' expected instead of '{text}'.")

    # Each parse step returns (predicate, fields it reads), so ``or`` can check it stays on one field.
    def parse_or(self) -> tuple[Predicate, set[str]]:
        left, fields = self.parse_and()
        while self.peek() == ("name", "or"):
            self.take()
            right, more = self.parse_and()
            if fields | more and len(fields | more) > 1:
                raise ODataError(
                    400,
                    "BadRequest_NotSupported",
                    "The 'OR' operator is not supported on distinct fields on an OData filter.",
                )
            left = _either(left, right)
            fields |= more
        return left, fields

    def parse_and(self) -> tuple[Predicate, set[str]]:
        left, fields = self.parse_not()
        while self.peek() == ("name", "and"):
            self.take()
            right, more = self.parse_not()
            left = _both(left, right)
            fields |= more
        return left, fields

    def parse_not(self) -> tuple[Predicate, set[str]]:
        if self.peek() == ("name", "not"):
            self.take()
            inner, fields = self.parse_not()
            return (lambda row: not inner(row)), fields
        return self.parse_primary()

    def parse_primary(self) -> tuple[Predicate, set[str]]:
        token = self.peek()
        if token == ("punct", "("):
            self.take()
            result = self.parse_or()
            self.expect(")")
            return result
        kind, text = self.take()
        if kind != "name":
            raise ODataError(400, "BadRequest_NotFound", f"A field name was expected instead of '{text}'.")
        if text in _STRING_FUNCTIONS:
            self.expect("(")
            name, fold = self.field_operand()
            self.expect(",")
            value = self.literal(name)
            self.expect(")")
            return self.string_function(text, name, value), {name}
        if "/" in text and text.split("/")[1] in {"any", "all"} or text in {"any", "all"}:
            self.skip_lambda()
            return (lambda row: True), set()
        if text in {"tolower", "toupper"}:
            self.expect("(")
            name, _ = self.field_operand(text)
            self.expect(")")
        else:
            name = self.check_field(text)
        op_kind, op = self.take()
        if op not in _COMPARE:
            raise ODataError(400, "BadRequest_NotFound", f"Unknown operator '{op}'.")
        value = self.literal(name)
        return self.comparison(name, op, value), {name}

    def skip_lambda(self) -> None:
        depth = 0
        while self.peek() is not None:
            kind, text = self.take()
            if text == "(":
                depth += 1
            elif text == ")":
                depth -= 1
                if depth == 0:
                    return

    def field_operand(self, wrapper: str = "") -> tuple[str, bool]:
        kind, text = self.take()
        if text in {"tolower", "toupper"}:
            self.expect("(")
            name, _ = self.field_operand()
            self.expect(")")
            return name, True
        return self.check_field(text), bool(wrapper)

    def check_field(self, name: str) -> str:
        if name not in self.pos:
            raise ODataError(
                400,
                "BadRequest_NotFound",
                f"Could not find a property named '{name}' on type 'Microsoft.NAV.{self.entity_set.entity}'.",
            )
        return name

    def literal(self, name: str) -> Any:
        kind, text = self.take()
        ftype = field_type(name, self.entity_set)
        if kind == "name" and text in {"true", "false"}:
            return text == "true"
        if kind == "name" and text == "null":
            return None
        if kind == "string":
            value = text[1:-1].replace("''", "'")
            if ftype == "enum":
                return unescape(value).lower()
            if ftype in {"decimal", "int"}:
                raise _syntax(
                    "A binary operator with incompatible types was detected. "
                    f"Found operand types 'Edm.Decimal' and 'Edm.String' for field '{name}'."
                )
            return value.lower()
        if kind == "datetime":
            return normalize_datetime(text) if ftype == "datetime" else text[:10]
        if kind in {"date", "guid"}:
            return text.lower() if kind == "guid" else text
        if kind == "number":
            try:
                return Decimal(text.rstrip("mMdDfFlL"))
            except InvalidOperation as error:
                raise _syntax(f"Bad number '{text}'.") from error
        raise ODataError(400, "BadRequest_NotFound", f"A literal was expected instead of '{text}'.")

    def reader(self, name: str) -> Callable[[list[Any]], Any]:
        index = self.pos[name]
        ftype = field_type(name, self.entity_set)
        if ftype == "enum":
            return lambda row: unescape(row[index]).lower()
        if ftype in {"string", "guid"}:
            return lambda row: row[index].lower() if isinstance(row[index], str) else row[index]
        return lambda row: row[index]

    def comparison(self, name: str, op: str, value: Any) -> Predicate:
        read = self.reader(name)
        compare = _COMPARE[op]
        return lambda row: compare(read(row), value)

    def string_function(self, function: str, name: str, value: Any) -> Predicate:
        read = self.reader(name)
        needle = str(value)
        if function == "startswith":
            return lambda row: str(read(row)).startswith(needle)
        if function == "endswith":
            return lambda row: str(read(row)).endswith(needle)
        return lambda row: needle in str(read(row))


def _either(left: Predicate, right: Predicate) -> Predicate:
    return lambda row: left(row) or right(row)


def _both(left: Predicate, right: Predicate) -> Predicate:
    return lambda row: left(row) and right(row)


def compile_filter(text: str, entity_set: EntitySet, pos: dict[str, int]) -> Predicate:
    """The predicate of a ``$filter`` over the rows of one table."""
    parser = _Parser(text, entity_set, pos)
    predicate, _ = parser.parse_or()
    if parser.peek() is not None:
        raise ODataError(400, "BadRequest_NotFound", f"Syntax error: unexpected '{parser.peek()[1]}'.")  # type: ignore[index]
    return predicate
