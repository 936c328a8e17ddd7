"""The seeder's vocabulary: the fixed tables that generated records are drawn from.

Everything that makes seeded data look like a real small business (a chart of accounts, regional tax rates,
payment terms, price lists, who trades in which currency) is data here, so the factories stay short and a reader
can check realism without reading code. Amounts are written as strings and become ``Decimal`` on use: a float
literal would already be inexact before it reached the ledger.

Account numbers tie the tables together: items, transaction kinds and journal templates name accounts by number.
"""

from __future__ import annotations

from decimal import Decimal

import msgspec

from ledgerport.models import AccountAccountType as T
from ledgerport.models import CategoryType, Classification, Country, Currency, ItemType

_LIABILITY, _OTHER_LIABILITY = Classification.LIABILITY, T.OTHER_CURRENT_LIABILITY

__all__ = [
    "ACCOUNTS",
    "ANCHOR_YEAR",
    "AccountRow",
    "BANK_BY_CURRENCY",
    "COMPANY",
    "FIRST_NAMES",
    "ITEMS",
    "ItemRow",
    "JOURNAL_TEMPLATES",
    "JournalTemplate",
    "LAST_NAMES",
    "NAME_STEMS",
    "NAME_SUFFIXES",
    "PAYMENT_TERMS",
    "REGIONS",
    "Region",
    "STREETS",
    "TAX_RATES",
    "TRACKING_CATEGORIES",
    "TRANSACTION_KINDS",
    "TaxRateRow",
    "TrackingRow",
    "TransactionKind",
]

ANCHOR_YEAR = 2024
"""Seeded activity spans the two calendar years from January of this year: fixed, so output never depends on
the day the seeder runs."""


class AccountRow(msgspec.Struct, frozen=True):
    """One account of the chart: number, name, Merge classification and type, the provider's own type word."""

    number: str
    name: str
    classification: Classification
    account_type: T
    provider_type: str
    currency: Currency = Currency.USD


ACCOUNTS: tuple[AccountRow, ...] = (
    AccountRow("1000", "Operating Checking", Classification.ASSET, T.BANK, "Bank"),
    AccountRow("1010", "Payroll Checking", Classification.ASSET, T.BANK, "Bank"),
    AccountRow("1020", "EUR Operating Account", Classification.ASSET, T.BANK, "Bank", Currency.EUR),
    AccountRow("1030", "GBP Operating Account", Classification.ASSET, T.BANK, "Bank", Currency.GBP),
    AccountRow("1100", "Accounts Receivable", Classification.ASSET, T.ACCOUNTS_RECEIVABLE, "Accounts Receivable"),
    AccountRow("1200", "Inventory Asset", Classification.ASSET, T.OTHER_CURRENT_ASSET, "Other Current Asset"),
    AccountRow("1300", "Prepaid Expenses", Classification.ASSET, T.OTHER_CURRENT_ASSET, "Other Current Asset"),
    AccountRow("1500", "Computer Equipment", Classification.ASSET, T.FIXED_ASSET, "Fixed Asset"),
    AccountRow("1510", "Accumulated Depreciation", Classification.ASSET, T.FIXED_ASSET, "Fixed Asset"),
    AccountRow("1600", "Security Deposits", Classification.ASSET, T.OTHER_ASSET, "Other Asset"),
    AccountRow("2000", "Accounts Payable", Classification.LIABILITY, T.ACCOUNTS_PAYABLE, "Accounts Payable"),
    AccountRow("2100", "Company Credit Card", Classification.LIABILITY, T.CREDIT_CARD, "Credit Card"),
    AccountRow("2200", "Sales Tax Payable", _LIABILITY, _OTHER_LIABILITY, "Other Current Liability"),
    AccountRow("2300", "Accrued Liabilities", _LIABILITY, _OTHER_LIABILITY, "Other Current Liability"),
    AccountRow("2400", "Payroll Liabilities", _LIABILITY, _OTHER_LIABILITY, "Other Current Liability"),
    AccountRow("2700", "Term Loan", Classification.LIABILITY, T.LONG_TERM_LIABILITY, "Long Term Liability"),
    AccountRow("3000", "Owner's Equity", Classification.EQUITY, T.NON_POSTING, "Equity"),
    AccountRow("3100", "Retained Earnings", Classification.EQUITY, T.NON_POSTING, "Equity"),
    AccountRow("4000", "Consulting Revenue", Classification.REVENUE, T.OTHER_INCOME, "Income"),
    AccountRow("4100", "Software Subscriptions", Classification.REVENUE, T.OTHER_INCOME, "Income"),
    AccountRow("4200", "Hardware Sales", Classification.REVENUE, T.OTHER_INCOME, "Income"),
    AccountRow("4900", "Interest Income", Classification.REVENUE, T.OTHER_INCOME, "Other Income"),
    AccountRow("5000", "Cost of Goods Sold", Classification.EXPENSE, T.COST_OF_GOODS_SOLD, "Cost of Goods Sold"),
    AccountRow("5100", "Subcontractors", Classification.EXPENSE, T.COST_OF_GOODS_SOLD, "Cost of Goods Sold"),
    AccountRow("6000", "Rent", Classification.EXPENSE, T.OTHER_EXPENSE, "Expense"),
    AccountRow("6100", "Salaries and Wages", Classification.EXPENSE, T.OTHER_EXPENSE, "Expense"),
    AccountRow("6200", "Software and Hosting", Classification.EXPENSE, T.OTHER_EXPENSE, "Expense"),
    AccountRow("6300", "Travel", Classification.EXPENSE, T.OTHER_EXPENSE, "Expense"),
    AccountRow("6400", "Office Supplies", Classification.EXPENSE, T.OTHER_EXPENSE, "Expense"),
    AccountRow("6500", "Professional Fees", Classification.EXPENSE, T.OTHER_EXPENSE, "Expense"),
    AccountRow("6600", "Depreciation Expense", Classification.EXPENSE, T.OTHER_EXPENSE, "Expense"),
    AccountRow("6700", "Bank Fees", Classification.EXPENSE, T.OTHER_EXPENSE, "Expense"),
)

