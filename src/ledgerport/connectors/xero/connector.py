"""Xero as one :class:`Connector` value: real hosts, scopes, published limits, mappings, the error table and
writes."""

from __future__ import annotations

from ledgerport.connectors._base.auth import OAuth2
from ledgerport.connectors._base.connector import Connector, Limits
from ledgerport.connectors._base.mapping import one_company
from ledgerport.connectors.xero.client import ERRORS, authorize, connections_request, facts_after_consent
from ledgerport.connectors.xero.mapping import MAPPINGS
from ledgerport.connectors.xero.remote_fields import REMOTE_FIELDS
from ledgerport.connectors.xero.writer import WRITER
from ledgerport.connectors.xero.writes import WRITES

__all__ = ["AUTHORIZE_URL", "CONNECTOR", "SCOPES", "TOKEN_URL"]

AUTHORIZE_URL = "https://login.xero.com/identity/connect/authorize"
TOKEN_URL = "https://identity.xero.com/connect/token"  # noqa: S105 - a URL, not a secret

SCOPES = (
    "openid",
    "profile",
    "email",
    "offline_access",
    "accounting.transactions",
    "accounting.contacts",
    "accounting.settings",
    "accounting.journals.read",
    "accounting.reports.read",
)
"""``offline_access`` is what earns a refresh token; ``accounting.transactions`` covers invoices, credit notes,
purchase orders, payments, bank transactions and manual journals for apps created before 2026-03-02 (newer apps must
ask for the granular ``accounting.invoices`` / ``.payments`` / ``.banktransactions`` / ``.manualjournals``, which the
sandbox also accepts); ``accounting.settings`` covers the organisation, accounts, items, tax rates and tracking;
``accounting.journals.read`` the general ledger and ``accounting.reports.read`` the balance sheet and profit and
loss."""

CONNECTOR = Connector(
    key="xero",
    slug="xero",
    name="Xero",
    base_url="https://api.xero.com",
    auth=OAuth2(authorize_url=AUTHORIZE_URL, token_url=TOKEN_URL, scopes=SCOPES, client_auth="basic"),
    limits=Limits(per_minute=60, per_day=5_000, concurrent=5),
    read_ahead=3,  # of the 5 requests a tenant may have in flight; ``pageCount`` keeps it from asking past the end
    mappings=one_company(MAPPINGS),  # a linked account is one company
    errors=ERRORS,
    remote_fields=REMOTE_FIELDS,
    authorize=authorize,
    account_facts=facts_after_consent,
    facts_request=connections_request,
    writes=WRITES,
    writer=WRITER,
    passthrough_base="https://api.xero.com/api.xro/2.0",  # the organisation is the xero-tenant-id that authorize adds
)
