"""A record's REST document projected onto the SuiteQL tables: the rows a write puts in SQLite.

Signs (``transactionline.foreignamount`` / ``netamount``, ``transactionaccountingline.amount``) follow the GL:
debits positive, credits negative. Line 0 of every transaction is its main line (``mainline = 'T'``): on an
invoice it carries +total against the A/R account and the item lines carry -amount against income; on a bill the
main line is -total (A/P) and expense/item lines +amount; a journal's main line has no amount and its lines are
debit - credit. A customer payment has line 0 (+payment, the bank or undeposited-funds account) and line 1 (-payment,
A/R); a vendor payment the mirror. Sales orders, purchase orders and item fulfillments do not post (``posting =
'F'``, no accounting lines). Other lines are numbered 1..n across all of a record's sublists, the REST ``line``.
``transactionline.uniquekey`` is ``transaction * 1000 + line`` (unique, as NetSuite's is, though not its values).
``transactionaccountingline.amount`` is in the subsidiary's base currency (``foreign * exchangeRate``, rounded to
cents); ``amountunpaid`` is set on the A/R or A/P line of invoices, bills and credits.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledgerport.sandboxes.netsuite.catalog import CUSTOM_BODY_FIELD, CUSTOM_SEGMENT, RecordType
from ledgerport.sandboxes.netsuite.dates import local_text

__all__ = ["NON_POSTING", "SIGNS", "entity_rows", "list_rows", "transaction_rows"]

Rows = dict[str, list[dict[str, Any]]]

# type code -> (main line sign, other lines sign)
SIGNS: dict[str, tuple[int, int]] = {
    "CustInvc": (1, -1),
    "CashSale": (1, -1),
    "SalesOrd": (1, -1),
    "CustCred": (-1, 1),
    "VendBill": (-1, 1),
    "PurchOrd": (-1, 1),
    "Check": (-1, 1),
    "CardChrg": (-1, 1),
    "ExpRept": (-1, 1),
    "VendCred": (1, -1),
    "Deposit": (1, -1),
    "CustPymt": (1, -1),
    "VendPymt": (-1, 1),
    "Journal": (0, 1),
    "ItemShip": (0, 0),
}
NON_POSTING = frozenset({"SalesOrd", "PurchOrd", "ItemShip"})
_OPEN_BALANCE = frozenset({"CustInvc", "VendBill", "CustCred", "VendCred"})
_CENT = Decimal("0.01")


def _id(value: Any) -> int | None:
    if isinstance(value, dict) and value.get("id") not in (None, ""):
        try:
            return int(value["id"])
        except (TypeError, ValueError):
            return None
    return None


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def _tf(value: Any) -> str:
    return "T" if value else "F"


def _lines(doc: dict[str, Any], sublist: str) -> list[dict[str, Any]]:
    value = doc.get(sublist)
    return list(value.get("items") or []) if isinstance(value, dict) else []


def _line_amount(code: str, sublist: str, line: dict[str, Any]) -> Decimal:
    if sublist == "line":
        return Decimal(line.get("debit") or 0) - Decimal(line.get("credit") or 0)
    return Decimal(line.get("amount") or 0)


def transaction_rows(rt: RecordType, doc: dict[str, Any], *, posting: bool) -> Rows:
    """``transaction``, ``transactionline``, ``transactionaccountingline`` and link rows of one transaction."""
    code = rt.code
    tran_id = int(doc["id"])
    rate = Decimal(doc.get("exchangeRate") or 1)
    main_sign, line_sign = SIGNS[code]
    total = Decimal(doc.get("total") or 0)
    remaining = doc.get("_remaining")
    modified = local_text(doc.get("lastModifiedDate"))
    entity = _id(doc.get("entity")) or _id(doc.get("customer"))
    subsidiary = _id(doc.get("subsidiary"))
    status = (doc.get("status") or {}).get("id")
    approval = _id(doc.get("approvalStatus"))
    header = {
        "id": tran_id,
        "tranid": doc.get("tranId"),
        "transactionnumber": doc.get("_transactionNumber"),
        "type": code,
        "recordtype": rt.name.lower(),
        "trandate": local_text(doc.get("tranDate"), is_date=True),
        "postingperiod": _id(doc.get("postingPeriod")),
        "entity": entity,
        "currency": _id(doc.get("currency")),
        "exchangerate": float(rate),
        "status": status,
        "memo": doc.get("memo"),
        "createddate": local_text(doc.get("createdDate")),
        "lastmodifieddate": modified,
        "foreigntotal": float(total * (main_sign or 1)) if code != "Journal" else float(total),
        "foreignamountremaining": _num(remaining) if code in _OPEN_BALANCE else None,
        "foreignamountunpaid": _num(remaining) if code in _OPEN_BALANCE else None,
        "duedate": local_text(doc.get("dueDate"), is_date=True),
        "approvalstatus": approval,
        "voided": _tf(doc.get("_voided")),
        "posting": _tf(posting),
        "externalid": doc.get("externalId"),
        "createdfrom": _id(doc.get("createdFrom")),
        "terms": _id(doc.get("terms")),
        "otherrefnum": doc.get("otherRefNum"),
        "employee": _id(doc.get("employee")),
        "shipdate": local_text(doc.get("shipDate"), is_date=True),
        CUSTOM_BODY_FIELD: doc.get(CUSTOM_BODY_FIELD),
    }
    if code in {"CustInvc", "VendBill"} and status in {"A", "B"} and doc.get("dueDate"):
        header["daysopen"] = None
    segs = {key: _id(doc.get(key)) for key in ("department", "class", "location")}
    main_account = _id(doc.get("account"))
    lines: list[dict[str, Any]] = []
    gl: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []

    def add_gl(line_id: int, account: int | None, foreign: Decimal, unpaid: Decimal | None = None) -> None:
        if not posting or account is None:
            return
        base = (foreign * rate).quantize(_CENT)
        gl.append(
            {
                "transaction": tran_id,
                "transactionline": line_id,
                "account": account,
                "accountingbook": 1,
                "amount": float(base),
                "debit": float(base) if base > 0 else None,
                "credit": float(-base) if base < 0 else None,
                "netamount": float(base),
                "posting": "T",
                "amountunpaid": None if unpaid is None else float((unpaid * rate).quantize(_CENT)),
                "exchangerate": float(rate),
            }
        )

    main_amount = total * main_sign if main_sign else None
    lines.append(
        {
            "id": 0,
            "transaction": tran_id,
            "uniquekey": tran_id * 1000,
            "linesequencenumber": 0,
            "mainline": "T",
            "taxline": "F",
            "foreignamount": _num(main_amount),
            "netamount": None if main_amount is None else float((main_amount * rate).quantize(_CENT)),
            "memo": doc.get("memo"),
            "subsidiary": subsidiary,
            "entity": entity,
            "expenseaccount": main_account,
            "linelastmodifieddate": modified,
            "isclosed": "F",
            CUSTOM_SEGMENT: _id(doc.get(CUSTOM_SEGMENT)),
            **segs,
        }
    )
    if main_amount is not None:
        unpaid = Decimal(remaining) * main_sign if code in _OPEN_BALANCE and remaining is not None else None
        add_gl(0, main_account, main_amount, unpaid)
    if code in {"CustPymt", "VendPymt"}:
        counter = _id(doc.get("arAcct")) or _id(doc.get("apAcct"))
        amount = total * line_sign
        lines.append(
            {
                "id": 1,
                "transaction": tran_id,
                "uniquekey": tran_id * 1000 + 1,
                "linesequencenumber": 1,
                "mainline": "F",
                "taxline": "F",
                "foreignamount": float(amount),
                "netamount": float((amount * rate).quantize(_CENT)),
                "subsidiary": subsidiary,
                "entity": entity,
                "expenseaccount": counter,
                "linelastmodifieddate": modified,
                "isclosed": "F",
            }
        )
        add_gl(1, counter, amount)
    for sublist in rt.sublists:
        if sublist == "apply":
            for item in _lines(doc, "apply"):
                if item.get("apply") and _id(item.get("doc")) is not None:
                    amount = Decimal(item.get("amount") or 0)
                    links.append(
                        {
                            "previousdoc": _id(item.get("doc")),
                            "previousline": 0,
                            "nextdoc": tran_id,
                            "nextline": 0,
                            "linktype": "Payment",
                            "previoustype": item.get("_docType"),
                            "nexttype": code,
                            "foreignamount": float(amount),
                            "amount": float((amount * rate).quantize(_CENT)),
                        }
                    )
            continue
        for item in _lines(doc, sublist):
            line_id = int(item.get("line") or 0)
            amount = _line_amount(code, sublist, item) * (line_sign if sublist != "line" else 1)
            account = _id(item.get("account"))
            item_type = (item.get("itemType") or {}).get("id") if isinstance(item.get("itemType"), dict) else None
            lines.append(
                {
                    "id": line_id,
                    "transaction": tran_id,
                    "uniquekey": tran_id * 1000 + line_id,
                    "linesequencenumber": line_id,
                    "mainline": "F",
                    "taxline": "F",
                    "item": _id(item.get("item")),
                    "quantity": _num(item.get("quantity")),
                    "rate": _num(item.get("rate")),
                    "foreignamount": float(amount) if code != "ItemShip" else None,
                    "netamount": float((amount * rate).quantize(_CENT)) if code != "ItemShip" else None,
                    "memo": item.get("memo") or item.get("description"),
                    "department": _id(item.get("department")) or segs["department"],
                    "class": _id(item.get("class")) or segs["class"],
                    "location": _id(item.get("location")) or segs["location"],
                    "subsidiary": subsidiary,
                    "entity": _id(item.get("entity")) or _id(item.get("customer")) or entity,
                    "expenseaccount": account,
                    "linelastmodifieddate": modified,
                    "isclosed": _tf(item.get("isClosed")),
                    "quantityshiprecv": _num(item.get("quantityFulfilled") or item.get("quantityReceived")),
                    "itemtype": item_type,
                    CUSTOM_SEGMENT: _id(item.get(CUSTOM_SEGMENT)),
                }
            )
            if code != "ItemShip":
                add_gl(line_id, account, amount)
            order_doc = _id(item.get("orderDoc"))
            if order_doc is not None:
                links.append(
                    {
                        "previousdoc": order_doc,
                        "previousline": item.get("orderLine"),
                        "nextdoc": tran_id,
                        "nextline": line_id,
                        "linktype": "ShipRcpt" if code == "ItemShip" else "OrdBill",
                        "previoustype": doc.get("_createdFromType"),
                        "nexttype": code,
                        "foreignamount": float(abs(amount)),
                        "amount": float(abs((amount * rate).quantize(_CENT))),
                    }
                )
    _balance(gl)
    return {
        "transaction": [header],
        "transactionline": lines,
        "transactionaccountingline": gl,
        "previoustransactionlinelink": links,
    }


def _balance(gl: list[dict[str, Any]]) -> None:
    """The main line takes the rounding: its base amount is minus the sum of the others, so every transaction's
    accounting lines net to zero in base currency, as NetSuite's do."""
    main = next((row for row in gl if row["transactionline"] == 0), None)
    if main is None or len(gl) < 2:
        return
    base = -sum(Decimal(str(row["amount"])) for row in gl if row is not main)
    value = float(base)
    main.update(amount=value, netamount=value, debit=value if base > 0 else None, credit=-value if base < 0 else None)


