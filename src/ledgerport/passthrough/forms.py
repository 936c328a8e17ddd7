"""Merge's ``multipart_form_data`` fields, decoded into the form parts a passthrough sends.

Each field's ``data`` is text (``RAW``), base64 (``BASE64``) or gzipped base64 (``GZIP_BASE64``). Decoding is
bounded: a small gzip that would inflate past :data:`MAX_FORM_BYTES` is refused while it inflates, never held
whole, so a tenant cannot exhaust the server's memory with a compressed body.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from collections.abc import Sequence

from ledgerport.connectors._base.multipart import FormPart
from ledgerport.connectors._base.passthrough import PassthroughRefused
from ledgerport.passthrough.shapes import MultipartFormFieldRequest

__all__ = ["MAX_FORM_BYTES", "MAX_FORM_FIELDS", "form_parts"]

MAX_FORM_BYTES = 25 * 1024 * 1024
"""The most a multipart body's decoded fields may hold together (the providers' attachment limits are near it)."""

MAX_FORM_FIELDS = 100


def _printable(text: str, limit: int) -> bool:
    return 0 < len(text) <= limit and all(0x20 <= ord(ch) < 0x7F or ord(ch) > 0x9F for ch in text)


def _inflate(packed: bytes, room: int, name: str) -> bytes:
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)  # gzip framing
    try:
        out = inflater.decompress(packed, room + 1)
    except zlib.error as exc:
        raise PassthroughRefused(f"multipart_form_data field {name!r}: data is not valid gzip ({exc}).") from exc
    if len(out) > room or inflater.unconsumed_tail:
        raise PassthroughRefused(f"multipart_form_data may hold at most {MAX_FORM_BYTES} bytes once decoded.")
    if not inflater.eof:
        raise PassthroughRefused(f"multipart_form_data field {name!r}: data is truncated gzip.")
    return out


def _decoded(field: MultipartFormFieldRequest, room: int) -> bytes:
    encoding = field.encoding or "RAW"
    if encoding == "RAW":
        return field.data.encode()
    try:
        packed = base64.b64decode(field.data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PassthroughRefused(f"multipart_form_data field {field.name!r}: data is not valid base64.") from exc
    return packed if encoding == "BASE64" else _inflate(packed, room, field.name)


def form_parts(fields: Sequence[MultipartFormFieldRequest]) -> list[FormPart]:
    """The parts to send, in order; :class:`PassthroughRefused` names the first field that cannot be sent."""
    if not fields:
        raise PassthroughRefused("request_format MULTIPART needs at least one multipart_form_data field.")
    if len(fields) > MAX_FORM_FIELDS:
        raise PassthroughRefused(f"multipart_form_data may hold at most {MAX_FORM_FIELDS} fields.")
    parts: list[FormPart] = []
    used = 0
    for field in fields:
        if not _printable(field.name, 200):
            raise PassthroughRefused("multipart_form_data names must be 1 to 200 printable characters.")
        if field.file_name is not None and not _printable(field.file_name, 255):
            raise PassthroughRefused(f"multipart_form_data field {field.name!r}: file_name must be printable.")
        if field.content_type is not None and not (
            _printable(field.content_type, 200) and field.content_type.isascii()
        ):
            raise PassthroughRefused(f"multipart_form_data field {field.name!r}: content_type must be printable ASCII.")
        data = _decoded(field, MAX_FORM_BYTES - used)
        used += len(data)
        if used > MAX_FORM_BYTES:
            raise PassthroughRefused(f"multipart_form_data may hold at most {MAX_FORM_BYTES} bytes once decoded.")
        parts.append(FormPart(name=field.name, data=data, file_name=field.file_name, content_type=field.content_type))
    return parts
