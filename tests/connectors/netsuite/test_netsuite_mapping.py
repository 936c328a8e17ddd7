"""NetSuite rows and assembled documents → common models: signs, statuses, references, tracking, deletions, and
field support read from the tables."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec
import pytest

from ledgerport.connectors._base import field_support
from ledgerport.connectors._base.mapping import MappingContext, ModelMap, apply
from ledgerport.connectors.netsuite import CONNECTOR
from ledgerport.connectors.netsuite.documents import (
    CREDIT_NOTE,
    EXPENSE,
    INVOICE,
    ITEM_FULFILLMENT,
    JOURNAL_ENTRY,
    PAYMENT,
    TRANSACTION,
)
from ledgerport.connectors.netsuite.mapping import (
    ACCOUNT,
    COMPANY_INFO,
    CUSTOMER,
    DELETIONS,
    ITEM,
    MAPPINGS,
    TAX_CODE,
    TRACKING_CATEGORIES,
)
from ledgerport.models import MODELS
from ledgerport.models.account import AccountAccountType, Classification
from ledgerport.models.contact import AddressType
from ledgerport.models.invoice import InvoiceStatus, InvoiceType
from ledgerport.models.journal_entry import PostingStatus


def ref(model: str, remote: str) -> str:
    return f"{model}:{remote}"


CONTEXT = MappingContext(ref=ref)


def _map(mapping: ModelMap, record: dict[str, Any]) -> dict[str, Any]:
    built = apply(mapping, record, CONTEXT)
    msgspec.convert(msgspec.to_builtins(built), type(built))  # the document is a valid Struct
    return msgspec.to_builtins(built, builtin_types=(Decimal,))  # type: ignore[no-any-return]


HEADER = {
    "id": 501,
    "tranid": "INV-0007",
    "type": "CustInvc",
    "trandate": "2024-03-05",
    "duedate": "2024-04-04",
    "postingperiod": 14,
    "entity": 1201,
    "currencysymbol": "GBP",
    "exchangerate": "1.27",
    "status": "A",
    "memo": "Spring order",
    "createddate": "2024-03-05T09:00:00-08:00",
    "lastmodifieddate": "2024-03-06T10:15:00-08:00",
    "foreigntotal": "1200.00",
    "foreignamountremaining": "700.00",
    "terms": 3,
    "subsidiary": 2,
    "department": 4,
    "class": 5,
    "createdfrom": 480,
    "voided": "F",
    "posting": "T",
    "cseg_paactivitycode": 2,
}
LINES = [
    {
        "transaction": 501,
        "id": 1,
        "item": 31,
        "quantity": 10,
        "rate": 100,
        "foreignamount": -1000,
        "memo": "Widgets",
        "expenseaccount": 54,
        "subsidiary": 2,
        "department": 4,
        "location": 6,
        "taxline": "F",
        "entity": 1201,
    },
    {"transaction": 501, "id": 2, "item": 32, "quantity": 1, "rate": 100, "foreignamount": "-100.00", "taxline": "F"},
    {"transaction": 501, "id": 3, "item": 90, "foreignamount": -100, "taxline": "T"},
]


def test_an_invoice_with_lines_payments_and_credits() -> None:
    document = {
        **HEADER,
        "lines": LINES,
        "applied_by": [
            {
                "previousdoc": 501,
                "previousline": 0,
                "nextdoc": 610,
                "nextline": 0,
                "nexttype": "CustPymt",
                "foreignamount": 300,
            },
            {
                "previousdoc": 501,
                "previousline": 0,
                "nextdoc": 611,
                "nextline": 0,
                "nexttype": "CustCred",
                "foreignamount": 200,
            },
        ],
    }
    invoice = _map(INVOICE, document)
    assert invoice["remote_id"] == "501"
    assert invoice["type"] == InvoiceType.ACCOUNTS_RECEIVABLE
    assert invoice["status"] == InvoiceStatus.PARTIALLY_PAID
    assert invoice["number"] == "INV-0007"
    assert invoice["contact"] == "Contact:1201"
    assert invoice["company"] == "CompanyInfo:2"
    assert invoice["currency"] == "GBP"
    assert invoice["exchange_rate"] == "1.27"
    assert invoice["issue_date"] == "2024-03-05T00:00:00Z"
    assert invoice["remote_updated_at"] == "2024-03-06T18:15:00Z"
    assert invoice["total_amount"] == Decimal("1200.00")
    assert invoice["balance"] == Decimal("700.00")
    assert invoice["total_tax_amount"] == Decimal("100")
    assert invoice["payment_term"] == "PaymentTerm:3"
    assert invoice["accounting_period"] == "AccountingPeriod:14"
    assert invoice["tracking_categories"] == ["TrackingCategory:department/4", "TrackingCategory:class/5"]
    assert invoice["sales_orders"] == ["SalesOrder:480"]
    assert invoice["purchase_orders"] == []
    assert invoice["payments"] == ["Payment:610"]
    assert [a["credit_note"] for a in invoice["applied_credit_notes"]] == ["CreditNote:611"]
    assert invoice["applied_credit_notes"][0]["applied_amount"] == "200"
    lines = invoice["line_items"]
    assert [line["remote_id"] for line in lines] == ["1", "2"]  # the tax line is no item
    assert lines[0]["total_amount"] == Decimal("1000")  # income lines are credits in the GL
    assert lines[1]["total_amount"] == Decimal("100.00")
    assert lines[0]["unit_price"] == Decimal("100")
    assert lines[0]["quantity"] == Decimal("10")
    assert lines[0]["item"] == "Item:31"
    assert lines[0]["account"] == "Account:54"
    assert lines[0]["currency"] == "GBP"
    assert lines[0]["tracking_categories"] == ["TrackingCategory:department/4", "TrackingCategory:location/6"]
    assert lines[0]["id"] == "InvoiceLineItem:501/1"


@pytest.mark.parametrize(
    ("kind", "letter", "remaining", "status"),
    [
        ("CustInvc", "A", "1200.00", InvoiceStatus.OPEN),
        ("CustInvc", "B", "0", InvoiceStatus.PAID),
        ("CustInvc", "D", None, InvoiceStatus.SUBMITTED),
        ("CustInvc", "V", None, InvoiceStatus.VOID),
        ("VendBill", "A", "-1200.00", InvoiceStatus.OPEN),
        ("VendBill", "F", None, InvoiceStatus.PAID),
    ],
)
def test_invoice_statuses(kind: str, letter: str, remaining: str | None, status: InvoiceStatus) -> None:
    document = {**HEADER, "type": kind, "status": letter, "foreignamountremaining": remaining, "lines": []}
    assert _map(INVOICE, document)["status"] == status


def test_a_bill_is_payable_and_its_lines_read_positive() -> None:
    bill = {**HEADER, "type": "VendBill", "foreigntotal": "-250", "lines": [{"id": 1, "foreignamount": 250}]}
    mapped = _map(INVOICE, bill)
    assert mapped["type"] == InvoiceType.ACCOUNTS_PAYABLE
    assert mapped["total_amount"] == Decimal("250")
    assert mapped["line_items"][0]["total_amount"] == Decimal("250")
    assert mapped["purchase_orders"] == ["PurchaseOrder:480"]


def test_a_journal_nets_debits_and_credits() -> None:
    journal = {
        **HEADER,
        "type": "Journal",
        "lines": [
            {"id": 1, "foreignamount": 75, "expenseaccount": 10, "debit": 75},
            {"id": 2, "account": 20, "debit": None, "credit": "75.00"},
        ],
    }
    mapped = _map(JOURNAL_ENTRY, journal)
    assert [line["net_amount"] for line in mapped["lines"]] == [Decimal("75"), Decimal("-75.00")]
    assert [line["account"] for line in mapped["lines"]] == ["Account:10", "Account:20"]
    assert mapped["posting_status"] == PostingStatus.POSTED
    assert mapped["journal_number"] == "INV-0007"


def test_a_payment_applies_to_invoices_and_credits() -> None:
    payment = {
        **HEADER,
        "type": "CustPymt",
        "account": 1,
        "foreigntotal": 500,
        "applied": [
            {"previousdoc": 501, "previousline": 0, "previoustype": "CustInvc", "nextdoc": 700, "foreignamount": 300},
            {"previousdoc": 611, "previousline": 0, "previoustype": "CustCred", "nextdoc": 700, "foreignamount": 200},
        ],
    }
    mapped = _map(PAYMENT, payment)
    assert mapped["type"] == "ACCOUNTS_RECEIVABLE"
    assert mapped["account"] == "Account:1"
    assert [
        (a["related_object_type"], a["related_object_id"], a["applied_amount"]) for a in mapped["applied_to_lines"]
    ] == [
        ("INVOICE", "Invoice:501", "300"),
        ("CREDIT_NOTE", "CreditNote:611", "200"),
    ]
    assert mapped["applied_to_lines"][0]["applied_date"] == "2024-03-05T00:00:00Z"


def test_a_credit_note_and_its_applications() -> None:
    credit = {
        **HEADER,
        "type": "CustCred",
        "status": "A",
        "foreigntotal": -80,
        "lines": [{"id": 1, "foreignamount": 80}],
        "applied": [{"previousdoc": 501, "previousline": 0, "foreignamount": 80}],
    }
    mapped = _map(CREDIT_NOTE, credit)
    assert mapped["status"] == "AUTHORIZED"
    assert mapped["total_amount"] == Decimal("80")
    assert mapped["line_items"][0]["total_line_amount"] == "80"
    assert mapped["applied_to_lines"][0]["invoice"] == "Invoice:501"


def test_an_expense_report_belongs_to_its_employee() -> None:
    report = {**HEADER, "type": "ExpRept", "entity": 77, "account": 30, "lines": [{"id": 1, "foreignamount": 45}]}
    mapped = _map(EXPENSE, report)
    assert mapped["employee"] == "Employee:77"
    assert mapped["contact"] is None
    report_line = _map(EXPENSE, {**report, "lines": [{"id": 1, "foreignamount": 45, "entity": 77}]})["lines"][0]
    assert report_line["employee"] == "Employee:77"
    assert report_line["contact"] is None
    check = _map(EXPENSE, {**report, "type": "Check"})
    assert check["contact"] == "Contact:77"
    assert check["lines"][0]["net_amount"] == Decimal("45")


def test_a_cash_sale_is_a_transaction() -> None:
    sale = {**HEADER, "type": "CashSale", "foreigntotal": 90, "lines": [{"id": 1, "foreignamount": -90}]}
    mapped = _map(TRANSACTION, sale)
    assert mapped["transaction_type"] == "Cash Sale"
    assert mapped["total_amount"] == "90"
    assert mapped["line_items"][0]["total_line_amount"] == "90"


def test_an_item_fulfillment_points_at_its_order_lines() -> None:
    shipment = {
        **HEADER,
        "type": "ItemShip",
        "status": "C",
        "lines": [{"id": 1, "item": 31, "quantity": 4}],
        "applied": [{"previousdoc": 480, "previousline": 2, "nextdoc": 501, "nextline": 1, "linktype": "ShipRcpt"}],
    }
    mapped = _map(ITEM_FULFILLMENT, shipment)
    assert mapped["sales_order"] == "SalesOrder:480"
    assert mapped["status"] == "SHIPPED"
    assert mapped["lines"][0]["sales_order_line"] == "SalesOrderLine:480/2"
    assert mapped["lines"][0]["quantity"] == "4"


def test_reference_data() -> None:
    account = _map(
        ACCOUNT,
        {
            "id": 54,
            "accountsearchdisplayname": "Sales",
            "accttype": "Income",
            "acctnumber": "4000",
            "isinactive": "F",
            "subsidiary": "2, 3",
            "parent": 50,
            "currencysymbol": "USD",
        },
    )
    assert account["classification"] == Classification.REVENUE
    assert account["account_type"] == AccountAccountType.OTHER_INCOME
    assert account["company"] == "CompanyInfo:2"
    assert account["parent_account"] == "Account:50"
    customer = _map(
        CUSTOMER,
        {
            "id": 1201,
            "isperson": "T",
            "firstname": "Ada",
            "lastname": "Lovelace",
            "companyname": "",
            "isinactive": "T",
            "subsidiary": 2,
            "bill_addr1": "1 Main St",
            "bill_country": "GB",
            "phone": "555",
            "currencysymbol": "GBP",
        },
    )
    assert customer["name"] == "Ada Lovelace"
    assert customer["status"] == "ARCHIVED"
    assert customer["is_customer"]
    assert not customer["is_supplier"]
    assert customer["addresses"][0]["type"] == AddressType.BILLING
    assert customer["addresses"][0]["country"] == "GB"
    assert customer["phone_numbers"] == [
        {"id": None, "created_at": None, "modified_at": None, "number": "555", "type": "PHONE"}
    ]
    tax = _map(TAX_CODE, {"id": 90, "itemid": "CA-SF", "rate": "8.5%", "isinactive": "F"})
    assert tax["total_tax_rate"] == Decimal("8.5")
    department = TRACKING_CATEGORIES[0]
    mapped = _map(department, {"id": 4, "name": "Sales", "parent": 1, "subsidiary": "2"})
    assert department.remote_id_of({"id": 4}) == "department/4"
    assert mapped["parent_category"] == "TrackingCategory:department/1"
    assert mapped["category_type"] == "DEPARTMENT"
    # a multi-select in no particular order, the elimination subsidiary (9) first: the lowest id, never the 9
    item = _map(ITEM, {"id": 7, "itemid": "Consulting", "itemtype": "Service", "subsidiary": "9, 2, 1"})
    assert item["company"] == "CompanyInfo:1"
    assert COMPANY_INFO.rows([{"id": 1, "iselimination": "F"}, {"id": 9, "iselimination": "T"}])[0][0] == "1"
    assert len(COMPANY_INFO.rows([{"id": 1, "iselimination": "F"}, {"id": 9, "iselimination": "T"}])) == 1


def test_deletions_keep_the_live_remote_ids() -> None:
    by_model = {mapping.model: mapping for mapping in DELETIONS}
    invoices = by_model["Invoice"]
    rows = [{"id": 501, "type": "invoice"}]
    assert invoices.stream.deleted is not None
    assert invoices.stream.deleted(rows[0])
    assert invoices.gone([], rows) == ["501"]
    assert by_model["TrackingCategory"].gone([], [{"id": 5, "type": "classification"}]) == ["class/5"]
    query = invoices.stream.request.sql(CONNECTOR.context({}, "http://x"), None)  # type: ignore[attr-defined]
    assert "d.type IN ('invoice', 'vendorbill')" in query


def test_each_models_deletions_follow_its_live_mappings() -> None:
    models = [mapping.model for mapping in MAPPINGS]
    for deletion in DELETIONS:
        position = MAPPINGS.index(deletion)
        assert deletion.model not in models[position + 1 :]


def test_field_support_comes_from_the_tables() -> None:
    support = field_support(CONNECTOR)
    assert set(support) == {m.model for m in MAPPINGS}
    assert {"Invoice", "ItemFulfillment", "SalesOrder", "Expense", "Transaction", "Project"} <= set(support)
    assert "line_items" in support["Invoice"]
    assert "applied_credit_notes" in support["Invoice"]
    assert "current_balance" not in support["Account"]  # NetSuite's account has no balance column
    for model, fields in support.items():
        assert set(fields) <= set(MODELS[model].struct.__struct_fields__)
