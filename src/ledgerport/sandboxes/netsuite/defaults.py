"""What NetSuite fills in on a write: ids, numbers, dates, periods, accounts, currency and rate, terms and due
date, line accounts and rates from items, line numbers, approval defaults, timestamps; then totals and status
(``documents.finish_transaction``).

Reference checks live here too, since filling a default needs the referenced record: an unknown id in a body is
400 INVALID_CONTENT naming the field, as NetSuite's "Invalid value for the resource or sub-resource field".
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from ledgerport.sandboxes.netsuite.catalog import LINE_REFS, RECORD_TYPES, RecordType
from ledgerport.sandboxes.netsuite.dates import ZONE, iso_utc
from ledgerport.sandboxes.netsuite.documents import finish_transaction, line_items
from ledgerport.sandboxes.netsuite.errors import invalid_content, user_error
from ledgerport.sandboxes.netsuite.reference import AP, AR, BANK_GBP, BANK_USD, CARD, UNDEPOSITED, Books
from ledgerport.sandboxes.netsuite.store import Account

__all__ = ["SALES", "fill_entity", "fill_list", "fill_transaction", "resolve_refs", "today"]

SALES = frozenset({"CustInvc", "CustCred", "CashSale", "SalesOrd", "CustPymt", "ItemShip"})
_ENTITY_REQUIRED = frozenset(
    {
        "CustInvc",
        "CustCred",
        "CashSale",
        "SalesOrd",
        "VendBill",
        "VendCred",
        "VendPymt",
        "PurchOrd",
        "ExpRept",
        "ItemShip",
    }
)
_LINES_REQUIRED = {
    "CustInvc": ("item",),
    "CustCred": ("item",),
    "CashSale": ("item",),
    "SalesOrd": ("item",),
    "VendBill": ("expense", "item"),
    "VendCred": ("expense", "item"),
    "PurchOrd": ("item", "expense"),
    "Check": ("expense", "item"),
    "CardChrg": ("expense", "item"),
    "ExpRept": ("expense",),
    "Journal": ("line",),
    "Deposit": ("other",),
}
_MAIN_ACCOUNT = {
    "CustInvc": AR,
    "CustCred": AR,
    "CustPymt": UNDEPOSITED,
    "CashSale": UNDEPOSITED,
    "VendBill": AP,
    "VendCred": AP,
    "ExpRept": AP,
    "CardChrg": CARD,
}
_BANKED = frozenset({"VendPymt", "Check", "Deposit"})
_TERMS_DAYS = {1: 15, 2: 30, 3: 60, 4: 0, 5: 30}


def today(now: float) -> date:
    """The account's calendar day."""
    return datetime.fromtimestamp(now, ZONE).date()


def _id(value: Any) -> int | None:
    if isinstance(value, dict) and value.get("id") not in (None, ""):
        try:
            return int(str(value["id"]))
        except ValueError:
            return None
    return None


def _resolve(account: Account, target: str, value: Any, path: str, owner: RecordType) -> dict[str, str] | None:
    """A reference as ``{"id": "..."}``: ids as strings, ``externalId`` looked up, existence checked."""
    if value is None:
        return None
    if isinstance(value, str | int) and not isinstance(value, bool):
        value = {"id": str(value)}
    if not isinstance(value, dict):
        raise invalid_content(f"Invalid value for the resource or sub-resource field '{path}'.", path)
    if target.startswith("enum") or target == "customerStatus":
        return {"id": str(value.get("id"))}
    if target == "@self":
        target = owner.name
    families = {target[1:]} if target.startswith("@") else {RECORD_TYPES[target].family}
    record_id = _id(value)
    if record_id is None and value.get("externalId"):
        for rt in RECORD_TYPES.values():
            if rt.family in families:
                found = account.by_external_id(rt, str(value["externalId"]))
                if found is not None:
                    record_id = found
                    break
    if record_id is None or not any(account.type_of(f, record_id) for f in families):
        raise invalid_content(
            f"Invalid value for the resource or sub-resource field '{path}'. Provide a valid value.", path
        )
    return {"id": str(record_id)}


