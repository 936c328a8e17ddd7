"""``multipart/form-data`` bodies as bytes, for the transports that send a body whole (every one of ours).

aiohttp's writer does the framing (boundaries, RFC 7578 names and file names); this module only turns its stream
into bytes, so the in-process and function transports of the tests send exactly what the network one would.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
from aiohttp import MultipartWriter
from aiohttp.payload import BytesPayload

__all__ = ["FormPart", "encode_form"]


class FormPart(msgspec.Struct, frozen=True, kw_only=True):
    """One field of a form: a value, or a file when ``file_name`` is set."""

    name: str
    data: bytes
    file_name: str | None = None
    content_type: str | None = None


async def encode_form(parts: Sequence[FormPart]) -> tuple[bytes, str]:
    """The body and its ``Content-Type`` (with the boundary) for ``parts``, in their order."""
    writer = MultipartWriter("form-data")
    for part in parts:
        default = "application/octet-stream" if part.file_name else "text/plain; charset=utf-8"
        payload = BytesPayload(part.data, content_type=part.content_type or default)
        if part.file_name is None:
            payload.set_content_disposition("form-data", name=part.name)
        else:
            payload.set_content_disposition("form-data", name=part.name, filename=part.file_name)
        writer.append_payload(payload)
    return await writer.as_bytes(), writer.content_type
