"""The deterministic generator: two organisations per sandbox with Xero-shaped settings and documents.

Small fixed tables (chart of accounts, tax rates, tracking categories, items, currencies) are built eagerly; the
volume collections (invoices, payments, credit notes, purchase orders, bank transactions, manual journals,
contacts) get only ids and UpdatedDateUTC values here, strictly increasing with creation order, and their records
are built on demand by ``documents.Ledger``. ``size`` is "small" (~50 invoices per tenant), "large" (~5,000) or an
invoice count; 100,000 invoices per tenant generate in a few seconds.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from ledgerport.sandboxes.xero.amounts import RATE
from ledgerport.sandboxes.xero.catalog import spec_for
from ledgerport.sandboxes.xero.dates import day_ms, ms_date
from ledgerport.sandboxes.xero.documents import Ledger, invoice_head, random_id
from ledgerport.sandboxes.xero.held import bank_transfer, overpayment, prepayment
from ledgerport.sandboxes.xero.store import Builder, Collection, Tenant

__all__ = ["ACCOUNT_CLASS", "CHART", "PROFILES", "SIZES", "generate", "invoice_count"]

Record = dict[str, Any]
SIZES = {"small": 50, "large": 5_000}
TIMELINE = (day_ms(2023, 7, 1), day_ms(2025, 6, 30))

ACCOUNT_CLASS = {
    "BANK": "ASSET",
    "CURRENT": "ASSET",
    "FIXED": "ASSET",
    "INVENTORY": "ASSET",
    "NONCURRENT": "ASSET",
    "PREPAYMENT": "ASSET",
    "CURRLIAB": "LIABILITY",
    "LIABILITY": "LIABILITY",
    "TERMLIAB": "LIABILITY",
    "PAYG": "LIABILITY",
    "EQUITY": "EQUITY",
    "DEPRECIATN": "EXPENSE",
    "DIRECTCOSTS": "EXPENSE",
    "EXPENSE": "EXPENSE",
    "OVERHEADS": "EXPENSE",
    "OTHERINCOME": "REVENUE",
    "REVENUE": "REVENUE",
    "SALES": "REVENUE",
}

# (Code, Name, Type, tax: "sales" | "purchase" | "none", SystemAccount)
CHART: tuple[tuple[str, str, str, str, str], ...] = (
    ("090", "Business Bank Account", "BANK", "none", ""),
    ("091", "Business Savings Account", "BANK", "none", ""),
    ("200", "Sales", "REVENUE", "sales", ""),
    ("201", "Product Sales", "SALES", "sales", ""),
    ("260", "Other Revenue", "OTHERINCOME", "sales", ""),
    ("270", "Interest Income", "OTHERINCOME", "none", ""),
    ("310", "Cost of Goods Sold", "DIRECTCOSTS", "purchase", ""),
    ("400", "Advertising", "EXPENSE", "purchase", ""),
    ("404", "Bank Fees", "EXPENSE", "none", ""),
    ("412", "Consulting & Accounting", "EXPENSE", "purchase", ""),
    ("429", "General Expenses", "EXPENSE", "purchase", ""),
    ("445", "Light, Power, Heating", "OVERHEADS", "purchase", ""),
    ("469", "Rent", "OVERHEADS", "purchase", ""),
    ("493", "Travel - National", "EXPENSE", "purchase", ""),
    ("610", "Accounts Receivable", "CURRENT", "none", "DEBTORS"),
    ("620", "Prepayments", "PREPAYMENT", "none", ""),
    ("630", "Inventory", "INVENTORY", "none", ""),
    ("710", "Office Equipment", "FIXED", "purchase", ""),
    ("711", "Less Accumulated Depreciation on Office Equipment", "FIXED", "none", ""),
    ("800", "Accounts Payable", "CURRLIAB", "none", "CREDITORS"),
    ("820", "Sales Tax", "CURRLIAB", "none", "GST"),
    ("840", "Historical Adjustment", "CURRLIAB", "none", "HISTORICAL"),
    ("900", "Loan", "TERMLIAB", "none", ""),
    ("960", "Retained Earnings", "EQUITY", "none", "RETAINEDEARNINGS"),
    ("970", "Owner A Funds Introduced", "EQUITY", "none", ""),
)

PROFILES: tuple[dict[str, Any], ...] = (
    {
        "name": "Koala Outfitters Pty Ltd",
        "country": "AU",
        "currency": "AUD",
        "version": "AU",
        "timezone": "AUSEASTERNSTANDARDTIME",
        "fy": (30, 6),
        "foreign": (("USD", "0.652300"), ("NZD", "1.087500")),
        "taxes": (
            ("OUTPUT", "GST on Income", "OUTPUT", ("GST", "10.0000")),
            ("INPUT", "GST on Expenses", "INPUT", ("GST", "10.0000")),
            ("EXEMPTOUTPUT", "GST Free Income", "EXEMPTOUTPUT", ("GST", "0.0000")),
            ("NONE", "BAS Excluded", "BASEXCLUDED", ("No Tax", "0.0000")),
            ("CITYSALES", "State and City Tax", "OUTPUT", ("State", "5.0000"), ("City", "2.5000")),
        ),
    },
    {
        "name": "Thistle & Thames Ltd",
        "country": "GB",
        "currency": "GBP",
        "version": "UK",
        "timezone": "GMTSTANDARDTIME",
        "fy": (31, 3),
        "foreign": (("EUR", "1.168000"), ("USD", "1.271500")),
        "taxes": (
            ("OUTPUT2", "20% (VAT on Income)", "OUTPUT", ("VAT", "20.0000")),
            ("INPUT2", "20% (VAT on Expenses)", "INPUT", ("VAT", "20.0000")),
            ("ZERORATEDOUTPUT", "Zero Rated Income", "ZERORATEDOUTPUT", ("VAT", "0.0000")),
            ("NONE", "No VAT", "NONE", ("No VAT", "0.0000")),
            ("RRINPUT", "5% (VAT on Expenses)", "INPUT", ("VAT", "5.0000")),
        ),
    },
)

_TRACKING = (("Region", ("North", "South", "East", "West")), ("Department", ("Sales", "Operations", "Admin")))
_ITEMS = (
    ("WIDGET", "Widget", "19.95", "8.50"),
    ("GADGET", "Gadget", "49.00", "21.00"),
    ("CONSULT", "Consulting hour", "150.00", "0.00"),
    ("SUPPORT", "Support plan", "99.00", "0.00"),
    ("CABLE", "USB-C cable", "12.50", "3.10"),
    ("DESK", "Standing desk", "649.00", "310.00"),
)
_CURRENCY_NAMES = {
    "AUD": "Australian Dollar",
    "USD": "United States Dollar",
    "NZD": "New Zealand Dollar",
    "GBP": "British Pound",
    "EUR": "Euro",
}
_ADJECTIVES = (
    "Acme",
    "Bright",
    "Coastal",
    "Delta",
    "Evergreen",
    "Fjord",
    "Granite",
    "Harbour",
    "Iron",
    "Juniper",
    "Kestrel",
    "Lumen",
    "Maple",
    "Northwind",
    "Orchid",
    "Pioneer",
    "Quartz",
    "Redwood",
    "Summit",
    "Tidal",
)
_NOUNS = (
    "Analytics",
    "Bakery",
    "Builders",
    "Cafe",
    "Consulting",
    "Design",
    "Electrical",
    "Foods",
    "Freight",
    "Gardens",
    "Logistics",
    "Media",
    "Motors",
    "Plumbing",
    "Printing",
    "Software",
    "Studios",
    "Supplies",
    "Textiles",
    "Travel",
)
_SUFFIXES = ("Ltd", "Pty Ltd", "Inc", "& Co", "Group", "LLC")


def invoice_count(size: str | int) -> int:
    """Invoices per tenant for a size name or count."""
    return size if isinstance(size, int) else SIZES[size]


def _timeline(count: int, offset: int = 0) -> list[int]:
    start, end = TIMELINE
    step = max(2, (end - start) // max(count, 1))
    return [start + i * step + offset + (i * 2_654_435_761) % (step // 2) for i in range(count)]


def _contact_name(slot: int) -> str:
    a, rest = slot % 20, slot // 20
    name = f"{_ADJECTIVES[a]} {_NOUNS[(rest + a * 7) % 20]} {_SUFFIXES[(rest // 20) % 6]}"
    return name if slot < 2_400 else f"{name} {slot // 2_400 + 1}"


def _accounts(rng: random.Random, profile: dict[str, Any], updated: int) -> list[Record]:
    taxes = {"sales": profile["taxes"][0][0], "purchase": profile["taxes"][1][0], "none": "NONE"}
    records = []
    for code, name, kind, tax, system in CHART:
        record: Record = {
            "AccountID": random_id(rng),
            "Code": code,
            "Name": name,
            "Status": "ACTIVE",
            "Type": kind,
            "TaxType": taxes[tax],
            "Class": ACCOUNT_CLASS[kind],
            "EnablePaymentsToAccount": False,
            "ShowInExpenseClaims": kind in ("EXPENSE", "OVERHEADS"),
            "BankAccountType": "BANK" if kind == "BANK" else "",
            "ReportingCode": "",
            "HasAttachments": False,
            "UpdatedDateUTC": ms_date(updated),
            "AddToWatchlist": False,
        }
        if system:
            record["SystemAccount"] = system
        if kind == "BANK":
            record |= {"BankAccountNumber": f"{rng.randint(10**7, 10**8 - 1)}", "CurrencyCode": profile["currency"]}
        records.append(record)
    return records


def _tax_rates(profile: dict[str, Any]) -> list[Record]:
    records = []
    for tax_type, name, report, *components in profile["taxes"]:
        parts = [
            {"Name": part, "Rate": Decimal(rate), "IsCompound": False, "IsNonRecoverable": False}
            for part, rate in components
        ]
        effective = sum((part["Rate"] for part in parts), Decimal("0.0000"))
        records.append(
            {
                "Name": name,
                "TaxType": tax_type,
                "ReportTaxType": report,
                "CanApplyToAssets": True,
                "CanApplyToEquity": True,
                "CanApplyToExpenses": True,
                "CanApplyToLiabilities": True,
                "CanApplyToRevenue": True,
                "DisplayTaxRate": effective,
                "EffectiveRate": effective,
                "Status": "ACTIVE",
                "TaxComponents": parts,
            }
        )
    return records


def _tracking(rng: random.Random) -> tuple[list[Record], list[list[Record]]]:
    categories, references = [], []
    for name, options in _TRACKING:
        category_id = random_id(rng)
        rows = [
            {"TrackingOptionID": random_id(rng), "Name": option, "Status": "ACTIVE", "TrackingCategoryID": category_id}
            for option in options
        ]
        categories.append({"Name": name, "Status": "ACTIVE", "TrackingCategoryID": category_id, "Options": rows})
        references.append(
            [
                {
                    "Name": name,
                    "Option": row["Name"],
                    "TrackingCategoryID": category_id,
                    "TrackingOptionID": row["TrackingOptionID"],
                }
                for row in rows
            ]
        )
    return categories, references


def _items(rng: random.Random, profile: dict[str, Any], updated: int) -> list[Record]:
    sales_tax, purchase_tax = profile["taxes"][0][0], profile["taxes"][1][0]
    return [
        {
            "ItemID": random_id(rng),
            "Code": code,
            "Description": name,
            "PurchaseDescription": name,
            "UpdatedDateUTC": ms_date(updated + i),
            "PurchaseDetails": {"UnitPrice": Decimal(cost), "AccountCode": "310", "TaxType": purchase_tax},
            "SalesDetails": {"UnitPrice": Decimal(price), "AccountCode": "200", "TaxType": sales_tax},
            "Name": name,
            "IsTrackedAsInventory": False,
            "IsSold": True,
            "IsPurchased": True,
        }
        for i, (code, name, price, cost) in enumerate(_ITEMS)
    ]


def _organisation(tenant_id: str, rng: random.Random, profile: dict[str, Any]) -> Record:
    day, month = profile["fy"]
    return {
        "OrganisationID": tenant_id,
        "APIKey": "",
        "Name": profile["name"],
        "LegalName": profile["name"],
        "PaysTax": True,
        "Version": profile["version"],
        "OrganisationType": "COMPANY",
        "BaseCurrency": profile["currency"],
        "CountryCode": profile["country"],
        "IsDemoCompany": False,
        "OrganisationStatus": "ACTIVE",
        "RegistrationNumber": f"{rng.randint(10**8, 10**9 - 1)}",
        "TaxNumber": f"{rng.randint(10**8, 10**9 - 1)}",
        "FinancialYearEndDay": day,
        "FinancialYearEndMonth": month,
        "SalesTaxBasis": "ACCRUALS",
        "SalesTaxPeriod": "3MONTHLY",
        "DefaultSalesTax": "Tax Exclusive",
        "DefaultPurchasesTax": "Tax Exclusive",
        "CreatedDateUTC": ms_date(TIMELINE[0] - 86_400_000),
        "OrganisationEntityType": "COMPANY",
        "Timezone": profile["timezone"],
        "ShortCode": f"!{rng.randint(10_000, 99_999)}",
        "Class": "PREMIUM",
        "Edition": "BUSINESS",
        "LineOfBusiness": "Retail",
        "Addresses": [],
        "Phones": [],
        "ExternalLinks": [],
        "PaymentTerms": {},
    }


def _fixed(spec_name: str, records: list[Record]) -> Collection:
    spec = spec_for(spec_name)
    assert spec is not None
    updated = list(range(TIMELINE[0], TIMELINE[0] + len(records)))
    numbers = {str(r[spec.number]).lower(): i for i, r in enumerate(records)} if spec.number else {}
    return Collection(spec, [str(r[spec.key]) for r in records], updated, records=list(records), numbers=numbers)


def _lazy(
    spec_name: str,
    rng: random.Random,
    count: int,
    builder: Builder,
    offset: int = 0,
    numbers: dict[str, int] | None = None,
    updated: list[int] | None = None,
) -> Collection:
    spec = spec_for(spec_name)
    assert spec is not None
    ids = [random_id(rng) for _ in range(count)]
    return Collection(spec, ids, updated if updated is not None else _timeline(count, offset), builder, numbers=numbers)


def _tenant(seed: int, index: int, invoices: int) -> Tenant:
    rng = random.Random(seed * 7_919 + index)  # noqa: S311 - reproducible sample data, not secrets
    profile = PROFILES[index % len(PROFILES)]
    tenant_id = random_id(rng)
    accounts = _accounts(rng, profile, TIMELINE[0])
    by_code = {account["Code"]: account for account in accounts}
    categories, references = _tracking(rng)
    items = _items(rng, profile, TIMELINE[0])
    tax_rates = _tax_rates(profile)
    rates = {rate["TaxType"]: rate["EffectiveRate"] for rate in tax_rates}
    taxes = profile["taxes"]
    n_contacts = max(24, invoices // 20)
    ledger = Ledger(
        seed=seed * 31 + index,
        base_currency=profile["currency"],
        foreign=[(code, Decimal(rate).quantize(RATE)) for code, rate in profile["foreign"]],
        accounts=by_code,
        revenue_codes=["200", "201", "260"],
        expense_codes=["310", "400", "412", "429", "445", "469", "493"],
        bank_code="090",
        sales_tax=(taxes[0][0], rates[taxes[0][0]]),
        purchase_tax=(taxes[1][0], rates[taxes[1][0]]),
        exempt_tax=("NONE", rates["NONE"]),
        tracking=references,
        items=items,
        contact_names=[_contact_name(slot) for slot in range(n_contacts)],
        customers=[s for s in range(n_contacts) if s % 3 != 1 and s % 23 != 22],
        suppliers=[s for s in range(n_contacts) if s % 3 != 0 and s % 23 != 22],
    )
    invoice_updated = _timeline(invoices)
    numbers: dict[str, int] = {}
    payment_updated: list[int] = []
    for slot in range(invoices):
        kind, _, fraction = invoice_head(ledger.rng("Invoices", slot))
        numbers[f"{'inv' if kind == 'ACCREC' else 'bill'}-{slot + 1:04d}"] = slot
        if fraction is not None:
            ledger.pay_of_invoice[slot] = len(ledger.invoice_of_payment)
            ledger.invoice_of_payment.append(slot)
            payment_updated.append(invoice_updated[slot] + 1)
    small = max(5, invoices // 10)
    collections = {
        "Invoices": _lazy("Invoices", rng, invoices, ledger.invoice, numbers=numbers, updated=invoice_updated),
        "Payments": _lazy("Payments", rng, len(payment_updated), ledger.payment, updated=payment_updated),
        "CreditNotes": _lazy(
            "CreditNotes", rng, small, ledger.credit_note, 7, numbers={f"cn-{s + 1:04d}": s for s in range(small)}
        ),
        "PurchaseOrders": _lazy(
            "PurchaseOrders",
            rng,
            small,
            ledger.purchase_order,
            11,
            numbers={f"po-{s + 1:04d}": s for s in range(small)},
        ),
        "BankTransactions": _lazy("BankTransactions", rng, max(10, invoices // 5), ledger.bank_transaction, 13),
        "ManualJournals": _lazy("ManualJournals", rng, small, ledger.manual_journal, 17),
        "Contacts": _lazy(
            "Contacts",
            rng,
            n_contacts,
            ledger.contact,
            -5,
            numbers={name.lower(): s for s, name in enumerate(ledger.contact_names)},
        ),
        "Accounts": _fixed("Accounts", accounts),
        "Items": _fixed("Items", items),
        "TaxRates": _fixed("TaxRates", tax_rates),
        "TrackingCategories": _fixed("TrackingCategories", categories),
        "Currencies": _fixed(
            "Currencies",
            [
                {"Code": code, "Description": _CURRENCY_NAMES[code]}
                for code in (profile["currency"], *(c for c, _ in profile["foreign"]))
            ],
        ),
    }
    ledger.collections = collections
    tenant = Tenant(tenant_id, profile["name"], _organisation(tenant_id, rng, profile), collections)
    tenant.counters = {"INV": invoices, "CN": small, "PO": small}
    _held_collections(seed, index, ledger, small)
    tenant.rates = {"currency": dict(ledger.foreign), "sales": ledger.sales_tax[0], "purchase": ledger.purchase_tax[0]}
    return tenant


def _held_collections(seed: int, index: int, ledger: Ledger, count: int) -> None:
    """Overpayments, prepayments and bank transfers (``held``), drawn from their own generator so the other
    collections stay as they were."""
    rng = random.Random(seed * 7_919 + index + 104_729)  # noqa: S311 - reproducible sample data, not secrets
    extra = max(6, count)
    ledger.collections |= {
        "Overpayments": _lazy("Overpayments", rng, extra, lambda slot: overpayment(ledger, slot), 19),
        "Prepayments": _lazy("Prepayments", rng, extra, lambda slot: prepayment(ledger, slot), 23),
        "BankTransfers": _lazy("BankTransfers", rng, extra, lambda slot: bank_transfer(ledger, slot), 29),
    }


def generate(seed: int = 0, size: str | int = "small", tenants: int = 2) -> list[Tenant]:
    """The sandbox's organisations, identical for identical arguments."""
    return [_tenant(seed, index, invoice_count(size)) for index in range(tenants)]
