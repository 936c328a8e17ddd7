"""Xero's document rules, as the official xero-python SDK (pinned 15.2.0) meets them over a real socket.

Paid documents take no change; lock dates refuse posting into a closed period (drafts may still be dated there);
bills' credit notes keep the supplier's number; line items name their item; a contact keeps one address and one
phone number of each type.
"""

from __future__ import annotations

import datetime as dt
import re
import socket
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
import uvicorn

from ledgerport.sandboxes.xero import SandboxApp, create_app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

API = "/api.xro/2.0"
LOCK = "/Date(1743379200000+0000)/"  # 31 March 2025


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, SandboxApp]]:
    app = create_app(seed=31, size="small", limits=False)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    yield f"http://127.0.0.1:{port}", app
    server.should_exit = True
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def sdk(served: tuple[str, SandboxApp]) -> tuple[Any, str, SandboxApp]:
    from xero_python.accounting import AccountingApi
    from xero_python.api_client import ApiClient, Configuration
    from xero_python.api_client.oauth2 import OAuth2Token

    base, app = served
    token = httpx.post(f"{base}/_sandbox/tokens", json={}).json()
    token["scope"] = token["scope"].split()
    token["expires_at"] = time.time() + 3600
    client = ApiClient(
        Configuration(oauth2_token=OAuth2Token(client_id="sandbox-client", client_secret="sandbox-secret")),
        pool_threads=1,
        oauth2_token_getter=lambda: token,
        oauth2_token_saver=lambda new: None,
    )
    return AccountingApi(client, base_url=f"{base}{API}"), next(iter(app.tenants)), app


def _refusal(call: Any) -> str:
    from xero_python.exceptions import AccountingBadRequestException

    with pytest.raises(AccountingBadRequestException) as refused:
        call()
    return str(refused.value.reason)


def _sale(contact_id: Any, status: str = "AUTHORISED", day: dt.date = dt.date(2025, 6, 2), **extra: Any) -> Any:
    from xero_python.accounting import Contact, Invoice, LineItem

    return Invoice(
        type="ACCREC",
        contact=Contact(contact_id=contact_id),
        date=day,
        due_date=day + dt.timedelta(days=30),
        status=status,
        line_items=[LineItem(description="Hours", quantity=Decimal(2), unit_amount=Decimal(50), account_code="200")],
        **extra,
    )


def test_a_paid_invoice_takes_no_change(sdk: tuple[Any, str, SandboxApp]) -> None:
    from xero_python.accounting import Account, Invoice, Invoices, Payment

    accounting, tenant_id, app = sdk
    contact_id = accounting.get_contacts(tenant_id).contacts[0].contact_id
    made = accounting.create_invoices(tenant_id, Invoices(invoices=[_sale(contact_id)])).invoices[0]
    accounting.create_payment(
        tenant_id,
        Payment(invoice=Invoice(invoice_id=made.invoice_id), account=Account(code="090"), amount=made.total),
    )
    paid = accounting.get_invoice(tenant_id, made.invoice_id).invoices[0]
    assert paid.status == "PAID"
    message = _refusal(
        lambda: accounting.update_invoice(tenant_id, made.invoice_id, Invoices(invoices=[Invoice(reference="late")]))
    )
    assert message == "Invoice not of valid status for modification"
    assert accounting.get_invoice(tenant_id, made.invoice_id).invoices[0].reference == paid.reference


