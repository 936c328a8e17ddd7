"""The community SDK (python-quickbooks + Intuit's intuit-oauth) connected to a sandbox served on a loopback port,
and the check that emitted entities use Intuit's XSD names (elements and attributes, recursively, base types
included).

Only scheme+host change: the SDK's ``api_url_v3`` and the OAuth discovery URL point at the sandbox.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlparse

import requests

from harness import reference
from ledgerport.sandboxes.quickbooks import serve

__all__ = ["connect_sdk", "served", "xsd_violations"]

XS = "{http://www.w3.org/2001/XMLSchema}"


@contextmanager
def served(seed: int) -> Iterator[str]:
    """A seeded sandbox served by uvicorn in a thread; yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = serve("127.0.0.1", port, seed=seed, size="small")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    previous = os.environ.get("OAUTHLIB_INSECURE_TRANSPORT")
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"  # requests-oauthlib refuses plain http otherwise
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        if previous is None:
            os.environ.pop("OAUTHLIB_INSECURE_TRANSPORT", None)
        server.should_exit = True
        thread.join(timeout=10)


def connect_sdk(base_url: str) -> Any:
    """A ``QuickBooks`` client holding tokens from the sandbox's consent flow (``auto_approve``)."""
    from intuitlib.client import AuthClient
    from intuitlib.enums import Scopes
    from quickbooks import QuickBooks

    auth = AuthClient(
        "sandbox-client",
        "sandbox-secret",
        "http://localhost:8765/callback",
        environment=f"{base_url}/.well-known/openid_sandbox_configuration/",
    )
    authorize = auth.get_authorization_url([Scopes.ACCOUNTING]) + "&auto_approve=true"
    assert authorize.startswith(f"{base_url}/connect/oauth2?")
    callback = requests.get(authorize, allow_redirects=False, timeout=10)
    assert callback.status_code == 302
    params = parse_qs(urlparse(callback.headers["location"]).query)
    assert params["state"] == [auth.state_token]
    auth.get_bearer_token(params["code"][0], realm_id=params["realmId"][0])
    assert auth.access_token
    assert auth.refresh_token
    assert auth.expires_in == 3600
    client = QuickBooks(auth_client=auth, refresh_token=auth.refresh_token, company_id=auth.realm_id, minorversion=75)
    client.api_url_v3 = f"{base_url}/v3"
    return client


def _xsd_types() -> dict[str, tuple[str | None, set[str]]]:
    types: dict[str, tuple[str | None, set[str]]] = {}
    elements: dict[str, dict[str, str]] = {}
    for name in ("IntuitBaseTypes.xsd", "IntuitNamesTypes.xsd", "Finance.xsd", "IntuitRestServiceDef.xsd"):
        for complex_type in ET.parse(reference("providers", "quickbooks", name)).getroot().iter(f"{XS}complexType"):
            type_name = complex_type.get("name")
            if not type_name:
                continue
            extension = next(complex_type.iter(f"{XS}extension"), None)
            base = extension.get("base").split(":")[-1] if extension is not None else None  # type: ignore[union-attr]
            names = {e.get("name") for e in complex_type.iter(f"{XS}element") if e.get("name")}
            names |= {a.get("name") for a in complex_type.iter(f"{XS}attribute") if a.get("name")}
            if complex_type.find(f"{XS}simpleContent") is not None:
                names.add("value")
            elements[type_name] = {
                e.get("name"): (e.get("type") or "").split(":")[-1]
                for e in complex_type.iter(f"{XS}element")
                if e.get("name")
            }
            types[type_name] = (base, names)  # type: ignore[assignment]
    _xsd_types.elements = elements  # type: ignore[attr-defined]
    return types


def _allowed(types: dict[str, tuple[str | None, set[str]]], type_name: str) -> tuple[set[str], dict[str, str]]:
    names: set[str] = set()
    children: dict[str, str] = {}
    while type_name in types:
        base, own = types[type_name]
        names |= own
        children = {**_xsd_types.elements[type_name], **children}  # type: ignore[attr-defined]
        type_name = base or ""
    return names, children


def _violations(types: dict[str, Any], value: Any, type_name: str, path: str) -> list[str]:
    if isinstance(value, list):
        return [problem for item in value for problem in _violations(types, item, type_name, path)]
    if not isinstance(value, dict) or type_name not in types:
        return []
    names, children = _allowed(types, type_name)
    problems = [f"{path}.{key} not in {type_name}" for key in value if key not in names]
    for key, child in value.items():
        if key in children:
            problems += _violations(types, child, children[key], f"{path}.{key}")
    return problems


def xsd_violations(records: list[Any], entity: str) -> list[str]:
    """Keys of ``records`` (objects of ``entity``) that Intuit's XSDs do not name there."""
    types = _xsd_types()
    return [problem for record in records for problem in _violations(types, record, entity, entity)]