def _address_rows(doc: dict[str, Any]) -> tuple[list[dict[str, Any]], int | None, int | None]:
    rows, billing, shipping = [], None, None
    for entry in _lines(doc, "addressBook"):
        nkey = int(entry.get("internalId") or entry.get("id") or 0)
        address = entry.get("addressBookAddress") or {}
        rows.append(
            {
                "nkey": nkey,
                "addr1": address.get("addr1"),
                "addr2": address.get("addr2"),
                "addr3": address.get("addr3"),
                "city": address.get("city"),
                "state": address.get("state"),
                "zip": address.get("zip"),
                "country": (address.get("country") or {}).get("id"),
                "addressee": address.get("addressee"),
                "addrphone": address.get("addrPhone"),
                "attention": address.get("attention"),
            }
        )
        if entry.get("defaultBilling"):
            billing = nkey
        if entry.get("defaultShipping"):
            shipping = nkey
    return rows, billing, shipping


def entity_rows(rt: RecordType, doc: dict[str, Any]) -> Rows:
    """The row of a customer, vendor, employee or project, and its addresses."""
    addresses, billing, shipping = _address_rows(doc)
    row: dict[str, Any] = {
        "id": int(doc["id"]),
        "entityid": doc.get("entityId"),
        "companyname": doc.get("companyName"),
        "isperson": _tf(doc.get("isPerson")),
        "firstname": doc.get("firstName"),
        "lastname": doc.get("lastName"),
        "email": doc.get("email"),
        "phone": doc.get("phone"),
        "altphone": doc.get("altPhone"),
        "fax": doc.get("fax"),
        "url": doc.get("url"),
        "subsidiary": _id(doc.get("subsidiary")),
        "currency": _id(doc.get("currency")),
        "terms": _id(doc.get("terms")),
        "isinactive": _tf(doc.get("isInactive")),
        "datecreated": local_text(doc.get("dateCreated")),
        "lastmodifieddate": local_text(doc.get("lastModifiedDate") or doc.get("_lastModifiedDate")),
        "externalid": doc.get("externalId"),
        "defaultbillingaddress": billing,
        "defaultshippingaddress": shipping,
        "comments": doc.get("comments"),
        "creditlimit": _num(doc.get("creditLimit")),
        "balancesearch": _num(doc.get("balance")),
        "balance": _num(doc.get("balance")),
        "parent": _id(doc.get("parent")),
        "customer": _id(doc.get("parent")),
        "receivablesaccount": _id(doc.get("receivablesAccount")),
        "payablesaccount": _id(doc.get("payablesAccount")),
        "expenseaccount": _id(doc.get("expenseAccount")),
        "legalname": doc.get("legalName"),
        "altname": doc.get("companyName") or " ".join(filter(None, [doc.get("firstName"), doc.get("lastName")])),
        "department": _id(doc.get("department")),
        "location": _id(doc.get("location")),
        "supervisor": _id(doc.get("supervisor")),
        "title": doc.get("title"),
        "hiredate": local_text(doc.get("hireDate"), is_date=True),
        "entitystatus": _id(doc.get("entityStatus")),
        "startdate": local_text(doc.get("startDate"), is_date=True),
        "projectedenddate": local_text(doc.get("projectedEndDate"), is_date=True),
    }
    return {rt.table: [row], "entityaddress": addresses}


