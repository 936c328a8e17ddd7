"""Merge's link flow, server-side: link token → link page → provider consent → public token → account token.

```
backend   POST /link-token                      → {link_token, magic_link_url}        (API key)
person    GET  /link?link_token=…               → choose a platform (HTML)
person    POST /link/start                      → 302 to the provider's consent page (state stored as a digest)
provider  GET  /link/callback?code&state        → linked account made; page shows the public token
backend   GET  /account-token/{public_token}    → {account_token, integration, id}    (once, same organization)
backend   POST /account-token/regenerate        → {linked_account_id, account_token}  (X-Account-Token)
```

The account token exists in the clear only in the exchange's answer: between the callback and the exchange it is
sealed in the link session with the app's :class:`~ledgerport.kit.sealing.Sealer`. The pages answer HTML (errors
too, 400), the endpoints JSON, as Merge's do. Provider origins and the registration presented at each come from
``ApiContext.registrations``: a person may type another origin only for a sandboxed connector and only one the
operator allowlisted, and the operator's registration never goes anywhere but the configured origin.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any, Literal
from urllib.parse import quote

import msgspec
from litestar import MediaType, Request, Response, get, post
from litestar.response import Redirect

from ledgerport.api.auth import authenticate_account, authenticate_organization
from ledgerport.api.bodies import read_json
from ledgerport.api.context import ApiContext, context_of
from ledgerport.api.errors import BadRequest, NotFound
from ledgerport.api.link_page import IntegrationChoice, choice_page, error_page, linked_page
from ledgerport.api.shapes import AccountIntegration, AccountToken, LinkToken, RegenerateAccountToken
from ledgerport.connectors import CONNECTORS, Connector, connector_for_slug
from ledgerport.connectors._base import ConnectorError
from ledgerport.connectors._base.auth import OAuthClient
from ledgerport.connectors._base.registrations import NotRegistered, OriginRefused
from ledgerport.kit import clock
from ledgerport.linking import EndUser, authorize_url, complete, typed_facts
from ledgerport.models.integrations import INTEGRATIONS, Integration, UnknownIntegration, find_integration
from ledgerport.store.accounts import find_linked_account, regenerate_account_token
from ledgerport.store.links import (
    LinkSession,
    claim_link_state,
    claim_public_token,
    create_link_session,
    delete_expired_link_sessions,
    find_link_session,
    finish_link_session,
    start_link_session,
)
from ledgerport.sync.tasks import queue_sync

__all__ = ["LINK_API_HANDLERS", "LINK_PAGE_HANDLERS", "LinkTokenRequest"]

DEFAULT_EXPIRY_MINUTES = 30
_MINUTE = 60_000_000
_PAGE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
"""Pages carry tokens: never cached, and never leaked to the provider in a Referer."""


class LinkTokenRequest(msgspec.Struct, kw_only=True):
    """The body of ``POST /link-token``; the SDK's other optional fields are accepted and ignored."""

    # The OpenAPI document declares this Struct as the request body: its annotations are the rules both ways.

    end_user_email_address: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    end_user_organization_name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    end_user_origin_id: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    categories: Annotated[
        list[Literal["accounting"]],
        msgspec.Meta(min_length=1, description='["accounting"]: ledgerport links accounting platforms only.'),
    ]
    integration: (
        Annotated[
            str,
            msgspec.Meta(
                description="The integration to link, preselected (its slug; names and aliases are accepted too).",
                extra_json_schema={"enum": sorted(connector.slug for connector in CONNECTORS.values())},
            ),
        ]
        | None
    ) = None
    link_expiry_mins: Annotated[int, msgspec.Meta(ge=30, le=720)] | None = None


# --- JSON endpoints ---------------------------------------------------------------------------------------------


async def _link_token_body(request: Request[Any, Any, Any]) -> LinkTokenRequest:
    return await read_json(request, LinkTokenRequest)


def _linkable(text: str) -> Integration:
    """The integration a slug (or alias) names, if ledgerport has a connector for it; else 400."""
    try:
        integration = find_integration(text)
    except UnknownIntegration as exc:
        raise BadRequest(f"integration: {exc}.") from exc
    if connector_for_slug(integration.slug) is None:
        available = ", ".join(connector.slug for connector in CONNECTORS.values())
        raise BadRequest(f"integration: {integration.name} cannot be linked yet; available: {available}.")
    return integration


