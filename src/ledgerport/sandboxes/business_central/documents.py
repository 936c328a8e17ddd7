"""The server-side defaults BC fills on a write, and document totals recomputed from lines.

What BC's API pages and table triggers do when a record is inserted or modified (FACTS §6): number series for
``number``; a document's customer or vendor resolved from either its id or its number and copied onto the header
(name, sell-to/bill-to/ship-to addresses, payment terms, currency, phone, email); document dates (today), the due
date from the payment terms' date formula; on lines the line type from ``itemId``/``accountId``, the description
and price from the item or account, the next ``sequence``, the tax percent of the customer's tax area; header totals
and ``remainingAmount`` recomputed from the lines after every line change.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ledgerport.sandboxes.business_central.catalog import EMPTY_GUID
from ledgerport.sandboxes.business_central.data import TAX_AREAS
from ledgerport.sandboxes.business_central.errors import dialog
from ledgerport.sandboxes.business_central.rows import BLANK_DATE, ZERO
from ledgerport.sandboxes.business_central.store import Company, Row, Table

__all__ = [
    "DRAFT_SERIES",
    "POSTED_SERIES",
    "due_date",
    "fill_header",
    "fill_line",
    "fill_master",
    "find",
    "is_posted",
    "line_amounts",
    "recompute",
]

DRAFT_SERIES = {
    "salesInvoices": "S-INV",
    "salesCreditMemos": "S-CR",
    "salesOrders": "S-ORD",
    "purchaseInvoices": "P-INV",
    "purchaseOrders": "P-ORD",
}
POSTED_SERIES = {"salesInvoices": 103000, "salesCreditMemos": 104000, "purchaseInvoices": 108000}
_CENT = Decimal("0.01")
_FORMULA = re.compile(r"^<?(?P<count>\d*)(?P<unit>[DWMQY])>?$")


def due_date(start: str, formula: str) -> str:
    """A BC date formula from a date: ``30D``, ``2W``, ``1M``, ``CM`` (the month's end); ``1M(8D)`` uses ``1M``."""
    day = date.fromisoformat(start)
    formula = formula.strip().strip("<>").upper()
    if formula.startswith("CM"):
        last = calendar.monthrange(day.year, day.month)[1]
        day = day.replace(day=last)
        formula = formula[2:].lstrip("+")
        if not formula:
            return day.isoformat()
    found = _FORMULA.match(formula.split("(")[0])
    if found is None:
        return day.isoformat()
    count = int(found.group("count") or 1)
    unit = found.group("unit")
    if unit == "D":
        day += timedelta(days=count)
    elif unit == "W":
        day += timedelta(weeks=count)
    else:
        months = count * {"M": 1, "Q": 3, "Y": 12}[unit]
        month = day.month - 1 + months
        year, month = day.year + month // 12, month % 12 + 1
        day = day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))
    return day.isoformat()


def is_posted(table: Table, row: Row) -> bool:
    """A sales/purchase document that is no longer a draft (posted invoices and credit memos are read-only)."""
    if table.spec.name not in POSTED_SERIES or "status" not in table.pos:
        return False
    return row[table.pos["status"]] not in {"Draft", "In_x0020_Review"}


def find(table: Table, key: str, value: Any) -> Row | None:
    if key == "id":
        return table.rows.get(str(value).lower())
    index = table.pos[key]
    return next((row for row in table.rows.values() if row[index] == value), None)


def _set(table: Table, row: Row, name: str, value: Any, given: dict[str, Any]) -> None:
    if name in table.pos and name not in given:
        row[table.pos[name]] = value


