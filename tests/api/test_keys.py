"""API keys over the API: generate-key adds one, regenerate-key rotates the caller's key."""

from __future__ import annotations

import httpx

from harness import Server, TenantFactory


def _post(server: Server, path: str, key: str, body: object) -> httpx.Response:
    return httpx.post(f"{server.api}/accounting/v1/{path}", json=body, headers={"Authorization": f"Bearer {key}"})


def _linked_accounts(server: Server, key: str) -> httpx.Response:
    return httpx.get(f"{server.api}/accounting/v1/linked-accounts", headers={"Authorization": f"Bearer {key}"})


class TestKeys:
    def test_no_api_key(self, server: Server) -> None:
        response = httpx.post(f"{server.api}/accounting/v1/generate-key", json={"name": "x"})
        assert response.status_code == 401
        assert response.json() == {"detail": "Authentication credentials were not provided."}

    def test_generate_adds_a_working_key_of_the_same_organization(
        self, server: Server, make_tenant: TenantFactory
    ) -> None:
        tenant = make_tenant()
        made = _post(server, "generate-key", tenant.api_key, {"name": "reporting"})
        assert made.status_code == 200
        assert made.json()["name"] == "reporting"
        new_key = made.json()["key"]
        assert new_key != tenant.api_key
        ids = {row["id"] for row in _linked_accounts(server, new_key).json()["results"]}
        assert ids == {str(tenant.account_id)}
        assert _linked_accounts(server, tenant.api_key).status_code == 200

    def test_regenerate_rotates_the_calling_key(self, server: Server, make_tenant: TenantFactory) -> None:
        tenant = make_tenant()
        rotated = _post(server, "regenerate-key", tenant.api_key, {"name": "rotated"})
        assert rotated.status_code == 200
        assert _linked_accounts(server, rotated.json()["key"]).status_code == 200
        refused = _linked_accounts(server, tenant.api_key)
        assert refused.status_code == 401
        assert refused.json() == {"detail": "Invalid token."}

    def test_bad_bodies_are_400(self, server: Server, make_tenant: TenantFactory) -> None:
        tenant = make_tenant()
        for body in ({}, {"name": ""}, {"name": "x", "extra": 1}, ["name"]):
            response = _post(server, "generate-key", tenant.api_key, body)
            assert response.status_code == 400, body
            assert "detail" in response.json()
