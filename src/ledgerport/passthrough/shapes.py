"""Merge's passthrough wire shapes (names as Merge spells them, ``Reciept`` included: the SDKs decode these)."""

from __future__ import annotations

from typing import Any, Literal

import msgspec

__all__ = ["AsyncPassthroughReciept", "DataPassthroughRequest", "MultipartFormFieldRequest", "RemoteResponse"]


class MultipartFormFieldRequest(msgspec.Struct, kw_only=True):
    """One field of a ``MULTIPART`` body; ``data`` is text, base64 or gzipped base64 as ``encoding`` says."""

    name: str
    data: str
    encoding: Literal["RAW", "BASE64", "GZIP_BASE64"] | None = None
    file_name: str | None = None
    content_type: str | None = None


class DataPassthroughRequest(msgspec.Struct, kw_only=True):
    """The body of ``POST /passthrough`` and ``POST /async-passthrough``: a request to the linked account's
    provider. ``path`` is relative to the integration's API base for this account (a QuickBooks path is below the
    realm's company: ``/query?query=select * from CompanyInfo``; a Xero path below ``/api.xro/2.0``:
    ``/Organisation``)."""

    method: Literal["GET", "OPTIONS", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
    path: str
    base_url_override: str | None = None
    """Accepted only when it names this account's own API base (it then changes nothing)."""
    data: str | None = None
    multipart_form_data: list[MultipartFormFieldRequest] | None = None
    headers: dict[str, Any] | None = None
    """Only Accept, Content-Type, If-Match, If-None-Match, If-Modified-Since and Prefer; the linked account's
    credentials are added by the server."""
    request_format: Literal["JSON", "XML", "MULTIPART"] | None = None
    normalize_response: bool = False


class RemoteResponse(msgspec.Struct, kw_only=True):
    """What the provider answered: its status, body (JSON as sent, text otherwise, or gzip+base64 bytes with
    ``response_type`` ``BASE64_GZIP``), headers, and the headers the request was sent with (credentials aside)."""

    method: str
    path: str
    status: int
    response: Any
    response_headers: dict[str, Any]
    response_type: Literal["JSON", "BASE64_GZIP"]
    headers: dict[str, Any]


class AsyncPassthroughReciept(msgspec.Struct, kw_only=True):
    """``POST /async-passthrough``'s answer: the id to ask ``GET /async-passthrough/{id}`` with."""

    async_passthrough_receipt_id: str