def resolve_refs(account: Account, rt: RecordType, doc: dict[str, Any]) -> None:
    """Every reference of a document (header, lines, multi-selects) resolved and checked, in place."""
    for key, target in rt.refs.items():
        if key in doc and doc[key] is not None:
            if isinstance(doc[key], dict) and isinstance(doc[key].get("items"), list):
                doc[key] = {"items": [_resolve(account, target, v, key, rt) for v in doc[key]["items"]]}
            else:
                doc[key] = _resolve(account, target, doc[key], key, rt)
    for sublist in (*rt.sublists, "addressBook"):
        for index, line in enumerate(line_items(doc, sublist)):
            for key, target in LINE_REFS.items():
                if line.get(key) is not None:
                    line[key] = _resolve(account, target, line[key], f"{sublist}.items[{index}].{key}", rt)


def _number_lines(doc: dict[str, Any], sublists: tuple[str, ...]) -> None:
    """Lines without ``line`` get the next free number, across all of a record's sublists."""
    used = [int(line["line"]) for s in sublists if s != "apply" for line in line_items(doc, s) if line.get("line")]
    next_line = max(used, default=0) + 1
    for sublist in sublists:
        for index, line in enumerate(line_items(doc, sublist)):
            if sublist == "apply":
                line["line"] = index + 1
            elif not line.get("line"):
                line["line"] = next_line
                next_line += 1
            else:
                line["line"] = int(line["line"])


def _entity_doc(account: Account, ref: Any) -> tuple[RecordType | None, dict[str, Any] | None]:
    entity_id = _id(ref)
    if entity_id is None:
        return None, None
    rt = account.type_of("entity", entity_id)
    return rt, account.get(rt, entity_id) if rt else None


def fill_transaction(
    account: Account, books: Books, rt: RecordType, doc: dict[str, Any], *, now: float, creating: bool
) -> None:
    """Defaults, rules that need them, totals and status; ``doc`` is the complete record after the write."""
    code = rt.code
    stamp = iso_utc(now)
    if creating:
        doc["id"] = str(account.next_id("transaction"))
        doc["createdDate"] = stamp
        doc["_transactionNumber"] = f"{code.upper()}{doc['id']}"
        if not doc.get("tranId"):
            doc["tranId"] = account.next_number(rt)
        doc.setdefault("tranDate", today(now).isoformat())
    doc["lastModifiedDate"] = stamp
    resolve_refs(account, rt, doc)
    try:
        tran_date = date.fromisoformat(str(doc["tranDate"])[:10])
    except ValueError:
        raise invalid_content("Invalid value for the field 'tranDate'.", "tranDate") from None
    if code == "CustPymt" and doc.get("customer") and not doc.get("entity"):
        doc["entity"] = doc["customer"]
    if code == "CustPymt" and doc.get("entity") and not doc.get("customer"):
        doc["customer"] = doc["entity"]
    if code == "ExpRept" and doc.get("entity") and not doc.get("employee"):
        doc["employee"] = doc["entity"]
    entity_rt, entity = _entity_doc(account, doc.get("entity"))
    if code in _ENTITY_REQUIRED and entity is None:
        raise user_error("Please enter value(s) for: " + ("Customer" if code in SALES else "Vendor"), "entity")
    expected = {"customer", "job"} if code in SALES else {"vendor"} if code != "ExpRept" else {"employee"}
    if entity_rt is not None and code in _ENTITY_REQUIRED and entity_rt.name not in expected:
        raise invalid_content("Invalid value for the resource or sub-resource field 'entity'.", "entity")
    if entity is not None:
        if not doc.get("subsidiary"):
            doc["subsidiary"] = entity.get("subsidiary")
        elif entity.get("subsidiary") and doc["subsidiary"]["id"] != entity["subsidiary"]["id"]:
            raise user_error(
                f"The subsidiary {doc['subsidiary']['id']} is not a subsidiary of the entity"
                f" {entity.get('entityId') or doc['entity']['id']}.",
                "subsidiary",
            )
        if code in {"CustInvc", "VendBill"} and not doc.get("terms") and entity.get("terms"):
            doc["terms"] = entity["terms"]
    if not doc.get("subsidiary"):
        raise user_error("Please enter value(s) for: Subsidiary", "subsidiary")
    subsidiary = int(doc["subsidiary"]["id"])
    if not doc.get("currency"):
        doc["currency"] = (entity or {}).get("currency") or {"id": str(books.base_currency.get(subsidiary, 1))}
    currency = int(doc["currency"]["id"])
    if doc.get("exchangeRate") is None:
        doc["exchangeRate"] = books.rate(subsidiary, currency, tran_date)
    else:
        doc["exchangeRate"] = Decimal(str(doc["exchangeRate"]))
    if not doc.get("postingPeriod"):
        period = books.period_for(tran_date)
        if period is None:
            raise user_error(f"No accounting period covers {tran_date.isoformat()}.", "tranDate")
        doc["postingPeriod"] = {"id": str(period)}
    if not doc.get("account"):
        if code in _MAIN_ACCOUNT:
            doc["account"] = {"id": str(_MAIN_ACCOUNT[code])}
        elif code in _BANKED:
            doc["account"] = {"id": str(BANK_GBP if subsidiary == 2 else BANK_USD)}
    if code == "CustPymt":
        doc.setdefault("arAcct", {"id": str(AR)})
    if code == "VendPymt":
        doc.setdefault("apAcct", {"id": str(AP)})
    if code in {"VendBill", "Journal", "VendPymt", "PurchOrd", "ExpRept"} and not doc.get("approvalStatus"):
        doc["approvalStatus"] = {"id": "2"}  # approval routing is off in this account
    if code in {"CustInvc", "VendBill"} and not doc.get("dueDate"):
        terms = _id(doc.get("terms"))
        days = _TERMS_DAYS.get(terms or 0, 0)
        term_doc = account.get(RECORD_TYPES["term"], terms) if terms else None
        if term_doc and term_doc.get("daysUntilNetDue") is not None:
            days = int(term_doc["daysUntilNetDue"])
        doc["dueDate"] = (tran_date + timedelta(days=days)).isoformat()
    _number_lines(doc, rt.sublists)
    _fill_lines(account, rt, doc)
    for sublist in _LINES_REQUIRED.get(code, ()):
        if line_items(doc, sublist):
            break
    else:
        if code in _LINES_REQUIRED:
            raise user_error("You must enter at least one line item for this transaction.", _LINES_REQUIRED[code][0])
    finish_transaction(rt, doc)


