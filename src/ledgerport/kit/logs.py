"""Log output of the long-running processes: human text by default, one JSON object per line on request.

Everything goes through the standard ``logging`` module to standard error. ``json`` turns every line into an object
with ``ts`` (RFC 3339, UTC, milliseconds), ``level``, ``logger`` and ``message``, plus the fields a caller passed
with ``extra=`` (the access log's ``method``, ``path``, ``status`` ...) as keys of their own, and ``exc`` for a
traceback: log shippers index them without parsing text. ``text`` appends the same extra fields as ``key=value``
after the message, so no field is lost either way.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

__all__ = ["FORMATS", "JsonFormatter", "TextFormatter", "configure_logging"]

FORMATS = ("text", "json")

_STANDARD = frozenset(
    logging.LogRecord("", 0, "", 0, "", (), None).__dict__.keys() | {"message", "asctime", "taskName", "color_message"}
)
"""Attributes every record has; whatever else a record carries came from ``extra=``."""


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {key: value for key, value in record.__dict__.items() if key not in _STANDARD and not key.startswith("_")}


def _timestamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as ``{"ts", "level", "logger", "message", **extra, "exc"?}``."""
        payload: dict[str, Any] = {
            "ts": _timestamp(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in _extras(record).items():
            payload.setdefault(key, value)
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            payload["exc"] = record.exc_text
        if record.stack_info:
            payload["stack"] = self.formatStack(record.stack_info)
        return json.dumps(payload, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """``time level logger: message key=value ...``: the extra fields the message does not show already (a record
    names those in its ``_shown`` attribute)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 - stdlib name
        """RFC 3339 in UTC, like the JSON lines."""
        return _timestamp(record)

    def format(self, record: logging.LogRecord) -> str:
        """The record's line, then its traceback if any."""
        line = super().format(record)
        shown = getattr(record, "_shown", ())
        fields = " ".join(
            f"{key}={value}" for key, value in _extras(record).items() if value is not None and key not in shown
        )
        if fields:
            head, newline, rest = line.partition("\n")
            line = f"{head} {fields}{newline}{rest}"
        return line


def configure_logging(fmt: str = "text", level: str | int = "INFO") -> None:
    """Send every logger's records at ``level`` and above to standard error in format ``fmt`` (``text``/``json``).

    Replaces the root logger's handlers, so calling it twice (the CLI, then a server process it forks) leaves one.
    """
    if fmt not in FORMATS:
        raise ValueError(f"log format {fmt!r} is not one of {FORMATS}")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper() if isinstance(level, str) else level)
