"""Static facts of the generated company: currencies, chart of accounts, items, terms, tax and name pools.

Kept as literal tables (not code) so a reader sees the whole company setup in one screen, and so generated
documents can refer to accounts by name (``ACCOUNT_IDS["Services"]``) instead of by magic number.
"""

from __future__ import annotations

from decimal import Decimal

__all__ = [
    "ACCOUNT_IDS",
    "CHART",
    "CITIES",
    "CLASSES",
    "COMPANY_WORDS",
    "CURRENCIES",
    "DEPARTMENTS",
    "EXPENSE_ACCOUNTS",
    "FIRST_NAMES",
    "HOME_CURRENCY",
    "ITEMS",
    "LAST_NAMES",
    "PAYMENT_METHODS",
    "RATES",
    "TAX_CODES",
    "TAX_RATES",
    "TERMS",
]

HOME_CURRENCY = "USD"

CURRENCIES: dict[str, str] = {
    "USD": "United States Dollar",
    "EUR": "Euro",
    "GBP": "British Pound Sterling",
    "CAD": "Canadian Dollar",
}

RATES: dict[str, Decimal] = {
    "USD": Decimal(1),
    "EUR": Decimal("1.0842"),
    "GBP": Decimal("1.2671"),
    "CAD": Decimal("0.7364"),
}
"""Home-currency value of one unit; documents jitter it a little."""

# (Name, AccountType, AccountSubType, Classification, AcctNum, currency)
CHART: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("Checking", "Bank", "Checking", "Asset", "1010", "USD"),
    ("Savings", "Bank", "Savings", "Asset", "1020", "USD"),
    ("Euro Account", "Bank", "Checking", "Asset", "1030", "EUR"),
    ("Undeposited Funds", "Other Current Asset", "UndepositedFunds", "Asset", "1200", "USD"),
    ("Accounts Receivable (A/R)", "Accounts Receivable", "AccountsReceivable", "Asset", "1100", "USD"),
    ("Accounts Receivable (A/R) - EUR", "Accounts Receivable", "AccountsReceivable", "Asset", "1101", "EUR"),
    ("Accounts Receivable (A/R) - GBP", "Accounts Receivable", "AccountsReceivable", "Asset", "1102", "GBP"),
    ("Accounts Receivable (A/R) - CAD", "Accounts Receivable", "AccountsReceivable", "Asset", "1103", "CAD"),
    ("Inventory Asset", "Other Current Asset", "Inventory", "Asset", "1300", "USD"),
    ("Prepaid Expenses", "Other Current Asset", "PrepaidExpenses", "Asset", "1400", "USD"),
    ("Furniture and Equipment", "Fixed Asset", "FurnitureAndFixtures", "Asset", "1500", "USD"),
    ("Accumulated Depreciation", "Fixed Asset", "AccumulatedDepreciation", "Asset", "1510", "USD"),
    ("Accounts Payable (A/P)", "Accounts Payable", "AccountsPayable", "Liability", "2000", "USD"),
    ("Accounts Payable (A/P) - EUR", "Accounts Payable", "AccountsPayable", "Liability", "2001", "EUR"),
    ("Accounts Payable (A/P) - GBP", "Accounts Payable", "AccountsPayable", "Liability", "2002", "GBP"),
    ("Accounts Payable (A/P) - CAD", "Accounts Payable", "AccountsPayable", "Liability", "2003", "CAD"),
    ("Visa Credit Card", "Credit Card", "CreditCard", "Liability", "2100", "USD"),
    ("Sales Tax Payable", "Other Current Liability", "SalesTaxPayable", "Liability", "2200", "USD"),
    ("Payroll Liabilities", "Other Current Liability", "PayrollTaxPayable", "Liability", "2300", "USD"),
    ("Bank Loan", "Long Term Liability", "NotesPayable", "Liability", "2700", "USD"),
    ("Opening Balance Equity", "Equity", "OpeningBalanceEquity", "Equity", "3000", "USD"),
    ("Owner's Investment", "Equity", "OwnersEquity", "Equity", "3100", "USD"),
    ("Retained Earnings", "Equity", "RetainedEarnings", "Equity", "3900", "USD"),
    ("Services", "Income", "ServiceFeeIncome", "Revenue", "4000", "USD"),
    ("Sales of Product Income", "Income", "SalesOfProductIncome", "Revenue", "4100", "USD"),
    ("Consulting Income", "Income", "ServiceFeeIncome", "Revenue", "4200", "USD"),
    ("Interest Earned", "Other Income", "InterestEarned", "Revenue", "7000", "USD"),
    ("Cost of Goods Sold", "Cost of Goods Sold", "SuppliesMaterialsCogs", "Expense", "5000", "USD"),
    ("Advertising", "Expense", "AdvertisingPromotional", "Expense", "6000", "USD"),
    ("Rent or Lease", "Expense", "RentOrLeaseOfBuildings", "Expense", "6100", "USD"),
    ("Utilities", "Expense", "Utilities", "Expense", "6200", "USD"),
    ("Office Expenses", "Expense", "OfficeGeneralAdministrativeExpenses", "Expense", "6300", "USD"),
    ("Travel", "Expense", "Travel", "Expense", "6400", "USD"),
    ("Meals and Entertainment", "Expense", "EntertainmentMeals", "Expense", "6500", "USD"),
    ("Insurance", "Expense", "Insurance", "Expense", "6600", "USD"),
    ("Legal & Professional Fees", "Expense", "LegalProfessionalFees", "Expense", "6700", "USD"),
    ("Software Subscriptions", "Expense", "OtherMiscellaneousServiceCost", "Expense", "6800", "USD"),
    ("Bank Charges", "Expense", "BankCharges", "Expense", "6900", "USD"),
    ("Depreciation", "Other Expense", "Depreciation", "Expense", "8000", "USD"),
)

