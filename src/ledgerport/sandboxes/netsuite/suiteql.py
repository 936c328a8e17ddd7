"""SuiteQL over SQLite: Oracle-flavoured SELECTs translated token by token, run read-only, paged as NetSuite pages.

Translation (``translate``): ``TO_CHAR``/``TO_DATE``/``TO_NUMBER``, ``NVL``/``NVL2``/``DECODE``, ``TRUNC``,
``ADD_MONTHS``, ``LAST_DAY``, ``CONCAT``, ``BUILTIN.DF`` and ``SYSDATE``/``CURRENT_DATE`` (``SYSDATE - n``
included) become Python functions registered on the connection; ``FETCH FIRST n ROWS ONLY`` becomes ``LIMIT n``,
``MINUS`` ``EXCEPT``; the table and column named ``transaction`` (an SQLite keyword) are quoted. A bare DATE or
DATETIME column in the select list (``*`` included, which is expanded) is shown in the account's date format
(M/D/YYYY, the time dropped), as SuiteQL shows one without ``TO_CHAR``.

Results: keys lower-case, every value a string (numbers as Oracle writes them: ``.5``, ``-.25``), NULL columns
left out of the row, each row with ``"links": []``. Only reads run: an SQLite authorizer refuses anything else
while a query executes. At most 100,000 rows are reachable: ``hasMore`` turns false at the cap and an offset at or
past it is a 400 (NetSuite's exact answer there is a guess).
"""

from __future__ import annotations

import re
import sqlite3
from calendar import monthrange
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ledgerport.sandboxes.netsuite.catalog import CUSTOM_SEGMENT, CUSTOM_SEGMENT_RECORD, ENUM_LABELS, RECORD_TYPES
from ledgerport.sandboxes.netsuite.dates import ZONE, oracle_format, oracle_parse, parse_user_date, show_date
from ledgerport.sandboxes.netsuite.schema import DATE_KINDS, TABLES

__all__ = ["MAX_ROWS", "ResultCache", "SuiteQLError", "format_value", "install_functions", "run_query", "translate"]

MAX_ROWS = 100_000
_TOKEN = re.compile(
    r"""(?P<ws>\s+)|(?P<comment>--[^\n]*|/\*.*?\*/)|(?P<str>'(?:[^']|'')*')|(?P<qid>"[^"]*")"""
    r"""|(?P<num>\d+(?:\.\d*)?|\.\d+)|(?P<id>[A-Za-z_][A-Za-z0-9_$#]*)|(?P<op><>|!=|<=|>=|\|\||[(),.*=<>+\-/;%])""",
    re.DOTALL,
)
_FUNCTIONS = {
    "to_char": "ns_to_char",
    "to_date": "ns_to_date",
    "to_timestamp": "ns_to_date",
    "to_number": "ns_to_number",
    "nvl": "ifnull",
    "nvl2": "ns_nvl2",
    "decode": "ns_decode",
    "trunc": "ns_trunc",
    "add_months": "ns_add_months",
    "last_day": "ns_last_day",
    "concat": "ns_concat",
}
_WRITE_WORDS = {
    "insert",
    "update",
    "delete",
    "drop",
    "create",
    "alter",
    "attach",
    "detach",
    "pragma",
    "replace",
    "vacuum",
    "reindex",
    "analyze",
    "begin",
    "commit",
    "rollback",
    "savepoint",
    "release",
}
_DF_TARGETS = {
    "entity": "entity",
    "customer": "entity",
    "vendor": "entity",
    "employee": "entity",
    "supervisor": "entity",
    "salesrep": "entity",
    "job": "entity",
    "deletedby": "entity",
    "account": "account",
    "expenseaccount": "account",
    "incomeaccount": "account",
    "assetaccount": "account",
    "receivablesaccount": "account",
    "payablesaccount": "account",
    "item": "item",
    "currency": "currency",
    "basecurrency": "currency",
    "transactioncurrency": "currency",
    "subsidiary": "subsidiary",
    "department": "department",
    "class": "classification",
    "location": "location",
    "postingperiod": "accountingPeriod",
    "terms": "term",
    "transaction": "transaction",
    "createdfrom": "transaction",
    "previousdoc": "transaction",
    "nextdoc": "transaction",
    "taxtype": "taxType",
    CUSTOM_SEGMENT: CUSTOM_SEGMENT_RECORD,
}
_PARENT_TARGETS = {
    "account": "account",
    "customer": "entity",
    "job": "entity",
    "subsidiary": "subsidiary",
    "department": "department",
    "classification": "classification",
    "location": "location",
    "accountingperiod": "accountingPeriod",
}
_TYPE_LABELS = {rt.code: rt.label for rt in RECORD_TYPES.values() if rt.family == "transaction"}
_CLOCKED = re.compile(r"\b(sysdate|systimestamp|current_date|current_timestamp)\b", re.IGNORECASE)
_STORED = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")


