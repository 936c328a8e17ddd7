"""How fast ledgerport syncs a provider account: end to end, under the provider's limits, and incrementally.

Per provider (QuickBooks Online, Xero, NetSuite, Business Central) and database (SQLite file, or a PostgreSQL
database created on ``postgresql://127.0.0.1:5432/test`` and dropped afterwards, as ``bench/list_api.py`` does),
three phases:

1. **Limits off, end to end.** ``bench/_sync_sandbox.py`` serves the provider's sandbox (``create_app(seed=0,
   size=N invoices, limits=False)``, lines included) with uvicorn on a real loopback port in its own process,
   because ``python -m ledgerport sandbox`` has no switch for the limits. A fresh database is migrated, an
   organization made, and the account linked headlessly (``link_sandbox``, the real OAuth code flow with the
   sandbox's ``auto_approve``) over ``AiohttpTransport``. Then one ``sync_account`` (dependencies from
   ``worker.build_sync_deps``: aiohttp, ``MemoryBudget``; the client's budget unlimited like the sandbox, since
   it mirrors the provider's limits) is timed by wall clock.

   * **records/s** = every record the sync stored (the sum of ``SyncReport.fetched`` over all models, which is also
     the count of rows written for the account) ÷ the sync's wall time; **invoices/s** the same for ``Invoice``.
   * Where the time went, measured inside the same run without changing what runs: the transport is wrapped to
     add up the time spent waiting for HTTP answers (the sandbox's work plus loopback), and ``Database.write`` is
     wrapped to add up the time inside the engine's write transactions (``upsert_many``, ``mark_deleted``,
     watermark, commit). The engine fetches the next page and stores the previous one while it maps the
     current one, so these overlap each other and the mapping: they say how long each part was busy, and do
     not add up to the wall time. CPU seconds of this process and of the sandbox process come from ``/proc``.
   * **Store ingest rate**: ``upsert_many`` in the engine is wrapped to keep every batch of ``NewRecord``s the sync
     wrote (references only; ``gc.freeze()`` after each batch so the kept pages do not make the cyclic GC rescan a
     growing heap during the timed sync). After the sync the same batches, in the same order and sizes, are
     written again into a second linked account of the same database, one transaction per batch exactly like the
     engine (all inserts, as in a first sync). records/s of that replay is the store's ingest rate alone.

2. **Limits on.** A sandbox with the provider's real limits (``limits=True``: QBO 500/min per realm and 10 in
   flight; Xero 60/min, 5 in flight, 5,000/day per tenant, fixed windows as the sandboxes implement them) and a
   smaller company (``--limited-invoices``), a fresh database, a full sync, timed. With ``n`` the requests the
   sync actually sent (``SyncReport.requests``, including any refused with 429) and ``L`` the per-minute quota:

   * **quota bound** (the goal's denominator) = ``(⌈n / L⌉ − 1) · 60`` seconds when ``n > L`` (else the quota
     never binds and the ratio is ``null``). Xero and Intuit publish "L calls per minute" without saying whether
     a minute is rolling or on the clock; a client that is never throttled under either reading keeps at most
     ``L`` calls in any 60 seconds (``kit.budget``'s sliding windows), so call ``k·L + 1`` leaves 60·k s after
     the first at the earliest, whatever the client does. **ratio** = wall ÷ quota bound (goal ≤ 1.15).
   * **clock-minute bound** = ``(60 − φ) + (⌈n / L⌉ − 2) · 60`` for ``n > L``, ``φ`` the sync's start second
     within the sandbox's epoch-aligned minute: the floor for a client that knew where the provider's minutes
     begin and that they are fixed (the sandboxes count that way). Reported, not the goal: it lies between the
     quota bound minus 60 s and the quota bound, depending only on when the sync happened to start.
   * **token-bucket bound** = ``max(0, n − L) · 60 / L``: the floor only a continuously refilling bucket would
     allow (a burst of ``L``, then one call every ``60 / L`` s). Neither provider promises that; shown because
     earlier figures were stated against it.
   * **work bound** = stored records ÷ the limits-off records/s of phase 1, i.e. how long the sync takes when
     the quota is not what limits it. For QBO a request carries up to 1,000 records, so 500/min allows ~8,300
     records/s and the quota only binds when the sync is faster than that; for Xero (60/min, 1,000 per page)
     it binds above ~1,000 records/s.
   * Throttles: 429 answers seen by the transport (each is followed by a budget pause of its Retry-After).

   Defaults: QBO 20,000 invoices; Xero 80,000 invoices (Xero pages hold 1,000 records, so a 3,000-invoice company
   needs ~20 requests, all inside the first minute's burst, and would measure nothing; 80,000 invoices take
   ~180 requests: about 2 minutes of quota, ~200 of the 5,000 daily calls).

3. **Incremental.** On the phase 1 sandbox and database, after the full sync: first an incremental sync with
   nothing changed (the fixed floor: about one request per stream), then 1% of the live invoices (a seeded
   random sample, ``--change-fraction``) are edited through the provider's own API (QBO: ``POST /batch`` of 30
   sparse ``Invoice`` updates setting ``PrivateNote``; Xero: ``POST /Invoices`` with 50 elements setting
   ``Reference``; BC: ``$batch`` of 100 ``PATCH``es of a draft sales invoice's ``customerPurchaseOrderReference``,
   ``If-Match`` its listed etag; NetSuite: one ``PATCH /record/v1/invoice/{id}`` a call setting ``memo``, on
   invoices SuiteQL finds in periods neither closed nor locked, since NetSuite refuses edits there; all map to the
   common ``memo``, so each edit changes the stored document). No
   sandbox has a bulk-edit control endpoint; the API is what a real provider offers anyway. The edits use the
   linked account's own access token. An element the provider refuses for a reason of its own (QBO code 610: the
   invoice's customer was made inactive, so QBO will not save the invoice) is replaced by the next invoice of the
   sample and counted as refused; the store is then checked to hold every edited memo. Then an incremental sync
   is timed. Reported: its requests and wall time
   against the full sync's, the invoices it re-read, and ``ratio / change fraction`` for requests and time
   (goal: ≈ 1, i.e. in proportion to the change; the floor shows what does not scale with it).

Output: a table per phase on stdout, then one JSON line with every figure. Progress goes to stderr. Sandboxes are
stopped and PostgreSQL databases dropped on every exit path (SIGTERM included), unless ``--keep``.

The machine's load average is recorded before and after each timed phase: the sandbox, the sync and PostgreSQL
share the CPUs (and with anything else running), so read absolute rates with the load in mind.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import msgspec
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

import ledgerport.sync.engine as engine
from _processes import stop
from ledgerport.config import Settings
from ledgerport.connectors import CONNECTORS
from ledgerport.connectors._base import Request, Response, Transport
from ledgerport.connectors._base.auth import decode_tokens
from ledgerport.connectors._base.connector import Limits
from ledgerport.kit.budget import MemoryBudget
from ledgerport.kit.collector import tune_collector
from ledgerport.linking import EndUser, link_sandbox, typed_facts
from ledgerport.store import Database, accounts
from ledgerport.store.credentials import find_credentials
from ledgerport.store.records import NewRecord
from ledgerport.store.tables import records
from ledgerport.sync import SyncReport, sync_account
from ledgerport.worker import build_sync_deps, registrations

BENCH = Path(__file__).resolve().parent
ADMIN_URL = "postgresql://127.0.0.1:5432/test"
PROVIDERS = ("business_central", "netsuite", "quickbooks", "xero")
DEFAULT_LIMITED = {"business_central": 20_000, "netsuite": 0, "quickbooks": 20_000, "xero": 80_000}
"""NetSuite's limit is requests in flight per account, not calls per minute: the quota bound has no meaning there,
so its limits-on run is off unless asked for (``tests/e2e/test_netsuite_e2e.py`` covers its 429s)."""
EDIT_BATCH = {"business_central": 100, "netsuite": 1, "quickbooks": 30, "xero": 50}
"""NetSuite's record service updates one record a call (``PATCH /invoice/{id}``)."""
LINK_FACTS = {"business_central": {"company": "CRONUS USA, Inc."}}
"""What the link page would ask: BC's first company by name is the smaller CRONUS Canada."""
SEED = 0
TICKS = os.sysconf("SC_CLK_TCK")
err = Console(stderr=True)


