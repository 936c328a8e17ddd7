"""A faithful local sandbox of Xero's Accounting API, identity service and connections endpoint."""

from ledgerport.sandboxes.xero.app import SandboxApp, create_app, run

__all__ = ["SandboxApp", "create_app", "run"]
