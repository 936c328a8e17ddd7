"""Reference records: the company, its chart of accounts, tax rates, contacts and the rest that documents point at.

Each function turns catalog rows (and a few draws from ``rng``) into :class:`NewRecord` values in the order of its
input, so the caller can zip the ids the store returns back onto the rows. Nothing here touches the database.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from ledgerport.dev.catalog import (
    ACCOUNTS,
    COMPANY,
    FIRST_NAMES,
    ITEMS,
    LAST_NAMES,
    NAME_STEMS,
    NAME_SUFFIXES,
    PAYMENT_TERMS,
    REGIONS,
    STREETS,
    TAX_RATES,
    TRACKING_CATEGORIES,
    Region,
    TrackingRow,
)
from ledgerport.dev.ledger import CENT, START, Goods, Ledger, Party, cents, day, remote, stamp
from ledgerport.models import (
    Account,
    AccountingPeriod,
    AccountingPhoneNumber,
    AccountStatus,
    ActiveOrArchived,
    ActiveOrInactive,
    Address,
    AddressType,
    CategoryType,
    CompanyInfo,
    ComponentType,
    Contact,
    Country,
    Currency,
    Employee,
    Item,
    PaymentTerm,
    Project,
    TaxComponent,
    TaxRate,
    TrackingCategory,
)
from ledgerport.store.records import NewRecord

__all__ = [
    "accounting_periods",
    "accounts",
    "company_info",
    "contacts",
    "employees",
    "goods",
    "items",
    "payment_terms",
    "projects",
    "tax_rates",
    "tracking_categories",
]

_US = REGIONS[0]
_CREATED = START - timedelta(days=400)  # the company existed in the provider well before the seeded activity
_PROJECT_NAMES = ("Website redesign", "ERP rollout", "Data warehouse", "Mobile app", "Security audit", "Migration")


def _address(rng: random.Random, region: Region, kind: AddressType) -> Address:
    city, state, zip_code = rng.choice(region.cities)
    street = f"{rng.randint(1, 999)} {rng.choice(STREETS)}"
    return Address(type=kind, street_1=street, city=city, state=state, country=region.country, zip_code=zip_code)


def _phone(rng: random.Random, region: Region, kind: str) -> AccountingPhoneNumber:
    return AccountingPhoneNumber(number=f"{region.phone_prefix} 555 {rng.randrange(10**6):06d}", type=kind)


def company_info(rng: random.Random, ledger: Ledger) -> NewRecord:
    """The one company of the linked account (US-based, USD books, fiscal year ending 31 December)."""
    model = CompanyInfo(
        name=COMPANY["name"],
        legal_name=COMPANY["legal_name"],
        tax_number=COMPANY["tax_number"],
        fiscal_year_end_month=12,
        fiscal_year_end_day=31,
        currency=Currency.USD,
        remote_created_at=_CREATED,
        urls=[f"https://www.{COMPANY['domain']}"],
        addresses=[_address(rng, _US, AddressType.BILLING), _address(rng, _US, AddressType.SHIPPING)],
        phone_numbers=[_phone(rng, _US, "Business")],
        remote_was_deleted=False,
    )
    data = {"CompanyName": COMPANY["name"], "LegalName": COMPANY["legal_name"], "Country": "US"}
    return NewRecord(remote_id="company-1", model=model, remote_data=remote(ledger, "companyinfo", 1, data))


def accounting_periods(ledger: Ledger) -> list[NewRecord]:
    """Twenty-four monthly periods covering the seeded window; all but the last quarter are closed."""
    records = []
    for index in range(24):
        year, month = divmod(index, 12)
        start = datetime(START.year + year, month + 1, 1, tzinfo=UTC)
        following = datetime(start.year + (start.month == 12), start.month % 12 + 1, 1, tzinfo=UTC)
        end = following - timedelta(microseconds=1)
        status = ActiveOrInactive.ACTIVE if index >= 21 else ActiveOrInactive.INACTIVE
        model = AccountingPeriod(name=start.strftime("%B %Y"), status=status, start_date=start, end_date=end)
        data = {"Name": model.name, "StartDate": start.date().isoformat(), "EndDate": end.date().isoformat()}
        records.append(
            NewRecord(
                remote_id=f"period-{index + 1}",
                model=model,
                remote_data=remote(ledger, "accountingperiod", index + 1, data),
            )
        )
    return records


def accounts(rng: random.Random, ledger: Ledger) -> list[NewRecord]:
    """The chart of accounts, in the order of ``ACCOUNTS``."""
    records = []
    for number, row in enumerate(ACCOUNTS, start=1):
        model = Account(
            name=row.name,
            description=f"{row.provider_type}: {row.name}",
            classification=row.classification,
            type=row.provider_type,
            account_type=row.account_type,
            status=AccountStatus.ACTIVE,
            current_balance=cents(rng.randrange(0, 50_000_000)),
            currency=row.currency,
            account_number=row.number,
            company=ledger.company,
            remote_was_deleted=False,
        )
        data = {
            "Name": row.name,
            "AcctNum": row.number,
            "AccountType": row.provider_type,
            "CurrentBalance": model.current_balance,
            "CurrencyRef": {"value": row.currency.value},
        }
        records.append(
            NewRecord(remote_id=f"acct-{number}", model=model, remote_data=remote(ledger, "account", number, data))
        )
    return records


def tax_rates(ledger: Ledger) -> list[NewRecord]:
    """One TaxRate per ``TAX_RATES`` row; the total is the sum of its components."""
    records = []
    for number, row in enumerate(TAX_RATES, start=1):
        total = row.total
        components = [
            TaxComponent(name=name, rate=rate, is_compound=False, component_type=ComponentType.SALES)
            for name, rate in row.components
        ]
        model = TaxRate(
            company=ledger.company,
            code=row.code,
            name=row.name,
            description=f"{row.name} ({total}%)",
            status=ActiveOrArchived.ACTIVE,
            country=row.country.value,
            total_tax_rate=total,
            effective_tax_rate=total,
            tax_components=components,
            remote_was_deleted=False,
        )
        data = {"Name": row.name, "Code": row.code, "RateValue": total, "Active": True}
        records.append(
            NewRecord(remote_id=f"tax-{number}", model=model, remote_data=remote(ledger, "taxcode", number, data))
        )
    return records


def tracking_categories(ledger: Ledger, rows: Sequence[TrackingRow], parents: dict[str, str]) -> list[NewRecord]:
    """Classes and departments of ``rows``; ``parents`` maps an already written row's name to its id."""
    records = []
    for row in rows:
        number = TRACKING_CATEGORIES.index(row) + 1
        model = TrackingCategory(
            name=row.name,
            status=ActiveOrArchived.ACTIVE,
            category_type=row.category_type,
            parent_category=None if row.parent is None else parents[row.parent],
            company=ledger.company,
            remote_was_deleted=False,
        )
        resource = "class" if row.category_type == CategoryType.CLASS else "department"
        records.append(
            NewRecord(
                remote_id=f"tc-{number}",
                model=model,
                remote_data=remote(ledger, resource, number, {"Name": row.name, "Active": True}),
            )
        )
    return records