def test_lock_dates_refuse_posting_into_a_closed_period(sdk: tuple[Any, str, SandboxApp]) -> None:
    from xero_python.accounting import (
        Account,
        Invoice,
        Invoices,
        ManualJournal,
        ManualJournalLine,
        ManualJournals,
        Payment,
    )

    accounting, tenant_id, app = sdk
    organisation = app.tenants[tenant_id].organisation
    contact_id = accounting.get_contacts(tenant_id).contacts[0].contact_id
    early = dt.date(2025, 3, 10)
    open_before = accounting.create_invoices(tenant_id, Invoices(invoices=[_sale(contact_id, day=early)])).invoices[0]
    organisation["EndOfYearLockDate"] = LOCK
    try:
        assert accounting.get_organisations(tenant_id).organisations[0].end_of_year_lock_date == dt.date(2025, 3, 31)
        closed = "The document date cannot be before the end of year lock date, currently set at 31-Mar-2025"
        assert (
            _refusal(lambda: accounting.create_invoices(tenant_id, Invoices(invoices=[_sale(contact_id, day=early)])))
            == closed
        )
        draft = accounting.create_invoices(
            tenant_id, Invoices(invoices=[_sale(contact_id, status="DRAFT", day=early)])
        ).invoices[0]
        assert draft.status == "DRAFT"
        approving = Invoices(invoices=[Invoice(status="AUTHORISED")])
        assert _refusal(lambda: accounting.update_invoice(tenant_id, draft.invoice_id, approving)) == closed
        voiding = Invoices(invoices=[Invoice(status="VOIDED")])
        assert _refusal(lambda: accounting.update_invoice(tenant_id, open_before.invoice_id, voiding)) == closed
        payment = Payment(
            invoice=Invoice(invoice_id=open_before.invoice_id), account=Account(code="090"), amount=1, date=early
        )
        assert _refusal(lambda: accounting.create_payment(tenant_id, payment)) == closed
        journal = ManualJournal(
            narration="Closed",
            date=early,
            status="POSTED",
            journal_lines=[
                ManualJournalLine(line_amount=Decimal(5), account_code="400"),
                ManualJournalLine(line_amount=Decimal(-5), account_code="090"),
            ],
        )
        journals = ManualJournals(manual_journals=[journal])
        assert _refusal(lambda: accounting.create_manual_journals(tenant_id, journals)) == closed
        later = accounting.create_invoices(tenant_id, Invoices(invoices=[_sale(contact_id)])).invoices[0]
        assert later.status == "AUTHORISED"
    finally:
        del organisation["EndOfYearLockDate"]
    organisation["PeriodLockDate"] = LOCK
    try:
        refused = _refusal(
            lambda: accounting.create_invoices(tenant_id, Invoices(invoices=[_sale(contact_id, day=early)]))
        )
        assert refused == "The document date cannot be before the period lock date, currently set at 31-Mar-2025"
    finally:
        del organisation["PeriodLockDate"]


def test_credit_note_numbers(sdk: tuple[Any, str, SandboxApp]) -> None:
    from xero_python.accounting import Contact, CreditNote, CreditNotes, LineItem

    accounting, tenant_id, app = sdk
    contact_id = accounting.get_contacts(tenant_id).contacts[0].contact_id

    def note(kind: str, number: str | None = None) -> CreditNotes:
        line = LineItem(description="Return", quantity=Decimal(1), unit_amount=Decimal(20), account_code="429")
        made = CreditNote(type=kind, contact=Contact(contact_id=contact_id), line_items=[line])
        if number is not None:
            made.credit_note_number = number
        return CreditNotes(credit_notes=[made])

    sales = accounting.create_credit_notes(tenant_id, note("ACCRECCREDIT")).credit_notes[0]
    assert sales.credit_note_number.startswith("CN-")  # Xero numbers sales credit notes
    assert _refusal(lambda: accounting.create_credit_notes(tenant_id, note("ACCRECCREDIT", sales.credit_note_number)))
    bill_credit = accounting.create_credit_notes(tenant_id, note("ACCPAYCREDIT")).credit_notes[0]
    assert not bill_credit.credit_note_number  # a bill's credit note carries the supplier's number, if any
    first = accounting.create_credit_notes(tenant_id, note("ACCPAYCREDIT", "SUP-CN-7")).credit_notes[0]
    second = accounting.create_credit_notes(tenant_id, note("ACCPAYCREDIT", "SUP-CN-7")).credit_notes[0]
    assert first.credit_note_number == second.credit_note_number == "SUP-CN-7"