def _fill_lines(account: Account, rt: RecordType, doc: dict[str, Any]) -> None:
    sale = rt.code in SALES
    for sublist in ("item",):
        for line in line_items(doc, sublist):
            item_id = _id(line.get("item"))
            if item_id is None:
                raise user_error("Please enter value(s) for: Item", f"{sublist}.items[{line.get('line')}].item")
            item_rt = account.type_of("item", item_id)
            item = account.get(item_rt, item_id) if item_rt else None
            if item is None:
                raise invalid_content("Invalid value for the resource or sub-resource field 'item'.", "item")
            line.setdefault("itemType", {"id": item_rt.code if item_rt else "Service"})
            if rt.code == "ItemShip":
                continue
            if line.get("rate") is None and line.get("amount") is None:
                line["rate"] = item.get("basePrice" if sale else "cost") or Decimal(0)
            if not line.get("account") and not line.get("_account"):
                account_ref = (
                    item.get("incomeAccount") if sale else item.get("assetAccount") or item.get("expenseAccount")
                )
                # Purchase item lines have no account field in REST (record OpenAPI): the GL account stays inside.
                line["account" if sale else "_account"] = (
                    account_ref or item.get("incomeAccount") or item.get("expenseAccount")
                )
            if not line.get("description"):
                line["description"] = item.get("salesDescription" if sale else "purchaseDescription") or item.get(
                    "itemId"
                )
    for sublist in ("expense", "line", "other"):
        for line in line_items(doc, sublist):
            if not line.get("account"):
                raise user_error("Please enter value(s) for: Account", f"{sublist}.items[{line.get('line')}].account")


