"""Business Central's mapping tables over records shaped as v2.0 answers them (bc_fake.seeded): escaped enums,
blank GUIDs and dates, signed journal amounts, exploded payment lines, and field support read from the tables."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec
import pytest
from bc_fake import seeded
from msgspec.structs import replace

from ledgerport.connectors._base.connector import field_support
from ledgerport.connectors._base.mapping import MappingContext, ModelMap, apply
from ledgerport.connectors.business_central import CONNECTOR
from ledgerport.connectors.business_central.convert import (
    bc_date,
    days_of,
    enum_text,
    guid,
    odata_datetime,
)
from ledgerport.connectors.business_central.mapping import MAPPINGS
from ledgerport.connectors.business_central.session import LOCAL_CURRENCY
from ledgerport.models import MODELS

DATA = msgspec.json.Decoder(float_hook=Decimal).decode(msgspec.json.encode(seeded()))
"""As the client decodes an answer: every number with a fraction a ``Decimal``."""
CONTEXT = MappingContext(
    ref=lambda model, remote: f"{model}:{remote}", company="the-company", facts={LOCAL_CURRENCY: "USD"}
)
"""The session learnt the company's local currency (``companyInformation.currencyCode``)."""


def _mapping(stream: str, model: str) -> ModelMap:
    return next(m for m in MAPPINGS if m.stream.name == stream and m.model == model)


def _one(stream: str, model: str, index: int = 0) -> Any:
    return apply(_mapping(stream, model), DATA[stream][index], CONTEXT)


def test_wire_values() -> None:
    assert enum_text("G_x002F_L_x0020_Account") == "G/L Account"
    assert enum_text("Charge_x0020__x0028_Item_x0029_") == "Charge (Item)"
    assert enum_text("_x0020_") == ""
    assert bc_date("0001-01-01") is None
    assert bc_date("2026-02-09").isoformat() == "2026-02-09T00:00:00+00:00"  # type: ignore[union-attr]
    assert guid("00000000-0000-0000-0000-000000000000") is None
    assert [days_of(f) for f in ("30D", "<14D>", "CM+1M", "", None)] == [30, 14, None, None, None]
    from datetime import UTC, datetime

    assert odata_datetime(datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)) == "2026-01-02T03:04:05.678Z"


def test_every_stream_feeds_a_known_model_and_the_support_is_read_from_the_tables() -> None:
    assert {m.model for m in MAPPINGS} <= set(MODELS)
    support = field_support(CONNECTOR)
    assert "balance" in support["Invoice"]
    assert "line_items" in support["Invoice"]
    assert "end_date" not in support["AccountingPeriod"]  # BC gives only each period's start
    assert "total_tax_rate" not in support["TaxRate"]  # and no rates outside document lines
    assert set(support) == {
        "CompanyInfo",
        "Account",
        "TaxRate",
        "TrackingCategory",
        "PaymentTerm",
        "AccountingPeriod",
        "Contact",
        "Employee",
        "Project",
        "Item",
        "Invoice",
        "CreditNote",
        "SalesOrder",
        "PurchaseOrder",
        "ItemFulfillment",
        "JournalEntry",
        "Transaction",
        "Payment",
    }


def test_company_info() -> None:
    company = _one("companyInformation", "CompanyInfo")
    assert (company.name, company.currency, company.tax_number) == ("CRONUS USA, Inc.", "USD", "77-7777777")
    assert (company.fiscal_year_end_month, company.fiscal_year_end_day) == (12, 31)
    assert company.urls == ["https://cronus.example"]
    assert company.addresses[0].street_1 == "7122 South Ashford Street"
    assert company.addresses[0].country == "US"
    assert [p.number for p in company.phone_numbers] == ["+1 425 555 0100"]  # the blank fax is left out


def test_accounts_and_reference_data() -> None:
    income, heading = _one("accounts", "Account"), _one("accounts", "Account", 1)
    assert (income.classification, income.status, income.account_number) == ("REVENUE", "ACTIVE", "40100")
    assert income.current_balance == Decimal("1200.5")
    assert (heading.type, heading.status, heading.classification) == ("Begin-Total", "INACTIVE", "ASSET")
    assert _one("taxAreas", "TaxRate").description == "Tax area (Sales Tax)"
    value = _one("dimensionValues", "TrackingCategory")
    assert value.parent_category == "TrackingCategory:00000007-0000-4000-8000-000000000001"
    term = _one("paymentTerms", "PaymentTerm")
    assert (term.days_until_due, term.discount_days, term.name) == (30, 8, "Net 30")
    assert _one("accountingPeriods", "AccountingPeriod").status == "ACTIVE"
    assert _one("employees", "Employee").status == "ACTIVE"
    item = _one("items", "Item")
    assert (item.type, item.status, item.purchase_price) == ("NON_INVENTORY", "ACTIVE", Decimal("3000.25"))
    assert item.sales_tax_rate == "TaxRate:00000006-0000-4000-8000-000000000002"
    assert item.company == "the-company"


def test_contacts() -> None:
    blocked, active = _one("customers", "Contact"), _one("customers", "Contact", 1)
    assert (blocked.status, active.status) == ("ARCHIVED", "ACTIVE")
    assert (active.is_customer, active.is_supplier, active.currency) == (True, False, "USD")  # blank: local
    vendor = _one("vendors", "Contact")
    assert (vendor.is_supplier, vendor.currency, vendor.addresses) == (True, "CAD", [])
    assert vendor.phone_numbers[0].number == "+1 555 0101"


