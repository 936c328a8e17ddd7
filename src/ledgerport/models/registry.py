"""``MODELS``: every common model the API serves, keyed by Merge's model name.

Filters and expand values are those of Merge's list operation ``GET /accounting/v1/<path>`` (the generic parameters
such as ``cursor`` or ``modified_after`` are not repeated here). Merge says "with this name" for most ``name``
filters (``Equals``) and "match this name" for contacts (``Contains``). ``company_field`` is ``None`` and the
``remote_id`` / ``created_*`` flags are off where Merge's list operation lacks those parameters.
"""

from __future__ import annotations

from ledgerport.models._spec import (
    BoolEquals,
    Contains,
    DateAfter,
    DateBefore,
    Equals,
    Filter,
    IdEquals,
    ModelSpec,
    Relation,
)
from ledgerport.models.account import Account, AccountAccountType, AccountStatus, Classification
from ledgerport.models.accounting_period import AccountingPeriod
from ledgerport.models.attachment import AccountingAttachment
from ledgerport.models.balance_sheet import BalanceSheet
from ledgerport.models.bank_feed import BankFeedAccount, BankFeedTransaction
from ledgerport.models.cash_flow_statement import CashFlowStatement
from ledgerport.models.company_info import CompanyInfo
from ledgerport.models.contact import Contact
from ledgerport.models.credit_note import CreditNote
from ledgerport.models.employee import Employee
from ledgerport.models.enums import ActiveOrArchived
from ledgerport.models.expense import Expense
from ledgerport.models.expense_report import ExpenseReport, ExpenseReportLine
from ledgerport.models.general_ledger_transaction import GeneralLedgerTransaction
from ledgerport.models.income_statement import IncomeStatement
from ledgerport.models.invoice import Invoice, InvoiceStatus, InvoiceType
from ledgerport.models.item import Item
from ledgerport.models.item_fulfillment import ItemFulfillment
from ledgerport.models.journal_entry import JournalEntry
from ledgerport.models.payment import Payment
from ledgerport.models.payment_method import PaymentMethod
from ledgerport.models.payment_term import PaymentTerm
from ledgerport.models.project import Project
from ledgerport.models.purchase_order import PurchaseOrder
from ledgerport.models.sales_order import SalesOrder
from ledgerport.models.tax_rate import TaxRate
from ledgerport.models.tracking_category import CategoryType, TrackingCategory
from ledgerport.models.transaction import Transaction
from ledgerport.models.vendor_credit import VendorCredit

__all__ = ["MODELS"]


def _dates(field: str) -> dict[str, Filter]:
    """Return Merge's ``<field>_after`` / ``<field>_before`` filter pair."""
    return {f"{field}_after": DateAfter(field), f"{field}_before": DateBefore(field)}


def _expand(*relations: Relation) -> dict[str, Relation]:
    """Key each relation by its field: Merge's expand values are the field names."""
    return {relation.field: relation for relation in relations}


# Relations most list operations offer. ``model=None`` marks objects nested in the document, or ids of rows that
# are not stored on their own (``applied_payments`` holds PaymentLineItem ids), so expanding them changes nothing.
_COMPANY = Relation("company", "CompanyInfo")
_CONTACT = Relation("contact", "Contact")
_ACCOUNT = Relation("account", "Account")
_PERIOD = Relation("accounting_period", "AccountingPeriod")
_TERM = Relation("payment_term", "PaymentTerm")
_TRACKING = Relation("tracking_categories", "TrackingCategory", "many")
_PAYMENTS = Relation("payments", "Payment", "many")
_APPLIED_PAYMENTS = Relation("applied_payments", None, "many")
_LINE_ITEMS = Relation("line_items", None, "many")
_LINES = Relation("lines", None, "many")
_EMPLOYEE = Relation("employee", "Employee")
_ADDRESSES = Relation("addresses", None, "many")
_PHONE_NUMBERS = Relation("phone_numbers", None, "many")
_NESTED = {"addresses": "Address", "phone_numbers": "AccountingPhoneNumber"}
"""The nested objects of contacts and companies that Merge also serves by id (``GET /addresses/{id}``)."""

