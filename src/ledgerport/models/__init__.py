"""The unified vocabulary: Merge's accounting common models as msgspec Structs, and the registry of them.

Conventions (amounts as ``Decimal``, relations as :data:`Ref`, no ``remote_data`` on a Struct) are in
:mod:`ledgerport.models._base`; ``MODELS`` in :mod:`ledgerport.models.registry` says how each model is listed,
filtered and expanded.
"""

from __future__ import annotations

from ledgerport.models._base import CommonModel, DecimalString, Ref, RemoteData, RemoteField, RemoteFieldClass
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
from ledgerport.models.bank_feed import (
    BankFeedAccount,
    BankFeedAccountType,
    BankFeedTransaction,
    CreditOrDebit,
    FeedStatus,
)
from ledgerport.models.company_info import CompanyInfo
from ledgerport.models.contact import AccountingPhoneNumber, Address, AddressType, Contact
from ledgerport.models.country import Country
from ledgerport.models.credit_note import (
    CreditNote,
    CreditNoteApplyLineForCreditNote,
    CreditNoteLineItem,
    CreditNoteStatus,
)
from ledgerport.models.currency import Currency
from ledgerport.models.employee import Employee
from ledgerport.models.enums import ActiveOrArchived, ActiveOrInactive
from ledgerport.models.expense import Expense, ExpenseLine
from ledgerport.models.expense_report import ExpenseReport, ExpenseReportLine, ExpenseReportStatus
from ledgerport.models.invoice import (
    CreditNoteApplyLineForInvoice,
    Invoice,
    InvoiceLineItem,
    InvoiceStatus,
    InvoiceType,
    VendorCreditApplyLineForInvoice,
)
from ledgerport.models.item import Item, ItemType
from ledgerport.models.item_fulfillment import ItemFulfillment, ItemFulfillmentLine, ItemFulfillmentStatus
from ledgerport.models.journal_entry import JournalEntry, JournalLine, PostingStatus
from ledgerport.models.payment import Payment, PaymentLineItem, PaymentType
from ledgerport.models.payment_method import MethodType, PaymentMethod
from ledgerport.models.payment_term import PaymentTerm
from ledgerport.models.project import Project
from ledgerport.models.purchase_order import PurchaseOrder, PurchaseOrderLineItem, PurchaseOrderStatus
from ledgerport.models.registry import MODELS
from ledgerport.models.sales_order import SalesOrder, SalesOrderLine, SalesOrderStatus
from ledgerport.models.tax_rate import ComponentType, TaxComponent, TaxRate
from ledgerport.models.tracking_category import CategoryType, TrackingCategory
from ledgerport.models.transaction import Transaction, TransactionLineItem
from ledgerport.models.vendor_credit import VendorCredit, VendorCreditApplyLineForVendorCredit, VendorCreditLine

__all__ = [
    "Account",
    "AccountAccountType",
    "AccountStatus",
    "AccountingAttachment",
    "AccountingPeriod",
    "AccountingPhoneNumber",
    "ActiveOrArchived",
    "ActiveOrInactive",
    "Address",
    "AddressType",
    "BankFeedAccount",
    "BankFeedAccountType",
    "BankFeedTransaction",
    "BoolEquals",
    "CategoryType",
    "Classification",
    "CommonModel",
    "CompanyInfo",
    "ComponentType",
    "Contact",
    "Contains",
    "Country",
    "CreditNote",
    "CreditNoteApplyLineForCreditNote",
    "CreditNoteApplyLineForInvoice",
    "CreditNoteLineItem",
    "CreditNoteStatus",
    "CreditOrDebit",
    "Currency",
    "DateAfter",
    "DateBefore",
    "DecimalString",
    "Employee",
    "Equals",
    "Expense",
    "ExpenseLine",
    "ExpenseReport",
    "ExpenseReportLine",
    "ExpenseReportStatus",
    "FeedStatus",
    "Filter",
    "IdEquals",
    "Invoice",
    "InvoiceLineItem",
    "InvoiceStatus",
    "InvoiceType",
    "Item",
    "ItemFulfillment",
    "ItemFulfillmentLine",
    "ItemFulfillmentStatus",
    "ItemType",
    "JournalEntry",
    "JournalLine",
    "MODELS",
    "MethodType",
    "ModelSpec",
    "Payment",
    "PaymentLineItem",
    "PaymentMethod",
    "PaymentTerm",
    "PaymentType",
    "PostingStatus",
    "Project",
    "PurchaseOrder",
    "PurchaseOrderLineItem",
    "PurchaseOrderStatus",
    "Ref",
    "Relation",
    "RemoteData",
    "RemoteField",
    "RemoteFieldClass",
    "SalesOrder",
    "SalesOrderLine",
    "SalesOrderStatus",
    "TaxComponent",
    "TaxRate",
    "TrackingCategory",
    "Transaction",
    "TransactionLineItem",
    "VendorCredit",
    "VendorCreditApplyLineForInvoice",
    "VendorCreditApplyLineForVendorCredit",
    "VendorCreditLine",
]