BANK_BY_CURRENCY: dict[Currency, str] = {Currency.EUR: "1020", Currency.GBP: "1030"}
"""Which bank account receives money in a currency; every other currency lands in operating checking (1000)."""


class Region(msgspec.Struct, frozen=True):
    """Where a contact sits: its country, currency, a rate to USD, places, phone prefix and tax rate codes."""

    country: Country
    currency: Currency
    usd_rate: str
    phone_prefix: str
    cities: tuple[tuple[str, str, str], ...]  # (city, state or county, postal code)
    tax_codes: tuple[str, ...]
    weight: int


REGIONS: tuple[Region, ...] = (
    Region(
        Country.US,
        Currency.USD,
        "1",
        "+1",
        (
            ("San Francisco", "CA", "94107"),
            ("New York", "NY", "10013"),
            ("Austin", "TX", "78701"),
            ("Seattle", "WA", "98104"),
        ),
        ("CA-SF", "NY-NYC", "TX", "EXEMPT"),
        50,
    ),
    Region(
        Country.CA,
        Currency.CAD,
        "0.7325",
        "+1",
        (("Toronto", "ON", "M5V 2T6"), ("Vancouver", "BC", "V6B 1A1")),
        ("HST-ON", "GST"),
        10,
    ),
    Region(
        Country.GB,
        Currency.GBP,
        "1.2710",
        "+44",
        (("London", "Greater London", "EC1V 9HX"), ("Manchester", "Greater Manchester", "M1 1AE")),
        ("VAT20", "VAT0"),
        14,
    ),
    Region(
        Country.DE,
        Currency.EUR,
        "1.0850",
        "+49",
        (("Berlin", "Berlin", "10115"), ("Munich", "Bavaria", "80331")),
        ("UST19", "UST7"),
        10,
    ),
    Region(
        Country.FR,
        Currency.EUR,
        "1.0850",
        "+33",
        (("Paris", "Ile-de-France", "75002"), ("Lyon", "Rhone", "69002")),
        ("TVA20",),
        6,
    ),
    Region(
        Country.AU,
        Currency.AUD,
        "0.6580",
        "+61",
        (("Sydney", "NSW", "2000"), ("Melbourne", "VIC", "3000")),
        ("GST-AU",),
        10,
    ),
)

STREETS = ("Market St", "Main Street", "High Street", "King Street", "Harbour Rd", "Mill Lane", "Station Road")


class TaxRateRow(msgspec.Struct, frozen=True):
    """A tax rate and its components as (name, percent, compound) rows; the total is their sum."""

    code: str
    name: str
    country: Country
    components: tuple[tuple[str, str], ...]

    @property
    def total(self) -> Decimal:
        """The rate charged, in percent: the sum of the components (none is compound)."""
        return sum((Decimal(rate) for _, rate in self.components), Decimal(0))