class SuiteQLError(Exception):
    """A query NetSuite would refuse; the message is the ``detail``."""


def format_value(value: Any) -> str:
    """A SuiteQL value as the REST response writes it (strings; Oracle's number style)."""
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        text = f"{value:.10f}".rstrip("0").rstrip(".")
        if text in {"", "-", "-0", "0"}:
            return "0"
        if text.startswith("0."):
            return text[1:]
        return f"-{text[2:]}" if text.startswith("-0.") else text
    return str(value)


def _tokens(sql: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(sql):
        match = _TOKEN.match(sql, pos)
        if match is None:
            raise SuiteQLError(f"Invalid search query. Unexpected character at position {pos}: {sql[pos]!r}")
        kind = match.lastgroup or ""
        if kind not in {"ws", "comment"}:
            out.append((kind, match.group()))
        pos = match.end()
    return out


def _aliases(tokens: list[tuple[str, str]]) -> dict[str, str]:
    """alias (and bare table name) -> table, from every FROM/JOIN in the query."""
    out: dict[str, str] = {}
    for index, (kind, text) in enumerate(tokens):
        if kind == "id" and text.lower() in {"from", "join"} and index + 1 < len(tokens):
            next_kind, table = tokens[index + 1]
            table = table.strip('"').lower()
            if next_kind not in {"id", "qid"} or table not in TABLES:
                continue
            out[table] = table
            after = index + 2
            if after < len(tokens) and tokens[after][1].lower() == "as":
                after += 1
            if after < len(tokens) and tokens[after][0] == "id":
                alias = tokens[after][1].lower()
                if alias not in {
                    "where",
                    "join",
                    "left",
                    "right",
                    "inner",
                    "outer",
                    "full",
                    "cross",
                    "on",
                    "group",
                    "order",
                    "having",
                    "union",
                    "minus",
                    "except",
                    "intersect",
                    "fetch",
                }:
                    out[alias] = table
    return out


def _quote(name: str) -> str:
    return '"transaction"' if name.lower() == "transaction" else name


def _column_of(item: list[tuple[str, str]], aliases: dict[str, str], tables: list[str]) -> tuple[str, str] | None:
    """(table, column) when a select item is a bare column reference."""
    texts = [t for _, t in item]
    if len(texts) == 1 and item[0][0] == "id":
        column = texts[0].lower()
        for table in tables:
            if column in TABLES[table]:
                return table, column
    if len(texts) == 3 and texts[1] == "." and item[0][0] == "id" and item[2][0] == "id":
        table = aliases.get(texts[0].lower())
        if table and texts[2].lower() in TABLES[table]:
            return table, texts[2].lower()
    return None


def translate(sql: str) -> str:
    """SuiteQL -> SQLite SQL; raises ``SuiteQLError`` for what NetSuite would refuse."""
    return _translated(sql)[0]


_AGGREGATES = {"count", "sum", "min", "max", "avg", "listagg", "distinct"}
_TAIL_WORDS = {"group", "union", "minus", "except", "intersect", "limit", "fetch", "having"}


def _count_form(tokens: list[tuple[str, str]], aliases: dict[str, str], tables: list[str]) -> str | None:
    """``SELECT COUNT(*) FROM …`` without the select list and ORDER BY, when the query is a plain filter (so a
    total does not evaluate every row's TO_CHAR); ``None`` when counting needs the whole query."""
    depth, start, end = 0, None, len(tokens)
    for index, (kind, text) in enumerate(tokens):
        lower = text.lower()
        if text == "(":
            depth += 1
        elif text == ")":
            depth -= 1
        elif depth == 0 and kind == "id":
            if start is None and lower in _AGGREGATES:
                return None
            if lower == "from" and start is None:
                start = index
            elif lower in _TAIL_WORDS:
                return None
            elif lower == "order" and start is not None:
                end = index
                break
    if start is None or tokens[0][1].lower() != "select":
        return None
    return "SELECT COUNT(*) " + _emit(tokens[start:end], aliases, tables)


def _translated(sql: str) -> tuple[str, str | None]:
    """The query and its count form."""
    tokens = _tokens(sql.strip().rstrip(";"))
    if not tokens or tokens[0][1].lower() not in {"select", "with"}:
        raise SuiteQLError("Invalid search query. Only SELECT statements are supported.")
    for kind, text in tokens:
        if kind == "id" and text.lower() in _WRITE_WORDS:
            raise SuiteQLError(f"Invalid search query. Unsupported keyword {text.upper()}.")
        if text == ";":
            raise SuiteQLError("Invalid search query. Only one statement is allowed.")
    aliases = _aliases(tokens)
    tables = list(dict.fromkeys(aliases.values()))
    return _emit(tokens, aliases, tables), _count_form(tokens, aliases, tables)


def _emit(tokens: list[tuple[str, str]], aliases: dict[str, str], tables: list[str]) -> str:
    """The token-level translation of a query or an expression."""
    out: list[str] = []
    index = 0
    while index < len(tokens):
        kind, text = tokens[index]
        lower = text.lower()
        nxt = tokens[index + 1][1] if index + 1 < len(tokens) else ""
        if kind == "id" and lower == "select":
            out.append("SELECT")
            index = _select_list(tokens, index + 1, out, aliases, tables)
            continue
        if kind == "id" and lower == "builtin" and nxt == "." and index + 3 < len(tokens):
            name = tokens[index + 2][1].lower()
            if name == "df":
                close, arg = _call_argument(tokens, index + 3)
                column = _column_of(arg, aliases, tables)
                target = _df_target(column)
                inner = translate_fragment(arg, aliases, tables)
                out.append(f"ns_df({inner}, '{target}')")
                index = close + 1
                continue
            # Other BUILTIN functions (CONSOLIDATE, CURRENCY...) pass their first argument through.
            close, arg = _call_argument(tokens, index + 3)
            out.append(f"({translate_fragment(arg, aliases, tables)})")
            index = close + 1
            continue
        if kind == "id" and lower in {"sysdate", "systimestamp", "current_date"}:
            call = "ns_sysdate()" if lower != "current_date" else "ns_trunc(ns_sysdate())"
            if nxt in {"+", "-"} and index + 2 < len(tokens) and tokens[index + 2][0] == "num":
                sign = -1 if nxt == "-" else 1
                out.append(f"ns_add_days({call}, {sign} * {tokens[index + 2][1]})")
                index += 3
                continue
            out.append(call)
        elif kind == "id" and nxt == "(" and lower in _FUNCTIONS:
            out.append(_FUNCTIONS[lower])
        elif kind == "id" and lower == "fetch" and nxt.lower() in {"first", "next"}:
            count = tokens[index + 2][1] if index + 2 < len(tokens) else "0"
            out.append(f"LIMIT {count}")
            index += 5  # FETCH FIRST n ROWS ONLY
            continue
        elif kind == "id" and lower == "minus":
            out.append("EXCEPT")
        elif kind == "id" and lower == "rownum":
            raise SuiteQLError("Invalid search query. ROWNUM is not supported; use FETCH FIRST n ROWS ONLY.")
        elif kind == "id":
            out.append(_quote(text))
        else:
            out.append(text)
        index += 1
    return " ".join(out)


def translate_fragment(tokens: list[tuple[str, str]], aliases: dict[str, str], tables: list[str]) -> str:
    """Translate a sub-expression (a function argument, a select item)."""
    return _emit(tokens, aliases, tables) if tokens else ""


def _df_target(column: tuple[str, str] | None) -> str:
    if column is None:
        return ""
    table, name = column
    if name == "parent":
        return _PARENT_TARGETS.get(table, "")
    if name == "id":
        return {
            "transaction": "transaction",
            "customer": "entity",
            "vendor": "entity",
            "employee": "entity",
            "job": "entity",
            "item": "item",
        }.get(table, table)
    if name in {"type", "status", "accttype", "itemtype", "approvalstatus"}:
        return f"enum:{name}"
    return _DF_TARGETS.get(name, "")


def _call_argument(tokens: list[tuple[str, str]], open_index: int) -> tuple[int, list[tuple[str, str]]]:
    """Index of the closing paren of a call whose ``(`` is at ``open_index``, and the tokens inside."""
    depth = 0
    for index in range(open_index, len(tokens)):
        if tokens[index][1] == "(":
            depth += 1
        elif tokens[index][1] == ")":
            depth -= 1
            if depth == 0:
                return index, tokens[open_index + 1 : index]
    raise SuiteQLError("Invalid search query. Unbalanced parentheses.")


def _select_list(
    tokens: list[tuple[str, str]], start: int, out: list[str], aliases: dict[str, str], tables: list[str]
) -> int:
    """Translate the items of one select list (to its FROM); returns the index of the FROM (or end)."""
    depth, index, items, current = 0, start, [], []
    while index < len(tokens):
        kind, text = tokens[index]
        if depth == 0 and kind == "id" and text.lower() in {"from", "union", "minus", "except", "intersect"}:
            break
        if text == "(":
            depth += 1
        elif text == ")":
            if depth == 0:
                break
            depth -= 1
        if depth == 0 and text == ",":
            items.append(current)
            current = []
        else:
            current.append((kind, text))
        index += 1
    items.append(current)
    rendered = []
    unnamed = 0
    for item in items:
        if item and item[0][1].lower() == "distinct":
            rendered.append("DISTINCT")
            item = item[1:]
        part = _select_item(item, aliases, tables)
        if " AS " not in part and not part.endswith("*") and "." not in part.split()[-1]:
            unnamed += 1
            part = f'{part} AS "expr{unnamed}"'  # NetSuite names an unaliased expression exprN
        rendered.append(part)
    out.append(", ".join(part for part in _merge_distinct(rendered)))
    return index


def _merge_distinct(parts: list[str]) -> list[str]:
    merged: list[str] = []
    pending = ""
    for part in parts:
        if part == "DISTINCT":
            pending = "DISTINCT "
            continue
        merged.append(pending + part)
        pending = ""
    return merged


def _select_item(item: list[tuple[str, str]], aliases: dict[str, str], tables: list[str]) -> str:
    texts = [t for _, t in item]
    if texts == ["*"]:
        return ", ".join(_star(alias, table) for alias, table in _from_order(aliases, tables))
    if len(texts) == 3 and texts[1:] == [".", "*"]:
        table = aliases.get(texts[0].lower())
        if table is None:
            raise SuiteQLError(f"Invalid search query. Unknown alias {texts[0]}.")
        return _star(texts[0], table)
    alias = None
    body = item
    if len(item) >= 3 and item[-2][1].lower() == "as":
        alias, body = item[-1][1], item[:-2]
    elif (
        len(item) >= 2
        and item[-1][0] in {"id", "qid"}
        and (item[-2][0] != "op" or item[-2][1] == ")")
        and item[-1][1].lower() not in {"end"}
    ):
        alias, body = item[-1][1], item[:-1]
    column = _column_of(body, aliases, tables)
    expression = translate_fragment(body, aliases, tables) if body else ""
    if column is not None and TABLES[column[0]][column[1]] in DATE_KINDS:
        expression = f"ns_show_date({expression})"
        alias = alias or column[1]
    elif column is not None and alias is None:
        alias = column[1]
    if alias is None:
        return expression
    return f'{expression} AS "{alias.strip(chr(34)).lower()}"'


def _from_order(aliases: dict[str, str], tables: list[str]) -> list[tuple[str, str]]:
    seen, out = set(), []
    for alias, table in aliases.items():
        if table in seen or alias == table and any(a != t and t == table for a, t in aliases.items()):
            continue
        seen.add(table)
        out.append((alias, table))
    return out


def _star(alias: str, table: str) -> str:
    prefix = _quote(alias)
    parts = []
    for column, kind in TABLES[table].items():
        ref = f'{prefix}."{column}"'
        parts.append(f'ns_show_date({ref}) AS "{column}"' if kind in DATE_KINDS else f'{ref} AS "{column}"')
    return ", ".join(parts)


# -- functions registered on the connection ----------------------------------------------------------------------
def install_functions(
    db: sqlite3.Connection, now: Callable[[], float], name_of: Callable[[str, int], str | None]
) -> None:
    """Register the Oracle functions the translation calls."""

    def sysdate() -> str:
        return datetime.fromtimestamp(now(), ZONE).strftime("%Y-%m-%d %H:%M:%S")

    def to_char(value: Any, fmt: str | None = None) -> str | None:
        if value is None:
            return None
        if isinstance(value, str) and _STORED.match(value):
            return oracle_format(value, fmt or "MM/DD/YYYY")
        if isinstance(value, float | int):
            return format_value(float(value)) if isinstance(value, float) else str(value)
        return str(value)

    def to_date(value: Any, fmt: str | None = None) -> str | None:
        if value is None:
            return None
        text = str(value)
        if _STORED.match(text):
            return text
        try:
            if fmt is None:
                return parse_user_date(text).strftime("%Y-%m-%d 00:00:00")
            return oracle_parse(text, fmt)
        except ValueError as error:
            raise ValueError(f"Parse of date/time {text!r} failed with format {fmt!r}") from error

    def to_number(value: Any, fmt: str | None = None) -> float | None:
        return None if value is None or value == "" else float(value)

    def trunc(value: Any, fmt: Any = None) -> Any:
        if isinstance(value, str) and _STORED.match(value):
            if isinstance(fmt, str) and fmt.upper() in {"MM", "MONTH", "MON"}:
                return f"{value[:7]}-01 00:00:00"
            if isinstance(fmt, str) and fmt.upper() in {"YYYY", "YEAR", "Y"}:
                return f"{value[:4]}-01-01 00:00:00"
            return f"{value[:10]} 00:00:00"
        if isinstance(value, float):
            digits = int(fmt or 0)
            factor = 10**digits
            return float(int(value * factor)) / factor
        return value

    def add_days(value: Any, days: float) -> str | None:
        if value is None:
            return None
        moment = datetime.strptime(value, "%Y-%m-%d %H:%M:%S") + timedelta(days=days)  # noqa: DTZ007 - wall time
        return moment.strftime("%Y-%m-%d %H:%M:%S")

    def add_months(value: Any, months: int) -> str | None:
        if value is None:
            return None
        moment = datetime.strptime(value, "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007 - account-zone wall time
        total = moment.year * 12 + moment.month - 1 + int(months)
        year, month = divmod(total, 12)
        day = min(moment.day, monthrange(year, month + 1)[1])
        return moment.replace(year=year, month=month + 1, day=day).strftime("%Y-%m-%d %H:%M:%S")

    def last_day(value: Any) -> str | None:
        if value is None:
            return None
        year, month = int(value[:4]), int(value[5:7])
        return f"{value[:8]}{monthrange(year, month)[1]:02d}{value[10:]}"

    def nvl2(value: Any, if_set: Any, if_null: Any) -> Any:
        return if_null if value is None else if_set

    def decode(value: Any, *pairs: Any) -> Any:
        for index in range(0, len(pairs) - 1, 2):
            if value == pairs[index]:
                return pairs[index + 1]
        return pairs[-1] if len(pairs) % 2 else None

    def concat(*parts: Any) -> str:
        return "".join("" if p is None else format_value(p) if isinstance(p, float) else str(p) for p in parts)

    def show(value: Any) -> Any:
        return show_date(value) if isinstance(value, str) and _STORED.match(value) else value

    def df(value: Any, target: str) -> Any:
        if value is None:
            return None
        if target.startswith("enum:"):
            field = target[5:]
            if field == "type":
                return _TYPE_LABELS.get(str(value), value)
            labels = ENUM_LABELS.get({"accttype": "acctType", "itemtype": "itemType"}.get(field, field), {})
            return labels.get(str(value), value)
        if not target:
            return value
        try:
            found = name_of(target, int(value))
        except (TypeError, ValueError):
            return value
        return found if found is not None else value

    db.create_function("ns_sysdate", 0, sysdate)
    db.create_function("ns_to_char", -1, to_char, deterministic=True)
    db.create_function("ns_to_date", -1, to_date, deterministic=True)
    db.create_function("ns_to_number", -1, to_number, deterministic=True)
    db.create_function("ns_trunc", -1, trunc, deterministic=True)
    db.create_function("ns_add_days", 2, add_days, deterministic=True)
    db.create_function("ns_add_months", 2, add_months, deterministic=True)
    db.create_function("ns_last_day", 1, last_day, deterministic=True)
    db.create_function("ns_nvl2", 3, nvl2, deterministic=True)
    db.create_function("ns_decode", -1, decode, deterministic=True)
    db.create_function("ns_concat", -1, concat, deterministic=True)
    db.create_function("ns_show_date", 1, show, deterministic=True)
    db.create_function("ns_df", 2, df)
    db.execute("PRAGMA case_sensitive_like = ON")


_READ_ONLY = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}


def _authorize(action: int, *args: Any) -> int:
    return sqlite3.SQLITE_OK if action in _READ_ONLY else sqlite3.SQLITE_DENY


def _has_top_limit(sql: str) -> bool:
    depth = 0
    for kind, text in _tokens(sql):
        if text == "(":
            depth += 1
        elif text == ")":
            depth -= 1
        elif depth == 0 and kind == "id" and text.lower() == "limit":
            return True
    return False


class ResultCache:
    """Recent query results, so paging through one query with ``offset`` runs it once (NetSuite pages a result
    set too). Raw rows are kept (formatted per page); the store's writes clear it; at most ``size`` queries."""

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self._entries: OrderedDict[str, tuple[list[str], list[tuple[Any, ...]], int]] = OrderedDict()

    def get(self, key: str) -> tuple[list[str], list[tuple[Any, ...]], int] | None:
        """A cached result, marked recently used."""
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, key: str, value: tuple[list[str], list[tuple[Any, ...]], int]) -> None:
        """Remember a result, forgetting the least recently used past ``size``."""
        self._entries[key] = value
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget everything (a write happened)."""
        self._entries.clear()


def _execute(db: sqlite3.Connection, sql: str) -> tuple[list[str], list[tuple[Any, ...]], int]:
    translated, count_form = _translated(sql)
    db.set_authorizer(_authorize)
    try:
        if _has_top_limit(translated):
            cursor = db.execute(f"SELECT * FROM ({translated}) LIMIT {MAX_ROWS}")  # noqa: S608 - read-only authorizer
        else:
            cursor = db.execute(f"{translated} LIMIT {MAX_ROWS}")
        names = [d[0].lower() for d in cursor.description]
        raw = cursor.fetchall()
        total = len(raw)
        if total >= MAX_ROWS:
            count_sql = count_form or f"SELECT COUNT(*) FROM ({translated})"  # noqa: S608 - read-only authorizer
            total = db.execute(count_sql).fetchone()[0]
    except sqlite3.Error as error:
        raise SuiteQLError(_explain(str(error))) from error
    finally:
        db.set_authorizer(None)
    return names, raw, total


def run_query(
    db: sqlite3.Connection, sql: str, *, limit: int, offset: int, cache: ResultCache
) -> tuple[list[dict[str, Any]], int]:
    """Rows ``offset..offset+limit`` of a SuiteQL query and its total (which may pass the 100,000 reachable)."""
    key = " ".join(sql.split())
    found = cache.get(key)
    if found is None:
        found = _execute(db, sql)
        # A result that fits one page, or that depends on the time, is not worth keeping (or must not be kept).
        if len(found[1]) > limit and not _CLOCKED.search(key):
            cache.put(key, found)
    names, raw, total = found
    rows = []
    for values in raw[offset : offset + limit]:
        row: dict[str, Any] = {"links": []}
        for name, value in zip(names, values, strict=True):
            if value is not None:
                row[name] = format_value(value)
        rows.append(row)
    return rows, total


def _explain(message: str) -> str:
    column = re.match(r"no such column: (?:\w+\.)?(\w+)", message)
    if column:
        return (
            "Invalid search query. Detailed unprocessed description follows. Search error occurred: Field"
            f" '{column.group(1)}' was not found. Reason: NOT_EXPOSED - Not available for channel SEARCH."
        )
    table = re.match(r"no such table: (\w+)", message)
    if table:
        return (
            f"Invalid search query. Detailed unprocessed description follows. Record '{table.group(1)}' was not found."
        )
    return f"Invalid search query. Detailed unprocessed description follows. {message}"