def fill_master(company: Company, table: Table, row: Row, given: dict[str, Any], today: str, new: bool) -> None:
    """Defaults of customers, vendors, items, employees and the other master and reference sets."""
    spec = table.spec
    pos = table.pos
    if new and spec.series and "number" in pos and not row[pos["number"]]:
        row[pos["number"]] = f"{spec.series}{company.next_number(spec.series, 50_000)}"
    if spec.name == "employees":
        row[pos["displayName"]] = " ".join(
            part for part in (row[pos["givenName"]], row[pos["middleName"]], row[pos["surname"]]) if part
        )
    if spec.name == "customers":
        area = company.tables["taxAreas"].rows.get(row[pos["taxAreaId"]])
        row[pos["taxAreaDisplayName"]] = area[2] if area else ""
        if new and "type" not in given:
            row[pos["type"]] = "Company"
    if spec.name == "items":
        if new and "baseUnitOfMeasureCode" not in given:
            row[pos["baseUnitOfMeasureCode"]] = "PCS"
        group = company.tables["taxGroups"].rows.get(row[pos["taxGroupId"]])
        if group is not None:
            row[pos["taxGroupCode"]] = group[1]
    if "currencyId" in pos and "currencyCode" in pos:
        _currency(company, table, row, given)
    if spec.name in {"taxAreas", "taxGroups"}:
        row[pos["taxType"]] = "Sales_x0020_Tax"
    if spec.kind == "journal" and spec.name == "journals" and not row[pos["templateDisplayName"]]:
        row[pos["templateDisplayName"]] = "GENERAL"
    if "balancingAccountId" in pos and spec.kind == "journal":
        account = company.tables["accounts"].rows.get(row[pos["balancingAccountId"]])
        row[pos["balancingAccountNumber"]] = account[1] if account else ""


def _currency(company: Company, table: Table, row: Row, given: dict[str, Any]) -> None:
    currencies = company.tables["currencies"]
    pos = table.pos
    if "currencyCode" in given and "currencyId" not in given:
        code = str(given["currencyCode"])
        found = find(currencies, "code", code) if code else None
        if code and found is None:
            raise dialog('The "currencyCode" does not match to a Currency.')
        row[pos["currencyId"]] = found[0] if found else EMPTY_GUID
    elif "currencyId" in given:
        found = currencies.rows.get(str(given["currencyId"]).lower())
        if found is None and given["currencyId"] != EMPTY_GUID:
            raise dialog('The "currencyId" does not match to a Currency.')
        row[pos["currencyCode"]] = found[1] if found else ""


def _party(company: Company, table: Table, row: Row, given: dict[str, Any], sales: bool) -> Row:
    """The document's customer (sales) or vendor (purchase), from id or number, checked against each other."""
    kind = "customer" if sales else "vendor"
    parties = company.tables["customers" if sales else "vendors"]
    pos = table.pos
    by_id = parties.rows.get(str(row[pos[f"{kind}Id"]]).lower()) if row[pos[f"{kind}Id"]] != EMPTY_GUID else None
    by_number = find(parties, "number", row[pos[f"{kind}Number"]]) if row[pos[f"{kind}Number"]] else None
    if f"{kind}Id" in given and by_id is None:
        raise dialog(f'The "{kind}Id" does not match to a {kind.capitalize()}.')
    if f"{kind}Number" in given and by_number is None:
        raise dialog(f'The "{kind}Number" does not match to a {kind.capitalize()}.')
    if by_id is not None and by_number is not None and by_id is not by_number:
        raise dialog(
            "The sell-to customer values do not match to a specific Customer."
            if sales
            else "The buy-from vendor values do not match to a specific Vendor."
        )
    party = by_id or by_number
    if party is None:
        raise dialog(f'A "{kind}Number" or a "{kind}Id" must be provided.')
    return party