TAX_RATES: tuple[TaxRateRow, ...] = (
    TaxRateRow("CA-SF", "San Francisco tax", Country.US, (("California state", "7.25"), ("SF district", "1.375"))),
    TaxRateRow("NY-NYC", "New York City sales tax", Country.US, (("New York state", "4"), ("NYC local", "4.875"))),
    TaxRateRow("TX", "Texas sales tax", Country.US, (("Texas state", "6.25"), ("Austin local", "2"))),
    TaxRateRow("EXEMPT", "Tax exempt", Country.US, (("Exempt", "0"),)),
    TaxRateRow("HST-ON", "Ontario HST 13%", Country.CA, (("HST", "13"),)),
    TaxRateRow("GST", "Canada GST 5%", Country.CA, (("GST", "5"),)),
    TaxRateRow("VAT20", "UK VAT standard 20%", Country.GB, (("VAT", "20"),)),
    TaxRateRow("VAT0", "UK VAT zero rated", Country.GB, (("VAT", "0"),)),
    TaxRateRow("UST19", "Umsatzsteuer 19%", Country.DE, (("USt", "19"),)),
    TaxRateRow("UST7", "Umsatzsteuer 7%", Country.DE, (("USt", "7"),)),
    TaxRateRow("TVA20", "TVA 20%", Country.FR, (("TVA", "20"),)),
    TaxRateRow("GST-AU", "Australia GST 10%", Country.AU, (("GST", "10"),)),
)


class TrackingRow(msgspec.Struct, frozen=True):
    """A class or department; ``parent`` names a row earlier in the table."""

    name: str
    category_type: CategoryType
    parent: str | None = None


TRACKING_CATEGORIES: tuple[TrackingRow, ...] = (
    TrackingRow("Business Line", CategoryType.CLASS),
    TrackingRow("Consulting", CategoryType.CLASS, "Business Line"),
    TrackingRow("Software", CategoryType.CLASS, "Business Line"),
    TrackingRow("Hardware", CategoryType.CLASS, "Business Line"),
    TrackingRow("Sales", CategoryType.DEPARTMENT),
    TrackingRow("Engineering", CategoryType.DEPARTMENT),
    TrackingRow("Operations", CategoryType.DEPARTMENT),
    TrackingRow("Finance", CategoryType.DEPARTMENT),
    TrackingRow("Marketing", CategoryType.DEPARTMENT),
)

PAYMENT_TERMS: tuple[tuple[str, int, int | None], ...] = (
    ("Due on receipt", 0, None),
    ("Net 15", 15, None),
    ("Net 30", 30, None),
    ("2% 10, Net 30", 30, 10),
    ("Net 45", 45, None),
    ("Net 60", 60, None),
)
"""(name, days until due, discount days)."""


class ItemRow(msgspec.Struct, frozen=True):
    """A product or service: prices in USD, the accounts it posts to, whether it is sold, bought or both."""

    name: str
    item_type: ItemType
    unit_price: str
    purchase_price: str
    sales_account: str | None
    purchase_account: str | None
    fractional: bool = False  # quantities in quarter hours rather than whole units


ITEMS: tuple[ItemRow, ...] = (
    ItemRow("Senior consultant (hour)", ItemType.SERVICE, "185.00", "0.00", "4000", None, fractional=True),
    ItemRow("Consultant (hour)", ItemType.SERVICE, "135.00", "0.00", "4000", None, fractional=True),
    ItemRow("Implementation package", ItemType.SERVICE, "4500.00", "0.00", "4000", None),
    ItemRow("Contractor services (hour)", ItemType.SERVICE, "0.00", "95.00", None, "5100", fractional=True),
    ItemRow("Platform subscription (seat)", ItemType.NON_INVENTORY, "49.00", "0.00", "4100", None),
    ItemRow("Analytics add-on", ItemType.NON_INVENTORY, "299.00", "0.00", "4100", None),
    ItemRow("Premium support plan", ItemType.NON_INVENTORY, "1200.00", "0.00", "4100", None),
    ItemRow("Rugged tablet", ItemType.INVENTORY, "649.00", "410.00", "4200", "1200"),
    ItemRow("Barcode scanner", ItemType.INVENTORY, "189.50", "112.25", "4200", "1200"),
    ItemRow("Docking station", ItemType.INVENTORY, "129.99", "74.80", "4200", "1200"),
    ItemRow("Cloud hosting", ItemType.NON_INVENTORY, "0.00", "860.00", None, "6200"),
    ItemRow("Office lease", ItemType.NON_INVENTORY, "0.00", "5200.00", None, "6000"),
    ItemRow("Office supplies", ItemType.NON_INVENTORY, "0.00", "37.45", None, "6400"),
    ItemRow("Legal services (hour)", ItemType.SERVICE, "0.00", "310.00", None, "6500", fractional=True),
    ItemRow("Business travel", ItemType.NON_INVENTORY, "0.00", "412.60", None, "6300"),
)


