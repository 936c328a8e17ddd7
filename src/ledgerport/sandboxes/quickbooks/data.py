"""The deterministic company generator: ``build_company(realm_id, seed, size, anchor)``.

Same seed, size and anchor give the same company, byte for byte. Name lists (accounts, customers, vendors, items,
tax, terms, classes, departments, employees) and the two singletons (CompanyInfo, Preferences) are small; documents
are rebuilt on demand from ``documents.DOCUMENTS`` (see ``store.Table``), so 100,000 invoices cost an index, not
100,000 dicts. A short, seeded "recent history" then updates, deactivates and deletes a few records inside the last
30 days, so CDC and ``LastUpdatedTime`` filters have something to find from the first request.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ledgerport.sandboxes.quickbooks.attachables import seed_files
from ledgerport.sandboxes.quickbooks.catalog import (
    CHART,
    CLASSES,
    CURRENCIES,
    DEPARTMENTS,
    HOME_CURRENCY,
    ITEMS,
    PAYMENT_METHODS,
    TAX_CODES,
    TAX_RATES,
    TERMS,
)
from ledgerport.sandboxes.quickbooks.clock import format_date
from ledgerport.sandboxes.quickbooks.customfields import FORMS, PURCHASE_NAMES, SALES_NAMES, preference_groups
from ledgerport.sandboxes.quickbooks.documents import DOCUMENTS, account_ref, currency_ref, ref
from ledgerport.sandboxes.quickbooks.plan import DAY, SPAN, Plan, invoices_for
from ledgerport.sandboxes.quickbooks.store import ENTITIES, Company, Table

__all__ = ["LISTS", "build_company", "company_info", "preferences"]

Body = dict[str, Any]


def _account(plan: Plan, index: int) -> Body:
    name, kind, subtype, classification, number, currency = CHART[index - 1]
    return {
        "Name": name,
        "SubAccount": False,
        "FullyQualifiedName": name,
        "Active": True,
        "Classification": classification,
        "AccountType": kind,
        "AccountSubType": subtype,
        "AcctNum": number,
        "CurrentBalance": Decimal("0.00"),
        "CurrentBalanceWithSubAccounts": Decimal("0.00"),
        "CurrencyRef": currency_ref(currency),
    }


def _person(given: str, family: str, domain: str) -> Body:
    return {
        "GivenName": given,
        "FamilyName": family,
        "PrimaryEmailAddr": {"Address": f"{given.lower()}.{family.lower()}@{domain}"},
    }


def _customer(plan: Plan, index: int) -> Body:
    name, currency = plan.customer_name(index), plan.customer_currency(index)
    given, family = plan.employee_name(index + 17)
    domain = name.lower().replace(" ", "") + ".example"
    return {
        "DisplayName": name,
        "CompanyName": name,
        "FullyQualifiedName": name,
        **_person(given, family, domain),
        "PrimaryPhone": {"FreeFormNumber": f"(415) 555-{1000 + index % 9000:04d}"},
        "BillAddr": plan.address("Customer", index, currency),
        "CurrencyRef": currency_ref(currency),
        "Taxable": currency == HOME_CURRENCY,
        "Job": False,
        "BillWithParent": False,
        "SalesTermRef": ref(3, TERMS[2][0]),
        "PreferredDeliveryMethod": "Email",
        "Active": True,
    }


def _vendor(plan: Plan, index: int) -> Body:
    name, currency = plan.vendor_name(index), plan.vendor_currency(index)
    return {
        "DisplayName": name,
        "CompanyName": name,
        "PrintOnCheckName": name,
        "PrimaryEmailAddr": {"Address": f"billing@{name.lower().replace(' ', '')}.example"},
        "BillAddr": plan.address("Vendor", index, currency),
        "CurrencyRef": currency_ref(currency),
        "AcctNum": f"V-{index:05d}",
        "Vendor1099": index % 5 == 0,
        "TermRef": ref(3, TERMS[2][0]),
        "Active": True,
    }


def _employee(plan: Plan, index: int) -> Body:
    given, family = plan.employee_name(index)
    return {
        "DisplayName": f"{given} {family} {index}",
        "PrintOnCheckName": f"{given} {family}",
        **_person(given, family, "sandbox-company.example"),
        "EmployeeNumber": f"E{index:03d}",
        "HiredDate": format_date(plan.created("Employee", index)),
        "BillableTime": False,
        "Active": True,
    }


def _item(plan: Plan, index: int) -> Body:
    name, kind, price, cost, income, expense, taxable = ITEMS[index - 1]
    body: Body = {
        "Name": name,
        "Sku": f"SKU-{index:04d}",
        "Description": name,
        "FullyQualifiedName": name,
        "Active": True,
        "Taxable": taxable,
        "UnitPrice": Decimal(price),
        "Type": kind,
        "IncomeAccountRef": account_ref(income),
        "PurchaseCost": Decimal(cost),
        "ExpenseAccountRef": account_ref(expense),
        "TrackQtyOnHand": kind == "Inventory",
    }
    if kind == "Inventory":
        body.update(
            {
                "AssetAccountRef": account_ref("Inventory Asset"),
                "QtyOnHand": 40 + index * 3,
                "InvStartDate": format_date(plan.created("Item", index)),
            }
        )
    return body


def _term(plan: Plan, index: int) -> Body:
    name, days = TERMS[index - 1]
    return {"Name": name, "Active": True, "Type": "STANDARD", "DueDays": days, "DiscountDays": 0}


def _payment_method(plan: Plan, index: int) -> Body:
    name, kind, active = PAYMENT_METHODS[index - 1]
    return {"Name": name, "Active": active, "Type": kind}


def _class(plan: Plan, index: int) -> Body:
    name = CLASSES[index - 1]
    return {"Name": name, "SubClass": False, "FullyQualifiedName": name, "Active": True}


def _department(plan: Plan, index: int) -> Body:
    name = DEPARTMENTS[index - 1]
    return {"Name": name, "SubDepartment": False, "FullyQualifiedName": name, "Active": True}


def _tax_rate(plan: Plan, index: int) -> Body:
    name, value, agency = TAX_RATES[index - 1]
    return {
        "Name": name,
        "Description": f"{name} sales tax",
        "Active": True,
        "RateValue": Decimal(value),
        "AgencyRef": ref(agency),
        "SpecialTaxType": "NONE",
        "DisplayType": "ReadOnly",
        "EffectiveTaxRate": [{"RateValue": Decimal(value), "EffectiveDate": "2015-01-01T00:00:00-08:00"}],
    }


def _tax_code(plan: Plan, index: int) -> Body:
    name, description, taxable, rates = TAX_CODES[index - 1]
    return {
        "Name": name,
        "Description": description,
        "Active": True,
        "Hidden": False,
        "Taxable": taxable,
        "TaxGroup": len(rates) > 1,
        "SalesTaxRateList": {
            "TaxRateDetail": [
                {"TaxRateRef": ref(rate, TAX_RATES[rate - 1][0]), "TaxTypeApplicable": "TaxOnAmount", "TaxOrder": 0}
                for rate in rates
            ]
        },
        "PurchaseTaxRateList": {"TaxRateDetail": []},
    }


# entity -> (maker, fixed count or None for the plan's count)
LISTS: dict[str, tuple[Callable[[Plan, int], Body], int | None]] = {
    "Account": (_account, len(CHART)),
    "Class": (_class, len(CLASSES)),
    "Customer": (_customer, None),
    "Department": (_department, len(DEPARTMENTS)),
    "Employee": (_employee, None),
    "Item": (_item, len(ITEMS)),
    "TaxCode": (_tax_code, len(TAX_CODES)),
    "TaxRate": (_tax_rate, len(TAX_RATES)),
    "PaymentMethod": (_payment_method, len(PAYMENT_METHODS)),
    "Term": (_term, len(TERMS)),
    "Vendor": (_vendor, None),
}


def company_info(plan: Plan, realm_id: str) -> Body:
    """The CompanyInfo singleton (Id "1")."""
    name = f"Sandbox Company {plan.seed}"
    address = {
        "Id": "1",
        "Line1": "123 Sierra Way",
        "City": "San Pablo",
        "CountrySubDivisionCode": "CA",
        "PostalCode": "87999",
        "Country": "US",
    }
    return {
        "CompanyName": name,
        "LegalName": f"{name} LLC",
        "CompanyAddr": address,
        "CustomerCommunicationAddr": address,
        "LegalAddr": address,
        "CustomerCommunicationEmailAddr": {"Address": "accounts@sandbox-company.example"},
        "PrimaryPhone": {"FreeFormNumber": "(650) 555-0100"},
        "CompanyStartDate": format_date(plan.anchor - SPAN),
        "FiscalYearStartMonth": "January",
        "Country": "US",
        "Email": {"Address": "owner@sandbox-company.example"},
        "WebAddr": {"URI": "https://sandbox-company.example"},
        "SupportedLanguages": "en",
        "DefaultTimeZone": "America/Los_Angeles",
        "NameValue": [
            {"Name": "NeoEnabled", "Value": "true"},
            {"Name": "IndustryType", "Value": "Consulting"},
            {"Name": "CompanyType", "Value": "LLC"},
            {"Name": "SubscriptionStatus", "Value": "PAID"},
            {"Name": "OfferingSku", "Value": "QuickBooks Online Advanced"},
            {"Name": "HomeCurrency", "Value": HOME_CURRENCY},
            {"Name": "RealmId", "Value": realm_id},
        ],
    }


def preferences(plan: Plan) -> Body:
    """The Preferences singleton: multicurrency on, USD home, class and department tracking on, custom fields on
    sales forms and purchase orders."""
    return {
        "AccountingInfoPrefs": {
            "TrackDepartments": True,
            "DepartmentTerminology": "Location",
            "ClassTrackingPerTxn": False,
            "ClassTrackingPerTxnLine": True,
            "CustomerTerminology": "Customers",
            "FirstMonthOfFiscalYear": "January",
            "UseAccountNumbers": True,
        },
        "SalesFormsPrefs": {
            "AllowDeposit": False,
            "AllowDiscount": True,
            "AllowShipping": False,
            "CustomTxnNumbers": True,
            "DefaultTerms": ref(3, TERMS[2][0]),
            "CustomField": preference_groups(*FORMS["Invoice"][2:], SALES_NAMES),
        },
        "VendorAndPurchasesPrefs": {
            "TrackingByCustomer": True,
            "BillableExpenseTracking": True,
            "DefaultTerms": ref(3, TERMS[2][0]),
            "POCustomField": preference_groups(*FORMS["PurchaseOrder"][2:], PURCHASE_NAMES),
        },
        "TaxPrefs": {"UsingSalesTax": True, "PartnerTaxEnabled": True},
        "CurrencyPrefs": {"MultiCurrencyEnabled": True, "HomeCurrency": ref(HOME_CURRENCY)},
        "OtherPrefs": {
            "NameValue": [{"Name": "SalesFormsPrefs.DefaultCustomerMessage", "Value": "Thank you for your business."}]
        },
    }


def _history(company: Company, plan: Plan) -> None:
    """A few seeded changes in the last 30 days: updates, a deactivation, deletions."""
    rng = plan.rng("CompanyInfo", 0)
    moments = sorted(plan.anchor - rng.randint(2 * DAY, 25 * DAY) for _ in range(8))
    invoices, bills = company.table("Invoice"), company.table("Bill")
    steps: list[tuple[Table, int, str]] = [
        (invoices, 1 + rng.randrange(max(1, len(invoices) // 2)), "memo"),
        (company.table("Customer"), len(company.table("Customer")), "deactivate"),
        (invoices, 2 + rng.randrange(max(1, len(invoices) // 2)), "delete"),
        (bills, 1 + rng.randrange(max(1, len(bills) // 2)), "memo"),
        (company.table("Estimate"), 1, "delete"),
        (invoices, 1 + rng.randrange(max(1, len(invoices) // 2)), "memo"),
        (company.table("Purchase"), 2, "delete"),
        (company.table("CreditCardPayment"), 1, "delete"),
    ]
    for (table, entity_id, action), moment in zip(steps, moments, strict=False):
        record = table.get(entity_id)
        if record is None:
            continue
        body = {k: v for k, v in record.items() if k not in ("Id", "SyncToken", "MetaData", "domain", "sparse")}
        if action == "delete":
            table.remove(entity_id, moment)
        elif action == "deactivate":
            table.replace(entity_id, {**body, "Active": False}, moment)
        else:
            table.replace(entity_id, {**body, "PrivateNote": "Updated after a call with the customer"}, moment)


def build_company(realm_id: str, *, seed: int, size: str | int, anchor: int) -> Company:
    """Generate a whole company whose history ends at ``anchor`` (epoch seconds)."""
    plan = Plan(seed=seed, invoices=invoices_for(size), anchor=anchor)
    company = Company(realm_id=realm_id, home_currency=HOME_CURRENCY, currencies=dict(CURRENCIES))
    makers: dict[str, tuple[Callable[[Plan, int], Body], int]] = {
        **{
            entity: (maker, count if count is not None else plan.counts[entity])
            for entity, (maker, count) in LISTS.items()
        },
        **{entity: (maker, plan.counts[entity]) for entity, maker in DOCUMENTS.items()},
    }
    for entity, (maker, count) in makers.items():
        company.tables[entity] = Table(
            entity,
            count=count,
            make=lambda i, m=maker: m(plan, i),  # type: ignore[misc]
            stamp=plan.stamp(entity),
        )
    start = plan.anchor - SPAN - 90 * DAY
    company.table("CompanyInfo").insert(company_info(plan, realm_id), start, entity_id=1)
    company.table("Preferences").insert(preferences(plan), start, entity_id=1)
    for entity in ENTITIES:
        company.table(entity)
    _history(company, plan)
    seed_files(company, plan.anchor - DAY)
    return company
