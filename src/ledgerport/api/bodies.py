"""Request bodies, decoded strictly: whatever a client sends, a body the handler cannot use is a 400, never a 500.

Every endpoint that reads a JSON body calls :func:`read_json` with the msgspec type it expects; the OpenAPI
document declares the same type as the operation's request body, so the document says what the handler enforces.
msgspec raises :class:`UnicodeDecodeError` (not a ``DecodeError``) for invalid UTF-8 inside a JSON string, and
PostgreSQL cannot store text holding NUL, which SQLite would keep: both are refused here, on every database alike,
as Merge's own API refuses them ("Null characters are not allowed.").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

import msgspec
from litestar import Request

from ledgerport.api.errors import BadRequest

__all__ = ["decode_json", "read_json"]

T = TypeVar("T")

_NUL_ESCAPE = b"\\u0000"
"""How a NUL character must appear in JSON text (a raw NUL byte is not valid JSON, which msgspec refuses)."""


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def decode_json(raw: bytes, into: type[T], *, example: str = "", exact: bool = False) -> T:
    """``raw`` decoded as ``into``; a 400 naming the problem otherwise (``example`` shows a body that works).

    ``exact`` reads every JSON number with a fraction as a ``Decimal`` (amounts in a free-form write body must
    never pass through a binary float)."""
    try:
        decoded = (
            msgspec.json.Decoder(into, float_hook=Decimal).decode(raw) if exact else msgspec.json.decode(raw, type=into)
        )
    except msgspec.ValidationError as exc:
        raise BadRequest(f"Invalid request body: {exc}.") from exc
    except msgspec.DecodeError as exc:
        such = f" such as {example}" if example else ""
        raise BadRequest(f"The request body must be a JSON object{such}.") from exc
    except UnicodeDecodeError as exc:
        raise BadRequest("The request body must be UTF-8: a JSON string holds bytes that are not.") from exc
    if _NUL_ESCAPE in raw and _holds_nul(msgspec.json.decode(raw)):
        raise BadRequest("Invalid request body: null characters are not allowed.")
    return decoded


async def read_json(request: Request[Any, Any, Any], into: type[T], *, example: str = "", exact: bool = False) -> T:
    """The request's body decoded as ``into`` (a msgspec Struct, usually), or a 400 in Merge's error shape."""
    return decode_json(await request.body(), into, example=example, exact=exact)
