"""Merge's scopes and selective sync over a live server: the defaults, a linked account's own scopes, what a 400
names, what a disabled model or field means for what is stored and served, tenant isolation, the audit trail, and
Merge's own SDK calling every operation.

Stored data is checked in the ``records`` table itself (a plain SELECT), never only through the API.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import httpx
import msgspec
import pytest
from merge import Merge
from merge.core.api_error import ApiError
from sqlalchemy import select

from harness import Server, Tenant, TenantFactory, run
from ledgerport.models import MODELS
from ledgerport.store import Database
from ledgerport.store.scopes import scoped_fields
from ledgerport.store.tables import records

_exact = msgspec.json.Decoder(float_hook=Decimal)


def _headers(tenant: Tenant) -> dict[str, str]:
    return {"Authorization": f"Bearer {tenant.api_key}", "X-Account-Token": tenant.account_token}


def _get(server: Server, tenant: Tenant, path: str, **params: Any) -> httpx.Response:
    return httpx.get(f"{server.api}/accounting/v1/{path}", params=params, headers=_headers(tenant), timeout=30)


def _post_scopes(server: Server, tenant: Tenant, common_models: Any) -> httpx.Response:
    return httpx.post(
        f"{server.api}/accounting/v1/linked-account-scopes",
        json={"common_models": common_models},
        headers=_headers(tenant),
        timeout=30,
    )


def _stored(database_url: str, account_id: uuid.UUID, model: str) -> list[tuple[dict[str, Any], bytes | None, Any]]:
    """Each stored record of the model: its document, its raw ``remote_data`` bytes and its ``filter_values``."""

    async def read() -> list[tuple[dict[str, Any], bytes | None, Any]]:
        database = Database(database_url)
        try:
            async with database.read() as session:
                rows = await session.execute(
                    select(records.c.document, records.c.remote_data, records.c.filter_values).where(
                        records.c.linked_account_id == account_id, records.c.model == model
                    )
                )
                return [(_exact.decode(row[0]), None if row[1] is None else bytes(row[1]), row[2]) for row in rows]
        finally:
            await database.dispose()

    return run(read())


def _by_model(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["model_name"]: entry for entry in body["common_models"]}


class TestDefaults:
    def test_every_model_and_field_is_enabled_and_write_where_merge_writes(
        self, server: Server, make_tenant: TenantFactory
    ) -> None:
        tenant = make_tenant()
        response = httpx.get(
            f"{server.api}/accounting/v1/default-scopes",
            headers={"Authorization": f"Bearer {tenant.api_key}"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        models = _by_model(response.json())
        assert list(models) == list(MODELS)
        for name, entry in models.items():
            assert entry["model_permissions"] == {
                "READ": {"is_enabled": True},
                "WRITE": {"is_enabled": bool(MODELS[name].writes)},
            }
            assert entry["field_permissions"] == {"enabled_fields": list(scoped_fields(name)), "disabled_fields": []}
        assert "memo" in models["Invoice"]["field_permissions"]["enabled_fields"]
        assert "id" not in models["Invoice"]["field_permissions"]["enabled_fields"]

    def test_default_scopes_need_an_api_key(self, server: Server) -> None:
        assert httpx.get(f"{server.api}/accounting/v1/default-scopes", timeout=30).status_code == 401

    def test_a_new_account_has_the_defaults(self, server: Server, make_tenant: TenantFactory) -> None:
        tenant = make_tenant()
        defaults = httpx.get(f"{server.api}/accounting/v1/default-scopes", headers=_headers(tenant), timeout=30).json()
        assert _get(server, tenant, "linked-account-scopes").json() == defaults


class TestLinkedAccountScopes:
    def test_disabling_a_field_blanks_it_in_storage_and_drops_remote_data(
        self, server: Server, make_tenant: TenantFactory, database_url: str
    ) -> None:
        tenant = make_tenant(seed={"invoices": 8}, seed_value=3)
        before = _stored(database_url, tenant.account_id, "Invoice")
        numbers = [document["number"] for document, _, _ in before if document["number"]]
        assert numbers
        assert any(remote is not None for _, remote, _ in before)
        response = _post_scopes(
            server,
            tenant,
            [{"model_name": "Invoice", "field_permissions": {"disabled_fields": ["number", "memo"]}}],
        )
        assert response.status_code == 200, response.text
        invoice = _by_model(response.json())["Invoice"]
        assert invoice["field_permissions"]["disabled_fields"] == ["number", "memo"]
        assert "number" not in invoice["field_permissions"]["enabled_fields"]
        assert _by_model(_get(server, tenant, "linked-account-scopes").json())["Invoice"] == invoice

        after = _stored(database_url, tenant.account_id, "Invoice")
        assert len(after) == len(before)
        for document, remote, filter_values in after:
            assert document["number"] is None
            assert document["memo"] is None
            assert remote is None
            assert filter_values.get("number") is None
        served = _get(server, tenant, "invoices", include_remote_data="true").json()["results"]
        assert served
        assert all(row["number"] is None and row["remote_data"] is None for row in served)
        assert any(row["contact"] is not None for row in served)  # other fields are kept
        # the number filter finds nothing by a value that is no longer kept
        assert _get(server, tenant, "invoices", number=numbers[0]).json()["results"] == []

    def test_a_disabled_model_is_deleted_refused_and_not_writable(
        self, server: Server, make_tenant: TenantFactory, database_url: str
    ) -> None:
        tenant = make_tenant(seed={"invoices": 4}, seed_value=4)
        some = _get(server, tenant, "invoices").json()["results"][0]["id"]
        response = _post_scopes(
            server,
            tenant,
            [
                {"model_name": "Invoice", "model_permissions": {"READ": {"is_enabled": False}}},
                {"model_name": "Contact", "model_permissions": {"WRITE": {"is_enabled": False}}},
            ],
        )
        assert response.status_code == 200, response.text
        models = _by_model(response.json())
        assert models["Invoice"]["model_permissions"]["READ"] == {"is_enabled": False}
        assert models["Invoice"]["field_permissions"]["enabled_fields"] == []
        assert models["Contact"]["model_permissions"] == {"READ": {"is_enabled": True}, "WRITE": {"is_enabled": False}}
        assert _stored(database_url, tenant.account_id, "Invoice") == []
        assert _stored(database_url, tenant.account_id, "Contact")  # untouched
        for path in ("invoices", f"invoices/{some}"):
            refused = _get(server, tenant, path)
            assert refused.status_code == 403, refused.text
            assert "Invoice" in refused.json()["detail"]
        assert _get(server, tenant, "contacts").status_code == 200
        for model, path in (("Contact", "contacts"), ("Invoice", "invoices")):
            write = httpx.post(
                f"{server.api}/accounting/v1/{path}",
                json={"model": {"name": "Acme"}},
                headers=_headers(tenant),
                timeout=30,
            )
            assert write.status_code == 403, write.text
            (error,) = write.json()["errors"]
            assert error["problem_type"] == "ERROR"
            assert model in error["detail"]
        # enabling it again (posting the defaults) serves it again; the next sync fills it
        assert _post_scopes(server, tenant, []).status_code == 200
        assert _get(server, tenant, "invoices").json()["results"] == []

    @pytest.mark.parametrize(
        ("common_models", "named"),
        [
            ([{"model_name": "Invoicez"}, {"model_name": "Nope"}], ["Invoicez", "Nope"]),
            ([{"model_name": "Invoice", "field_permissions": {"disabled_fields": ["numbr", "memo"]}}], ["numbr"]),
            ([{"model_name": "Invoice", "field_permissions": {"enabled_fields": ["total", "x_y"]}}], ["x_y"]),
            ([{"model_name": "Invoice", "field_permissions": {"disabled_fields": ["id"]}}], ["id"]),
            ([{"model_name": "Invoice", "model_permissions": {"DELETE": {"is_enabled": False}}}], ["DELETE"]),
            (
                [
                    {
                        "model_name": "Invoice",
                        "field_permissions": {"enabled_fields": ["memo"], "disabled_fields": ["memo"]},
                    }
                ],
                ["memo"],
            ),
            ([{"model_name": "Invoice"}, {"model_name": "Invoice"}], ["Invoice"]),
            ([{"model_name": "Employee", "model_permissions": {"WRITE": {"is_enabled": True}}}], ["Employee"]),
            ([{"model_name": "Invoice", "field_permissions": {"disabled_fields": [3]}}], ["3"]),
        ],
    )
    def test_what_is_wrong_is_named(
        self, server: Server, make_tenant: TenantFactory, common_models: Any, named: list[str]
    ) -> None:
        tenant = make_tenant()
        response = _post_scopes(server, tenant, common_models)
        assert response.status_code == 400, response.text
        detail = response.json()["detail"]
        assert all(name in detail for name in named), detail
        assert all(
            entry["field_permissions"]["disabled_fields"] == []
            for entry in _get(server, tenant, "linked-account-scopes").json()["common_models"]
        )

    def test_a_malformed_body_is_a_400(self, server: Server, make_tenant: TenantFactory) -> None:
        tenant = make_tenant()
        for body in ({}, {"common_models": "Invoice"}, {"common_models": [{"model_permissions": {}}]}):
            response = httpx.post(
                f"{server.api}/accounting/v1/linked-account-scopes", json=body, headers=_headers(tenant), timeout=30
            )
            assert response.status_code == 400, (body, response.text)
            assert set(response.json()) == {"detail"}

    def test_one_account_scopes_nothing_of_another(
        self, server: Server, make_tenant: TenantFactory, database_url: str
    ) -> None:
        mine, theirs = make_tenant(seed={"invoices": 3}, seed_value=5), make_tenant(seed={"invoices": 3}, seed_value=6)
        disabled = [{"model_name": "Invoice", "field_permissions": {"disabled_fields": ["number"]}}]
        assert _post_scopes(server, mine, disabled).status_code == 200
        assert all(document["number"] for document, _, _ in _stored(database_url, theirs.account_id, "Invoice"))
        invoice = _by_model(_get(server, theirs, "linked-account-scopes").json())["Invoice"]
        assert invoice["field_permissions"]["disabled_fields"] == []
        # another organization's account token with this key is not found
        crossed = httpx.get(
            f"{server.api}/accounting/v1/linked-account-scopes",
            headers={"Authorization": f"Bearer {mine.api_key}", "X-Account-Token": theirs.account_token},
            timeout=30,
        )
        assert crossed.status_code in (401, 404)
        crossed = httpx.post(
            f"{server.api}/accounting/v1/linked-account-scopes",
            json={"common_models": disabled},
            headers={"Authorization": f"Bearer {mine.api_key}", "X-Account-Token": theirs.account_token},
            timeout=30,
        )
        assert crossed.status_code in (401, 404)
        assert all(document["number"] for document, _, _ in _stored(database_url, theirs.account_id, "Invoice"))

    def test_a_change_is_in_the_audit_trail(self, server: Server, make_tenant: TenantFactory) -> None:
        tenant = make_tenant()
        disabled = [{"model_name": "Contact", "field_permissions": {"disabled_fields": ["email_address"]}}]
        assert _post_scopes(server, tenant, disabled).status_code == 200
        trail = httpx.get(
            f"{server.api}/accounting/v1/audit-trail",
            params={"event_type": "CHANGED_SCOPES"},
            headers={"Authorization": f"Bearer {tenant.api_key}"},
            timeout=30,
        ).json()["results"]
        (event,) = trail
        assert event["role"] == "API"
        assert str(tenant.account_id) in event["event_description"]
        assert "email_address" in event["event_description"]

    def test_a_change_queues_a_sync(self, server: Server, make_tenant: TenantFactory) -> None:
        tenant = make_tenant()
        assert _post_scopes(server, tenant, []).status_code == 200
        statuses = _get(server, tenant, "sync-status").json()["results"]
        assert statuses == [] or all(status["status"] in ("SYNCING", "DONE", "FAILED") for status in statuses)


class TestSelectiveSyncApi:
    def test_a_seeded_account_offers_its_integrations_conditions(
        self, server: Server, make_tenant: TenantFactory
    ) -> None:
        tenant = make_tenant()
        meta = _get(server, tenant, "selective-sync/meta").json()
        assert meta["next"] is None
        assert meta["previous"] is None
        offered = {(row["common_model"], row["field_name"]): row for row in meta["results"]}
        invoice = offered[("Invoice", "issue_date")]
        assert invoice["native_name"] == "TxnDate"
        assert invoice["condition_type"] == "DATE"
        assert {op["operator"] for op in invoice["operators"]} >= {"GREATER_THAN", "LESS_THAN"}
        narrowed = _get(server, tenant, "selective-sync/meta", common_model="Contact").json()["results"]
        assert [row["common_model"] for row in narrowed] == ["Contact"]
        assert (
            _get(server, tenant, "selective-sync/meta", common_model="accounting.Contact").json()["results"] == narrowed
        )
        assert _get(server, tenant, "selective-sync/meta", page_size=0).status_code == 400
        assert _get(server, tenant, "selective-sync/configurations").json() == []
        assert _get(server, tenant, "selective-sync/conditions").json() == {"results": []}

    def test_conditions_limit_what_is_stored(
        self, server: Server, make_tenant: TenantFactory, database_url: str
    ) -> None:
        tenant = make_tenant(seed={"invoices": 20}, seed_value=7)
        dates = sorted(document["issue_date"] for document, _, _ in _stored(database_url, tenant.account_id, "Invoice"))
        cut = dates[len(dates) // 2][:10]
        meta = _get(server, tenant, "selective-sync/meta", common_model="Invoice").json()["results"]
        schema = next(row for row in meta if row["field_name"] == "issue_date")
        body = {
            "sync_configurations": [
                {
                    "linked_account_conditions": [
                        {"condition_schema_id": schema["id"], "operator": "GREATER_THAN_OR_EQUAL_TO", "value": cut}
                    ]
                }
            ]
        }
        response = httpx.put(
            f"{server.api}/accounting/v1/selective-sync/configurations", json=body, headers=_headers(tenant), timeout=30
        )
        assert response.status_code == 200, response.text
        (configuration,) = response.json()
        (condition,) = configuration["linked_account_conditions"]
        assert condition["field_name"] == "issue_date"
        assert condition["value"] == cut
        kept = _stored(database_url, tenant.account_id, "Invoice")
        assert kept
        assert len(kept) < len(dates)
        assert all(document["issue_date"][:10] >= cut for document, _, _ in kept)
        assert len(kept) == sum(date[:10] >= cut for date in dates)
        assert list(condition) == [
            "condition_schema_id",
            "common_model",
            "native_name",
            "operator",
            "value",
            "field_name",
        ]
        listed = _get(server, tenant, "selective-sync/conditions").json()["results"]
        assert isinstance(uuid.UUID(listed[0]["id"]), uuid.UUID)
        assert listed == [
            {
                "id": listed[0]["id"],
                "common_model": "Invoice",
                "normalized_key_name": "issue_date",
                "remote_key_name": "TxnDate",
                "operator": "GREATER_THAN_OR_EQUAL_TO",
                "value": {"value": cut},
            }
        ]
        assert _get(server, tenant, "selective-sync/configurations").json() == [configuration]

    @pytest.mark.parametrize(
        ("condition", "named"),
        [
            ({"condition_schema_id": "nope", "operator": "EQUALS", "value": "x"}, "nope"),
            ({"operator": "CONTAINS", "value": "2024-01-01"}, "CONTAINS"),
            ({"operator": "GREATER_THAN", "value": "yesterday"}, "yesterday"),
            ({"operator": "GREATER_THAN", "value": 20240101}, "20240101"),
        ],
    )
    def test_a_wrong_condition_is_named(
        self, server: Server, make_tenant: TenantFactory, condition: dict[str, Any], named: str
    ) -> None:
        tenant = make_tenant()
        meta = _get(server, tenant, "selective-sync/meta", common_model="Invoice").json()["results"]
        schema = next(row for row in meta if row["field_name"] == "issue_date")
        body = {
            "sync_configurations": [{"linked_account_conditions": [{"condition_schema_id": schema["id"], **condition}]}]
        }
        response = httpx.put(
            f"{server.api}/accounting/v1/selective-sync/configurations", json=body, headers=_headers(tenant), timeout=30
        )
        assert response.status_code == 400, response.text
        assert named in response.json()["detail"]
        assert _get(server, tenant, "selective-sync/configurations").json() == []


class TestMergeSdk:
    def test_the_sdk_reads_and_changes_scopes_and_reads_conditions(
        self, server: Server, make_tenant: TenantFactory
    ) -> None:
        tenant = make_tenant(seed={"invoices": 3}, seed_value=8)
        sdk = Merge(api_key=tenant.api_key, account_token=tenant.account_token, base_url=server.api)
        defaults = sdk.accounting.scopes.default_scopes_retrieve()
        assert [entry.model_name for entry in defaults.common_models] == list(MODELS)
        own = sdk.accounting.scopes.linked_account_scopes_retrieve()
        assert own == defaults
        changed = sdk.accounting.scopes.linked_account_scopes_create(
            common_models=[
                {
                    "model_name": "Invoice",
                    "model_permissions": {"READ": {"is_enabled": True}, "WRITE": {"is_enabled": False}},
                    "field_permissions": {"enabled_fields": ["total_amount"], "disabled_fields": ["memo"]},
                }
            ]
        )
        invoice = next(entry for entry in changed.common_models if entry.model_name == "Invoice")
        assert invoice.model_permissions is not None
        assert invoice.field_permissions is not None
        assert invoice.model_permissions["WRITE"].is_enabled is False
        assert invoice.field_permissions.disabled_fields == ["memo"]
        assert sdk.accounting.scopes.linked_account_scopes_retrieve() == changed
        assert sdk.accounting.selective_sync.conditions_list().results == []
        meta = _get(server, tenant, "selective-sync/meta", common_model="Contact").json()["results"]
        condition = {"condition_schema_id": meta[0]["id"], "operator": "EQUALS", "value": "ACTIVE"}
        put = httpx.put(
            f"{server.api}/accounting/v1/selective-sync/configurations",
            json={"sync_configurations": [{"linked_account_conditions": [condition]}]},
            headers=_headers(tenant),
            timeout=30,
        )
        assert put.status_code == 200, put.text
        (listed,) = sdk.accounting.selective_sync.conditions_list().results
        assert listed.common_model == "Contact"
        assert listed.normalized_key_name == "status"
        assert listed.operator == "EQUALS"
        assert listed.value == {"value": "ACTIVE"}
        with pytest.raises(ApiError) as refused:
            sdk.accounting.scopes.linked_account_scopes_create(common_models=[{"model_name": "NoSuchModel"}])
        assert refused.value.status_code == 400
        assert "NoSuchModel" in refused.value.body["detail"]