def test_line_items_name_their_item(sdk: tuple[Any, str, SandboxApp]) -> None:
    from xero_python.accounting import Contact, Invoice, Invoices, LineItem

    accounting, tenant_id, app = sdk
    contact_id = accounting.get_contacts(tenant_id).contacts[0].contact_id
    item = accounting.get_items(tenant_id).items[0]
    made = accounting.create_invoices(
        tenant_id,
        Invoices(
            invoices=[
                Invoice(
                    type="ACCREC",
                    contact=Contact(contact_id=contact_id),
                    line_items=[LineItem(item_code=item.code.lower(), quantity=Decimal(3))],
                )
            ]
        ),
    ).invoices[0]
    (line,) = made.line_items
    assert (line.item_code, line.item.item_id, line.item.code, line.item.name) == (
        item.code,
        item.item_id,
        item.code,
        item.name,
    )
    assert line.unit_amount == item.sales_details.unit_price
    listed = accounting.get_invoices(tenant_id, page=1, page_size=1000).invoices
    generated = [li for invoice in listed for li in invoice.line_items or [] if li.item_code]
    assert generated
    assert all(li.item is not None and li.item.code == li.item_code for li in generated)


def test_contacts_keep_one_address_and_number_per_type(sdk: tuple[Any, str, SandboxApp]) -> None:
    from xero_python.accounting import Address, Contact, Contacts, Phone

    accounting, tenant_id, app = sdk
    made = accounting.create_contacts(
        tenant_id,
        Contacts(
            contacts=[
                Contact(
                    name="Slot Test Ltd",
                    addresses=[Address(address_type="POBOX", address_line1="PO Box 1", city="Perth")],
                    phones=[Phone(phone_type="MOBILE", phone_number="0400 000 000")],
                )
            ]
        ),
    ).contacts[0]
    assert sorted(str(a.address_type) for a in made.addresses) == ["POBOX", "STREET"]
    assert sorted(str(p.phone_type) for p in made.phones) == [
        "DDI",
        "DEFAULT",
        "FAX",
        "MOBILE",
    ]
    updated = accounting.update_contact(
        tenant_id,
        made.contact_id,
        Contacts(contacts=[Contact(addresses=[Address(address_type="STREET", address_line1="9 Hay St")])]),
    ).contacts[0]
    lines = {str(a.address_type): a.address_line1 for a in updated.addresses}
    assert lines == {"POBOX": "PO Box 1", "STREET": "9 Hay St"}
    assert {str(p.phone_type): p.phone_number for p in updated.phones}["MOBILE"] == "0400 000 000"


def test_server_defaults_of_a_sales_invoice(sdk: tuple[Any, str, SandboxApp]) -> None:
    """No status: a draft; no number: the next INV-NNNN; no date: today; totals and UpdatedDateUTC from Xero."""
    from xero_python.accounting import Contact, Invoice, Invoices, LineItem

    accounting, tenant_id, app = sdk
    contact_id = accounting.get_contacts(tenant_id).contacts[0].contact_id

    def bare() -> Invoices:
        line = LineItem(description="Hours", quantity=Decimal(2), unit_amount=Decimal("10.00"), account_code="200")
        return Invoices(invoices=[Invoice(type="ACCREC", contact=Contact(contact_id=contact_id), line_items=[line])])

    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    made = accounting.create_invoices(tenant_id, bare()).invoices[0]
    following = accounting.create_invoices(tenant_id, bare()).invoices[0]
    assert made.status == "DRAFT"
    assert re.fullmatch(r"INV-\d{4,}", made.invoice_number)
    assert int(following.invoice_number[4:]) == int(made.invoice_number[4:]) + 1
    assert made.date == dt.datetime.now(dt.UTC).date()
    assert made.sub_total == Decimal("20.00")
    assert made.total == made.sub_total + made.total_tax
    assert made.total_tax > 0  # the account's sales tax
    assert made.amount_due == made.total
    assert made.updated_date_utc >= started
