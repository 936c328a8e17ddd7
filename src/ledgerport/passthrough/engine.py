"""One passthrough: checked, sent through the linked account's :class:`ProviderClient`, logged, answered.

```
check(body) ──refused──> 400 {"detail"}                     (nothing opened, nothing sent)
open_provider ──> root = connector.passthrough_root(facts)   (the account's company, never the caller's choice)
client.relay(request) ──> the provider's answer, any status ──> 200 RemoteResponse {status: the provider's}
                    └── no answer at all ──> 502 {"detail"};  credentials gone ──> 400 {"detail"}: link again
```

The call shares the account's outbound budget, token refresh and provider metrics with syncs and writes
(:meth:`ProviderClient.relay`), and is kept in the provider-call logs like a write's (``remote/recording.py``).
"""

from __future__ import annotations

import base64
import gzip
from collections.abc import Mapping
from typing import Any

import msgspec

from ledgerport.connectors._base import AuthExpired, AuthRevoked, ConnectorError, Response, Transport
from ledgerport.connectors._base.errors import cause_of
from ledgerport.connectors._base.multipart import FormPart, encode_form
from ledgerport.connectors._base.passthrough import PassthroughRefused, forwarded_headers, passthrough_request
from ledgerport.passthrough.forms import form_parts
from ledgerport.passthrough.shapes import DataPassthroughRequest, RemoteResponse
from ledgerport.remote import ProviderDeps, open_provider
from ledgerport.remote.recording import Recorder, call_log
from ledgerport.store.accounts import LinkedAccount
from ledgerport.store.operations import add_write_log

__all__ = ["Answer", "check", "relay"]

_HIDDEN_HEADERS = frozenset(
    {
        "set-cookie",
        "authorization",
        "www-authenticate",
        "connection",
        "keep-alive",
        "transfer-encoding",
        "content-length",
        "content-encoding",
    }
)
"""Provider response headers left out of ``response_headers``: cookies and credentials, and the framing of the
provider's connection, which this answer does not share."""

_CHECK_ROOT = "https://passthrough.invalid/base"
"""A root for checking a request's shape before its account is opened (the real root only prefixes it)."""


class Answer(msgspec.Struct, frozen=True, kw_only=True):
    """What the API answers: our status (200 whenever the provider answered) and the JSON body."""

    status: int
    body: bytes


def _detail(status: int, detail: str) -> Answer:
    return Answer(status=status, body=msgspec.json.encode({"detail": detail}))


def _form(given: DataPassthroughRequest) -> list[FormPart] | None:
    """The multipart parts of a ``MULTIPART`` request (``None`` for the others), checked."""
    if given.request_format != "MULTIPART":
        if given.multipart_form_data:
            raise PassthroughRefused("multipart_form_data is sent only with request_format MULTIPART.")
        return None
    if given.data is not None:
        raise PassthroughRefused("a MULTIPART request sends multipart_form_data; leave data out.")
    if any(name.strip().lower() == "content-type" for name in given.headers or {}):
        raise PassthroughRefused("a MULTIPART request's Content-Type (with its boundary) is set by the server.")
    return form_parts(given.multipart_form_data or ())


def check(given: DataPassthroughRequest) -> None:
    """Refuse (:class:`PassthroughRefused`) what no account could send: a path leaving the API base, a header that
    is not allowed, a multipart field that does not decode."""
    _form(given)
    passthrough_request(_CHECK_ROOT, method=given.method, path=given.path, headers=given.headers, data=given.data)


def _json_type(raw: bytes) -> str:
    """Merge's ``normalize_response`` type name of a JSON document."""
    first = raw.lstrip()[:1]
    return {b"{": "object", b"[": "array", b'"': "string", b"t": "boolean", b"f": "boolean", b"n": "null"}.get(
        first, "number"
    )


def _body(response: Response, normalize: bool) -> tuple[Any, str]:
    """The provider's body for ``response``: its JSON as sent, else its text, else its bytes gzipped in base64."""
    raw = response.body
    kind = "JSON"
    content: Any
    if not raw.strip():
        content, type_name = None, "null"
    else:
        try:
            msgspec.json.decode(raw)
            content, type_name = msgspec.Raw(raw), _json_type(raw)
        except msgspec.DecodeError:
            try:
                content, type_name = raw.decode("utf-8"), "string"
            except UnicodeDecodeError:
                content, type_name, kind = base64.b64encode(gzip.compress(raw)).decode(), "string", "BASE64_GZIP"
    if normalize:
        content = {"type": type_name, "value": content}
    return content, kind


def _response_headers(headers: Mapping[str, str]) -> dict[str, Any]:
    return {name: value for name, value in headers.items() if name.lower() not in _HIDDEN_HEADERS}


async def relay(deps: ProviderDeps, account: LinkedAccount, given: DataPassthroughRequest) -> Answer:
    """Send ``given`` to ``account``'s provider and answer as Merge's passthrough does."""
    try:
        check(given)
    except PassthroughRefused as refused:
        return _detail(400, str(refused))
    recorders: list[Recorder] = []

    def recording(origin: str | None) -> Transport:
        recorder = Recorder(deps.transport(origin))
        recorders.append(recorder)
        return recorder

    try:
        opened = await open_provider(msgspec.structs.replace(deps, transport=recording), account.id)
    except AuthRevoked as exc:
        return _detail(400, cause_of(exc).reason)
    connector = opened.connector
    root = connector.passthrough_root(opened.facts, opened.base_url)
    if root is None:
        return _detail(404, f"{connector.name} does not offer passthrough requests.")
    if given.base_url_override is not None:
        own = {root, connector.passthrough_root(opened.facts, None)}
        if given.base_url_override.rstrip("/") not in own:
            return _detail(400, f"base_url_override may only name this account's own API base, {root}; leave it out.")
    try:
        parts = _form(given)
        body, content_type = (given.data, None) if parts is None else await encode_form(parts)
        request = passthrough_request(
            root,
            method=given.method,
            path=given.path,
            headers=given.headers,
            data=body,
            request_format=given.request_format,
            content_type=content_type,
        )
    except PassthroughRefused as refused:
        return _detail(400, str(refused))
    try:
        response = await opened.client.relay(request)
    except (AuthRevoked, AuthExpired) as exc:
        return _detail(400, cause_of(exc).reason)
    except ConnectorError as exc:
        return _detail(502, f"{connector.name} did not answer the passthrough request: {cause_of(exc).reason}")
    finally:
        await _log(deps, account, root, recorders)
    content, kind = _body(response, given.normalize_response)
    answer = RemoteResponse(
        method=given.method,
        path=given.path,
        status=response.status,
        response=content,
        response_headers=_response_headers(response.headers),
        response_type=kind,  # type: ignore[arg-type]
        headers=forwarded_headers(given.headers),
    )
    return Answer(status=200, body=msgspec.json.encode(answer))


async def _log(deps: ProviderDeps, account: LinkedAccount, root: str, recorders: list[Recorder]) -> None:
    """Keep the passthrough's own calls (not the token refreshes it may have needed) in the provider-call logs."""
    calls = [call for recorder in recorders for call in recorder.calls if call[0].url.startswith(root)]
    if not calls:
        return
    async with deps.database.write() as session:
        for call in calls:
            await add_write_log(session, call_log(account.id, None, call))
