"""Log lines: JSON objects that parse, with the record's fields as keys; text lines with the fields appended."""

from __future__ import annotations

import json
import logging

import pytest

from ledgerport.kit.logs import JsonFormatter, TextFormatter, configure_logging


def record(message: str = "hello %s", *args: object, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("ledgerport.test", logging.WARNING, __file__, 1, message, args or ("world",), None)
    made.__dict__.update(extra)
    return made


def test_json_line_has_the_standard_keys_and_the_extras() -> None:
    line = JsonFormatter().format(record(status=200, path="/x", _shown=("status",)))
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["message"] == "hello world"
    assert parsed["level"] == "warning"
    assert parsed["logger"] == "ledgerport.test"
    assert parsed["ts"].endswith("Z")
    assert parsed["status"] == 200
    assert parsed["path"] == "/x"
    assert "_shown" not in parsed


def test_json_line_carries_the_traceback_on_one_line() -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        failed = record(exc_info=sys.exc_info())
    parsed = json.loads(JsonFormatter().format(failed))
    assert "ValueError: boom" in parsed["exc"]


def test_text_line_appends_fields_the_message_does_not_show() -> None:
    line = TextFormatter().format(record(status=200, organization_id="o-1", empty=None, _shown=("status",)))
    assert line.endswith("WARNING ledgerport.test: hello world organization_id=o-1")


def test_configure_logging_refuses_an_unknown_format() -> None:
    with pytest.raises(ValueError, match="log format"):
        configure_logging("xml")
