"""API keys, managed over the API as Merge's ``generate-key`` and ``regenerate-key`` do.

``generate-key`` issues an additional key for the caller's organization; ``regenerate-key`` issues a new one and
revokes the key that made the call (key rotation without a window where neither works). Keys are shown once.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import MediaType, Request, Response, post

from ledgerport.api.auth import actor_of, api_key_of, authenticate_organization
from ledgerport.api.bodies import read_json
from ledgerport.api.context import context_of
from ledgerport.api.shapes import RemoteKey
from ledgerport.store.accounts import create_api_key, revoke_api_key

__all__ = ["KEY_HANDLERS", "RemoteKeyRequest"]


class RemoteKeyRequest(msgspec.Struct, forbid_unknown_fields=True):
    """The body of both endpoints."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


_EXAMPLE = '{"name": "my key"}'


@post("/generate-key", name="generate-key", status_code=200, include_in_schema=False)
async def generate_key(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Issue another API key for the caller's organization."""
    organization_id = await authenticate_organization(request)
    body = await read_json(request, RemoteKeyRequest, example=_EXAMPLE)
    async with context_of(request).database.write() as session:
        key = await create_api_key(session, organization_id=organization_id, name=body.name, actor=actor_of(request))
    return Response(content=msgspec.json.encode(RemoteKey(name=body.name, key=key.secret)), media_type=MediaType.JSON)


@post("/regenerate-key", name="regenerate-key", status_code=200, include_in_schema=False)
async def regenerate_key(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Issue a new API key and revoke the one this request was made with."""
    organization_id = await authenticate_organization(request)
    body = await read_json(request, RemoteKeyRequest, example=_EXAMPLE)
    context = context_of(request)
    async with context.database.write() as session:
        actor = actor_of(request)
        key = await create_api_key(session, organization_id=organization_id, name=body.name, actor=actor)
        await revoke_api_key(session, secret=api_key_of(request), actor=actor)
    context.credentials.clear()
    return Response(content=msgspec.json.encode(RemoteKey(name=body.name, key=key.secret)), media_type=MediaType.JSON)


KEY_HANDLERS = [generate_key, regenerate_key]