def _multi(value: Any) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("items"), list):
        ids = [str(item.get("id")) for item in value["items"] if item.get("id")]
        return ", ".join(ids) or None
    single = _id(value)
    return None if single is None else str(single)


def list_rows(rt: RecordType, doc: dict[str, Any]) -> Rows:
    """The row of a list record (account, item, period, currency...): REST camelCase lower-cased, refs as ids."""
    row: dict[str, Any] = {}
    for key, value in doc.items():
        if key.startswith("_") or key in {"links", "refName"}:
            continue
        column = key.lower()
        if isinstance(value, dict) and "items" in value:
            row[column] = _multi(value)
        elif isinstance(value, dict):
            row[column] = (
                value.get("id") if column in {"accttype", "country", "generalrate", "cashflowrate"} else _id(value)
            )
        elif isinstance(value, bool):
            row[column] = _tf(value)
        elif isinstance(value, Decimal):
            row[column] = float(value)
        else:
            row[column] = value
    row["id"] = int(doc["id"])
    for column in ("lastmodifieddate", "createddate", "lastmodified", "created"):
        if column in row or f"_{column}" in doc:
            row[column] = local_text(row.get(column) or doc.get(f"_{column}"))
    for column in ("startdate", "enddate", "effectivedate", "closedondate"):
        if row.get(column):
            row[column] = local_text(row[column], is_date=True)
    if rt.name == "item" or rt.family == "item":
        row.setdefault("itemtype", rt.code)
        row["itemtype"] = (
            (doc.get("itemType") or {}).get("id", rt.code) if isinstance(doc.get("itemType"), dict) else rt.code
        )
    if rt.name == "term":
        row["datedriven"] = "T" if (doc.get("dateDriven") or {}).get("id") == "T" else "F"
    if rt.name == "account":
        row["accountsearchdisplaynamecopy"] = doc.get("acctName")
    extra = doc.get("_sql") or {}
    row.update(extra)
    return {rt.table: [row]}