def payment_terms(ledger: Ledger) -> list[NewRecord]:
    """One PaymentTerm per ``PAYMENT_TERMS`` row."""
    records = []
    for number, (name, days, discount_days) in enumerate(PAYMENT_TERMS, start=1):
        model = PaymentTerm(
            name=name,
            is_active=True,
            company=ledger.company,
            days_until_due=days,
            discount_days=discount_days,
            remote_last_modified_at=_CREATED,
        )
        records.append(
            NewRecord(
                remote_id=f"term-{number}",
                model=model,
                remote_data=remote(ledger, "term", number, {"Name": name, "DueDays": days, "Active": True}),
            )
        )
    return records


def _names(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct company names: shuffled stem/suffix pairs, numbered once they run out."""
    pairs = [f"{stem} {suffix}" for stem, suffix in itertools.product(NAME_STEMS, NAME_SUFFIXES)]
    rng.shuffle(pairs)
    return [pairs[i % len(pairs)] + (f" {i // len(pairs) + 1}" if i >= len(pairs) else "") for i in range(count)]


def contacts(
    rng: random.Random, ledger: Ledger, *, customers: int, suppliers: int
) -> tuple[list[NewRecord], list[Party]]:
    """Customers then suppliers, with a :class:`Party` per record (``id`` left empty for the caller to fill)."""
    regions = rng.choices(REGIONS, weights=[region.weight for region in REGIONS], k=customers + suppliers)
    records, parties = [], []
    for index, (name, region) in enumerate(zip(_names(rng, customers + suppliers), regions, strict=True)):
        number, is_customer = index + 1, index < customers
        slug = "".join(ch for ch in name.lower() if ch.isalnum())
        addresses = [_address(rng, region, AddressType.BILLING)]
        if is_customer and rng.random() < 0.5:
            addresses.append(_address(rng, region, AddressType.SHIPPING))
        updated = day(rng) + timedelta(minutes=rng.randrange(1440))
        model = Contact(
            name=name,
            is_supplier=not is_customer,
            is_customer=is_customer,
            email_address=f"{'ap' if is_customer else 'billing'}@{slug}.example",
            tax_number=None if region.country == Country.US else f"{region.country}{rng.randrange(10**8, 10**9)}",
            status=ActiveOrArchived.ARCHIVED if rng.random() < 0.05 else ActiveOrArchived.ACTIVE,
            currency=region.currency.value,
            remote_updated_at=updated,
            company=ledger.company,
            addresses=addresses,
            phone_numbers=[_phone(rng, region, "Business")],
            remote_was_deleted=False,
        )
        resource = "customer" if is_customer else "vendor"
        data = {
            "DisplayName": name,
            "PrimaryEmailAddr": {"Address": model.email_address},
            "CurrencyRef": {"value": model.currency},
            "MetaData": {"LastUpdatedTime": stamp(updated)},
        }
        records.append(
            NewRecord(remote_id=f"cont-{number}", model=model, remote_data=remote(ledger, resource, number, data))
        )
        term = rng.choice(ledger.terms)
        parties.append(Party(id="", remote_id=f"cont-{number}", name=name, region=region, term=term))
    return records, parties


def employees(rng: random.Random, ledger: Ledger, count: int) -> list[NewRecord]:
    """Staff and a few contractors with company email addresses."""
    records = []
    for number in range(1, count + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        model = Employee(
            first_name=first,
            last_name=last,
            is_contractor=rng.random() < 0.15,
            employee_number=f"E-{number:04d}",
            email_address=f"{first}.{last}.{number}@{COMPANY['domain']}".lower(),
            company=ledger.company,
            status=ActiveOrInactive.INACTIVE if rng.random() < 0.1 else ActiveOrInactive.ACTIVE,
            remote_was_deleted=False,
        )
        records.append(
            NewRecord(
                remote_id=f"emp-{number}",
                model=model,
                remote_data=remote(ledger, "employee", number, {"GivenName": first, "FamilyName": last}),
            )
        )
    return records


def items(ledger: Ledger) -> list[NewRecord]:
    """One Item per ``ITEMS`` row, posting to the accounts the row names."""
    records = []
    for number, row in enumerate(ITEMS, start=1):
        model = Item(
            name=row.name,
            status=ActiveOrArchived.ACTIVE,
            type=row.item_type,
            unit_price=Decimal(row.unit_price),
            purchase_price=Decimal(row.purchase_price),
            purchase_account=None if row.purchase_account is None else ledger.accounts[row.purchase_account],
            sales_account=None if row.sales_account is None else ledger.accounts[row.sales_account],
            company=ledger.company,
            remote_updated_at=_CREATED,
            remote_was_deleted=False,
        )
        data = {"Name": row.name, "Type": row.item_type.value, "UnitPrice": model.unit_price}
        records.append(
            NewRecord(remote_id=f"item-{number}", model=model, remote_data=remote(ledger, "item", number, data))
        )
    return records


def goods(ledger: Ledger, ids: Sequence[str]) -> tuple[list[Goods], list[Goods]]:
    """Written items as (sold, bought) price lists, each price converted once into every seeded currency."""
    rates = {region.currency: Decimal(region.usd_rate) for region in REGIONS}
    sold, bought = [], []
    for item_id, row in zip(ids, ITEMS, strict=True):
        for account, price, side in (
            (row.sales_account, row.unit_price, sold),
            (row.purchase_account, row.purchase_price, bought),
        ):
            if account is not None:
                prices = {currency: (Decimal(price) / rate).quantize(CENT) for currency, rate in rates.items()}
                side.append(Goods(id=item_id, row=row, account=ledger.accounts[account], prices=prices))
    return sold, bought


def projects(rng: random.Random, ledger: Ledger, count: int) -> list[NewRecord]:
    """Customer projects; the older half are finished."""
    records = []
    for number in range(1, count + 1):
        customer = rng.choice(ledger.customers)
        name = f"{rng.choice(_PROJECT_NAMES)} for {customer.name}"
        model = Project(name=name, is_active=number > count // 2, company=ledger.company, contact=customer.id)
        records.append(
            NewRecord(
                remote_id=f"proj-{number}",
                model=model,
                remote_data=remote(
                    ledger, "project", number, {"Name": name, "CustomerRef": {"value": customer.remote_id}}
                ),
            )
        )
    return records
