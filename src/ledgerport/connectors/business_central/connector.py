"""Business Central as one :class:`Connector` value: Entra ID OAuth 2.0, the per-user window, OData streams and
mappings, and the error table. Sandboxes and tests swap only the origin (one origin serves every path)."""

from __future__ import annotations

from ledgerport.connectors._base.auth import OAuth2
from ledgerport.connectors._base.connector import Connector, Limits, LinkField
from ledgerport.connectors.business_central.auth import USER_ID, company_facts_of, environment_facts_of, learn_link
from ledgerport.connectors.business_central.client import ERRORS, TENANT_ID, authorize
from ledgerport.connectors.business_central.mapping import MAPPINGS
from ledgerport.connectors.business_central.session import learn_session
from ledgerport.connectors.business_central.writer import WRITER
from ledgerport.connectors.business_central.writes import WRITES

__all__ = ["API_URL", "AUTHORIZE_URL", "CONNECTOR", "EXCHANGE_URL", "SCOPES", "TOKEN_URL"]

API_URL = "https://api.businesscentral.dynamics.com"
AUTHORIZE_URL = "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize"
EXCHANGE_URL = "https://login.microsoftonline.com/organizations/oauth2/v2.0/token"  # noqa: S105 - a URL
TOKEN_URL = "https://login.microsoftonline.com/{tenant_id}/oauth2/v2.0/token"  # noqa: S105 - a URL
SCOPES = ("https://api.businesscentral.dynamics.com/.default", "offline_access")
"""``/.default`` asks for the app's configured delegated permissions (``Financials.ReadWrite.All``,
``user_impersonation``); ``offline_access`` earns the refresh token (FACTS.md §4)."""

CONNECTOR = Connector(
    key="business_central",
    slug="microsoft-dynamics-365-business-central",
    name="Microsoft Dynamics 365 Business Central",
    base_url=API_URL,
    # Entra takes the client secret in the form (client_secret_post), as its documentation shows it.
    auth=OAuth2(
        authorize_url=AUTHORIZE_URL,
        token_url=TOKEN_URL,
        exchange_url=EXCHANGE_URL,
        scopes=SCOPES,
        client_auth="body",
    ),
    limits=Limits(window=(6_000, 300.0), concurrent=5),
    read_ahead=1,  # pages are server-driven (nextLink): the next is asked while one is stored, no further
    mappings=MAPPINGS,
    errors=ERRORS,
    authorize=authorize,
    learn_link=learn_link,
    # BC counts per user: every company one person linked shares a budget (a token without ``oid``: the tenant's).
    budget_facts=(TENANT_ID, USER_ID),
    link_fields=(
        LinkField(name="environment", label="Business Central environment", facts=environment_facts_of),
        LinkField(name="company", label="Business Central company (name or id)", facts=company_facts_of),
    ),
    writes=WRITES,
    writer=WRITER,
    # The company's local currency: BC leaves it blank on the documents and contacts in it.
    session_facts=learn_session,
    # The linked company's API root: its tenant, environment and company come from the link, not the path.
    passthrough_base=API_URL + "/v2.0/{tenant_id}/{environment}/api/v2.0/companies({company_id})",
)
"""6,000 requests in any 5 minutes per user (FACTS.md §5), the strictest reading as a sliding window; five at once,
which BC processes while it queues the rest (more would wait in BC's queue, towards its 8-minute 503)."""
