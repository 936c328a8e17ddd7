"""Xero (Accounting API 2.0): ``CONNECTOR`` is everything ledgerport needs to read a Xero organisation."""

from ledgerport.connectors.xero.connector import CONNECTOR

__all__ = ["CONNECTOR"]
