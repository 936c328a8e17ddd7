"""The Oracle functions SuiteQL queries call, as Python functions on the SQLite connection, and SuiteQL's way of
writing values (every value a string, numbers as Oracle writes them: ``.5``, ``-.25``).

Dates arrive as the stored ``YYYY-MM-DD HH:MM:SS`` account-zone text (``schema.py``); ``TO_CHAR``/``TO_DATE`` read
and write Oracle format elements, ``SYSDATE`` is the sandbox clock in the account's zone, ``BUILTIN.DF`` looks a
reference up by the family the translator resolved from the column (``suiteql.py``).
"""

from __future__ import annotations

import re
import sqlite3
from calendar import monthrange
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ledgerport.sandboxes.netsuite.catalog import ENUM_LABELS, RECORD_TYPES
from ledgerport.sandboxes.netsuite.dates import ZONE, oracle_format, oracle_parse, parse_user_date, show_date

__all__ = ["format_value", "install_functions"]

_TYPE_LABELS = {rt.code: rt.label for rt in RECORD_TYPES.values() if rt.family == "transaction"}
_STORED = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")


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
