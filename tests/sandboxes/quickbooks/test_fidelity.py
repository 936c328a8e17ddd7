"""The community SDK (python-quickbooks + Intuit's intuit-oauth) against the sandbox on a real loopback port, and
the emitted entities checked against Intuit's XSDs (element and attribute names, recursively, base types included).

Only scheme+host change: the SDK's ``api_url_v3`` and the OAuth discovery URL point at the sandbox.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from harness import reference
from ledgerport.sandboxes.quickbooks import serve
from ledgerport.sandboxes.quickbooks.clock import ZONE

XS = "{http://www.w3.org/2001/XMLSchema}"


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = serve("127.0.0.1", port, seed=42, size="small")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    previous = os.environ.get("OAUTHLIB_INSECURE_TRANSPORT")
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"  # requests-oauthlib refuses plain http otherwise
    yield f"http://127.0.0.1:{port}"
    if previous is None:
        os.environ.pop("OAUTHLIB_INSECURE_TRANSPORT", None)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def qb(base_url: str) -> Any:
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


def test_list_filter_query_and_get(qb: Any) -> None:
    from quickbooks.objects.customer import Customer
    from quickbooks.objects.invoice import Invoice

    invoices = Invoice.all(qb=qb)
    assert 40 <= len(invoices) <= 100
    assert all(invoice.Id for invoice in invoices)
    first = invoices[0]
    assert [i.Id for i in Invoice.filter(DocNumber=first.DocNumber, qb=qb)] == [first.Id]
    expensive = Invoice.query("SELECT * FROM Invoice WHERE TotalAmt > '500' ORDERBY TotalAmt DESC MAXRESULTS 5", qb=qb)
    assert 0 < len(expensive) <= 5
    assert [i.TotalAmt for i in expensive] == sorted((i.TotalAmt for i in expensive), reverse=True)
    assert Invoice.count(qb=qb) == len(Invoice.all(max_results=1000, qb=qb))
    customer = Customer.get(first.CustomerRef.value, qb=qb)
    assert customer.DisplayName == first.CustomerRef.name
    assert any(line.DetailType == "SubTotalLineDetail" for line in first.Line)


def test_create_update_delete_void(qb: Any) -> None:
    from quickbooks.objects.base import Ref
    from quickbooks.objects.customer import Customer
    from quickbooks.objects.detailline import SalesItemLine, SalesItemLineDetail
    from quickbooks.objects.invoice import Invoice
    from quickbooks.objects.item import Item

    customer = Customer()
    customer.DisplayName = "Fidelity Test Co"
    created = customer.save(qb=qb)
    assert created.Id
    assert created.SyncToken == "0"
    created.CompanyName = "Fidelity Test Company"
    updated = created.save(qb=qb)
    assert updated.SyncToken == "1"
    assert updated.CompanyName == "Fidelity Test Company"

    line = SalesItemLine()
    line.Amount = 250.5
    line.SalesItemLineDetail = SalesItemLineDetail()
    line.SalesItemLineDetail.ItemRef = Item.get(1, qb=qb).to_ref()
    invoice = Invoice()
    invoice.Line.append(line)
    invoice.CustomerRef = Ref()
    invoice.CustomerRef.value = updated.Id
    saved = invoice.save(qb=qb)
    assert saved.TotalAmt == 250.5
    assert saved.Balance == 250.5
    assert saved.CustomerRef.name == "Fidelity Test Co"
    saved.PrivateNote = "changed by the SDK"
    resaved = saved.save(qb=qb)
    assert resaved.SyncToken == "1"
    assert resaved.PrivateNote == "changed by the SDK"
    assert Invoice.get(resaved.Id, qb=qb).PrivateNote == "changed by the SDK"
    result = resaved.delete(qb=qb)
    assert result["Invoice"]["status"] == "Deleted"

    fresh = Invoice()
    fresh.Line.append(line)
    fresh.CustomerRef = invoice.CustomerRef
    voided = fresh.save(qb=qb).void(qb=qb)
    assert voided["Invoice"]["TotalAmt"] == 0


def test_stale_update_raises(qb: Any) -> None:
    from quickbooks.exceptions import QuickbooksException
    from quickbooks.objects.customer import Customer

    customer = Customer.get(3, qb=qb)
    customer.SyncToken = "42"
    with pytest.raises(QuickbooksException) as raised:
        customer.save(qb=qb)
    assert raised.value.error_code == 5010


def test_change_data_capture_and_batch(qb: Any) -> None:
    from quickbooks.batch import batch_create
    from quickbooks.cdc import change_data_capture
    from quickbooks.objects.customer import Customer
    from quickbooks.objects.invoice import Invoice

    news = []
    for name in ("Batch One", "Batch Two"):
        customer = Customer()
        customer.DisplayName = name
        news.append(customer)
    result = batch_create(news, qb=qb)
    assert len(result.successes) == 2
    assert not result.faults
    cdc = change_data_capture([Invoice, Customer], datetime.now(ZONE) - timedelta(hours=20), qb=qb)
    names = [c.DisplayName for c in cdc.Customer]
    assert "Batch One" in names
    assert "Batch Two" in names


# ---- XSD element names ---------------------------------------------------------------------------------------------


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


@pytest.mark.parametrize(
    "entity",
    [
        "Invoice",
        "Bill",
        "JournalEntry",
        "Customer",
        "Payment",
        "BillPayment",
        "Purchase",
        "Deposit",
        "Transfer",
        "Item",
        "Account",
        "TaxCode",
        "TaxRate",
        "CompanyInfo",
        "Vendor",
        "Estimate",
        "CreditMemo",
        "PurchaseOrder",
    ],
)
def test_emitted_keys_are_xsd_names(base_url: str, entity: str) -> None:
    types = _xsd_types()
    records = requests.get(f"{base_url}/_sandbox/dump/{entity}", timeout=10).json()[entity]
    assert records
    problems = [p for record in records for p in _violations(types, record, entity, entity)]
    assert not problems, problems[:10]
