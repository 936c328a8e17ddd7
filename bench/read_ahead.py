"""What reading pages ahead buys a full sync when the provider takes its time to answer.

Per provider (QuickBooks Online, Xero): ``bench/_sync_sandbox.py`` serves the sandbox (limits off, ``--invoices``
invoices with lines) on a loopback port in its own process, and its fault knob (``POST /_sandbox/faults
{"latency_ms": …}``) delays every answer by ``--latency-ms``, concurrent answers independently, as a network and
a busy provider do. Real providers take from a few hundred milliseconds to seconds for a page of 1,000 invoices
with lines; the sandbox alone answers in tens of milliseconds, which is why ``bench/sync.py`` cannot show this.

For each round, two full syncs of the same sandbox, each into a fresh SQLite database (linked headlessly, as in
``bench/sync.py``), with the client's budget unlimited like the sandbox:

* **baseline**: ``read_ahead = 1``: the next page is fetched while the current one is mapped and stored;
* **read-ahead**: the connector's own ``read_ahead`` (QBO 4, Xero 3).

Their order alternates between rounds so a warming machine favours neither. Reported per run: wall time,
requests, records/s; per provider the median **speed-up** = baseline wall ÷ read-ahead wall, and the **requests
added** to learn where listings end (Xero's pages carry ``pageCount``: none; QBO's do not, so one ``COUNT(*)``
per stream of more than one page). Also shown per run: ``requests · latency / read_ahead``, the time the waits
alone would take if every request slot were always busy (single-page streams cannot overlap, so real runs stay
above it).

Output: a table, then one JSON line with every figure. Progress on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from _processes import stop
from ledgerport.connectors import CONNECTORS
from ledgerport.kit.collector import tune_collector
from sync import Timing, fresh_database, link, load, settings_for, start_sandbox, timed_sync

err = Console(stderr=True)
PROVIDERS = ("quickbooks", "xero")


@dataclass
class Run:
    provider: str
    mode: str
    read_ahead: int
    round: int
    records: int
    requests: int
    wall_s: float
    records_per_s: float
    latency_floor_s: float
    load_before: float


async def one_sync(provider: str, sandbox: str, work: Path, read_ahead: int, latency_s: float, round_: int) -> Run:
    mode = "baseline" if read_ahead == 1 else "read-ahead"
    async with fresh_database("sqlite", work, keep=False) as database:
        settings = settings_for(database)
        linked = await link(database, settings, provider, sandbox)
        before = load()
        report, wall = await timed_sync(
            database, settings, linked.account_id, Timing(), limits=False, read_ahead=read_ahead
        )
    stored = sum(report.fetched.values())
    err.print(f"  {mode} (read_ahead {read_ahead}): {stored:,} records, {report.requests} requests, {wall:.1f} s")
    return Run(
        provider=provider,
        mode=mode,
        read_ahead=read_ahead,
        round=round_,
        records=stored,
        requests=report.requests,
        wall_s=round(wall, 2),
        records_per_s=round(stored / wall, 1),
        latency_floor_s=round(report.requests * latency_s / read_ahead, 2),
        load_before=before,
    )


async def bench_provider(provider: str, args: argparse.Namespace, work: Path) -> list[Run]:
    procs: list[subprocess.Popen[bytes]] = []
    try:
        sandbox, _ = await asyncio.to_thread(start_sandbox, provider, args.invoices, False, work, procs)
        async with httpx.AsyncClient() as http:
            answer = await http.post(f"{sandbox}/_sandbox/faults", json={"latency_ms": args.latency_ms})
            answer.raise_for_status()
        depth = CONNECTORS[provider].read_ahead
        runs = []
        for round_ in range(args.rounds):
            order = (1, depth) if round_ % 2 == 0 else (depth, 1)
            for read_ahead in order:
                runs.append(await one_sync(provider, sandbox, work, read_ahead, args.latency_ms / 1000, round_))
        return runs
    finally:
        stop(procs)


def summary(runs: list[Run]) -> list[dict[str, object]]:
    rows = []
    for provider in dict.fromkeys(run.provider for run in runs):
        base = [r for r in runs if r.provider == provider and r.mode == "baseline"]
        ahead = [r for r in runs if r.provider == provider and r.mode == "read-ahead"]
        speedups = [
            b.wall_s / a.wall_s
            for b, a in zip(sorted(base, key=lambda r: r.round), sorted(ahead, key=lambda r: r.round), strict=True)
        ]
        rows.append(
            {
                "provider": provider,
                "read_ahead": ahead[0].read_ahead,
                "baseline_wall_s": round(statistics.median(r.wall_s for r in base), 2),
                "read_ahead_wall_s": round(statistics.median(r.wall_s for r in ahead), 2),
                "speedup": round(statistics.median(speedups), 2),
                "speedups": [round(s, 2) for s in speedups],
                "baseline_requests": base[0].requests,
                "read_ahead_requests": max(r.requests for r in ahead),
                "requests_added": max(r.requests for r in ahead) - base[0].requests,
                "records": ahead[0].records,
            }
        )
    return rows


def report(runs: list[Run], rows: list[dict[str, object]], args: argparse.Namespace) -> None:
    out = Console()
    table = Table(title=f"Full sync, {args.invoices:,} invoices, every answer delayed {args.latency_ms:g} ms")
    for column in ("provider", "run", "read_ahead", "records", "requests", "wall s", "records/s", "latency floor s"):
        table.add_column(column, justify="right" if column not in ("provider", "run") else "left")
    for run in runs:
        table.add_row(
            run.provider,
            f"{run.mode} #{run.round + 1}",
            str(run.read_ahead),
            f"{run.records:,}",
            str(run.requests),
            f"{run.wall_s:.1f}",
            f"{run.records_per_s:,.0f}",
            f"{run.latency_floor_s:.1f}",
        )
    out.print(table)
    ratios = Table(title="Read-ahead against the baseline (same sandbox, same run)")
    for column in ("provider", "read_ahead", "baseline wall s", "read-ahead wall s", "speed-up", "requests added"):
        ratios.add_column(column, justify="right" if column != "provider" else "left")
    for row in rows:
        ratios.add_row(
            str(row["provider"]),
            str(row["read_ahead"]),
            f"{row['baseline_wall_s']:.1f}",
            f"{row['read_ahead_wall_s']:.1f}",
            f"{row['speedup']:.2f}× {row['speedups']}",
            str(row["requests_added"]),
        )
    out.print(ratios)
    print(
        json.dumps(
            {
                "latency_ms": args.latency_ms,
                "invoices": args.invoices,
                "runs": [asdict(r) for r in runs],
                "summary": rows,
            }
        )
    )


async def run(args: argparse.Namespace, work: Path) -> int:
    runs: list[Run] = []
    for provider in args.providers:
        err.print(f"[bold]{provider}[/bold]: {args.invoices:,} invoices, latency {args.latency_ms:g} ms")
        runs += await bench_provider(provider, args, work)
    report(runs, summary(runs), args)
    return 0


def main() -> int:
    tune_collector()
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--invoices", type=int, default=20_000)
    parser.add_argument("--latency-ms", type=float, default=300.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--providers", default="quickbooks,xero", type=lambda s: [p for p in s.split(",") if p])
    args = parser.parse_args()
    for provider in args.providers:
        if provider not in PROVIDERS:
            parser.error(f"unknown provider {provider!r}")
    work = Path(tempfile.mkdtemp(prefix="ledgerport-read-ahead-"))
    try:
        return asyncio.run(run(args, work))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
