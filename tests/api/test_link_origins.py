"""Where the link flow may send a person and the app's OAuth registration, replayed as an attacker would.

A ``ledgerport serve`` process holds a real-looking QuickBooks registration and links Xero against a sandbox. A
listener on loopback plays the attacker's host: it records every request and, when asked for a token, answers
like a provider would. The operator's secret must never reach it, and nothing must reach it at all unless the
operator allowlisted it.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from harness import Server, TenantFactory, free_port, start_server
from ledgerport.kit.sealing import new_key

REAL_ID, REAL_SECRET = "ABqbo-real-client-id", "real-client-secret-do-not-leak"


class _Recorder(BaseHTTPRequestHandler):
    seen: list[dict[str, str]]

    def _record(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length).decode("latin-1") if length else ""
        self.seen.append({"method": self.command, "path": self.path, "body": body, **dict(self.headers.items())})

    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        self._record()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(b"[]")

    def do_POST(self) -> None:  # noqa: N802
        self._record()
        answer = {"access_token": "a", "refresh_token": "r", "expires_in": 1800, "token_type": "bearer"}
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(answer).encode())

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture(scope="module")
def attacker() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A host someone would like the server to call: its origin and what arrived there."""
    seen: list[dict[str, str]] = []
    handler = type("Recorder", (_Recorder,), {"seen": seen})
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def _serve(database_url: str, tmp_path_factory: pytest.TempPathFactory, **env: str) -> Server:
    return start_server(
        database_url,
        tmp_path_factory.mktemp("origins"),
        LEDGERPORT_SECRET_KEYS=new_key(),
        LEDGERPORT_OAUTH_QUICKBOOKS_CLIENT_ID=REAL_ID,
        LEDGERPORT_OAUTH_QUICKBOOKS_CLIENT_SECRET=REAL_SECRET,
        **env,
    )


@pytest.fixture(scope="module")
def sandboxed_xero(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Xero linked against a sandbox (nothing listens there: these links never get that far); no allowlist."""
    server = _serve(database_url, tmp_path_factory, LEDGERPORT_SANDBOX_ORIGINS=f"xero=http://127.0.0.1:{free_port()}")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def allowlisted(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, attacker: tuple[str, list[dict[str, str]]]
) -> Iterator[Server]:
    """As above, but the operator allowlisted the listener as a sandbox, and configured Xero credentials too."""
    server = _serve(
        database_url,
        tmp_path_factory,
        LEDGERPORT_SANDBOX_ORIGINS=f"xero=http://127.0.0.1:{free_port()}",
        LEDGERPORT_SANDBOX_URL_ALLOWLIST=attacker[0],
        LEDGERPORT_OAUTH_XERO_CLIENT_ID="xero-real-id",
        LEDGERPORT_OAUTH_XERO_CLIENT_SECRET=REAL_SECRET,
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def unregistered(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """No sandbox and no registration for Xero: a real link to it cannot work."""
    server = _serve(database_url, tmp_path_factory)
    yield server
    server.stop()


def _link_token(server: Server, api_key: str) -> str:
    answer = httpx.post(
        f"{server.api}/accounting/v1/link-token",
        headers={"Authorization": f"Bearer {api_key}"},
        json={
            "end_user_email_address": "owner@acme.example",
            "end_user_organization_name": "Acme",
            "end_user_origin_id": "acme",
            "categories": ["accounting"],
        },
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["link_token"])


def _start(server: Server, api_key: str, integration: str, sandbox_url: str | None = None) -> httpx.Response:
    form = {"link_token": _link_token(server, api_key), "integration": integration}
    if sandbox_url is not None:
        form["sandbox_url"] = sandbox_url
    return httpx.post(f"{server.url}/link/start", data=form)


def _sent_client(request: dict[str, str]) -> tuple[str, str]:
    """The client id and secret a token request presented (HTTP Basic, or in the form body)."""
    basic = request.get("Authorization", "")
    if basic.startswith("Basic "):
        client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
        return client_id, secret
    form = parse_qs(request["body"])
    return form.get("client_id", [""])[0], form.get("client_secret", [""])[0]


class TestTypedOrigins:
    def test_a_typed_origin_for_a_connector_that_is_not_sandboxed_reaches_nothing(
        self,
        sandboxed_xero: Server,
        attacker: tuple[str, list[dict[str, str]]],
        make_tenant: TenantFactory,
    ) -> None:
        origin, seen = attacker
        before = len(seen)
        started = _start(sandboxed_xero, make_tenant().api_key, "quickbooks-online", sandbox_url=origin)
        assert started.status_code == 400
        assert "location" not in started.headers
        assert origin not in started.text or "cannot be used" in started.text
        callback = httpx.get(f"{sandboxed_xero.url}/link/callback", params={"code": "c", "state": "guess"})
        assert callback.status_code == 400
        assert len(seen) == before

    def test_a_typed_origin_outside_the_allowlist_reaches_nothing(
        self,
        sandboxed_xero: Server,
        attacker: tuple[str, list[dict[str, str]]],
        make_tenant: TenantFactory,
    ) -> None:
        origin, seen = attacker
        before = len(seen)
        started = _start(sandboxed_xero, make_tenant().api_key, "xero", sandbox_url=origin)
        assert started.status_code == 400
        assert "location" not in started.headers
        assert len(seen) == before

    def test_an_allowlisted_sandbox_never_receives_the_operators_registration(
        self,
        allowlisted: Server,
        attacker: tuple[str, list[dict[str, str]]],
        make_tenant: TenantFactory,
    ) -> None:
        origin, seen = attacker
        before = len(seen)
        started = _start(allowlisted, make_tenant().api_key, "xero", sandbox_url=origin)
        assert started.status_code == 302, started.text
        location = urlsplit(started.headers["location"])
        assert f"{location.scheme}://{location.netloc}" == origin
        sent = parse_qs(location.query)
        assert sent["client_id"] == ["sandbox-client"]
        httpx.get(f"{allowlisted.url}/link/callback", params={"code": "c", "state": sent["state"][0]})
        arrived = seen[before:]
        token_requests = [r for r in arrived if r["method"] == "POST"]
        assert token_requests, arrived
        for request in arrived:
            assert REAL_SECRET not in json.dumps(request)
        assert {_sent_client(r) for r in token_requests} == {("sandbox-client", "sandbox-secret")}

    def test_the_real_provider_gets_the_configured_registration(
        self, sandboxed_xero: Server, make_tenant: TenantFactory
    ) -> None:
        started = _start(sandboxed_xero, make_tenant().api_key, "quickbooks-online")
        assert started.status_code == 302, started.text
        location = urlsplit(started.headers["location"])
        assert location.netloc == "appcenter.intuit.com"
        assert parse_qs(location.query)["client_id"] == [REAL_ID]


class TestNoRegistration:
    def test_a_real_link_without_a_registration_is_refused_before_the_provider(
        self, unregistered: Server, make_tenant: TenantFactory
    ) -> None:
        started = _start(unregistered, make_tenant().api_key, "xero")
        assert started.status_code == 400
        assert "location" not in started.headers
        assert "LEDGERPORT_OAUTH_XERO_CLIENT_ID" in started.text
