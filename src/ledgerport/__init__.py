"""ledgerport: a self-hosted unified accounting API, wire-compatible with Merge's Accounting API."""

__version__ = "0.1.0"
