"""How fast a bulk create finishes under the providers' real limits: 100-invoice batches to QuickBooks, Xero,
NetSuite and Business Central.

Method, per provider and database (SQLite file; PostgreSQL database created on ``postgresql://127.0.0.1:5432/test``
and dropped afterwards unless ``--keep``):

1. The sandbox runs in its own process **with its limits on** (``bench/_sync_sandbox.py --limits on``: QuickBooks
   500 requests a minute and 10 at once per company, ``/batch`` 40 a minute per company and app; Xero 60 a minute,
   5 at once and 5,000 a day per organisation), ``ledgerport serve`` in another with the client's own budget as it
   ships (the published limits), and one ``ledgerport worker --concurrency 4``. An organization is made, the
   company linked (``accounts link --sandbox``) and synced (``sync --wait``), so the customer, item and account a
   payload names are records of the account.
2. Each scenario starts right after a minute boundary (the sandboxes count fixed, epoch-aligned minutes) so the
   whole quota is there, as for a client that has not called the provider for a minute:
   * **one bulk**: one ``POST /invoices/bulk`` of 100 invoices;
   * **quota**: ``--bulks`` such POSTs back to back (defaults: QuickBooks 12 = 48 ``/batch`` calls against 40 a
     minute; Xero 35 = 70 ``PUT /Invoices`` calls against 60 a minute), so the provider's quota, not the work,
     decides when the last invoice can be made.
   **completion s** = from the first POST until the last batch reads final (``GET /invoices/bulk/{id}`` every
   50 ms). Every batch must end SUCCESS and the sandbox must hold exactly 100 new invoices per batch.
3. **Provider calls** are counted at the sandbox (``/_sandbox/stats``, API paths only, throttled calls included)
   and set against the fewest the batches need: ⌈100 / chunk⌉ write calls each (QuickBooks ``/batch`` of 30,
   Xero ``PUT ?summarizeErrors=false`` of 50; an invoice line naming an account needs no lookup).
4. **Quota bound** = max over the provider's quotas of ``(⌈n/L⌉ − 1)·60`` s, ``n`` the calls the batches needed
   that the quota counts and ``L`` its calls a minute: whether the provider counts rolling or clock minutes, a
   client never throttled keeps at most ``L`` calls in any 60 s, so call ``k·L + 1`` leaves 60·k s after the first
   at the earliest (as in ``bench/sync.py``). Under ``L`` calls the bound is 0 and the one-bulk figure is the work
   itself: validation, the job's pickup (workers poll every second), the provider calls and the commits. Goal:
   completion ≤ 1.1 × quota bound where it is not 0.
4b. **NetSuite** has no quota a minute but a concurrency limit (5 calls at once per account; the sandbox answers a
   sixth with 429) and makes one record a call: a bulk is 100 async creates (``Prefer: respond-async``), each
   followed to its job, the job's task list and the task's result (4 calls an invoice), besides SuiteQL (the
   period check, the chunk's read-back). **Write calls** are the creates (fewest: 100 a bulk). Each call holds its
   slot ``latency`` (a fault of 100 ms, as a real account's calls take a few hundred), so the **concurrency bound**
   is ``⌈4·invoices / 5⌉ × latency``: no client keeping to the limit finishes the calls sooner. The scenarios
   start at once (no minute to wait for); "quota" is 3 bulks posted back to back.
4c. **Business Central** counts 6,000 OData requests per user in any 5-minute sliding window (every API request,
   ``$batch`` one however many operations it carries). A bulk is one ``$batch`` of ≤ 100 creates (deep inserts of
   the drafts), with the chunk's records looked up by their keys before and read back after (``GET salesInvoices``,
   20 keys a filter: 5 + 5 for 100); invoices asked for posted (``status`` OPEN) take a second ``$batch`` of
   ``Microsoft.NAV.post`` actions and another read-back. **Write calls** are the ``$batch`` calls (fewest: one per
   bulk, two where posting is asked); the bound is ``(⌈n/6000⌉ − 1)·300`` s. The window is sliding, so no minute
   is waited for: each scenario starts with the sandbox's counted calls forgotten (``POST /_sandbox/limits``), as
   for a client quiet for 5 minutes. Besides "one bulk" and "quota" (``--bulks`` drafts back to back) there is
   **posted**: one bulk of invoices asked for posted.
5. **Latency**: p50 and p99 of every ``POST /invoices/bulk`` (100 invoices validated and stored) and of every
   ``GET /invoices/bulk/{id}`` polled while the batches ran (100 item rows read).

6. **Webhooks**: a receiver on loopback (a threaded ``http.server`` with keep-alive, in this process) is
   registered before the company is linked (``ledgerport webhooks add``, ``Invoice.added`` and
   ``AsyncBulkPost.completed``; ``LEDGERPORT_WEBHOOK_ALLOW_PRIVATE=1``). For each scenario's batches:
   **deliveries** (every invoice's ``Invoice.added`` and every batch's ``AsyncBulkPost.completed`` must arrive),
   **commit→delivery p50/p99** = receipt time − the ``modified_at`` the event's invoice carries (stamped in the
   transaction that stored it), and **deliveries/s** over the scenario. All of one account's events are one lane,
   sent one after the other in order, so deliveries/s is a lane's rate. Then a **burst**: 2,000 events written in
   one transaction (``store.webhooks.emit``, as a sync page of that many changes would) → deliveries/s until the
   last arrives, and p50/p99 from that commit.

Output: a table, then one JSON line on stdout; progress on stderr. The load average is recorded around each
scenario: the sandbox, the server, the worker and the database share the machine's CPUs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

from _processes import cli, free_port, spawn, stop, wait_answering

BENCH = Path(__file__).resolve().parent
ADMIN_URL = "postgresql://127.0.0.1:5432/test"
COMPANY_INVOICES = 50
ITEMS = 100
POLL = 0.05
FINAL = {"SUCCESS", "PARTIAL_SUCCESS", "FAILED"}
err = Console(stderr=True)


@dataclass(frozen=True)
class Provider:
    """What the bound needs to know about a provider: its write path, chunk size and quotas."""

    name: str
    write_path: str
    """The part of a path that marks a bulk write call (QuickBooks ``/batch``, Xero ``/Invoices``)."""
    chunk: int
    quotas: tuple[tuple[str, int], ...]
    """``(path part, calls a minute)``: each quota counts the calls whose path contains the part."""
    default_bulks: int
    concurrency: int = 0
    """Calls at once per account, where that (not a quota a minute) is the provider's limit: NetSuite's 5."""
    latency_ms: float = 0.0
    """The sandbox's latency fault during the scenarios: each call holds its slot this long, as a real one would."""
    calls_per_item: int = 0
    """Where each invoice is its own create (NetSuite's async jobs): the fewest calls one item needs."""
    window_s: float = 60.0
    """The quotas' window: a minute, or Business Central's 5-minute sliding window."""
    sliding: bool = False
    """A sliding window (Business Central): a scenario empties it at the sandbox instead of waiting for a minute."""
    posting: bool = False
    """Whether posting is a write call of its own (BC's second ``$batch``): then a "posted" scenario runs too."""


