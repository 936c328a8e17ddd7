"""The operators' dashboard: server-rendered pages at ``/dashboard`` where an organization, signed in with one of
its API keys, sees its linked accounts, their syncs and writes, its API keys and its webhook endpoints, and acts
on them with plain forms (no script)."""

from ledgerport.dashboard.context import DashboardContext
from ledgerport.dashboard.routes import DASHBOARD_PATH, dashboard_router

__all__ = ["DASHBOARD_PATH", "DashboardContext", "dashboard_router"]
