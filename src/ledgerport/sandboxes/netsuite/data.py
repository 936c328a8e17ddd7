"""Deterministic seed data: entities and two years of transactions behind every common model.

``seed(account, seed=, size=, anchor=)``: ``size`` is ``"small"`` (50 invoices), ``"large"`` (5,000) or a number of
invoices (100,000 in 20-30 s, README). Other transaction types scale with it: sales orders (most fulfilled and
invoiced), customer payments (about half the invoices, some partial, some settling two invoices), credit memos
applied to invoices, cash sales, vendor bills (a few pending approval; some billed from purchase orders) with bill
payments and vendor credits, journal entries (some in the GBP subsidiary), checks, card charges, expense reports
and deposits. Transaction ids and numbers increase with the transaction date, as NetSuite's do when records are
entered as they happen.

Every generated transaction is built by the same totals/status code the record API uses for writes
(``documents.py``), so seeded and written records have one shape.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from ledgerport.sandboxes.netsuite.catalog import CUSTOM_BODY_FIELD, CUSTOM_SEGMENT, RECORD_TYPES
from ledgerport.sandboxes.netsuite.dates import ZONE, iso_utc
from ledgerport.sandboxes.netsuite.documents import finish_transaction
from ledgerport.sandboxes.netsuite.reference import (
    AP,
    AR,
    BANK_GBP,
    BANK_USD,
    CARD,
    EXPENSE_ACCOUNTS,
    ITEMS,
    PURCHASE_ITEMS,
    SALE_ITEMS,
    UNDEPOSITED,
    Books,
    seed_reference,
)
from ledgerport.sandboxes.netsuite.store import Account

__all__ = ["SIZES", "invoice_count", "seed"]

SIZES = {"small": 50, "large": 5_000}
_WORDS = (
    "Acme Globex Initech Umbrella Stark Wayne Wonka Hooli Vandelay Soylent Cyberdyne Tyrell Massive Dynamic Oceanic"
    " Pied Piper Aperture Black Mesa Gringotts Monarch Nakatomi Oscorp Virtucon Zorg"
).split()
_SUFFIX = ("Corp", "LLC", "Inc", "Ltd", "Group", "Partners", "Labs", "Holdings")
_FIRST = ("Ada", "Grace", "Alan", "Linus", "Barbara", "Ken", "Margaret", "Dennis", "Frances", "John", "Radia", "Tim")
_LAST = ("Lovelace", "Hopper", "Turing", "Torvalds", "Liskov", "Thompson", "Hamilton", "Ritchie", "Allen", "Backus")
_CITIES = (
    ("San Francisco", "CA", "94105", "US"),
    ("New York", "NY", "10001", "US"),
    ("Austin", "TX", "73301", "US"),
    ("London", None, "EC1A 1BB", "GB"),
    ("Toronto", "ON", "M5H 2N2", "CA"),
    ("Berlin", None, "10115", "DE"),
)
_ITEM = {row[0]: row for row in ITEMS}
T = TypeVar("T")


def _randint(rng: random.Random, low: int, high: int) -> int:
    """``rng.randint`` for the seed's hot loops, a fifth of its cost (one draw, no rejection sampling)."""
    return low + int(rng.random() * (high - low + 1))


def _choice(rng: random.Random, options: Sequence[T]) -> T:
    """``rng.choice`` the same way."""
    return options[int(rng.random() * len(options))]


def invoice_count(size: str | int) -> int:
    """How many invoices a size means."""
    return SIZES[size] if isinstance(size, str) else int(size)


@dataclass
class _Party:
    id: int
    subsidiary: int
    currency: int
    terms: int


@dataclass(eq=False)
class _Plan:
    kind: str
    day: date
    secs: int
    party: _Party
    fields: dict[str, Any] = field(default_factory=dict)
    id: int = 0
    touched: date | None = None
    open: Decimal = Decimal(0)


def _ref(value: int | None) -> dict[str, str] | None:
    return None if value is None else {"id": str(value)}