# --- results -------------------------------------------------------------------------------------------------------


@dataclass
class Full:
    provider: str
    database: str
    invoices: int
    records: int
    invoice_records: int
    rows: int
    wall_s: float
    records_per_s: float
    invoices_per_s: float
    requests: int
    requests_per_1000_records: float
    http_s: float
    store_s: float
    bench_cpu_s: float
    sandbox_cpu_s: float
    ingest_records: int
    ingest_s: float
    ingest_records_per_s: float
    fetched: dict[str, int]
    load_before: float
    load_after: float


@dataclass
class Incremental:
    provider: str
    database: str
    invoices: int
    changed: int
    change_fraction: float
    edit_calls: int
    edits_refused: int
    floor_requests: int
    floor_s: float
    requests: int
    wall_s: float
    fetched: int
    invoices_fetched: int
    full_requests: int
    full_wall_s: float
    request_ratio: float
    time_ratio: float
    request_ratio_over_fraction: float
    time_ratio_over_fraction: float
    requests_over_floor: int
    reread_per_change: float
    stored_memos_changed: int
    load_before: float


@dataclass
class Limited:
    provider: str
    database: str
    invoices: int
    records: int
    requests: int
    throttled: int
    wall_s: float
    per_minute: int
    quota_bound_s: float
    clock_minute_bound_s: float
    token_bucket_bound_s: float
    start_phase_s: float
    work_bound_s: float | None
    ratio: float | None
    ratio_vs_max_bound: float | None
    load_before: float
    load_after: float


@dataclass
class Edits:
    edited: int = 0
    refused: int = 0
    calls: int = 0


