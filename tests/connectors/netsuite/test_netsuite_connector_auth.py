"""NetSuite's auth: account ids and hosts, TBA signatures (RFC 5849's own vector, and oauthlib as a second
implementation), and OAuth 2.0 URLs at the account's hosts."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from oauthlib import oauth1

from ledgerport.connectors._base.auth import OAuthClient
from ledgerport.connectors._base.http import MissingFact, Request, place
from ledgerport.connectors.netsuite import CONNECTOR
from ledgerport.connectors.netsuite.auth import account_facts_of, base_string, host_slug, oauth1_header, sign
from ledgerport.connectors.netsuite.client import account_facts
from ledgerport.linking import authorize_url

CREDENTIALS = {
    "consumer_key": "ck-123",
    "consumer_secret": "cs+/=secret",
    "token_id": "tk-456",
    "token_secret": "ts secret&more",
}


@pytest.mark.parametrize(
    ("typed", "account_id", "host"),
    [
        ("1234567", "1234567", "1234567"),
        ("1234567_SB1", "1234567_SB1", "1234567-sb1"),
        ("1234567-sb1", "1234567_SB1", "1234567-sb1"),
        (" tstdrv123 ", "TSTDRV123", "tstdrv123"),
    ],
)
def test_an_account_id_gives_the_realm_and_the_host(typed: str, account_id: str, host: str) -> None:
    assert account_facts_of(typed) == {"account_id": account_id, "host": host}
    assert host_slug(account_id) == host


@pytest.mark.parametrize("typed", ["", "12 34", "1234567.sb1", "https://1234567.app.netsuite.com", "_SB1"])
def test_odd_account_ids_are_refused(typed: str) -> None:
    with pytest.raises(ValueError, match="not a NetSuite account id"):
        account_facts_of(typed)


def test_the_rfc_5849_base_string_example() -> None:
    """RFC 5849 §3.4.1.1: query, body and oauth parameters, decoded and encoded again, sorted."""
    url = "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b"
    params = [
        ("c2", ""),
        ("a3", "2 q"),
        ("oauth_consumer_key", "9djdj82h48djs9d2"),
        ("oauth_token", "kkk9d7dh3k39sjv7"),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", "137131201"),
        ("oauth_nonce", "7d8f3e4a"),
    ]
    assert base_string("post", url, params) == (
        "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540"
        "%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC"
        "-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
    )


def _signature(header: str) -> str:
    found = re.search(r'oauth_signature="([^"]+)"', header)
    assert found is not None, header
    return unquote(found.group(1))


@pytest.mark.parametrize(
    "url",
    [
        "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql",
        "http://127.0.0.1:8123/services/rest/query/v1/suiteql",
    ],
)
def test_the_signature_matches_oauthlib_with_the_query_parameters_signed(url: str) -> None:
    request = Request(method="POST", url=url, params=(("limit", "1000"), ("offset", "2000")), body=b'{"q": "x"}')
    ours = oauth1_header(request, CREDENTIALS, "1234567_SB1", timestamp=1_700_000_000, nonce="abc123")
    theirs = oauth1.Client(
        CREDENTIALS["consumer_key"],
        client_secret=CREDENTIALS["consumer_secret"],
        resource_owner_key=CREDENTIALS["token_id"],
        resource_owner_secret=CREDENTIALS["token_secret"],
        signature_method=oauth1.SIGNATURE_HMAC_SHA256,
        realm="1234567_SB1",
        timestamp="1700000000",
        nonce="abc123",
    )
    _, headers, _ = theirs.sign(request.full_url, http_method="POST")
    assert _signature(ours) == _signature(headers["Authorization"])
    assert ours.startswith('OAuth realm="1234567_SB1", oauth_consumer_key="ck-123", oauth_token="tk-456"')
    assert 'oauth_signature_method="HMAC-SHA256"' in ours


def test_leaving_the_query_out_changes_the_signature() -> None:
    """The classic INVALID_LOGIN: a signature over the URL without its query parameters is another signature."""
    url = "https://1234567.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql"
    with_query = Request(method="POST", url=url, params=(("limit", "5"),))
    without = Request(method="POST", url=url)
    one = oauth1_header(with_query, CREDENTIALS, "1234567", timestamp=1, nonce="n")
    two = oauth1_header(without, CREDENTIALS, "1234567", timestamp=1, nonce="n")
    assert _signature(one) != _signature(two)


def test_sign_needs_the_realm_and_every_secret() -> None:
    request = Request(method="GET", url="https://1234567.suitetalk.api.netsuite.com/x")
    signed = sign(request, CREDENTIALS, {"account_id": "1234567", "host": "1234567"})
    assert signed.headers["Authorization"].startswith('OAuth realm="1234567"')
    from ledgerport.connectors._base import AuthRevoked

    with pytest.raises(AuthRevoked):
        sign(request, CREDENTIALS, {})
    with pytest.raises(AuthRevoked):
        sign(request, {**CREDENTIALS, "token_secret": ""}, {"account_id": "1"})


def test_the_oauth_urls_are_at_the_accounts_hosts() -> None:
    client = OAuthClient("id", "secret", "http://127.0.0.1/callback")
    facts = account_facts_of("1234567_SB1")
    url = authorize_url(CONNECTOR, client, state="s" * 22, base_url=None, facts=facts)
    assert url.startswith("https://1234567-sb1.app.netsuite.com/app/login/oauth2/authorize.nl?response_type=code")
    assert "scope=rest_webservices" in url
    assert place(CONNECTOR.auth.token_url, None, facts) == (
        "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token"
    )
    assert CONNECTOR.context(facts).base_url == "https://1234567-sb1.suitetalk.api.netsuite.com"


def test_a_sandbox_origin_needs_no_account_fact() -> None:
    assert CONNECTOR.context({}, "http://127.0.0.1:9000/ns").base_url == "http://127.0.0.1:9000/ns"
    assert place(CONNECTOR.auth.token_url, "http://127.0.0.1:9000", {}) == (
        "http://127.0.0.1:9000/services/rest/auth/oauth2/v1/token"
    )
    with pytest.raises(MissingFact):
        place(CONNECTOR.auth.token_url, None, {})


def test_the_callback_names_the_account() -> None:
    assert account_facts({"code": "c", "company": "1234567_SB1"}) == {
        "account_id": "1234567_SB1",
        "host": "1234567-sb1",
    }
    assert account_facts({"code": "c"}) == {}