ACCOUNT_IDS: dict[str, int] = {row[0]: index for index, row in enumerate(CHART, start=1)}

EXPENSE_ACCOUNTS: tuple[str, ...] = tuple(row[0] for row in CHART if row[3] == "Expense" and row[1] == "Expense")

# (Name, Type, UnitPrice, PurchaseCost, income account, expense account, taxable)
ITEMS: tuple[tuple[str, str, str, str, str, str, bool], ...] = (
    ("Consulting Hours", "Service", "150.00", "0", "Consulting Income", "Cost of Goods Sold", False),
    ("Design Services", "Service", "95.00", "0", "Services", "Cost of Goods Sold", False),
    ("Installation", "Service", "75.50", "0", "Services", "Cost of Goods Sold", False),
    ("Maintenance Plan", "Service", "249.99", "0", "Services", "Cost of Goods Sold", False),
    ("Training Session", "Service", "480.00", "0", "Services", "Cost of Goods Sold", False),
    ("Support Retainer", "Service", "1200.00", "0", "Services", "Cost of Goods Sold", False),
    ("Standing Desk", "Inventory", "649.00", "410.00", "Sales of Product Income", "Cost of Goods Sold", True),
    ("Ergonomic Chair", "Inventory", "389.95", "220.00", "Sales of Product Income", "Cost of Goods Sold", True),
    ("Monitor Arm", "Inventory", "89.99", "41.25", "Sales of Product Income", "Cost of Goods Sold", True),
    ("Cable Kit", "NonInventory", "24.95", "9.10", "Sales of Product Income", "Cost of Goods Sold", True),
    ("Desk Lamp", "Inventory", "59.00", "23.40", "Sales of Product Income", "Cost of Goods Sold", True),
    ("Shipping", "Service", "35.00", "0", "Sales of Product Income", "Cost of Goods Sold", False),
)

