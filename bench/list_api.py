"""How fast ledgerport lists invoices, measured against the cheapest server that could answer the same request.

Method, per database (SQLite, PostgreSQL) and size (invoices in one linked account):

1. A fresh database is migrated and seeded; the seed is timed and reported but never part of the figures. The
   default loader is this file's: realistic ``Invoice`` documents (1-5 line items, ~3 KB, ~2% remote-deleted)
   written through the store's ``upsert_many`` in sync-sized batches; a batch shares one ``created_at``, so the
   keyset id tie-break is used. ``--loader seeder`` uses ``ledgerport.dev.seed.seed_account`` instead (~3.4 KB
   invoices plus their reference records); it is not the default because on PostgreSQL it needed 19 minutes
   for 200k invoices (its whole run is one transaction, so the table is never analyzed and each ``upsert_many``
   lookup scans the account), against ~1 minute for the bulk loader, which analyzes the table as it grows.
2. ``python -m ledgerport serve`` runs as one process with the rate limit off (it would throttle the load to
   600/min). Next to it runs the *baseline*, ``bench/_baseline_app.py``: a raw ASGI app under the same uvicorn
   settings that runs the very keyset query ``store.records.page`` runs, through the same driver, and joins the
   stored bytes. It has no framework, auth, validation or ORM, so it is the floor for this query on this machine;
   ``ratio = ledgerport rps / baseline rps`` is the share of that floor ledgerport keeps.
3. Every page is walked once with ``page_size=100`` following ``next``, on both servers: that checks the walk
   (every live invoice once, none twice, same ids per page on both, so the baseline really runs the same query)
   and yields the page URLs. Cursors are pre-walked because a load generator cannot follow ``next`` links, and
   because hammering only page 1 would hide exactly what keyset pagination promises: a deep page costs the same
   as the first. wrk then cycles through all page URLs (each thread round robin from its own offset).
4. wrk runs 2 s of warm-up then ``--duration`` s per server at ``-c C -t 2``; latency comes from wrk's own
   histogram via a Lua ``done()``. Single-record retrieve is measured at concurrency 1 on random ids.

On a 2-core machine wrk, the server and PostgreSQL share the CPUs; both servers face the same contention.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
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
from dataclasses import asdict, dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import httpx
import msgspec
from rich.console import Console
from rich.table import Table
from sqlalchemy import false, func, select, text

from _processes import stop
from ledgerport.kit import clock
from ledgerport.models import MODELS, Currency, Invoice, InvoiceLineItem, InvoiceStatus, InvoiceType
from ledgerport.store import Database, accounts
from ledgerport.store.records import NewRecord, upsert_many
from ledgerport.store.tables import records

BENCH = Path(__file__).resolve().parent
ADMIN_URL = "postgresql://127.0.0.1:5432/test"
LIST_PATH = "/api/accounting/v1/invoices"
PAGE_SIZE, BATCH, WARMUP_S = 100, 1000, 2
err = Console(stderr=True)

LUA = """
local paths = {}
for line in io.lines("%(urls)s") do paths[#paths + 1] = line end
wrk.headers["Authorization"] = "Bearer %(key)s"
wrk.headers["X-Account-Token"] = "%(token)s"
local count, threads = 0, 0
function setup(thread) thread:set("offset", threads); threads = threads + 1 end
function init(args) count = offset * math.floor(#paths / 2); math.randomseed(offset + os.time()) end
function request()
  count = count + 1
  local i = %(random)s and math.random(#paths) or (count %% #paths) + 1
  return wrk.format("GET", paths[i])
end
function done(s, latency, requests)
  local e = s.errors
  io.write(string.format('{"requests":%%d,"duration_us":%%d,"errors":%%d,"p50_us":%%.0f,"p99_us":%%.0f}\\n',
    s.requests, s.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


class _Id(msgspec.Struct):
    id: str


class _Page(msgspec.Struct):
    next: str | None
    results: list[_Id]


@dataclass
class Load:
    rps: float
    p50_ms: float
    p99_ms: float


@dataclass
class Result:
    database: str
    size: int
    loader: str
    seed_s: float
    rps: float
    baseline_rps: float
    ratio: float
    p50_ms: float
    p99_ms: float
    baseline_p50_ms: float
    baseline_p99_ms: float
    records_per_s: float
    retrieve_p50_ms: float


@dataclass
class Seeded:
    account_id: uuid.UUID
    api_key: str
    token: str
    live: int
    seconds: float
    loader: str


# --- seeding -------------------------------------------------------------------------------------------------------


def _ids(rng: random.Random, count: int) -> list[str]:
    return [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(count)]


def _invoice(rng: random.Random, refs: dict[str, list[str]], n: int) -> Invoice:
    issued = clock.from_micros(1_704_067_200_000_000 + rng.randrange(730) * 86_400_000_000)
    currency = rng.choice((Currency.USD, Currency.USD, Currency.EUR, Currency.GBP))
    lines, subtotal = [], Decimal(0)
    for i in range(rng.randint(1, 5)):
        price, quantity = Decimal(rng.randrange(500, 250_000)) / 100, Decimal(rng.randint(1, 20))
        subtotal += price * quantity
        lines.append(
            InvoiceLineItem(
                id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                remote_id=f"{n}-{i + 1}",
                description=f"Consulting services, phase {i + 1}",
                unit_price=price,
                quantity=quantity,
                total_amount=price * quantity,
                currency=currency,
                exchange_rate="1.0",
                item=rng.choice(refs["items"]),
                account=rng.choice(refs["accounts"]),
                tax_rate=rng.choice(refs["tax_rates"]),
                tracking_categories=[rng.choice(refs["tracking"])],
                company=refs["company"][0],
                remote_was_deleted=False,
                is_billable=rng.random() < 0.3,
            )
        )
    tax = (subtotal * Decimal("0.0825")).quantize(Decimal("0.01"))
    status = rng.choice(list(InvoiceStatus))
    return Invoice(
        type=rng.choice(list(InvoiceType)),
        contact=rng.choice(refs["contacts"]),
        number=f"INV-{n:07d}",
        issue_date=issued,
        due_date=issued + timedelta(days=30),
        paid_on_date=issued if status == InvoiceStatus.PAID else None,
        memo=f"Thank you for your business ({n})",
        company=refs["company"][0],
        currency=currency,
        exchange_rate="1.0",
        payment_term=rng.choice(refs["terms"]),
        total_discount=Decimal(0),
        sub_total=subtotal,
        status=status,
        total_tax_amount=tax,
        total_amount=subtotal + tax,
        balance=Decimal(0) if status == InvoiceStatus.PAID else subtotal + tax,
        remote_updated_at=issued,
        tracking_categories=[rng.choice(refs["tracking"])],
        line_items=lines,
        inclusive_of_tax=False,
    )


async def bulk_load(database: Database, account_id: uuid.UUID, count: int) -> None:
    """Write ``count`` invoices through ``upsert_many`` (the sync write path), ``BATCH`` per transaction.

    Going through the store keeps the stored format right by construction (ids, timestamps, filter values,
    digests) while the schema evolves; a batch shares one ``created_at``, as a real sync page does.
    """
    rng = random.Random(0)
    sizes = {"contacts": 300, "items": 40, "accounts": 30, "tax_rates": 6, "tracking": 12, "company": 1, "terms": 4}
    refs = {name: _ids(rng, n) for name, n in sizes.items()}
    spec = MODELS["Invoice"]
    for first in range(0, count, BATCH):
        items = []
        for n in range(first, min(first + BATCH, count)):
            invoice = _invoice(rng, refs, n)
            remote = [
                {
                    "path": "/v3/company/1/invoice",
                    "data": {"Id": str(n), "DocNumber": invoice.number, "TotalAmt": str(invoice.total_amount)},
                }
            ]
            items.append(
                NewRecord(remote_id=str(n), model=invoice, remote_data=remote, remote_was_deleted=rng.random() < 0.02)
            )
        async with database.write() as session:
            await upsert_many(
                session, linked_account_id=account_id, model_name=spec.name, key_fields=spec.key_fields, items=items
            )
            if first + BATCH in (BATCH, 10 * BATCH, 100 * BATCH):
                # Without statistics PostgreSQL checks upsert_many's remote_id lookup against every row of the
                # account (it picks ix_records_modified), which makes loading quadratic.
                await session.execute(text("ANALYZE records"))


async def seed(url: str, size: int, loader: str) -> Seeded:
    database = Database(url)
    try:
        await database.migrate()
        async with database.write() as session:
            organization = await accounts.create_organization(session, name="bench")
            key = await accounts.create_api_key(session, organization_id=organization)
            made = await accounts.create_linked_account(
                session,
                organization_id=organization,
                integration="quickbooks-online",
                integration_name="QuickBooks Online",
                end_user_organization_name="Bench Co",
            )
        account_id = made.account.id
        began = time.perf_counter()
        if loader == "seeder":
            from ledgerport.dev.seed import seed_account

            await seed_account(
                database,
                linked_account_id=account_id,
                invoices=size,
                expenses=0,
                transactions=0,
                journal_entries=0,
                seed=0,
                progress=None,
            )
        else:
            await bulk_load(database, account_id, size)
        async with database.write() as session:  # fresh statistics, as autovacuum would soon have
            await session.execute(text("ANALYZE"))
        seconds = time.perf_counter() - began
        c = records.c
        async with database.read() as session:
            live = (
                await session.execute(
                    select(func.count()).where(
                        c.linked_account_id == account_id, c.model == "Invoice", c.remote_was_deleted == false()
                    )
                )
            ).scalar_one()
        return Seeded(account_id, key.secret, made.account_token, live, seconds, loader)
    finally:
        await database.dispose()


# --- processes -----------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(argv: list[str], env: dict[str, str], log: Path, port: int, procs: list[subprocess.Popen[bytes]]) -> str:
    """Start a server, wait for its ``/health``, return its base URL."""
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
    procs.append(proc)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{argv} exited with {proc.returncode}:\n{log.read_text()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(base + "/health", timeout=1).status_code == 200:
                return base
        time.sleep(0.2)
    raise RuntimeError(f"{argv} did not become healthy:\n{log.read_text()[-2000:]}")


# --- walking and loading -------------------------------------------------------------------------------------------


def walk(base: str, first: str, suffix: str, headers: dict[str, str]) -> tuple[list[str], list[list[str]]]:
    """Follow ``next`` from ``first``: every page's path and the ids it held."""
    paths, pages, decoder = [first], [], msgspec.json.Decoder(_Page)
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        while True:
            response = client.get(paths[-1])
            response.raise_for_status()
            page = decoder.decode(response.content)
            pages.append([r.id for r in page.results])
            if page.next is None:
                return paths, pages
            paths.append(first + suffix + quote(page.next, safe=""))


def wrk(
    base: str,
    paths: list[str],
    seeded: Seeded,
    work: Path,
    *,
    connections: int,
    threads: int,
    seconds: int,
    randomly: bool = False,
) -> Load:
    urls, script = work / "urls.txt", work / "bench.lua"
    urls.write_text("\n".join(paths) + "\n")
    script.write_text(
        LUA % {"urls": urls, "key": seeded.api_key, "token": seeded.token, "random": "true" if randomly else "false"}
    )
    argv = [
        "wrk",
        "-c",
        str(connections),
        "-t",
        str(threads),
        "-d",
        f"{seconds}s",
        "--latency",
        "-s",
        str(script),
        base,
    ]
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    summary = json.loads(next(line for line in out.splitlines() if line.startswith('{"requests"')))
    if summary["errors"]:
        raise RuntimeError(f"wrk saw {summary['errors']} errors against {base}:\n{out}")
    return Load(
        summary["requests"] / (summary["duration_us"] / 1e6), summary["p50_us"] / 1000, summary["p99_us"] / 1000
    )


def load(base: str, paths: list[str], seeded: Seeded, work: Path, c: int, seconds: int) -> Load:
    wrk(base, paths, seeded, work, connections=c, threads=min(2, c), seconds=WARMUP_S)
    return wrk(base, paths, seeded, work, connections=c, threads=min(2, c), seconds=seconds)


# --- one run -------------------------------------------------------------------------------------------------------


async def pg_admin(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(ADMIN_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def run_one(kind: str, size: int, args: argparse.Namespace, work: Path) -> Result:
    procs: list[subprocess.Popen[bytes]] = []
    name = f"ledgerport_bench_{uuid.uuid4().hex[:12]}"
    if kind == "sqlite":
        url = f"sqlite:///{work / 'bench.db'}"
    else:
        url = f"postgresql://127.0.0.1:5432/{name}"
        asyncio.run(pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        err.print(f"[bold]{kind} × {size}[/bold]: seeding ({args.loader})…")
        seeded = asyncio.run(seed(url, size, args.loader))
        err.print(f"  {seeded.loader} loader: {size} invoices ({seeded.live} live) in {seeded.seconds:.1f} s")
        server_port, baseline_port = free_port(), free_port()
        server = start(
            [sys.executable, "-m", "ledgerport", "serve"],
            {
                "LEDGERPORT_DATABASE_URL": url,
                "LEDGERPORT_PORT": str(server_port),
                "LEDGERPORT_HOST": "127.0.0.1",
                "LEDGERPORT_RATE_LIMIT_PER_MINUTE": "0",
            },
            work / "server.log",
            server_port,
            procs,
        )
        baseline = start(
            [sys.executable, str(BENCH / "_baseline_app.py")],
            {
                "BASELINE_DATABASE_URL": url,
                "BASELINE_PORT": str(baseline_port),
                "BASELINE_ACCOUNT_ID": str(seeded.account_id),
            },
            work / "baseline.log",
            baseline_port,
            procs,
        )
        headers = {"Authorization": f"Bearer {seeded.api_key}", "X-Account-Token": seeded.token}
        began = time.perf_counter()
        paths, pages = walk(server, f"{LIST_PATH}?page_size={PAGE_SIZE}", "&cursor=", headers)
        ids = [i for page in pages for i in page]
        if len(ids) != seeded.live or len(set(ids)) != len(ids):
            raise RuntimeError(f"walk saw {len(ids)} ids ({len(set(ids))} distinct), expected {seeded.live}")
        base_paths, base_pages = walk(baseline, "/invoices", "?cursor=", {})
        if base_pages != pages or [p.partition("cursor=")[2] for p in base_paths] != [
            p.partition("cursor=")[2] for p in paths
        ]:
            raise RuntimeError("the baseline's pages differ from ledgerport's: it is not running the same query")
        err.print(f"  walked {len(pages)} pages on both servers in {time.perf_counter() - began:.1f} s: identical")
        floor = load(baseline, base_paths, seeded, work, args.concurrency, args.duration)
        ours = load(server, paths, seeded, work, args.concurrency, args.duration)
        sample = random.Random(1).sample(ids, min(2000, len(ids)))
        retrieve_s = min(5, args.duration)
        wrk(
            server,
            [f"{LIST_PATH}/{i}" for i in sample],
            seeded,
            work,
            connections=1,
            threads=1,
            seconds=1,
            randomly=True,
        )
        one = wrk(
            server,
            [f"{LIST_PATH}/{i}" for i in sample],
            seeded,
            work,
            connections=1,
            threads=1,
            seconds=retrieve_s,
            randomly=True,
        )
        return Result(
            kind,
            size,
            seeded.loader,
            round(seeded.seconds, 1),
            round(ours.rps, 1),
            round(floor.rps, 1),
            round(ours.rps / floor.rps, 3),
            round(ours.p50_ms, 2),
            round(ours.p99_ms, 2),
            round(floor.p50_ms, 2),
            round(floor.p99_ms, 2),
            round(ours.rps * PAGE_SIZE),
            round(one.p50_ms, 2),
        )
    finally:
        stop(procs)
        if kind == "postgresql" and not args.keep:
            asyncio.run(pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        elif kind == "postgresql":
            err.print(f"  kept database {url}")


# --- report --------------------------------------------------------------------------------------------------------


def p99_ratios(results: list[Result]) -> dict[str, float | None]:
    ratios: dict[str, float | None] = {}
    for kind in dict.fromkeys(r.database for r in results):
        mine = sorted((r for r in results if r.database == kind), key=lambda r: r.size)
        ratios[kind] = round(mine[-1].p99_ms / mine[0].p99_ms, 3) if len(mine) > 1 else None
    return ratios


def report(results: list[Result], args: argparse.Namespace) -> None:
    out = Console(width=160)
    table = Table(
        title=f"GET /invoices, page_size={PAGE_SIZE}, concurrency {args.concurrency}, {args.duration} s per "
        "server, rate limit off (LEDGERPORT_RATE_LIMIT_PER_MINUTE=0)"
    )
    for column in (
        "database",
        "records",
        "seed s",
        "ledgerport rps",
        "baseline rps",
        "ratio (≥0.7)",
        "p50 ms",
        "p99 ms",
        "records/s",
        "retrieve p50 ms",
    ):
        table.add_column(column, justify="left" if column == "database" else "right")
    for r in results:
        ok = "✓" if r.ratio >= 0.7 else "✗"
        retrieve_ok = "" if r.database != "postgresql" else (" ✓" if r.retrieve_p50_ms < 5 else " ✗ (<5)")
        table.add_row(
            r.database,
            f"{r.size:,}",
            f"{r.seed_s} ({r.loader})",
            f"{r.rps:,.0f}",
            f"{r.baseline_rps:,.0f}",
            f"{r.ratio:.2f} {ok}",
            f"{r.p50_ms:.1f}",
            f"{r.p99_ms:.1f}",
            f"{r.records_per_s:,}",
            f"{r.retrieve_p50_ms:.2f}{retrieve_ok}",
        )
    out.print(table)
    ratios = p99_ratios(results)
    for kind, ratio in ratios.items():
        if ratio is not None:
            mark = "✓" if ratio <= 1.2 else "✗"
            out.print(f"{kind}: p99 at the largest size / the smallest = {ratio:.2f} (target ≤ 1.2) {mark}")
    payload = {
        "results": [{k: v for k, v in asdict(r).items() if k != "loader"} for r in results],
        "p99_ratio_200k_vs_10k": ratios,
        "concurrency": args.concurrency,
        "duration_s": args.duration,
    }
    sys.stdout.write(json.dumps(payload) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,200000", type=lambda s: [int(x) for x in s.split(",")])
    parser.add_argument("--databases", default="sqlite,postgresql", type=lambda s: s.split(","))
    parser.add_argument("--concurrency", default=8, type=int)
    parser.add_argument("--duration", default=10, type=int)
    parser.add_argument(
        "--loader",
        default="bulk",
        choices=("bulk", "seeder"),
        help="bulk: this file's loader (default); seeder: ledgerport.dev.seed (slow at 200k on PG)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL databases and SQLite files")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        err.print("wrk is not installed: apt-get install -y wrk (Debian/Ubuntu) or brew install wrk (macOS)")
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so every ``finally`` below still runs
    results = []
    for kind in args.databases:
        for size in args.sizes:
            work = Path(tempfile.mkdtemp(prefix="ledgerport-bench-"))
            try:
                results.append(run_one(kind, size, args, work))
            finally:
                if args.keep:
                    err.print(f"  kept {work}")
                else:
                    shutil.rmtree(work, ignore_errors=True)
    report(results, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
