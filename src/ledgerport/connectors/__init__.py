"""Connectors: one folder per provider, each declaring a ``CONNECTOR``; ``CONNECTORS`` lists them by key."""

from ledgerport.connectors._base import Connector
from ledgerport.connectors.business_central import CONNECTOR as BUSINESS_CENTRAL
from ledgerport.connectors.netsuite import CONNECTOR as NETSUITE
from ledgerport.connectors.quickbooks import CONNECTOR as QUICKBOOKS
from ledgerport.connectors.xero import CONNECTOR as XERO

__all__ = ["CONNECTORS", "Connector", "connector_for_slug"]

CONNECTORS: dict[str, Connector] = {
    connector.key: connector for connector in (QUICKBOOKS, XERO, NETSUITE, BUSINESS_CENTRAL)
}


def connector_for_slug(slug: str) -> Connector | None:
    """The connector behind a Merge integration slug, if ledgerport has one."""
    return next((c for c in CONNECTORS.values() if c.slug == slug), None)
