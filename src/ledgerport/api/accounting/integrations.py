"""What each integration can do: ``GET /available-actions`` (for a linked account) and ``GET /integrations``.

The supported fields come from the connectors' mapping tables (:func:`field_support`), so the answer is never
kept by hand: a field a mapping does not fill is a field the integration does not support.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import msgspec
from litestar import MediaType, Request, Response, get

from ledgerport.api.auth import authenticate_account
from ledgerport.api.shapes import AccountIntegration, AvailableActions, IntegrationListing, ModelOperation
from ledgerport.connectors import CONNECTORS, connector_for_slug
from ledgerport.connectors._base import field_support
from ledgerport.models.integrations import INTEGRATIONS

__all__ = ["INTEGRATION_HANDLERS", "model_operations"]


@cache
def model_operations(slug: str) -> list[ModelOperation]:
    """Merge's ``ModelOperation`` list for an integration: read support and the fields it fills, per model."""
    connector = connector_for_slug(slug)
    if connector is None:
        return []
    return [
        ModelOperation(
            model_name=model,
            available_operations=["FETCH"],
            required_post_parameters=[],
            supported_fields=fields,
        )
        for model, fields in field_support(connector).items()
    ]


@get("/available-actions", name="available-actions", include_in_schema=False)
async def retrieve_available_actions(request: Request[Any, Any, Any]) -> Response[bytes]:
    """The linked account's integration and what can be read from it."""
    account = await authenticate_account(request)
    integration = INTEGRATIONS.get(account.integration)
    body = AvailableActions(
        integration=AccountIntegration(
            name=account.integration_name,
            categories=[account.category],
            image=None,
            square_image=None,
            color=None if integration is None else integration.color,
            slug=account.integration,
        ),
        passthrough_available=False,
        available_model_operations=model_operations(account.integration),
    )
    return Response(content=msgspec.json.encode(body), media_type=MediaType.JSON)


@get("/integrations", name="integrations", include_in_schema=False)
async def list_integrations() -> Response[bytes]:
    """Every integration ledgerport knows, and for those with a connector, the fields it fills per model."""
    live = {connector.slug for connector in CONNECTORS.values()}
    body = [
        IntegrationListing(
            slug=integration.slug,
            name=integration.name,
            categories=["accounting"],
            color=integration.color,
            available=integration.slug in live,
            available_model_operations=model_operations(integration.slug),
        )
        for integration in INTEGRATIONS.values()
    ]
    return Response(content=msgspec.json.encode(body), media_type=MediaType.JSON)


INTEGRATION_HANDLERS = [retrieve_available_actions, list_integrations]