def fill_header(company: Company, table: Table, row: Row, given: dict[str, Any], today: str, new: bool) -> None:
    """Defaults of a sales or purchase document header."""
    name = table.spec.name
    pos = table.pos
    sales = name.startswith("sales")
    party_table = company.tables["customers" if sales else "vendors"]
    pp = party_table.pos
    party = _party(company, table, row, given, sales)
    kind = "customer" if sales else "vendor"
    changed = new or f"{kind}Id" in given or f"{kind}Number" in given
    row[pos[f"{kind}Id"]], row[pos[f"{kind}Number"]] = party[0], party[1]
    if changed:
        row[pos[f"{kind}Name"]] = party[2]
        if sales:
            for field_name, value in (
                ("billToName", party[2]),
                ("billToCustomerId", party[0]),
                ("billToCustomerNumber", party[1]),
                ("shipToName", party[2]),
            ):
                if field_name in pos and (field_name not in given or field_name.startswith("billTo")):
                    row[pos[field_name]] = value
            prefixes = ("sellTo", "billTo", "shipTo")
        else:
            for field_name, value in (
                ("payToName", party[2]),
                ("payToVendorId", party[0]),
                ("payToVendorNumber", party[1]),
                ("shipToName", "CRONUS USA, Inc."),
            ):
                _set(table, row, field_name, value, given)
            prefixes = ("buyFrom", "payTo")
        for prefix in prefixes:
            for part, source in (
                ("AddressLine1", "addressLine1"),
                ("AddressLine2", "addressLine2"),
                ("City", "city"),
                ("State", "state"),
                ("Country", "country"),
                ("PostCode", "postalCode"),
            ):
                field_name = f"{prefix}{part}"
                if field_name in pos and (
                    field_name not in given or table.spec.name == "salesInvoices" and prefix == "billTo"
                ):
                    row[pos[field_name]] = party[pp[source]]
        for field_name in ("phoneNumber", "email"):
            if field_name in pos and field_name in pp:
                _set(table, row, field_name, party[pp[field_name]], given)
        if "paymentTermsId" in pos and "paymentTermsId" not in given and "paymentTermsId" in pp:
            row[pos["paymentTermsId"]] = party[pp["paymentTermsId"]]
        if "currencyCode" not in given and "currencyId" not in given:
            row[pos["currencyId"]], row[pos["currencyCode"]] = party[pp["currencyId"]], party[pp["currencyCode"]]
    _currency(company, table, row, given)
    if (
        "paymentTermsId" in pos
        and row[pos["paymentTermsId"]] != EMPTY_GUID
        and company.tables["paymentTerms"].rows.get(row[pos["paymentTermsId"]]) is None
    ):
        raise dialog('The "paymentTermsId" does not match to a Payment Terms.')
    date_field = next(f for f in ("invoiceDate", "creditMemoDate", "orderDate") if f in pos)
    if row[pos[date_field]] == BLANK_DATE:
        row[pos[date_field]] = today
    if row[pos["postingDate"]] == BLANK_DATE or (date_field in given and "postingDate" not in given and new):
        row[pos["postingDate"]] = row[pos[date_field]]
    if (
        "dueDate" in pos
        and "dueDate" not in given
        and (new or date_field in given or "paymentTermsId" in given or changed)
    ):
        terms = company.tables["paymentTerms"].rows.get(row[pos["paymentTermsId"]]) if "paymentTermsId" in pos else None
        row[pos["dueDate"]] = due_date(row[pos[date_field]], terms[3] if terms else "0D")
    if new:
        row[pos["status"]] = "Draft"
        row[pos["number"]] = f"{DRAFT_SERIES[name]}{company.next_number(DRAFT_SERIES[name], 100_000)}"


def _tax_rate(company: Company, header_table: Table, header: Row) -> Decimal:
    if not header_table.spec.name.startswith("sales"):
        return ZERO
    customer = company.tables["customers"].rows.get(header[header_table.pos["customerId"]])
    if customer is None:
        return ZERO
    cp = company.tables["customers"].pos
    if not customer[cp["taxLiable"]]:
        return ZERO
    area = company.tables["taxAreas"].rows.get(customer[cp["taxAreaId"]])
    rate = next((r for code, _, r in TAX_AREAS if area is not None and code == area[1]), 0)
    return Decimal(rate) / 100


