"""Which ``file_url`` values the server fetches (``api/fetching.py``): the operator's host list, the address guards
shared with webhook deliveries, ``data:`` URLs, the size limit, and the settings that configure them."""

from __future__ import annotations

import base64
import socket

import pytest

from ledgerport.api.fetching import FetchPolicy, FileRefused, fetch_file, host_allowed
from ledgerport.config import load_settings
from ledgerport.connectors._base.files import FileBody, data_url, read_data_url
from ledgerport.webhooks.addresses import is_public


def test_host_patterns() -> None:
    allow = ("files.example.com", "*.s3.amazonaws.com")
    assert host_allowed("files.example.com", allow)
    assert host_allowed("FILES.example.com.", allow)
    assert host_allowed("bucket.s3.amazonaws.com", allow)
    assert not host_allowed("s3.amazonaws.com.evil.example", allow)
    assert not host_allowed("example.com", allow)
    assert not host_allowed("files.example.com", ())


def test_data_urls_round_trip() -> None:
    body = FileBody(data=b"\x00\xffabc", content_type="application/pdf")
    assert read_data_url(data_url(body)) == body
    assert read_data_url("data:,hello%20there") == FileBody(data=b"hello there", content_type="text/plain")
    for bad in ("data:text/plain;base64,***", "https://example.com/", "data:no-comma"):
        with pytest.raises(ValueError, match="."):
            read_data_url(bad)


async def test_data_urls_need_no_host_but_keep_the_size_limit() -> None:
    url = f"data:text/plain;base64,{base64.b64encode(b'x' * 50).decode()}"
    assert (await fetch_file(url, FetchPolicy())).data == b"x" * 50
    with pytest.raises(FileRefused, match="10 bytes"):
        await fetch_file(url, FetchPolicy(max_bytes=10))


@pytest.mark.parametrize(
    ("url", "policy", "why"),
    [
        ("https://files.example.com/a.pdf", FetchPolicy(), "LEDGERPORT_ATTACHMENT_FETCH_ALLOW"),
        ("http://10.0.0.5/a.pdf", FetchPolicy(allow=("*",)), "LEDGERPORT_ATTACHMENT_FETCH_ALLOW_PRIVATE"),
        ("http://[::1]/a.pdf", FetchPolicy(allow=("*",)), "private or local"),
        ("ftp://files.example.com/a.pdf", FetchPolicy(allow=("*",)), "https://"),
        ("https://user:pw@files.example.com/a.pdf", FetchPolicy(allow=("*",)), "credentials"),
    ],
)
async def test_refusals_name_their_reason(url: str, policy: FetchPolicy, why: str) -> None:
    with pytest.raises(FileRefused, match="file_url") as refused:
        await fetch_file(url, policy)
    assert why in str(refused.value)
    assert "WEBHOOK" not in str(refused.value)


async def test_a_name_resolving_to_a_private_address_is_refused() -> None:
    host = socket.gethostname()
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        pytest.skip("this machine's name does not resolve")
    if any(is_public(str(address)) for address in found):
        pytest.skip("this machine's name resolves to a public address")
    with pytest.raises(FileRefused, match="LEDGERPORT_ATTACHMENT_FETCH_ALLOW_PRIVATE"):
        await fetch_file(f"http://{host}:9/a.pdf", FetchPolicy(allow=("*",)))


def test_settings() -> None:
    settings = load_settings(
        {
            "LEDGERPORT_ATTACHMENT_FETCH_ALLOW": "Files.Example.com, *.s3.amazonaws.com,",
            "LEDGERPORT_ATTACHMENT_FETCH_ALLOW_PRIVATE": "1",
            "LEDGERPORT_ATTACHMENT_MAX_BYTES": "1000",
            "LEDGERPORT_ATTACHMENT_FETCH_SECONDS": "5",
        }
    )
    assert settings.attachment_fetch_allow == ("files.example.com", "*.s3.amazonaws.com")
    assert settings.attachment_fetch_allow_private is True
    assert settings.attachment_max_bytes == 1000
    assert settings.attachment_fetch_seconds == 5.0
    default = load_settings({})
    assert default.attachment_fetch_allow == ()
    assert default.attachment_fetch_allow_private is False
    assert default.attachment_max_bytes == 25 * 1024 * 1024
