"""How fast ledgerport writes: invoices created through it against the same invoices sent straight to the sandbox.

Method, per database (SQLite file; PostgreSQL database created on ``postgresql://127.0.0.1:5432/test`` and dropped
afterwards unless ``--keep``):

1. The QuickBooks sandbox runs in its own process with its limits off (``bench/_sync_sandbox.py``, a 50-invoice
   company), and ``ledgerport serve`` in another (``bench/_writes_server.py``: the CLI command itself, with the
   client's outbound budget lifted like the sandbox's limits, ``LEDGERPORT_RATE_LIMIT_PER_MINUTE=0``). An
   organization is made, the company linked (``accounts link --sandbox``) and synced (``sync --wait``), so the
   customer and item a write names are records of the account.
2. One write in debug mode shows the very body ledgerport sends to QuickBooks (``GET /logs/{id}``); the direct
   requests send exactly that body to ``POST /v3/company/{realm}/invoice`` with a fresh ``requestid`` each, with an
   access token of their own (the sandbox's OAuth code flow), from the same load generator.
3. **Throughput.** ``--concurrency`` workers (an asyncio loop with aiohttp in this process) send creates
   back to back for ``--duration`` seconds, first straight to the sandbox, then through ledgerport (``POST
   /api/accounting/v1/invoices``, ``{"model": {...}}``, a customer and one item line), alternating for
   ``--rounds`` rounds after a warm-up of each. **creates/s** = answered creates ÷ wall time, summed over the
   rounds; **ratio** = ledgerport ÷ direct (goal ≥ 0.8). CPU seconds of the server and sandbox processes over
   the ledgerport phases (``/proc``) give **server CPU ms per write**.
4. **Latency.** At concurrency 1, ``--samples`` creates each way, in alternating blocks of 20. **added p50** =
   p50 through ledgerport − p50 direct: what ledgerport adds to a write (authentication, validation, reference
   resolution, the operation row, the provider call's own overhead, mapping the answer, storing the record and
   the answer in one transaction, the response).
5. **Check.** Every answer must be 201 (ledgerport) or 200 (the sandbox); the sandbox must hold exactly as many
   new invoices as creates were answered, and ledgerport as many as it answered.
6. Steps 3-5 run once per ``--latencies`` value, the sandbox's latency fault (it delays every API answer, the
   direct ones and ledgerport's own calls alike). At 0 the sandbox creates an invoice in well under a millisecond
   of CPU, so the ratio is ledgerport's whole per-write cost against an in-memory dictionary insert; at 250 ms
   (QuickBooks answers a create in a few hundred milliseconds) it is the ratio a client sees against a provider.

Output: a table, then one JSON line on stdout; progress on stderr. The load generator, the server, the sandbox and
PostgreSQL share the machine's CPUs (and with anything else running: the load average is recorded): compare the
ratio and the added time more than absolute rates.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import aiohttp
import httpx
from rich.console import Console
from rich.table import Table

from _processes import stop

BENCH = Path(__file__).resolve().parent
ADMIN_URL = "postgresql://127.0.0.1:5432/test"
COMPANY_INVOICES = 50
REDIRECT = "http://localhost/callback"
BASIC = "Basic " + base64.b64encode(b"sandbox-client:sandbox-secret").decode()
TICKS = os.sysconf("SC_CLK_TCK")
err = Console(stderr=True)


@dataclass
class Result:
    database: str
    latency_ms: int
    concurrency: int
    rounds: int
    direct_creates_per_s: float
    ledgerport_creates_per_s: float
    ratio: float
    direct_p50_ms: float
    ledgerport_p50_ms: float
    added_p50_ms: float
    ledgerport_p99_ms: float
    server_cpu_ms_per_write: float
    sandbox_cpu_ms_per_write: float
    writes: int
    sandbox_new_invoices: int
    stored: int
    load_before: float
    load_after: float


# --- processes -----------------------------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def spawn(argv: list[str], env: dict[str, str], log: Path, procs: list[subprocess.Popen[bytes]]) -> Any:
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
    procs.append(proc)
    return proc


def wait_answering(url: str, proc: Any, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited with {proc.returncode}:\n{log.read_text()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer:\n{log.read_text()[-2000:]}")


def cli(env: dict[str, str], *args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "ledgerport", *args, "--json"], env=env, capture_output=True, timeout=300, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"ledgerport {' '.join(args[:2])}: {done.stderr.decode()[-2000:]}")
    return dict(json.loads(done.stdout))


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


# --- the two ways of creating an invoice ---------------------------------------------------------------------------


@dataclass
class Target:
    """One way of creating the same invoice: a URL, its headers, a body, and what a success is."""

    name: str
    url: str
    headers: dict[str, str]
    body: bytes
    success: int
    params: Callable[[], dict[str, str]]


def sandbox_token(sandbox: str) -> tuple[str, str]:
    """An access token of the bench's own (the sandbox's OAuth code flow) and the realm it is for."""
    consent = httpx.get(
        f"{sandbox}/connect/oauth2",
        params={
            "client_id": "sandbox-client",
            "redirect_uri": REDIRECT,
            "response_type": "code",
            "scope": "com.intuit.quickbooks.accounting",
            "state": "bench",
            "auto_approve": "true",
        },
    )
    callback = parse_qs(urlparse(consent.headers["location"]).query)
    tokens = httpx.post(
        f"{sandbox}/oauth2/v1/tokens/bearer",
        headers={"Authorization": BASIC},
        data={"grant_type": "authorization_code", "code": callback["code"][0], "redirect_uri": REDIRECT},
    )
    tokens.raise_for_status()
    return tokens.json()["access_token"], callback["realmId"][0]


def targets(api: str, api_key: str, account_token: str, sandbox: str) -> tuple[Target, Target]:
    """The ledgerport request, and the direct one carrying exactly the body ledgerport sends to QuickBooks."""
    headers = {"Authorization": f"Bearer {api_key}", "X-Account-Token": account_token}
    base = f"{api}/accounting/v1"
    contacts = httpx.get(f"{base}/contacts", params={"page_size": 100}, headers=headers).json()["results"]
    customer = next(c for c in contacts if c["status"] == "ACTIVE" and "-" not in c["remote_id"])
    items = httpx.get(f"{base}/items", params={"page_size": 100}, headers=headers).json()["results"]
    item = next(i for i in items if i["status"] == "ACTIVE")
    model = {
        "type": "ACCOUNTS_RECEIVABLE",
        "contact": customer["id"],
        "issue_date": "2024-03-01T00:00:00Z",
        "memo": "Benchmark",
        "line_items": [{"item": item["id"], "description": "Desk", "unit_price": 125.5, "quantity": 2}],
    }
    body = json.dumps({"model": model}).encode()
    probe = httpx.post(
        f"{base}/invoices", params={"is_debug_mode": "true"}, content=body, headers=headers, timeout=30
    ).json()
    (log,) = probe["logs"]
    sent = httpx.get(f"{base}/logs/{log['log_id']}", headers=headers).json()["request"]["body"]
    token, realm = sandbox_token(sandbox)
    direct = Target(
        "direct",
        f"{sandbox}/v3/company/{realm}/invoice",
        {"Authorization": f"Bearer {token}", "Accept": "application/json", "Content-Type": "application/json"},
        sent.encode(),
        200,
        lambda: {"requestid": uuid.uuid4().hex, "minorversion": "75"},
    )
    through = Target(
        "ledgerport", f"{base}/invoices", {**headers, "Content-Type": "application/json"}, body, 201, lambda: {}
    )
    return direct, through


# --- load ----------------------------------------------------------------------------------------------------------


@dataclass
class Phase:
    answered: int
    wall_s: float
    latencies_ms: list[float]


async def drive(session: aiohttp.ClientSession, target: Target, concurrency: int, seconds: float) -> Phase:
    """``concurrency`` workers sending creates back to back for ``seconds``."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            async with session.post(
                target.url, data=target.body, headers=target.headers, params=target.params()
            ) as response:
                await response.read()
                if response.status != target.success:
                    raise RuntimeError(f"{target.name}: {response.status} {(await response.text())[:500]}")
            latencies.append((time.perf_counter() - began) * 1000)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Phase(len(latencies), time.perf_counter() - began, latencies)


