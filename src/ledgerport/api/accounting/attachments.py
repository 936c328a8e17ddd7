"""Files: what ``POST /attachments`` does before the write engine, the ``file_url`` every answer carries, and
``GET /attachments/{id}/download``.

```
POST /attachments {model: {file_name, file_url, integration_params?}}
    file_url ──fetched (api/fetching.py: allowed hosts, no private addresses, size and time limits)──> data: URL
    ──> the write engine, as every create (the connector's table turns the data: URL into the upload's bytes)
GET  /attachments, /attachments/{id}, the POST's answer
    file_url = <public URL>/api/accounting/v1/attachments/{id}/download
GET  /attachments/{id}/download ──the account's own record──> connector.download(client, ...) ──> the bytes
```

``file_url`` is never a provider's link: QBO's are signed for minutes, Xero's need the organisation's token, and
either would hand a tenant's file to whoever holds the URL. Ours is authenticated like every endpoint (API key and
account token), and a record of another linked account is not found. The stored document keeps ``file_url``
empty; it is filled when a page is rendered, as the link depends on where this server is reached.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import quote

import msgspec
from litestar import Request, Response, get
from litestar.handlers import HTTPRouteHandler

from ledgerport.api.auth import authenticate_account
from ledgerport.api.context import context_of
from ledgerport.api.errors import NotFound, problem_response
from ledgerport.api.fetching import FileRefused
from ledgerport.api.params import parse_uuid
from ledgerport.connectors import connector_for_slug
from ledgerport.connectors._base import AuthExpired, AuthRevoked, ConnectorError, RateLimited
from ledgerport.connectors._base import NotFound as ProviderNotFound
from ledgerport.connectors._base.files import data_url
from ledgerport.models import MODELS, ModelSpec
from ledgerport.remote import open_provider
from ledgerport.store.records import find_record
from ledgerport.writes.problems import INCORRECT_FIELD_TYPE, MISSING_REQUIRED_FIELD, problem

__all__ = ["download_handlers", "download_link", "fetched_model", "with_links", "with_written_link"]

_decoder = msgspec.json.Decoder(float_hook=Decimal)
_encoder = msgspec.json.Encoder(decimal_format="number")
_API = "/api/accounting/v1"


def download_link(public_url: str, spec: ModelSpec, record_id: str) -> str:
    """Where a file record's bytes are served."""
    return f"{public_url}{_API}/{spec.path}/{record_id}/download"


def _linked(document: Any, public_url: str, spec: ModelSpec) -> Any:
    if isinstance(document, dict) and spec.file_field is not None and document.get("id"):
        document[spec.file_field] = download_link(public_url, spec, str(document["id"]))
    return document


def with_links(request: Request[Any, Any, Any], spec: ModelSpec, bodies: list[bytes]) -> list[bytes]:
    """Rendered records of a file model, each with its download link (other models' bodies as they are)."""
    if spec.file_field is None:
        return bodies
    public_url = context_of(request).public_url
    return [_encoder.encode(_linked(_decoder.decode(body), public_url, spec)) for body in bodies]


def with_written_link(request: Request[Any, Any, Any], spec: ModelSpec, status: int, body: bytes) -> bytes:
    """A write's answer (``{model, warnings, errors}``) with the model's download link."""
    if spec.file_field is None or status >= 300 or not body:
        return body
    answer = _decoder.decode(body)
    if isinstance(answer, dict) and isinstance(answer.get("model"), dict):
        _linked(answer["model"], context_of(request).public_url, spec)
        return _encoder.encode(answer)
    return body


def _refusal(detail: str, title: str = "Invalid File URL", kind: str = INCORRECT_FIELD_TYPE) -> Response[bytes]:
    body = {"warnings": [], "errors": [problem(kind, title, detail, "/model/file_url")]}
    return Response(content=_encoder.encode(body), status_code=400, media_type="application/json")


async def fetched_model(
    request: Request[Any, Any, Any], spec: ModelSpec, model: dict[str, Any]
) -> dict[str, Any] | Response[bytes]:
    """The request's model with ``file_url`` replaced by the fetched bytes (a ``data:`` URL), or the 400 that
    refuses it before anything is written. Other models' requests pass unchanged."""
    field = spec.file_field
    if field is None or not isinstance(model, dict):
        return model
    url = model.get(field)
    if url is None:
        detail = f"{field} is required: a URL this server may fetch, or a data: URL."
        return _refusal(detail, "Missing Required Field", MISSING_REQUIRED_FIELD)
    if not isinstance(url, str):
        return _refusal(f"{field} must be a URL.")
    context = context_of(request)
    try:
        body = await context.fetch_file(url, context.file_policy)
    except FileRefused as exc:
        return _refusal(str(exc))
    return {**model, field: data_url(body)}


def _disposition(name: str) -> str:
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name) or "file"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _download_handler(spec: ModelSpec) -> Any:
    async def download_file(request: Request[Any, Any, Any], record_id: str) -> Response[bytes]:
        account = await authenticate_account(request)
        wanted = parse_uuid(record_id)
        if wanted is None:
            raise NotFound()
        context = context_of(request)
        async with context.database.read() as read:
            row = await find_record(
                read, linked_account_id=account.id, model=spec.name, record_id=wanted, with_remote_data=True
            )
        if row is None:
            raise NotFound()
        connector = connector_for_slug(account.integration)
        if connector is None or connector.download is None or context.writes is None:
            raise NotFound(f"{account.integration_name} files are not served by this server.")
        document = _decoder.decode(row.document)
        stored = _decoder.decode(row.remote_data) if row.remote_data else []
        remote_data = stored[0].get("data") if stored and isinstance(stored[0], dict) else None
        try:
            opened = await open_provider(context.writes.providers, account.id)
            file = await connector.download(opened.client, str(document.get("remote_id") or ""), remote_data)
        except ProviderNotFound as exc:
            raise NotFound(f"The file is no longer at {account.integration_name}.") from exc
        except (AuthRevoked, AuthExpired) as exc:
            return problem_response(502, f"{account.integration_name} refused this account's credentials ({exc}).")
        except RateLimited as exc:
            wait = str(max(1, round(exc.retry_after or 1)))
            detail = f"{account.integration_name} is rate limiting this company; retry in {wait} seconds."
            return problem_response(429, detail, {"Retry-After": wait})
        except ConnectorError as exc:
            return problem_response(502, f"The file could not be read from {account.integration_name} ({exc}).")
        name = str(document.get("file_name") or "file")
        return Response(
            content=file.data,
            media_type=file.content_type,
            headers={
                "Content-Disposition": _disposition(name),
                "Content-Security-Policy": "sandbox; default-src 'none'",
                "X-Content-Type-Options": "nosniff",
            },
        )

    download_file.__name__ = f"download_{spec.path.replace('-', '_')}"
    return download_file


def download_handlers() -> list[HTTPRouteHandler]:
    """``GET /<path>/{id}/download`` for every file model."""
    return [
        get(f"/{spec.path}/{{record_id:str}}/download", name=f"download-{spec.path}", include_in_schema=False)(
            _download_handler(spec)
        )
        for spec in MODELS.values()
        if spec.file_field is not None
    ]