MODELS: dict[str, ModelSpec] = {
    "Account": ModelSpec(
        "Account",
        "accounts",
        Account,
        filters={
            "account_number": Equals("account_number"),
            "account_type": Equals("account_type", AccountAccountType),
            "classification": Equals("classification", Classification),
            "name": Equals("name"),
            "status": Equals("status", AccountStatus),
        },
        expand=_expand(_COMPANY),
        writes=("create",),
    ),
    "AccountingPeriod": ModelSpec(
        "AccountingPeriod",
        "accounting-periods",
        AccountingPeriod,
        company_field=None,
        remote_id_filter=False,
        created_modified_filters=False,
    ),
    "BalanceSheet": ModelSpec("BalanceSheet", "balance-sheets", BalanceSheet, expand=_expand(_COMPANY)),
    "CashFlowStatement": ModelSpec(
        "CashFlowStatement", "cash-flow-statements", CashFlowStatement, expand=_expand(_COMPANY)
    ),
    "CompanyInfo": ModelSpec(
        "CompanyInfo",
        "company-info",
        CompanyInfo,
        filters={"name": Equals("name")},
        expand=_expand(_ADDRESSES, _PHONE_NUMBERS),
        company_field=None,
        nested=_NESTED,
    ),
    "Contact": ModelSpec(
        "Contact",
        "contacts",
        Contact,
        filters={
            "email_address": Equals("email_address"),
            "is_customer": BoolEquals("is_customer"),
            "is_supplier": BoolEquals("is_supplier"),
            "name": Contains("name"),
            "status": Equals("status", ActiveOrArchived),
        },
        expand=_expand(_ADDRESSES, _COMPANY, _PHONE_NUMBERS),
        writes=("create", "update"),
        remote_fields=True,
        nested=_NESTED,
    ),
    "CreditNote": ModelSpec(
        "CreditNote",
        "credit-notes",
        CreditNote,
        filters=_dates("transaction_date"),
        expand=_expand(_PERIOD, _APPLIED_PAYMENTS, _COMPANY, _CONTACT, _LINE_ITEMS, _PAYMENTS, _TRACKING),
        writes=("create", "update", "apply"),
    ),
    "Employee": ModelSpec("Employee", "employees", Employee, expand=_expand(_COMPANY)),
    "Expense": ModelSpec(
        "Expense",
        "expenses",
        Expense,
        filters=_dates("transaction_date"),
        expand=_expand(_ACCOUNT, _PERIOD, _COMPANY, _CONTACT, _EMPLOYEE, _LINES, _TRACKING),
        writes=("create", "bulk"),
        remote_fields=True,
        remote_field_lines=("lines", "ExpenseLine"),
    ),
    "GeneralLedgerTransaction": ModelSpec(
        "GeneralLedgerTransaction",
        "general-ledger-transactions",
        GeneralLedgerTransaction,
        filters={"posted_date_after": DateAfter("posting_date"), "posted_date_before": DateBefore("posting_date")},
        expand=_expand(_PERIOD, _COMPANY, Relation("general_ledger_transaction_lines", None, "many"), _TRACKING),
    ),
    "IncomeStatement": ModelSpec("IncomeStatement", "income-statements", IncomeStatement, expand=_expand(_COMPANY)),
    "Invoice": ModelSpec(
        "Invoice",
        "invoices",
        Invoice,
        filters={
            "contact_id": IdEquals("contact"),
            **_dates("issue_date"),
            "number": Equals("number"),
            "status": Equals("status", InvoiceStatus),
            "type": Equals("type", InvoiceType),
        },
        expand=_expand(
            _PERIOD,
            Relation("applied_credit_notes", None, "many"),
            _APPLIED_PAYMENTS,
            Relation("applied_vendor_credits", None, "many"),
            _COMPANY,
            _CONTACT,
            _EMPLOYEE,
            _LINE_ITEMS,
            _TERM,
            _PAYMENTS,
            Relation("purchase_orders", "PurchaseOrder", "many"),
            Relation("sales_orders", "SalesOrder", "many"),
            _TRACKING,
        ),
        writes=("create", "update", "bulk"),
        remote_fields=True,
        remote_field_lines=("line-items", "InvoiceLineItem"),
    ),
    "Item": ModelSpec(
        "Item",
        "items",
        Item,
        filters={"name": Equals("name")},
        expand=_expand(
            _COMPANY,
            Relation("purchase_account", "Account"),
            Relation("purchase_tax_rate", "TaxRate"),
            Relation("sales_account", "Account"),
            Relation("sales_tax_rate", "TaxRate"),
        ),
        writes=("create", "update"),
    ),
    "ItemFulfillment": ModelSpec(
        "ItemFulfillment",
        "item-fulfillments",
        ItemFulfillment,
        # Merge's list operation has no company_id, remote_id or created/modified filters for this model.
        expand=_expand(_COMPANY, Relation("customer", "Contact"), _LINES, Relation("sales_order", "SalesOrder")),
        company_field=None,
        remote_id_filter=False,
        created_modified_filters=False,
        remote_fields=True,
        remote_field_lines=("lines", "ItemFulfillmentLine"),
        writes=("create", "bulk"),
    ),
    "JournalEntry": ModelSpec(
        "JournalEntry",
        "journal-entries",
        JournalEntry,
        filters=_dates("transaction_date"),
        expand=_expand(_PERIOD, _APPLIED_PAYMENTS, _COMPANY, _LINES, _PAYMENTS, _TRACKING),
        writes=("create",),
        remote_fields=True,
        remote_field_lines=("lines", "JournalLine"),
    ),
    "Payment": ModelSpec(
        "Payment",
        "payments",
        Payment,
        filters={"account_id": IdEquals("account"), "contact_id": IdEquals("contact"), **_dates("transaction_date")},
        expand=_expand(
            _ACCOUNT,
            _PERIOD,
            Relation("applied_to_lines", None, "many"),
            _COMPANY,
            _CONTACT,
            Relation("payment_method", "PaymentMethod"),
            _TRACKING,
        ),
        writes=("create", "update"),
        remote_fields=True,
        remote_field_lines=("line-items", "PaymentLineItem"),
    ),
    "PaymentTerm": ModelSpec(
        "PaymentTerm",
        "payment-terms",
        PaymentTerm,
        expand=_expand(_COMPANY),
        company_field=None,
        remote_id_filter=False,
        created_modified_filters=False,
    ),
    "Project": ModelSpec(
        "Project",
        "projects",
        Project,
        filters={"is_active": BoolEquals("is_active")},
        expand=_expand(_COMPANY, _CONTACT),
    ),
    "PurchaseOrder": ModelSpec(
        "PurchaseOrder",
        "purchase-orders",
        PurchaseOrder,
        filters=_dates("issue_date"),
        expand=_expand(
            _PERIOD,
            _COMPANY,
            Relation("delivery_address", None),  # an Address id; addresses are not stored on their own
            _LINE_ITEMS,
            _TERM,
            _TRACKING,
            Relation("vendor", "Contact"),
        ),
        writes=("create",),
        remote_fields=True,
        remote_field_lines=("line-items", "PurchaseOrderLineItem"),
    ),
    "SalesOrder": ModelSpec(
        "SalesOrder",
        "sales-orders",
        SalesOrder,
        filters=_dates("issue_date"),
        expand=_expand(
            _COMPANY,
            Relation("customer", "Contact"),
            _LINES,
            _TERM,
            Relation("shipping_address", None),  # an Address id, as delivery_address above
            _TRACKING,
        ),
        remote_fields=True,
        remote_field_lines=("lines", "SalesOrderLine"),
        writes=("create", "bulk"),
    ),
    "TaxRate": ModelSpec("TaxRate", "tax-rates", TaxRate, filters={"name": Equals("name")}, expand=_expand(_COMPANY)),
    "TrackingCategory": ModelSpec(
        "TrackingCategory",
        "tracking-categories",
        TrackingCategory,
        filters={
            "category_type": Equals("category_type", CategoryType),
            "name": Equals("name"),
            "status": Equals("status", ActiveOrArchived),
        },
        expand=_expand(_COMPANY),
    ),
    "Transaction": ModelSpec(
        "Transaction",
        "transactions",
        Transaction,
        filters=_dates("transaction_date"),
        expand=_expand(_ACCOUNT, _PERIOD, _COMPANY, _CONTACT, _LINE_ITEMS, _TRACKING),
    ),
    "VendorCredit": ModelSpec(
        "VendorCredit",
        "vendor-credits",
        VendorCredit,
        filters=_dates("transaction_date"),
        expand=_expand(_PERIOD, _COMPANY, _LINES, _TRACKING, Relation("vendor", "Contact")),
        writes=("create", "update", "apply"),
    ),
    "AccountingAttachment": ModelSpec(
        "AccountingAttachment",
        "attachments",
        AccountingAttachment,
        # Merge's list operation has company_id, remote_id and the created/modified filters, and no expand.
        writes=("create",),
        file_field="file_url",
    ),
    "ExpenseReport": ModelSpec(
        "ExpenseReport",
        "expense-reports",
        ExpenseReport,
        expand=_expand(_PERIOD, _COMPANY, _EMPLOYEE, _LINES),
        writes=("create",),
        remote_fields=True,
        remote_field_lines=("lines", "ExpenseReportLine"),
        lines=ModelSpec(
            "ExpenseReportLine",
            "lines",
            ExpenseReportLine,
            expand=_expand(
                _ACCOUNT,
                _COMPANY,
                _CONTACT,
                _EMPLOYEE,
                Relation("project", "Project"),
                Relation("tax_rate", "TaxRate"),
            ),
        ),
        notes="An integration that keeps no expense reports answers an empty list, and refuses a create as "
        "unsupported (its `meta/post` says so).",
    ),
    "PaymentMethod": ModelSpec(
        "PaymentMethod",
        "payment-methods",
        PaymentMethod,
        # Merge's list operation has only the paging and include_* parameters for this model.
        company_field=None,
        remote_id_filter=False,
        created_modified_filters=False,
        notes="An integration without payment methods answers an empty list.",
    ),
    "BankFeedAccount": ModelSpec(
        "BankFeedAccount",
        "bank-feed-accounts",
        BankFeedAccount,
        company_field=None,
        remote_id_filter=False,
        created_modified_filters=False,
        writes=("create",),
        notes="Written by the developer. Where the provider has a bank feed API the feed is opened there; where "
        "it has none, ledgerport keeps the feed and serves it back (`meta/post` says which).",
    ),
    "BankFeedTransaction": ModelSpec(
        "BankFeedTransaction",
        "bank-feed-transactions",
        BankFeedTransaction,
        filters={"is_processed": BoolEquals("is_processed")},
        expand=_expand(Relation("bank_feed_account", "BankFeedAccount")),
        company_field=None,
        writes=("create",),
        notes="Written by the developer into a bank feed account. Where the provider has no bank feed API, "
        "ledgerport keeps the transactions and `is_processed` stays false (`meta/post` says which).",
    ),
}
