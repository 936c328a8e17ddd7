"""QuickBooks Online as one :class:`Connector` value: Intuit's real hosts, the accounting scope, the published
limits, the mappings and the error table. Sandboxes and tests swap only the origin."""

from __future__ import annotations

from ledgerport.connectors._base.auth import OAuth2
from ledgerport.connectors._base.connector import Connector, Limits
from ledgerport.connectors._base.mapping import one_company
from ledgerport.connectors.quickbooks.attachments import download
from ledgerport.connectors.quickbooks.client import ERRORS, account_facts, authorize
from ledgerport.connectors.quickbooks.mapping import MAPPINGS
from ledgerport.connectors.quickbooks.remote_fields import REMOTE_FIELDS
from ledgerport.connectors.quickbooks.selective_sync import CONDITIONS
from ledgerport.connectors.quickbooks.writer import WRITER
from ledgerport.connectors.quickbooks.writes import WRITES

__all__ = ["API_URL", "AUTHORIZE_URL", "CONNECTOR", "SCOPES", "TOKEN_URL"]

API_URL = "https://quickbooks.api.intuit.com"
AUTHORIZE_URL = "https://appcenter.intuit.com/connect/oauth2"
TOKEN_URL = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"  # noqa: S105 - a URL, not a secret
SCOPES = ("com.intuit.quickbooks.accounting",)

CONNECTOR = Connector(
    key="quickbooks",
    slug="quickbooks-online",
    name="QuickBooks Online",
    base_url=API_URL,
    auth=OAuth2(authorize_url=AUTHORIZE_URL, token_url=TOKEN_URL, scopes=SCOPES, client_auth="basic"),
    limits=Limits(per_minute=500, concurrent=10),
    read_ahead=4,  # of the 10 requests a realm may have in flight; QBO does not say how many pages there are
    mappings=one_company(MAPPINGS),  # a linked account is one company
    errors=ERRORS,
    authorize=authorize,
    account_facts=account_facts,
    writes=WRITES,
    writer=WRITER,
    remote_fields=REMOTE_FIELDS,
    passthrough_base=f"{API_URL}/v3/company/{{realm_id}}",
    download=download,
    selective_sync=CONDITIONS,
)
"""500 requests a minute and 10 at once per realm (Intuit's limits page); ``account_facts`` reads ``realmId``
from the OAuth callback's query parameters. Passthrough paths are below the realm's company
(``/query?query=select * from CompanyInfo``): the realm comes from the link, never from the tenant's path."""
