"""The community SDK (python-quickbooks + Intuit's intuit-oauth) against the sandbox on a real loopback port, and
the emitted entities checked against Intuit's XSDs (element and attribute names, recursively, base types included).

Only scheme+host change: the SDK's ``api_url_v3`` and the OAuth discovery URL point at the sandbox.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import requests
from qbo_sdk import connect_sdk, served, xsd_violations

from ledgerport.sandboxes.quickbooks.clock import ZONE


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with served(seed=42) as url:
        yield url


@pytest.fixture(scope="module")
def qb(base_url: str) -> Any:
    return connect_sdk(base_url)


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
    records = requests.get(f"{base_url}/_sandbox/dump/{entity}", timeout=10).json()[entity]
    assert records
    problems = xsd_violations(records, entity)
    assert not problems, problems[:10]
