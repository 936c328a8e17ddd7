"""ROUTES: everything the HTTP process serves. The accounting routes are mounted twice, under ``/api/accounting/v1``
(what SDKs built with ``base_url=".../api"`` call) and ``/accounting/v1`` (what they call without ``/api``).

Routes that take no credentials (the link pages, docs, schema, integrations) are guarded by a per-address budget;
``/health``, ``/ready`` and ``/metrics`` are not, so load balancers and scrapers are never throttled.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import msgspec
from litestar import MediaType, Request, Response, Router, get
from litestar.types import ControllerRouterHandler

from ledgerport.api.accounting.attachments import download_handlers
from ledgerport.api.accounting.audit_trail import AUDIT_TRAIL_HANDLERS
from ledgerport.api.accounting.bulk import bulk_handlers
from ledgerport.api.accounting.common_models import common_model_handlers
from ledgerport.api.accounting.field_mappings import FIELD_MAPPING_HANDLERS
from ledgerport.api.accounting.integrations import list_integrations, retrieve_available_actions
from ledgerport.api.accounting.keys import KEY_HANDLERS
from ledgerport.api.accounting.linked_accounts import LINKED_ACCOUNT_HANDLERS
from ledgerport.api.accounting.nested import nested_handlers
from ledgerport.api.accounting.passthrough import PASSTHROUGH_HANDLERS
from ledgerport.api.accounting.remote_fields import remote_field_class_handlers
from ledgerport.api.accounting.resync import RESYNC_HANDLERS
from ledgerport.api.accounting.scopes import SCOPE_HANDLERS
from ledgerport.api.accounting.selective_sync import SELECTIVE_SYNC_HANDLERS
from ledgerport.api.accounting.sync_status import SYNC_STATUS_HANDLERS
from ledgerport.api.accounting.webhook_receivers import WEBHOOK_RECEIVER_HANDLERS
from ledgerport.api.accounting.writes import write_handlers
from ledgerport.api.auth import public_budget
from ledgerport.api.docs import MOVING_FROM_MERGE_PATH, docs_page, guide_page
from ledgerport.api.link import LINK_API_HANDLERS, LINK_PAGE_HANDLERS
from ledgerport.api.moving_from_merge import moving_from_merge
from ledgerport.api.openapi import openapi_document
from ledgerport.api.params import refuse_null_characters
from ledgerport.api.probes import read_metrics, ready
from ledgerport.api.webhooks import WEBHOOK_HANDLERS

__all__ = ["build_routes"]


@cache
def _schema_bytes() -> bytes:
    return msgspec.json.encode(openapi_document())


@get("/schema", name="schema", include_in_schema=False, guards=[public_budget])
async def retrieve_schema() -> Response[bytes]:
    """The OpenAPI document; public, as Merge's is."""
    return Response(content=_schema_bytes(), media_type=MediaType.JSON)


@get(["/docs", "/api/docs"], name="docs", include_in_schema=False, media_type=MediaType.HTML, guards=[public_budget])
async def read_docs() -> str:
    """The reference page."""
    return docs_page(openapi_document())


@cache
def _moving_page() -> str:
    return guide_page("Moving from Merge to ledgerport", moving_from_merge())


@get(
    [MOVING_FROM_MERGE_PATH, f"/api{MOVING_FROM_MERGE_PATH}"],
    name="moving-from-merge",
    include_in_schema=False,
    media_type=MediaType.HTML,
    guards=[public_budget],
)
async def read_moving_from_merge() -> str:
    """What changes, what is added and what is missing for code written against Merge."""
    return _moving_page()


@get("/health", name="health", include_in_schema=False)
async def health(request: Request[Any, Any, Any]) -> dict[str, str]:
    """Liveness for load balancers and the test harness."""
    return {"status": "ok"}


def build_routes(*, metrics: bool = True) -> list[ControllerRouterHandler]:
    """The route tree; handlers are made fresh per app so apps built in one process stay independent.

    ``metrics=False`` (``LEDGERPORT_METRICS=off``) leaves ``/metrics`` out."""
    accounting = [
        *remote_field_class_handlers(),
        *common_model_handlers(),
        *nested_handlers(),
        *write_handlers(),
        *download_handlers(),
        *bulk_handlers(),
        *LINKED_ACCOUNT_HANDLERS,
        *KEY_HANDLERS,
        *AUDIT_TRAIL_HANDLERS,
        *SYNC_STATUS_HANDLERS,
        *RESYNC_HANDLERS,
        *WEBHOOK_RECEIVER_HANDLERS,
        *PASSTHROUGH_HANDLERS,
        *FIELD_MAPPING_HANDLERS,
        *SCOPE_HANDLERS,
        *SELECTIVE_SYNC_HANDLERS,
        retrieve_available_actions,
        *LINK_API_HANDLERS,
        retrieve_schema,
    ]
    return [
        Router(path="/api/accounting/v1", route_handlers=accounting, before_request=refuse_null_characters),
        Router(path="/accounting/v1", route_handlers=accounting, before_request=refuse_null_characters),
        Router(path="/api/webhooks", route_handlers=WEBHOOK_HANDLERS, before_request=refuse_null_characters),
        Router(
            path="/api",
            route_handlers=[list_integrations],
            guards=[public_budget],
            before_request=refuse_null_characters,
        ),
        Router(path="/", route_handlers=LINK_PAGE_HANDLERS, guards=[public_budget]),
        read_docs,
        read_moving_from_merge,
        health,
        ready,
        *([read_metrics] if metrics else []),
    ]
