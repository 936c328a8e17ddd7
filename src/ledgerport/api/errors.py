"""Every failure leaves the API as Merge leaves it: a status and ``{"detail": "..."}``.

```
ApiProblem (status, detail, headers)
 ├─ BadRequest        400  a malformed or unknown parameter, named in the detail
 ├─ Unauthorized      401  missing, unknown or revoked credentials
 ├─ NotFound          404  no such route or record, or one that belongs to another organization
 └─ Throttled         429  the linked account's request budget is spent; carries Retry-After
```
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException

from ledgerport.kit.ratelimit import retry_after_header

__all__ = [
    "ApiProblem",
    "BadRequest",
    "EXCEPTION_HANDLERS",
    "NotFound",
    "Throttled",
    "Unauthorized",
    "problem_response",
]

_log = logging.getLogger("ledgerport.api")


class ApiProblem(Exception):
    """A failure the client caused or must know about; rendered as ``{"detail": ...}``."""

    status: int = 400

    def __init__(self, detail: str, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = dict(headers or {})


class BadRequest(ApiProblem):
    """400: a malformed or unknown parameter."""

    status = 400


class Unauthorized(ApiProblem):
    """401: credentials are missing or wrong."""

    status = 401


class NotFound(ApiProblem):
    """404: there is nothing here for this caller."""

    status = 404

    def __init__(self, detail: str = "Not found.") -> None:
        super().__init__(detail)


class Throttled(ApiProblem):
    """429: the request budget is spent; ``Retry-After`` says for how long."""

    status = 429

    def __init__(self, retry_after: float) -> None:
        seconds = retry_after_header(retry_after)
        super().__init__(
            f"Request was throttled. Expected available in {seconds} seconds.", headers={"Retry-After": seconds}
        )


def problem_response(status: int, detail: str, headers: Mapping[str, str] | None = None) -> Response[bytes]:
    """The one shape every error takes."""
    return Response(
        content=msgspec.json.encode({"detail": detail}),
        status_code=status,
        media_type=MediaType.JSON,
        headers=dict(headers or {}),
    )


def _on_problem(_request: Request, exc: Exception) -> Response[bytes]:
    assert isinstance(exc, ApiProblem)
    return problem_response(exc.status, exc.detail, exc.headers)


_HTTP_DETAILS = {404: "Not found.", 405: "Method not allowed.", 401: "Authentication credentials were not provided."}


def _on_http(_request: Request, exc: Exception) -> Response[bytes]:
    assert isinstance(exc, HTTPException)
    detail = _HTTP_DETAILS.get(exc.status_code, exc.detail)
    return problem_response(exc.status_code, detail, exc.headers)


def _on_crash(request: Request, exc: Exception) -> Response[bytes]:
    _log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(500, "A server error occurred.")


EXCEPTION_HANDLERS = {ApiProblem: _on_problem, HTTPException: _on_http, Exception: _on_crash}
