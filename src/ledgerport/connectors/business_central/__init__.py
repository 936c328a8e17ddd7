"""Microsoft Dynamics 365 Business Central (API v2.0) through Entra ID."""

from ledgerport.connectors.business_central.connector import CONNECTOR

__all__ = ["CONNECTOR"]