@dataclass
class Timing:
    http_s: float = 0.0
    store_s: float = 0.0
    throttled: int = 0
    batches: list[tuple[str, tuple[str, ...], Sequence[NewRecord]]] = field(default_factory=list)


# --- processes and databases ---------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_sandbox(
    provider: str, size: int, limits: bool, work: Path, procs: list[subprocess.Popen[bytes]]
) -> tuple[str, subprocess.Popen[bytes]]:
    """Start ``_sync_sandbox.py``, wait until it answers, return its base URL and process."""
    port = free_port()
    log = work / f"sandbox-{provider}-{'on' if limits else 'off'}.log"
    argv = [
        sys.executable,
        str(BENCH / "_sync_sandbox.py"),
        provider.replace("_", "-"),
        "--port",
        str(port),
        "--seed",
        str(SEED),
        "--size",
        str(size),
        "--limits",
        "on" if limits else "off",
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
    procs.append(proc)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{argv} exited with {proc.returncode}:\n{log.read_text()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(base + "/_sandbox/stats", timeout=2).status_code == 200:
                return base, proc
        time.sleep(0.25)
    raise RuntimeError(f"{argv} did not answer:\n{log.read_text()[-2000:]}")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from ``/proc``."""
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS
    return 0.0


def load() -> float:
    return round(os.getloadavg()[0], 2)


async def pg_admin(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(ADMIN_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@asynccontextmanager
async def fresh_database(kind: str, work: Path, keep: bool) -> AsyncIterator[Database]:
    """A migrated, empty database; dropped (PostgreSQL) on the way out unless ``keep``."""
    name = f"ledgerport_bench_{uuid.uuid4().hex[:12]}"
    if kind == "sqlite":
        url = f"sqlite:///{work / (name + '.db')}"
    else:
        url = f"postgresql://127.0.0.1:5432/{name}"
        await pg_admin(f'CREATE DATABASE "{name}"')
    database = Database(url)
    try:
        await database.migrate()
        yield database
    finally:
        await database.dispose()
        if kind == "postgresql" and not keep:
            await pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        elif kind == "postgresql":
            err.print(f"  kept database {url}")


# --- instrumentation -----------------------------------------------------------------------------------------------


class TimedTransport:
    """Adds up the time spent waiting for answers; counts 429s."""

    def __init__(self, inner: Transport, timing: Timing) -> None:
        self.inner = inner
        self.timing = timing

    async def send(self, request: Request) -> Response:
        began = time.perf_counter()
        try:
            response = await self.inner.send(request)
        finally:
            self.timing.http_s += time.perf_counter() - began
        if response.status == 429:
            self.timing.throttled += 1
        return response

    async def close(self) -> None:
        await self.inner.close()


@contextlib.contextmanager
def instrumented(database: Database, timing: Timing, *, capture: bool) -> Any:
    """Time ``database.write`` transactions and (optionally) keep every batch given to the engine's upsert_many."""
    original_write = database.write
    original_upsert = engine.upsert_many

    @asynccontextmanager
    async def write() -> AsyncIterator[Any]:
        began = time.perf_counter()
        try:
            async with original_write() as session:
                yield session
        finally:
            timing.store_s += time.perf_counter() - began

    async def upsert_many(session: Any, **kwargs: Any) -> Any:
        timing.batches.append((kwargs["model_name"], tuple(kwargs["key_fields"]), kwargs["items"]))
        result = await original_upsert(session, **kwargs)
        gc.freeze()  # the kept batches are permanent from here on: keep the collector off them
        return result

    database.write = write  # type: ignore[method-assign]
    if capture:
        engine.upsert_many = upsert_many  # type: ignore[assignment]
    try:
        yield
    finally:
        database.write = original_write  # type: ignore[method-assign]
        engine.upsert_many = original_upsert  # type: ignore[assignment]
        gc.unfreeze()


# --- linking and syncing -------------------------------------------------------------------------------------------


class Linked(msgspec.Struct):
    account_id: uuid.UUID
    facts: dict[str, str]
    access_token: str


def settings_for(database: Database) -> Settings:
    from cryptography.fernet import Fernet

    return Settings(database_url=database.url, secret_keys=(Fernet.generate_key().decode(),))


async def link(database: Database, settings: Settings, provider: str, sandbox: str) -> Linked:
    from ledgerport.worker import sealer

    connector = CONNECTORS[provider]
    deps = build_sync_deps(settings, database)
    transport = deps.transport(None)
    async with database.write() as session:
        organization_id = await accounts.create_organization(session, name=f"bench-{provider}")
    try:
        made = await link_sandbox(
            database,
            sealer=sealer(settings),
            connector=connector,
            client=registrations(settings).client(provider, sandbox),
            transport=transport,
            organization_id=organization_id,
            sandbox_url=sandbox,
            end_user=EndUser(organization_name="Bench Co"),
            facts=typed_facts(connector, LINK_FACTS.get(provider, {})),
        )
    finally:
        await transport.close()
    async with database.read() as session:
        stored = await find_credentials(session, sealer=sealer(settings), linked_account_id=made.account.id)
    assert stored is not None
    tokens = decode_tokens(stored.secret)
    return Linked(made.account.id, dict(tokens.extra), tokens.access_token)


async def timed_sync(
    database: Database,
    settings: Settings,
    account_id: uuid.UUID,
    timing: Timing,
    *,
    limits: bool,
    capture: bool = False,
    read_ahead: int | None = None,
) -> tuple[SyncReport, float]:
    """One full or incremental sync, timed. Without ``limits`` the client's budget is unlimited too: it mirrors
    the provider's published limits, which a sandbox with its limits off does not impose. ``read_ahead``
    replaces the connectors' own."""
    deps = build_sync_deps(settings, database)
    network = TimedTransport(deps.transport(None), timing)
    connectors = deps.connectors
    if not limits:
        connectors = {key: msgspec.structs.replace(c, limits=Limits()) for key, c in connectors.items()}
    if read_ahead is not None:
        connectors = {key: msgspec.structs.replace(c, read_ahead=read_ahead) for key, c in connectors.items()}
    deps = msgspec.structs.replace(deps, transport=lambda origin: network, budget=MemoryBudget(), connectors=connectors)
    last = [0.0]

    def progress(model: str, count: int) -> None:
        now = time.monotonic()
        if now - last[0] > 5:
            last[0] = now
            err.print(f"    … {model}: {count:,}")

    try:
        with instrumented(database, timing, capture=capture):
            began = time.perf_counter()
            report = await sync_account(deps, account_id, progress=progress)
            wall = time.perf_counter() - began
    finally:
        await network.close()
    if report.failed:
        raise RuntimeError(f"sync failed: {report.failed}")
    return report, wall


async def count_rows(database: Database, account_id: uuid.UUID) -> int:
    async with database.read() as session:
        return int(
            (await session.execute(select(func.count()).where(records.c.linked_account_id == account_id))).scalar_one()
        )


async def replay(database: Database, batches: list[tuple[str, tuple[str, ...], Sequence[NewRecord]]]) -> float:
    """Write the captured batches into a new linked account, one transaction each; return the seconds taken."""
    async with database.write() as session:
        organization_id = await accounts.create_organization(session, name="bench-replay")
        made = await accounts.create_linked_account(
            session,
            organization_id=organization_id,
            integration="replay",
            integration_name="Replay",
            end_user_organization_name="Replay Co",
        )
    account_id = made.account.id
    original = engine.upsert_many
    gc.collect()
    gc.freeze()  # the captured batches are long-lived, as they were during the sync
    began = time.perf_counter()
    for model, key_fields, items in batches:
        async with database.write() as session:
            await original(session, linked_account_id=account_id, model_name=model, key_fields=key_fields, items=items)
    seconds = time.perf_counter() - began
    gc.unfreeze()
    return seconds


# --- editing through the provider's API ----------------------------------------------------------------------------


def live_invoices(provider: str, batches: list[tuple[str, tuple[str, ...], Sequence[NewRecord]]]) -> list[dict]:
    """The raw provider invoices the full sync stored (live, and editable for Xero)."""
    found = []
    for model, _, items in batches:
        if model != "Invoice":
            continue
        for item in items:
            raw = item.remote_data[0]["data"]
            # Xero refuses changes to paid, voided and deleted invoices.
            if provider == "xero" and raw.get("Status") in ("VOIDED", "DELETED", "PAID"):
                continue
            if provider == "quickbooks" and "CustomerRef" not in raw:
                continue  # a QBO Bill (also a common Invoice, of type ACCOUNTS_PAYABLE)
            if provider == "business_central" and (raw.get("status") != "Draft" or "customerId" not in raw):
                continue  # BC refuses changes to posted invoices; purchase invoices are common Invoices too
            found.append(raw)
    return found


async def netsuite_editable(sandbox: str, linked: Linked) -> list[dict]:
    """The customer invoices NetSuite lets one edit: in a period neither closed nor locked for receivables (asked
    through SuiteQL with the linked account's own token)."""
    query = (
        "SELECT t.id FROM transaction t JOIN accountingperiod p ON p.id = t.postingperiod WHERE t.type = 'CustInvc'"
        " AND p.closed = 'F' AND p.arlocked = 'F' AND p.alllocked = 'F' ORDER BY t.id"
    )
    found: list[dict] = []
    async with httpx.AsyncClient(base_url=sandbox, timeout=120) as client:
        while True:
            response = await client.post(
                "/services/rest/query/v1/suiteql",
                params={"limit": 1000, "offset": len(found)},
                json={"q": query},
                headers={"Authorization": f"Bearer {linked.access_token}", "Prefer": "transient"},
            )
            response.raise_for_status()
            page = response.json()
            found += page["items"]
            if not page["hasMore"]:
                return found


async def _edit_batch(
    client: httpx.AsyncClient, provider: str, linked: Linked, part: list[dict], tag: str
) -> tuple[int, int]:
    """One API call editing ``part``; ``(edited, refused)``. A refused element is one the provider will not let
    anyone edit (QBO: the invoice's customer was made inactive, code 610); anything else is an error."""
    if provider == "business_central":
        root = f"/v2.0/{linked.facts['tenant_id']}/{linked.facts['environment']}/api/v2.0"
        company = linked.facts["company_id"]
        operations = [
            {
                "id": str(i),
                "method": "PATCH",
                "url": f"companies({company})/salesInvoices({raw['id']})",
                "headers": {"Content-Type": "application/json", "If-Match": raw["@odata.etag"]},
                "body": {"customerPurchaseOrderReference": f"{tag} {raw['id'][:8]}"},
            }
            for i, raw in enumerate(part)
        ]
        response = await client.post(
            f"{root}/$batch",
            json={"requests": operations},
            headers={"Authorization": f"Bearer {linked.access_token}", "Accept": "application/json"},
        )
        response.raise_for_status()
        failed = [r for r in response.json()["responses"] if int(r["status"]) >= 300]
        if failed:
            raise RuntimeError(f"BC refused {len(failed)} edits: {failed[0]}")
        return len(part), 0
    if provider == "quickbooks":
        body = {
            "BatchItemRequest": [
                {
                    "bId": str(i),
                    "operation": "update",
                    "Invoice": {
                        "Id": raw["Id"],
                        "SyncToken": raw["SyncToken"],
                        "sparse": True,
                        "PrivateNote": f"{tag} {raw['Id']}",
                    },
                }
                for i, raw in enumerate(part)
            ]
        }
        response = await client.post(
            f"/v3/company/{linked.facts['realm_id']}/batch",
            params={"minorversion": "75"},
            json=body,
            headers={"Authorization": f"Bearer {linked.access_token}", "Accept": "application/json"},
        )
        response.raise_for_status()
        faults = [item["Fault"] for item in response.json()["BatchItemResponse"] if "Fault" in item]
        other = [f for f in faults if f["Error"][0]["code"] != "610"]
        if other:
            raise RuntimeError(f"QBO batch refused {len(other)} edits: {other[0]}")
        return len(part) - len(faults), len(faults)
    if provider == "netsuite":
        for raw in part:
            response = await client.patch(
                f"/services/rest/record/v1/invoice/{raw['id']}",
                json={"memo": f"{tag} {raw['id']}"},
                headers={"Authorization": f"Bearer {linked.access_token}"},
            )
            if response.status_code != 204:
                raise RuntimeError(f"NetSuite refused an edit ({response.status_code}): {response.text[:500]}")
        return len(part), 0
    body = {"Invoices": [{"InvoiceID": raw["InvoiceID"], "Reference": f"{tag} {raw['InvoiceID'][:8]}"} for raw in part]}
    response = await client.post(
        "/api.xro/2.0/Invoices",
        params={"summarizeErrors": "false"},
        json=body,
        headers={
            "Authorization": f"Bearer {linked.access_token}",
            "xero-tenant-id": linked.facts["tenant_id"],
            "Accept": "application/json",
        },
    )
    if response.status_code != 200:
        raise RuntimeError(f"Xero refused the edits ({response.status_code}): {response.text[:500]}")
    refused = [i for i in response.json()["Invoices"] if i.get("StatusAttributeString") != "OK"]
    if refused:
        raise RuntimeError(f"Xero refused {len(refused)} edits: {refused[0].get('ValidationErrors')}")
    return len(part), 0


async def edit_invoices(provider: str, sandbox: str, linked: Linked, pool: list[dict], count: int, tag: str) -> Edits:
    """Change the memo of ``count`` invoices of ``pool`` (in order) through the provider API."""
    edits = Edits()
    size = EDIT_BATCH[provider]
    position = 0
    async with httpx.AsyncClient(base_url=sandbox, timeout=120) as client:
        while edits.edited < count:
            if position >= len(pool):
                raise RuntimeError(f"only {edits.edited} of {count} invoices could be edited")
            part = pool[position : position + min(size, count - edits.edited)]
            position += len(part)
            edited, refused = await _edit_batch(client, provider, linked, part, tag)
            edits.edited += edited
            edits.refused += refused
            edits.calls += 1
    return edits


async def memos_changed(database: Database, account_id: uuid.UUID, tag: str) -> int:
    """Stored invoices whose memo carries ``tag`` (the edits reached the store)."""
    async with database.read() as session:
        rows = await session.execute(
            select(records.c.document).where(records.c.linked_account_id == account_id, records.c.model == "Invoice")
        )
        needle = tag.encode()
        return sum(1 for (document,) in rows if needle in document)


# --- phases --------------------------------------------------------------------------------------------------------


async def phase_full_and_incremental(
    provider: str, kind: str, args: argparse.Namespace, work: Path, procs: list[subprocess.Popen[bytes]]
) -> tuple[Full, Incremental]:
    size = args.invoices
    err.print(f"[bold]{provider} × {kind}[/bold]: limits off, {size:,} invoices")
    sandbox, proc = await asyncio.to_thread(start_sandbox, provider, size, False, work, procs)
    async with fresh_database(kind, work, args.keep) as database:
        settings = settings_for(database)
        linked = await link(database, settings, provider, sandbox)
        err.print(f"  linked {linked.account_id} {linked.facts}")
        timing = Timing()
        gc.collect()
        load_before, cpu_before, sandbox_before = load(), time.process_time(), cpu_seconds(proc.pid)
        report, wall = await timed_sync(
            database, settings, linked.account_id, timing, limits=False, capture=True, read_ahead=args.read_ahead
        )
        bench_cpu, sandbox_cpu = time.process_time() - cpu_before, cpu_seconds(proc.pid) - sandbox_before
        load_after = load()
        stored = sum(report.fetched.values())
        rows = await count_rows(database, linked.account_id)
        err.print(
            f"  full sync: {stored:,} records in {wall:.1f} s ({stored / wall:,.0f}/s), {report.requests} requests,"
            f" http {timing.http_s:.1f} s, store {timing.store_s:.1f} s; load {load_before} → {load_after}"
        )
        batches = timing.batches
        replay_records = sum(len(items) for _, _, items in batches)
        ingest_s = await replay(database, batches)
        err.print(f"  store ingest replay: {replay_records:,} records in {ingest_s:.1f} s")
        full = Full(
            provider=provider,
            database=kind,
            invoices=size,
            records=stored,
            invoice_records=report.fetched.get("Invoice", 0),
            rows=rows,
            wall_s=round(wall, 2),
            records_per_s=round(stored / wall, 1),
            invoices_per_s=round(report.fetched.get("Invoice", 0) / wall, 1),
            requests=report.requests,
            requests_per_1000_records=round(1000 * report.requests / stored, 2),
            http_s=round(timing.http_s, 2),
            store_s=round(timing.store_s, 2),
            bench_cpu_s=round(bench_cpu, 2),
            sandbox_cpu_s=round(sandbox_cpu, 2),
            ingest_records=replay_records,
            ingest_s=round(ingest_s, 2),
            ingest_records_per_s=round(replay_records / ingest_s, 1),
            fetched=dict(report.fetched),
            load_before=load_before,
            load_after=load_after,
        )

        # Phase 3: incremental, on the same sandbox and database.
        floor_report, floor_s = await timed_sync(database, settings, linked.account_id, Timing(), limits=False)
        if provider == "netsuite":
            invoices = await netsuite_editable(sandbox, linked)
        else:
            invoices = live_invoices(provider, batches)
        timing.batches = batches = []
        gc.collect()
        count = max(1, round(size * args.change_fraction))
        random.Random(SEED).shuffle(invoices)
        tag = f"bench-edit-{uuid.uuid4().hex[:8]}"
        edits = await edit_invoices(provider, sandbox, linked, invoices, count, tag)
        del invoices
        err.print(
            f"  edited {edits.edited:,} invoices in {edits.calls} API calls ({edits.refused} refused by the provider);"
            f" floor {floor_report.requests} req"
        )
        load_incremental = load()
        incremental_report, incremental_s = await timed_sync(
            database, settings, linked.account_id, Timing(), limits=False
        )
        changed_in_store = await memos_changed(database, linked.account_id, tag)
        fraction = edits.edited / size
        request_ratio = incremental_report.requests / report.requests
        time_ratio = incremental_s / wall
        incremental = Incremental(
            provider=provider,
            database=kind,
            invoices=size,
            changed=edits.edited,
            change_fraction=round(fraction, 4),
            edit_calls=edits.calls,
            edits_refused=edits.refused,
            floor_requests=floor_report.requests,
            floor_s=round(floor_s, 3),
            requests=incremental_report.requests,
            wall_s=round(incremental_s, 3),
            fetched=sum(incremental_report.fetched.values()),
            invoices_fetched=incremental_report.fetched.get("Invoice", 0),
            full_requests=report.requests,
            full_wall_s=round(wall, 2),
            request_ratio=round(request_ratio, 4),
            time_ratio=round(time_ratio, 4),
            request_ratio_over_fraction=round(request_ratio / fraction, 2),
            time_ratio_over_fraction=round(time_ratio / fraction, 2),
            requests_over_floor=incremental_report.requests - floor_report.requests,
            reread_per_change=round(incremental_report.fetched.get("Invoice", 0) / edits.edited, 3),
            stored_memos_changed=changed_in_store,
            load_before=load_incremental,
        )
        err.print(
            f"  incremental: {incremental.requests} requests, {incremental_s:.2f} s, {incremental.fetched:,} records;"
            f" {changed_in_store:,} edited memos in the store"
        )
    stop(procs)
    return full, incremental


async def phase_limited(
    provider: str,
    kind: str,
    size: int,
    work_rate: float | None,
    args: argparse.Namespace,
    work: Path,
    procs: list[subprocess.Popen[bytes]],
) -> Limited:
    err.print(f"[bold]{provider} × {kind}[/bold]: limits on, {size:,} invoices")
    sandbox, _ = await asyncio.to_thread(start_sandbox, provider, size, True, work, procs)
    limits = CONNECTORS[provider].limits
    # L calls per window of W seconds: a minute for QBO and Xero, BC's sliding 6,000 in any 300 s.
    per_minute, span = (limits.per_minute, 60.0) if limits.per_minute else (limits.window or (0, 60.0))
    async with fresh_database(kind, work, args.keep) as database:
        settings = settings_for(database)
        linked = await link(database, settings, provider, sandbox)
        timing = Timing()
        load_before = load()
        phase = time.time() % 60  # the sandboxes count minutes on the epoch clock, as WindowCounter does
        report, wall = await timed_sync(database, settings, linked.account_id, timing, limits=True)
        load_after = load()
    stop(procs)
    n = report.requests
    stored = sum(report.fetched.values())
    windows = -(-n // per_minute)  # ⌈n / L⌉
    quota_bound = (windows - 1) * span
    clock_minute_bound = 0.0 if n <= per_minute else (span - phase) + (windows - 2) * span
    token_bucket_bound = max(0, n - per_minute) * span / per_minute
    limited = Limited(
        provider=provider,
        database=kind,
        invoices=size,
        records=stored,
        requests=n,
        throttled=timing.throttled,
        wall_s=round(wall, 2),
        per_minute=per_minute,
        quota_bound_s=round(quota_bound, 2),
        clock_minute_bound_s=round(clock_minute_bound, 2),
        token_bucket_bound_s=round(token_bucket_bound, 2),
        start_phase_s=round(phase, 2),
        work_bound_s=round(stored / work_rate, 2) if work_rate else None,
        ratio=round(wall / quota_bound, 3) if quota_bound > 0 else None,
        ratio_vs_max_bound=round(wall / max(quota_bound, stored / work_rate), 3) if work_rate else None,
        load_before=load_before,
        load_after=load_after,
    )
    err.print(
        f"  limited sync: {stored:,} records, {n} requests ({timing.throttled} throttled) in {wall:.1f} s;"
        f" quota bound {quota_bound:.1f} s, clock-minute {clock_minute_bound:.1f} s, token bucket"
        f" {token_bucket_bound:.1f} s"
    )
    return limited


# --- report --------------------------------------------------------------------------------------------------------


def mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def report(full: list[Full], incremental: list[Incremental], limited: list[Limited], args: argparse.Namespace) -> None:
    out = Console(width=200)
    table = Table(title=f"Full sync, limits off, sandbox on a loopback port ({args.invoices:,} invoices)")
    for column in (
        "provider",
        "db",
        "records",
        "wall s",
        "records/s (≥5,000)",
        "invoices/s",
        "requests",
        "req / 1k records",
        "http s (busy)",
        "store s (busy)",
        "cpu bench/sandbox s",
        "ingest records/s",
        "load",
    ):
        table.add_column(column, justify="left" if column in ("provider", "db") else "right")
    for r in full:
        table.add_row(
            r.provider,
            r.database,
            f"{r.records:,}",
            f"{r.wall_s:.1f}",
            f"{r.records_per_s:,.0f} {mark(r.records_per_s >= 5000)}",
            f"{r.invoices_per_s:,.0f}",
            f"{r.requests:,}",
            f"{1000 * r.requests / r.records:.1f}",
            f"{r.http_s:.1f} ({r.http_s / r.wall_s:.0%})",
            f"{r.store_s:.1f} ({r.store_s / r.wall_s:.0%})",
            f"{r.bench_cpu_s:.0f} / {r.sandbox_cpu_s:.0f}",
            f"{r.ingest_records_per_s:,.0f}",
            f"{r.load_before}→{r.load_after}",
        )
    out.print(table)
    table = Table(title="Incremental sync after editing a fraction of the invoices through the provider API")
    for column in (
        "provider",
        "db",
        "changed",
        "floor req / s",
        "requests (full)",
        "over floor",
        "wall s (full)",
        "records re-read",
        "re-read ÷ changed",
        "req ratio ÷ fraction",
        "time ratio ÷ fraction",
        "edits stored",
    ):
        table.add_column(column, justify="left" if column in ("provider", "db") else "right")
    for r in incremental:
        table.add_row(
            r.provider,
            r.database,
            f"{r.changed:,} ({r.change_fraction:.1%})",
            f"{r.floor_requests} / {r.floor_s:.2f}",
            f"{r.requests} ({r.full_requests})",
            f"{r.requests_over_floor}",
            f"{r.wall_s:.2f} ({r.full_wall_s:.1f})",
            f"{r.fetched:,} ({r.invoices_fetched:,} inv.)",
            f"{r.reread_per_change:.2f}",
            f"{r.request_ratio_over_fraction:.2f}",
            f"{r.time_ratio_over_fraction:.2f}",
            f"{r.stored_memos_changed:,}",
        )
    out.print(table)
    table = Table(
        title="Full sync with the provider's limits on (quota bound = (⌈n/L⌉ − 1)·60: at most L calls in any minute)"
    )
    for column in (
        "provider",
        "db",
        "invoices",
        "records",
        "requests n",
        "429s",
        "L/min",
        "wall s",
        "quota bound s",
        "ratio (≤1.15)",
        "clock-minute bound s (φ)",
        "token bucket s",
        "work bound s",
        "wall ÷ max(bounds)",
        "load",
    ):
        table.add_column(column, justify="left" if column in ("provider", "db") else "right")
    for r in limited:
        ratio = "n/a (n ≤ L)" if r.ratio is None else f"{r.ratio:.2f} {mark(r.ratio <= 1.15)}"
        table.add_row(
            r.provider,
            r.database,
            f"{r.invoices:,}",
            f"{r.records:,}",
            f"{r.requests}",
            f"{r.throttled}",
            f"{r.per_minute}",
            f"{r.wall_s:.1f}",
            f"{r.quota_bound_s:.1f}",
            ratio,
            f"{r.clock_minute_bound_s:.1f} ({r.start_phase_s:.0f})",
            f"{r.token_bucket_bound_s:.1f}",
            "" if r.work_bound_s is None else f"{r.work_bound_s:.1f}",
            "" if r.ratio_vs_max_bound is None else f"{r.ratio_vs_max_bound:.2f}",
            f"{r.load_before}→{r.load_after}",
        )
    out.print(table)
    payload = {
        "full": [asdict(r) for r in full],
        "incremental": [asdict(r) for r in incremental],
        "limited": [asdict(r) for r in limited],
        "invoices": args.invoices,
        "change_fraction": args.change_fraction,
        "cpus": os.cpu_count(),
    }
    sys.stdout.write(json.dumps(payload) + "\n")


def parse_limited(text: str | None, providers: Sequence[str]) -> dict[str, int]:
    """``N`` for every provider, or ``quickbooks=N,xero=M``; defaults per provider otherwise."""
    chosen = {p: DEFAULT_LIMITED[p] for p in providers}
    if not text:
        return chosen
    if text.isdigit():
        return {p: int(text) for p in providers}
    for part in text.split(","):
        name, _, value = part.partition("=")
        chosen[name.strip()] = int(value)
    return chosen


async def run(args: argparse.Namespace, work: Path) -> int:
    procs: list[subprocess.Popen[bytes]] = []
    full, incremental, limited = [], [], []
    limited_sizes = parse_limited(args.limited_invoices, args.providers)
    try:
        for kind in args.database:
            for provider in args.providers:
                if not args.skip_full:
                    one, two = await phase_full_and_incremental(provider, kind, args, work, procs)
                    full.append(one)
                    incremental.append(two)
                if limited_sizes.get(provider, 0) > 0:
                    rate = next((f.records_per_s for f in full if f.provider == provider and f.database == kind), None)
                    limited.append(
                        await phase_limited(provider, kind, limited_sizes[provider], rate, args, work, procs)
                    )
    finally:
        stop(procs)
    report(full, incremental, limited, args)
    return 0


async def guarded(args: argparse.Namespace, work: Path) -> int:
    """``run`` with SIGTERM cancelling it, so every ``finally`` (processes, databases) still runs."""
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    try:
        return await run(args, work)
    except asyncio.CancelledError:
        err.print("terminated: cleaned up")
        return 143


def main() -> int:
    tune_collector()  # what every ledgerport process (worker, server) does at start
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument(
        "--providers", default="quickbooks,xero,netsuite", type=lambda s: [p for p in s.split(",") if p]
    )
    parser.add_argument(
        "--database", default="sqlite", type=lambda s: [d for d in s.split(",") if d], help="sqlite, postgresql or both"
    )
    parser.add_argument(
        "--limited-invoices",
        default=None,
        help="invoices for the limits-on run: N, or quickbooks=N,xero=M; 0 skips it "
        f"(default {', '.join(f'{k}={v}' for k, v in DEFAULT_LIMITED.items())})",
    )
    parser.add_argument("--change-fraction", type=float, default=0.01)
    parser.add_argument("--read-ahead", type=int, default=None, help="pages read ahead (default: each connector's)")
    parser.add_argument("--skip-full", action="store_true", help="only the limits-on runs")
    parser.add_argument("--keep", action="store_true", help="keep PostgreSQL databases and the work directory")
    args = parser.parse_args()
    for provider in args.providers:
        if provider not in PROVIDERS:
            parser.error(f"unknown provider {provider!r}")
    for kind in args.database:
        if kind not in ("sqlite", "postgresql"):
            parser.error(f"unknown database {kind!r}")
    work = Path(tempfile.mkdtemp(prefix="ledgerport-sync-bench-"))
    try:
        return asyncio.run(guarded(args, work))
    finally:
        if args.keep:
            err.print(f"  kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
