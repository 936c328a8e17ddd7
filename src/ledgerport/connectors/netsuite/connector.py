"""NetSuite as one :class:`Connector` value: per-account hosts, OAuth 2.0 and TBA, the concurrency limit, SuiteQL
streams and mappings, the error table and writes. Sandboxes and tests swap only the origin."""

from __future__ import annotations

from ledgerport.connectors._base.auth import OAuth2
from ledgerport.connectors._base.connector import Connector, CredentialLink, Limits, LinkField
from ledgerport.connectors.netsuite.auth import TBA_SECRETS, account_facts_of, sign
from ledgerport.connectors.netsuite.client import ERRORS, account_facts, authorize, learn_session
from ledgerport.connectors.netsuite.mapping import MAPPINGS
from ledgerport.connectors.netsuite.remote_fields import REMOTE_FIELDS
from ledgerport.connectors.netsuite.writer import WRITER
from ledgerport.connectors.netsuite.writes import WRITES

__all__ = ["API_URL", "AUTHORIZE_URL", "CONNECTOR", "SCOPES", "TBA_SANDBOX_PATH", "TOKEN_URL"]

API_URL = "https://{host}.suitetalk.api.netsuite.com"
AUTHORIZE_URL = "https://{host}.app.netsuite.com/app/login/oauth2/authorize.nl"
TOKEN_URL = "https://{host}.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token"  # noqa: S105 - a URL
SCOPES = ("rest_webservices",)
TBA_SANDBOX_PATH = "/_sandbox/tba"

_ACCOUNT_ID = LinkField(name="account_id", label="NetSuite account ID", facts=account_facts_of)

CONNECTOR = Connector(
    key="netsuite",
    slug="netsuite",
    name="NetSuite",
    base_url=API_URL,
    auth=OAuth2(authorize_url=AUTHORIZE_URL, token_url=TOKEN_URL, scopes=SCOPES, client_auth="basic"),
    limits=Limits(concurrent=5),
    read_ahead=2,  # of the 5 requests an account may have in flight, which its lines queries share
    mappings=MAPPINGS,  # several companies (subsidiaries) per account: every table names its own
    errors=ERRORS,
    authorize=authorize,
    account_facts=account_facts,
    remote_fields=REMOTE_FIELDS,
    link_fields=(_ACCOUNT_ID,),
    sign=sign,
    credential_link=CredentialLink(
        secrets=TBA_SECRETS, facts=(_ACCOUNT_ID,), sandbox_path=TBA_SANDBOX_PATH, sandbox_names={"realm": "account_id"}
    ),
    session_facts=learn_session,
    writes=WRITES,
    writer=WRITER,
    passthrough_base=f"{API_URL}/services/rest",  # the account is the host: no path reaches another one
)
"""Five requests at once per account (a standard account's concurrency limit, shared with every other
integration of the account; ``Limits.concurrent`` is what ledgerport's budget allows itself). No per-minute
limit: NetSuite has none. ``{host}`` in the URLs is the account's host slug (``1234567-sb1``)."""
