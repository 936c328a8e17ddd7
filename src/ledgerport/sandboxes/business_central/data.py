"""The deterministic tenant generator: ``generate(seed, size)``.

Same seed and size give the same tenant, byte for byte: one Entra tenant, environments ``production`` (two CRONUS
companies) and ``sandbox`` (one). The first production company holds ``size`` sales invoices (``small`` = 200,
``large`` = 10,000, or a number up to 100,000 and beyond); the others are small. Documents are spread over 2024-2025
in number order, so ``lastModifiedDateTime`` grows with the key, as it would in a company that has been used for two
years. Posted documents come with their G/L entries; paid invoices with their payment's.

Speed: a row is a copy of the set's empty template with a dozen slots filled; amounts are integer hundredths until
they are written (``rows.money`` shares one Decimal per amount). 100,000 invoices build in seconds.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from typing import Any

from ledgerport.sandboxes.business_central.catalog import SETS
from ledgerport.sandboxes.business_central.enums import escape
from ledgerport.sandboxes.business_central.rows import ZERO, money, template
from ledgerport.sandboxes.business_central.store import Company, Environment, Row, Table, Tenant, iso_datetime

__all__ = ["CHART", "generate", "invoice_count"]

START = date(2024, 1, 1)
SPAN_DAYS = 730
EPOCH_START = 1_704_067_200  # 2024-01-01T00:00:00Z

# number, name, category, subCategory, accountType
CHART: tuple[tuple[str, str, str, str, str], ...] = (
    ("10000", "ASSETS", "Assets", "", "Begin-Total"),
    ("10100", "Checking account", "Assets", "Cash", "Posting"),
    ("10200", "Saving account", "Assets", "Cash", "Posting"),
    ("10400", "Accounts Receivable", "Assets", "Accounts Receivable", "Posting"),
    ("12100", "Inventory", "Assets", "Inventory", "Posting"),
    ("13100", "Prepaid Expenses", "Assets", "Prepaid Expenses", "Posting"),
    ("16100", "Equipment", "Assets", "Equipment", "Posting"),
    ("19999", "TOTAL ASSETS", "Assets", "", "End-Total"),
    ("20000", "LIABILITIES", "Liabilities", "", "Begin-Total"),
    ("20100", "Accounts Payable", "Liabilities", "Current Liabilities", "Posting"),
    ("22500", "Sales Tax Payable", "Liabilities", "Current Liabilities", "Posting"),
    ("23100", "Accrued Salaries & Wages", "Liabilities", "Payroll Liabilities", "Posting"),
    ("25100", "Long-term Bank Loan", "Liabilities", "Long Term Liabilities", "Posting"),
    ("29999", "TOTAL LIABILITIES", "Liabilities", "", "End-Total"),
    ("30000", "EQUITY", "Equity", "", "Heading"),
    ("30100", "Capital Stock", "Equity", "Common Stock", "Posting"),
    ("30300", "Retained Earnings", "Equity", "Retained Earnings", "Posting"),
    ("40000", "INCOME", "Income", "", "Begin-Total"),
    ("40100", "Income, Services", "Income", "Income, Service", "Posting"),
    ("40200", "Income, Product Sales", "Income", "Income, Product Sales", "Posting"),
    ("40400", "Sales Discounts", "Income", "Income, Product Sales", "Posting"),
    ("49999", "TOTAL INCOME", "Income", "", "End-Total"),
    ("50100", "Cost of Materials", "Cost of Goods Sold", "Materials", "Posting"),
    ("50200", "Cost of Labor", "Cost of Goods Sold", "Labor", "Posting"),
    ("60100", "Rent Expense", "Expense", "Rent Expense", "Posting"),
    ("60200", "Electricity and Heating", "Expense", "Utilities Expense", "Posting"),
    ("60300", "Office Supplies", "Expense", "Other Expenses", "Posting"),
    ("60400", "Travel", "Expense", "Travel Expense", "Posting"),
    ("60500", "Software Subscriptions", "Expense", "Other Expenses", "Posting"),
    ("61100", "Salaries", "Expense", "Payroll Expense", "Posting"),
    ("62100", "Advertising", "Expense", "Other Expenses", "Posting"),
    ("69999", "TOTAL EXPENSE", "Expense", "", "End-Total"),
)
_REVENUE = ("40100", "40200")
_EXPENSE = ("50100", "60100", "60200", "60300", "60400", "60500", "62100")
CURRENCIES = (
    ("CAD", "Canadian dollar", "$"),
    ("EUR", "Euro", "€"),
    ("GBP", "Pound Sterling", "£"),
    ("MXN", "Mexican peso", "$"),
)
TERMS = (
    ("1M(8D)", "1 Month/2% 8 days", "1M", "8D", 2),
    ("14 DAYS", "Net 14 days", "14D", "", 0),
    ("30 DAYS", "Net 30 days", "30D", "", 0),
    ("7 DAYS", "Net 7 days", "7D", "", 0),
    ("CM", "Current month", "CM", "", 0),
    ("COD", "Cash on delivery", "0D", "", 0),
)
TAX_AREAS = (
    ("ATLANTA, GA", "Atlanta, Ga", 400),
    ("CHICAGO, IL", "Chicago, Il", 625),
    ("MIAMI, FL", "Miami, Fl", 600),
    ("NATL", "National", 0),
)
TAX_GROUPS = (
    ("FURNITURE", "Taxable Olympic Furniture"),
    ("LABOR", "Labor on Job"),
    ("MATERIALS", "Taxable raw materials"),
    ("NONTAXABLE", "Nontaxable"),
    ("SUPPLIES", "Taxable Office Supplies"),
)
DIMENSIONS = (
    (
        "AREA",
        "Area",
        (("10", "Europe North"), ("20", "Europe South"), ("30", "America North"), ("40", "America South")),
    ),
    ("BUSINESSGROUP", "Business Group", (("HOME", "Home"), ("INDUSTRIAL", "Industrial"), ("OFFICE", "Office"))),
    (
        "CUSTOMERGROUP",
        "Customer Group",
        (("LARGE", "Large Business"), ("MEDIUM", "Medium Business"), ("SMALL", "Small Business")),
    ),
    ("DEPARTMENT", "Department", (("ADM", "Administration"), ("PROD", "Production"), ("SALES", "Sales"))),
)
_NAMES = (
    "Adatum",
    "Trey",
    "School of Fine Art",
    "Alpine Ski House",
    "Relecloud",
    "Coho Winery",
    "Fabrikam",
    "Contoso",
    "Litware",
    "Northwind",
    "Tailspin",
    "Wingtip",
    "Proseware",
    "Woodgrove",
    "Fourth Coffee",
    "Margie's Travel",
    "Lucerne",
    "Humongous",
    "Wide World",
    "VanArsdel",
)
_SUFFIXES = ("Corporation", "Research", "Inc.", "Ltd.", "Group", "Partners", "Supplies", "Traders", "Holdings", "Works")
_GIVEN = ("Jim", "Annette", "Ester", "Lina", "Marty", "Terry", "Robin", "Alex", "Sam", "Kim", "Pat", "Jo")
_FAMILY = (
    "Olive",
    "Hill",
    "Henderson",
    "Townsend",
    "Horst",
    "Dodds",
    "Bailey",
    "Silva",
    "Berg",
    "Kovacs",
    "Ng",
    "Moreno",
)
_CITIES = (
    ("Atlanta", "GA", "31772"),
    ("Chicago", "IL", "61236"),
    ("Miami", "FL", "37125"),
    ("Seattle", "WA", "98101"),
    ("Boston", "MA", "02108"),
    ("Denver", "CO", "80202"),
)
_ITEMS = ("Desk", "Chair", "Lamp", "Cabinet", "Table", "Shelf", "Sofa", "Stool", "Bench", "Locker")
_ITEM_ADJ = ("ATHENS", "PARIS", "ROME", "LONDON", "BERLIN", "MUNICH", "AMSTERDAM", "SYDNEY", "TOKYO", "OSLO")

_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}
_DATES = [(START + timedelta(days=day)).isoformat() for day in range(SPAN_DAYS + 400)]


def invoice_count(size: str | int) -> int:
    """Sales invoices in the first company for a ``--size``."""
    if size == "small":
        return 200
    if size == "large":
        return 10_000
    return max(1, int(size))


class _Seeder:
    """Fills one company's tables from one seeded random stream."""

    def __init__(self, company: Company, rng: random.Random, invoices: int, currency: str, country: str) -> None:
        self.company = company
        self.rng = rng
        self.invoices = invoices
        self.currency = currency
        self.country = country

    def uid(self) -> str:
        """A version-4 GUID from the seeded stream (formatted by hand: ``uuid.UUID`` is the slowest part of seeding)."""
        h = f"{self.rng.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"

    def table(self, name: str) -> Table:
        return self.company.tables[name]

    def row(self, set_name: str, stamp: float, /, **values: Any) -> Row:
        """A new row of ``name`` with ``values`` set, id and lastModifiedDateTime filled, version taken."""
        table = self.table(set_name)
        row = list(template(table.spec))
        pos = table.pos
        row[0] = values.pop("id", None) or self.uid()
        for key, value in values.items():
            row[pos[key]] = value
        if "lastModifiedDateTime" in pos:
            row[pos["lastModifiedDateTime"]] = _stamp(stamp)
        row[-1] = self.company.next_version()
        table.add(row)
        return row

    def stamp(self, day: int) -> float:
        return EPOCH_START + day * 86_400 + self.rng.randrange(8 * 3600, 18 * 3600) + self.rng.random()

    # --- reference data --------------------------------------------------------------------------------------------

    def reference(self) -> None:
        for code, name, symbol in CURRENCIES:
            if code != self.currency:
                self.row(
                    "currencies",
                    self.stamp(0),
                    code=code,
                    displayName=name,
                    symbol=symbol,
                    amountDecimalPlaces="2:2",
                    amountRoundingPrecision=money(1),
                )
        for code, name, formula, discount, percent in TERMS:
            self.row(
                "paymentTerms",
                self.stamp(0),
                code=code,
                displayName=name,
                dueDateCalculation=formula,
                discountDateCalculation=discount,
                discountPercent=money(percent * 100),
            )
        for code, name, _ in TAX_AREAS:
            self.row("taxAreas", self.stamp(0), code=code, displayName=name, taxType="Sales_x0020_Tax")
        for code, name in TAX_GROUPS:
            self.row("taxGroups", self.stamp(0), code=code, displayName=name, taxType="Sales_x0020_Tax")
        for code, name, values in DIMENSIONS:
            dimension = self.row("dimensions", self.stamp(0), code=code, displayName=name)
            for value_code, value_name in values:
                self.row(
                    "dimensionValues", self.stamp(0), code=value_code, dimensionId=dimension[0], displayName=value_name
                )
        for month in range(36):
            year, index = divmod(month, 12)
            start = date(2024 + year, index + 1, 1).isoformat()
            self.row(
                "accountingPeriods",
                self.stamp(0),
                startingDate=start,
                name=date(2024, index + 1, 1).strftime("%B"),
                newFiscalYear=index == 0,
                closed=year == 0,
                dateLocked=year == 0,
            )
        self.accounts: dict[str, Row] = {}
        for number, name, category, sub, kind in CHART:
            self.accounts[number] = self.row(
                "accounts",
                self.stamp(0),
                number=number,
                displayName=name,
                category=escape(category),
                subCategory=sub,
                accountType=escape(kind),
                directPosting=kind == "Posting",
            )

    # --- master data -----------------------------------------------------------------------------------------------

    def masters(self) -> None:
        rng = self.rng
        n = self.invoices
        self.terms = self.table("paymentTerms").rows
        term_ids = list(self.terms)
        area_rows = list(self.table("taxAreas").rows.values())
        self.area_rate = {row[0]: TAX_AREAS[index][2] for index, row in enumerate(area_rows)}
        self.customers: list[Row] = []
        for index in range(max(20, min(5_000, n // 20))):
            name = f"{_NAMES[index % len(_NAMES)]} {_SUFFIXES[(index // len(_NAMES)) % len(_SUFFIXES)]}" + (
                f" {index // 200 + 1}" if index >= 200 else ""
            )
            city, state, postal = _CITIES[rng.randrange(len(_CITIES))]
            area = area_rows[rng.randrange(len(area_rows))]
            self.customers.append(
                self.row(
                    "customers",
                    self.stamp(rng.randrange(30)),
                    number=f"C{10000 + index * 10}",
                    displayName=name,
                    type="Company",
                    addressLine1=f"{rng.randrange(1, 999)} Main Street",
                    city=city,
                    state=state,
                    country=self.country,
                    postalCode=postal,
                    phoneNumber=f"555-{rng.randrange(1000, 9999)}",
                    email=f"ap@{name.split()[0].lower()}.example.com",
                    creditLimit=ZERO,
                    taxLiable=area[2] != "NATL",
                    taxAreaId=area[0],
                    taxAreaDisplayName=area[2],
                    paymentTermsId=term_ids[rng.randrange(len(term_ids))],
                    blocked="_x0020_",
                )
            )
        self.vendors: list[Row] = []
        for index in range(max(10, min(2_000, n // 50))):
            name = f"{_NAMES[(index + 7) % len(_NAMES)]} {_SUFFIXES[(index + 3) % len(_SUFFIXES)]}" + (
                f" {index // 100 + 1}" if index >= 100 else ""
            )
            city, state, postal = _CITIES[rng.randrange(len(_CITIES))]
            self.vendors.append(
                self.row(
                    "vendors",
                    self.stamp(rng.randrange(30)),
                    number=f"V{10000 + index * 10}",
                    displayName=name,
                    addressLine1=f"{rng.randrange(1, 999)} Industrial Way",
                    city=city,
                    state=state,
                    country=self.country,
                    postalCode=postal,
                    phoneNumber=f"555-{rng.randrange(1000, 9999)}",
                    email=f"sales@{name.split()[0].lower()}.example.com",
                    paymentTermsId=term_ids[rng.randrange(len(term_ids))],
                    blocked="_x0020_",
                )
            )
        for index, customer in enumerate(self.customers[: max(10, len(self.customers) // 2)]):
            given, family = _GIVEN[index % len(_GIVEN)], _FAMILY[(index * 7) % len(_FAMILY)]
            self.row(
                "contacts",
                self.stamp(rng.randrange(60)),
                number=f"CT{100000 + index * 10}",
                type="Person",
                displayName=f"{given} {family}",
                jobTitle="Purchasing Manager",
                companyNumber=f"CT{900000 + index}",
                companyName=customer[2],
                contactBusinessRelation="Customer",
                email=f"{given.lower()}@example.com",
                searchName=f"{given} {family}".upper(),
                addressLine1=customer[4],
                city=customer[6],
                state=customer[7],
                country=customer[8],
                postalCode=customer[9],
            )
        for index in range(15):
            given, family = _GIVEN[index % len(_GIVEN)], _FAMILY[(index * 5 + 1) % len(_FAMILY)]
            self.row(
                "employees",
                self.stamp(rng.randrange(60)),
                number=f"E{index + 1:04d}",
                displayName=f"{given} {family}",
                givenName=given,
                surname=family,
                jobTitle=("Accountant", "Sales Manager", "Designer", "Production Assistant")[index % 4],
                email=f"{given.lower()}.{family.lower()}@cronus.example.com",
                employmentDate=_DATES[index * 20],
                status="Active" if index < 13 else "Inactive",
                birthDate="1985-06-15",
            )
        groups = list(self.table("taxGroups").rows.values())
        self.items: list[Row] = []
        for index in range(max(20, min(1_000, n // 100))):
            price = rng.randrange(20, 2_000) * 100 + rng.choice((0, 0, 50, 99))
            group = groups[index % len(groups)]
            self.items.append(
                self.row(
                    "items",
                    self.stamp(rng.randrange(30)),
                    number=f"{1896 + index}-S",
                    displayName=f"{_ITEM_ADJ[index % 10]} {_ITEMS[(index // 10) % 10]}"
                    + (f" {index // 100}" if index >= 100 else ""),
                    type="Inventory",
                    inventory=money(rng.randrange(0, 200) * 100),
                    unitPrice=money(price),
                    unitCost=money(price * 6 // 10),
                    taxGroupId=group[0],
                    taxGroupCode=group[1],
                    baseUnitOfMeasureCode="PCS",
                )
            )
        self.item_cents = [int(row[self.table("items").pos["unitPrice"]] * 100) for row in self.items]
        for index in range(12):
            self.row(
                "projects",
                self.stamp(rng.randrange(300)),
                number=f"J{index + 1:05d}",
                displayName=f"Project {_NAMES[index]}",
            )
        self.row(
            "journals",
            self.stamp(1),
            code="DEFAULT",
            displayName="Default Journal Batch",
            templateDisplayName="GENERAL",
        )
        self.row(
            "journals", self.stamp(1), code="MONTHLY", displayName="Monthly accruals", templateDisplayName="GENERAL"
        )
        self.row(
            "customerPaymentJournals",
            self.stamp(1),
            code="GENERAL",
            displayName="GENERAL",
            balancingAccountId=self.accounts["10100"][0],
            balancingAccountNumber="10100",
        )
        self.row(
            "vendorPaymentJournals",
            self.stamp(1),
            code="GENERAL",
            displayName="GENERAL",
            balancingAccountId=self.accounts["10100"][0],
            balancingAccountNumber="10100",
        )

    # --- documents -------------------------------------------------------------------------------------------------

    def gl(self, day: int, stamp: float, number: str, kind: str, account: str, cents: int, description: str) -> None:
        """One G/L entry; ``cents`` > 0 debits the account, < 0 credits it."""
        self.entry += 1
        self.row(
            "generalLedgerEntries",
            stamp,
            entryNumber=self.entry,
            postingDate=_DATES[day],
            documentNumber=number,
            documentType=kind,
            accountId=self.accounts[account][0],
            accountNumber=account,
            description=description,
            debitAmount=money(cents) if cents > 0 else ZERO,
            creditAmount=money(-cents) if cents < 0 else ZERO,
        )

    def sales(self, name: str, count: int, draft_series: str, posted_start: int, with_lines: bool = True) -> None:
        rng = self.rng
        lines_set = SETS[name].lines
        assert lines_set is not None
        line_table = self.table(lines_set)
        is_invoice = name == "salesInvoices"
        is_memo = name == "salesCreditMemos"
        is_order = name == "salesOrders"
        date_field = "invoiceDate" if is_invoice else "creditMemoDate" if is_memo else "orderDate"
        customers, items, accounts = self.customers, self.items, self.accounts
        term_days = {key: _term_days(row[3]) for key, row in self.terms.items()}
        cust_pos = self.table("customers").pos
        for index in range(count):
            day = index * SPAN_DAYS // count
            stamp = self.stamp(day)
            customer = customers[rng.randrange(len(customers))]
            rate = self.area_rate.get(customer[cust_pos["taxAreaId"]], 0) if customer[cust_pos["taxLiable"]] else 0
            draft = day > SPAN_DAYS - 30 and rng.random() < 0.5 or is_order
            number = f"{draft_series}{100001 + index}" if draft else str(posted_start + index)
            header_id = self.uid()
            net = tax = 0
            for line in range(rng.randrange(1, 5)):
                if rng.random() < 0.85:
                    pick = rng.randrange(len(items))
                    item = items[pick]
                    cents, qty = self.item_cents[pick], rng.randrange(1, 10)
                    target = {
                        "itemId": item[0],
                        "lineType": "Item",
                        "lineObjectNumber": item[1],
                        "description": item[2],
                        "unitOfMeasureCode": "PCS",
                    }
                else:
                    account = accounts[_REVENUE[rng.randrange(2)]]
                    cents, qty = rng.randrange(50, 5_000) * 100, 1
                    target = {
                        "accountId": account[0],
                        "lineType": "Account",
                        "lineObjectNumber": account[1],
                        "description": account[2],
                    }
                amount = cents * qty
                line_tax = amount * rate // 10_000
                net += amount
                tax += line_tax
                if with_lines:
                    excl, incl = money(amount), money(amount + line_tax)
                    self.row(
                        lines_set,
                        0,
                        documentId=header_id,
                        sequence=(line + 1) * 10_000,
                        quantity=money(qty * 100),
                        unitPrice=money(cents),
                        amountExcludingTax=excl,
                        netAmount=excl,
                        taxPercent=money(rate),
                        totalTaxAmount=money(line_tax),
                        netTaxAmount=money(line_tax),
                        amountIncludingTax=incl,
                        netAmountIncludingTax=incl,
                        shipmentDate=_DATES[day],
                        taxCode=customer[cust_pos["taxAreaId"]] and "TAXABLE",
                        **target,
                    )
            due = day + term_days.get(customer[cust_pos["paymentTermsId"]], 30)
            paid = is_invoice and not draft and due < SPAN_DAYS - 20 and rng.random() < 0.8
            status = "Draft" if draft else ("Paid" if paid else "Open")
            if is_order:
                status = "Open" if rng.random() < 0.7 else "Draft"
            address = {
                f"{prefix}{part}": customer[cust_pos[source]]
                for prefix in ("sellTo", "billTo", "shipTo")
                for part, source in (
                    ("AddressLine1", "addressLine1"),
                    ("City", "city"),
                    ("State", "state"),
                    ("Country", "country"),
                    ("PostCode", "postalCode"),
                )
                if not (is_memo and prefix == "shipTo")
            }
            values: dict[str, Any] = {
                "id": header_id,
                "number": number,
                date_field: _DATES[day],
                "postingDate": _DATES[day],
                "customerId": customer[0],
                "customerNumber": customer[1],
                "customerName": customer[2],
                "billToName": customer[2],
                "billToCustomerId": customer[0],
                "billToCustomerNumber": customer[1],
                "paymentTermsId": customer[cust_pos["paymentTermsId"]],
                "totalAmountExcludingTax": money(net),
                "totalTaxAmount": money(tax),
                "totalAmountIncludingTax": money(net + tax),
                "status": status,
                "phoneNumber": customer[cust_pos["phoneNumber"]],
                "email": customer[cust_pos["email"]],
                **address,
            }
            if not is_memo:
                values["shipToName"] = customer[2]
            if not is_order:
                values["dueDate"] = _DATES[due]
            if is_invoice:
                values["remainingAmount"] = ZERO if paid else money(net + tax)
            if is_order:
                values["requestedDeliveryDate"] = _DATES[day + 7]
            header = self.row(name, stamp + (40 * 86_400 if paid else 0), **values)
            header[-1] = self.company.next_version()
            if draft or is_order:
                continue
            sign = -1 if is_memo else 1
            kind = "Credit_x0020_Memo" if is_memo else "Invoice"
            self.gl(day, stamp, number, kind, "10400", sign * (net + tax), customer[2])
            self.gl(day, stamp, number, kind, "40200", -sign * net, customer[2])
            if tax:
                self.gl(day, stamp, number, kind, "22500", -sign * tax, customer[2])
            if paid:
                pay_day = min(due, SPAN_DAYS - 1)
                self.gl(
                    pay_day,
                    stamp + 40 * 86_400,
                    f"PMT{posted_start + index}",
                    "Payment",
                    "10100",
                    net + tax,
                    customer[2],
                )
                self.gl(
                    pay_day,
                    stamp + 40 * 86_400,
                    f"PMT{posted_start + index}",
                    "Payment",
                    "10400",
                    -(net + tax),
                    customer[2],
                )
        del line_table

    def purchases(self, name: str, count: int, draft_series: str, posted_start: int) -> None:
        rng = self.rng
        lines_set = SETS[name].lines
        assert lines_set is not None
        is_order = name == "purchaseOrders"
        price_field = "directUnitCost" if is_order else "unitCost"
        vendors, accounts = self.vendors, self.accounts
        vend_pos = self.table("vendors").pos
        for index in range(count):
            day = index * SPAN_DAYS // count
            stamp = self.stamp(day)
            vendor = vendors[rng.randrange(len(vendors))]
            draft = is_order or (day > SPAN_DAYS - 30 and rng.random() < 0.5)
            number = f"{draft_series}{100001 + index}" if draft else str(posted_start + index)
            header_id = self.uid()
            net = 0
            for line in range(rng.randrange(1, 4)):
                account = accounts[_EXPENSE[rng.randrange(len(_EXPENSE))]]
                cents, qty = rng.randrange(10, 3_000) * 100, rng.randrange(1, 5)
                amount = cents * qty
                net += amount
                excl = money(amount)
                self.row(
                    lines_set,
                    0,
                    documentId=header_id,
                    sequence=(line + 1) * 10_000,
                    accountId=account[0],
                    lineType="Account",
                    lineObjectNumber=account[1],
                    description=account[2],
                    quantity=money(qty * 100),
                    **{price_field: money(cents)},
                    amountExcludingTax=excl,
                    netAmount=excl,
                    amountIncludingTax=excl,
                    netAmountIncludingTax=excl,
                    expectedReceiptDate=_DATES[day],
                )
            address = {
                f"{prefix}{part}": vendor[vend_pos[source]]
                for prefix in ("buyFrom", "payTo")
                for part, source in (
                    ("AddressLine1", "addressLine1"),
                    ("City", "city"),
                    ("State", "state"),
                    ("Country", "country"),
                    ("PostCode", "postalCode"),
                )
            }
            values: dict[str, Any] = {
                "id": header_id,
                "number": number,
                "postingDate": _DATES[day],
                "vendorId": vendor[0],
                "vendorNumber": vendor[1],
                "vendorName": vendor[2],
                "payToName": vendor[2],
                "payToVendorId": vendor[0],
                "payToVendorNumber": vendor[1],
                "totalAmountExcludingTax": money(net),
                "totalAmountIncludingTax": money(net),
                "status": "Draft" if draft else "Open",
                **address,
            }
            if is_order:
                values.update(
                    orderDate=_DATES[day],
                    status="Open" if rng.random() < 0.7 else "Draft",
                    paymentTermsId=vendor[vend_pos["paymentTermsId"]],
                )
            else:
                values.update(
                    invoiceDate=_DATES[day], dueDate=_DATES[day + 30], vendorInvoiceNumber=f"VINV-{50000 + index}"
                )
            self.row(name, stamp, **values)
            if draft:
                continue
            self.gl(day, stamp, number, "Invoice", "60300", net, vendor[2])
            self.gl(day, stamp, number, "Invoice", "20100", -net, vendor[2])

    def shipments(self, count: int) -> None:
        """Posted shipments of the first ``count`` customers' orders (read-only history)."""
        rng = self.rng
        cust_pos = self.table("customers").pos
        for index in range(count):
            day = index * SPAN_DAYS // max(count, 1)
            customer = self.customers[rng.randrange(len(self.customers))]
            header = self.row(
                "salesShipments",
                self.stamp(day),
                number=str(102001 + index),
                postingDate=_DATES[day],
                invoiceDate=_DATES[day],
                dueDate=_DATES[day + 30],
                customerId=customer[0],
                customerNumber=customer[1],
                customerName=customer[2],
                billToName=customer[2],
                billToCustomerId=customer[0],
                billToCustomerNumber=customer[1],
                shipToName=customer[2],
                sellToAddressLine1=customer[cust_pos["addressLine1"]],
                sellToCity=customer[cust_pos["city"]],
                orderNumber=f"S-ORD{101001 + index}",
                paymentTermsCode="30 DAYS",
            )
            for line in range(rng.randrange(1, 3)):
                pick = rng.randrange(len(self.items))
                item = self.items[pick]
                self.row(
                    "salesShipmentLines",
                    0,
                    documentId=header[0],
                    documentNo=header[1],
                    sequence=(line + 1) * 10_000,
                    lineType="Item",
                    lineObjectNumber=item[1],
                    description=item[2],
                    unitOfMeasureCode="PCS",
                    unitPrice=money(self.item_cents[pick]),
                    quantity=money(rng.randrange(1, 10) * 100),
                    shipmentDate=_DATES[day],
                )

    def journal_lines(self) -> None:
        journal = next(iter(self.table("journals").rows.values()))
        for index in range(4):
            account = self.accounts[_EXPENSE[index]]
            self.row(
                "journalLines",
                self.stamp(SPAN_DAYS - 5),
                journalId=journal[0],
                journalDisplayName=journal[1],
                lineNumber=(index + 1) * 10_000,
                accountType="G_x002F_L_x0020_Account",
                accountId=account[0],
                accountNumber=account[1],
                postingDate=_DATES[SPAN_DAYS - 5],
                documentNumber="G00001",
                amount=money((index + 1) * 10_000),
                description=f"Accrual {account[2]}",
                balanceAccountType="G_x002F_L_x0020_Account",
                balancingAccountId=self.accounts["10100"][0],
                balancingAccountNumber="10100",
            )
        payments = next(iter(self.table("customerPaymentJournals").rows.values()))
        for index in range(3):
            customer = self.customers[index]
            self.row(
                "customerPayments",
                self.stamp(SPAN_DAYS - 3),
                journalId=payments[0],
                journalDisplayName=payments[1],
                lineNumber=(index + 1) * 10_000,
                customerId=customer[0],
                customerNumber=customer[1],
                postingDate=_DATES[SPAN_DAYS - 3],
                documentNumber=f"G0{2001 + index}",
                amount=money(-(index + 1) * 25_000),
                description=customer[2],
            )
        vendor_payments = next(iter(self.table("vendorPaymentJournals").rows.values()))
        for index in range(2):
            vendor = self.vendors[index]
            self.row(
                "vendorPayments",
                self.stamp(SPAN_DAYS - 3),
                journalId=vendor_payments[0],
                journalDisplayName=vendor_payments[1],
                lineNumber=(index + 1) * 10_000,
                vendorId=vendor[0],
                vendorNumber=vendor[1],
                postingDate=_DATES[SPAN_DAYS - 3],
                documentNumber=f"G0{3001 + index}",
                amount=money((index + 1) * 40_000),
                description=vendor[2],
            )

    def company_information(self, name: str, phone: str) -> None:
        city, state, postal = _CITIES[0]
        self.row(
            "companyInformation",
            self.stamp(0),
            displayName=name,
            addressLine1="7122 South Ashford Street",
            city=city,
            state=state,
            country=self.country,
            postalCode=postal,
            phoneNumber=phone,
            email="info@cronus.example.com",
            website="www.cronus.example.com",
            taxRegistrationNumber="US-77-1234567",
            currencyCode=self.currency,
            currentFiscalYearStartDate="2025-01-01",
            industry="Furniture",
        )

    def run(self) -> None:
        self.entry = 0
        n = self.invoices
        self.company_information(self.company.display_name, "+1 425 555 0100")
        self.reference()
        self.masters()
        self.sales("salesInvoices", n, "S-INV", 103001)
        self.sales("salesCreditMemos", max(3, n // 20), "S-CR", 104001)
        self.sales("salesOrders", max(3, n // 20), "S-ORD", 101001)
        self.purchases("purchaseInvoices", max(5, n // 4), "P-INV", 108001)
        self.purchases("purchaseOrders", max(3, n // 20), "P-ORD", 106001)
        self.shipments(max(3, n // 50))
        self.journal_lines()
        self.company.series.update(
            {
                "S-INV": n + 100000,
                "S-CR": 100000 + max(3, n // 20),
                "S-ORD": 100000 + max(3, n // 20),
                "P-INV": 100000 + max(5, n // 4),
                "P-ORD": 100000 + max(3, n // 20),
                "posted:salesInvoices": 103000 + n,
                "posted:salesCreditMemos": 104000 + max(3, n // 20),
                "posted:purchaseInvoices": 108000 + max(5, n // 4),
                "GLENTRY": self.entry,
            }
        )


def _stamp(seconds: float) -> str:
    """``iso_datetime`` for the generated timeline, from the day table (several times faster than strftime)."""
    whole = int(seconds)
    day, rest = divmod(whole - EPOCH_START, 86_400)
    if not 0 <= day < len(_DATES):
        return iso_datetime(seconds)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    millis = min(999, round((seconds - whole) * 1_000_000) // 1000)
    return f"{_DATES[day]}T{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}Z"


def _term_days(formula: str) -> int:
    """Days a due-date formula adds, for seeding (the write path uses ``documents.due_date``)."""
    if formula.endswith("D") and formula[:-1].isdigit():
        return int(formula[:-1])
    return 30


def generate(seed: int, size: str | int) -> Tenant:
    """The sandbox tenant for a seed and size."""
    rng = random.Random(f"bc:{seed}")  # noqa: S311 - reproducible data, not secrets
    tenant = Tenant(str(uuid.UUID(int=rng.getrandbits(128), version=4)))
    plan = (
        ("production", "Production", "CRONUS USA, Inc.", "USD", "US", invoice_count(size)),
        ("production", "Production", "CRONUS Canada, Inc.", "CAD", "CA", min(invoice_count(size), 60)),
        ("sandbox", "Sandbox", "CRONUS USA, Inc.", "USD", "US", min(invoice_count(size), 60)),
    )
    for index, (env_name, env_type, name, currency, country, invoices) in enumerate(plan):
        environment = tenant.environments.setdefault(env_name, Environment(env_name, env_type))
        company_rng = random.Random(f"bc:{seed}:{index}")  # noqa: S311 - reproducible data, not secrets
        company_id = str(uuid.UUID(int=company_rng.getrandbits(128), version=4))
        company = Company(company_id, name, name, iso_datetime(EPOCH_START - 86_400 * 30))
        environment.companies[company_id] = company
        _Seeder(company, company_rng, invoices, currency, country).run()
    return tenant
