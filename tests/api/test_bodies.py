"""Every endpoint that reads a JSON body answers 400 in Merge's error shape for a body it cannot use, on every
database: invalid UTF-8 inside a JSON string, a NUL character (which PostgreSQL cannot store), bytes that are not JSON.
"""

from __future__ import annotations

import httpx
import pytest

from harness import Server, TenantFactory

LINK_TOKEN_FIELDS = (
    b'"end_user_email_address": "a@b.example", "end_user_organization_name": "B", "categories": ["accounting"]'
)
BODIES = {
    "generate-key": lambda text: b'{"name": "' + text + b'"}',
    "regenerate-key": lambda text: b'{"name": "' + text + b'"}',
    "link-token": lambda text: b'{"end_user_origin_id": "' + text + b'", ' + LINK_TOKEN_FIELDS + b"}",
}


def _post(server: Server, path: str, key: str, content: bytes) -> httpx.Response:
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    return httpx.post(f"{server.api}/accounting/v1/{path}", content=content, headers=headers, timeout=30)


def _problem(response: httpx.Response) -> str:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].split(";")[0] == "application/json"
    body = response.json()
    assert set(body) == {"detail"}
    return str(body["detail"])


@pytest.mark.parametrize("path", sorted(BODIES))
class TestUnusableBodies:
    def test_the_valid_body_works(self, server: Server, make_tenant: TenantFactory, path: str) -> None:
        assert _post(server, path, make_tenant().api_key, BODIES[path](b"fine")).status_code == 200

    @pytest.mark.parametrize("text", [b"\xff", b"caf\xc3", b"\xed\xa0\x80", b"ok\xc0\xafok"])
    def test_invalid_utf8_in_a_string_is_400(
        self, server: Server, make_tenant: TenantFactory, path: str, text: bytes
    ) -> None:
        assert "UTF-8" in _problem(_post(server, path, make_tenant().api_key, BODIES[path](text)))

    @pytest.mark.parametrize("text", [b"\\u0000", b"a\\u0000b"])
    def test_a_nul_character_is_400(self, server: Server, make_tenant: TenantFactory, path: str, text: bytes) -> None:
        assert "null characters" in _problem(_post(server, path, make_tenant().api_key, BODIES[path](text)))

    def test_an_escaped_backslash_before_u0000_is_text(
        self, server: Server, make_tenant: TenantFactory, path: str
    ) -> None:
        assert _post(server, path, make_tenant().api_key, BODIES[path](b"\\\\u0000")).status_code == 200

    @pytest.mark.parametrize("content", [b"\xff\xfe", b"{", b"", b"[]", b'"text"'])
    def test_a_body_that_is_not_a_json_object_is_400(
        self, server: Server, make_tenant: TenantFactory, path: str, content: bytes
    ) -> None:
        _problem(_post(server, path, make_tenant().api_key, content))
