"""The rule every token request follows: the operator's registration goes only to the origin configured for it."""

from __future__ import annotations

import pytest

from ledgerport.connectors._base.auth import OAuthClient
from ledgerport.connectors._base.registrations import NotRegistered, OriginRefused, Registrations, normal_origin

REAL = OAuthClient("real-id", "real-secret", "https://lp.example/link/callback")
SANDBOX = OAuthClient("sandbox-client", "sandbox-secret", "https://lp.example/link/callback")


def _registrations(**overrides: object) -> Registrations:
    values: dict[str, object] = {
        "configured": {"quickbooks": REAL, "xero": REAL},
        "sandbox_origins": {"xero": "http://127.0.0.1:8101/"},
        "sandbox_client": SANDBOX,
        "allowed_sandboxes": frozenset({"http://127.0.0.1:9000"}),
    }
    values.update(overrides)
    return Registrations(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("HTTP://LocalHost:8000/", "http://localhost:8000"),
        ("https://h.example/sandbox/xero/", "https://h.example/sandbox/xero"),
        ("http://[::1]:80", "http://[::1]:80"),
    ],
)
def test_origins_compare_in_one_form(text: str, expected: str) -> None:
    assert normal_origin(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "file:///etc/passwd",
        "javascript:alert(1)",
        "http://",
        "http://u:p@h.example",
        "http://h.example/?a=1",
        "http://h.example:99999",
    ],
)
def test_what_is_not_an_origin_is_refused(text: str) -> None:
    with pytest.raises(OriginRefused):
        normal_origin(text)


def test_the_configured_registration_goes_to_the_configured_origin_only() -> None:
    registrations = _registrations()
    assert registrations.client("quickbooks", None) is REAL
    assert registrations.client("xero", "http://127.0.0.1:8101") is REAL
    with pytest.raises(NotRegistered):
        registrations.client("xero", None)


def test_every_other_origin_gets_the_sandbox_client() -> None:
    registrations = _registrations()
    for origin in ("http://127.0.0.1:9000", "http://evil.example", "http://127.0.0.1:8101/other"):
        assert registrations.client("quickbooks", origin) is SANDBOX
        assert registrations.client("xero", origin) is SANDBOX


def test_the_real_provider_without_a_registration_is_refused() -> None:
    registrations = _registrations(configured={})
    with pytest.raises(NotRegistered, match="LEDGERPORT_OAUTH_QUICKBOOKS_CLIENT_ID"):
        registrations.client("quickbooks", None)
    assert registrations.client("xero", "http://127.0.0.1:8101") is SANDBOX


def test_typed_origins_only_for_a_sandboxed_connector_and_only_allowlisted() -> None:
    registrations = _registrations()
    assert registrations.origin("xero", None) == "http://127.0.0.1:8101"
    assert registrations.origin("xero", " HTTP://127.0.0.1:8101/ ") == "http://127.0.0.1:8101"
    assert registrations.origin("xero", "http://127.0.0.1:9000/") == "http://127.0.0.1:9000"
    with pytest.raises(OriginRefused, match="allows"):
        registrations.origin("xero", "http://127.0.0.1:9001")
    with pytest.raises(OriginRefused, match="real provider only"):
        registrations.origin("quickbooks", "http://127.0.0.1:9000")
    assert registrations.origin("quickbooks", "") is None