PROVIDERS = {
    "quickbooks": Provider("quickbooks", "/batch", 30, (("/batch", 40), ("", 500)), 12),
    "xero": Provider("xero", "/Invoices", 50, (("", 60),), 35),
    # NetSuite: one async create per invoice (POST + Prefer: respond-async), then its job, the job's task list and
    # the task's result: 4 calls an invoice; the period check and the chunk's read-back are SuiteQL besides.
    "netsuite": Provider(
        "netsuite", "/services/rest/record/v1/invoice", 25, (), 3, concurrency=5, latency_ms=100, calls_per_item=4
    ),
    # Business Central: every API request counts against 6,000 per user in any 5 minutes (sliding); a bulk is one
    # $batch of <= 100 creates, and a second of post actions where the invoices are asked for posted.
    "business_central": Provider(
        "business_central", "$batch", 100, (("", 6_000),), 20, window_s=300.0, sliding=True, posting=True
    ),
}
LINK_OPTIONS = {"business_central": ("--company", "CRONUS USA, Inc.")}
"""What the link page would ask (as ``bench/sync.py``'s ``LINK_FACTS``): BC's first company by name is CRONUS Canada."""
PROBES = {"business_central": "/_sandbox", "netsuite": "/_sandbox/account", "quickbooks": "/_sandbox/realms"}
"""A control path each sandbox answers once it serves (Xero's: ``/_sandbox/tenants``)."""


