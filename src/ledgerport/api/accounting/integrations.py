"""What each integration can do: ``GET /available-actions`` (for a linked account) and ``GET /integrations``.

The supported fields come from the connectors' mapping tables (:func:`field_support`) and the write operations
from their write tables, so the answer is never kept by hand: a field a mapping does not fill is a field the
integration does not support, and a model without a write table cannot be written.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import msgspec
from litestar import MediaType, Request, Response, get

from ledgerport.api.auth import authenticate_account
from ledgerport.api.shapes import AccountIntegration, AvailableActions, IntegrationListing, ModelOperation
from ledgerport.connectors import CONNECTORS, connector_for_slug
from ledgerport.connectors._base import Connector, field_support
from ledgerport.connectors._base.mapping import supported_fields
from ledgerport.models.integrations import INTEGRATIONS
from ledgerport.writes import required_fields

__all__ = ["INTEGRATION_HANDLERS", "model_operations", "passthrough_available"]


def _operations(connector: Connector, model: str) -> list[str]:
    spec = connector.writes.get(model) if connector.writer is not None else None
    operations = ["FETCH"]
    if spec is not None and spec.create:
        operations.append("CREATE")
    if spec is not None and spec.update:
        operations.append("UPDATE")
    if spec is not None and spec.bulk and connector.writer is not None and connector.writer.create_many is not None:
        operations.append("BULK_CREATE")  # POST /<model>/bulk
    return operations


@cache
def passthrough_available(slug: str) -> bool:
    """Whether the integration's connector declares a passthrough base (``POST /passthrough`` can reach it)."""
    connector = connector_for_slug(slug)
    return connector is not None and connector.passthrough_base is not None


def model_operations(slug: str) -> list[ModelOperation]:
    """Merge's ``ModelOperation`` list for an integration, per model: what it can read (the fields its mappings
    fill) and write (``CREATE``/``UPDATE``/``BULK_CREATE`` and the fields a create requires, from its write tables)."""
    connector = connector_for_slug(slug)
    if connector is None:
        return []
    read = field_support(connector)
    models = list(dict.fromkeys([*read, *connector.writes]))
    return [
        ModelOperation(
            model_name=model,
            available_operations=_operations(connector, model),
            required_post_parameters=required_fields(connector.writes[model]) if model in connector.writes else [],
            supported_fields=read.get(model) or _written_fields(connector, model),
        )
        for model in models
    ]


def _written_fields(connector: Connector, model: str) -> list[str]:
    """The fields a model no sync reads still has once written (a bank feed the developer pushes): those its write
    targets' read tables fill, in the model's field order."""
    spec = connector.writes.get(model)
    if spec is None:
        return []
    filled = {name for target in spec.targets for name in supported_fields(target.read)}
    struct = spec.targets[0].read.struct if spec.targets else None
    return [] if struct is None else [name for name in struct.__struct_fields__ if name in filled]


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
        passthrough_available=passthrough_available(account.integration),
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
