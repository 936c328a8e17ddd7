"""NetSuite (SuiteTalk REST): SuiteQL reads, OAuth 2.0 and token-based authentication."""

from ledgerport.connectors.netsuite.connector import CONNECTOR

__all__ = ["CONNECTOR"]
