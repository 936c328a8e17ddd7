"""The OpenAPI document matches the server: every route is documented with its methods, and every documented GET's
live answers (synced sandbox data, every ``expand`` value, ``remote_data``) validate against the document's schemas.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from synced_harness import SyncedOrganization

from harness import TEST_SEALING_KEY, Server, TenantFactory, reference, run
from ledgerport.api.accounting.nested import NESTED_PATHS
from ledgerport.api.moving_from_merge import NOT_YET_SERVED
from ledgerport.api.openapi import openapi_document
from ledgerport.app import create_app
from ledgerport.config import Settings
from ledgerport.models import MODELS
from ledgerport.models.events import LINKED
from ledgerport.store import Database
from ledgerport.store.webhooks import NewEvent, emit

DOCUMENT = openapi_document()
SCOPE_GETS = (
    "/accounting/v1/linked-account-scopes",
    "/accounting/v1/selective-sync/meta",
    "/accounting/v1/selective-sync/configurations",
    "/accounting/v1/selective-sync/conditions",
)
API = "/api"
"""The document's server URL: its paths are what follows ``/api``."""

NOT_DOCUMENTED = {
    ("GET", "/api/accounting/v1/schema"): "the document itself, public as Merge's is",
    ("GET", "/accounting/v1/schema"): "the document itself, on the mount for SDKs configured without /api",
    ("GET", "/docs"): "an HTML page rendered from the document, for people",
    ("GET", "/api/docs"): "the same HTML page",
    ("GET", "/docs/moving-from-merge"): "an HTML guide for people moving from Merge",
    ("GET", "/api/docs/moving-from-merge"): "the same guide",
    ("GET", "/link"): "an HTML page of the link flow, opened by the end user's browser",
    ("POST", "/link/start"): "a form post of the link flow's HTML page",
    ("GET", "/link/callback"): "where the provider sends the end user's browser back (HTML)",
    ("GET", "/health"): "a liveness probe for load balancers",
    ("GET", "/ready"): "a readiness probe (database, Redis) for load balancers and orchestrators",
    ("GET", "/metrics"): "Prometheus metrics for operators (LEDGERPORT_METRICS, LEDGERPORT_METRICS_ALLOW)",
    **{
        (method, f"/dashboard{path}"): "the operators' dashboard: HTML pages and their forms, for people"
        for method, path in (
            ("GET", ""),
            ("GET", "/style.css"),
            ("GET", "/sign-in"),
            ("POST", "/sign-in"),
            ("POST", "/sign-out"),
            ("GET", "/accounts"),
            ("GET", "/accounts/{account_id:str}"),
            ("POST", "/accounts/{account_id:str}/resync"),
            ("GET", "/accounts/{account_id:str}/delete"),
            ("POST", "/accounts/{account_id:str}/delete"),
            ("GET", "/keys"),
            ("POST", "/keys"),
            ("POST", "/keys/{key_id:str}/revoke"),
            ("GET", "/webhooks"),
            ("POST", "/webhooks"),
            ("GET", "/webhooks/{endpoint_id:str}"),
            ("POST", "/webhooks/{endpoint_id:str}/status"),
            ("POST", "/webhooks/{endpoint_id:str}/replay"),
            ("POST", "/webhooks/{endpoint_id:str}/deliveries/{delivery_id:str}/replay"),
        )
    },
}
"""Routes deliberately left out of the document. The demo's sandboxes are ASGI mounts outside the app (they are
provider emulators, not this API) and are not among its routes at all."""
FRAMEWORK_METHODS = {"OPTIONS", "HEAD"}
"""Answered by Litestar itself for every route."""


