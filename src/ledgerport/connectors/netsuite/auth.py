"""NetSuite's two ways in: OAuth 2.0 at the account's own hosts, and token-based authentication (TBA).

**The account id decides the hosts.** ``1234567_SB1`` (a sandbox account; the realm keeps upper case and the
underscore) is served at ``1234567-sb1.suitetalk.api.netsuite.com`` and ``1234567-sb1.app.netsuite.com``
(host slug: lower case, ``_`` → ``-``; FACTS.md §4.1). :func:`account_facts_of` turns a typed or called-back
account id into the facts ``account_id`` (the realm) and ``host`` (the slug the URL templates use).

**TBA** is OAuth 1.0a with HMAC-SHA256 (RFC 5849 §3.4): the base string covers the method, the URL without its
query, and every ``oauth_*`` parameter *and every query parameter* (``limit``/``offset`` on SuiteQL: leaving them
out is the classic cause of ``INVALID_LOGIN``, FACTS.md §6.4 #2); ``realm`` is sent but not signed; the key is
``consumer_secret&token_secret``. Bodies are never signed (JSON is not form-encoded).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets as random_tokens
import time
from collections.abc import Mapping, Sequence
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

import msgspec

from ledgerport.connectors._base.errors import AuthRevoked
from ledgerport.connectors._base.http import Request

__all__ = [
    "TBA_SECRETS",
    "account_facts_of",
    "base_string",
    "host_slug",
    "oauth1_header",
    "sign",
]

TBA_SECRETS = ("consumer_key", "consumer_secret", "token_id", "token_secret")
"""The names of a TBA credential set, as the link asks for them and the sealed set stores them."""

_ACCOUNT = re.compile(r"^[A-Za-z0-9]+([_-][A-Za-z0-9]+)*$")


def host_slug(account_id: str) -> str:
    """The host label of an account: ``1234567_SB1`` → ``1234567-sb1``."""
    return account_id.lower().replace("_", "-")


def account_facts_of(text: str) -> Mapping[str, str]:
    """``{"account_id", "host"}`` for an account id typed either way (``1234567-sb1`` or ``1234567_SB1``)."""
    typed = text.strip()
    if not _ACCOUNT.match(typed):
        raise ValueError(f"{typed!r} is not a NetSuite account id (like 1234567 or 1234567_SB1)")
    account_id = typed.upper().replace("-", "_")
    return {"account_id": account_id, "host": host_slug(account_id)}


def _enc(text: str) -> str:
    """RFC 5849 §3.6 percent-encoding: everything but the unreserved characters."""
    return quote(text, safe="-._~")


def _base_url(url: str) -> str:
    """RFC 5849 §3.4.1.2: scheme and host lower-case, default ports dropped, no query or fragment."""
    parts = urlsplit(url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or (scheme, port) in {("http", 80), ("https", 443)} else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", "", ""))


def base_string(method: str, url: str, params: Sequence[tuple[str, str]]) -> str:
    """The signature base string of a request whose query and ``oauth_*`` parameters are ``params``
    (plus any query already in ``url``)."""
    pairs = [*parse_qsl(urlsplit(url).query, keep_blank_values=True), *params]
    normal = "&".join(f"{k}={v}" for k, v in sorted((_enc(k), _enc(v)) for k, v in pairs))
    return "&".join((method.upper(), _enc(_base_url(url)), _enc(normal)))


def oauth1_header(
    request: Request,
    credentials: Mapping[str, str],
    realm: str,
    *,
    timestamp: int | None = None,
    nonce: str | None = None,
) -> str:
    """The ``Authorization: OAuth …`` value that signs ``request`` with a TBA credential set."""
    oauth = {
        "oauth_consumer_key": credentials["consumer_key"],
        "oauth_token": credentials["token_id"],
        "oauth_signature_method": "HMAC-SHA256",
        "oauth_timestamp": str(int(time.time()) if timestamp is None else timestamp),
        "oauth_nonce": nonce or random_tokens.token_hex(16),
        "oauth_version": "1.0",
    }
    text = base_string(request.method, request.url, [*request.params, *oauth.items()])
    key = f"{_enc(credentials['consumer_secret'])}&{_enc(credentials['token_secret'])}"
    digest = hmac.new(key.encode(), text.encode(), hashlib.sha256).digest()
    oauth["oauth_signature"] = base64.b64encode(digest).decode()
    fields = [f'realm="{realm}"', *(f'{name}="{_enc(value)}"' for name, value in oauth.items())]
    return "OAuth " + ", ".join(fields)


def sign(request: Request, credentials: Mapping[str, str], account: Mapping[str, str]) -> Request:
    """``request`` signed for the account (the connector's ``sign``): realm = the account id."""
    realm = account.get("account_id")
    if not realm or any(not credentials.get(name) for name in TBA_SECRETS):
        raise AuthRevoked("this NetSuite account's TBA credentials are incomplete; link it again")
    header = oauth1_header(request, credentials, realm)
    return msgspec.structs.replace(request, headers={**request.headers, "Authorization": header})
