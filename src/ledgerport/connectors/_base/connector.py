"""A provider as one value: identity, auth, limits, streams and mappings.

The sync engine and the API read a :class:`Connector`; they never import a provider's package. Adding a provider
is a folder with a ``CONNECTOR`` and an entry in :data:`ledgerport.connectors.CONNECTORS`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import msgspec

from ledgerport.connectors._base.auth import OAuth2, TokenSet
from ledgerport.connectors._base.errors import ErrorRule
from ledgerport.connectors._base.files import Download
from ledgerport.connectors._base.http import Request, Response, place
from ledgerport.connectors._base.mapping import ModelMap, supported_fields
from ledgerport.connectors._base.remote_fields import RemoteFields
from ledgerport.connectors._base.selective_sync import SyncCondition
from ledgerport.connectors._base.streams import StreamContext
from ledgerport.connectors._base.writes import WriteProtocol, WriteSpec

__all__ = [
    "Connector",
    "CredentialLink",
    "Limits",
    "LinkField",
    "LinkLearner",
    "SessionFacts",
    "Signer",
    "field_support",
]

Signer = Callable[[Request, Mapping[str, str], Mapping[str, str]], Request]
"""``sign(request, secrets, account)``: the request with the signature its provider wants (OAuth 1.0a)."""

SessionFacts = Callable[[Callable[[Request], Awaitable[Any]], StreamContext], Awaitable[Mapping[str, str]]]
"""``learn(fetch, context)``: facts that hold for one client's lifetime, learnt with a call (``fetch`` sends a
request through the client and decodes the answer)."""


LinkLearner = Callable[
    [Callable[[Request], Awaitable[Response]], str, TokenSet, Mapping[str, str]], Awaitable[Mapping[str, str]]
]
"""``learn(send, base_url, tokens, given)``: a linked account's facts after the code exchange, learnt with as
many calls as they take (``send`` sends a request as is; the caller's ``tokens`` authorize them), from what the
person gave (``given``: the ``link_fields`` facts). Business Central: the tenant from the token, then the
environment's companies, to pick the one named."""


class LinkField(msgspec.Struct, frozen=True, kw_only=True):
    """An account fact the person must give before consent, where the provider's URLs depend on it (a host)."""

    name: str
    label: str
    facts: Callable[[str], Mapping[str, str]]
    """The facts the typed text stands for; ``ValueError`` when it is not one."""


class CredentialLink(msgspec.Struct, frozen=True, kw_only=True):
    """Linking with signing credentials the person copies from the provider, instead of OAuth 2.0 consent."""

    secrets: Sequence[str]
    """The names of the secrets to ask for, in order."""
    facts: Sequence[LinkField]
    """The account facts to ask for beside them."""
    sandbox_path: str
    """Where a sandbox hands out a credential set (``GET``), a JSON object holding the secrets and the facts."""
    sandbox_names: Mapping[str, str] = {}
    """The sandbox's name of a secret or fact where it differs from ours (its key → ours): a sandbox names things as
    its provider's documents do, e.g. NetSuite's ``realm`` for the account id."""


class Limits(msgspec.Struct, frozen=True, kw_only=True):
    """A provider's published limits per provider account (QBO realm, Xero tenant)."""

    per_minute: int | None = None
    per_day: int | None = None
    concurrent: int | None = None
    window: tuple[int, float] | None = None
    """``(calls, seconds)``: a sliding window of another length (Business Central: 6,000 in any 300 s)."""


class Connector(msgspec.Struct, frozen=True, kw_only=True):
    """Everything ledgerport knows about one provider."""

    key: str
    """The folder name (``quickbooks``)."""
    slug: str
    """Merge's integration slug on the wire (``quickbooks-online``)."""
    name: str
    base_url: str
    """The real API origin; sandboxes and tests override it per linked account."""
    auth: OAuth2
    limits: Limits
    read_ahead: int = 1
    """Pages a walk keeps requested beyond the one being stored, once a full page shows there are more.

    Provider latency (hundreds of milliseconds per page) otherwise caps a sync below what mapping and storing
    could take. Past the end of a listing a provider that does not say how many pages there are costs up to this
    many wasted requests per multi-page stream; keep it well under ``limits.concurrent``, which other work on the
    same account shares."""
    mappings: Sequence[ModelMap]
    errors: Sequence[ErrorRule]
    authorize: Callable[[Request, Mapping[str, str]], Request]
    """Adds credentials and account facts (tenant header, realm) to a request: ``authorize(request, account)``."""
    account_facts: Callable[..., Mapping[str, str]] | None = None
    """The facts a linked account needs (realm id, tenant id): ``account_facts(callback_params, discovered)``,
    where ``discovered`` is the decoded answer to ``facts_request`` (``None`` without one)."""
    facts_request: Callable[[str, str], Request] | None = None
    """A call to make after the code exchange to learn the facts: ``facts_request(base_url, access_token)``
    (Xero's ``GET /connections``)."""
    writes: Mapping[str, WriteSpec] = {}
    """Common model name → what this connector can write of it (see :mod:`~ledgerport.connectors._base.writes`)."""
    writer: WriteProtocol | None = None
    """How the write tables' payloads travel to the provider; ``None`` for a read-only connector."""
    remote_fields: Mapping[str, RemoteFields] = {}
    """Common or line model name → the provider fields it does not cover (see
    :mod:`~ledgerport.connectors._base.remote_fields`); a model absent here has none."""
    link_fields: Sequence[LinkField] = ()
    """Facts to ask the person before sending them to the real provider: its URLs (``base_url``, ``auth``) are
    templates over them (``https://{host}.example.com``). A sandbox origin replaces the host and needs none."""
    sign: Signer | None = None
    """Signs requests of accounts linked with signing credentials (``TokenSet.secrets``)."""
    credential_link: CredentialLink | None = None
    """How to link with signing credentials, for a provider that offers it beside OAuth 2.0."""
    learn_link: LinkLearner | None = None
    """Learns the linked account's facts after the code exchange when one ``facts_request`` is not enough; what it
    answers is added to the callback's and the typed facts."""
    budget_facts: Sequence[str] | None = None
    """The account facts naming who the provider's limits count against, where that is not the linked account
    (Business Central counts per user, across the companies a grant reaches); ``None``: every fact."""
    session_facts: SessionFacts | None = None
    """Learnt once per client before its first walk, added to the account facts its requests see (a provider
    whose times are written in the account's zone: the zone's current UTC offset)."""

    passthrough_base: str | None = None
    """Where passthrough paths start for one linked account: a URL template over its facts (``{realm_id}``), rebased
    on a sandbox origin like ``base_url``. A tenant's path is appended below it and never replaces it, so a tenant
    reaches only the company its account was linked to; ``None``: this provider offers no passthrough."""
    selective_sync: Sequence[SyncCondition] = ()
    """The selective-sync conditions a linked account of this provider may set (``GET /selective-sync/meta``)."""

    download: Download | None = None
    """Reads the file of one stored file record (``AccountingAttachment``) with the account's credentials, so the
    API can stream it to the tenant; ``None``: this provider's files are not served."""

    def context(self, account: Mapping[str, str], base_url: str | None = None) -> StreamContext:
        """The stream context for one linked account (``base_url`` with the account's facts filled in)."""
        return StreamContext(base_url=place(self.base_url, base_url, account), account=account)

    def passthrough_root(self, account: Mapping[str, str], base_url: str | None = None) -> str | None:
        """The linked account's passthrough root (``passthrough_base`` placed), without a trailing slash."""
        if self.passthrough_base is None:
            return None
        return place(self.passthrough_base, base_url, account).rstrip("/")


def field_support(connector: Connector) -> dict[str, list[str]]:
    """For each common model, the fields this connector fills (the union over its mappings, in model order)."""
    filled: dict[str, set[str]] = {}
    structs: dict[str, type[msgspec.Struct]] = {}
    for mapping in connector.mappings:
        filled.setdefault(mapping.model, set()).update(supported_fields(mapping))
        structs[mapping.model] = mapping.struct
    return {
        model: [name for name in structs[model].__struct_fields__ if name in names] for model, names in filled.items()
    }