def fill_entity(
    account: Account, books: Books, rt: RecordType, doc: dict[str, Any], *, now: float, creating: bool
) -> None:
    """Customer, vendor, employee, project: id, entityId, subsidiary (required: OneWorld), currency, addresses."""
    stamp = iso_utc(now)
    if creating:
        doc["id"] = str(account.next_id("entity"))
        doc["dateCreated"] = stamp
    doc["lastModifiedDate" if rt.name != "employee" else "_lastModifiedDate"] = stamp
    resolve_refs(account, rt, doc)
    if rt.name in {"customer", "vendor"}:
        if not doc.get("isPerson") and not doc.get("companyName") and rt.name == "customer":
            if not (doc.get("firstName") or doc.get("lastName")):
                raise user_error("Please enter value(s) for: Company Name", "companyName")
            doc["isPerson"] = True
        doc.setdefault("isPerson", False)
    if rt.name == "employee" and not (doc.get("firstName") and doc.get("lastName")):
        raise user_error("Please enter value(s) for: First Name, Last Name", "firstName")
    if not doc.get("entityId"):
        name = doc.get("companyName") or " ".join(filter(None, [doc.get("firstName"), doc.get("lastName")]))
        doc["entityId"] = name or f"{rt.label} {doc['id']}"
    if not doc.get("subsidiary"):
        if rt.name == "job" and doc.get("parent"):
            parent_rt, parent = _entity_doc(account, doc["parent"])
            doc["subsidiary"] = (parent or {}).get("subsidiary")
        if not doc.get("subsidiary"):
            raise user_error("Please enter value(s) for: Primary Subsidiary", "subsidiary")
    if rt.name != "job" or doc.get("currency") is None:
        doc.setdefault("currency", {"id": str(books.base_currency.get(int(doc["subsidiary"]["id"]), 1))})
    doc.setdefault("isInactive", False)
    if rt.name == "customer":
        doc.setdefault("receivablesAccount", {"id": str(AR)})
    if rt.name == "vendor":
        doc.setdefault("payablesAccount", {"id": str(AP)})
    for entry in line_items(doc, "addressBook"):
        if not entry.get("internalId"):
            nkey = account.next_nkey()
            entry["internalId"] = entry["id"] = nkey
            entry["addressId"] = str(nkey)
        entry.setdefault("defaultBilling", False)
        entry.setdefault("defaultShipping", False)


def fill_list(
    account: Account, books: Books, rt: RecordType, doc: dict[str, Any], *, now: float, creating: bool
) -> None:
    """Reference lists: id, timestamps, the names NetSuite derives."""
    if creating:
        doc["id"] = str(account.next_id(rt.family))
        if rt.family == "item":
            doc.setdefault("createdDate", iso_utc(now))
    if rt.name not in {"salesTaxItem", "currencyRate", "taxType"}:
        doc["lastModifiedDate"] = iso_utc(now)
    resolve_refs(account, rt, doc)
    if rt.name == "account":
        if not doc.get("acctName") or not doc.get("acctType"):
            raise user_error("Please enter value(s) for: Name, Type", "acctName")
        parent = account.get(rt, int(doc["parent"]["id"])) if doc.get("parent") else None
        full = f"{parent['fullName']} : {doc['acctName']}" if parent else doc["acctName"]
        doc["fullName"] = full
        number = doc.get("acctNumber")
        doc["displayNameWithHierarchy"] = f"{number} {full}" if number else full
        doc["accountSearchDisplayName"] = f"{number} {doc['acctName']}" if number else doc["acctName"]
        doc.setdefault("isSummary", False)
        doc.setdefault("isInactive", False)
    elif rt.family == "item":
        doc.setdefault("itemType", {"id": rt.code} if rt.name not in {"salesTaxItem"} else "TaxItem")
        doc.setdefault("isInactive", False)
    elif rt.name in {"department", "classification", "location"}:
        if not doc.get("name"):
            raise user_error("Please enter value(s) for: Name", "name")
        parent = account.get(rt, int(doc["parent"]["id"])) if doc.get("parent") else None
        doc["fullName"] = f"{parent['fullName']} : {doc['name']}" if parent else doc["name"]
        doc.setdefault("isInactive", False)
