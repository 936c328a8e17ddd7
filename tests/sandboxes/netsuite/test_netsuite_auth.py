"""OAuth 2.0 (JWT access tokens for 60 minutes, refresh tokens for 7 days) and TBA signatures (oauthlib signs)."""

from __future__ import annotations

import httpx
import jwt
import pytest
from oauthlib import oauth1

from conftest import NS, RECORDS, oauth_tokens


async def test_access_tokens_are_jwts_that_expire_after_an_hour(ns: NS) -> None:
    claims = jwt.decode(ns.tokens["access_token"], options={"verify_signature": False})
    assert claims["iss"] == "https://system.netsuite.com"
    assert claims["aud"][1] == "sandbox-client"
    assert ns.tokens["expires_in"] == "3600"
    assert (await ns.client.get(f"{RECORDS}/invoice", headers=ns.headers)).status_code == 200
    ns.clock.now += 3601
    expired = await ns.client.get(f"{RECORDS}/invoice", headers=ns.headers)
    assert expired.status_code == 401
    assert expired.json()["o:errorDetails"][0]["o:errorCode"] == "INVALID_LOGIN"


async def test_refresh_tokens_last_seven_days_then_invalid_grant(ns: NS) -> None:
    async def refresh() -> httpx.Response:
        return await ns.client.post(
            "/services/rest/auth/oauth2/v1/token",
            data={"grant_type": "refresh_token", "refresh_token": ns.tokens["refresh_token"]},
            auth=("sandbox-client", "sandbox-secret"),
        )

    ns.clock.now += 6 * 86400
    renewed = await refresh()
    assert renewed.status_code == 200
    assert renewed.json()["refresh_token"] == ns.tokens["refresh_token"]
    headers = {"Authorization": f"Bearer {renewed.json()['access_token']}"}
    assert (await ns.client.get(f"{RECORDS}/invoice", headers=headers)).status_code == 200
    ns.clock.now += 86400 + 1
    late = await refresh()
    assert late.status_code == 400
    assert late.json() == {"error": "invalid_grant"}


async def test_wrong_client_secret_is_invalid_client(ns: NS) -> None:
    response = await ns.client.post(
        "/services/rest/auth/oauth2/v1/token",
        data={"grant_type": "refresh_token", "refresh_token": ns.tokens["refresh_token"]},
        auth=("sandbox-client", "wrong"),
    )
    assert response.status_code == 401
    assert response.json() == {"error": "invalid_client"}


async def test_a_code_works_once(ns: NS) -> None:
    assert (await oauth_tokens(ns.client))["access_token"]
    response = await ns.client.get(
        "/app/login/oauth2/authorize.nl",
        params={
            "response_type": "code",
            "client_id": "sandbox-client",
            "redirect_uri": "http://localhost/callback",
            "scope": "rest_webservices",
            "state": "s" * 22,
            "auto_approve": "true",
        },
    )
    code = response.headers["location"].split("code=")[1].split("&")[0]
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": "http://localhost/callback"}
    first = await ns.client.post(
        "/services/rest/auth/oauth2/v1/token", data=data, auth=("sandbox-client", "sandbox-secret")
    )
    second = await ns.client.post(
        "/services/rest/auth/oauth2/v1/token", data=data, auth=("sandbox-client", "sandbox-secret")
    )
    assert (first.status_code, second.status_code) == (200, 400)


async def _tba_client(ns: NS, **overrides: str) -> oauth1.Client:
    creds = (await ns.client.get("/_sandbox/tba")).json()
    settings = {
        "client_key": creds["consumer_key"],
        "client_secret": creds["consumer_secret"],
        "resource_owner_key": creds["token_id"],
        "resource_owner_secret": creds["token_secret"],
        "realm": creds["realm"],
        "signature_method": oauth1.SIGNATURE_HMAC_SHA256,
    }
    settings.update(overrides)
    return oauth1.Client(
        settings.pop("client_key"),
        timestamp=str(int(ns.clock.now)),
        **settings,  # type: ignore[arg-type]
    )


async def _signed_get(ns: NS, signer: oauth1.Client, url: str, sign_url: str | None = None) -> httpx.Response:
    _, headers, _ = signer.sign(f"http://ns.test{sign_url or url}", "GET")
    return await ns.client.get(url, headers=headers)


async def test_tba_signature_with_query_parameters_is_accepted(ns: NS) -> None:
    signer = await _tba_client(ns)
    url = f"{RECORDS}/invoice?limit=5&q=tranDate%20ON_OR_AFTER%20%221%2F1%2F2025%22"
    response = await _signed_get(ns, signer, url)
    assert response.status_code == 200, response.text
    assert response.json()["count"] == 5


async def test_tba_signature_that_leaves_out_the_query_is_invalid_login(ns: NS) -> None:
    signer = await _tba_client(ns)
    response = await _signed_get(ns, signer, f"{RECORDS}/invoice?limit=5", sign_url=f"{RECORDS}/invoice")
    assert response.status_code == 401
    assert response.json()["o:errorDetails"][0]["o:errorCode"] == "INVALID_LOGIN"


@pytest.mark.parametrize(
    "override",
    [{"realm": "1234567_sb1"}, {"client_secret": "wrong"}, {"signature_method": oauth1.SIGNATURE_HMAC_SHA1}],
    ids=["lower-case realm", "wrong secret", "HMAC-SHA1"],
)
async def test_tba_failures_are_invalid_login(ns: NS, override: dict[str, str]) -> None:
    signer = await _tba_client(ns, **override)
    response = await _signed_get(ns, signer, f"{RECORDS}/invoice")
    assert response.status_code == 401
    assert response.json()["o:errorDetails"][0]["o:errorCode"] == "INVALID_LOGIN"


async def test_tba_nonce_is_single_use(ns: NS) -> None:
    signer = await _tba_client(ns)
    _, headers, _ = signer.sign(f"http://ns.test{RECORDS}/invoice", "GET")
    first = await ns.client.get(f"{RECORDS}/invoice", headers=headers)
    again = await ns.client.get(f"{RECORDS}/invoice", headers=headers)
    assert (first.status_code, again.status_code) == (200, 401)


async def test_no_credentials_is_invalid_login(ns: NS) -> None:
    response = await ns.client.get(f"{RECORDS}/invoice")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/vnd.oracle.resource+json; type=error")
