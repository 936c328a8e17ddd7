"""NetSuite's error body, ``nsError``, and the errors the sandbox raises.

Every REST, SuiteQL and async failure is ``{"type", "title", "status", "o:errorDetails": [{"detail",
"o:errorCode", ...}]}`` with ``Content-Type: application/vnd.oracle.resource+json; type=error``. ``type`` is the
RFC 9110 section URL responses carry since 2024 (FACTS §3.4; anchors other than 400's are a guess).
"""

from __future__ import annotations

from typing import Any

from ledgerport.sandboxes.netsuite.wire import ERROR, Halt, Response, encode_json

__all__ = [
    "TITLES",
    "concurrency_exceeded",
    "error_body",
    "fail",
    "invalid_content",
    "invalid_login",
    "invalid_parameter",
    "nonexistent_id",
    "not_found",
    "user_error",
]

TITLES = {
    400: ("Bad Request", "15.5.1"),
    401: ("Unauthorized", "15.5.2"),
    403: ("Forbidden", "15.5.4"),
    404: ("Not Found", "15.5.5"),
    405: ("Method Not Allowed", "15.5.6"),
    429: ("Too Many Requests", "15.5.30"),
    500: ("Internal Server Error", "15.6.1"),
    503: ("Service Unavailable", "15.6.4"),
}


def error_body(status: int, code: str, detail: str, **extra: str) -> bytes:
    """An nsError body; ``extra`` adds ``o:errorPath``, ``o:errorQueryParam``, ``o:errorHeader``, ``o:errorUrl``."""
    title, anchor = TITLES.get(status, ("Error", "15.5.1"))
    item: dict[str, Any] = {"detail": detail, "o:errorCode": code}
    item.update({f"o:{key}": value for key, value in extra.items()})
    return encode_json(
        {
            "type": f"https://www.rfc-editor.org/rfc/rfc9110.html#section-{anchor}",
            "title": title,
            "status": status,
            "o:errorDetails": [item],
        }
    )


def fail(status: int, code: str, detail: str, **extra: str) -> Halt:
    """A ``Halt`` carrying an nsError response (``raise fail(...)``)."""
    return Halt(Response(status, error_body(status, code, detail, **extra), ERROR))


def invalid_login() -> Halt:
    """401: bad, expired or missing credentials (NetSuite says no more)."""
    return fail(
        401,
        "INVALID_LOGIN",
        "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at Setup > Users/Roles"
        " > User Management > View Login Audit Trail.",
    )


def not_found(path: str) -> Halt:
    """404 for an unknown resource path."""
    return fail(404, "NONEXISTENT_ID", f"The specified path {path} does not exist.", errorUrl=path)


def nonexistent_id(type_name: str, record_id: str) -> Halt:
    """404 for an unknown record id."""
    return fail(
        404,
        "NONEXISTENT_ID",
        f"The record instance does not exist. Provide a valid record instance ID ({type_name} {record_id}).",
    )


def invalid_content(detail: str, path: str | None = None) -> Halt:
    """400 INVALID_CONTENT: a value the record layer cannot take."""
    return fail(400, "INVALID_CONTENT", detail, **({"errorPath": path} if path else {}))


def invalid_parameter(detail: str, param: str) -> Halt:
    """400 INVALID_PARAMETER: a query parameter NetSuite cannot parse."""
    return fail(400, "INVALID_PARAMETER", detail, errorQueryParam=param)


def user_error(detail: str, path: str | None = None) -> Halt:
    """400 USER_ERROR: a business rule of the record layer (closed period, unbalanced journal...)."""
    return fail(400, "USER_ERROR", detail, **({"errorPath": path} if path else {}))


def concurrency_exceeded() -> bytes:
    """The 429 body past the account's concurrency limit (the error code is a guess, FACTS §5)."""
    return error_body(
        429,
        "CONCURRENCY_LIMIT_EXCEEDED",
        "Concurrent request limit exceeded. Request blocked.",
    )
