"""The headers that tell browsers what a response may do: every HTML page carries a Content-Security-Policy that
allows exactly what the page needs (its own inline style and script, by hash), refuses framing, and forbids
sniffing; JSON forbids sniffing too. Checked over a real server process, page by page, as a browser would read it.
"""

from __future__ import annotations

import base64
import hashlib
from html.parser import HTMLParser

import httpx
import pytest

from harness import Server, TenantFactory
from ledgerport.api.link_page import IntegrationChoice, choice_page, error_page, linked_page
from ledgerport.api.security import PAGE_POLICY


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in filter(None, (piece.strip() for piece in policy.split(";"))):
        name, *sources = part.split()
        parsed[name.lower()] = sources
    return parsed


class _Inline(HTMLParser):
    """What a page asks a browser to run or apply: inline script and style text, and anything else it loads."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.other: list[str] = []
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name.lower(): value for name, value in attrs}
        self.other += [f"{tag} {name}=" for name in names if name == "style" or name.startswith("on")]
        if tag == "script" and "src" in names:
            self.other.append(f"script src={names['src']}")
        elif tag in {"script", "style"}:
            self._open = tag
            (self.scripts if tag == "script" else self.styles).append("")
        elif tag in {"img", "iframe", "object", "embed", "link", "base"}:
            self.other.append(tag)

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            texts = self.scripts if self._open == "script" else self.styles
            texts[-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            self._open = None


def sha256(text: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'"


def assert_policy_allows_exactly(page: str, policy: str) -> None:
    """Everything inline on the page is allowed by its hash; nothing else (no inline sources, no loads) is."""
    rules = directives(policy)
    assert rules["default-src"] == ["'none'"]
    assert rules["frame-ancestors"] == ["'none'"]
    assert rules["base-uri"] == ["'none'"]
    for directive in ("script-src", "style-src"):
        assert all(source.startswith("'sha256-") for source in rules[directive]), rules[directive]
    found = _Inline()
    found.feed(page)
    assert found.other == []
    for script in found.scripts:
        assert sha256(script) in rules["script-src"], script
    for style in found.styles:
        assert sha256(style) in rules["style-src"], style


def assert_page_headers(response: httpx.Response) -> None:
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert_policy_allows_exactly(response.text, response.headers["content-security-policy"])


@pytest.fixture
def magic_link(server: Server, make_tenant: TenantFactory) -> str:
    made = httpx.post(
        f"{server.api}/accounting/v1/link-token",
        json={
            "end_user_email_address": "owner@acme.example",
            "end_user_organization_name": "Acme <Books>",
            "end_user_origin_id": "acme",
            "categories": ["accounting"],
        },
        headers={"Authorization": f"Bearer {make_tenant().api_key}"},
    )
    assert made.status_code == 200, made.text
    return str(made.json()["magic_link_url"])


class TestPages:
    @pytest.mark.parametrize("path", ["/docs", "/api/docs", "/docs/moving-from-merge", "/api/docs/moving-from-merge"])
    def test_docs(self, server: Server, path: str) -> None:
        page = httpx.get(f"{server.url}{path}")
        assert page.status_code == 200
        assert "<style>" in page.text
        assert_page_headers(page)

    def test_link_page(self, server: Server, magic_link: str) -> None:
        page = httpx.get(magic_link)
        assert page.status_code == 200, page.text
        assert "<button" in page.text
        assert_page_headers(page)

    def test_link_error_pages(self, server: Server) -> None:
        pages = [
            httpx.get(f"{server.url}/link"),
            httpx.get(f"{server.url}/link?link_token=lpl_nope"),
            httpx.post(f"{server.url}/link/start", data={"link_token": "lpl_nope", "integration": "xero"}),
            httpx.get(f"{server.url}/link/callback?state=nope&code=x"),
        ]
        for page in pages:
            assert page.status_code == 400, page.text
            assert_page_headers(page)

    def test_every_page_the_link_flow_renders_fits_the_policy(self) -> None:
        """The success page needs a provider to reach; its markup is checked against the policy the server sends."""
        choices = [IntegrationChoice(slug="xero", name="Xero <1>", color="#13B5EA")]
        for page in (
            choice_page(link_token="lpl_x", organization_name="Acme", integrations=choices, sandbox_url=True),
            linked_page(integration_name="Xero", organization_name="Acme </script>", public_token="lpp_<x>"),
            error_page("nope <script>alert(1)</script>"),
        ):
            assert_policy_allows_exactly(page, PAGE_POLICY)


class TestJson:
    @pytest.mark.parametrize(
        ("path", "status"),
        [
            ("/health", 200),
            ("/api/integrations", 200),
            ("/api/accounting/v1/schema", 200),
            ("/api/accounting/v1/linked-accounts", 401),
            ("/api/accounting/v1/no-such-thing", 404),
            ("/nowhere", 404),
        ],
    )
    def test_json_is_never_sniffed(self, server: Server, path: str, status: int) -> None:
        response = httpx.get(f"{server.url}{path}")
        assert response.status_code == status
        assert response.headers["content-type"].startswith("application/json")
        assert response.headers["x-content-type-options"] == "nosniff"
