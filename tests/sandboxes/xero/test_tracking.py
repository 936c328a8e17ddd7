"""Tracking category and option writes: create, rename, archive, delete, Xero's limits, scopes and idempotency."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from ledgerport.sandboxes.xero import SandboxApp, create_app

API = "/api.xro/2.0"
CATEGORIES = f"{API}/TrackingCategories"
UNKNOWN = "00000000-0000-0000-0000-000000000000"


@pytest.fixture
def sandbox() -> SandboxApp:
    return create_app(seed=5, size="small", limits=False)


@pytest.fixture
async def api(sandbox: SandboxApp) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox), base_url="http://sandbox") as c:
        token = (await c.post("/_sandbox/tokens", json={})).json()
        c.headers.update(
            {
                "authorization": f"Bearer {token['access_token']}",
                "xero-tenant-id": next(iter(sandbox.tenants)),
                "accept": "application/json",
            }
        )
        yield c


async def categories(api: httpx.AsyncClient, **params: str) -> dict[str, dict]:
    response = await api.get(CATEGORIES, params=params)
    assert response.status_code == 200, response.text
    return {c["Name"]: c for c in response.json()["TrackingCategories"]}


async def category(api: httpx.AsyncClient, category_id: str, **params: str) -> dict:
    response = await api.get(f"{CATEGORIES}/{category_id}", params=params)
    assert response.status_code == 200, response.text
    return response.json()["TrackingCategories"][0]


async def seeded(api: httpx.AsyncClient) -> tuple[dict, dict]:
    """The generated Region (North/South/East/West) and Department (Sales/Operations/Admin), both ACTIVE."""
    listed = await categories(api)
    return listed["Region"], listed["Department"]


async def archive(api: httpx.AsyncClient, category_id: str) -> None:
    response = await api.post(f"{CATEGORIES}/{category_id}", json={"Status": "ARCHIVED"})
    assert response.status_code == 200, response.text


def messages(response: httpx.Response) -> list[str]:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["ErrorNumber"] == 10
    assert body["Type"] == "ValidationException"
    return [error["Message"] for element in body["Elements"] for error in element["ValidationErrors"]]


def option_names(record: dict) -> list[str]:
    return [option["Name"] for option in record["Options"]]


class TestCreate:
    async def test_category_then_options(self, api, sandbox):
        _, department = await seeded(api)
        await archive(api, department["TrackingCategoryID"])
        response = await api.put(CATEGORIES, json={"Name": "  Project  "})
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == {"Id", "Status", "ProviderName", "DateTimeUTC", "TrackingCategories"}
        assert body["Status"] == "OK"
        assert body["DateTimeUTC"].startswith("/Date(")
        [created] = body["TrackingCategories"]
        assert created["Name"] == "Project"
        assert created["Status"] == "ACTIVE"
        assert created["Options"] == []
        category_id = created["TrackingCategoryID"]
        store = next(iter(sandbox.tenants.values())).collections["TrackingCategories"]
        assert store.get(store.find(category_id))["Name"] == "Project"

        one = await api.put(f"{CATEGORIES}/{category_id}/Options", json={"Name": "Alpha"})
        assert one.status_code == 200, one.text
        assert set(one.json()) == {"Id", "Status", "ProviderName", "DateTimeUTC", "Options"}
        [alpha] = one.json()["Options"]
        assert alpha["Name"] == "Alpha"
        assert alpha["Status"] == "ACTIVE"
        assert alpha["TrackingCategoryID"] == category_id
        assert set(alpha) == {"TrackingOptionID", "Name", "Status", "TrackingCategoryID"}
        many = await api.put(
            f"{CATEGORIES}/{category_id}/Options", json={"Options": [{"Name": "Beta"}, {"Name": "Gamma"}]}
        )
        assert [o["Name"] for o in many.json()["Options"]] == ["Beta", "Gamma"]
        assert len({o["TrackingOptionID"] for o in [alpha, *many.json()["Options"]]}) == 3

        fetched = await category(api, category_id)
        assert option_names(fetched) == ["Alpha", "Beta", "Gamma"]
        assert {o["TrackingCategoryID"] for o in fetched["Options"]} == {category_id}
        assert option_names((await categories(api))["Project"]) == ["Alpha", "Beta", "Gamma"]

    async def test_enveloped_body(self, api):
        region, _ = await seeded(api)
        await archive(api, region["TrackingCategoryID"])
        response = await api.put(CATEGORIES, json={"TrackingCategories": [{"Name": "Cost centre"}]})
        assert response.status_code == 200, response.text
        assert response.json()["TrackingCategories"][0]["Name"] == "Cost centre"

    async def test_at_most_two_active(self, api):
        region, department = await seeded(api)
        assert any("2 active" in m for m in messages(await api.put(CATEGORIES, json={"Name": "Third"})))
        await archive(api, department["TrackingCategoryID"])
        assert (await api.put(CATEGORIES, json={"Name": "Third"})).status_code == 200
        reactivate = await api.post(f"{CATEGORIES}/{department['TrackingCategoryID']}", json={"Status": "ACTIVE"})
        assert any("2 active" in m for m in messages(reactivate))
        assert (await category(api, department["TrackingCategoryID"]))["Status"] == "ARCHIVED"
        await api.delete(f"{CATEGORIES}/{region['TrackingCategoryID']}")
        reactivate = await api.post(f"{CATEGORIES}/{department['TrackingCategoryID']}", json={"Status": "ACTIVE"})
        assert reactivate.status_code == 200, reactivate.text

    async def test_names_checked(self, api):
        region, department = await seeded(api)
        await archive(api, department["TrackingCategoryID"])
        duplicate = await api.put(CATEGORIES, json={"Name": "rEGION"})
        assert messages(duplicate) == ["For each specified tracking category the name must be unique."]
        assert duplicate.json()["Elements"][0]["Name"] == "rEGION"
        assert any("unique" in m for m in messages(await api.put(CATEGORIES, json={"Name": "department"})))
        assert any("required" in m for m in messages(await api.put(CATEGORIES, json={"Name": "  "})))
        assert any("required" in m for m in messages(await api.put(CATEGORIES, json={"Status": "ACTIVE"})))
        assert any("100" in m for m in messages(await api.put(CATEGORIES, json={"Name": "x" * 101})))
        assert (await api.put(CATEGORIES, json={"Name": "x" * 100})).status_code == 200

        options = f"{CATEGORIES}/{region['TrackingCategoryID']}/Options"
        assert any("unique" in m for m in messages(await api.put(options, json={"Name": "north"})))
        batch = await api.put(options, json={"Options": [{"Name": "Central"}, {"Name": "CENTRAL"}, {"Name": ""}]})
        assert len(batch.json()["Elements"]) == 2  # only the failing elements are echoed
        assert option_names(await category(api, region["TrackingCategoryID"])) == ["North", "South", "East", "West"]

    async def test_unreadable_bodies(self, api):
        region, _ = await seeded(api)
        for path in (CATEGORIES, f"{CATEGORIES}/{region['TrackingCategoryID']}/Options"):
            for content in (b"{nope", b"", b"[]", b'"Name"'):
                response = await api.put(path, content=content, headers={"content-type": "application/json"})
                assert response.status_code == 400
                assert response.json()["ErrorNumber"] == 14


class TestUpdate:
    async def test_rename_category_and_option(self, api, sandbox):
        region, _ = await seeded(api)
        category_id = region["TrackingCategoryID"]
        store = next(iter(sandbox.tenants.values())).collections["TrackingCategories"]
        before = store.get(store.find(category_id))
        renamed = await api.post(f"{CATEGORIES}/{category_id}", json={"Name": "Area"})
        assert renamed.status_code == 200, renamed.text
        assert renamed.json()["TrackingCategories"][0]["Name"] == "Area"
        assert renamed.json()["TrackingCategories"][0]["Status"] == "ACTIVE"
        assert before["Name"] == "Region"  # the earlier record was copied, not changed in place
        assert set(await categories(api)) == {"Area", "Department"}
        clash = await api.post(f"{CATEGORIES}/{category_id}", json={"TrackingCategories": [{"Name": "DEPARTMENT"}]})
        assert any("unique" in m for m in messages(clash))
        assert (await api.post(f"{CATEGORIES}/{category_id}", json={"Name": "area"})).status_code == 200

        north = region["Options"][0]
        path = f"{CATEGORIES}/{category_id}/Options/{north['TrackingOptionID']}"
        response = await api.post(path, json={"Name": "Northern"})
        assert response.status_code == 200, response.text
        [option] = response.json()["Options"]
        assert option == {**north, "Name": "Northern"}
        assert any("unique" in m for m in messages(await api.post(path, json={"Options": [{"Name": "south"}]})))
        assert any("100" in m for m in messages(await api.post(path, json={"Name": "y" * 101})))
        assert option_names(await category(api, category_id)) == ["Northern", "South", "East", "West"]

    async def test_archive_and_unarchive(self, api, sandbox):
        region, department = await seeded(api)
        await archive(api, department["TrackingCategoryID"])
        assert set(await categories(api)) == {"Region"}
        assert set(await categories(api, includeArchived="true")) == {"Region", "Department"}
        assert (await category(api, department["TrackingCategoryID"]))["Status"] == "ARCHIVED"
        restored = await api.post(f"{CATEGORIES}/{department['TrackingCategoryID']}", json={"Status": "ACTIVE"})
        assert restored.json()["TrackingCategories"][0]["Status"] == "ACTIVE"
        assert set(await categories(api)) == {"Region", "Department"}

        category_id = region["TrackingCategoryID"]
        east = next(o for o in region["Options"] if o["Name"] == "East")
        path = f"{CATEGORIES}/{category_id}/Options/{east['TrackingOptionID']}"
        archived = await api.post(path, json={"Status": "ARCHIVED"})
        assert archived.json()["Options"][0]["Status"] == "ARCHIVED"
        assert option_names(await category(api, category_id)) == ["North", "South", "West"]
        assert option_names((await categories(api))["Region"]) == ["North", "South", "West"]
        shown = await category(api, category_id, includeArchived="true")
        assert option_names(shown) == ["North", "South", "East", "West"]
        assert shown["Options"][2]["Status"] == "ARCHIVED"
        assert option_names((await categories(api, includeArchived="true"))["Region"]) == option_names(shown)
        store = next(iter(sandbox.tenants.values())).collections["TrackingCategories"]
        assert len(store.get(store.find(category_id))["Options"]) == 4  # filtering never touches the store
        assert (await api.post(path, json={"Status": "ACTIVE"})).status_code == 200
        assert option_names(await category(api, category_id)) == ["North", "South", "East", "West"]

    async def test_status_moves_limited(self, api):
        region, _ = await seeded(api)
        category_id = region["TrackingCategoryID"]
        option_id = region["Options"][0]["TrackingOptionID"]
        for status in ("DELETED", "VOIDED"):
            assert messages(await api.post(f"{CATEGORIES}/{category_id}", json={"Status": status}))
            assert messages(await api.post(f"{CATEGORIES}/{category_id}/Options/{option_id}", json={"Status": status}))
        assert (await category(api, category_id))["Status"] == "ACTIVE"


class TestDelete:
    async def test_delete_option(self, api):
        region, _ = await seeded(api)
        category_id = region["TrackingCategoryID"]
        west = next(o for o in region["Options"] if o["Name"] == "West")
        path = f"{CATEGORIES}/{category_id}/Options/{west['TrackingOptionID']}"
        response = await api.delete(path)
        assert response.status_code == 200, response.text
        assert set(response.json()) == {"Id", "Status", "ProviderName", "DateTimeUTC", "Options"}
        assert response.json()["Options"] == [{**west, "Status": "DELETED"}]
        assert option_names(await category(api, category_id)) == ["North", "South", "East"]
        assert option_names(await category(api, category_id, includeArchived="true")) == ["North", "South", "East"]
        assert option_names((await categories(api))["Region"]) == ["North", "South", "East"]
        assert (await api.delete(path)).status_code == 404
        assert (await api.post(path, json={"Name": "Back"})).status_code == 404
        again = await api.put(f"{CATEGORIES}/{category_id}/Options", json={"Name": "west"})
        assert again.status_code == 200, again.text

    async def test_delete_category(self, api):
        region, department = await seeded(api)
        category_id = department["TrackingCategoryID"]
        response = await api.delete(f"{CATEGORIES}/{category_id}")
        assert response.status_code == 200, response.text
        [deleted] = response.json()["TrackingCategories"]
        assert deleted["Status"] == "DELETED"
        assert deleted["TrackingCategoryID"] == category_id
        assert set(await categories(api)) == {"Region"}
        assert set(await categories(api, includeArchived="true")) == {"Region"}
        assert (await category(api, category_id))["Status"] == "DELETED"
        assert messages(await api.delete(f"{CATEGORIES}/{category_id}"))
        assert messages(await api.post(f"{CATEGORIES}/{category_id}", json={"Status": "ACTIVE"}))
        assert messages(await api.put(f"{CATEGORIES}/{category_id}/Options", json={"Name": "New"}))
        option = department["Options"][0]["TrackingOptionID"]
        assert messages(await api.delete(f"{CATEGORIES}/{category_id}/Options/{option}"))
        recreated = await api.put(CATEGORIES, json={"Name": "Department"})  # the name is free again
        assert recreated.status_code == 200, recreated.text
        assert set(await categories(api)) == {"Region", "Department"}

    async def test_line_items_use_the_live_category_of_a_reused_name(self, api):
        _, department = await seeded(api)
        await api.delete(f"{CATEGORIES}/{department['TrackingCategoryID']}")
        fresh = (await api.put(CATEGORIES, json={"Name": "Department"})).json()["TrackingCategories"][0]
        await api.put(f"{CATEGORIES}/{fresh['TrackingCategoryID']}/Options", json={"Name": "Sales"})
        invoice = {
            "Type": "ACCREC",
            "Contact": {"Name": "Tracking Customer"},
            "Date": "2025-02-01",
            "LineItems": [
                {
                    "Description": "Widget",
                    "Quantity": 1,
                    "UnitAmount": "10.00",
                    "AccountCode": "200",
                    "Tracking": [{"Name": "Department", "Option": "Sales"}],
                }
            ],
        }
        response = await api.put(f"{API}/Invoices", json={"Invoices": [invoice]})
        assert response.status_code == 200, response.text
        [tracking] = response.json()["Invoices"][0]["LineItems"][0]["Tracking"]
        assert tracking["TrackingCategoryID"] == fresh["TrackingCategoryID"]


class TestErrors:
    async def test_unknown_ids(self, api):
        region, _ = await seeded(api)
        option_id = region["Options"][0]["TrackingOptionID"]
        unknown_category = f"{CATEGORIES}/{UNKNOWN}"
        unknown_option = f"{CATEGORIES}/{region['TrackingCategoryID']}/Options/{UNKNOWN}"
        responses = [
            await api.get(unknown_category),
            await api.post(unknown_category, json={"Name": "X"}),
            await api.delete(unknown_category),
            await api.put(f"{unknown_category}/Options", json={"Name": "X"}),
            await api.post(f"{unknown_category}/Options/{option_id}", json={"Name": "X"}),
            await api.delete(f"{unknown_category}/Options/{option_id}"),
            await api.post(unknown_option, json={"Name": "X"}),
            await api.delete(unknown_option),
        ]
        assert [r.status_code for r in responses] == [404] * len(responses)
        assert all(r.headers["content-type"].startswith("text/html") for r in responses)

    async def test_writes_need_accounting_settings(self, api, sandbox):
        region, _ = await seeded(api)
        token = (await api.post("/_sandbox/tokens", json={"scope": "accounting.settings.read"})).json()
        reader = {"authorization": f"Bearer {token['access_token']}"}
        category_id = region["TrackingCategoryID"]
        option = f"{CATEGORIES}/{category_id}/Options/{region['Options'][0]['TrackingOptionID']}"
        assert (await api.get(CATEGORIES, headers=reader)).status_code == 200
        assert (await api.get(f"{CATEGORIES}/{category_id}", headers=reader)).status_code == 200
        refused = [
            await api.put(CATEGORIES, headers=reader, json={"Name": "X"}),
            await api.post(f"{CATEGORIES}/{category_id}", headers=reader, json={"Name": "X"}),
            await api.delete(f"{CATEGORIES}/{category_id}", headers=reader),
            await api.put(f"{CATEGORIES}/{category_id}/Options", headers=reader, json={"Name": "X"}),
            await api.post(option, headers=reader, json={"Name": "X"}),
            await api.delete(option, headers=reader),
        ]
        assert [r.status_code for r in refused] == [403] * len(refused)
        assert {r.json()["Detail"] for r in refused} == {"AuthorizationUnsuccessful"}
        assert (await category(api, category_id)) == region
        nothing = (await api.post("/_sandbox/tokens", json={"scope": "accounting.contacts"})).json()
        assert (
            await api.get(CATEGORIES, headers={"authorization": f"Bearer {nothing['access_token']}"})
        ).status_code == 403

    async def test_idempotency_key_replays(self, api):
        region, department = await seeded(api)
        await archive(api, department["TrackingCategoryID"])
        keyed = {"Idempotency-Key": "tracking-1"}
        first = await api.put(CATEGORIES, headers=keyed, json={"Name": "Project"})
        replay = await api.put(CATEGORIES, headers=keyed, json={"Name": "Project"})
        assert first.status_code == replay.status_code == 200
        assert replay.content == first.content
        assert list(await categories(api, includeArchived="true")).count("Project") == 1
        reused = await api.put(CATEGORIES, headers=keyed, json={"Name": "Other"})
        assert reused.status_code == 400
        assert reused.json()["ErrorNumber"] == 14

        options = f"{CATEGORIES}/{region['TrackingCategoryID']}/Options"
        made = await api.put(options, headers={"Idempotency-Key": "tracking-2"}, json={"Name": "Central"})
        again = await api.put(options, headers={"Idempotency-Key": "tracking-2"}, json={"Name": "Central"})
        assert again.content == made.content
        assert option_names(await category(api, region["TrackingCategoryID"])).count("Central") == 1
        # a rejected write is replayed as the same rejection, not re-run
        failed = await api.put(CATEGORIES, headers={"Idempotency-Key": "tracking-3"}, json={"Name": "Third"})
        await archive(api, region["TrackingCategoryID"])
        assert (
            await api.put(CATEGORIES, headers={"Idempotency-Key": "tracking-3"}, json={"Name": "Third"})
        ).content == (failed.content)
        assert (await api.put(CATEGORIES, json={"Name": "Third"})).status_code == 200