def fill_line(
    company: Company, table: Table, row: Row, given: dict[str, Any], header_table: Table, header: Row, new: bool
) -> None:
    """Defaults of a document line: target, line type, description, price, sequence, tax percent, amounts."""
    pos = table.pos
    if (
        "itemId" in given
        and "accountId" in given
        and given["itemId"] != EMPTY_GUID
        and given["accountId"] != EMPTY_GUID
    ):
        raise dialog('Both "itemId" and "accountId" are specified. Specify only one of them.')
    items, accounts = company.tables["items"], company.tables["accounts"]
    price_field = next(f for f in ("unitPrice", "unitCost", "directUnitCost") if f in pos)
    line_type = row[pos["lineType"]]
    target: Row | None = None
    if row[pos["itemId"]] != EMPTY_GUID:
        target = items.rows.get(row[pos["itemId"]])
        if target is None:
            raise dialog("Item does not exist.")
        line_type = "Item"
    elif row[pos["accountId"]] != EMPTY_GUID:
        target = accounts.rows.get(row[pos["accountId"]])
        if target is None:
            raise dialog("Account does not exist.")
        line_type = "Account"
    elif row[pos["lineObjectNumber"]]:
        wanted = "Account" if line_type in {"Account", "G_x002F_L_x0020_Account"} else "Item"
        source = accounts if wanted == "Account" else items
        target = find(source, "number", row[pos["lineObjectNumber"]])
        if target is None:
            raise dialog(f"{'Account' if wanted == 'Account' else 'Item'} does not exist.")
        row[pos["accountId" if wanted == "Account" else "itemId"]] = target[0]
        line_type = wanted
    elif new and "lineType" not in given:
        line_type = "Comment"
    row[pos["lineType"]] = line_type
    if target is not None and ("itemId" in given or "accountId" in given or "lineObjectNumber" in given or new):
        row[pos["lineObjectNumber"]] = target[1]
        if "description" not in given:
            row[pos["description"]] = target[2]
        if line_type == "Item":
            ip = items.pos
            if price_field not in given:
                row[pos[price_field]] = (
                    target[ip["unitPrice"]] if price_field == "unitPrice" else target[ip["unitCost"]]
                )
            if "unitOfMeasureCode" not in given:
                row[pos["unitOfMeasureCode"]] = target[ip["baseUnitOfMeasureCode"]]
    if new and row[pos["sequence"]] == 0:
        siblings = table.of_parent(header[0])
        row[pos["sequence"]] = max((s[pos["sequence"]] for s in siblings), default=0) + 10_000
    date_field = "shipmentDate" if "shipmentDate" in pos else "expectedReceiptDate"
    if row[pos[date_field]] == BLANK_DATE:
        row[pos[date_field]] = header[header_table.pos["postingDate"]]
    if line_type == "Comment":
        return
    row[pos["taxPercent"]] = (
        _tax_rate(company, header_table, header)
        if line_type == "Item" or header_table.spec.name.startswith("sales")
        else ZERO
    )
    line_amounts(table, row, "discountAmount" in given)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _plain(value: Decimal) -> Decimal:
    """2-place amounts written without trailing zeros, as BC writes them."""
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


def line_amounts(table: Table, row: Row, discount_given: bool) -> None:
    """The line's computed amounts from quantity, price, discount and tax percent."""
    pos = table.pos
    price_field = next(f for f in ("unitPrice", "unitCost", "directUnitCost") if f in pos)
    gross = _cents(Decimal(row[pos["quantity"]]) * Decimal(row[pos[price_field]]))
    if not discount_given and row[pos["discountPercent"]]:
        row[pos["discountAmount"]] = _plain(_cents(gross * Decimal(row[pos["discountPercent"]]) / 100))
    net = gross - Decimal(row[pos["discountAmount"]])
    tax = _cents(net * Decimal(row[pos["taxPercent"]]) / 100)
    row[pos["amountExcludingTax"]] = row[pos["netAmount"]] = _plain(net)
    row[pos["totalTaxAmount"]] = row[pos["netTaxAmount"]] = _plain(tax)
    row[pos["amountIncludingTax"]] = row[pos["netAmountIncludingTax"]] = _plain(net + tax)


def recompute(company: Company, header_table: Table, header: Row) -> None:
    """Header totals (and a draft's ``remainingAmount``) from its lines."""
    lines_name = header_table.spec.lines
    if lines_name is None or "totalAmountExcludingTax" not in header_table.pos:
        return
    lines = company.tables[lines_name]
    lp, hp = lines.pos, header_table.pos
    net = tax = Decimal(0)
    for line in lines.of_parent(header[0]):
        net += Decimal(line[lp["amountExcludingTax"]])
        tax += Decimal(line[lp["totalTaxAmount"]])
    net -= Decimal(header[hp["discountAmount"]])
    header[hp["totalAmountExcludingTax"]] = _plain(net)
    header[hp["totalTaxAmount"]] = _plain(tax)
    header[hp["totalAmountIncludingTax"]] = _plain(net + tax)
    if "remainingAmount" in hp and not is_posted(header_table, header):
        header[hp["remainingAmount"]] = _plain(net + tax)