def test_invoices_and_credit_notes() -> None:
    sales = _one("salesInvoices", "Invoice")
    assert (sales.type, sales.status, sales.balance, sales.number) == (
        "ACCOUNTS_RECEIVABLE",
        "PARTIALLY_PAID",
        Decimal(60),
        "103001",
    )
    assert sales.currency == "USD"  # the company's own currency is a blank code on documents: the local one
    unknown = apply(_mapping("salesInvoices", "Invoice"), DATA["salesInvoices"][0], replace(CONTEXT, facts={}))
    assert unknown.currency is None  # no session facts learnt: blank stays unknown
    assert sales.payment_term == "PaymentTerm:00000005-0000-4000-8000-000000000001"
    item_line, account_line = sales.line_items
    assert (item_line.item, item_line.account) == ("Item:00000004-0000-4000-8000-000000000001", None)
    assert (account_line.item, account_line.account) == (None, "Account:00000001-0000-4000-8000-000000000001")
    assert item_line.company == "the-company"
    bill = _one("purchaseInvoices", "Invoice")
    assert (bill.type, bill.status, bill.due_date, bill.balance) == ("ACCOUNTS_PAYABLE", "DRAFT", None, None)
    assert bill.line_items[0].unit_price == Decimal(10)
    assert bill.contact == "Contact:00000003-0000-4000-8000-000000000001"
    credit = _one("salesCreditMemos", "CreditNote")
    assert (credit.status, credit.remaining_credit, credit.line_items[0].name) == ("AUTHORIZED", Decimal(5), "1000")


@pytest.mark.parametrize(
    ("status", "remaining", "expected"),
    [("Open", 110, "OPEN"), ("Open", 0, "OPEN"), ("Paid", 0, "PAID"), ("Canceled", 0, "VOID"), ("Draft", 0, "DRAFT")],
)
def test_invoice_statuses(status: str, remaining: int, expected: str) -> None:
    record = {**DATA["salesInvoices"][0], "status": status, "remainingAmount": remaining}
    assert apply(_mapping("salesInvoices", "Invoice"), record, CONTEXT).status == expected


def test_journals_ledger_and_payments() -> None:
    entry = _one("journals", "JournalEntry")
    assert (entry.posting_status, entry.journal_number) == ("UNPOSTED", "DEFAULT")
    assert entry.transaction_date.isoformat().startswith("2026-01-14")
    accrual, bank = entry.lines
    assert (accrual.net_amount, bank.net_amount) == (Decimal("-25.5"), Decimal("25.5"))  # signed: + debit
    assert (accrual.account, bank.account) == ("Account:00000001-0000-4000-8000-000000000001", None)
    credit, debit = _one("generalLedgerEntries", "Transaction"), _one("generalLedgerEntries", "Transaction", 1)
    assert (credit.total_amount, debit.total_amount) == ("-100", "100")
    assert (credit.transaction_type, debit.transaction_type) == ("Invoice", None)
    assert credit.line_items[0].account == credit.account
    journal = _mapping("customerPaymentJournals", "Payment")
    ((remote_id, element, owner),) = journal.rows(DATA["customerPaymentJournals"])
    payment = apply(journal, element, CONTEXT, remote_id=remote_id, owner=owner)
    assert (payment.type, payment.total_amount) == ("ACCOUNTS_RECEIVABLE", Decimal(50))  # BC's sign dropped
    (applied,) = payment.applied_to_lines
    assert applied.related_object_id == "Invoice:00000008-0000-4000-8000-000000000001"
    assert applied.applied_amount == "50"
    vendors = _mapping("vendorPaymentJournals", "Payment")
    ((remote_id, element, owner),) = vendors.rows(DATA["vendorPaymentJournals"])
    assert apply(vendors, element, CONTEXT, remote_id=remote_id, owner=owner).applied_to_lines == []


def test_orders_and_shipments() -> None:
    order = _one("salesOrders", "SalesOrder")
    assert (order.status, order.transaction_number, order.lines[0].quantity) == ("OPEN", "101001", "2")
    shipped = apply(_mapping("salesOrders", "SalesOrder"), {**DATA["salesOrders"][0], "fullyShipped": True}, CONTEXT)
    assert shipped.status == "COMPLETED"
    purchase = _one("purchaseOrders", "PurchaseOrder")
    assert (purchase.status, purchase.delivery_date, purchase.line_items[0].unit_price) == ("DRAFT", None, 15)
    shipment = _one("salesShipments", "ItemFulfillment")
    assert (shipment.status, shipment.lines[0].quantity, shipment.lines[0].item) == ("SHIPPED", "1", None)


def test_available_actions_and_the_integrations_listing_read_the_tables() -> None:
    from ledgerport.api.accounting.integrations import model_operations

    operations = {op.model_name: op for op in model_operations(CONNECTOR.slug)}
    support = field_support(CONNECTOR)
    assert set(operations) == set(support)
    for name, op in operations.items():  # what is written follows the write tables (writes.py)
        assert ("CREATE" in op.available_operations) == (name in CONNECTOR.writes), name
    assert operations["Invoice"].supported_fields == support["Invoice"]
