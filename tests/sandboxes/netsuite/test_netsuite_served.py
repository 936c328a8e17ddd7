"""The sandbox over a real socket: TBA signed by requests-oauthlib (the signature covers host, port and query),
SuiteQL and a write, as an HTTP client on loopback sees them."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import requests
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA256
from requests_oauthlib import OAuth1

from ledgerport.sandboxes.netsuite import serve


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = serve("127.0.0.1", port, seed=5, size="small")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _auth(base_url: str) -> OAuth1:
    creds = requests.get(f"{base_url}/_sandbox/tba", timeout=10).json()
    return OAuth1(
        creds["consumer_key"],
        client_secret=creds["consumer_secret"],
        resource_owner_key=creds["token_id"],
        resource_owner_secret=creds["token_secret"],
        realm=creds["realm"],
        signature_method=SIGNATURE_HMAC_SHA256,
    )


def test_tba_over_a_socket(base_url: str) -> None:
    auth = _auth(base_url)
    page = requests.get(
        f"{base_url}/services/rest/record/v1/customer",
        params={"limit": 3, "q": 'isInactive IS "false"'},
        auth=auth,
        timeout=10,
    )
    assert page.status_code == 200, page.text
    assert page.json()["count"] == 3
    rows = requests.post(
        f"{base_url}/services/rest/query/v1/suiteql",
        params={"limit": 2},
        json={"q": "SELECT id, entityid FROM customer ORDER BY id"},
        headers={"Prefer": "transient"},
        auth=auth,
        timeout=10,
    )
    assert rows.status_code == 200, rows.text
    assert rows.json()["hasMore"] is True


def test_a_write_over_a_socket(base_url: str) -> None:
    created = requests.post(
        f"{base_url}/services/rest/record/v1/customer",
        json={"companyName": "Socket Co", "subsidiary": {"id": "1"}},
        headers={"X-NetSuite-PropertyNameValidation": "Error"},
        auth=_auth(base_url),
        timeout=10,
    )
    assert created.status_code == 204, created.text
    assert created.headers["Location"].startswith(f"{base_url}/services/rest/record/v1/customer/")


def test_tampered_query_is_refused(base_url: str) -> None:
    prepared = requests.Request("GET", f"{base_url}/services/rest/record/v1/customer?limit=3", auth=_auth(base_url))
    request = prepared.prepare()
    request.url = f"{base_url}/services/rest/record/v1/customer?limit=4"
    with requests.Session() as session:
        response = session.send(request, timeout=10)
    assert response.status_code == 401
