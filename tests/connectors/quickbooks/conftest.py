"""Fixtures for the QuickBooks connector (defined in ``qbo_connector_kit``, which tests import helpers from: a
module named ``conftest`` is ambiguous once several test folders have one)."""

from qbo_connector_kit import headers, make_client, realm, sandbox, tokens, transport

__all__ = ["headers", "make_client", "realm", "sandbox", "tokens", "transport"]