class _Seeder:
    def __init__(self, account: Account, books: Books, rng: random.Random, anchor: date) -> None:
        self.account = account
        self.books = books
        self.rng = rng
        self.anchor = anchor
        self.start = anchor - timedelta(days=730)
        self.plans: list[_Plan] = []
        self._midnights: dict[date, float] = {}

    # -- time ------------------------------------------------------------------------------------------------------
    def stamp(self, day: date, secs: int) -> str:
        midnight = self._midnights.get(day)
        if midnight is None:
            midnight = self._midnights[day] = datetime(day.year, day.month, day.day, tzinfo=ZONE).timestamp()
        return iso_utc(midnight + secs)

    def day(self, low: int = 0, high: int = 729) -> date:
        return self.start + timedelta(days=_randint(self.rng, low, high))

    def secs(self) -> int:
        return _randint(self.rng, 8 * 3600, 18 * 3600)

    # -- entities --------------------------------------------------------------------------------------------------
    def entities(self, customers: int, vendors: int) -> tuple[list[_Party], list[_Party], list[int]]:
        rng, account = self.rng, self.account
        created = self.stamp(self.start - timedelta(days=60), 9 * 3600)
        out_customers, out_vendors, employees = [], [], []
        for index in range(customers):
            sub = 2 if rng.random() < 0.2 else 1
            currency = (3 if rng.random() < 0.25 else 2) if sub == 2 else (4 if rng.random() < 0.05 else 1)
            if index in {1, 2}:  # every seed has a euro customer of the UK subsidiary and a GBP one
                sub, currency = 2, 3 if index == 1 else 2
            person = rng.random() < 0.1
            first, last = _choice(rng, _FIRST), _choice(rng, _LAST)
            company = f"{_WORDS[index % len(_WORDS)]} {_SUFFIX[(index // len(_WORDS)) % len(_SUFFIX)]}"
            company += f" {index // (len(_WORDS) * len(_SUFFIX)) + 1}" if index >= len(_WORDS) * len(_SUFFIX) else ""
            name = f"{first} {last} {index}" if person else company
            party = _Party(account.next_id("entity"), sub, currency, _choice(rng, (1, 2, 2, 3, 4, 5)))
            self.put_entity(
                "customer",
                party,
                name,
                created,
                {
                    "companyName": None if person else company,
                    "isPerson": person,
                    "firstName": first if person else None,
                    "lastName": last if person else None,
                    "receivablesAccount": _ref(AR),
                    "creditLimit": Decimal(_choice(rng, (5000, 10000, 50000))),
                },
            )
            out_customers.append(party)
        for index in range(vendors):
            sub = 2 if rng.random() < 0.2 else 1
            currency = 2 if sub == 2 else 1
            name = f"{_WORDS[(index * 7) % len(_WORDS)]} Supplies {index + 1}"
            party = _Party(account.next_id("entity"), sub, currency, _choice(rng, (1, 2, 3)))
            self.put_entity(
                "vendor",
                party,
                name,
                created,
                {
                    "companyName": name,
                    "isPerson": False,
                    "legalName": f"{name} Ltd.",
                    "payablesAccount": _ref(AP),
                    "expenseAccount": _ref(_choice(rng, EXPENSE_ACCOUNTS)),
                },
            )
            out_vendors.append(party)
        supervisor = None
        for index in range(8):
            eid = account.next_id("entity")
            first, last = _FIRST[index], _LAST[index]
            sub = 2 if index == 7 else 1
            self._put(
                "employee",
                eid,
                {
                    "entityId": f"{first} {last}",
                    "firstName": first,
                    "lastName": last,
                    "email": f"{first.lower()}.{last.lower()}@ledgerport.example",
                    "phone": f"555-01{index:02d}",
                    "subsidiary": _ref(sub),
                    "department": _ref(1 + index % 4),
                    "location": _ref(3 if sub == 2 else 1),
                    "supervisor": _ref(supervisor),
                    "title": "Manager" if supervisor is None else "Associate",
                    "isInactive": index == 6,
                    "hireDate": (self.start - timedelta(days=400 + index * 30)).isoformat(),
                    "dateCreated": created,
                    "_lastModifiedDate": created,
                    "currency": _ref(2 if sub == 2 else 1),
                },
            )
            supervisor = supervisor or eid
            employees.append(eid)
        for index in range(5):
            parent = out_customers[index % len(out_customers)]
            jid = account.next_id("entity")
            start = self.day(0, 400)
            self._put(
                "job",
                jid,
                {
                    "entityId": f"Project {index + 1}",
                    "companyName": f"Project {index + 1}",
                    "parent": _ref(parent.id),
                    "entityStatus": _ref(2),
                    "startDate": start.isoformat(),
                    "projectedEndDate": (start + timedelta(days=180)).isoformat(),
                    "subsidiary": _ref(parent.subsidiary),
                    "currency": _ref(parent.currency),
                    "isInactive": False,
                    "dateCreated": created,
                    "lastModifiedDate": created,
                },
            )
        return out_customers, out_vendors, employees

    def put_entity(self, type_name: str, party: _Party, name: str, created: str, extra: dict[str, Any]) -> None:
        rng = self.rng
        city, state, zipcode, country = _choice(rng, _CITIES)
        nkey = self.account.next_nkey()
        slug = "".join(ch for ch in name.lower() if ch.isalnum())[:20]
        self._put(
            type_name,
            party.id,
            {
                "entityId": name,
                "email": f"billing@{slug}.example",
                "phone": f"555-{_randint(rng, 1000, 9999)}",
                "subsidiary": _ref(party.subsidiary),
                "currency": _ref(party.currency),
                "terms": _ref(party.terms),
                "isInactive": rng.random() < 0.03,
                "dateCreated": created,
                "lastModifiedDate": created,
                "url": f"https://{slug}.example",
                "comments": None,
                "addressBook": {
                    "items": [
                        {
                            "id": nkey,
                            "internalId": nkey,
                            "addressId": str(nkey),
                            "defaultBilling": True,
                            "defaultShipping": True,
                            **({"isResidential": False} if type_name == "customer" else {}),
                            "label": "Main",
                            "addressBookAddress": {
                                "addr1": f"{_randint(rng, 1, 999)} Market Street",
                                "city": city,
                                "state": state,
                                "zip": zipcode,
                                "country": {"id": country},
                                "addressee": name,
                                "override": False,
                            },
                        }
                    ]
                },
                **extra,
            },
        )

    def _put(self, type_name: str, record_id: int, doc: dict[str, Any]) -> None:
        doc = {"id": str(record_id), **{k: v for k, v in doc.items() if v is not None}}
        self.account.put(RECORD_TYPES[type_name], doc)

    # -- plans -----------------------------------------------------------------------------------------------------
    def plan(self, kind: str, day: date, party: _Party, **fields: Any) -> _Plan:
        found = _Plan(kind, day, self.secs(), party, fields)
        self.plans.append(found)
        return found

    def sale_lines(self, count: int) -> list[dict[str, Any]]:
        rng, out = self.rng, []
        for _ in range(count):
            iid = _choice(rng, SALE_ITEMS)
            row = _ITEM[iid]
            quantity = _randint(rng, 1, 40) if RECORD_TYPES[row[1]].code == "Service" else _randint(rng, 1, 12)
            out.append(
                self.segs(
                    {
                        "item": _ref(iid),
                        "quantity": Decimal(quantity),
                        "rate": Decimal(row[3]),
                        "description": row[2],
                        "account": _ref(row[5]),
                        "itemType": {"id": RECORD_TYPES[row[1]].code},
                    }
                )
            )
        return out

    def purchase_lines(self, count: int) -> list[dict[str, Any]]:
        rng, out = self.rng, []
        for _ in range(count):
            iid = _choice(rng, PURCHASE_ITEMS)
            row = _ITEM[iid]
            account = row[7] or row[6]
            out.append(
                self.segs(
                    {
                        "item": _ref(iid),
                        "quantity": Decimal(_randint(rng, 1, 20)),
                        "rate": Decimal(row[4]),
                        "description": row[2],
                        "_account": _ref(account),
                        "itemType": {"id": RECORD_TYPES[row[1]].code},
                    }
                )
            )
        return out

    def expense_lines(self, count: int) -> list[dict[str, Any]]:
        rng = self.rng
        return [
            self.segs(
                {
                    "account": _ref(_choice(rng, EXPENSE_ACCOUNTS)),
                    "amount": Decimal(_randint(rng, 2000, 500000)) / 100,
                    "memo": _choice(rng, ("Monthly", "Quarterly", "One-off", "Renewal", "Travel")),
                }
            )
            for _ in range(count)
        ]

    def segs(self, line: dict[str, Any]) -> dict[str, Any]:
        rng = self.rng
        if rng.random() < 0.7:
            line["department"] = _ref(_randint(rng, 1, 5))
        if rng.random() < 0.6:
            line["class"] = _ref(_randint(rng, 1, 3))
        if rng.random() < 0.5:
            line["location"] = _ref(_randint(rng, 1, 2))
        if rng.random() < 0.4:
            line[CUSTOM_SEGMENT] = _ref(_randint(rng, 1, 4))
        return line

    # -- assembly --------------------------------------------------------------------------------------------------
    def header(self, plan: _Plan, rt_name: str, **extra: Any) -> dict[str, Any]:
        party, day = plan.party, plan.day
        created = self.stamp(day, plan.secs)
        touched = plan.touched or day
        modified = self.stamp(touched, plan.secs + 60) if touched != day else created
        rt = RECORD_TYPES[rt_name]
        doc: dict[str, Any] = {
            "id": str(plan.id),
            "tranId": self.account.next_number(rt),
            "tranDate": day.isoformat(),
            "createdDate": created,
            "lastModifiedDate": modified,
            "postingPeriod": _ref(self.books.period_for(day)),
            "subsidiary": _ref(party.subsidiary),
            "currency": _ref(party.currency),
            "exchangeRate": self.books.rate(party.subsidiary, party.currency, day),
        }
        doc["_transactionNumber"] = f"{rt.code.upper()}{plan.id}"
        doc.update({k: v for k, v in extra.items() if v is not None})
        return doc

    def build(self, plan: _Plan) -> tuple[str, dict[str, Any]]:
        f, party, rng = plan.fields, plan.party, self.rng
        kind = plan.kind
        lines = f.get("lines") or []
        numbered = [{**line, "line": index + 1} for index, line in enumerate(lines)]
        if kind in {"invoice", "cashSale", "salesOrder"}:
            extra: dict[str, Any] = {"entity": _ref(party.id), "memo": f.get("memo")}
            if kind == "invoice":
                terms_days = {1: 15, 2: 30, 3: 60, 4: 0, 5: 30}[party.terms]
                extra.update(
                    {
                        "account": _ref(AR),
                        "terms": _ref(party.terms),
                        "dueDate": (plan.day + timedelta(days=terms_days)).isoformat(),
                        "otherRefNum": f"PO-{_randint(rng, 10000, 99999)}" if rng.random() < 0.5 else None,
                        "createdFrom": _ref(f["order"].id) if f.get("order") else None,
                        "amountPaid": f.get("paid", Decimal(0)),
                        CUSTOM_BODY_FIELD: "Seeded invoice" if rng.random() < 0.2 else None,
                    }
                )
                if f.get("order"):
                    for line, order_line in zip(numbered, f["order_lines"], strict=False):
                        line["orderDoc"], line["orderLine"] = _ref(f["order"].id), order_line
                    extra["_createdFromType"] = "SalesOrd"
            elif kind == "cashSale":
                extra["account"] = _ref(UNDEPOSITED)
            else:
                extra["_status"] = f.get("status", "B")
            doc = self.header(plan, kind, **extra, item={"items": numbered})
            return kind, doc
        if kind == "itemFulfillment":
            order = f["order"]
            items = [
                {
                    "line": index + 1,
                    "item": line["item"],
                    "quantity": line["quantity"],
                    "itemReceive": True,
                    "orderLine": index + 1,
                    "orderDoc": _ref(order.id),
                    "description": line.get("description"),
                    "itemType": line.get("itemType"),
                    "location": line.get("location"),
                }
                for index, line in enumerate(order.fields["lines"])
            ]
            doc = self.header(
                plan,
                kind,
                entity=_ref(party.id),
                createdFrom=_ref(order.id),
                shipStatus={"id": "C"},
                item={"items": items},
                _createdFromType="SalesOrd",
            )
            return kind, doc
        if kind == "customerPayment":
            apply = [
                {
                    "line": index + 1,
                    "doc": _ref(target.id),
                    "apply": True,
                    "amount": paid,
                    "total": target.fields["total"],
                    "due": paid,
                    "applyDate": plan.day.isoformat(),
                    "type": "Invoice",
                    "refNum": target.fields.get("tranId"),
                    "_docType": "CustInvc",
                }
                for index, (target, paid) in enumerate(f["applies"])
            ]
            amount = sum((paid for _, paid in f["applies"]), Decimal(0))
            deposited = rng.random() < 0.3
            doc = self.header(
                plan,
                kind,
                customer=_ref(party.id),
                entity=_ref(party.id),
                payment=amount,
                account=_ref((BANK_GBP if party.subsidiary == 2 else BANK_USD) if deposited else UNDEPOSITED),
                arAcct=_ref(AR),
                apply={"items": apply},
                undepFunds=not deposited,
            )
            return kind, doc
        if kind in {"creditMemo", "vendorCredit"}:
            target = f.get("target")
            apply = []
            if target is not None and f.get("applied"):
                apply = [
                    {
                        "line": 1,
                        "doc": _ref(target.id),
                        "apply": True,
                        "amount": f["applied"],
                        "total": target.fields["total"],
                        "due": f["applied"],
                        "applyDate": plan.day.isoformat(),
                        "type": "Invoice" if kind == "creditMemo" else "Bill",
                        "refNum": target.fields.get("tranId"),
                        "_docType": "CustInvc" if kind == "creditMemo" else "VendBill",
                    }
                ]
            sublist = "item" if kind == "creditMemo" else "expense"
            doc = self.header(
                plan,
                kind,
                entity=_ref(party.id),
                account=_ref(AR if kind == "creditMemo" else AP),
                createdFrom=_ref(target.id) if target else None,
                memo="Credit",
                **{sublist: {"items": numbered}, "apply": {"items": apply}},
            )
            return kind, doc
        if kind == "vendorBill":
            terms_days = {1: 15, 2: 30, 3: 60}[party.terms]
            item_lines = [{**line, "line": index + 1} for index, line in enumerate(f.get("items") or [])]
            expense = [{**line, "line": len(item_lines) + index + 1} for index, line in enumerate(lines)]
            if f.get("order"):
                for line, order_line in zip(item_lines, f["order_lines"], strict=False):
                    line["orderDoc"], line["orderLine"] = _ref(f["order"].id), order_line
            pending = f.get("pending", False)
            doc = self.header(
                plan,
                kind,
                entity=_ref(party.id),
                account=_ref(AP),
                terms=_ref(party.terms),
                dueDate=(plan.day + timedelta(days=terms_days)).isoformat(),
                approvalStatus={"id": "1" if pending else "2"},
                paymentHold=False,
                _createdFrom=_ref(f["order"].id) if f.get("order") else None,
                _createdFromType="PurchOrd" if f.get("order") else None,
                _paid=f.get("paid", Decimal(0)),
                memo=f.get("memo"),
                expense={"items": expense} if expense else None,
                item={"items": item_lines} if item_lines else None,
            )
            return kind, doc
        if kind == "purchaseOrder":
            doc = self.header(
                plan,
                kind,
                entity=_ref(party.id),
                approvalStatus={"id": "2"},
                item={"items": numbered},
                _status=f.get("status", "B"),
            )
            return kind, doc
        if kind == "vendorPayment":
            target = f["bill"]
            amount = f["amount"]
            apply = [
                {
                    "line": 1,
                    "doc": _ref(target.id),
                    "apply": True,
                    "amount": amount,
                    "total": target.fields["total"],
                    "due": amount,
                    "applyDate": plan.day.isoformat(),
                    "type": "Bill",
                    "refNum": target.fields.get("tranId"),
                    "_docType": "VendBill",
                }
            ]
            doc = self.header(
                plan,
                kind,
                entity=_ref(party.id),
                total=amount,
                apAcct=_ref(AP),
                account=_ref(BANK_GBP if party.subsidiary == 2 else BANK_USD),
                approvalStatus={"id": "2"},
                apply={"items": apply},
            )
            return kind, doc
        if kind == "journalEntry":
            doc = self.header(
                plan,
                kind,
                memo=f.get("memo"),
                approvalStatus={"id": "1" if f.get("pending") else "2"},
                line={"items": numbered},
            )
            doc.pop("currency", None)
            doc["currency"] = _ref(self.books.base_currency[party.subsidiary])
            doc["exchangeRate"] = Decimal(1)
            return kind, doc
        if kind in {"check", "creditCardCharge"}:
            bank = CARD if kind == "creditCardCharge" else (BANK_GBP if party.subsidiary == 2 else BANK_USD)
            doc = self.header(
                plan, kind, entity=_ref(party.id), account=_ref(bank), memo=f.get("memo"), expense={"items": numbered}
            )
            return kind, doc
        if kind == "expenseReport":
            doc = self.header(
                plan,
                kind,
                entity=_ref(f["employee"]),
                employee=_ref(f["employee"]),
                account=_ref(AP),
                approvalStatus={"id": "2"},
                memo="Travel and meals",
                expense={"items": numbered},
            )
            return kind, doc
        if kind == "deposit":
            doc = self.header(
                plan,
                kind,
                account=_ref(BANK_GBP if party.subsidiary == 2 else BANK_USD),
                memo="Bank deposit",
                other={"items": numbered},
            )
            return kind, doc
        raise ValueError(kind)