class TransactionKind(msgspec.Struct, frozen=True):
    """A kind of Merge ``Transaction``: its header account, line accounts, counterparty and amount range."""

    transaction_type: str
    account: str
    line_accounts: tuple[str, ...]
    counterparty: str | None  # "customer", "supplier" or None
    cents: tuple[int, int]
    prefix: str


TRANSACTION_KINDS: tuple[TransactionKind, ...] = (
    TransactionKind("deposit", "1000", ("4900", "3000", "4000"), None, (5_000, 2_500_000), "DEP"),
    TransactionKind("transfer", "1000", ("1010", "1020", "1030"), None, (100_000, 5_000_000), "TRF"),
    TransactionKind("sales receipt", "1000", ("4000", "4100", "4200"), "customer", (2_000, 800_000), "SR"),
)
"""Money spent on the spot (cash, cheques, card charges) is an Expense, seeded by :mod:`ledgerport.dev.expenses`."""


class JournalTemplate(msgspec.Struct, frozen=True):
    """A recurring manual journal: accounts its debits and its credits are drawn from."""

    memo: str
    debits: tuple[str, ...]
    credits: tuple[str, ...]


JOURNAL_TEMPLATES: tuple[JournalTemplate, ...] = (
    JournalTemplate("Monthly depreciation", ("6600",), ("1510",)),
    JournalTemplate("Payroll accrual", ("6100",), ("2400", "2300")),
    JournalTemplate("Prepaid expense amortization", ("6000", "6200"), ("1300",)),
    JournalTemplate("Accrued professional fees", ("6500", "5100"), ("2300",)),
    JournalTemplate("Sales tax remittance", ("2200",), ("1000",)),
    JournalTemplate("Loan repayment", ("2700", "6700"), ("1000",)),
    JournalTemplate("Year-end reclassification", ("3000", "6400", "6300"), ("3100", "2100")),
)

COMPANY = {
    "name": "Northwind Analytics",
    "legal_name": "Northwind Analytics, Inc.",
    "tax_number": "94-3177628",
    "domain": "northwind-analytics.example",
}
"""The seeded company; ``.example`` domains (RFC 2606) so no seeded email can ever reach a real inbox."""

NAME_STEMS = (
    "Acme",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Hooli",
    "Vandelay",
    "Soylent",
    "Tyrell",
    "Cyberdyne",
    "Wonka",
    "Gringotts",
    "Oscorp",
    "Aperture",
    "Massive",
    "Blue Sun",
    "Monarch",
    "Prestige",
    "Sirius",
    "Nakatomi",
    "Dunder",
    "Pied Piper",
    "Bluth",
    "Krusty",
    "Sterling",
    "Gekko",
    "Duff",
    "Virtucon",
    "Rekall",
)
NAME_SUFFIXES = ("Ltd", "Inc", "GmbH", "LLC", "Pty Ltd", "SARL", "Corp", "Partners", "Group", "Supply Co")
FIRST_NAMES = (
    "Ada",
    "Grace",
    "Alan",
    "Edsger",
    "Barbara",
    "Donald",
    "Frances",
    "John",
    "Margaret",
    "Ken",
    "Radia",
    "Linus",
    "Sophie",
    "Tim",
    "Katherine",
    "Dennis",
    "Hedy",
    "Niklaus",
    "Shafi",
    "Leslie",
)
LAST_NAMES = (
    "Lovelace",
    "Hopper",
    "Turing",
    "Dijkstra",
    "Liskov",
    "Knuth",
    "Allen",
    "McCarthy",
    "Hamilton",
    "Thompson",
    "Perlman",
    "Torvalds",
    "Wilson",
    "Berners-Lee",
    "Johnson",
    "Ritchie",
    "Lamarr",
    "Wirth",
    "Goldwasser",
    "Lamport",
)
