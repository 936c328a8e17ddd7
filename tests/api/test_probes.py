"""What operators see, over real server processes on loopback: ``/ready`` (200 when the database and Redis answer,
503 naming what failed), ``/metrics`` (counters that move with requests, limited by ``LEDGERPORT_METRICS_ALLOW``,
gone with ``LEDGERPORT_METRICS=off``), the start line, and the access log (JSON lines with who called, never a
key, a token or a query value).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from harness import TEST_SEALING_KEY, Server, Tenant, TenantFactory, free_port, start_server
from ledgerport.app import create_app
from ledgerport.config import Settings


@pytest.fixture(scope="module")
def observed(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server logging JSON, its metrics open to loopback only."""
    started = start_server(
        database_url,
        tmp_path_factory.mktemp("observed"),
        LEDGERPORT_LOG_FORMAT="json",
        LEDGERPORT_METRICS_ALLOW="127.0.0.0/8",
    )
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="module")
def no_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server whose Redis nobody listens on (its URL carries a password), metrics open to 10.0.0.0/8 only."""
    folder = tmp_path_factory.mktemp("no-redis")
    started = start_server(
        f"sqlite:///{folder / 'ledgerport.db'}",
        folder,
        LEDGERPORT_REDIS_URL=f"redis://:hunter2-redis@127.0.0.1:{free_port()}/0",
        LEDGERPORT_METRICS_ALLOW="10.0.0.0/8",
    )
    try:
        yield started
    finally:
        started.stop()


def json_lines(server: Server) -> list[dict[str, Any]]:
    """Every line of the server's log, each of which must be one JSON object."""
    lines = [line for line in server.log.read_text().splitlines() if line.strip()]
    return [json.loads(line) for line in lines]


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample of the exposition text (0 when absent)."""
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            found = dict(re.findall(r'(\w+)="([^"]*)"', line.rpartition("}")[0]))
            if all(found.get(key) == value for key, value in labels.items()):
                return float(line.rsplit(" ", 1)[1])
    return 0.0


class TestReady:
    def test_ready_when_the_database_answers(self, observed: Server) -> None:
        answer = httpx.get(f"{observed.url}/ready")
        assert answer.status_code == 200
        assert answer.json() == {"status": "ready", "checks": {"database": "ok"}}

    def test_503_naming_redis_when_redis_does_not_answer(self, no_redis: Server) -> None:
        answer = httpx.get(f"{no_redis.url}/ready", timeout=10)
        assert answer.status_code == 503
        body = answer.json()
        assert body["checks"] == {"database": "ok", "redis": "unreachable"}
        assert body["detail"] == "Not ready: redis unreachable."
        assert httpx.get(f"{no_redis.url}/health").status_code == 200, "liveness does not depend on Redis"

    def test_503_naming_the_database_when_it_does_not_answer(self) -> None:
        settings = Settings(
            database_url=f"postgresql://ledgerport:pw@127.0.0.1:{free_port()}/nothing", secret_keys=(TEST_SEALING_KEY,)
        )
        with TestClient(app=create_app(settings)) as client:
            answer = client.get("/ready")
            assert answer.status_code == 503
            assert answer.json() == {
                "detail": "Not ready: database unreachable.",
                "status": "unavailable",
                "checks": {"database": "unreachable"},
            }
            assert client.get("/health").status_code == 200

    def test_probes_spend_no_rate_limit_budget(self, tmp_path: Path) -> None:
        settings = Settings(
            database_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
            secret_keys=(TEST_SEALING_KEY,),
            public_rate_limit_per_minute=1,
        )
        with TestClient(app=create_app(settings)) as client:
            for _ in range(5):
                assert client.get("/metrics").status_code == 200
                assert client.get("/ready").status_code in {200, 503}  # the database has no tables here


class TestMetrics:
    def test_requests_are_counted_by_route_template_and_status(self, observed: Server, make_tenant: TenantFactory):
        tenant = make_tenant()
        before = httpx.get(f"{observed.url}/metrics").text
        route = "/api/accounting/v1/invoices/{record_id}"
        headers = {"Authorization": f"Bearer {tenant.api_key}", "X-Account-Token": tenant.account_token}
        for _ in range(3):
            answer = httpx.get(
                f"{observed.api}/accounting/v1/invoices/00000000-0000-0000-0000-000000000001", headers=headers
            )
            assert answer.status_code == 404
        after = httpx.get(f"{observed.url}/metrics")
        assert after.status_code == 200
        assert after.headers["content-type"].startswith("text/plain")
        text = after.text
        counted = sample(text, "ledgerport_http_requests_total", route=route, status="404", method="GET")
        assert counted - sample(before, "ledgerport_http_requests_total", route=route, status="404") == 3
        assert sample(text, "ledgerport_http_request_duration_seconds_count", route=route) >= 3
        assert "/00000000-0000-0000-0000-000000000001" not in text, "ids never become labels"
        for family in ("ledgerport_jobs_queued", "ledgerport_jobs_oldest_queued_seconds"):
            assert f'{family}{{kind="sync.run"}}' in text, "every job kind is reported, 0 when none waits"
        for family in ("ledgerport_sync_runs_total", "ledgerport_provider_requests_total", "process_cpu_seconds"):
            assert f"# TYPE {family.removesuffix('_total')}" in text

    def test_the_allowlist_hides_metrics_from_other_networks(self, no_redis: Server) -> None:
        answer = httpx.get(f"{no_redis.url}/metrics")
        assert answer.status_code == 404
        assert answer.json() == {"detail": "Not found."}

    def test_metrics_off_removes_the_route(self, tmp_path: Path) -> None:
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'db.sqlite'}", secret_keys=(TEST_SEALING_KEY,))
        with TestClient(app=create_app(settings)) as client:
            assert client.get("/metrics").status_code == 200
        off = Settings(database_url=settings.database_url, secret_keys=(TEST_SEALING_KEY,), metrics=False)
        with TestClient(app=create_app(off)) as client:
            assert client.get("/metrics").status_code == 404


class TestStartLine:
    def test_says_where_and_what_without_credentials(self, no_redis: Server) -> None:
        text = no_redis.log.read_text()
        (line,) = [line for line in text.splitlines() if "ledgerport serve:" in line]
        assert f"listen {no_redis.url}" in line
        assert "database sqlite /" in line
        assert re.search(r"redis redis://127\.0\.0\.1:\d+/0", line), line
        assert "hunter2" not in text

    def test_json_start_line_carries_its_fields(self, observed: Server, database_url: str) -> None:
        (start,) = [line for line in json_lines(observed) if line["message"].startswith("ledgerport serve:")]
        assert start["listen"] == observed.url
        assert start["redis"] == "none"
        assert start["metrics"] == "/metrics (127.0.0.0/8)"
        assert start["database"].startswith("sqlite /" if database_url.startswith("sqlite") else "postgresql://")


class TestAccessLog:
    @pytest.fixture(scope="class")
    @classmethod
    def traffic(cls, observed: Server, make_tenant: TenantFactory) -> tuple[Tenant, list[dict[str, Any]]]:
        tenant = make_tenant()
        key_only = {"Authorization": f"Bearer {tenant.api_key}"}
        both = {**key_only, "X-Account-Token": tenant.account_token}
        base = f"{observed.api}/accounting/v1"
        assert httpx.get(f"{base}/invoices", params={"page_size": 1}, headers=both).status_code == 200
        assert httpx.get(f"{base}/linked-accounts", headers=key_only).status_code == 200
        # secrets where a careless log would keep them: a query value and a path segment
        assert httpx.get(f"{base}/contacts", params={"cursor": tenant.api_key}, headers=both).status_code == 400
        assert httpx.get(f"{base}/account-token/lpp_secret-public-token", headers=key_only).status_code == 404
        assert httpx.get(f"{base}/invoices", headers={"Authorization": "Bearer wrong-key-s3cr3t"}).status_code == 401
        return tenant, json_lines(observed)

    @staticmethod
    def access(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [line for line in lines if line["logger"] == "ledgerport.access"]

    def test_every_line_is_a_json_object(self, traffic: tuple[Tenant, list[dict[str, Any]]]) -> None:
        _, lines = traffic
        assert lines
        for line in lines:
            assert {"ts", "level", "logger", "message"} <= set(line)

    def test_one_line_per_request_with_who_called(self, traffic: tuple[Tenant, list[dict[str, Any]]]) -> None:
        tenant, lines = traffic
        ours = [line for line in self.access(lines) if line.get("organization_id") == str(tenant.organization_id)]
        listed = [line for line in ours if line["path"] == "/api/accounting/v1/invoices" and line["status"] == 200]
        (line,) = listed
        assert line["method"] == "GET"
        assert line["query_keys"] == "page_size"
        assert line["linked_account_id"] == str(tenant.account_id)
        assert isinstance(line["duration_ms"], float)
        assert line["duration_ms"] >= 0
        (accounts,) = [line for line in ours if line["path"] == "/api/accounting/v1/linked-accounts"]
        assert accounts["linked_account_id"] is None

    def test_no_key_token_or_query_value_is_logged(
        self, traffic: tuple[Tenant, list[dict[str, Any]]], observed: Server
    ):
        tenant, lines = traffic
        text = observed.log.read_text()
        for secret in (tenant.api_key, tenant.account_token, "lpp_secret-public-token", "wrong-key-s3cr3t"):
            assert secret not in text
        paths = {line["path"] for line in self.access(lines)}
        assert "/api/accounting/v1/account-token/{public_token}" in paths
        assert "authorization" not in text.lower()

    def test_failed_authentication_is_logged_without_a_caller(self, traffic: tuple[Tenant, list[dict[str, Any]]]):
        _, lines = traffic
        refused = [line for line in self.access(lines) if line["status"] == 401]
        assert refused
        assert all(line["organization_id"] is None for line in refused)