def seed(account: Account, *, seed: int, size: str | int, anchor: date) -> Books:
    """Fill ``account`` with the seeded data; ``anchor`` is "today" (the day after the last seeded transaction)."""
    rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
    invoices = invoice_count(size)
    with account.bulk():
        created = iso_utc(datetime(anchor.year - 3, 1, 1, tzinfo=ZONE).timestamp())
        books = seed_reference(account, anchor, created)
        seeder = _Seeder(account, books, rng, anchor)
        customers, vendors, employees = seeder.entities(
            max(10, min(5000, invoices // 10)), max(8, min(2000, invoices // 20))
        )
        _plan_sales(seeder, customers, invoices)
        _plan_purchases(seeder, vendors, invoices)
        _plan_other(seeder, customers, vendors, employees, invoices)
        seeder.plans.sort(key=lambda p: (p.day, p.secs))
        for plan in seeder.plans:
            plan.id = account.next_id("transaction")
        for plan in seeder.plans:
            kind, doc = seeder.build(plan)
            rt = RECORD_TYPES[kind]
            finish_transaction(rt, doc)
            plan.fields["tranId"] = doc["tranId"]
            account.put(rt, {k: v for k, v in doc.items() if v is not None})
        when = iso_utc(datetime.combine(anchor - timedelta(days=3), datetime.min.time(), ZONE).timestamp())
        local = when.replace("T", " ").replace("Z", "")
        for type_name, family, name in (
            ("invoice", "transaction", "Invoice #INV0999"),
            ("vendorbill", "transaction", "Bill #BILL0999"),
            ("customer", "entity", "Defunct Customer"),
        ):
            account.tombstone(type_name, account.next_id(family), name, local)
    account.refresh_balances()
    return books


def _plan_sales(seeder: _Seeder, customers: list[_Party], invoices: int) -> None:
    rng = seeder.rng
    orders = max(4, invoices // 20)
    from_orders = 0
    invoice_plans: list[_Plan] = []
    for _ in range(orders):
        party = _choice(rng, customers)
        lines = seeder.sale_lines(_randint(rng, 1, 3))
        day = seeder.day(0, 700)
        fulfilled = rng.random() < 0.7 and from_orders < invoices // 2
        order = seeder.plan("salesOrder", day, party, lines=lines, status="G" if fulfilled else "B")
        if fulfilled:
            ship_day = day + timedelta(days=_randint(rng, 1, 10))
            seeder.plan("itemFulfillment", ship_day, party, order=order)
            billed = [dict(line) for line in lines]
            invoice = seeder.plan(
                "invoice",
                ship_day + timedelta(days=1),
                party,
                lines=billed,
                order=order,
                order_lines=list(range(1, len(lines) + 1)),
            )
            invoice_plans.append(invoice)
            from_orders += 1
    for _ in range(invoices - from_orders):
        party = _choice(rng, customers)
        # A live company bills every week: a fifth of its invoices fall in the last 45 days, whose periods are open
        # (the reference data closes a month 120 days after it ends), so some are always still writable.
        recent = rng.random() < 0.2
        invoice_plans.append(
            seeder.plan(
                "invoice",
                seeder.day(685, 729) if recent else seeder.day(),
                party,
                lines=seeder.sale_lines(_choice(rng, (1, 1, 2, 2, 3, 4))),
                memo=_choice(rng, (None, "Thank you for your business", "Quarterly services")),
            )
        )
    # Some payments settle two invoices of a customer at once: the one being paid and an older unpaid one.
    unpaid: dict[int, _Plan] = {}
    invoice_plans.sort(key=lambda p: (p.day, p.secs))
    for invoice in invoice_plans:
        total = sum((line["quantity"] * line["rate"] for line in invoice.fields["lines"]), Decimal(0))
        invoice.fields["total"] = total
        invoice.open = total
        age = (seeder.anchor - invoice.day).days
        if age > 20 and rng.random() < 0.45:
            amount = total if rng.random() < 0.85 else (total / 2).quantize(Decimal("0.01"))
            pay_day = invoice.day + timedelta(days=_randint(rng, 3, min(60, age - 1)))
            applies = [(invoice, amount)]
            older = unpaid.pop(invoice.party.id, None)
            if older is not None and rng.random() < 0.5:
                applies.insert(0, (older, older.open))
            seeder.plan("customerPayment", pay_day, invoice.party, applies=applies)
            for target, paid in applies:
                target.open -= paid
                target.fields["paid"] = target.fields.get("paid", Decimal(0)) + paid
                target.touched = max(target.touched or pay_day, pay_day)
        elif age > 20:
            unpaid[invoice.party.id] = invoice
    credit_targets = [p for p in invoice_plans if p.open > 0 and (seeder.anchor - p.day).days > 5]
    for _ in range(max(3, invoices // 25)):
        if not credit_targets:
            break
        target = _choice(rng, credit_targets)
        amount = (target.open * Decimal(_choice(rng, ("0.1", "0.25", "0.5")))).quantize(Decimal("0.01"))
        if amount <= 0:
            continue
        applied = amount if rng.random() < 0.8 else Decimal(0)
        day = min(target.day + timedelta(days=_randint(rng, 1, 5)), seeder.anchor - timedelta(days=1))
        line = {
            "item": _ref(6),
            "quantity": Decimal(1),
            "rate": amount,
            "description": "Credit",
            "account": _ref(18),
            "itemType": {"id": "Service"},
        }
        seeder.plan("creditMemo", day, target.party, target=target, applied=applied, lines=[line])
        if applied:
            target.open -= applied
            target.fields["paid"] = target.fields.get("paid", Decimal(0)) + applied
            target.touched = max(target.touched or day, day)
    for _ in range(max(3, invoices // 25)):
        party = _choice(rng, customers)
        seeder.plan("cashSale", seeder.day(), party, lines=seeder.sale_lines(_randint(rng, 1, 2)))


def _plan_purchases(seeder: _Seeder, vendors: list[_Party], invoices: int) -> None:
    rng = seeder.rng
    bills: list[_Plan] = []
    for _ in range(max(3, invoices // 25)):
        party = _choice(rng, vendors)
        lines = seeder.purchase_lines(_randint(rng, 1, 3))
        day = seeder.day(0, 700)
        billed = rng.random() < 0.6
        order = seeder.plan("purchaseOrder", day, party, lines=lines, status="G" if billed else "B")
        if billed:
            bills.append(
                seeder.plan(
                    "vendorBill",
                    day + timedelta(days=_randint(rng, 2, 20)),
                    party,
                    items=[dict(line) for line in lines],
                    lines=[],
                    order=order,
                    order_lines=list(range(1, len(lines) + 1)),
                )
            )
    for _ in range(max(5, invoices // 8)):
        party = _choice(rng, vendors)
        bills.append(
            seeder.plan(
                "vendorBill",
                seeder.day(),
                party,
                lines=seeder.expense_lines(_randint(rng, 1, 3)),
                items=seeder.purchase_lines(1) if rng.random() < 0.2 else [],
                pending=rng.random() < 0.03,
                memo=_choice(rng, (None, "Monthly services")),
            )
        )
    for bill in bills:
        total = sum((line["amount"] for line in bill.fields["lines"]), Decimal(0))
        total += sum((line["quantity"] * line["rate"] for line in bill.fields.get("items") or []), Decimal(0))
        bill.fields["total"] = total
        bill.open = total
        age = (seeder.anchor - bill.day).days
        if not bill.fields.get("pending") and age > 20 and rng.random() < 0.55:
            amount = total if rng.random() < 0.9 else (total / 2).quantize(Decimal("0.01"))
            pay_day = bill.day + timedelta(days=_randint(rng, 3, min(45, age - 1)))
            seeder.plan("vendorPayment", pay_day, bill.party, bill=bill, amount=amount)
            bill.open -= amount
            bill.fields["paid"] = amount
            bill.touched = pay_day
    targets = [b for b in bills if b.open > 0 and not b.fields.get("pending")]
    for _ in range(max(3, invoices // 40)):
        if not targets:
            break
        target = _choice(rng, targets)
        amount = (target.open * Decimal("0.2")).quantize(Decimal("0.01"))
        if amount <= 0:
            continue
        day = min(target.day + timedelta(days=_randint(rng, 1, 5)), seeder.anchor - timedelta(days=1))
        line = {"account": _ref(_choice(rng, EXPENSE_ACCOUNTS)), "amount": amount, "memo": "Vendor credit"}
        seeder.plan("vendorCredit", day, target.party, target=target, applied=amount, lines=[line])
        target.open -= amount
        target.fields["paid"] = target.fields.get("paid", Decimal(0)) + amount
        target.touched = max(target.touched or day, day)


def _plan_other(
    seeder: _Seeder, customers: list[_Party], vendors: list[_Party], employees: list[int], invoices: int
) -> None:
    rng = seeder.rng
    for index in range(max(4, invoices // 25)):
        sub = 2 if index % 5 == 4 else 1
        party = _Party(0, sub, 2 if sub == 2 else 1, 0)
        amount = Decimal(_randint(rng, 10000, 2000000)) / 100
        debit, credit = rng.sample(list(EXPENSE_ACCOUNTS) + [12, 13, 16], 2)
        lines = [
            seeder.segs({"account": {"id": str(debit)}, "debit": amount, "memo": "Accrual"}),
            {"account": {"id": str(credit)}, "credit": amount, "memo": "Accrual"},
        ]
        if rng.random() < 0.3:
            split = (amount / 3).quantize(Decimal("0.01"))
            lines[1]["credit"] = amount - split
            lines.append({"account": {"id": "12"}, "credit": split, "memo": "Split"})
        seeder.plan(
            "journalEntry", seeder.day(), party, lines=lines, pending=rng.random() < 0.05, memo="Month-end accrual"
        )
    for kind, count in (("check", max(3, invoices // 50)), ("creditCardCharge", max(3, invoices // 50))):
        for _ in range(count):
            party = _choice(rng, [v for v in vendors if v.subsidiary == 1] or vendors)
            seeder.plan(kind, seeder.day(), party, lines=seeder.expense_lines(_randint(rng, 1, 2)), memo="Purchase")
    for _ in range(max(3, invoices // 60)):
        employee = _choice(rng, employees[:6])
        party = _Party(employee, 1, 1, 0)
        seeder.plan(
            "expenseReport", seeder.day(), party, employee=employee, lines=seeder.expense_lines(_randint(rng, 1, 3))
        )
    for _ in range(max(3, invoices // 60)):
        party = _choice(rng, [c for c in customers if c.subsidiary == 1 and c.currency == 1] or customers)
        amount = Decimal(_randint(rng, 10000, 500000)) / 100
        lines = [
            {
                "account": {"id": str(UNDEPOSITED)},
                "amount": amount,
                "entity": _ref(party.id),
                "memo": "Customer payments",
            }
        ]
        seeder.plan("deposit", seeder.day(), _Party(party.id, 1, 1, 0), lines=lines)