def _template(path: str) -> str:
    """``/x/{record_id:str}`` and ``/x/{id}`` alike become ``/x/{}``."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def _routes(tmp_path: Path) -> set[tuple[str, str]]:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'routes.db'}", secret_keys=(TEST_SEALING_KEY,))
    app = create_app(settings)
    return {
        (method, route.path)
        for route in app.routes
        for method in getattr(route, "methods", ())
        if method not in FRAMEWORK_METHODS
    }


def _documented() -> set[tuple[str, str]]:
    return {
        (method.upper(), _template(API + path))
        for path, operations in DOCUMENT["paths"].items()
        for method in operations
    }


def _mismatch(routes: set[tuple[str, str]], documented: set[tuple[str, str]]) -> tuple[list[Any], list[Any]]:
    """(routes the document lacks, documented operations no route serves)."""
    served = {(method, _template(path)) for method, path in routes if (method, path) not in NOT_DOCUMENTED}
    under_api = {route for route in served if route[1].startswith("/api/")}
    return sorted(under_api - documented), sorted(documented - under_api)


class TestEveryRouteIsDocumented:
    def test_every_api_route_is_in_the_document_with_its_methods(self, tmp_path: Path) -> None:
        lacking, unserved = _mismatch(_routes(tmp_path), _documented())
        assert lacking == [], "routes the document lacks"
        assert unserved == [], "documented operations no route serves"

    @pytest.mark.parametrize(
        "left_out",
        [
            ("GET", "/api/accounting/v1/sync-status"),
            ("POST", "/api/accounting/v1/sync-status/resync"),
            ("GET", "/api/accounting/v1/issues/{}"),
            ("GET", "/api/accounting/v1/available-actions"),
            ("GET", "/api/integrations"),
        ],
    )
    def test_a_route_left_out_of_the_document_is_caught(self, tmp_path: Path, left_out: tuple[str, str]) -> None:
        lacking, unserved = _mismatch(_routes(tmp_path), _documented() - {left_out})
        assert (lacking, unserved) == ([left_out], [])

    def test_the_mount_without_api_serves_the_same_operations(self, tmp_path: Path) -> None:
        routes = {(method, _template(path)) for method, path in _routes(tmp_path)}
        mirror = {
            (method, path.removeprefix("/accounting")) for method, path in routes if path.startswith("/accounting")
        }
        api = {
            (method, path.removeprefix("/api/accounting"))
            for method, path in routes
            if path.startswith("/api/accounting")
        }
        assert mirror == api

    def test_nothing_else_is_served(self, tmp_path: Path) -> None:
        others = {
            route
            for route in _routes(tmp_path)
            if not route[1].startswith(("/api/", "/accounting/")) and route not in NOT_DOCUMENTED
        }
        assert others == set(), "name each new route outside the API in NOT_DOCUMENTED, with the reason"

    def test_the_exclusions_are_real_routes(self, tmp_path: Path) -> None:
        assert set(NOT_DOCUMENTED) <= _routes(tmp_path)


def _successes() -> Iterator[tuple[str, str, Any]]:
    """(path, method, the success response's JSON content) of every operation that answers a JSON body."""
    for path, operations in DOCUMENT["paths"].items():
        for method, operation in operations.items():
            success = next(code for code in operation["responses"] if code.startswith("2"))
            content = (operation["responses"][success].get("content") or {}).get("application/json")
            if content is not None:
                yield path, method, content


class TestExamples:
    def test_every_example_is_valid_against_its_schema(self) -> None:
        checked = []
        for path, method, content in _successes():
            if "example" in content:
                root = {**content["schema"], "components": DOCUMENT["components"]}
                validator = jsonschema.Draft202012Validator(
                    root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
                )
                assert list(validator.iter_errors(content["example"])) == [], (path, method)
                checked.append((path, method))
        assert len(checked) >= 16

    def test_every_operation_that_is_not_a_common_model_has_one(self) -> None:
        model_paths = tuple(f"/accounting/v1/{spec.path}" for spec in MODELS.values())
        missing = [
            (path, method)
            for path, method, content in _successes()
            if "example" not in content
            and not path.startswith(("/webhooks/", *model_paths))
            and path not in {"/accounting/v1/async-tasks/{id}", "/accounting/v1/logs/{id}"}
        ]
        assert missing == []


class TestDocsPage:
    def test_the_contents_link_every_operation(self, server: Server) -> None:
        page = httpx.get(f"{server.url}/docs", timeout=30).text
        contents = page[page.index("<nav>") : page.index("</nav>")]
        for operations in DOCUMENT["paths"].values():
            for operation in operations.values():
                anchor = re.sub(r"[^a-z0-9]+", "-", operation["operationId"].lower()).strip("-")
                assert f"href='#op-{anchor}'" in contents, operation["operationId"]
                assert f"id='op-{anchor}'" in page
        assert "href='/docs/moving-from-merge'" in contents

    def test_operations_show_their_answer_and_example(self, server: Server) -> None:
        page = httpx.get(f"{server.url}/docs", timeout=30).text
        section = page[page.index("id='op-sync-status-list'") :]
        section = section[: section.index("</section>")]
        assert "a page of <code>SyncStatus</code>" in section
        assert "<summary>Example</summary>" in section
        assert "next_sync_start" in section


class TestMovingFromMerge:
    def test_the_guide_shows_the_sdk_with_only_the_base_url_changed(self, server: Server) -> None:
        page = httpx.get(f"{server.url}/docs/moving-from-merge", timeout=30)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "base_url=&quot;https://ledger.example.com/api&quot;" in page.text
        for heading in ("What to change", "What ledgerport adds", "What it does not do yet"):
            assert f"<h2>{heading}</h2>" in page.text

    def test_what_it_says_is_missing_is_missing(self, server: Server, make_tenant: TenantFactory) -> None:
        tenant = make_tenant()
        headers = {"Authorization": f"Bearer {tenant.api_key}", "X-Account-Token": tenant.account_token}
        for path in NOT_YET_SERVED:
            assert httpx.get(f"{server.api}{path}", headers=headers, timeout=30).status_code == 404, path
            assert path not in DOCUMENT["paths"]


class TestAmounts:
    """Amounts leave the API as JSON numbers; the document says so, as Merge's does (`number`, `double`)."""

    def test_no_schema_declares_a_decimal_string_format(self) -> None:
        assert '"format": "decimal"' not in str(DOCUMENT).replace("'", '"')

    def test_amount_fields_are_declared_as_merge_declares_them(self) -> None:
        merge = json.loads(reference("merge-accounting-openapi.json").read_text())["components"]["schemas"]
        checked = []
        for name, schema in DOCUMENT["components"]["schemas"].items():
            for field, declared in (schema.get("properties") or {}).items():
                theirs = ((merge.get(name) or {}).get("properties") or {}).get(field) or {}
                if theirs.get("format") not in {"double", "decimal"}:
                    continue
                options = [option for option in declared.get("anyOf", [declared]) if option.get("type") != "null"]
                expected = (theirs["type"], theirs["format"]) if theirs["format"] == "double" else ("string", None)
                assert [(option.get("type"), option.get("format")) for option in options] == [expected], (name, field)
                checked.append((name, field))
        assert len(checked) > 40


@cache
def _validator(path: str, method: str) -> jsonschema.Draft202012Validator:
    schema = DOCUMENT["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
    root = {**schema, "components": DOCUMENT["components"]}
    return jsonschema.Draft202012Validator(root, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _check(response: httpx.Response, path: str, method: str = "get") -> Any:
    assert response.status_code == 200, (path, response.text[:500])
    body = response.json()
    errors = sorted(_validator(path, method).iter_errors(body), key=lambda e: list(e.absolute_path))
    assert not errors, f"{path}: " + "; ".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}" for e in errors[:5]
    )
    return body


@pytest.fixture(scope="module")
def api(server: Server) -> Iterator[httpx.Client]:
    """One connection pool for the many calls below."""
    with httpx.Client(base_url=server.api, timeout=30) as client:
        yield client


def _get(api: httpx.Client, path: str, headers: dict[str, str], **params: Any) -> httpx.Response:
    return api.get(path, params={k: v for k, v in params.items() if v is not None}, headers=headers)


async def _emit_linked(url: str, synced: SyncedOrganization) -> None:
    database = Database(url)
    try:
        async with database.write() as session:
            events = [NewEvent(LINKED, b"{}", account) for account in synced.account_ids.values()]
            await emit(session, organization_id=synced.organization_id, events=events)
    finally:
        await database.dispose()


def _webhook_gets(api: httpx.Client, synced: SyncedOrganization, database_url: str) -> set[str]:
    """The webhook GETs, with an endpoint, deliveries (one per linked account) and a receiver behind them."""
    key = {"Authorization": f"Bearer {synced.api_key}"}
    made = api.post("/webhooks/endpoints", json={"url": "https://93.184.216.34/", "events": [LINKED]}, headers=key)
    assert made.status_code == 201, made.text
    run(_emit_linked(database_url, synced))
    endpoint = made.json()["id"]
    _check(_get(api, "/webhooks/events", key), "/webhooks/events")
    assert _check(_get(api, "/webhooks/endpoints", key), "/webhooks/endpoints")
    _check(_get(api, f"/webhooks/endpoints/{endpoint}", key), "/webhooks/endpoints/{id}")
    log = _check(_get(api, f"/webhooks/endpoints/{endpoint}/deliveries", key), "/webhooks/endpoints/{id}/deliveries")
    assert len(log["results"]) == len(synced.account_ids)
    account = {**key, "X-Account-Token": synced.tokens["xero"]}
    receiver = {"event": "invoice.created", "is_active": True, "key": "k"}
    assert api.post("/accounting/v1/webhook-receivers", json=receiver, headers=account).status_code == 201
    assert _check(_get(api, "/accounting/v1/webhook-receivers", account), "/accounting/v1/webhook-receivers")
    return {
        "/webhooks/events",
        "/webhooks/endpoints",
        "/webhooks/endpoints/{id}",
        "/webhooks/endpoints/{id}/deliveries",
        "/accounting/v1/webhook-receivers",
    }


def _nested_gets(api: httpx.Client, synced: SyncedOrganization) -> set[str]:
    """The lines of records that have them, and every nested object served by id (addresses, phone numbers)."""
    checked: set[str] = set()
    for token in synced.tokens.values():
        headers = {"Authorization": f"Bearer {synced.api_key}", "X-Account-Token": token}
        for spec in MODELS.values():
            listed = _get(api, f"/accounting/v1/{spec.path}", headers, page_size=5).json()["results"]
            if spec.lines is not None:
                path = f"/accounting/v1/{spec.path}/{{id}}/{spec.lines.path}"
                for record in listed:
                    expand = ",".join(spec.lines.expand) or None
                    _check(_get(api, path.replace("{id}", record["id"]), headers, expand=expand), path)
                    checked.add(path)
            for field, model in spec.nested.items():
                path = f"/accounting/v1/{NESTED_PATHS[model]}/{{id}}"
                for record in listed:
                    for nested in record[field]:
                        found = _check(_get(api, path.replace("{id}", nested["id"]), headers), path)
                        assert found == nested
                        checked.add(path)
    return checked


class TestLiveAnswersMatchTheDocument:
    """Every documented GET, called with credentials that have data behind them, answers what the document says."""

    def test_every_common_model_list_and_retrieve(self, api: httpx.Client, synced_org: SyncedOrganization) -> None:
        validated: dict[str, int] = {}
        for who, token in synced_org.tokens.items():
            headers = {"Authorization": f"Bearer {synced_org.api_key}", "X-Account-Token": token}
            for spec in MODELS.values():
                expand = ",".join(spec.expand)
                listing = f"/accounting/v1/{spec.path}"
                page = _check(_get(api, listing, headers, page_size=100), listing)
                _check(_get(api, listing, headers, page_size=100, expand=expand or None), listing)
                expanded = _check(
                    _get(api, listing, headers, page_size=100, expand=expand or None, include_remote_data="true"),
                    listing,
                )
                retrieve = f"/accounting/v1/{spec.path}/{{id}}"
                for record in page["results"][:3]:
                    one = f"/accounting/v1/{spec.path}/{record['id']}"
                    _check(_get(api, one, headers), retrieve)
                    _check(_get(api, one, headers, expand=expand or None, include_remote_data="true"), retrieve)
                validated[spec.name] = validated.get(spec.name, 0) + len(expanded["results"])
                if who != "seeded":
                    assert all(row["remote_data"] for row in expanded["results"]), (who, spec.name)
        assert sorted(name for name, count in validated.items() if count == 0) == [], "models with no data checked"

    def test_every_other_documented_get(
        self, api: httpx.Client, synced_org: SyncedOrganization, database_url: str
    ) -> None:
        checked = _webhook_gets(api, synced_org, database_url)
        for token in synced_org.tokens.values():
            headers = {"Authorization": f"Bearer {synced_org.api_key}", "X-Account-Token": token}
            for path in ("/accounting/v1/account-details", "/accounting/v1/available-actions", *SCOPE_GETS):
                _check(_get(api, path, headers), path)
                checked.add(path)
            statuses = _check(_get(api, "/accounting/v1/sync-status", headers), "/accounting/v1/sync-status")
            checked.add("/accounting/v1/sync-status")
            assert statuses["results"] or token == synced_org.tokens["seeded"]
        key = {"Authorization": f"Bearer {synced_org.api_key}"}
        accounts = _check(_get(api, "/accounting/v1/linked-accounts", key), "/accounting/v1/linked-accounts")
        assert len(accounts["results"]) == len(synced_org.tokens)
        _check(_get(api, "/accounting/v1/default-scopes", key), "/accounting/v1/default-scopes")
        checked.add("/accounting/v1/default-scopes")
        trail = _check(_get(api, "/accounting/v1/audit-trail", key), "/accounting/v1/audit-trail")
        linked = [event for event in trail["results"] if event["event_type"] == "CREATED_LINKED_ACCOUNT"]
        assert len(linked) == len(synced_org.tokens)
        checked.add("/accounting/v1/audit-trail")
        issues = _check(_get(api, "/accounting/v1/issues", key), "/accounting/v1/issues")
        assert {issue["status"] for issue in issues["results"]} == {"ONGOING", "RESOLVED"}
        for issue in issues["results"]:
            _check(_get(api, f"/accounting/v1/issues/{issue['id']}", key), "/accounting/v1/issues/{id}")
        _check(_get(api, "/integrations", {}), "/integrations")
        checked |= {"/accounting/v1/linked-accounts", "/accounting/v1/issues", "/accounting/v1/issues/{id}"}
        checked.add("/integrations")
        for token in synced_org.tokens.values():
            headers = {"Authorization": f"Bearer {synced_org.api_key}", "X-Account-Token": token}
            for spec in MODELS.values():
                if "create" in spec.writes:
                    path = f"/accounting/v1/{spec.path}/meta/post"
                    _check(_get(api, path, headers), path)
                    checked.add(path)
                # Xero's classes are fixed; QuickBooks asks its sandbox, which this server cannot reach
                # (tests/api/test_remote_fields.py reads those over a reachable sandbox).
                if spec.remote_fields and token == synced_org.tokens["xero"]:
                    segments = [spec.path]
                    if spec.remote_field_lines is not None:
                        segments.append(f"{spec.path}/{spec.remote_field_lines[0]}")
                    for segment in segments:
                        path = f"/accounting/v1/{segment}/remote-field-classes"
                        _check(_get(api, path, headers), path)
                        checked.add(path)
                if "update" in spec.writes:
                    listed = _get(api, f"/accounting/v1/{spec.path}", headers).json()["results"]
                    if listed:
                        path = f"/accounting/v1/{spec.path}/meta/patch/{{id}}"
                        _check(_get(api, path.replace("{id}", listed[0]["id"]), headers), path)
                        checked.add(path)
        headers = {"Authorization": f"Bearer {synced_org.api_key}", "X-Account-Token": synced_org.tokens["xero"]}
        queued = api.post("/accounting/v1/contacts/async", json={"model": {"no_such_field": 1}}, headers=headers)
        assert queued.status_code == 202, queued.text
        path = "/accounting/v1/async-tasks/{id}"
        task = _check(_get(api, path.replace("{id}", queued.json()["task_id"]), headers), path)
        assert task["status"] == "QUEUED"  # this server runs no worker; the write tests run tasks to the end
        checked.add(path)
        receipt = api.post(
            "/accounting/v1/async-passthrough", json={"method": "GET", "path": "/Organisation"}, headers=headers
        )
        assert receipt.status_code == 200, receipt.text
        path = "/accounting/v1/async-passthrough/{async_passthrough_receipt_id}"
        wanted = path.replace("{async_passthrough_receipt_id}", receipt.json()["async_passthrough_receipt_id"])
        assert isinstance(_check(_get(api, wanted, headers), path), str)  # pending (tests/api/test_passthrough.py)
        checked.add(path)
        for token in (synced_org.tokens["quickbooks"], synced_org.tokens["xero"]):
            headers = {"Authorization": f"Bearer {synced_org.api_key}", "X-Account-Token": token}
            mapping = {
                "target_field_name": "documented",
                "target_field_description": "Checked against the document",
                "remote_field_traversal_path": ["Id"],
                "remote_method": "GET",
                "remote_url_path": "/query",
                "common_model_name": "Contact",
            }
            made = api.post("/accounting/v1/field-mappings", json=mapping, headers=headers)
            assert made.status_code == 201, made.text
            for path, params in (
                ("/accounting/v1/field-mappings", {}),
                ("/accounting/v1/remote-fields", {"include_example_values": "true"}),
                ("/accounting/v1/target-fields", {}),
            ):
                assert _check(_get(api, path, headers, **params), path)
                checked.add(path)
            gone = api.delete(f"/accounting/v1/field-mappings/{made.json()['model']['id']}", headers=headers)
            assert gone.status_code == 200
        checked |= _nested_gets(api, synced_org)
        model_paths = {f"/accounting/v1/{spec.path}" for spec in MODELS.values()}
        model_paths |= {f"{path}/{{id}}" for path in model_paths}
        gets = {path for path, operations in DOCUMENT["paths"].items() if "get" in operations} - model_paths
        # Bulk batches are checked against the document by tests/writes/test_bulk_writes.py (a worker runs them).
        bulk = {f"/accounting/v1/{spec.path}/bulk/{{batch_id}}" for spec in MODELS.values() if "bulk" in spec.writes}
        # A file's bytes come from its provider, which this server cannot reach: tests/writes/test_attachment_writes.py
        # downloads them through the in-process sandboxes.
        downloads = {f"/accounting/v1/{spec.path}/{{id}}/download" for spec in MODELS.values() if spec.file_field}
        assert sorted(gets - checked - bulk - downloads) == [
            "/accounting/v1/account-token/{public_token}",
            "/accounting/v1/logs/{id}",
        ]
        # Left out: the token exchange answers once per link flow (tests/api/test_link.py exchanges a real public
        # token); a log exists once a write made one (the write tests read them).

    def test_resync_answers_the_documented_list(self, api: httpx.Client, synced_org: SyncedOrganization) -> None:
        headers = {"Authorization": f"Bearer {synced_org.api_key}", "X-Account-Token": synced_org.tokens["xero"]}
        path = "/accounting/v1/sync-status/resync"
        assert _check(api.post(path, headers=headers), path, "post")
