"""$batch, the 6,000-per-5-minutes sliding window, faults and the /_sandbox controls of the Business Central sandbox."""

from __future__ import annotations

import httpx
from tests.sandboxes.business_central.conftest import Clock

from ledgerport.sandboxes.business_central import SandboxApp


async def test_batch_runs_each_operation_on_its_own(
    client: httpx.AsyncClient, auth: dict[str, str], tenant_id: str, company_id: str
) -> None:
    requests = [
        {
            "id": "1",
            "method": "POST",
            "url": f"companies({company_id})/customers",
            "headers": {"Content-Type": "application/json"},
            "body": {"displayName": "Batch A"},
        },
        {
            "id": "2",
            "method": "POST",
            "url": "customers",
            "headers": {"Company": "CRONUS USA, Inc."},
            "body": {"blocked": "Never", "displayName": "B"},
        },
        {"method": "GET", "url": f"companies({company_id})/customers?$filter=displayName eq 'Batch A'"},
    ]
    response = await client.post(
        f"/v2.0/{tenant_id}/production/api/v2.0/$batch", headers=auth, json={"requests": requests}
    )
    assert response.status_code == 200, response.text
    results = response.json()["responses"]
    assert [r["status"] for r in results] == [201, 400, 200]
    assert results[0]["id"] == "1"
    assert results[2]["id"] is None
    assert results[1]["body"]["error"]["code"] == "Application_EvaluateException"
    assert [c["displayName"] for c in results[2]["body"]["value"]] == ["Batch A"]


async def test_batch_snapshot_isolation_is_all_or_nothing(
    client: httpx.AsyncClient, auth: dict[str, str], tenant_id: str, company_id: str
) -> None:
    requests = [
        {
            "id": "1",
            "method": "POST",
            "url": f"companies({company_id})/customers",
            "body": {"displayName": "Snapshot A"},
        },
        {
            "id": "2",
            "method": "POST",
            "url": f"companies({company_id})/customers",
            "body": {"displayName": "S", "blocked": "Never"},
        },
    ]
    url = f"/v2.0/{tenant_id}/production/api/v2.0/$batch"
    response = await client.post(url, headers={**auth, "Isolation": "snapshot"}, json={"requests": requests})
    assert [r["status"] for r in response.json()["responses"]] == [201, 400]
    check = await client.get(
        f"/v2.0/{tenant_id}/production/api/v2.0/companies({company_id})/customers",
        params={"$filter": "displayName eq 'Snapshot A'"},
        headers=auth,
    )
    assert check.json()["value"] == []


async def test_batch_of_more_than_100_is_refused(
    client: httpx.AsyncClient, auth: dict[str, str], tenant_id: str, company_id: str
) -> None:
    requests = [{"id": str(i), "method": "GET", "url": f"companies({company_id})/items?$top=1"} for i in range(101)]
    response = await client.post(
        f"/v2.0/{tenant_id}/production/api/v2.0/$batch", headers=auth, json={"requests": requests}
    )
    assert response.status_code == 400
    ok = await client.post(
        f"/v2.0/{tenant_id}/production/api/v2.0/$batch", headers=auth, json={"requests": requests[:100]}
    )
    assert ok.status_code == 200
    assert len(ok.json()["responses"]) == 100


async def test_sliding_window_throttles_and_recovers(
    client: httpx.AsyncClient, auth: dict[str, str], base: str, clock: Clock
) -> None:
    limits = await client.post("/_sandbox/limits", json={"limit": 5})
    assert limits.json()["limit"] == 5
    statuses = []
    for _ in range(3):
        statuses.append((await client.get(f"{base}/items", params={"$top": "1"}, headers=auth)).status_code)
    clock.now += 200
    for _ in range(3):
        statuses.append((await client.get(f"{base}/items", params={"$top": "1"}, headers=auth)).status_code)
    assert statuses == [200, 200, 200, 200, 200, 429]
    refused = await client.get(f"{base}/items", headers=auth)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "Application_TooManyRequests"
    assert "CorrelationId:  " in refused.json()["error"]["message"]
    assert 1 <= int(refused.headers["retry-after"]) <= 100
    clock.now += 101  # the first three leave the window; a fixed window would still be full or already empty
    assert (await client.get(f"{base}/items", headers=auth)).status_code == 200
    stats = (await client.get("/_sandbox/stats")).json()
    assert stats["throttled"] == 2


async def test_limits_off_never_throttle(clock: Clock) -> None:
    from ledgerport.sandboxes.business_central import create_app

    app = create_app(seed=3, clock=clock, limits=False)
    app.throttle.limit = 1
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sandbox") as client:
        token = (await client.post("/_sandbox/tokens")).json()["access_token"]
        for _ in range(3):
            response = await client.get(
                f"/v2.0/{app.tenant.id}/production/api/v2.0/companies", headers={"Authorization": f"Bearer {token}"}
            )
            assert response.status_code == 200


async def test_faults_storm_and_clear(client: httpx.AsyncClient, auth: dict[str, str], base: str) -> None:
    await client.post("/_sandbox/faults", json={"error_rate": 1.0, "error_status": 503})
    failed = await client.get(f"{base}/items", headers=auth)
    assert failed.status_code == 503
    assert failed.json()["error"]["code"] == "Internal_ServiceUnavailable"
    token = await client.post("/organizations/oauth2/v2.0/token", data={"grant_type": "refresh_token"})
    assert token.status_code != 503  # the identity endpoints are exempt
    await client.post("/_sandbox/faults", json={"error_rate": 0, "throttle_rate": 1.0})
    throttled = await client.get(f"{base}/items", headers=auth)
    assert throttled.status_code == 429
    assert "retry-after" in throttled.headers
    await client.post("/_sandbox/faults", json={"throttle_rate": 0})
    assert (await client.get(f"{base}/items", headers=auth)).status_code == 200


async def test_token_expiry_control_and_reset(
    client: httpx.AsyncClient, auth: dict[str, str], base: str, app: SandboxApp
) -> None:
    created = await client.post(f"{base}/customers", headers=auth, json={"displayName": "Gone after reset"})
    assert created.status_code == 201
    assert (await client.post("/_sandbox/tokens/expire")).status_code == 204
    assert (await client.get(f"{base}/customers", headers=auth)).status_code == 401
    assert (await client.post("/_sandbox/reset")).status_code == 204
    token = (await client.post("/_sandbox/tokens")).json()["access_token"]
    again = await client.get(
        f"{base}/customers",
        params={"$filter": "displayName eq 'Gone after reset'"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert again.status_code == 200
    assert again.json()["value"] == []


async def test_clock_control_moves_last_modified(client: httpx.AsyncClient, auth: dict[str, str], base: str) -> None:
    await client.post("/_sandbox/clock", json={"advance": 86_400})
    assert (await client.get(f"{base}/items", headers=auth)).status_code == 401  # the token aged a day too
    token = (await client.post("/_sandbox/tokens")).json()["access_token"]
    created = await client.post(
        f"{base}/items", headers={"Authorization": f"Bearer {token}"}, json={"displayName": "Clocked"}
    )
    now = (await client.get("/_sandbox/clock")).json()["now"]
    assert created.json()["lastModifiedDateTime"][:10] == now[:10]