# (Name, DueDays)
TERMS: tuple[tuple[str, int], ...] = (("Due on receipt", 0), ("Net 15", 15), ("Net 30", 30), ("Net 60", 60))

# (Name, Type, Active): QBO's default payment methods (Cash, Check and the card brands), a company's own EFT, and one
# the company stopped taking. ``Type`` is CREDIT_CARD or NON_CREDIT_CARD, the only two QBO has.
PAYMENT_METHODS: tuple[tuple[str, str, bool], ...] = (
    ("Cash", "NON_CREDIT_CARD", True),
    ("Check", "NON_CREDIT_CARD", True),
    ("Visa", "CREDIT_CARD", True),
    ("MasterCard", "CREDIT_CARD", True),
    ("American Express", "CREDIT_CARD", True),
    ("Direct Deposit", "NON_CREDIT_CARD", True),
    ("Diners Club", "CREDIT_CARD", False),
)

CLASSES: tuple[str, ...] = ("Retail", "Wholesale", "Online", "Services")
DEPARTMENTS: tuple[str, ...] = ("Headquarters", "West Coast", "East Coast")

# (Name, RateValue, agency id) — agencies are referenced, not served (TaxAgency is out of scope).
TAX_RATES: tuple[tuple[str, str, str], ...] = (
    ("California State", "7.25", "1"),
    ("San Francisco County", "1.375", "1"),
    ("Out of State", "0", "2"),
)

# (Name, Description, taxable, rate ids)
TAX_CODES: tuple[tuple[str, str, bool, tuple[int, ...]], ...] = (
    ("San Francisco", "California + San Francisco County sales tax", True, (1, 2)),
    ("California", "California state sales tax", True, (1,)),
    ("Out of State", "No sales tax outside California", False, (3,)),
)

COMPANY_WORDS: tuple[str, ...] = (
    "Acme",
    "Blue Harbor",
    "Cedar",
    "Delta",
    "Evergreen",
    "Falcon",
    "Granite",
    "Horizon",
    "Ironwood",
    "Juniper",
    "Keystone",
    "Lakeside",
    "Maple",
    "Northwind",
    "Oakridge",
    "Pioneer",
    "Quartz",
    "Redwood",
    "Summit",
    "Tidewater",
    "Union",
    "Vertex",
    "Willow",
    "Yellowstone",
    "Zephyr",
    "Aurora",
    "Beacon",
    "Cascade",
    "Driftwood",
    "Ember",
)
FIRST_NAMES: tuple[str, ...] = (
    "Alice",
    "Bruno",
    "Chen",
    "Dana",
    "Elif",
    "Farah",
    "Gustavo",
    "Hana",
    "Ivan",
    "Jamal",
    "Keiko",
    "Liam",
    "Mia",
    "Nikhil",
    "Olga",
    "Pedro",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Umar",
    "Vera",
    "Wen",
    "Ximena",
)
LAST_NAMES: tuple[str, ...] = (
    "Anderson",
    "Becker",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Hughes",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Weber",
)
# (City, CountrySubDivisionCode, PostalCode prefix, Country) per currency
CITIES: dict[str, tuple[tuple[str, str, str, str], ...]] = {
    "USD": (
        ("San Francisco", "CA", "941", "USA"),
        ("Oakland", "CA", "946", "USA"),
        ("Portland", "OR", "972", "USA"),
        ("Austin", "TX", "787", "USA"),
        ("Denver", "CO", "802", "USA"),
    ),
    "EUR": (("Berlin", "BE", "101", "Germany"), ("Lyon", "ARA", "690", "France"), ("Madrid", "MD", "280", "Spain")),
    "GBP": (("London", "LND", "EC1", "United Kingdom"), ("Leeds", "LDS", "LS1", "United Kingdom")),
    "CAD": (("Toronto", "ON", "M5V", "Canada"), ("Vancouver", "BC", "V6B", "Canada")),
}
