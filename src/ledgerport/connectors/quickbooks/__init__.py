"""QuickBooks Online (Intuit Accounting API v3): ``CONNECTOR`` is everything ledgerport needs to read a company."""

from ledgerport.connectors.quickbooks.connector import CONNECTOR

__all__ = ["CONNECTOR"]
