"""Provider calls kept for the operators' logs never keep a credential: a token refresh made in the middle of a write
passes the same recording transport as the write itself."""

from __future__ import annotations

import uuid

import msgspec

from ledgerport.connectors._base import Request, Response
from ledgerport.remote.recording import call_log, scrub


def test_a_refresh_call_keeps_no_token_or_client_secret() -> None:
    request = Request(
        method="POST",
        url="https://oauth.example/token",
        headers={"Authorization": "Basic c2VjcmV0", "Content-Type": "application/x-www-form-urlencoded"},
        body=b"grant_type=refresh_token&refresh_token=RT-123&client_secret=CS-456",
    )
    response = Response(
        status=200,
        headers={"Content-Type": "application/json"},
        body=b'{"access_token": "AT-789", "refresh_token": "RT-000", "expires_in": 3600}',
    )
    row = call_log(uuid.uuid4(), None, (request, response, 0, 5))
    kept = row.request + (row.response or b"")
    for secret in (b"RT-123", b"CS-456", b"AT-789", b"RT-000", b"c2VjcmV0"):
        assert secret not in kept
    assert b"grant_type=refresh_token" in row.request
    assert msgspec.json.decode(msgspec.json.decode(row.response)["body"])["expires_in"] == 3600


def test_an_accounting_body_is_kept_as_sent() -> None:
    body = b'{"Invoice": {"Code": "200", "code": "x", "Lines": [{"Amount": 1}]}}'
    assert msgspec.json.decode(scrub(body)) == msgspec.json.decode(body)
    assert scrub(b"select * from CompanyInfo") == "select * from CompanyInfo"
    assert scrub(b"not json {") == "not json {"


def test_a_file_s_bytes_are_logged_by_their_size() -> None:
    upload = Request(method="PUT", url="https://api.example/files/a.png", body=b"\x89PNG\r\n\x1a\n\xff\x00" * 10)
    answer = Response(status=200, headers={}, body=b"x" * (2 * 1024 * 1024))
    row = call_log(uuid.uuid4(), None, (upload, answer, 0, 5))
    assert msgspec.json.decode(row.request)["body"] == "[100 bytes of binary content, not kept]"
    assert msgspec.json.decode(row.response or b"{}")["body"] == f"[{2 * 1024 * 1024} bytes, not kept]"
