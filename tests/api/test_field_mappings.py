"""Field mappings against a live server, on accounts linked to the QuickBooks and Xero sandboxes and synced: the
endpoints' answers and refusals, tenants kept apart, the audit trail, the mapped values in every read of the model
after a resync (run here, as a worker would run the sync the change queued), ``/remote-fields`` listing the paths
of the synced provider records, and Merge's own SDK calling every field-mapping operation.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import msgspec
import pytest
from merge import Merge
from merge.core.api_error import ApiError
from synced_harness import SyncedOrganization, resync

from harness import Server, TenantFactory, run
from ledgerport.store import Database
from ledgerport.store.jobs import next_queued
from ledgerport.store.sync_states import list_sync_states
from ledgerport.sync.field_mappings import value_at
from ledgerport.sync.tasks import SYNC_RUN


@pytest.fixture(scope="module")
def api(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{server.api}/accounting/v1", timeout=30) as client:
        yield client


def _headers(synced: SyncedOrganization, key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {synced.api_key}", "X-Account-Token": synced.tokens[key]}


def _body(**changes: Any) -> dict[str, Any]:
    body = {
        "target_field_name": f"target_{uuid.uuid4().hex[:8]}",
        "target_field_description": "A field the provider has",
        "remote_field_traversal_path": ["Reference"],
        "remote_method": "GET",
        "remote_url_path": "/Invoices",
        "common_model_name": "Invoice",
    }
    return {**body, **changes}


def _create(api: httpx.Client, headers: dict[str, str], **changes: Any) -> dict[str, Any]:
    response = api.post("/field-mappings", json=_body(**changes), headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def _delete_all(api: httpx.Client, headers: dict[str, str]) -> None:
    for mappings in api.get("/field-mappings", headers=headers).json().values():
        for mapping in mappings:
            assert api.delete(f"/field-mappings/{mapping['id']}", headers=headers).status_code == 200


async def _account_state(url: str, account_id: uuid.UUID) -> tuple[dict[str, str | None], int | None]:
    database = Database(url)
    try:
        async with database.read() as session:
            states = await list_sync_states(session, linked_account_id=account_id)
            queued = await next_queued(session, linked_account_id=account_id, kind=SYNC_RUN)
    finally:
        await database.dispose()
    return {state.model: state.watermark for state in states}, queued


def _all(api: httpx.Client, path: str, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, "page_size": 100, **({"cursor": cursor} if cursor else {})}
        page = api.get(path, params=query, headers=headers)
        assert page.status_code == 200, page.text
        found += page.json()["results"]
        cursor = page.json()["next"]
        if not cursor:
            return found


class TestCrud:
    def test_create_read_change_delete(
        self, api: httpx.Client, synced_org: SyncedOrganization, database_url: str
    ) -> None:
        headers = _headers(synced_org, "xero")
        _, queued = run(_account_state(database_url, synced_org.account_ids["xero"]))
        assert queued is None, "no sync waits for the account yet"
        made = _create(api, headers, target_field_name="reference", target_field_description="The invoice reference")
        assert made["errors"] == []
        assert made["warnings"] == []
        model = made["model"]
        assert model["is_integration_wide"] is False
        assert model["target_field"] == {
            "name": "reference",
            "description": "The invoice reference",
            "is_organization_wide": False,
        }
        assert model["remote_field"] == {
            "remote_key_name": "Reference",
            "schema": {"type": "string"},
            "remote_endpoint_info": {"method": "GET", "url_path": "/Invoices", "field_traversal_path": ["Reference"]},
        }
        assert model["jmes_path"] is None
        mapping_id = model["id"]
        assert str(uuid.UUID(mapping_id)) == mapping_id

        # the change restarts the model's sync from the start, and a sync of the account is queued
        watermarks, queued = run(_account_state(database_url, synced_org.account_ids["xero"]))
        assert watermarks["Invoice"] is None
        assert watermarks["Contact"] is not None, "only the mapped model is read again whole"
        assert queued is not None

        listed = api.get("/field-mappings", headers=headers)
        assert listed.status_code == 200
        body = listed.json()
        assert [m["id"] for m in body["Invoice"]] == [mapping_id]
        assert body["Invoice"][0] == model
        assert body["Contact"] == []
        assert body["Account"] == []
        bare = api.get("/field-mappings", params={"exclude_remote_field_metadata": "true"}, headers=headers).json()
        assert bare["Invoice"][0]["remote_field"]["remote_key_name"] is None
        assert bare["Invoice"][0]["remote_field"]["schema"] is None
        targets = api.get("/target-fields", headers=headers).json()
        assert targets["Invoice"] == [
            {"name": "reference", "description": "The invoice reference", "is_mapped": "true"}
        ]
        assert targets["Contact"] == []

        changed = api.patch(
            f"/field-mappings/{mapping_id}",
            json={"remote_field_traversal_path": ["InvoiceNumber"], "remote_method": "get"},
            headers=headers,
        )
        assert changed.status_code == 200, changed.text
        info = changed.json()["model"]["remote_field"]["remote_endpoint_info"]
        assert info == {"method": "GET", "url_path": "/Invoices", "field_traversal_path": ["InvoiceNumber"]}
        assert api.get("/field-mappings", headers=headers).json()["Invoice"][0]["remote_field"] == {
            "remote_key_name": "InvoiceNumber",
            "schema": {"type": "string"},
            "remote_endpoint_info": info,
        }

        gone = api.delete(f"/field-mappings/{mapping_id}", headers=headers)
        assert gone.status_code == 200, gone.text
        assert gone.json()["model"]["id"] == mapping_id
        assert api.get("/field-mappings", headers=headers).json()["Invoice"] == []
        assert api.get("/target-fields", headers=headers).json()["Invoice"] == []
        assert api.delete(f"/field-mappings/{mapping_id}", headers=headers).status_code == 404
        assert api.patch(f"/field-mappings/{mapping_id}", json={}, headers=headers).status_code == 404
        assert api.delete("/field-mappings/not-a-uuid", headers=headers).status_code == 404

        key = {"Authorization": f"Bearer {synced_org.api_key}"}
        trail = api.get("/audit-trail", params={"page_size": 100}, headers=key).json()["results"]
        about = [event for event in trail if mapping_id in event["event_description"]]
        assert [event["event_type"] for event in about] == [
            "DELETED_LINKED_ACCOUNT_FIELD_MAPPING",
            "CHANGED_LINKED_ACCOUNT_FIELD_MAPPING",
            "CREATED_LINKED_ACCOUNT_FIELD_MAPPING",
        ]
        assert all(event["role"] == "API" for event in about)
        only = api.get(
            "/audit-trail", params={"event_type": "CREATED_LINKED_ACCOUNT_FIELD_MAPPING"}, headers=key
        ).json()["results"]
        assert any("'reference' of Invoice" in event["event_description"] for event in only)

    def test_a_mapping_no_synced_record_fills_is_made_with_warnings(
        self, api: httpx.Client, synced_org: SyncedOrganization
    ) -> None:
        headers = _headers(synced_org, "xero")
        elsewhere = _create(api, headers, remote_url_path="/Nowhere")
        (warning,) = elsewhere["warnings"]
        assert warning["source"]["pointer"] == "/remote_url_path"
        assert "/api.xro/2.0/Invoices" in warning["detail"]
        missing = _create(api, headers, remote_field_traversal_path=["NoSuchField", 0])
        (warning,) = missing["warnings"]
        assert warning["source"]["pointer"] == "/remote_field_traversal_path"
        assert missing["model"]["remote_field"]["schema"] is None
        counted = api.post("/field-mappings", params={"remote_data_iteration_count": 3}, json=_body(), headers=headers)
        assert counted.status_code == 201
        assert counted.json()["warnings"] == []
        _delete_all(api, headers)


BAD_BODIES = [
    ({"common_model_name": "Widget"}, "common_model_name 'Widget'"),
    ({"common_model_name": "InvoiceLineItem"}, "common_model_name 'InvoiceLineItem'"),
    ({"target_field_name": "total_amount"}, "'total_amount' is a field of the Invoice"),
    ({"target_field_name": "remote_data"}, "'remote_data' is a field of the Invoice"),
    ({"target_field_name": ""}, "target_field_name"),
    ({"remote_field_traversal_path": []}, "remote_field_traversal_path"),
    ({"remote_field_traversal_path": "Reference"}, "remote_field_traversal_path"),
    ({"remote_field_traversal_path": [True]}, "remote_field_traversal_path"),
    ({"remote_field_traversal_path": [-1]}, "remote_field_traversal_path"),
    ({"remote_field_traversal_path": [{"a": 1}]}, "remote_field_traversal_path"),
    ({"remote_method": "FETCH"}, "remote_method"),
    ({"remote_method": 5}, "remote_method"),
    ({"remote_url_path": ""}, "remote_url_path"),
    ({"common_model_name": None}, "common_model_name"),
    ({"jmes_path": "Reference"}, "jmes_path is not supported"),
    ({"advanced_mapping_expression": "$uppercase(Reference)"}, "advanced_mapping_expression is not supported"),
    ({"organization_wide_target_field": "reference"}, "Organization-wide"),
    ({"is_integration_wide": True}, "integration-wide"),
]


class TestValidation:
    @pytest.mark.parametrize(("change", "named"), BAD_BODIES)
    def test_a_bad_body_is_400_naming_the_problem(
        self, api: httpx.Client, synced_org: SyncedOrganization, change: dict[str, Any], named: str
    ) -> None:
        response = api.post("/field-mappings", json=_body(**change), headers=_headers(synced_org, "xero"))
        assert response.status_code == 400, response.text
        assert named in response.json()["detail"]

    def test_missing_fields_and_bad_json_are_400(self, api: httpx.Client, synced_org: SyncedOrganization) -> None:
        headers = _headers(synced_org, "xero")
        body = _body()
        del body["remote_url_path"]
        response = api.post("/field-mappings", json=body, headers=headers)
        assert response.status_code == 400
        assert "remote_url_path" in response.json()["detail"]
        response = api.post("/field-mappings", content=b"{nope", headers=headers)
        assert response.status_code == 400

    def test_a_duplicate_target_name_is_400(self, api: httpx.Client, synced_org: SyncedOrganization) -> None:
        headers = _headers(synced_org, "xero")
        made = _create(api, headers, target_field_name="duplicated")
        again = api.post("/field-mappings", json=_body(target_field_name="duplicated"), headers=headers)
        assert again.status_code == 400
        assert "'duplicated' is already mapped for Invoice" in again.json()["detail"]
        assert made["model"]["id"] in again.json()["detail"]
        # the same name on another model, or in another account, is another target
        _create(api, headers, target_field_name="duplicated", common_model_name="Contact", remote_url_path="/Contacts")
        _create(api, _headers(synced_org, "quickbooks"), target_field_name="duplicated", remote_url_path="/query")
        _delete_all(api, headers)
        _delete_all(api, _headers(synced_org, "quickbooks"))

    @pytest.mark.parametrize(
        ("path", "params", "named"),
        [
            ("/field-mappings", {"remote_data_iteration_count": "0"}, "remote_data_iteration_count"),
            ("/field-mappings", {"remote_data_iteration_count": "many"}, "remote_data_iteration_count"),
            ("/field-mappings", {"exclude_remote_field_metadata": "maybe"}, "exclude_remote_field_metadata"),
        ],
    )
    def test_bad_create_parameters_are_400(
        self, api: httpx.Client, synced_org: SyncedOrganization, path: str, params: dict[str, str], named: str
    ) -> None:
        response = api.post(path, params=params, json=_body(), headers=_headers(synced_org, "xero"))
        assert response.status_code == 400
        assert named in response.json()["detail"]

    def test_bad_patches_are_400(self, api: httpx.Client, synced_org: SyncedOrganization) -> None:
        headers = _headers(synced_org, "xero")
        mapping_id = _create(api, headers)["model"]["id"]
        for change, named in (
            ({"remote_field_traversal_path": []}, "remote_field_traversal_path"),
            ({"remote_method": "SEND"}, "remote_method"),
            ({"jmes_path": "a.b"}, "jmes_path"),
            ({"remote_url_path": 7}, "remote_url_path"),
        ):
            response = api.patch(f"/field-mappings/{mapping_id}", json=change, headers=headers)
            assert response.status_code == 400, change
            assert named in response.json()["detail"]
        _delete_all(api, headers)

    def test_bad_remote_fields_parameters_are_400(self, api: httpx.Client, synced_org: SyncedOrganization) -> None:
        headers = _headers(synced_org, "xero")
        response = api.get("/remote-fields", params={"common_models": "Invoice,Widget"}, headers=headers)
        assert response.status_code == 400
        assert "'Widget'" in response.json()["detail"]
        response = api.get("/remote-fields", params={"include_example_values": "perhaps"}, headers=headers)
        assert response.status_code == 400
        assert "include_example_values" in response.json()["detail"]


class TestIsolation:
    def test_another_account_neither_sees_nor_changes_a_mapping(
        self, api: httpx.Client, synced_org: SyncedOrganization, make_tenant: TenantFactory
    ) -> None:
        mine = _headers(synced_org, "xero")
        mapping_id = _create(api, mine, target_field_name="kept_apart")["model"]["id"]
        other_org = make_tenant()
        for headers in (
            _headers(synced_org, "quickbooks"),  # another account of the same organization
            {"Authorization": f"Bearer {other_org.api_key}", "X-Account-Token": other_org.account_token},
        ):
            listed = api.get("/field-mappings", headers=headers).json()
            assert all(mapping["id"] != mapping_id for mappings in listed.values() for mapping in mappings)
            assert all(t["name"] != "kept_apart" for t in api.get("/target-fields", headers=headers).json()["Invoice"])
            patched = api.patch(f"/field-mappings/{mapping_id}", json={"remote_url_path": "/x"}, headers=headers)
            assert patched.status_code == 404
            assert api.delete(f"/field-mappings/{mapping_id}", headers=headers).status_code == 404
        still = api.get("/field-mappings", headers=mine).json()["Invoice"]
        assert [(m["id"], m["remote_field"]["remote_endpoint_info"]["url_path"]) for m in still] == [
            (mapping_id, "/Invoices")
        ]
        # another organization's key with this account's token reaches nothing
        crossed = {"Authorization": f"Bearer {other_org.api_key}", "X-Account-Token": synced_org.tokens["xero"]}
        assert api.get("/field-mappings", headers=crossed).status_code == 404
        assert api.delete(f"/field-mappings/{mapping_id}", headers=crossed).status_code == 404
        _delete_all(api, mine)

    def test_the_account_token_is_required(self, api: httpx.Client, synced_org: SyncedOrganization) -> None:
        key = {"Authorization": f"Bearer {synced_org.api_key}"}
        for path in ("/field-mappings", "/remote-fields", "/target-fields"):
            response = api.get(path, headers=key)
            assert response.status_code == 401
            assert response.json() == {"detail": "Account Token must be passed in as an X-Account-Token header."}


def _remote_fields(api: httpx.Client, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = api.get("/remote-fields", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _paths(fields: list[dict[str, Any]]) -> dict[tuple[Any, ...], dict[str, Any]]:
    return {tuple(f["remote_endpoint_info"]["field_traversal_path"]): f for f in fields}


class TestRemoteFields:
    def test_the_paths_of_the_synced_provider_records(self, api: httpx.Client, synced_org: SyncedOrganization) -> None:
        headers = _headers(synced_org, "quickbooks")
        invoices = _all(api, "/invoices", headers, include_remote_data="true")
        held = [doc["remote_data"][0]["data"] for doc in invoices]
        body = _remote_fields(api, headers, common_models="Invoice,Contact", include_example_values="true")
        assert set(body) == {"Invoice", "Contact"}
        fields = _paths(body["Invoice"])
        number = fields[("DocNumber",)]
        assert number["schema"] == {"type": "string"}
        assert number["remote_key_name"] == "DocNumber"
        assert number["remote_endpoint_info"]["method"] == "GET"
        assert number["remote_endpoint_info"]["url_path"].endswith("/query")
        assert number["advanced_metadata"] is None
        assert number["example_values"]
        assert set(number["example_values"]) <= {data["DocNumber"] for data in held}
        custom = fields[("CustomField", 0, "StringValue")]
        assert custom["remote_key_name"] == "StringValue"
        assert set(custom["example_values"]) <= {value_at(data, ["CustomField", 0, "StringValue"]) for data in held}
        assert fields[("CustomerRef", "value")]["schema"] == {"type": "string"}
        assert fields[("TotalAmt",)]["schema"] in ({"type": "number"}, {"type": "integer"})
        # every listed path is in some synced invoice
        for path in fields:
            assert any(_holds(data, path) for data in held), path
        assert {"DocNumber", "CustomField", "Line", "TxnDate"} <= {path[0] for path in fields}
        assert _paths(body["Contact"])[("DisplayName",)]["schema"] == {"type": "string"}

        plain = _remote_fields(api, headers, common_models="Invoice")
        assert list(plain) == ["Invoice"]
        assert all(f["example_values"] is None for f in plain["Invoice"])
        everything = _remote_fields(api, headers)
        assert {"Invoice", "Contact", "Account", "Payment"} <= set(everything)

        xero = _paths(_remote_fields(api, _headers(synced_org, "xero"), common_models="Invoice")["Invoice"])
        assert xero[("Reference",)]["remote_endpoint_info"]["url_path"] == "/api.xro/2.0/Invoices"
        seeded = _headers(synced_org, "seeded")
        written = _remote_fields(api, seeded, common_models="Invoice")["Invoice"]
        endpoints = {field["remote_endpoint_info"]["url_path"] for field in written}
        # records stored with their own URLs (seeded or written ones) are one endpoint, not one per record
        assert sorted(endpoint.rsplit("/", 2)[-2:][0] for endpoint in endpoints) == ["bill", "invoice"]
        assert all(endpoint.endswith("/{id}") for endpoint in endpoints)


def _holds(data: Any, path: tuple[Any, ...]) -> bool:
    """Whether ``path`` leads somewhere in ``data`` (to a null, or an empty list or object)."""
    value = data
    for step in path:
        if isinstance(step, int) and isinstance(value, list) and step < len(value):
            value = value[step]
        elif isinstance(step, str) and isinstance(value, dict) and step in value:
            value = value[step]
        else:
            return False
    return True


MAPPED = {
    "quickbooks": ("/query", ["CustomField", 0, "StringValue"]),
    "xero": ("/Invoices", ["Reference"]),
}


class TestMappedValues:
    @pytest.mark.parametrize("provider", sorted(MAPPED))
    def test_values_show_on_list_and_retrieve_after_a_resync(
        self, api: httpx.Client, synced_org: SyncedOrganization, database_url: str, provider: str
    ) -> None:
        headers = _headers(synced_org, provider)
        endpoint, path = MAPPED[provider]
        made = _create(
            api,
            headers,
            target_field_name="mapped",
            remote_url_path=endpoint,
            remote_field_traversal_path=path,
        )
        contact_path = ["DisplayName"] if provider == "quickbooks" else ["Name"]
        _create(
            api,
            headers,
            target_field_name="contact_key",
            common_model_name="Contact",
            remote_url_path="/query" if provider == "quickbooks" else "/Contacts",
            remote_field_traversal_path=contact_path,
        )
        before = _all(api, "/invoices", headers)
        assert all(doc["field_mappings"] is None for doc in before), "values come with the next sync"

        run(resync(database_url, synced_org, provider))
        invoices = _all(api, "/invoices", headers, include_remote_data="true")
        assert len(invoices) == len(before)
        values = []
        for doc in invoices:
            expected = value_at(doc["remote_data"][0]["data"], path)
            assert doc["field_mappings"] == {
                "organization_defined_targets": {},
                "linked_account_defined_targets": {"mapped": expected},
            }, doc["id"]
            values.append(expected)
        assert any(isinstance(value, str) and value for value in values), "some synced invoice holds a value"
        one = next(doc for doc, value in zip(invoices, values, strict=True) if value)
        retrieved = api.get(f"/invoices/{one['id']}", headers=headers)
        assert retrieved.json()["field_mappings"] == one["field_mappings"]
        expanded = api.get(f"/invoices/{one['id']}", params={"expand": "contact"}, headers=headers).json()
        contact = expanded["contact"]
        assert contact["field_mappings"]["linked_account_defined_targets"]["contact_key"]
        for doc in _all(api, "/contacts", headers, include_remote_data="true"):
            expected = value_at(doc["remote_data"][0]["data"], contact_path)
            assert doc["field_mappings"]["linked_account_defined_targets"] == {"contact_key": expected}
        accounts = _all(api, "/accounts", headers)
        assert all(doc["field_mappings"] is None for doc in accounts), "models without mappings are unchanged"

        # a changed path shows after the next sync; a deleted mapping leaves the documents after it
        changed = api.patch(
            f"/field-mappings/{made['model']['id']}", json={"remote_field_traversal_path": ["Id"]}, headers=headers
        )
        assert changed.status_code == 200
        run(resync(database_url, synced_org, provider))
        for doc in _all(api, "/invoices", headers, include_remote_data="true"):
            assert doc["field_mappings"]["linked_account_defined_targets"] == {
                "mapped": doc["remote_data"][0]["data"].get("Id")
            }
        _delete_all(api, headers)
        run(resync(database_url, synced_org, provider))
        assert all(doc["field_mappings"] is None for doc in _all(api, "/invoices", headers))
        assert all(doc["field_mappings"] is None for doc in _all(api, "/contacts", headers))


class TestMergeSdk:
    def test_every_field_mapping_operation(self, server: Server, synced_org: SyncedOrganization) -> None:
        client = Merge(api_key=synced_org.api_key, account_token=synced_org.tokens["xero"], base_url=server.api)
        mappings = client.accounting.field_mapping
        made = mappings.field_mappings_create(
            target_field_name="sdk_reference",
            target_field_description="Made with Merge's SDK",
            remote_field_traversal_path=["Reference"],
            remote_method="GET",
            remote_url_path="/Invoices",
            common_model_name="Invoice",
            exclude_remote_field_metadata=False,
            remote_data_iteration_count=50,
        )
        assert made.errors == []
        assert made.warnings == []
        assert made.model.target_field is not None
        assert made.model.target_field.name == "sdk_reference"
        assert made.model.remote_field is not None
        assert made.model.remote_field.remote_key_name == "Reference"
        mapping_id = made.model.id
        assert mapping_id is not None

        listed = mappings.field_mappings_retrieve(exclude_remote_field_metadata=True)
        assert [m.id for m in listed.invoice or []] == [mapping_id]
        assert listed.contact == []

        changed = mappings.field_mappings_partial_update(
            mapping_id, remote_field_traversal_path=["InvoiceNumber"], remote_data_iteration_count=10
        )
        assert changed.model.remote_field is not None
        assert changed.model.remote_field.remote_endpoint_info.field_traversal_path == ["InvoiceNumber"]

        remote = mappings.remote_fields_retrieve(common_models="Invoice", include_example_values="true")
        found = {tuple(f.remote_endpoint_info.field_traversal_path): f for f in remote.invoice or []}
        assert found[("InvoiceNumber",)].schema_ == {"type": "string"}
        assert found[("InvoiceNumber",)].example_values
        assert remote.contact is None

        targets = mappings.target_fields_retrieve()
        assert [(t.name, t.is_mapped) for t in targets.invoice or []] == [("sdk_reference", "true")]

        deleted = mappings.field_mappings_destroy(mapping_id)
        assert deleted.model.id == mapping_id
        assert mappings.field_mappings_retrieve().invoice == []
        with pytest.raises(ApiError) as refused:
            mappings.field_mappings_destroy(mapping_id)
        assert refused.value.status_code == 404
        with pytest.raises(ApiError) as bad:
            mappings.field_mappings_create(
                target_field_name="total_amount",
                target_field_description="",
                remote_field_traversal_path=["Total"],
                remote_method="GET",
                remote_url_path="/Invoices",
                common_model_name="Invoice",
            )
        assert bad.value.status_code == 400
        assert "total_amount" in msgspec.json.encode(bad.value.body).decode()
