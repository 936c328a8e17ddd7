"""A worker process for the SIGKILL test, and the step-wise idempotent handler both workers in that test run.

Usage: ``python crash_worker.py DATABASE_URL EFFECTS_DB KIND LEASE_SECONDS STEP_SECONDS``; runs until killed.

The handler does ``payload["steps"]`` steps. Each step logs that it started (``starts``, one row per execution,
so a redone step shows twice), sleeps, then applies its effect (``effects``) in one SQLite transaction that first
checks whether that step's effect is already there: a step interrupted by a crash runs again, its effect lands once.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import sys

from ledgerport.jobs import Handler, JobContext, Worker
from ledgerport.store import Database

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS starts (job_id TEXT, step INTEGER, pid INTEGER)",
    "CREATE TABLE IF NOT EXISTS effects (job_id TEXT, step INTEGER, pid INTEGER)",
)


def connect(path: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, timeout=10)
    for statement in SCHEMA:
        connection.execute(statement)
    return connection


def make_handler(effects_path: str, step_seconds: float) -> Handler:
    async def handler(context: JobContext) -> None:
        job_id = str(context.row.id)
        for step in range(int(context.row.payload["steps"])):
            await context.checkpoint()
            with contextlib.closing(connect(effects_path)) as db:
                if db.execute("SELECT 1 FROM effects WHERE job_id = ? AND step = ?", (job_id, step)).fetchone():
                    continue
                db.execute("INSERT INTO starts VALUES (?, ?, ?)", (job_id, step, os.getpid()))
            await asyncio.sleep(step_seconds)
            with contextlib.closing(connect(effects_path)) as db:
                db.execute("BEGIN IMMEDIATE")
                if not db.execute("SELECT 1 FROM effects WHERE job_id = ? AND step = ?", (job_id, step)).fetchone():
                    db.execute("INSERT INTO effects VALUES (?, ?, ?)", (job_id, step, os.getpid()))
                db.execute("COMMIT")

    return handler


async def main(database_url: str, effects_path: str, kind: str, lease_seconds: float, step_seconds: float) -> None:
    database = Database(database_url)
    worker = Worker(
        database,
        {kind: make_handler(effects_path, step_seconds)},
        concurrency=1,
        lease_seconds=lease_seconds,
        poll_interval=0.05,
        owner=f"doomed-{os.getpid()}",
    )
    await worker.run(asyncio.Event())  # never set: this process ends by SIGKILL


if __name__ == "__main__":
    url, effects, job_kind, lease, step = sys.argv[1:6]
    asyncio.run(main(url, effects, job_kind, float(lease), float(step)))