@post("/link-token", name="link-token", status_code=200, include_in_schema=False)
async def create_link_token(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Start a link flow for an end user; the magic link is what the person opens."""
    organization_id = await authenticate_organization(request)
    body = await _link_token_body(request)
    integration = None if body.integration is None else _linkable(body.integration)
    minutes = body.link_expiry_mins or DEFAULT_EXPIRY_MINUTES
    details = {
        "end_user": {
            "organization_name": body.end_user_organization_name,
            "email_address": body.end_user_email_address,
            "origin_id": body.end_user_origin_id,
        },
        "integration": None if integration is None else integration.slug,
    }
    context = context_of(request)
    async with context.database.write() as session:
        await delete_expired_link_sessions(session)
        made = await create_link_session(
            session,
            organization_id=organization_id,
            details=details,
            expires_at=clock.now_micros() + minutes * _MINUTE,
        )
    answer = LinkToken(
        link_token=made.link_token,
        integration_name=None if integration is None else integration.name,
        magic_link_url=f"{context.public_url}/link?link_token={quote(made.link_token)}",
    )
    return Response(content=msgspec.json.encode(answer), media_type=MediaType.JSON)


def _integration_body(slug: str, name: str) -> AccountIntegration:
    integration = INTEGRATIONS.get(slug) or Integration(slug=slug, name=name, abbreviated_name=name, color="#000000")
    return AccountIntegration(
        name=integration.name,
        categories=["accounting"],
        image=None,
        square_image=None,
        color=integration.color,
        slug=integration.slug,
    )


@get("/account-token/{public_token:str}", name="account-token", include_in_schema=False)
async def retrieve_account_token(request: Request[Any, Any, Any], public_token: str) -> Response[bytes]:
    """Exchange a public token for the account token, once, for the organization that made the link token."""
    organization_id = await authenticate_organization(request)
    context = context_of(request)
    async with context.database.write() as session:
        claimed = await claim_public_token(session, organization_id=organization_id, public_token=public_token)
        if claimed is None or claimed.linked_account_id is None:
            raise NotFound()
        account = await find_linked_account(
            session, organization_id=organization_id, account_id=claimed.linked_account_id
        )
        if account is None:
            raise NotFound()
        account_token = context.sealer.open(claimed.details["sealed_account_token"].encode()).decode()
    answer = AccountToken(
        account_token=account_token,
        integration=_integration_body(account.integration, account.integration_name),
        id=str(account.id),
    )
    return Response(content=msgspec.json.encode(answer), media_type=MediaType.JSON)


@post("/account-token/regenerate", name="account-token-regenerate", status_code=200, include_in_schema=False)
async def regenerate_account_token_handler(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Replace the calling account token; the old one fails at once here, within the auth cache delay elsewhere."""
    account = await authenticate_account(request)
    context = context_of(request)
    async with context.database.write() as session:
        token = await regenerate_account_token(session, account_id=account.id)
    context.credentials.forget_account(account.id)
    answer = RegenerateAccountToken(linked_account_id=str(account.id), account_token=token)
    return Response(content=msgspec.json.encode(answer), media_type=MediaType.JSON)


LINK_API_HANDLERS = [create_link_token, retrieve_account_token, regenerate_account_token_handler]


# --- pages ------------------------------------------------------------------------------------------------------


class _Stop(Exception):
    """The flow cannot go on; the message is shown to the person on a 400 page."""


def _html(content: str, status: int = 200) -> Response[str]:
    return Response(content=content, status_code=status, media_type=MediaType.HTML, headers=_PAGE_HEADERS)


async def _open_session(context: ApiContext, link_token: str | None) -> LinkSession:
    if not link_token:
        raise _Stop("This link is incomplete: it carries no link token.")
    async with context.database.read() as session:
        found = await find_link_session(session, link_token=link_token)
    if found is None:
        raise _Stop("This link is not valid. Ask for a new one.")
    if found.expired():
        raise _Stop("This link has expired. Ask for a new one.")
    if found.linked_account_id is not None:
        raise _Stop("This link was already used to connect an account.")
    return found


def _choices(found: LinkSession) -> list[Connector]:
    preselected = found.details.get("integration")
    return [c for c in CONNECTORS.values() if preselected is None or c.slug == preselected]


def _typed_origins_allowed(context: ApiContext) -> bool:
    """Whether the page offers a "sandbox URL" field: only when the operator allows other sandboxes."""
    return bool(context.registrations.allowed_sandboxes) and bool(context.registrations.sandbox_origins)


def _endpoint(context: ApiContext, connector: Connector, typed: str | None) -> tuple[str | None, OAuthClient]:
    """The provider origin of this link and the registration to present there, or why the link cannot start.

    The origin is the configured one, or for a sandboxed connector an allowlisted sandbox typed on the page; the
    operator's own registration is never presented anywhere but at the configured origin.
    """
    try:
        origin = context.registrations.origin(connector.key, typed)
        return origin, context.registrations.client(connector.key, origin)
    except OriginRefused as exc:
        raise _Stop(f"The sandbox URL cannot be used: {exc}.") from exc
    except NotRegistered as exc:
        raise _Stop(f"{connector.name} cannot be connected from this server yet: {exc}.") from exc


@get("/link", name="link-page", include_in_schema=False)
async def show_link_page(request: Request[Any, Any, Any]) -> Response[str]:
    """The magic link: which platform to connect."""
    context = context_of(request)
    try:
        found = await _open_session(context, request.query_params.get("link_token"))
    except _Stop as stop:
        return _html(error_page(str(stop)), 400)
    choices = []
    fields: dict[str, str] = {}
    for connector in _choices(found):
        integration = INTEGRATIONS[connector.slug]
        choices.append(IntegrationChoice(slug=integration.slug, name=integration.name, color=integration.color))
        for field in connector.link_fields:
            fields.setdefault(field.name, f"{field.label} ({integration.name} only)")
    page = choice_page(
        link_token=request.query_params["link_token"],
        organization_name=found.details["end_user"]["organization_name"],
        integrations=choices,
        sandbox_url=_typed_origins_allowed(context),
        fields=list(fields.items()),
    )
    return _html(page)


@post("/link/start", name="link-start", include_in_schema=False)
async def start_link(request: Request[Any, Any, Any]) -> Response[Any]:
    """Send the person to the chosen provider's consent page with a fresh ``state``."""
    context = context_of(request)
    form = await request.form()
    try:
        found = await _open_session(context, form.get("link_token"))
        slug = form.get("integration") or ""
        connector = next((c for c in _choices(found) if c.slug == slug), None)
        if connector is None:
            raise _Stop(f"{slug or 'No integration'} is not one this link can connect.")
        origin, client = _endpoint(context, connector, form.get("sandbox_url"))
        typed = {field.name: str(form.get(field.name) or "") for field in connector.link_fields}
        facts = typed_facts(connector, typed)
        state = secrets.token_urlsafe(32)
        url = authorize_url(connector, client, state=state, base_url=origin, facts=facts)
    except ConnectorError as exc:
        return _html(error_page(f"{str(exc).rstrip('.')}."), 400)
    except _Stop as stop:
        return _html(error_page(str(stop)), 400)
    async with context.database.write() as session:
        details = {**found.details, "connector": connector.key, "origin": origin, "facts": facts}
        await start_link_session(session, session_id=found.id, state=state, details=details)
    return Redirect(path=url, status_code=302, headers=_PAGE_HEADERS)


async def _finish(context: ApiContext, found: LinkSession, params: dict[str, str]) -> Response[str]:
    connector = CONNECTORS.get(found.details.get("connector") or "")
    if connector is None:
        raise _Stop("This link was never sent to a provider. Open the link again.")
    origin, client = _endpoint(context, connector, found.details.get("origin"))
    end_user = found.details["end_user"]
    try:
        made = await complete(
            context.database,
            sealer=context.sealer,
            connector=connector,
            client=client,
            transport=context.transport(origin),
            organization_id=found.organization_id,
            params=params,
            end_user=EndUser(
                organization_name=end_user["organization_name"],
                email_address=end_user.get("email_address"),
                origin_id=end_user.get("origin_id"),
            ),
            base_url=origin,
            facts=found.details.get("facts") or {},
        )
    except ConnectorError as exc:
        raise _Stop(f"{str(exc).rstrip('.')}. Open the link again to retry.") from exc
    sealed = context.sealer.seal(made.account_token.encode()).decode()
    async with context.database.write() as session:
        public_token = await finish_link_session(
            session,
            session_id=found.id,
            linked_account_id=made.account.id,
            details={**found.details, "sealed_account_token": sealed},
        )
        await queue_sync(session, linked_account_id=made.account.id)  # the first sync starts now, as Merge's does
    return _html(
        linked_page(
            integration_name=made.account.integration_name,
            organization_name=made.account.end_user_organization_name,
            public_token=public_token,
        )
    )


@get("/link/callback", name="link-callback", include_in_schema=False)
async def finish_link(request: Request[Any, Any, Any]) -> Response[str]:
    """Where the provider sends the person back: make the linked account and show the public token."""
    context = context_of(request)
    params = {key: value for key, value in request.query_params.items()}
    try:
        state = params.get("state")
        if not state:
            raise _Stop("The provider's answer carried no state. Open the link again.")
        async with context.database.write() as session:
            found = await claim_link_state(session, state=state)
        if found is None:
            raise _Stop("This answer does not belong to a link in progress (unknown or already used state).")
        if found.expired():
            raise _Stop("This link has expired. Ask for a new one.")
        return await _finish(context, found, params)
    except _Stop as stop:
        return _html(error_page(str(stop)), 400)


LINK_PAGE_HANDLERS = [show_link_page, start_link, finish_link]
