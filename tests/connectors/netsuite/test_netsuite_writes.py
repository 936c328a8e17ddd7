"""NetSuite writes against a scripted account: bodies built from the write tables, creates made at most once by
their external id (a lost answer is looked up, never resent blindly), closed periods refused before sending, and
bulk creates as async jobs whose idempotency keys lead a resent chunk back to the first jobs."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest

from ledgerport.connectors._base import FunctionTransport, Rejected, Request, Response, Transient
from ledgerport.connectors._base.auth import TokenSet
from ledgerport.connectors._base.client import ProviderClient, RetryPolicy
from ledgerport.connectors._base.writes import build_payload
from ledgerport.connectors.netsuite import CONNECTOR
from ledgerport.connectors.netsuite.writer import WRITER, async_key, external_id
from ledgerport.connectors.netsuite.writes import WRITES
from ledgerport.kit.budget import MemoryBudget
from ledgerport.models import MODELS
from ledgerport.writes.validate import check_request

BASE = "http://sandbox.test"
ACCOUNT = {"account_id": "1234567_SB1", "host": "1234567-sb1"}
RECORDS = "/services/rest/record/v1"


class Tokens:
    async def current(self) -> TokenSet:
        return TokenSet(access_token="at", refresh_token="rt", expires_at=9e12)

    async def refresh(self, stale: TokenSet) -> TokenSet:
        return stale


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    return Response(status=status, headers=headers or {}, body=json.dumps(body).encode(), url=BASE)


def _error(status: int, code: str, detail: str, **extra: str) -> Response:
    entry = {"detail": detail, "o:errorCode": code, **{f"o:{k}": v for k, v in extra.items()}}
    return _json(status, {"title": "Bad Request", "status": status, "o:errorDetails": [entry]})


class Account:
    """A scripted NetSuite account: records by type, SuiteQL over them, async jobs with idempotency keys."""

    def __init__(self, *, closed: bool = False) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self.next_id = 100
        self.jobs: dict[str, Response] = {}
        self.keys: dict[str, str] = {}
        self.closed = closed
        self.lose_next_answer = False
        self.refuse: set[str] = set()
        self.creates = 0

    def _make(self, kind: str, body: dict[str, Any]) -> Response:
        ext = body.get("externalId")
        if ext and any(r["externalid"] == ext for r in self.records.values()):
            return _error(400, "USER_ERROR", "A record with this external ID already exists.")
        if body.get("memo") in self.refuse:
            return _error(400, "USER_ERROR", "Please enter value(s) for: Item")
        self.next_id += 1
        self.creates += 1
        rid = str(self.next_id)
        self.records[rid] = {"id": rid, "externalid": ext, "kind": kind, "memo": body.get("memo"), "body": body}
        return Response(status=204, headers={"location": f"{BASE}{RECORDS}/{kind}/{rid}"}, body=b"", url=BASE)

    def _suiteql(self, query: str) -> Response:
        if "FROM dual" in query:
            return _json(200, {"items": [{"now": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")}], "hasMore": False})
        if "FROM customsegment" in query or "FROM transactionline" in query:
            return _json(200, {"items": [], "hasMore": False})
        if "FROM previoustransactionlinelink" in query or "FROM transactionaccountingline" in query:
            return _json(200, {"items": [], "hasMore": False})
        if "FROM currency" in query:
            return _json(200, {"items": [{"id": "1", "symbol": "USD"}, {"id": "2", "symbol": "GBP"}], "hasMore": False})
        if "FROM accountingperiod" in query:
            period = {"id": "7", "periodname": "Mar 2025", "closed": "T" if self.closed else "F", "alllocked": "F"}
            return _json(200, {"items": [period], "hasMore": False})
        ids = re.search(r"\.id IN \(([^)]*)\)", query)
        externals = re.search(r"\.externalid IN \(([^)]*)\)", query)
        rows = list(self.records.values())
        if ids:
            wanted = {one.strip() for one in ids.group(1).split(",")}
            rows = [r for r in rows if r["id"] in wanted]
        if externals:
            wanted = {one.strip().strip("'") for one in externals.group(1).split(",")}
            rows = [r for r in rows if r["externalid"] in wanted]
        items = [
            {
                "id": r["id"],
                "externalid": r["externalid"],
                "type": "CustInvc",
                "memo": r["memo"],
                "subsidiary": "1",
                "foreigntotal": "100.00",
                "lastmodifieddate": "2025-03-03T10:00:00",
            }
            for r in rows
        ]
        return _json(200, {"items": items, "hasMore": False, "totalResults": len(items)})

    def __call__(self, request: Request) -> Response:
        path = request.url.removeprefix(BASE)
        body = msgspec.json.decode(request.body or b"{}")
        if path == "/services/rest/query/v1/suiteql":
            return self._suiteql(str(body["q"]))
        if request.headers.get("Prefer") == "respond-async":
            key = request.headers["X-NetSuite-Idempotency-Key"]
            if key in self.keys:
                first = self.keys[key]
                url = f"{BASE}/services/rest/async/v1/job/{first}"
                return _error(400, "IDEMPOTENCY_ERROR", f"The key was used for job {first}.", errorUrl=url)
            job = str(len(self.jobs) + 1)
            self.keys[key] = job
            self.jobs[job] = self._make(path.rsplit("/", 1)[-1], body)
            return Response(status=202, headers={"location": f"/services/rest/async/v1/job/{job}"}, body=b"")
        found = re.match(r"/services/rest/async/v1/job/(\d+)(/task(?:/(\d+)(/result)?)?)?$", path)
        if found:
            job, task, _, result = found.groups()
            if result:
                return self.jobs[job]
            if task:
                return _json(200, {"items": [{"id": job}]})
            return _json(200, {"id": job, "completed": True, "progress": "succeeded"})
        if request.method == "POST" and path.startswith(RECORDS):
            made = self._make(path.removeprefix(RECORDS + "/").split("/")[0], body)
            if self.lose_next_answer:
                self.lose_next_answer = False
                return _error(502, "UNEXPECTED_ERROR", "gateway timeout")
            return made
        if request.method == "PUT" and "/eid:" in path:
            ext = path.rsplit("eid:", 1)[1]
            return self._make(path.removeprefix(RECORDS + "/").split("/")[0], {**body, "externalId": ext})
        raise AssertionError(f"unexpected {request.method} {path}")


def _client(account: Account) -> tuple[ProviderClient, FunctionTransport]:
    transport = FunctionTransport(account)
    client = ProviderClient(
        CONNECTOR,
        transport=transport,
        tokens=Tokens(),
        budget=MemoryBudget(),
        budget_key="netsuite:test",
        context=CONNECTOR.context(ACCOUNT, BASE),
        retry=RetryPolicy(base_delay=0.001, max_delay=0.01, attempts=3),
    )
    return client, transport


class Resolved:
    def __call__(self, record_id: str) -> str | None:
        return {"cust": "12", "sub": "1", "item": "55", "dept": "department/3", "acct": "60", "acct2": "61"}.get(
            record_id
        )

    def document(self, record_id: str) -> None:
        return None


INVOICE = {
    "type": "ACCOUNTS_RECEIVABLE",
    "contact": "cust",
    "company": "sub",
    "issue_date": "2025-03-03T00:00:00Z",
    "currency": "GBP",
    "memo": "March",
    "tracking_categories": ["dept"],
    "line_items": [{"item": "item", "quantity": 2, "unit_price": 50, "description": "Design"}],
}


def _invoice_body(given: dict[str, Any] = INVOICE) -> tuple[Any, dict[str, Any]]:
    checked = check_request(WRITES["Invoice"], MODELS["Invoice"].struct, given, integration="NetSuite", kind="create")
    assert not checked.errors, checked.errors
    assert checked.target is not None
    return checked.target, build_payload(checked.target, checked.model, Resolved())


def _posts(transport: FunctionTransport) -> list[Request]:
    return [r for r in transport.requests if r.method in ("POST", "PUT") and "/suiteql" not in r.url]


def test_an_invoice_body_in_netsuites_shape() -> None:
    target, body = _invoice_body()
    assert target.entity == "invoice"
    assert body == {
        "entity": {"id": "12"},
        "subsidiary": {"id": "1"},
        "tranDate": "2025-03-03",
        "currency": {"__currency_code": "GBP"},
        "memo": "March",
        "department": {"id": "3"},
        "item": {"items": [{"item": {"id": "55"}, "quantity": 2, "rate": 50, "description": "Design"}]},
    }


def test_a_bill_splits_item_and_expense_lines() -> None:
    bill = {
        **INVOICE,
        "type": "ACCOUNTS_PAYABLE",
        "line_items": [
            {"item": "item", "quantity": 1, "unit_price": 10},
            {"account": "acct", "total_amount": 25, "description": "Travel"},
        ],
    }
    target, body = _invoice_body(bill)
    assert target.entity == "vendorBill"
    assert body["item"] == {"items": [{"item": {"id": "55"}, "quantity": 1, "rate": 10}]}
    assert body["expense"] == {"items": [{"account": {"id": "60"}, "amount": 25, "memo": "Travel"}]}


def test_the_subsidiary_is_required_and_journals_balance() -> None:
    given = {key: value for key, value in INVOICE.items() if key != "company"}
    checked = check_request(WRITES["Invoice"], MODELS["Invoice"].struct, given, integration="NetSuite", kind="create")
    assert [(p.problem_type, p.source.pointer if p.source else None) for p in checked.errors] == [
        ("MISSING_REQUIRED_FIELD", "/model/company")
    ]
    journal = {
        "transaction_date": "2025-03-03T00:00:00Z",
        "company": "sub",
        "lines": [{"account": "acct", "net_amount": 100}, {"account": "acct2", "net_amount": -90}],
    }
    checked = check_request(
        WRITES["JournalEntry"], MODELS["JournalEntry"].struct, journal, integration="NetSuite", kind="create"
    )
    assert [p.title for p in checked.errors] == ["Unbalanced Journal Entry"]
    journal["lines"][1]["net_amount"] = -100
    checked = check_request(
        WRITES["JournalEntry"], MODELS["JournalEntry"].struct, journal, integration="NetSuite", kind="create"
    )
    assert not checked.errors
    assert checked.target is not None
    body = build_payload(checked.target, checked.model, Resolved())
    assert body["line"] == {
        "items": [{"account": {"id": "60"}, "debit": 100}, {"account": {"id": "61"}, "credit": 100}]
    }


async def test_a_create_is_sent_once_and_read_back_through_suiteql() -> None:
    account = Account()
    client, transport = _client(account)
    target, body = _invoice_body()
    ready = await target.complete(client, body) if target.complete else body
    assert ready["currency"] == {"id": "2"}
    made = await WRITER.create(client, target, ready, "op1")
    assert made["id"] == "101"
    assert made["lines"] == []
    assert made["applied_by"] == []
    (post,) = _posts(transport)
    assert post.headers["X-NetSuite-PropertyNameValidation"] == "Error"
    assert msgspec.json.decode(post.body or b"")["externalId"] == external_id("op1")
    # The same operation again (its answer was lost to ledgerport): found by its external id, not made twice.
    again = await WRITER.create(client, target, ready, "op1")
    assert again["id"] == "101"
    assert account.creates == 1
    assert len(_posts(transport)) == 1


async def test_a_lost_answer_is_looked_up_not_resent() -> None:
    account = Account()
    account.lose_next_answer = True  # NetSuite made it, the answer was a 502
    client, transport = _client(account)
    target, body = _invoice_body()
    made = await WRITER.create(client, target, body, "op2")
    assert made["id"] == "101"
    assert account.creates == 1
    assert [r.method for r in _posts(transport)] == ["POST"]


async def test_a_create_that_never_arrived_is_sent_as_an_upsert() -> None:
    account = Account()
    client, transport = _client(account)

    def lost(request: Request) -> Response:
        if request.method == "POST" and "/record/" in request.url:
            return _error(503, "UNEXPECTED_ERROR", "down")
        return account(request)

    transport._handler = lost  # noqa: SLF001 - the same account, its POSTs lost before they arrive
    target, body = _invoice_body()
    made = await WRITER.create(client, target, body, "op3")
    assert made["externalid"] == external_id("op3")
    puts = [r for r in _posts(transport) if r.method == "PUT"]
    assert [r.url for r in puts] == [f"{BASE}{RECORDS}/invoice/eid:{external_id('op3')}"]
    assert len([r for r in _posts(transport) if r.method == "POST"]) == 1  # never resent
    assert account.creates == 1


async def test_a_closed_period_is_refused_before_sending() -> None:
    account = Account(closed=True)
    client, transport = _client(account)
    target, body = _invoice_body()
    assert target.complete is not None
    with pytest.raises(Rejected) as refused:
        await target.complete(client, body)
    (problem,) = refused.value.problems
    assert problem.pointer == "/model/issue_date"
    assert "Mar 2025" in problem.detail
    assert "closed" in problem.detail
    assert _posts(transport) == []


async def test_a_bulk_chunk_is_made_once_even_when_sent_again() -> None:
    account = Account()
    account.refuse.add("bad")
    client, transport = _client(account)
    target, body = _invoice_body()
    payloads = [{**body, "memo": "one"}, {**body, "memo": "bad"}, {**body, "memo": "three"}]
    answers = await WRITER.create_many(client, target, payloads, "batch-0")
    assert [a["memo"] if isinstance(a, dict) else "refused" for a in answers] == ["one", "refused", "three"]
    assert "Please enter value(s) for: Item" in answers[1][0].detail
    keys = [r.headers["X-NetSuite-Idempotency-Key"] for r in _posts(transport)]
    assert keys == [async_key("batch-0", n) for n in range(3)]
    # A worker died before the chunk was stored: the chunk is sent again with the same keys.
    again = await WRITER.create_many(client, target, payloads, "batch-0")
    assert [a["id"] if isinstance(a, dict) else "refused" for a in again] == [
        a["id"] if isinstance(a, dict) else "refused" for a in answers
    ]
    assert account.creates == 2
    assert len(account.jobs) == 3


async def test_a_bulk_chunk_fails_whole_on_an_outage() -> None:
    account = Account()
    client, transport = _client(account)

    def down(request: Request) -> Response:
        if "/async/" in request.url:
            return _error(503, "UNEXPECTED_ERROR", "down")
        return account(request)

    transport._handler = down  # noqa: SLF001
    target, body = _invoice_body()
    with pytest.raises(Transient):
        await WRITER.create_many(client, target, [body, body], "batch-1")
