"""Files a connector uploads and downloads: the bytes travel beside the write tables' JSON, never inside it.

A write of a file model (``AccountingAttachment``) reaches the connector's tables with ``file_url`` already turned
into a ``data:`` URL by the API (which alone may fetch a tenant's URL, through its address guards); the table's
``Put`` for ``file_url`` decodes it into a :class:`FileBody`, which the connector's writer sends as the provider
wants (QBO: a multipart upload; Xero: the raw bytes as the body). A download is the connector's
:data:`Download` function: the bytes of one stored record, fetched with the linked account's credentials.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_to_bytes

import msgspec

if TYPE_CHECKING:
    from ledgerport.connectors._base.client import ProviderClient

__all__ = ["Download", "FileBody", "data_url", "inline_file_problem", "read_data_url"]

DEFAULT_TYPE = "application/octet-stream"


class FileBody(msgspec.Struct, frozen=True, kw_only=True):
    """A file's bytes and media type."""

    data: bytes
    content_type: str = DEFAULT_TYPE


Download = Callable[["ProviderClient", str, Mapping[str, Any] | None], Awaitable[FileBody]]
"""``download(client, remote_id, remote_data)`` → the file of one stored record (``remote_data``: the provider's
JSON the record was stored from, where the provider's download path is written, or ``None``)."""


def data_url(body: FileBody) -> str:
    """``body`` as an RFC 2397 ``data:`` URL (base64)."""
    return f"data:{body.content_type};base64,{base64.b64encode(body.data).decode('ascii')}"


def read_data_url(url: str) -> FileBody:
    """The bytes of an RFC 2397 ``data:`` URL; ``ValueError`` for any other text."""
    if not url.startswith("data:") or "," not in url:
        raise ValueError("not a data: URL")
    head, _, payload = url[5:].partition(",")
    parts = [part.strip() for part in head.split(";")]
    encoded = bool(parts) and parts[-1].lower() == "base64"
    if encoded:
        parts = parts[:-1]
    media = parts[0] if parts and "/" in parts[0] else "text/plain"
    try:
        data = base64.b64decode(payload, validate=True) if encoded else unquote_to_bytes(payload)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"the data: URL's base64 is malformed: {exc}") from exc
    return FileBody(data=data, content_type=media.lower())


def inline_file_problem(model: Mapping[str, Any]) -> str | None:
    """A write check: ``file_url`` must reach a connector as a ``data:`` URL (the API fetched it), and decode."""
    url = model.get("file_url")
    if isinstance(url, str) and not url.startswith("data:"):
        return "file_url must be fetched by ledgerport before it is written (POST /attachments does)."
    try:
        if isinstance(url, str):
            read_data_url(url)
    except ValueError as exc:
        return str(exc)
    return None
