"""The seeded account's reference lists: subsidiaries (OneWorld), currencies and rates, the chart of accounts,
periods (the older ones closed), terms, items, tax codes, departments/classes/locations and one custom segment.

Everything here is the same for every seed (only the anchor day moves the periods and rates), so tests can name
"the A/R account" or "the GBP subsidiary" by the constants below. ``Books`` is what defaults and rules look up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from ledgerport.sandboxes.netsuite.catalog import CUSTOM_SEGMENT, CUSTOM_SEGMENT_RECORD, RECORD_TYPES
from ledgerport.sandboxes.netsuite.store import Account

__all__ = [
    "ACCOUNTS",
    "AP",
    "AR",
    "BANK_GBP",
    "BANK_USD",
    "Books",
    "CARD",
    "CURRENCIES",
    "ITEMS",
    "SUBSIDIARIES",
    "UNDEPOSITED",
    "seed_reference",
]

# (id, name, symbol, display, base)
CURRENCIES = [
    (1, "US Dollar", "USD", "$", True),
    (2, "British Pound", "GBP", "£", False),
    (3, "Euro", "EUR", "€", False),
    (4, "Canadian Dollar", "CAD", "CA$", False),
]
_USD_PER = {1: 1.0, 2: 1.27, 3: 1.08, 4: 0.74}
# (id, name, legal name, parent, currency, country, elimination)
SUBSIDIARIES = [
    (1, "Ledgerport Inc.", "Ledgerport Incorporated", None, 1, "US", False),
    (2, "Ledgerport UK Ltd", "Ledgerport UK Limited", 1, 2, "GB", False),
    (3, "Ledgerport Elimination", "Ledgerport Elimination", 1, 1, "US", True),
]
BANK_USD = 1
BANK_GBP = 2
AR = 3
UNDEPOSITED = 4
INVENTORY = 5
AP = 9
CARD = 10
# (id, number, name, type, parent, summary, currency, subsidiaries)
ACCOUNTS: list[tuple[int, str, str, str, int | None, bool, int, tuple[int, ...]]] = [
    (BANK_USD, "1000", "Checking", "Bank", None, False, 1, (1,)),
    (BANK_GBP, "1010", "UK Current Account", "Bank", None, False, 2, (2,)),
    (AR, "1100", "Accounts Receivable", "AcctRec", None, False, 1, (1, 2, 3)),
    (UNDEPOSITED, "1150", "Undeposited Funds", "OthCurrAsset", None, False, 1, (1, 2, 3)),
    (INVENTORY, "1200", "Inventory Asset", "OthCurrAsset", None, False, 1, (1, 2)),
    (6, "1500", "Fixed Assets", "FixedAsset", None, True, 1, (1, 2)),
    (7, "1510", "Equipment", "FixedAsset", 6, False, 1, (1, 2)),
    (8, "1520", "Furniture", "FixedAsset", 6, False, 1, (1, 2)),
    (AP, "2000", "Accounts Payable", "AcctPay", None, False, 1, (1, 2, 3)),
    (CARD, "2100", "Corporate Card", "CredCard", None, False, 1, (1,)),
    (11, "2200", "Sales Tax Payable", "OthCurrLiab", None, False, 1, (1, 2)),
    (12, "2300", "Accrued Liabilities", "OthCurrLiab", None, False, 1, (1, 2)),
    (13, "2500", "Long-term Loan", "LongTermLiab", None, False, 1, (1,)),
    (14, "2600", "Deferred Revenue", "DeferRevenue", None, False, 1, (1, 2)),
    (15, "3000", "Common Stock", "Equity", None, False, 1, (1, 2, 3)),
    (16, "3100", "Retained Earnings", "Equity", None, False, 1, (1, 2, 3)),
    (17, "4000", "Product Sales", "Income", None, False, 1, (1, 2)),
    (18, "4100", "Service Revenue", "Income", None, False, 1, (1, 2)),
    (19, "4200", "Other Income", "OthIncome", None, False, 1, (1, 2)),
    (20, "5000", "Cost of Goods Sold", "COGS", None, False, 1, (1, 2)),
    (21, "6000", "Rent", "Expense", None, False, 1, (1, 2)),
    (22, "6100", "Travel", "Expense", None, False, 1, (1, 2)),
    (23, "6200", "Office Supplies", "Expense", None, False, 1, (1, 2)),
    (24, "6300", "Software", "Expense", None, False, 1, (1, 2)),
    (25, "6400", "Professional Fees", "Expense", None, False, 1, (1, 2)),
    (26, "6500", "Meals", "Expense", None, False, 1, (1, 2)),
    (27, "7000", "Interest Expense", "OthExpense", None, False, 1, (1, 2)),
    (28, "8000", "Realized Gain/Loss", "OthIncome", None, False, 1, (1, 2, 3)),
    (29, "9000", "Headcount", "Stat", None, False, 1, (1,)),
]
EXPENSE_ACCOUNTS = (21, 22, 23, 24, 25, 26)
# (id, type, name, price, cost, income, expense, asset)
ITEMS: list[tuple[int, str, str, str, str, int | None, int | None, int | None]] = [
    (1, "inventoryItem", "Widget A", "25.00", "12.00", 17, 20, INVENTORY),
    (2, "inventoryItem", "Widget B", "40.00", "20.00", 17, 20, INVENTORY),
    (3, "inventoryItem", "Gadget Pro", "120.00", "70.00", 17, 20, INVENTORY),
    (4, "nonInventorySaleItem", "Shipping Supplies", "5.00", "2.00", 17, None, None),
    (5, "nonInventorySaleItem", "Gift Wrap", "3.00", "1.00", 17, None, None),
    (6, "serviceSaleItem", "Consulting Hour", "150.00", "0", 18, None, None),
    (7, "serviceSaleItem", "Implementation", "2000.00", "0", 18, None, None),
    (8, "serviceSaleItem", "Support Plan", "99.00", "0", 18, None, None),
    (9, "serviceSaleItem", "Training Session", "500.00", "0", 18, None, None),
    (10, "servicePurchaseItem", "Contractor Hours", "0", "80.00", None, 25, None),
    (11, "nonInventoryPurchaseItem", "Office Chair", "0", "200.00", None, 23, None),
    (12, "otherChargeSaleItem", "Late Fee", "25.00", "0", 19, None, None),
    (13, "discountItem", "Loyalty Discount", "-10.00", "0", 17, None, None),
]
SALE_ITEMS = (1, 2, 3, 4, 5, 6, 7, 8, 9)
PURCHASE_ITEMS = (1, 2, 3, 10, 11)
TAX_CODES = [(14, "CA State Tax", "7.25"), (15, "NY Sales Tax", "8.875"), (16, "Exempt", "0")]
TAX_GROUP = (17, "CA Combined", "9.5")
TERMS = [
    (1, "Net 15", 15, None),
    (2, "Net 30", 30, None),
    (3, "Net 60", 60, None),
    (4, "Due on receipt", 0, None),
    (5, "1% 10 Net 30", 30, "1.0"),
]
DEPARTMENTS = [
    (1, "Sales", None),
    (2, "Engineering", None),
    (3, "Operations", None),
    (4, "Finance", None),
    (5, "Platform", 2),
]
CLASSES = [(1, "Hardware", None), (2, "Services", None), (3, "Subscriptions", None)]
LOCATIONS = [(1, "San Francisco HQ", None, 1), (2, "New York", None, 1), (3, "London", None, 2)]
SEGMENT_VALUES = [(1, "Install"), (2, "Maintenance"), (3, "Consulting"), (4, "Training")]


@dataclass
class Books:
    """What defaults and rules look up: periods by month, rates by month, base currencies, item accounts."""

    anchor: date
    periods: dict[tuple[int, int], int] = field(default_factory=dict)  # (year, month) -> period id
    rates: dict[tuple[int, int, int, int], Decimal] = field(default_factory=dict)  # (base, tran, y, m) -> rate
    base_currency: dict[int, int] = field(default_factory=dict)  # subsidiary -> currency

    def period_for(self, day: date) -> int | None:
        """The posting period containing ``day``."""
        return self.periods.get((day.year, day.month))

    def rate(self, subsidiary: int, currency: int, day: date) -> Decimal:
        """Transaction currency -> subsidiary base currency on ``day`` (the month's rate, 1 for the same)."""
        base = self.base_currency.get(subsidiary, 1)
        if base == currency:
            return Decimal(1)
        found = self.rates.get((base, currency, day.year, day.month))
        if found is None:
            return Decimal(str(round(_USD_PER.get(currency, 1.0) / _USD_PER.get(base, 1.0), 6)))
        return found


def _ref(record_id: int | None) -> dict[str, str] | None:
    return None if record_id is None else {"id": str(record_id)}


def _subs(ids: tuple[int, ...]) -> dict[str, Any]:
    return {"items": [{"id": str(i)} for i in ids]}


def _put(account: Account, type_name: str, record_id: int, doc: dict[str, Any]) -> None:
    rt = RECORD_TYPES[type_name]
    doc = {"id": str(record_id), **{k: v for k, v in doc.items() if v is not None}}
    account.sequences[rt.family] = max(account.sequences.get(rt.family, 0), record_id)
    account.put(rt, doc)


def _months(start: date, count: int) -> list[date]:
    out, year, month = [], start.year, start.month
    for _ in range(count):
        out.append(date(year, month, 1))
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return out


def seed_reference(account: Account, anchor: date, created: str) -> Books:
    """Write the reference lists; returns the lookups for the transactions that follow."""
    books = Books(anchor)
    stamp = {"lastModifiedDate": created}
    for cid, name, symbol, display, base in CURRENCIES:
        _put(
            account,
            "currency",
            cid,
            {
                "name": name,
                "symbol": symbol,
                "displaySymbol": display,
                "isBaseCurrency": base,
                "exchangeRate": Decimal(str(_USD_PER[cid])),
                "isInactive": False,
                "currencyPrecision": 2,
                "symbolPlacement": {"id": "1"},
                "isAnchorCurrency": False,
                "overrideCurrencyFormat": False,
                "includeInFxRateUpdates": True,
                "formatSample": f"{display}1,234.56",
                **stamp,
            },
        )
    for sid, name, legal, parent, currency, country, elim in SUBSIDIARIES:
        books.base_currency[sid] = currency
        parent_name = next((s[1] for s in SUBSIDIARIES if s[0] == parent), None)
        _put(
            account,
            "subsidiary",
            sid,
            {
                "name": name,
                "fullName": f"{parent_name} : {name}" if parent_name else name,
                "legalName": legal,
                "parent": _ref(parent),
                "currency": _ref(currency),
                "country": {"id": country},
                "isElimination": elim,
                "isInactive": False,
                **stamp,
            },
        )
    # Monthly rates, 27 months back to 3 ahead, from each subsidiary base to every other currency.
    first = date(anchor.year - 3, 1, 1)
    rate_id = 0
    for index, month in enumerate(_months(first, (anchor.year - first.year + 1) * 12)):
        for base in (1, 2):
            for tran in (1, 2, 3, 4):
                if tran == base:
                    continue
                wobble = 1 + 0.03 * math.sin(index / 3 + tran)
                value = Decimal(str(round(_USD_PER[tran] / _USD_PER[base] * wobble, 6)))
                books.rates[(base, tran, month.year, month.month)] = value
                rate_id += 1
                _put(
                    account,
                    "currencyRate",
                    rate_id,
                    {
                        "baseCurrency": _ref(base),
                        "transactionCurrency": _ref(tran),
                        "exchangeRate": value,
                        "effectiveDate": month.isoformat(),
                    },
                )
    by_id = {a[0]: a for a in ACCOUNTS}
    for aid, number, name, kind, parent, summary, currency, subs in ACCOUNTS:
        full = f"{by_id[parent][2]} : {name}" if parent else name
        _put(
            account,
            "account",
            aid,
            {
                "acctNumber": number,
                "acctName": name,
                "fullName": full,
                "displayNameWithHierarchy": f"{number} {full}",
                "accountSearchDisplayName": f"{number} {name}",
                "acctType": {"id": kind},
                "parent": _ref(parent),
                "isSummary": summary,
                "isInactive": False,
                "currency": _ref(currency),
                "subsidiary": _subs(subs),
                "includeChildren": len(subs) > 1,
                "description": f"{name} account",
                "generalRate": {
                    "id": "CURRENT"
                    if kind in {"Bank", "AcctRec", "AcctPay", "OthCurrAsset", "OthCurrLiab", "CredCard"}
                    else "HISTORICAL"
                },
                "cashFlowRate": {"id": "AVERAGE"},
                "eliminate": False,
                "revalue": kind in {"Bank", "AcctRec", "AcctPay"},
                "inventory": False,
                **stamp,
            },
        )
    _seed_periods(account, anchor, books, stamp)
    for tid, name, days, discount in TERMS:
        _put(
            account,
            "term",
            tid,
            {
                "name": name,
                "daysUntilNetDue": days,
                "discountPercent": Decimal(discount) if discount else None,
                "daysUntilExpiry": 10 if discount else None,
                "dateDriven": {"id": "F"},
                "preferred": tid == 2,
                "isInactive": False,
                **stamp,
            },
        )
    for did, name, parent in DEPARTMENTS:
        parent_name = next((d[1] for d in DEPARTMENTS if d[0] == parent), None)
        _put(
            account,
            "department",
            did,
            {
                "name": name,
                "fullName": f"{parent_name} : {name}" if parent_name else name,
                "parent": _ref(parent),
                "isInactive": False,
                "subsidiary": _subs((1, 2)),
                "includeChildren": True,
                **stamp,
            },
        )
    for cid, name, parent in CLASSES:
        _put(
            account,
            "classification",
            cid,
            {
                "name": name,
                "fullName": name,
                "parent": _ref(parent),
                "isInactive": False,
                "subsidiary": _subs((1, 2)),
                "includeChildren": True,
                **stamp,
            },
        )
    for lid, name, parent, sub in LOCATIONS:
        _put(
            account,
            "location",
            lid,
            {
                "name": name,
                "fullName": name,
                "parent": _ref(parent),
                "isInactive": False,
                "subsidiary": _subs((sub,)),
                "includeChildren": False,
                **stamp,
            },
        )
    _put(account, "taxType", 1, {"name": "Sales Tax", "description": "US sales tax", "country": {"id": "US"}})
    for iid, type_name, name, price, cost, income, expense, asset in ITEMS:
        _put(
            account,
            type_name,
            iid,
            {
                "itemId": name,
                "displayName": name,
                "itemType": {"id": RECORD_TYPES[type_name].code},
                "salesDescription": name if income else None,
                "purchaseDescription": name if expense else None,
                "basePrice": Decimal(price),
                "cost": Decimal(cost),
                "incomeAccount": _ref(income),
                "expenseAccount": _ref(expense),
                "assetAccount": _ref(asset),
                "isInactive": False,
                "subsidiary": _subs((1, 2)),
                "includeChildren": True,
                "createdDate": created,
                **stamp,
            },
        )
    for iid, name, rate in TAX_CODES:
        _put(
            account,
            "salesTaxItem",
            iid,
            {
                "description": name,
                "rate": Decimal(rate),
                "itemType": "TaxItem",
                "taxType": _ref(1),
                "isInactive": False,
                "_sql": {"itemid": name, "fullname": name},
            },
        )
    gid, name, rate = TAX_GROUP
    _put(
        account,
        "taxGroup",
        gid,
        {
            "itemId": name,
            "description": name,
            "rate": Decimal(rate),
            "taxType": _ref(1),
            "isInactive": False,
        },
    )
    for vid, name in SEGMENT_VALUES:
        _put(
            account,
            CUSTOM_SEGMENT_RECORD,
            vid,
            {
                "name": name,
                "isInactive": False,
                "_lastmodified": created,
                "_created": created,
                "_sql": {"scriptid": f"VAL_{vid}"},
            },
        )
    account.db.execute(
        "INSERT INTO customsegment VALUES (1, ?, 'PA Activity Code', ?, 'F')", (CUSTOM_SEGMENT, CUSTOM_SEGMENT_RECORD)
    )
    return books


def _seed_periods(account: Account, anchor: date, books: Books, stamp: dict[str, Any]) -> None:
    """Fiscal years = calendar years from three years back to next year; a month is closed (and all-locked) once
    it ended more than 120 days before the anchor, A/R and A/P locked once it ended more than 60 days before."""
    pid = 0
    for year in range(anchor.year - 3, anchor.year + 2):
        pid += 1
        year_id = pid
        year_end = date(year, 12, 31)
        year_closed = (anchor - year_end).days > 120
        _put(
            account,
            "accountingPeriod",
            year_id,
            {
                "periodName": f"FY {year}",
                "startDate": date(year, 1, 1).isoformat(),
                "endDate": year_end.isoformat(),
                "isPosting": False,
                "isYear": True,
                "isQuarter": False,
                "isAdjust": False,
                "closed": year_closed,
                "apLocked": year_closed,
                "arLocked": year_closed,
                "allLocked": year_closed,
                "isInactive": False,
                "closedOnDate": (year_end + timedelta(days=100)).isoformat() if year_closed else None,
                **stamp,
            },
        )
        for quarter in range(4):
            pid += 1
            quarter_id = pid
            q_start = date(year, quarter * 3 + 1, 1)
            q_end = date(year + (quarter == 3), (quarter * 3 + 4) % 12 or 12, 1) - timedelta(days=1)
            q_closed = (anchor - q_end).days > 120
            _put(
                account,
                "accountingPeriod",
                quarter_id,
                {
                    "periodName": f"Q{quarter + 1} {year}",
                    "startDate": q_start.isoformat(),
                    "endDate": q_end.isoformat(),
                    "isPosting": False,
                    "isYear": False,
                    "isQuarter": True,
                    "isAdjust": False,
                    "closed": q_closed,
                    "apLocked": q_closed,
                    "arLocked": q_closed,
                    "allLocked": q_closed,
                    "isInactive": False,
                    "parent": _ref(year_id),
                    **stamp,
                },
            )
            for offset in range(3):
                pid += 1
                m_start = date(year, quarter * 3 + offset + 1, 1)
                m_end = date(year + (m_start.month == 12), m_start.month % 12 + 1, 1) - timedelta(days=1)
                age = (anchor - m_end).days
                closed, locked = age > 120, age > 60
                books.periods[(year, m_start.month)] = pid
                _put(
                    account,
                    "accountingPeriod",
                    pid,
                    {
                        "periodName": m_start.strftime("%b %Y"),
                        "startDate": m_start.isoformat(),
                        "endDate": m_end.isoformat(),
                        "isPosting": True,
                        "isYear": False,
                        "isQuarter": False,
                        "isAdjust": False,
                        "closed": closed,
                        "apLocked": locked,
                        "arLocked": locked,
                        "allLocked": closed,
                        "isInactive": False,
                        "parent": _ref(quarter_id),
                        "closedOnDate": (m_end + timedelta(days=110)).isoformat() if closed else None,
                        **stamp,
                    },
                )
