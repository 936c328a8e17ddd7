"""Linking a Business Central company through Microsoft Entra ID.

Consent is asked at the tenant-neutral ``organizations`` endpoints: ledgerport does not know the customer's tenant
before the person signs in. The code exchange answers an access token whose ``tid`` claim is the tenant
(FACTS.md §4); its signature is not checked here (the token came straight from the token endpoint over TLS, and
it is opaque to its client: BC checks it on every call).

A grant reaches every environment and company the user may see; a linked account is one company (Merge links one
company per account). The person names the environment and the company on the link page or with
``ledgerport accounts link --environment --company`` (a company by name or id); without them the ``production``
environment and its first company by name are linked. :func:`learn_link` then lists the environment's companies
(``GET …/api/v2.0/companies``) to find the one named, and refuses a name that is not there, listing what is.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import msgspec

from ledgerport.connectors._base.auth import TokenSet
from ledgerport.connectors._base.errors import AuthRevoked, Rejected
from ledgerport.connectors._base.http import Request, Response
from ledgerport.connectors.business_central.client import COMPANY_ID, ENVIRONMENT, TENANT_ID, api_root

__all__ = [
    "COMPANY",
    "COMPANY_NAME",
    "DEFAULT_ENVIRONMENT",
    "USER_ID",
    "company_facts_of",
    "environment_facts_of",
    "learn_link",
    "pick_company",
    "tenant_of",
    "user_of",
]

DEFAULT_ENVIRONMENT = "production"
COMPANY = "company"
"""The typed fact: a company's name or id, as the person gave it."""
COMPANY_NAME = "company_name"
USER_ID = "user_id"
"""The signed-in user's object id (the token's ``oid``): BC's 6,000-in-5-minutes counts per user (FACTS.md §5)."""


def environment_facts_of(text: str) -> Mapping[str, str]:
    """The environment a person typed (BC's environment names: letters, digits, ``-`` and ``_``)."""
    name = text.strip()
    if not name or len(name) > 30 or not all(ch.isalnum() or ch in "-_" for ch in name):
        raise ValueError(f"{name!r} is not a Business Central environment name (like production or sandbox)")
    return {ENVIRONMENT: name}


def company_facts_of(text: str) -> Mapping[str, str]:
    """The company a person typed, by name or id; it is found among the environment's companies after consent."""
    named = text.strip()
    if not named:
        raise ValueError("name the company")
    return {COMPANY: named}


def _claims(token: str) -> Mapping[str, Any]:
    parts = token.split(".")
    if len(parts) != 3:
        raise AuthRevoked("the Entra access token is not a JWT; cannot learn the tenant")
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = msgspec.json.decode(base64.urlsafe_b64decode(payload))
    except (binascii.Error, ValueError, msgspec.DecodeError) as exc:
        raise AuthRevoked("the Entra access token's claims cannot be read") from exc
    if not isinstance(claims, dict):
        raise AuthRevoked("the Entra access token's claims are not an object")
    return claims


def tenant_of(access_token: str) -> str:
    """The customer's Entra tenant id: the ``tid`` claim of the access token."""
    tenant = _claims(access_token).get("tid")
    if not tenant:
        raise AuthRevoked("the Entra access token names no tenant (tid)")
    return str(tenant)


def user_of(access_token: str) -> str:
    """The signed-in user's object id (``oid``); blank when the token has none."""
    return str(_claims(access_token).get("oid") or "")


def pick_company(companies: list[Mapping[str, Any]], named: str | None) -> Mapping[str, Any]:
    """The company ``named`` (its id, name or display name, case-insensitively), or the first by name."""
    if not companies:
        raise Rejected("the Business Central environment holds no company this user may see")
    if not named:
        return sorted(companies, key=lambda row: str(row.get("name") or ""))[0]
    wanted = named.strip().casefold()
    for row in companies:
        if wanted in {str(row.get(key) or "").casefold() for key in ("id", "name", "displayName")}:
            return row
    names = ", ".join(sorted(str(row.get("name") or row.get("id")) for row in companies))
    raise Rejected(f"Business Central has no company {named!r} in this environment; it has: {names}")


async def learn_link(
    send: Callable[[Request], Awaitable[Response]],
    base_url: str,
    tokens: TokenSet,
    given: Mapping[str, str],
) -> Mapping[str, str]:
    """The linked account's facts: the tenant from the token, the environment given (or ``production``), and the
    company found among the environment's companies (the connector's ``learn_link``)."""
    tenant = tenant_of(tokens.access_token)
    environment = given.get(ENVIRONMENT) or DEFAULT_ENVIRONMENT
    request = Request(
        method="GET",
        url=f"{api_root(base_url, tenant, environment)}/companies",
        headers={"Authorization": f"Bearer {tokens.access_token}", "Accept": "application/json"},
    )
    response = await send(request)
    if response.status == 404:
        raise Rejected(f"Business Central has no environment {environment!r} in this tenant")
    if response.status >= 400:
        raise Rejected(
            f"Business Central refused to list the companies of {environment!r} ({response.status}):"
            f" {response.body[:200].decode('utf-8', 'replace')}"
        )
    body = response.json()
    rows = body.get("value") if isinstance(body, dict) else None
    if not isinstance(rows, list):
        raise Rejected("Business Central listed the companies without a value array")
    company = pick_company([row for row in rows if isinstance(row, Mapping)], given.get(COMPANY))
    facts = {
        TENANT_ID: tenant,
        ENVIRONMENT: environment,
        COMPANY_ID: str(company["id"]),
        COMPANY_NAME: str(company.get("displayName") or company.get("name") or ""),
    }
    user = user_of(tokens.access_token)
    if user:
        facts[USER_ID] = user
    return facts
