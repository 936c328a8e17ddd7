"""The record types the sandbox serves, as data: REST name, id family, SuiteQL table and type code, sublists,
reference fields and the fields ``q`` may filter on.

Id families: NetSuite numbers every transaction from one sequence (the ``transaction`` table), every entity
(customer, vendor, employee, project) from another and every item (tax codes included) from a third; other lists
count on their own. So ``transaction.id`` is unique across invoices and bills, as the connector expects.

``FILTERABLE`` copies the non-custom part of the record OpenAPI's ``x-ns-filterable`` for the types it covers; for
the others it is a guess from the same pattern. ``employee`` has no ``lastModifiedDate`` in it, as on NetSuite
(airbytehq/airbyte #35401), so ``q=lastModifiedDate ...`` there answers NONEXISTENT_FIELD.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "BOOLEAN_FIELDS",
    "CUSTOM_BODY_FIELD",
    "CUSTOM_SEGMENT",
    "CUSTOM_SEGMENT_RECORD",
    "DATE_FIELDS",
    "ENUM_LABELS",
    "LINE_REFS",
    "RECORD_TYPES",
    "RecordType",
    "STATUS_LABELS",
    "record_type",
]

CUSTOM_SEGMENT = "cseg_paactivitycode"
CUSTOM_SEGMENT_RECORD = "customrecord_cseg_paactivitycode"
CUSTOM_BODY_FIELD = "custbody_bb1_custom_notes"

_TRAN_REFS = {
    "entity": "@entity",
    "customer": "@entity",
    "subsidiary": "subsidiary",
    "currency": "currency",
    "postingPeriod": "accountingPeriod",
    "terms": "term",
    "account": "account",
    "arAcct": "account",
    "apAcct": "account",
    "department": "department",
    "class": "classification",
    "location": "location",
    "createdFrom": "@transaction",
    "job": "@entity",
    "employee": "@entity",
    "salesRep": "@entity",
    CUSTOM_SEGMENT: CUSTOM_SEGMENT_RECORD,
}
LINE_REFS = {
    "item": "@item",
    "account": "account",
    "department": "department",
    "class": "classification",
    "location": "location",
    "doc": "@transaction",
    "entity": "@entity",
    "customer": "@entity",
    "taxCode": "@item",
    "orderDoc": "@transaction",
    CUSTOM_SEGMENT: CUSTOM_SEGMENT_RECORD,
}
_ENTITY_REFS = {
    "subsidiary": "subsidiary",
    "currency": "currency",
    "terms": "term",
    "parent": "@entity",
    "receivablesAccount": "account",
    "payablesAccount": "account",
    "expenseAccount": "account",
    "department": "department",
    "location": "location",
    "class": "classification",
    "supervisor": "@entity",
    "entityStatus": "customerStatus",
    "customer": "@entity",
}
_LIST_REFS = {
    "parent": "@self",
    "currency": "currency",
    "subsidiary": "subsidiary",
    "taxType": "taxType",
    "incomeAccount": "account",
    "expenseAccount": "account",
    "assetAccount": "account",
    "cogsAccount": "account",
    "baseCurrency": "currency",
    "transactionCurrency": "currency",
}

_TRAN_FILTERABLE = (
    "id externalId tranId tranDate createdDate lastModifiedDate entity postingPeriod currency memo terms dueDate"
    f" otherRefNum exchangeRate shipDate {CUSTOM_BODY_FIELD} {CUSTOM_SEGMENT}"
)


@dataclass(frozen=True)
class RecordType:
    """One REST record type."""

    name: str
    family: str  # id sequence: "transaction", "entity", "item" or the type's own name
    table: str  # the SuiteQL table its rows live in
    code: str = ""  # transaction type (CustInvc...) or item type (InvtPart...)
    sublists: tuple[str, ...] = ()
    subrecords: tuple[str, ...] = ()
    refs: dict[str, str] = field(default_factory=dict)
    filterable: frozenset[str] = frozenset()
    prefix: str = ""  # tranId prefix for auto-numbering
    label: str = ""  # the type's display name (deletedrecord, BUILTIN.DF)


def _f(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _tran(name: str, code: str, sublists: tuple[str, ...], prefix: str, label: str, extra: str = "") -> RecordType:
    subrecords = (
        ("billingAddress", "shippingAddress") if code in {"CustInvc", "CustCred", "SalesOrd", "CashSale"} else ()
    )
    return RecordType(
        name,
        "transaction",
        "transaction",
        code,
        sublists,
        subrecords,
        _TRAN_REFS,
        _f(f"{_TRAN_FILTERABLE} {extra}"),
        prefix,
        label,
    )


def _entity(name: str, label: str, filterable: str) -> RecordType:
    return RecordType(name, "entity", name.lower(), "", ("addressBook",), (), _ENTITY_REFS, _f(filterable), "", label)


def _item(name: str, code: str, label: str) -> RecordType:
    filterable = "id externalId itemId displayName isInactive lastModifiedDate createdDate subsidiary"
    return RecordType(name, "item", "item", code, (), (), _LIST_REFS, _f(filterable), "", label)


def _list(name: str, table: str, label: str, filterable: str = "") -> RecordType:
    base = "id externalId name isInactive lastModifiedDate"
    return RecordType(name, name, table, "", (), (), _LIST_REFS, _f(f"{base} {filterable}"), "", label)


_ENTITY_COMMON = "id externalId entityId companyName email phone isInactive dateCreated subsidiary"
RECORD_TYPES: dict[str, RecordType] = {
    t.name: t
    for t in [
        _tran("invoice", "CustInvc", ("item",), "INV", "Invoice", "createdFrom opportunity job"),
        _tran("creditMemo", "CustCred", ("item", "apply"), "CM", "Credit Memo", "createdFrom job"),
        _tran("customerPayment", "CustPymt", ("apply",), "PYMT", "Payment", "customer"),
        _tran("cashSale", "CashSale", ("item",), "CS", "Cash Sale", "createdFrom"),
        _tran("vendorBill", "VendBill", ("expense", "item"), "BILL", "Bill", "approvalStatus paymentHold"),
        _tran("vendorCredit", "VendCred", ("expense", "item", "apply"), "VC", "Bill Credit"),
        _tran("vendorPayment", "VendPymt", ("apply",), "BP", "Bill Payment", "approvalStatus"),
        _tran("journalEntry", "Journal", ("line",), "JE", "Journal", "approvalStatus"),
        _tran("deposit", "Deposit", ("other",), "DEP", "Deposit"),
        _tran("check", "Check", ("expense", "item"), "CHK", "Check"),
        _tran("creditCardCharge", "CardChrg", ("expense", "item"), "CC", "Credit Card"),
        _tran("expenseReport", "ExpRept", ("expense",), "EXP", "Expense Report", "approvalStatus"),
        _tran("salesOrder", "SalesOrd", ("item",), "SO", "Sales Order"),
        _tran("purchaseOrder", "PurchOrd", ("item", "expense"), "PO", "Purchase Order", "approvalStatus"),
        _tran("itemFulfillment", "ItemShip", ("item",), "IF", "Item Fulfillment", "createdFrom"),
        _entity(
            "customer",
            "Customer",
            f"{_ENTITY_COMMON} lastModifiedDate isPerson firstName lastName parent terms currency",
        ),
        _entity(
            "vendor",
            "Vendor",
            f"{_ENTITY_COMMON} lastModifiedDate isPerson firstName lastName legalName terms currency",
        ),
        _entity("employee", "Employee", f"{_ENTITY_COMMON} firstName lastName department location supervisor"),
        _entity("job", "Project", f"{_ENTITY_COMMON} lastModifiedDate parent startDate"),
        _item("inventoryItem", "InvtPart", "Inventory Item"),
        _item("nonInventorySaleItem", "NonInvtPart", "Non-inventory Item for Sale"),
        _item("nonInventoryPurchaseItem", "NonInvtPart", "Non-inventory Item for Purchase"),
        _item("serviceSaleItem", "Service", "Service Item for Sale"),
        _item("servicePurchaseItem", "Service", "Service Item for Purchase"),
        _item("otherChargeSaleItem", "OthCharge", "Other Charge Item for Sale"),
        _item("discountItem", "Discount", "Discount Item"),
        RecordType(
            "salesTaxItem",
            "item",
            "salestaxitem",
            "TaxItem",
            refs=_LIST_REFS,
            filterable=_f("isInactive description taxType id"),
            label="Tax Code",
        ),
        RecordType(
            "taxGroup",
            "item",
            "taxgroup",
            "TaxGroup",
            refs=_LIST_REFS,
            filterable=_f("isInactive description id itemId"),
            label="Tax Group",
        ),
        _list(
            "account",
            "account",
            "Account",
            "acctNumber acctType parent isSummary description currency subsidiary fullName displayNameWithHierarchy"
            " accountSearchDisplayName",
        ),
        _list(
            "accountingPeriod",
            "accountingperiod",
            "Accounting Period",
            "periodName startDate endDate isYear isQuarter isPosting closed",
        ),
        _list(
            "currency",
            "currency",
            "Currency",
            "symbol isBaseCurrency exchangeRate isAnchorCurrency displaySymbol currencyPrecision",
        ),
        _list(
            "currencyRate", "currencyrate", "Currency Exchange Rate", "baseCurrency transactionCurrency effectiveDate"
        ),
        _list("subsidiary", "subsidiary", "Subsidiary", "parent currency country isElimination legalName"),
        _list("department", "department", "Department", "parent subsidiary"),
        _list("classification", "classification", "Class", "parent subsidiary"),
        _list("location", "location", "Location", "parent subsidiary"),
        _list("term", "term", "Term", "daysUntilNetDue discountPercent daysUntilExpiry dateDriven preferred"),
        _list("taxType", "taxtype", "Tax Type", "description country"),
        _list(CUSTOM_SEGMENT_RECORD, CUSTOM_SEGMENT_RECORD, "PA Activity Code"),
    ]
}
_BY_LOWER = {name.lower(): t for name, t in RECORD_TYPES.items()}


def record_type(name: str) -> RecordType | None:
    """A record type by its REST name, any case (NetSuite's own examples use ``/journalentry``)."""
    return _BY_LOWER.get(name.lower())


DATE_FIELDS = frozenset(
    "tranDate dueDate shipDate startDate endDate createdDate lastModifiedDate dateCreated hireDate projectedEndDate"
    " effectiveDate applyDate closedOnDate".split()
)
BOOLEAN_FIELDS = frozenset(
    "isInactive isPerson isSummary isBaseCurrency isAnchorCurrency isYear isQuarter isPosting closed allLocked"
    " apLocked arLocked isElimination paymentHold preferred includeChildren isClosed apply voided".split()
)

STATUS_LABELS: dict[str, dict[str, str]] = {
    "CustInvc": {"A": "Open", "B": "Paid In Full", "D": "Pending Approval", "E": "Rejected", "V": "Voided"},
    "CustCred": {"A": "Open", "B": "Fully Applied", "V": "Voided"},
    "CustPymt": {"A": "Unapproved Payment", "B": "Not Deposited", "C": "Deposited"},
    "CashSale": {"A": "Unapproved Payment", "B": "Not Deposited", "C": "Deposited"},
    "VendBill": {
        "A": "Open",
        "B": "Paid In Full",
        "C": "Cancelled",
        "D": "Pending Approval",
        "E": "Rejected",
        "F": "Payment In Transit",
    },
    "VendCred": {"A": "Open", "B": "Fully Applied"},
    "VendPymt": {"V": "Voided", "Z": "Online Bill Pay Pending Accounting Approval", "F": "Paid"},
    "Journal": {"A": "Pending Approval", "B": "Approved for Posting"},
    "Deposit": {"A": "Deposited"},
    "Check": {"V": "Voided", "Z": "Online Bill Pay Pending Accounting Approval", "A": "Cleared"},
    "CardChrg": {"A": "Cleared"},
    "ExpRept": {
        "A": "In Progress",
        "B": "Pending Supervisor Approval",
        "C": "Pending Accounting Approval",
        "F": "Approved by Accounting",
        "I": "Paid In Full",
    },
    "SalesOrd": {
        "A": "Pending Approval",
        "B": "Pending Fulfillment",
        "C": "Cancelled",
        "D": "Partially Fulfilled",
        "E": "Pending Billing/Partially Fulfilled",
        "F": "Pending Billing",
        "G": "Billed",
        "H": "Closed",
    },
    "PurchOrd": {
        "A": "Pending Supervisor Approval",
        "B": "Pending Receipt",
        "F": "Pending Bill",
        "G": "Fully Billed",
        "H": "Closed",
    },
    "ItemShip": {"A": "Picked", "B": "Packed", "C": "Shipped"},
}

ENUM_LABELS: dict[str, dict[str, str]] = {
    "approvalStatus": {"1": "Pending Approval", "2": "Approved", "3": "Rejected", "11": "Open"},
    "acctType": {
        "Bank": "Bank",
        "AcctRec": "Accounts Receivable",
        "OthCurrAsset": "Other Current Asset",
        "FixedAsset": "Fixed Asset",
        "OthAsset": "Other Asset",
        "AcctPay": "Accounts Payable",
        "CredCard": "Credit Card",
        "OthCurrLiab": "Other Current Liability",
        "LongTermLiab": "Long Term Liability",
        "Equity": "Equity",
        "Income": "Income",
        "OthIncome": "Other Income",
        "COGS": "Cost of Goods Sold",
        "Expense": "Expense",
        "OthExpense": "Other Expense",
        "DeferRevenue": "Deferred Revenue",
        "DeferExpense": "Deferred Expense",
        "UnbilledRec": "Unbilled Receivable",
        "NonPosting": "Non Posting",
        "Stat": "Statistical",
    },
    "itemType": {
        "InvtPart": "Inventory Item",
        "NonInvtPart": "Non-inventory Item",
        "Service": "Service",
        "OthCharge": "Other Charge",
        "Discount": "Discount",
        "TaxItem": "Tax Item",
        "TaxGroup": "Tax Group",
    },
    "generalRate": {"AVERAGE": "Average", "CURRENT": "Current", "HISTORICAL": "Historical"},
    "cashFlowRate": {"AVERAGE": "Average", "CURRENT": "Current", "HISTORICAL": "Historical"},
    "symbolPlacement": {"1": "Before Number", "2": "After Number"},
    "dateDriven": {"T": "Date Driven", "F": "Standard"},
    "country": {},
    "shipStatus": {"A": "Picked", "B": "Packed", "C": "Shipped"},
}