@dataclass
class Result:
    provider: str
    database: str
    scenario: str
    bulks: int
    invoices: int
    posted: bool
    completion_s: float
    quota_bound_s: float
    ratio: float | None
    write_calls: int
    fewest_write_calls: int
    provider_calls: int
    provider_calls_by_path: dict[str, int]
    """The same calls by path (by method and resource at Business Central; NetSuite's with the benchmark's own
    SuiteQL), for the JSON line."""
    post_p50_ms: float
    post_p99_ms: float
    get_p50_ms: float
    get_p99_ms: float
    gets: int
    start_second: float
    load_before: float
    load_after: float
    webhooks: dict[str, Any] | None = None


class Receiver:
    """A webhook receiver on loopback: every delivery with the time it arrived."""

    def __init__(self) -> None:
        self.port = free_port()
        self.got: list[tuple[float, dict[str, Any]]] = []
        got = self.got

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as a production receiver would

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                got.append((time.time(), json.loads(body)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait(self, check: Any, *, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise RuntimeError(f"timed out waiting for {what}")
            time.sleep(0.02)


@dataclass
class Run:
    """One scenario's batches as measured: what :func:`webhook_section` gets to look at."""

    api: str
    headers: dict[str, str]
    batch_ids: list[str]
    posted_at: list[float]
    """``time.time()`` at each POST's answer."""
    finished_at: dict[str, float] = field(default_factory=dict)
    """``time.time()`` when each batch was first seen final."""
    receiver: Receiver | None = None
    began: float = 0.0


def _stamp(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def webhook_section(run: Run) -> dict[str, Any] | None:
    """The scenario's webhook figures: every event of its batches must arrive (see the module docstring, 6)."""
    receiver = run.receiver
    if receiver is None:
        return None
    batches = set(run.batch_ids)
    wanted = len(batches) * (ITEMS + 1)

    def mine() -> list[tuple[float, dict[str, Any]]]:
        return [
            (at, body)
            for at, body in list(receiver.got)
            if at >= run.began and (body["hook"]["event"] == "Invoice.added" or body["data"].get("batch_id") in batches)
        ]

    receiver.wait(lambda: len(mine()) >= wanted, timeout=300, what=f"{wanted} webhook deliveries")
    got = mine()
    lags = [
        (at - _stamp(body["data"]["modified_at"])) * 1000
        for at, body in got
        if body["hook"]["event"] == "Invoice.added"
    ]
    span = max(at for at, _ in got) - min(at for at, _ in got)
    return {
        "deliveries": len(got),
        "deliveries_per_s": round(len(got) / span, 1) if span else None,
        "commit_to_delivery_p50_ms": round(percentile(lags, 0.5), 1),
        "commit_to_delivery_p99_ms": round(percentile(lags, 0.99), 1),
    }


BURST = 2_000


def webhook_burst(database_url: str, account_id: str, receiver: Receiver) -> dict[str, Any]:
    """``BURST`` events committed at once for one account; how fast they drain to the receiver, in order."""
    from ledgerport.store import Database
    from ledgerport.store.accounts import find_linked_account_by_id
    from ledgerport.store.webhooks import NewEvent, emit

    marker = uuid.uuid4().hex

    async def write() -> float:
        database = Database(database_url)
        try:
            async with database.read() as session:
                account = await find_linked_account_by_id(session, account_id=uuid.UUID(account_id))
                assert account is not None
            async with database.write() as session:
                events = [
                    NewEvent("Invoice.added", json.dumps({"burst": marker, "n": n}).encode(), account.id)
                    for n in range(BURST)
                ]
                await emit(session, organization_id=account.organization_id, events=events)
            return time.time()
        finally:
            await database.dispose()

    committed = asyncio.run(write())

    def mine() -> list[tuple[float, dict[str, Any]]]:
        return [(at, body) for at, body in list(receiver.got) if body["data"].get("burst") == marker]

    receiver.wait(lambda: len(mine()) >= BURST, timeout=600, what=f"{BURST} burst deliveries")
    got = mine()
    if [body["data"]["n"] for _, body in got] != list(range(BURST)):
        raise RuntimeError("the burst arrived out of order")
    lags = [(at - committed) * 1000 for at, _ in got]
    return {
        "events": BURST,
        "deliveries_per_s": round(BURST / (max(at for at, _ in got) - committed), 1),
        "commit_to_delivery_p50_ms": round(percentile(lags, 0.5), 1),
        "commit_to_delivery_p99_ms": round(percentile(lags, 0.99), 1),
    }


# --- the scenarios -------------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def load() -> float:
    return round(os.getloadavg()[0], 2)


class Sandbox:
    """The sandbox's control surface: request counts and object counts (NetSuite: SuiteQL with a grant of its own)."""

    def __init__(self, provider: str, url: str) -> None:
        self.provider = provider
        self.http = httpx.Client(base_url=url, timeout=60)
        self.token = ""
        self.own_calls = 0
        """SuiteQL calls this benchmark made itself (counted by the sandbox, not the connector's)."""

    def suiteql(self, query: str) -> list[dict[str, Any]]:
        if not self.token:
            self.token = netsuite_token(self.http)
        self.own_calls += 1
        answer = self.http.post(
            "/services/rest/query/v1/suiteql",
            params={"limit": 1000},
            json={"q": query},
            headers={"Authorization": f"Bearer {self.token}", "Prefer": "transient"},
        )
        answer.raise_for_status()
        return list(answer.json()["items"])

    def faults(self, **settings: Any) -> None:
        self.http.post("/_sandbox/faults", json=settings).raise_for_status()

    def calls(self) -> dict[str, int]:
        """API requests served so far, by path (throttled ones included)."""
        body = self.http.get("/_sandbox/stats").json()
        if self.provider == "business_central":  # by method and the resource the path ends at: "POST $batch"
            return {f"{r['method']} {r['resource']}": int(r["count"]) for r in body["requests"]}
        if self.provider == "netsuite":  # the benchmark's own SuiteQL counts are taken out in ``scenario``
            paths = body["paths"].items()
            return {p: c for p, c in paths if p.startswith("/services/rest/") and "/auth/" not in p}
        rows = body["requests"].items() if self.provider == "quickbooks" else ((r["path"], r["count"]) for r in body)
        found: dict[str, int] = {}
        for path, count in rows:
            if path.startswith(("/v3/company/", "/api.xro/")):
                found[path] = found.get(path, 0) + count
        return found

    def forget_calls(self) -> None:
        """Empty a sliding window (BC): the sandbox forgets the calls it counted, its limits unchanged."""
        self.http.post("/_sandbox/limits", json={}).raise_for_status()

    def invoices(self) -> int:
        if self.provider == "business_central":  # drafts and posted alike: posting keeps the row and its id
            summary = self.http.get("/_sandbox").json()
            companies = [c for env in summary["environments"] for c in env["companies"]]
            return sum(c["counts"]["salesInvoices"] for c in companies if c["name"] == LINK_OPTIONS[self.provider][1])
        if self.provider == "netsuite":
            rows = self.suiteql("SELECT COUNT(*) AS n FROM transaction WHERE type = 'CustInvc'")
            return int(rows[0]["n"])
        if self.provider == "quickbooks":
            return len(self.http.get("/_sandbox/dump/Invoice").json()["Invoice"])
        tenant = self.http.get("/_sandbox/tenants").json()[0]["tenantId"]
        return len(self.http.get(f"/_sandbox/dump/{tenant}/Invoices").json()["Invoices"])


def netsuite_token(http: httpx.Client) -> str:
    """An access token of the NetSuite sandbox by its auto-approved consent and the code exchange."""
    from base64 import b64encode
    from urllib.parse import parse_qs, urlparse

    redirect = "http://localhost/callback"
    consent = http.get(
        "/app/login/oauth2/authorize.nl",
        params={
            "response_type": "code",
            "client_id": "sandbox-client",
            "redirect_uri": redirect,
            "scope": "rest_webservices",
            "state": "bench",
            "auto_approve": "true",
        },
    )
    code = parse_qs(urlparse(consent.headers["location"]).query)["code"][0]
    tokens = http.post(
        "/services/rest/auth/oauth2/v1/token",
        headers={"Authorization": "Basic " + b64encode(b"sandbox-client:sandbox-secret").decode()},
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect},
    )
    tokens.raise_for_status()
    return str(tokens.json()["access_token"])


def netsuite_payload(base: str, headers: dict[str, str]) -> dict[str, Any]:
    """A NetSuite AR invoice: a USD customer of the parent subsidiary, a service item, today (an open period)."""
    companies = httpx.get(f"{base}/company-info", headers=headers, timeout=30).json()["results"]
    parent = next(c["id"] for c in companies if c["remote_id"] == "1")
    contacts = httpx.get(f"{base}/contacts", params={"page_size": 100}, headers=headers, timeout=30).json()["results"]
    customer = next(
        c
        for c in contacts
        if c["status"] == "ACTIVE" and c["is_customer"] and c["company"] == parent and c["currency"] == "USD"
    )
    items = httpx.get(f"{base}/items", params={"page_size": 100}, headers=headers, timeout=30).json()["results"]
    item = next(i for i in items if i["status"] == "ACTIVE" and i["type"] == "SERVICE")
    return {
        "type": "ACCOUNTS_RECEIVABLE",
        "contact": customer["id"],
        "company": parent,
        "issue_date": datetime.now(UTC).strftime("%Y-%m-%dT00:00:00Z"),
        "line_items": [{"item": item["id"], "description": "Bulk benchmark", "quantity": 2, "unit_price": 62.5}],
    }


def business_central_payload(base: str, headers: dict[str, str]) -> dict[str, Any]:
    """A BC sales invoice (a draft): a customer of the local currency and a service item of CRONUS USA, today."""
    contacts = httpx.get(f"{base}/contacts", params={"page_size": 100}, headers=headers, timeout=30).json()["results"]
    customer = next(
        c for c in contacts if c["status"] == "ACTIVE" and c["is_customer"] and c["currency"] in {"USD", None}
    )
    items = httpx.get(f"{base}/items", params={"page_size": 100}, headers=headers, timeout=30).json()["results"]
    active = [i for i in items if i["status"] == "ACTIVE"]
    item = next((i for i in active if i["type"] == "SERVICE"), active[0])  # a service needs no stock to post
    return {
        "type": "ACCOUNTS_RECEIVABLE",
        "contact": customer["id"],
        "issue_date": datetime.now(UTC).strftime("%Y-%m-%dT00:00:00Z"),
        "line_items": [{"item": item["id"], "description": "Bulk benchmark", "quantity": 2, "unit_price": 62.5}],
    }


def payload(provider: str, api: str, headers: dict[str, str]) -> dict[str, Any]:
    """An AR invoice of one line: a customer and an item (QuickBooks) or a sales account (Xero) of the account."""
    base = f"{api}/accounting/v1"
    if provider == "netsuite":
        return netsuite_payload(base, headers)
    if provider == "business_central":
        return business_central_payload(base, headers)
    contacts = httpx.get(f"{base}/contacts", params={"page_size": 100}, headers=headers, timeout=30).json()["results"]
    active = [c for c in contacts if c["status"] == "ACTIVE" and c["is_customer"]]
    line: dict[str, Any] = {"description": "Bulk benchmark", "quantity": 2, "unit_price": 62.5}
    if provider == "quickbooks":
        customer = next(c for c in active if "-" not in c["remote_id"] and c["currency"] in {"USD", None})
        items = httpx.get(f"{base}/items", params={"page_size": 100}, headers=headers, timeout=30).json()["results"]
        line["item"] = next(i for i in items if i["status"] == "ACTIVE")["id"]
    else:
        customer = active[0]
        accounts = httpx.get(f"{base}/accounts", params={"page_size": 100}, headers=headers, timeout=30).json()
        line["account"] = next(a for a in accounts["results"] if a["account_number"] == "200")["id"]
    return {
        "type": "ACCOUNTS_RECEIVABLE",
        "contact": customer["id"],
        "issue_date": "2025-03-03T00:00:00Z",
        "line_items": [line],
    }


def next_minute() -> float:
    """Sleep until just after the next epoch-aligned minute (the sandboxes' windows); the second we start at."""
    wait = 60 - time.time() % 60 + 0.2
    err.print(f"    waiting {wait:.0f} s for a fresh quota minute")
    time.sleep(wait)
    return round(time.time() % 60, 2)


def fewest_writes(provider: Provider, bulks: int, posted: bool = False) -> int:
    """The fewest write calls: one per chunk (twice that where posting is a call of its own and was asked for), or
    one per invoice where the provider makes one record a call."""
    if provider.calls_per_item:
        return bulks * ITEMS
    return bulks * math.ceil(ITEMS / provider.chunk) * (2 if posted and provider.posting else 1)


def quota_bound(provider: Provider, bulks: int, posted: bool = False) -> float:
    """``(⌈n/L⌉ − 1)·window`` for the fewest calls the batches need, worst quota first (module docstring, steps 4
    and 4c); for a concurrency limit ``C``, ``⌈n/C⌉ × latency`` (step 4b)."""
    if provider.concurrency:
        calls = bulks * ITEMS * provider.calls_per_item
        return math.ceil(calls / provider.concurrency) * provider.latency_ms / 1000
    writes = fewest_writes(provider, bulks, posted)
    return max((math.ceil(writes / limit) - 1) * provider.window_s for _, limit in provider.quotas)


def scenario(
    provider: Provider,
    database: str,
    name: str,
    bulks: int,
    sandbox: Sandbox,
    api: str,
    headers: dict[str, str],
    body: dict[str, Any],
    receiver: Receiver | None = None,
    posted: bool = False,
) -> Result:
    """POST ``bulks`` batches, poll them all to the end, check every invoice was made once."""
    if posted:
        body = {**body, "status": "OPEN"}  # BC: made as drafts, then posted by Microsoft.NAV.post
    invoices_before, calls_before = sandbox.invoices(), sandbox.calls()
    own_before = sandbox.own_calls
    if provider.sliding:
        sandbox.forget_calls()
        start_second = round(time.time() % 60, 2)
    else:
        start_second = next_minute() if provider.quotas else round(time.time() % 60, 2)
    if provider.latency_ms:
        sandbox.faults(latency_ms=provider.latency_ms)
    load_before = load()
    post_ms: list[float] = []
    get_ms: list[float] = []
    run = Run(api, headers, [], [], receiver=receiver, began=time.time())
    url = f"{api}/accounting/v1/invoices/bulk"
    with httpx.Client(headers=headers, timeout=120) as http:
        began = time.perf_counter()
        for b in range(bulks):
            items = [{"item_id": f"{b}-{n}", "payload": body} for n in range(ITEMS)]
            sent = time.perf_counter()
            answer = http.post(url, json={"batch_items": items})
            post_ms.append((time.perf_counter() - sent) * 1000)
            if answer.status_code != 202:
                raise RuntimeError(f"POST /invoices/bulk: {answer.status_code} {answer.text[:500]}")
            run.batch_ids.append(answer.json()["batch_id"])
            run.posted_at.append(time.time())
        open_ids = list(run.batch_ids)
        deadline = time.monotonic() + 900
        statuses: dict[str, str] = {}
        while open_ids:
            if time.monotonic() > deadline:
                raise RuntimeError(f"batches still running after 900 s: {statuses}")
            for batch_id in list(open_ids):
                sent = time.perf_counter()
                answer = http.get(f"{url}/{batch_id}")
                get_ms.append((time.perf_counter() - sent) * 1000)
                status = answer.json()["status"]
                statuses[batch_id] = status
                if status in FINAL:
                    open_ids.remove(batch_id)
                    run.finished_at[batch_id] = time.time()
                    if status != "SUCCESS":
                        raise RuntimeError(f"batch {batch_id} ended {status}: {answer.text[:1000]}")
            if open_ids:
                time.sleep(POLL)
        completion = time.perf_counter() - began
    if provider.latency_ms:
        sandbox.faults(latency_ms=0)
    load_after = load()
    made = sandbox.invoices() - invoices_before
    if made != bulks * ITEMS:
        raise RuntimeError(f"{bulks} batches of {ITEMS} succeeded, but the sandbox made {made} invoices")
    calls_after = sandbox.calls()
    used = {path: calls_after.get(path, 0) - calls_before.get(path, 0) for path in calls_after}
    own = sandbox.own_calls - own_before  # this benchmark's own count of the invoices, served in between
    writes = sum(
        count
        for path, count in used.items()
        if path.endswith(provider.write_path) or (not provider.calls_per_item and provider.write_path in path)
    )
    bound = quota_bound(provider, bulks, posted)
    return Result(
        provider=provider.name,
        database=database,
        scenario=name,
        bulks=bulks,
        invoices=made,
        posted=posted,
        completion_s=round(completion, 2),
        quota_bound_s=bound,
        ratio=round(completion / bound, 3) if bound else None,
        write_calls=writes,
        fewest_write_calls=fewest_writes(provider, bulks, posted),
        provider_calls=sum(used.values()) - own,
        provider_calls_by_path={path: count for path, count in sorted(used.items()) if count},
        post_p50_ms=round(percentile(post_ms, 0.5), 1),
        post_p99_ms=round(percentile(post_ms, 0.99), 1),
        get_p50_ms=round(percentile(get_ms, 0.5), 1),
        get_p99_ms=round(percentile(get_ms, 0.99), 1),
        gets=len(get_ms),
        start_second=start_second,
        load_before=load_before,
        load_after=load_after,
        webhooks=webhook_section(run),
    )


# --- one provider on one database ----------------------------------------------------------------------------------


async def pg_admin(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(ADMIN_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def run_one(provider: Provider, kind: str, bulks: int, work: Path, keep: bool) -> list[Result]:
    from cryptography.fernet import Fernet

    procs: list[Any] = []
    receiver = Receiver()
    name = f"ledgerport_bench_{uuid.uuid4().hex[:12]}"
    url = f"sqlite:///{work / 'bench.db'}" if kind == "sqlite" else f"postgresql://127.0.0.1:5432/{name}"
    if kind == "postgresql":
        asyncio.run(pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        sandbox_port, server_port = free_port(), free_port()
        sandbox_url = f"http://127.0.0.1:{sandbox_port}"
        sandbox_name = provider.name.replace("_", "-")  # the launcher's spelling: business-central
        argv = [sys.executable, str(BENCH / "_sync_sandbox.py"), sandbox_name, "--port", str(sandbox_port)]
        argv += ["--size", str(COMPANY_INVOICES), "--limits", "on"]
        sandbox_proc = spawn(argv, dict(os.environ), work / "sandbox.log", procs)
        probe = PROBES.get(provider.name, "/_sandbox/tenants")
        wait_answering(f"{sandbox_url}{probe}", sandbox_proc, work / "sandbox.log")
        env = {
            **os.environ,
            "LEDGERPORT_DATABASE_URL": url,
            "LEDGERPORT_PORT": str(server_port),
            "LEDGERPORT_RATE_LIMIT_PER_MINUTE": "0",
            "LEDGERPORT_SECRET_KEYS": Fernet.generate_key().decode(),
            "LEDGERPORT_SYNC_INTERVAL_SECONDS": "86400",
            "LEDGERPORT_WEBHOOK_ALLOW_PRIVATE": "1",  # the receiver is on loopback
        }
        server_proc = spawn([sys.executable, "-m", "ledgerport", "serve"], env, work / "server.log", procs)
        server = f"http://127.0.0.1:{server_port}"
        wait_answering(f"{server}/health", server_proc, work / "server.log")
        api_key = cli(env, "orgs", "create", "--name", "bench")["api_key"]
        events = "Invoice.added,AsyncBulkPost.completed"
        cli(env, "webhooks", "add", "--api-key", api_key, "--url", receiver.url, "--events", events)
        link = ["accounts", "link", "--api-key", api_key, "--integration", provider.name, "--sandbox", sandbox_url]
        link += LINK_OPTIONS.get(provider.name, ())
        linked = cli(env, *link)
        cli(env, "sync", "--account-token", linked["account_token"], "--wait")
        worker = [sys.executable, "-m", "ledgerport", "worker", "--concurrency", "4"]
        spawn(worker, env, work / "worker.log", procs)
        api = f"{server}/api"
        headers = {"Authorization": f"Bearer {api_key}", "X-Account-Token": linked["account_token"]}
        body = payload(provider.name, api, headers)
        sandbox = Sandbox(provider.name, sandbox_url)
        err.print(f"  {provider.name} on {kind}: sandbox {sandbox_url}, server {server}, logs {work}")
        results = []
        scenarios = [("one bulk", 1, False), ("quota", bulks, False)]
        if provider.posting:
            scenarios.insert(1, ("posted", 1, True))
        for label, count, posted in scenarios:
            err.print(f"  {label}: {count} × {ITEMS} invoices")
            results.append(scenario(provider, kind, label, count, sandbox, api, headers, body, receiver, posted))
            err.print(f"    {results[-1].completion_s} s, {results[-1].write_calls} write calls")
        err.print(f"  webhook burst: {BURST} events in one commit")
        burst = webhook_burst(url, linked["linked_account_id"], receiver)
        results[-1].webhooks = {**(results[-1].webhooks or {}), **{f"burst_{k}": v for k, v in burst.items()}}
        return results
    finally:
        stop(procs)
        receiver.close()
        if kind == "postgresql" and not keep:
            asyncio.run(pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# --- report --------------------------------------------------------------------------------------------------------


def report(results: list[Result]) -> None:
    out = Console(width=200)
    table = Table(
        title=f"POST /invoices/bulk of {ITEMS} invoices (1 line each), sandbox limits on, from a fresh quota "
        "(a minute, or BC's window emptied); completion = first POST → last batch final"
    )
    columns = (
        "provider",
        "db",
        "scenario",
        "bulks",
        "completion s",
        "quota bound s",
        "ratio (≤1.1)",
        "write calls (fewest)",
        "provider calls",
        "POST p50/p99 ms",
        "GET p50/p99 ms",
        "load",
    )
    for column in columns:
        table.add_column(column, justify="left" if column in {"provider", "db", "scenario"} else "right")
    for r in results:
        ratio = "—" if r.ratio is None else f"{r.ratio:.2f} {'✓' if r.ratio <= 1.1 else '✗'}"
        table.add_row(
            r.provider,
            r.database,
            r.scenario,
            str(r.bulks),
            f"{r.completion_s:.2f}",
            f"{r.quota_bound_s:.0f}",
            ratio,
            f"{r.write_calls} ({r.fewest_write_calls})",
            str(r.provider_calls),
            f"{r.post_p50_ms:.0f} / {r.post_p99_ms:.0f}",
            f"{r.get_p50_ms:.1f} / {r.get_p99_ms:.1f}",
            f"{r.load_before}→{r.load_after}",
        )
    out.print(table)
    hooks = [r for r in results if r.webhooks]
    if hooks:
        keys = sorted({key for r in hooks for key in r.webhooks or {}})
        webhooks = Table(title="Webhook deliveries for the same batches")
        for column in ("provider", "db", "scenario", *keys):
            webhooks.add_column(column)
        for r in hooks:
            webhooks.add_row(r.provider, r.database, r.scenario, *(str((r.webhooks or {}).get(k, "")) for k in keys))
        out.print(webhooks)
    sys.stdout.write(json.dumps({"results": [asdict(r) for r in results], "items_per_bulk": ITEMS}) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--providers", default="quickbooks,xero,netsuite,business_central", type=lambda s: s.split(","))
    parser.add_argument("--databases", default="sqlite", type=lambda s: s.split(","))
    parser.add_argument(
        "--bulks",
        default={},
        type=lambda s: {k: int(v) for k, v in (one.split("=") for one in s.split(","))},
        help="batches of the quota scenario per provider, e.g. quickbooks=12,xero=35,netsuite=3,business_central=20"
        " (the defaults)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL databases and the work folders")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so every ``finally`` below still runs
    results = []
    for name in args.providers:
        provider = PROVIDERS[name]
        for kind in args.databases:
            work = Path(tempfile.mkdtemp(prefix="ledgerport-bench-bulk-"))
            try:
                results += run_one(provider, kind, args.bulks.get(name, provider.default_bulks), work, args.keep)
            finally:
                if args.keep:
                    err.print(f"  kept {work}")
                else:
                    shutil.rmtree(work, ignore_errors=True)
    report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
