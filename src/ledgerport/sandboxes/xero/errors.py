"""Xero's error bodies, each raised as one exception type that carries its finished response.

ApiError                  status + body; the router turns it into the response
├── problem(...)          401/403/429/503: problem JSON with PascalCase keys (Type, Title, Status, Detail, ...)
├── not_found()           404: Xero answers a plain text sentence, not JSON
├── validation_exception  400: ErrorNumber 10, Elements echo the failing items with ValidationErrors
├── query_parse           400: ErrorNumber 16, a ``where``/``order`` Xero could not parse
└── post_data_invalid     400: ErrorNumber 14, a body that is not the JSON Xero expects
"""

from __future__ import annotations

import uuid
from typing import Any

from ledgerport.sandboxes.xero.http import Halt, Response, encode_json

__all__ = [
    "ApiError",
    "NOT_FOUND_TEXT",
    "not_found",
    "post_data_invalid",
    "problem",
    "problem_body",
    "query_parse",
    "validation_exception",
]

NOT_FOUND_TEXT = b"The resource you're looking for cannot be found"


class ApiError(Halt):
    """An error response, ready to send."""


def problem_body(status: int, title: str, detail: str) -> bytes:
    """The identity-layer problem JSON (captured 401: ``{"Type":null,"Title":"Unauthorized",...}``)."""
    return encode_json(
        {
            "Type": None,
            "Title": title,
            "Status": status,
            "Detail": detail,
            "Instance": str(uuid.uuid4()),
            "Extensions": {},
        }
    )


def problem(status: int, title: str, detail: str, headers: list[tuple[str, str]] | None = None) -> ApiError:
    """401 Unauthorized, 403 Forbidden, 429 Too Many Requests... as problem JSON."""
    return ApiError(Response(status, problem_body(status, title, detail), headers=headers or []))


def not_found() -> ApiError:
    """404 for an unknown id: Xero's body is this sentence as text/html (Xero-OpenAPI#163)."""
    return ApiError(Response(404, NOT_FOUND_TEXT, content_type="text/html; charset=utf-8"))


def _api_exception(number: int, kind: str, message: str, elements: list[dict[str, Any]] | None = None) -> ApiError:
    body: dict[str, Any] = {"ErrorNumber": number, "Type": kind, "Message": message}
    if elements is not None:
        body["Elements"] = elements
    return ApiError(Response(400, encode_json(body)))


def validation_exception(elements: list[dict[str, Any]]) -> ApiError:
    """400 ValidationException listing only the failing elements."""
    return _api_exception(10, "ValidationException", "A validation exception occurred", elements)


def query_parse(message: str) -> ApiError:
    """400 QueryParseException for a ``where`` or ``order`` the sandbox cannot parse."""
    return _api_exception(16, "QueryParseException", message)


def post_data_invalid(message: str) -> ApiError:
    """400 PostDataInvalidException for an unreadable body."""
    return _api_exception(14, "PostDataInvalidException", message)
