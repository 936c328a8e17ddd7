"""A faithful local sandbox of Microsoft Dynamics 365 Business Central's API v2.0, Entra ID OAuth and environments."""

from ledgerport.sandboxes.business_central.app import SandboxApp, create_app, run

__all__ = ["SandboxApp", "create_app", "run"]
