"""The accounting platforms ledgerport links, as Merge names them on the wire.

``slug`` is Merge's integration slug (what ``account-details`` and ``linked-accounts`` return); ``aliases`` are the
short names people type at the CLI. Connector code is keyed separately by its folder name; this table is only the
vocabulary both sides agree on.
"""

from __future__ import annotations

import msgspec

__all__ = ["INTEGRATIONS", "Integration", "UnknownIntegration", "find_integration"]


class Integration(msgspec.Struct, frozen=True, kw_only=True):
    """An accounting platform as the API describes it."""

    slug: str
    name: str
    abbreviated_name: str
    color: str
    aliases: tuple[str, ...] = ()


INTEGRATIONS: dict[str, Integration] = {
    integration.slug: integration
    for integration in (
        Integration(
            slug="quickbooks-online",
            name="QuickBooks Online",
            abbreviated_name="QBO",
            color="#2CA01C",
            aliases=("quickbooks", "qbo"),
        ),
        Integration(slug="xero", name="Xero", abbreviated_name="Xero", color="#13B5EA"),
        Integration(slug="netsuite", name="NetSuite", abbreviated_name="NetSuite", color="#1B3B5A"),
        Integration(
            slug="microsoft-dynamics-365-business-central",
            name="Microsoft Dynamics 365 Business Central",
            abbreviated_name="Business Central",
            color="#0B556A",
            aliases=("business-central", "business_central", "dynamics"),
        ),
        Integration(slug="freshbooks", name="FreshBooks", abbreviated_name="FreshBooks", color="#0075DD"),
        Integration(
            slug="sage-intacct",
            name="Sage Intacct",
            abbreviated_name="Intacct",
            color="#00D639",
            aliases=("sage_intacct", "intacct"),
        ),
        Integration(
            slug="sage-business-cloud-accounting",
            name="Sage Business Cloud Accounting",
            abbreviated_name="Sage Accounting",
            color="#00DC00",
            aliases=("sage-accounting", "sage_accounting"),
        ),
        Integration(
            slug="zoho-books",
            name="Zoho Books",
            abbreviated_name="Zoho Books",
            color="#E42527",
            aliases=("zoho_books", "zoho"),
        ),
    )
}


class UnknownIntegration(ValueError):
    """No platform has that slug, alias or name."""


def find_integration(text: str) -> Integration:
    """The integration a slug, alias or display name (any case) refers to."""
    wanted = text.strip().lower()
    for integration in INTEGRATIONS.values():
        if wanted in {integration.slug, integration.name.lower(), *integration.aliases}:
            return integration
    known = ", ".join(INTEGRATIONS)
    raise UnknownIntegration(f"unknown integration {text!r}; known: {known}")