async def sequential(session: aiohttp.ClientSession, target: Target, count: int) -> list[float]:
    """``count`` creates one after another: milliseconds each."""
    latencies: list[float] = []
    for _ in range(count):
        began = time.perf_counter()
        async with session.post(target.url, data=target.body, headers=target.headers, params=target.params()) as r:
            await r.read()
            if r.status != target.success:
                raise RuntimeError(f"{target.name}: {r.status} {(await r.text())[:500]}")
        latencies.append((time.perf_counter() - began) * 1000)
    return latencies


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def measure(
    direct: Target, through: Target, args: argparse.Namespace, samples: int, server_pid: int, sandbox_pid: int
) -> dict[str, Any]:
    """Warm-up, the throughput rounds, then the concurrency-1 samples; each phase on fresh connections (a server
    closes keep-alive connections left idle while the other side was measured)."""

    async def phase(work: Callable[[aiohttp.ClientSession], Any]) -> Any:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            return await work(session)

    warmups = {}
    for target in (direct, through):  # connections, pools, caches
        warmups[target.name] = (await phase(lambda s, t=target: drive(s, t, args.concurrency, 1.0))).answered
    totals = {"direct": Phase(0, 0.0, []), "ledgerport": Phase(0, 0.0, [])}
    cpu = {"server": 0.0, "sandbox": 0.0}
    for round_ in range(args.rounds):
        for target in (direct, through):
            before = (cpu_seconds(server_pid), cpu_seconds(sandbox_pid))
            measured = await phase(lambda s, t=target: drive(s, t, args.concurrency, args.duration))
            if target is through:
                cpu["server"] += cpu_seconds(server_pid) - before[0]
                cpu["sandbox"] += cpu_seconds(sandbox_pid) - before[1]
            total = totals[target.name]
            total.answered += measured.answered
            total.wall_s += measured.wall_s
            total.latencies_ms += measured.latencies_ms
            err.print(
                f"    round {round_ + 1} {target.name}: {measured.answered / measured.wall_s:,.0f} creates/s "
                f"(p50 {statistics.median(measured.latencies_ms):.1f} ms)"
            )
    single: dict[str, list[float]] = {"direct": [], "ledgerport": []}
    for _ in range(max(1, samples // 20)):
        for target in (direct, through):
            single[target.name] += await phase(lambda s, t=target: sequential(s, t, 20))
    return {"totals": totals, "single": single, "cpu": cpu, "warmups": warmups}


# --- one database --------------------------------------------------------------------------------------------------


def run_one(kind: str, args: argparse.Namespace, work: Path) -> list[Result]:
    from cryptography.fernet import Fernet

    procs: list[subprocess.Popen[bytes]] = []
    name = f"ledgerport_bench_{uuid.uuid4().hex[:12]}"
    url = f"sqlite:///{work / 'bench.db'}" if kind == "sqlite" else f"postgresql://127.0.0.1:5432/{name}"
    if kind == "postgresql":
        asyncio.run(pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        sandbox_port, server_port = free_port(), free_port()
        sandbox = f"http://127.0.0.1:{sandbox_port}"
        sandbox_log = work / "sandbox.log"
        sandbox_proc = spawn(
            [
                sys.executable,
                str(BENCH / "_sync_sandbox.py"),
                "quickbooks",
                "--port",
                str(sandbox_port),
                "--size",
                str(COMPANY_INVOICES),
                "--limits",
                "off",
            ],
            dict(os.environ),
            sandbox_log,
            procs,
        )
        wait_answering(f"{sandbox}/_sandbox/stats", sandbox_proc, sandbox_log)
        env = {
            **os.environ,
            "LEDGERPORT_DATABASE_URL": url,
            "LEDGERPORT_PORT": str(server_port),
            "LEDGERPORT_RATE_LIMIT_PER_MINUTE": "0",
            "LEDGERPORT_SECRET_KEYS": Fernet.generate_key().decode(),
            "LEDGERPORT_SYNC_INTERVAL_SECONDS": "86400",
        }
        server_log = work / "server.log"
        server_proc = spawn([sys.executable, str(BENCH / "_writes_server.py")], env, server_log, procs)
        server = f"http://127.0.0.1:{server_port}"
        wait_answering(f"{server}/health", server_proc, server_log)
        api_key = cli(env, "orgs", "create", "--name", "bench")["api_key"]
        linked = cli(env, "accounts", "link", "--api-key", api_key, "--integration", "quickbooks", "--sandbox", sandbox)
        cli(env, "sync", "--account-token", linked["account_token"], "--wait")
        direct, through = targets(f"{server}/api", api_key, linked["account_token"], sandbox)
        headers = {"Authorization": f"Bearer {api_key}", "X-Account-Token": linked["account_token"]}
        results = []
        for latency in args.latencies:
            httpx.post(f"{sandbox}/_sandbox/faults", json={"latency_ms": latency}).raise_for_status()
            err.print(f"  {kind}, sandbox latency {latency} ms: sandbox {sandbox}, server {server}")
            results.append(one_latency(kind, latency, args, direct, through, sandbox, f"{server}/api", headers, procs))
        return results
    finally:
        stop(procs)
        if kind == "postgresql" and not args.keep:
            asyncio.run(pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def one_latency(
    kind: str,
    latency: int,
    args: argparse.Namespace,
    direct: Target,
    through: Target,
    sandbox: str,
    api: str,
    headers: dict[str, str],
    procs: list[subprocess.Popen[bytes]],
) -> Result:
    """Measure both ways at one sandbox latency, and check that every answered create made one invoice."""
    sandbox_proc, server_proc = procs
    before_upstream = len(httpx.get(f"{sandbox}/_sandbox/dump/Invoice").json()["Invoice"])
    before_stored = stored_invoices(api, headers)
    samples = args.samples if latency == 0 else min(args.samples, 40)
    load_before = load()
    measured = asyncio.run(measure(direct, through, args, samples, server_proc.pid, sandbox_proc.pid))
    load_after = load()
    totals, single, cpu, warmups = measured["totals"], measured["single"], measured["cpu"], measured["warmups"]
    writes_direct = warmups["direct"] + totals["direct"].answered + len(single["direct"])
    writes_through = warmups["ledgerport"] + totals["ledgerport"].answered + len(single["ledgerport"])
    new_upstream = len(httpx.get(f"{sandbox}/_sandbox/dump/Invoice").json()["Invoice"]) - before_upstream
    stored = stored_invoices(api, headers) - before_stored
    if new_upstream != writes_direct + writes_through or stored != writes_through:
        raise RuntimeError(
            f"{kind}: {writes_direct} + {writes_through} creates answered, but the sandbox made {new_upstream} "
            f"invoices and ledgerport stored {stored}"
        )
    direct_rate = totals["direct"].answered / totals["direct"].wall_s
    through_rate = totals["ledgerport"].answered / totals["ledgerport"].wall_s
    direct_p50 = statistics.median(single["direct"])
    through_p50 = statistics.median(single["ledgerport"])
    return Result(
        database=kind,
        latency_ms=latency,
        concurrency=args.concurrency,
        rounds=args.rounds,
        direct_creates_per_s=round(direct_rate, 1),
        ledgerport_creates_per_s=round(through_rate, 1),
        ratio=round(through_rate / direct_rate, 3),
        direct_p50_ms=round(direct_p50, 2),
        ledgerport_p50_ms=round(through_p50, 2),
        added_p50_ms=round(through_p50 - direct_p50, 2),
        ledgerport_p99_ms=round(percentile(totals["ledgerport"].latencies_ms, 0.99), 1),
        server_cpu_ms_per_write=round(cpu["server"] * 1000 / totals["ledgerport"].answered, 2),
        sandbox_cpu_ms_per_write=round(cpu["sandbox"] * 1000 / totals["ledgerport"].answered, 2),
        writes=writes_direct + writes_through,
        sandbox_new_invoices=new_upstream,
        stored=stored,
        load_before=load_before,
        load_after=load_after,
    )


def stored_invoices(api: str, headers: dict[str, str]) -> int:
    count, cursor = 0, None
    while True:
        params: dict[str, Any] = {"page_size": 100, **({"cursor": cursor} if cursor else {})}
        page = httpx.get(f"{api}/accounting/v1/invoices", params=params, headers=headers, timeout=60).json()
        count += len(page["results"])
        cursor = page["next"]
        if not cursor:
            return count


# --- report --------------------------------------------------------------------------------------------------------


def report(results: list[Result], args: argparse.Namespace) -> None:
    out = Console(width=180)
    table = Table(
        title=f"POST /invoices (QuickBooks AR invoice, 1 line) at concurrency {args.concurrency}, {args.rounds} × "
        f"{args.duration} s each way; sandbox and client limits off; added p50 at concurrency 1"
    )
    for column in (
        "database",
        "sandbox latency ms",
        "direct creates/s",
        "ledgerport creates/s",
        "ratio (≥0.8)",
        "direct p50 ms",
        "ledgerport p50 ms",
        "added p50 ms",
        "ledgerport p99 ms",
        "server CPU ms/write",
        "sandbox CPU ms/write",
        "load",
    ):
        table.add_column(column, justify="left" if column == "database" else "right")
    for r in results:
        table.add_row(
            r.database,
            str(r.latency_ms),
            f"{r.direct_creates_per_s:,.0f}",
            f"{r.ledgerport_creates_per_s:,.0f}",
            f"{r.ratio:.2f} {'✓' if r.ratio >= 0.8 else '✗'}",
            f"{r.direct_p50_ms:.1f}",
            f"{r.ledgerport_p50_ms:.1f}",
            f"{r.added_p50_ms:.1f}",
            f"{r.ledgerport_p99_ms:.1f}",
            f"{r.server_cpu_ms_per_write:.1f}",
            f"{r.sandbox_cpu_ms_per_write:.1f}",
            f"{r.load_before}→{r.load_after}",
        )
    out.print(table)
    payload = {
        "results": [asdict(r) for r in results],
        "concurrency": args.concurrency,
        "duration_s": args.duration,
        "rounds": args.rounds,
        "latencies_ms": args.latencies,
    }
    sys.stdout.write(json.dumps(payload) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--databases", default="sqlite,postgresql", type=lambda s: s.split(","))
    parser.add_argument("--concurrency", default=8, type=int)
    parser.add_argument("--duration", default=10.0, type=float, help="seconds per phase")
    parser.add_argument("--rounds", default=2, type=int)
    parser.add_argument("--samples", default=200, type=int, help="creates each way at concurrency 1 (40 with latency)")
    parser.add_argument(
        "--latencies",
        default=[0, 250],
        type=lambda s: [int(x) for x in s.split(",")],
        help="sandbox latency faults (ms) to measure at: 0 is ledgerport's own cost, 250 a provider's response time",
    )
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL databases and the work folders")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so every ``finally`` below still runs
    results = []
    for kind in args.databases:
        work = Path(tempfile.mkdtemp(prefix="ledgerport-bench-writes-"))
        try:
            results += run_one(kind, args, work)
        finally:
            if args.keep:
                err.print(f"  kept {work}")
            else:
                shutil.rmtree(work, ignore_errors=True)
    report(results, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
