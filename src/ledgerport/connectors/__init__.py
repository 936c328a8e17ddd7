"""Connectors: one folder per provider, each declaring a ``CONNECTOR``; ``CONNECTORS`` lists them."""

from ledgerport.connectors._base import Connector

__all__ = ["CONNECTORS", "Connector"]

CONNECTORS: dict[str, Connector] = {}
