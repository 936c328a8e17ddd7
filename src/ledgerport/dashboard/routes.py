"""The dashboard's route tree, mounted at ``/dashboard`` by ``app.create_app`` beside the API's routes."""

from __future__ import annotations

from litestar import Router

from ledgerport.dashboard.accounts import ACCOUNT_HANDLERS
from ledgerport.dashboard.gate import DASHBOARD_EXCEPTION_HANDLERS
from ledgerport.dashboard.keys import KEY_HANDLERS
from ledgerport.dashboard.signin import SIGN_IN_HANDLERS
from ledgerport.dashboard.webhooks import WEBHOOK_HANDLERS

__all__ = ["DASHBOARD_PATH", "dashboard_router"]

DASHBOARD_PATH = "/dashboard"


def dashboard_router() -> Router:
    """A fresh router (apps built in one process stay independent)."""
    return Router(
        path=DASHBOARD_PATH,
        route_handlers=[*SIGN_IN_HANDLERS, *ACCOUNT_HANDLERS, *KEY_HANDLERS, *WEBHOOK_HANDLERS],
        exception_handlers=dict(DASHBOARD_EXCEPTION_HANDLERS),
        include_in_schema=False,
    )
