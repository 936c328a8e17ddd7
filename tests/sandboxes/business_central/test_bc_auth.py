"""Entra ID endpoints of the Business Central sandbox: code flow, JWT claims, refresh rotation, app tokens, 401s."""

from __future__ import annotations

import httpx
import jwt
from tests.sandboxes.business_central.conftest import Clock, link

from ledgerport.sandboxes.business_central import SandboxApp


async def test_code_flow_gives_a_bc_jwt_with_the_tenant(client: httpx.AsyncClient, app: SandboxApp) -> None:
    body = await link(client)
    assert body["token_type"] == "Bearer"
    assert body["refresh_token"]
    assert 3000 <= body["expires_in"] <= 5400
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["tid"] == app.tenant.id
    assert claims["aud"] == "https://api.businesscentral.dynamics.com"
    assert "Financials.ReadWrite.All" in claims["scp"]
    assert claims["oid"]


async def test_without_offline_access_there_is_no_refresh_token(client: httpx.AsyncClient) -> None:
    body = await link(client, scope="https://api.businesscentral.dynamics.com/user_impersonation")
    assert "refresh_token" not in body


async def test_refresh_rotates_and_the_old_token_stays_valid(client: httpx.AsyncClient) -> None:
    first = await link(client)
    form = {"grant_type": "refresh_token", "client_id": "sandbox-client", "client_secret": "sandbox-secret"}
    second = (
        await client.post("/organizations/oauth2/v2.0/token", data={**form, "refresh_token": first["refresh_token"]})
    ).json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    again = await client.post(
        "/organizations/oauth2/v2.0/token", data={**form, "refresh_token": first["refresh_token"]}
    )
    assert again.status_code == 200
    assert again.json()["refresh_token"] not in {
        first["refresh_token"],
        second["refresh_token"],
    }
    bad = await client.post("/organizations/oauth2/v2.0/token", data={**form, "refresh_token": "nope"})
    assert bad.status_code == 400
    assert bad.json()["error"] == "invalid_grant"
    assert bad.json()["error_description"].startswith("AADSTS70000")


async def test_client_credentials_need_the_tenant_and_give_no_refresh_token(
    client: httpx.AsyncClient, app: SandboxApp
) -> None:
    form = {
        "grant_type": "client_credentials",
        "client_id": "sandbox-client",
        "client_secret": "sandbox-secret",
        "scope": "https://api.businesscentral.dynamics.com/.default",
    }
    response = await client.post(f"/{app.tenant.id}/oauth2/v2.0/token", data=form)
    assert response.status_code == 200, response.text
    assert "refresh_token" not in response.json()
    claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
    assert "API.ReadWrite.All" in claims["roles"]
    api = await client.get(
        f"/v2.0/{app.tenant.id}/production/api/v2.0/companies",
        headers={"Authorization": f"Bearer {response.json()['access_token']}"},
    )
    assert api.status_code == 200
    wrong = await client.post(f"/{app.tenant.id}/oauth2/v2.0/token", data={**form, "client_secret": "x"})
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"


async def test_authorize_without_auto_approve_shows_consent(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/organizations/oauth2/v2.0/authorize",
        params={"response_type": "code", "client_id": "sandbox-client", "redirect_uri": "http://x/cb", "state": "q"},
    )
    assert response.status_code == 200
    assert "<form" in response.text
    approved = await client.post(
        "/organizations/oauth2/v2.0/authorize",
        data={
            "response_type": "code",
            "client_id": "sandbox-client",
            "redirect_uri": "http://x/cb",
            "state": "q",
            "decision": "approve",
        },
    )
    assert approved.status_code == 302
    assert "code=" in approved.headers["location"]


async def test_expired_missing_and_forged_tokens_are_401(
    client: httpx.AsyncClient, app: SandboxApp, clock: Clock
) -> None:
    body = await link(client)
    url = f"/v2.0/{app.tenant.id}/production/api/v2.0/companies"
    assert (await client.get(url)).status_code == 401
    forged = jwt.encode(
        {"tid": app.tenant.id, "aud": "https://api.businesscentral.dynamics.com"},
        "another-secret-of-at-least-32-bytes!!",
        algorithm="HS256",
    )
    response = await client.get(url, headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "Authentication_InvalidCredentials"
    assert "CorrelationId:  " in response.json()["error"]["message"]
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    assert (await client.get(url, headers=headers)).status_code == 200
    clock.now += 3601
    assert (await client.get(url, headers=headers)).status_code == 401


async def test_environments_list(client: httpx.AsyncClient, auth: dict[str, str], app: SandboxApp) -> None:
    response = await client.get("/environments/v1.2", headers=auth)
    assert response.status_code == 200
    names = {(env["name"], env["type"]) for env in response.json()["value"]}
    assert names == {("production", "Production"), ("sandbox", "Sandbox")}
    assert all(env["aadTenantId"] == app.tenant.id for env in response.json()["value"])
