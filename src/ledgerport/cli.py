"""The ``ledgerport`` command. Commands that take ``--json`` print exactly one JSON object on stdout; progress and
messages go to stderr, so scripts can pipe the output.
"""

from __future__ import annotations

import asyncio
import getpass
import json
import logging
import sys
import uuid
from collections.abc import Awaitable
from typing import Annotated, Any, TypeVar

import msgspec
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from ledgerport.config import Settings, ensure_parent_dir, load_settings
from ledgerport.kit.collector import tune_collector
from ledgerport.kit.logs import configure_logging
from ledgerport.models.integrations import UnknownIntegration, find_integration
from ledgerport.store import Database, accounts
from ledgerport.store.audit import Actor

__all__ = ["main"]

T = TypeVar("T")

app = typer.Typer(help="ledgerport: a self-hosted unified accounting API.", no_args_is_help=True, add_completion=False)
orgs_app = typer.Typer(help="Organizations (the tenants that hold API keys).", no_args_is_help=True)
accounts_app = typer.Typer(help="Linked accounts (one end user's accounting system).", no_args_is_help=True)
keys_app = typer.Typer(help="API keys (shown once, stored as digests).", no_args_is_help=True)
dev_app = typer.Typer(help="Development helpers.", no_args_is_help=True)
app.add_typer(orgs_app, name="orgs")
app.add_typer(accounts_app, name="accounts")
app.add_typer(keys_app, name="keys")
app.add_typer(dev_app, name="dev")

err = Console(stderr=True)


def _settings() -> Settings:
    try:
        return load_settings()
    except ValueError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from exc


def _actor(settings: Settings) -> Actor:
    """Who the audit trail says acted: the operator at this terminal (Merge's ``ADMIN``)."""
    try:
        login: str | None = getpass.getuser()
    except (KeyError, OSError):
        login = None
    return Actor(role="ADMIN", user_name=login, user_email=settings.operator_email)


def _database(settings: Settings) -> Database:
    try:
        database = Database(settings.database_url)
    except ValueError as exc:  # an unsupported or malformed URL
        raise _fail(str(exc), 2) from exc
    ensure_parent_dir(settings.database_url)
    return database


def _run(coroutine: Awaitable[T]) -> T:
    return asyncio.run(coroutine)  # type: ignore[arg-type]


def _emit(payload: dict[str, Any], as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(payload) + "\n")
    else:
        for key, value in payload.items():
            typer.echo(f"{key}: {value}")


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", soft_wrap=True)
    return typer.Exit(code)


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema."""
    database = _database(_settings())

    async def go() -> None:
        try:
            await database.migrate()
        finally:
            await database.dispose()

    _run(go())
    from ledgerport.kit.urls import shown_url

    err.print(f"database {shown_url(database.url)} is up to date")  # never the URL's password


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind (LEDGERPORT_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to bind (LEDGERPORT_PORT).")] = None,
    workers: Annotated[int, typer.Option(help="Server processes sharing the port.")] = 1,
) -> None:
    """Migrate the database, then serve the API."""
    import uvicorn

    settings = load_settings(host=host, port=port)
    database = _database(settings)
    configure_logging(settings.log_format, settings.log_level)

    async def prepare() -> None:
        try:
            await database.migrate()
        finally:
            await database.dispose()

    _run(prepare())
    metrics = "off" if not settings.metrics else "/metrics (" + (",".join(settings.metrics_allow) or "any client") + ")"
    _start_line(
        "ledgerport serve",
        settings,
        listen=f"http://{settings.host}:{settings.port}",
        processes=workers,
        metrics=metrics,
    )
    if workers > 1:
        # Each worker process builds its own app from the same environment.
        uvicorn.run(
            "ledgerport.app:app_from_environment",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=workers,
            log_level="warning",
            log_config=None,  # our logging (LEDGERPORT_LOG_FORMAT), set up in each process by the factory
            access_log=False,  # the app writes its own access log (ledgerport.access)
            **_server_limits(settings),
        )
    else:
        uvicorn.run(
            _app(settings),
            host=settings.host,
            port=settings.port,
            log_level="warning",
            log_config=None,
            access_log=False,
            **_server_limits(settings),
        )


def _start_line(command: str, settings: Settings, *, listen: str, **fields: object) -> None:
    """One log line saying where the process listens and what it uses; URLs shown without credentials."""
    from ledgerport.kit.urls import shown_url

    uses = {
        "listen": listen,
        "database": shown_url(settings.database_url),
        "redis": shown_url(settings.redis_url) if settings.redis_url else "none",
        **fields,
    }
    logging.getLogger("ledgerport.cli").info(
        "%s: %s", command, "; ".join(f"{key} {value}" for key, value in uses.items()), extra={**uses, "_shown": uses}
    )


def _app(settings: Settings) -> Any:
    from ledgerport.app import create_app

    return create_app(settings)


def _server_limits(settings: Settings) -> dict[str, Any]:
    """What the server refuses: oversize or overlong request heads, slow clients, too many connections."""
    from ledgerport.kit.serving import server_options

    return server_options(
        request_timeout=settings.request_timeout_seconds,
        max_header_bytes=settings.max_header_bytes,
        max_headers=settings.max_headers,
        max_concurrency=settings.max_concurrency,
    )


@orgs_app.command("create")
def create_organization(
    name: Annotated[str, typer.Option(help="The organization's name.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Create an organization and its first API key (shown once)."""
    settings = _settings()
    database = _database(settings)

    async def go() -> dict[str, str]:
        try:
            await database.migrate()
            async with database.write() as session:
                organization_id = await accounts.create_organization(session, name=name)
                key = await accounts.create_api_key(session, organization_id=organization_id, actor=_actor(settings))
            return {"organization_id": str(organization_id), "api_key": key.secret}
        finally:
            await database.dispose()

    _emit(_run(go()), as_json)


@keys_app.command("create")
def create_key(
    api_key: Annotated[str, typer.Option(help="A live API key of the organization.")],
    name: Annotated[str, typer.Option(help="A label for the new key.")] = "default",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Issue another API key for the organization that owns --api-key."""
    settings = _settings()
    database = _database(settings)

    async def go() -> dict[str, str]:
        try:
            organization_id = await _organization_of(database, api_key)
            async with database.write() as session:
                key = await accounts.create_api_key(
                    session, organization_id=organization_id, name=name, actor=_actor(settings)
                )
            return {"organization_id": str(organization_id), "api_key": key.secret}
        finally:
            await database.dispose()

    _emit(_run(go()), as_json)


@keys_app.command("revoke")
def revoke_key(api_key: Annotated[str, typer.Option(help="The API key to revoke.")]) -> None:
    """Revoke an API key; every server process refuses it within LEDGERPORT_AUTH_CACHE_SECONDS."""
    settings = _settings()
    database = _database(settings)

    async def go() -> bool:
        try:
            async with database.write() as session:
                return await accounts.revoke_api_key(session, secret=api_key, actor=_actor(settings))
        finally:
            await database.dispose()

    if not _run(go()):
        raise _fail("no live API key matches")
    err.print("revoked")


async def _organization_of(database: Database, api_key: str) -> Any:
    async with database.read() as session:
        found = await accounts.resolve_credentials(session, api_key=api_key, account_token=None)
    if found.organization_id is None:
        raise _fail("that API key is unknown or revoked")
    return found.organization_id


@accounts_app.command("create")
def create_account(
    api_key: Annotated[str, typer.Option(help="An API key of the organization that will own the account.")],
    integration: Annotated[str, typer.Option(help="Integration slug, e.g. quickbooks-online, xero, netsuite.")],
    end_user_org: Annotated[str, typer.Option(help="The end user's organization name.")],
    end_user_email: Annotated[str | None, typer.Option(help="The end user's email address.")] = None,
    end_user_origin_id: Annotated[str | None, typer.Option(help="Your own id for the end user.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Create a linked account and its account token (shown once)."""
    try:
        found = find_integration(integration)
    except UnknownIntegration as exc:
        raise _fail(str(exc), 2) from exc
    settings = _settings()
    database = _database(settings)

    async def go() -> dict[str, str]:
        try:
            await database.migrate()
            organization_id = await _organization_of(database, api_key)
            async with database.write() as session:
                made = await accounts.create_linked_account(
                    session,
                    organization_id=organization_id,
                    integration=found.slug,
                    integration_name=found.name,
                    end_user_organization_name=end_user_org,
                    end_user_email_address=end_user_email,
                    end_user_origin_id=end_user_origin_id,
                    actor=_actor(settings),
                )
            return {"linked_account_id": str(made.account.id), "account_token": made.account_token}
        finally:
            await database.dispose()

    _emit(_run(go()), as_json)


async def _account_of(database: Database, account_token: str) -> accounts.LinkedAccount:
    async with database.read() as session:
        found = await accounts.find_linked_account_by_token(session, account_token=account_token)
    if found is None:
        raise _fail("that account token is unknown")
    return found


def _counters() -> Progress:
    """Live per-model counts, for work whose size is known only at its end (a sync)."""
    return Progress(TextColumn("{task.description:<28}"), TextColumn("{task.completed:>9,} records"), console=err)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description:<16}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=err
    )


async def _seed(
    database: Database,
    account_id: uuid.UUID,
    *,
    invoices: int,
    expenses: int,
    transactions: int,
    journal_entries: int,
    seed: int,
) -> dict[str, int]:
    """Seed with a progress bar per model on stderr."""
    from ledgerport.dev.seed import seed_account

    totals = {"Invoice": invoices, "Expense": expenses, "Transaction": transactions, "JournalEntry": journal_entries}
    with _progress() as progress:
        bars: dict[str, TaskID] = {}

        def report(model: str, done: int) -> None:
            if model not in bars:
                bars[model] = progress.add_task(model, total=totals.get(model))
            progress.update(bars[model], completed=done)

        summary = await seed_account(
            database,
            linked_account_id=account_id,
            invoices=invoices,
            expenses=expenses,
            transactions=transactions,
            journal_entries=journal_entries,
            seed=seed,
            progress=report,
        )
    return dict(summary.counts)


@dev_app.command("seed")
def seed(
    account_token: Annotated[str, typer.Option(help="The linked account to fill.")],
    invoices: Annotated[int, typer.Option(min=0)] = 200,
    expenses: Annotated[int, typer.Option(min=0)] = 100,
    transactions: Annotated[int, typer.Option(min=0)] = 100,
    journal_entries: Annotated[int, typer.Option(min=0)] = 100,
    seed: Annotated[int, typer.Option(help="Same seed, same data.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Fill a linked account with realistic, internally consistent records (idempotent per seed)."""
    database = _database(_settings())

    async def go() -> dict[str, Any]:
        try:
            await database.migrate()
            account = await _account_of(database, account_token)
            written = await _seed(
                database,
                account.id,
                invoices=invoices,
                expenses=expenses,
                transactions=transactions,
                journal_entries=journal_entries,
                seed=seed,
            )
            return {"linked_account_id": str(account.id), "records": written}
        finally:
            await database.dispose()

    _emit(_run(go()), as_json)


def _instructions(url: str, credentials: dict[str, Any]) -> str:
    api_key = credentials["api_key"]
    tokens = credentials["account_tokens"]
    token = tokens["quickbooks"]
    others = "\n".join(f"  Account token ({key}):{' ' * (11 - len(key))}{value}" for key, value in tokens.items())
    return f"""
ledgerport is serving the demo at {url}  (docs: {url}/docs, link page: {url}/link)

  API key:                    {api_key}
{others}

  curl -s -H 'Authorization: Bearer {api_key}' -H 'X-Account-Token: {token}' \\
    '{url}/api/accounting/v1/invoices?page_size=2&expand=contact'

  python -c '
from merge import Merge
client = Merge(api_key="{api_key}", account_token="{token}", base_url="{url}/api")
page = client.accounting.invoices.list(page_size=5)
for invoice in page.results:
    print(invoice.number, invoice.status, invoice.total_amount, invoice.currency)
'
"""


@app.command()
def demo(
    host: Annotated[str | None, typer.Option(help="Interface to bind (LEDGERPORT_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to bind (LEDGERPORT_PORT).")] = None,
) -> None:
    """The embedded demo: every provider sandbox in this process, a tenant linked to each and synced."""
    import uvicorn

    from ledgerport.app import create_app
    from ledgerport.demo import build_sandboxes, prepare_demo
    from ledgerport.kit.mounts import PrefixMounts
    from ledgerport.worker import embedded_worker

    settings = load_settings(host=host, port=port)
    database = _database(settings)
    sandboxes = build_sandboxes(settings)
    settings = msgspec.structs.replace(settings, sandbox_origins={**sandboxes.origins, **settings.sandbox_origins})

    async def prepare() -> dict[str, Any]:
        try:
            await database.migrate()
            with _counters() as progress:
                bars: dict[str, TaskID] = {}

                def report(provider: str, model: str, done: int) -> None:
                    label = f"{provider} {model}"
                    if label not in bars:
                        bars[label] = progress.add_task(label, total=None)
                    progress.update(bars[label], completed=done)

                return await prepare_demo(settings, database, sandboxes, progress=report)
        finally:
            await database.dispose()

    err.print("linking the demo tenant to every provider sandbox and syncing them")
    credentials = _run(prepare())
    url = settings.public_url or f"http://{settings.host}:{settings.port}"
    sys.stdout.write(_instructions(url, credentials))
    sys.stdout.flush()
    # From here on the server's access log and the worker's lines show what it does (after the setup's progress).
    configure_logging(settings.log_format, settings.log_level)
    api = create_app(
        settings, background=embedded_worker(settings, transports=sandboxes.transports), transports=sandboxes.transports
    )
    uvicorn.run(
        PrefixMounts(api, sandboxes.mounts),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        access_log=False,
        **_server_limits(settings),
    )


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(min=1, help="Jobs run at once by this process.")] = 4,
    metrics_port: Annotated[
        int | None,
        typer.Option(min=1, max=65535, help="Serve /metrics on this port (LEDGERPORT_WORKER_METRICS_PORT); off unset."),
    ] = None,
) -> None:
    """Run sync jobs, asynchronous writes and the sync schedule (any number of workers may share the database)."""
    import signal

    from ledgerport import worker as background

    settings = _settings()
    if metrics_port is not None:
        settings = msgspec.structs.replace(settings, worker_metrics_port=metrics_port)
    database = _database(settings)
    configure_logging(settings.log_format, settings.log_level)

    async def go() -> None:
        try:
            await database.migrate()
        finally:
            await database.dispose()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        port = settings.worker_metrics_port
        _start_line(
            "ledgerport worker",
            settings,
            listen="none" if port is None else f"http://{settings.worker_metrics_host}:{port}/metrics",
            concurrency=concurrency,
        )
        await background.run(settings, concurrency=concurrency, stop=stop)

    _run(go())


@app.command()
def sync(
    account_token: Annotated[str, typer.Option(help="The linked account to sync.")],
    wait: Annotated[
        bool, typer.Option("--wait", help="Sync here, showing progress, instead of queueing a job.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Queue a sync of a linked account for the workers, or (--wait) run it here with progress bars and end with a
    table of what each model did (--json: one object; with --wait it has ``models``, the table's rows)."""
    from ledgerport import worker as background
    from ledgerport.kit import clock
    from ledgerport.listings import sync_rows
    from ledgerport.store.sync_states import list_sync_states
    from ledgerport.sync import sync_account
    from ledgerport.sync.tasks import queue_sync

    settings = _settings()
    database = _database(settings)

    async def go() -> dict[str, Any]:
        try:
            await database.migrate()
            account = await _account_of(database, account_token)
            if not wait:
                async with database.write() as session:
                    job_id = await queue_sync(session, linked_account_id=account.id)
                return {"linked_account_id": str(account.id), "job_id": str(job_id), "status": "QUEUED"}
            deps = background.build_sync_deps(settings, database)
            started = clock.now_micros()
            with _counters() as progress:
                bars: dict[str, TaskID] = {}

                def report(model: str, done: int) -> None:
                    if model not in bars:
                        bars[model] = progress.add_task(model, total=None)
                    progress.update(bars[model], completed=done)

                try:
                    result = await sync_account(deps, account.id, progress=report)
                finally:
                    await deps.transport(None).close()
            async with database.read() as session:
                states = await list_sync_states(session, linked_account_id=account.id)
            return {
                "linked_account_id": str(account.id),
                "status": "DONE",
                "records": result.fetched,
                "requests": result.requests,
                "seconds": round((clock.now_micros() - started) / 1_000_000, 3),
                "models": sync_rows(result.fetched, result.deleted, states, started=started),
            }
        finally:
            await database.dispose()

    try:
        outcome = _run(go())
    except Exception as exc:  # a provider failure: already recorded in sync-status and issues
        from ledgerport.connectors._base import ConnectorError

        if not isinstance(exc, ConnectorError):
            raise
        raise _fail(f"sync failed: {type(exc).__name__}: {exc}") from exc
    if as_json or not wait:
        _emit(outcome, as_json)
    else:
        _sync_table(outcome)


def _sync_table(outcome: dict[str, Any]) -> None:
    """A finished sync: one row per model, then a status line."""
    from ledgerport.listings import table

    columns = [("model", "model"), ("records", "records"), ("removed", "removed"), ("seconds", "seconds")]
    out = _out()
    out.print(table("sync", columns, outcome["models"]))
    total = sum(outcome["records"].values())
    out.print(
        f"{outcome['status']}: {total:,} records in {len(outcome['models'])} models, {outcome['requests']:,} provider "
        f"requests, {outcome['seconds']:.1f}s (linked account {outcome['linked_account_id']})",
        highlight=False,
    )


_FINAL_BATCH = frozenset({"SUCCESS", "PARTIAL_SUCCESS", "FAILED"})
_CLAIM_GRACE_SECONDS = 3.0
"""How long a due bulk job may wait for a worker process before ``ledgerport bulk`` runs one itself."""


def _bulk_spec(name: str) -> Any:
    """The model an option names: its API path (``invoices``, ``journal-entries``/``journal_entries``) or its
    name (``Invoice``)."""
    from ledgerport.models import MODELS

    wanted = name.strip().lower().replace("_", "-")
    return next((s for s in MODELS.values() if wanted in {s.path, s.name.lower()}), None)


def _read_lines(file: str) -> list[bytes]:
    if file == "-":
        return sys.stdin.buffer.read().splitlines()
    try:
        with open(file, "rb") as handle:
            return handle.read().splitlines()
    except OSError as exc:
        raise _fail(f"cannot read {file}: {exc.strerror or exc}", 2) from exc


async def _jobs_waiting(database: Database, job_ids: list[uuid.UUID]) -> bool:
    """Whether one of the jobs is due and no live worker holds it (queued and due, or its lease has run out)."""
    from ledgerport.kit import clock
    from ledgerport.store import jobs as job_rows

    now = clock.now_micros()
    async with database.read() as session:
        rows = [await job_rows.find(session, job_id) for job_id in job_ids]
    return any(
        row is not None
        and (
            (row.status == job_rows.QUEUED and row.run_after <= now)
            or (row.status == job_rows.RUNNING and (row.lease_expires_at or 0) < now)
        )
        for row in rows
    )


async def _follow_batches(
    settings: Settings, deps: Any, account: accounts.LinkedAccount, model: str, queued: list[Any], wakeups: Any
) -> list[dict[str, Any]]:
    """Show each batch's progress until all are final, running a bulk worker here once a job waits for one
    longer than :data:`_CLAIM_GRACE_SECONDS`; the batches' ``GET /<model>/bulk/{id}`` bodies."""
    import time

    from ledgerport import worker as background
    from ledgerport.writes.bulk import bulk_status

    writes = background.build_write_deps(settings, deps)
    job_ids = [q.job_id for q in queued if q.job_id is not None]
    stop = asyncio.Event()
    local: asyncio.Task[None] | None = None
    waiting_since: float | None = None
    progress = Progress(
        TextColumn("{task.description:<14}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[status]}"),
        console=err,
    )
    try:
        with progress:
            bars = [
                progress.add_task(f"batch {n}/{len(queued)}", total=q.batch.total_count, status=q.batch.status)
                for n, q in enumerate(queued, start=1)
            ]
            while True:
                states = [json.loads(await bulk_status(writes, account, model, q.batch.id) or b"{}") for q in queued]
                for bar, state in zip(bars, states, strict=True):
                    final = sum(one["status"] != "PENDING" for one in state["objects"])
                    progress.update(bar, completed=final, status=state["status"])
                if all(state["status"] in _FINAL_BATCH for state in states):
                    return states
                if local is None:
                    if not await _jobs_waiting(deps.database, job_ids):
                        waiting_since = None
                    elif waiting_since is None:
                        waiting_since = time.monotonic()
                    elif time.monotonic() - waiting_since >= _CLAIM_GRACE_SECONDS:
                        err.print("no worker took the batches; running them in this process")
                        worker = background.bulk_worker(settings, deps, wakeups=wakeups)
                        local = asyncio.create_task(worker.run(stop))
                elif local.done():
                    local.result()  # a worker that ended without being stopped failed: say why
                    raise _fail("the bulk worker in this process stopped")
                await asyncio.sleep(0.2)
    finally:
        stop.set()
        if local is not None:
            await local


def _bulk_table(batches: list[dict[str, Any]]) -> None:
    """Each item's outcome and a summary line, on stdout."""
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False)
    several = len(batches) > 1
    for name in (["batch"] if several else []) + ["item_id", "status", "merge_common_model_id / error_message"]:
        table.add_column(name, overflow="fold")
    for number, batch in enumerate(batches, start=1):
        for one in batch["objects"]:
            response = one["response"] or {}
            outcome = response.get("merge_common_model_id") or response.get("error_message") or ""
            row = [one["item_id"], one["status"], outcome]
            table.add_row(*([str(number), *row] if several else row))
    statuses = [one["status"] for batch in batches for one in batch["objects"]]
    succeeded = statuses.count("SUCCESS")
    out = Console(highlight=False)
    out.print(table)
    out.print(
        f"{len(statuses)} items in {len(batches)} {'batches' if several else 'batch'} "
        f"({', '.join(batch['batch_id'] for batch in batches)}): "
        f"{succeeded} succeeded, {len(statuses) - succeeded} failed"
    )


@app.command("bulk")
def bulk_create(
    file: Annotated[str, typer.Argument(metavar="FILE.jsonl", help="One item a line; - reads standard input.")],
    account_token: Annotated[str, typer.Option(help="The linked account to write to.")],
    model: Annotated[str, typer.Option(help="The model's API path, e.g. invoices or expenses.")],
    wait: Annotated[
        bool, typer.Option("--wait/--no-wait", help="Follow the batches to their end, or only print their ids.")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Bulk-create records from a JSON Lines file, as POST /<model>/bulk does.

    Each line is {"item_id": ..., "payload": {...}}, or a bare payload whose item_id is its line number. The whole
    file is checked first, by the API's rules: bad lines are reported by number and nothing is queued. Items are
    queued in consecutive batches of 100 (each its own batch, the API's limit per request). The running workers
    write them; when none takes them within a few seconds, this command runs them itself. It then prints each
    item's outcome (--json: {"batches": [...]}, each as GET /<model>/bulk/{batch_id} answers).

    Exit status: 0 when every item succeeded, 1 otherwise (an item failed, or the file was refused); 2 for a
    usage error such as a model the integration cannot bulk-create. With --no-wait: 0 once queued.
    """
    from ledgerport import worker as background
    from ledgerport.jobs import open_wakeups
    from ledgerport.models import MODELS
    from ledgerport.writes.bulk import bulk_models, queue_batches, read_bulk_file

    spec = _bulk_spec(model)
    lines = _read_lines(file)
    settings = _settings()
    database = _database(settings)

    async def go() -> list[dict[str, Any]]:
        try:
            await database.migrate()
            account = await _account_of(database, account_token)
            able = bulk_models(account.integration)
            if spec is None or spec.name not in able:
                paths = ", ".join(MODELS[name].path for name in able) or "none"
                raise _fail(f"{account.integration_name} cannot bulk-create {model}; models with bulk: {paths}", 2)
            read = read_bulk_file(lines, spec.name)
            if read.problems:
                for problem in read.problems[:20]:
                    err.print(f"[red]error:[/red] {problem}", highlight=False, soft_wrap=True)
                if len(read.problems) > 20:
                    err.print(f"... and {len(read.problems) - 20} more")
                raise _fail(f"{file}: nothing was queued")
            deps = background.build_sync_deps(settings, database)
            wakeups = await open_wakeups(settings.redis_url)
            try:
                writes = background.build_write_deps(settings, deps)
                queued = await queue_batches(writes, account, spec.name, read.batches, wakeups=wakeups)
                if not wait:
                    return [
                        {"batch_id": str(q.batch.id), "status": q.batch.status, "total_count": q.batch.total_count}
                        for q in queued
                    ]
                return await _follow_batches(settings, deps, account, spec.name, queued, wakeups)
            finally:
                await wakeups.close()
                await deps.transport(None).close()
        finally:
            await database.dispose()

    batches = _run(go())
    if as_json:
        sys.stdout.write(json.dumps({"batches": batches}) + "\n")
    elif not wait:
        typer.echo("\n".join(batch["batch_id"] for batch in batches))
    else:
        _bulk_table(batches)
    if wait and any(one["status"] != "SUCCESS" for batch in batches for one in batch["objects"]):
        raise typer.Exit(1)


@accounts_app.command("link")
def link_account(
    api_key: Annotated[str, typer.Option(help="An API key of the organization that will own the account.")],
    integration: Annotated[
        str, typer.Option(help="quickbooks, xero, netsuite or business-central (or their Merge slugs).")
    ],
    sandbox: Annotated[str | None, typer.Option(help="A sandbox's URL: link there, consenting automatically.")] = None,
    end_user_org: Annotated[str, typer.Option(help="The end user's organization name.")] = "Linked company",
    end_user_email: Annotated[str | None, typer.Option(help="The end user's email address.")] = None,
    end_user_origin_id: Annotated[str | None, typer.Option(help="Your own id for the end user.")] = None,
    account_id: Annotated[
        str | None, typer.Option(help="The provider account id, where its hosts depend on it (NetSuite).")
    ] = None,
    environment: Annotated[
        str | None, typer.Option(help="The environment to link, where the provider has several (Business Central).")
    ] = None,
    company: Annotated[
        str | None,
        typer.Option(help="The company to link, by name or id, where one grant reaches several (Business Central)."),
    ] = None,
    tba: Annotated[
        bool,
        typer.Option(
            "--tba",
            help="Link with token-based authentication credentials instead of OAuth 2.0 (NetSuite): given with"
            " --credential, or handed out by the --sandbox.",
        ),
    ] = False,
    credential: Annotated[
        list[str] | None,
        typer.Option(
            help="A credential for --tba as NAME=VALUE (consumer_key, consumer_secret, token_id, token_secret)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Link an accounting system through the provider's real OAuth flow (against --sandbox without a person)."""
    from ledgerport import worker as background
    from ledgerport.connectors import CONNECTORS, connector_for_slug
    from ledgerport.connectors._base import AiohttpTransport, ConnectorError
    from ledgerport.connectors._base.registrations import NotRegistered, OriginRefused, normal_origin
    from ledgerport.linking import EndUser, link_sandbox, link_with_credentials, sandbox_credentials, typed_facts

    try:
        slug = find_integration(integration).slug
    except UnknownIntegration as exc:
        raise _fail(str(exc), 2) from exc
    connector = connector_for_slug(slug)
    if connector is None:
        raise _fail(f"no connector for {slug} yet; available: {', '.join(CONNECTORS)}", 2)
    settings = _settings()
    database = _database(settings)
    end_user = EndUser(organization_name=end_user_org, email_address=end_user_email, origin_id=end_user_origin_id)

    async def go() -> dict[str, str]:
        transport = AiohttpTransport()
        try:
            await database.migrate()
            organization_id = await _organization_of(database, api_key)
            registered = background.registrations(settings)
            origin = normal_origin(sandbox) if sandbox else registered.configured_origin(connector.key)
            options = {"account_id": account_id, "environment": environment, "company": company}
            typed = {name: value for name, value in options.items() if value}
            if tba:
                given = await sandbox_credentials(connector, transport, origin) if origin else {}
                given.update(typed)
                given.update(_pairs(credential or []))
                made = await link_with_credentials(
                    database,
                    sealer=background.sealer(settings),
                    connector=connector,
                    organization_id=organization_id,
                    given=given,
                    end_user=end_user,
                    base_url=origin,
                )
                return {"linked_account_id": str(made.account.id), "account_token": made.account_token}
            facts = typed_facts(connector, typed)
            client = registered.client(connector.key, origin)
            if origin is None:
                made = await _link_with_a_person(
                    database, settings, connector, client, transport, organization_id, end_user, facts
                )
            else:
                made = await link_sandbox(
                    database,
                    sealer=background.sealer(settings),
                    connector=connector,
                    client=client,
                    transport=transport,
                    organization_id=organization_id,
                    sandbox_url=origin,
                    end_user=end_user,
                    facts=facts,
                )
            return {"linked_account_id": str(made.account.id), "account_token": made.account_token}
        finally:
            await transport.close()
            await database.dispose()

    try:
        _emit(_run(go()), as_json)
    except (NotRegistered, OriginRefused) as exc:
        raise _fail(f"cannot link: {exc}", 2) from exc
    except ConnectorError as exc:
        raise _fail(f"linking failed: {exc}") from exc


async def _link_with_a_person(
    database: Database,
    settings: Settings,
    connector: Any,
    client: Any,
    transport: Any,
    organization_id: Any,
    end_user: Any,
    facts: dict[str, str],
) -> Any:
    """Print the provider's consent URL and wait for its redirect on this machine's callback address."""
    import secrets
    from urllib.parse import urlsplit

    from aiohttp import web

    from ledgerport import worker as background
    from ledgerport.linking import authorize_url, complete

    state = secrets.token_urlsafe(16)
    callback = urlsplit(client.redirect_uri)
    arrived: asyncio.Future[dict[str, str]] = asyncio.get_running_loop().create_future()

    async def on_callback(request: web.Request) -> web.Response:
        if request.query.get("state") == state and not arrived.done():
            arrived.set_result(dict(request.query))
            return web.Response(text="Linked. You can close this tab.")
        return web.Response(status=400, text="This link attempt is not the one the CLI started.")

    server = web.Application()
    server.router.add_get(callback.path or "/", on_callback)
    runner = web.AppRunner(server)
    await runner.setup()
    await web.TCPSite(runner, callback.hostname or "127.0.0.1", callback.port or 80).start()
    try:
        url = authorize_url(connector, client, state=state, base_url=None, facts=facts)
        err.print(f"Open this URL to grant access, then come back:\n  {url}")
        params = await asyncio.wait_for(arrived, timeout=600)
    finally:
        await runner.cleanup()
    return await complete(
        database,
        sealer=background.sealer(settings),
        connector=connector,
        client=client,
        transport=transport,
        organization_id=organization_id,
        params=params,
        end_user=end_user,
        base_url=None,
        facts=facts,
    )


def _pairs(items: list[str]) -> dict[str, str]:
    """``NAME=VALUE`` options as a mapping."""
    pairs: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise _fail(f"--credential takes NAME=VALUE, not {item!r}", 2)
        pairs[name.strip()] = value.strip()
    return pairs


SANDBOXES = {
    "business-central": "ledgerport.sandboxes.business_central",
    "netsuite": "ledgerport.sandboxes.netsuite",
    "quickbooks": "ledgerport.sandboxes.quickbooks",
    "xero": "ledgerport.sandboxes.xero",
}


def _size(text: str) -> str | int:
    if text in {"small", "large"}:
        return text
    if text.isdigit() and int(text) > 0:
        return int(text)
    raise typer.BadParameter("use small, large or a number of invoices")


@app.command()
def sandbox(
    provider: Annotated[str, typer.Argument(help="business-central, netsuite, quickbooks or xero")],
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to bind.")] = 8100,
    seed: Annotated[int, typer.Option(help="Same seed, same company.")] = 0,
    size: Annotated[str, typer.Option(help="small, large, or a number of invoices.")] = "small",
) -> None:
    """Serve a faithful local emulator of a provider's API (OAuth, data, limits, faults) on HOST:PORT."""
    import importlib

    if provider not in SANDBOXES:
        raise _fail(f"unknown sandbox {provider!r}; choose from {', '.join(SANDBOXES)}", 2)
    module = importlib.import_module(SANDBOXES[provider])
    err.print(f"{provider} sandbox on http://{host}:{port} (client_id sandbox-client, client_secret sandbox-secret)")
    module.run(host, port, seed, _size(size))


# --- webhooks ---------------------------------------------------------------------------------------------------

webhooks_app = typer.Typer(help="Webhook endpoints, their deliveries and replays.", no_args_is_help=True)
app.add_typer(webhooks_app, name="webhooks")

_ApiKey = Annotated[str, typer.Option(help="An API key of the organization that owns the endpoints.")]
_EndpointId = Annotated[str, typer.Option("--endpoint", help="The endpoint's id.")]
_Json = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]


def _out() -> Console:
    """Tables on stdout, wide enough for ids when piped."""
    return Console(width=None if sys.stdout.isatty() else 200)


def _endpoint_uuid(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError as exc:
        raise _fail(f"no endpoint {text!r} (an endpoint id is a UUID)") from exc


def _webhooks(go: Any) -> Any:
    """Run ``go(database, settings, organization_id)`` with the organization behind --api-key."""

    def run(api_key: str) -> Any:
        settings = _settings()
        database = _database(settings)

        async def call() -> Any:
            try:
                organization_id = await _organization_of(database, api_key)
                return await go(database, settings, organization_id)
            finally:
                await database.dispose()

        return _run(call())

    return run


@webhooks_app.command("add")
def add_webhook(
    api_key: _ApiKey,
    url: Annotated[str, typer.Option(help="Where deliveries are POSTed (https://...).")],
    events: Annotated[str, typer.Option(help="all, or comma-separated event names such as Invoice.added.")],
    as_json: _Json = False,
) -> None:
    """Add an endpoint; its signing key is shown now and never again."""
    from rich.panel import Panel

    from ledgerport import worker as background
    from ledgerport.api.webhooks import endpoint_view
    from ledgerport.webhooks import EndpointRefused, add_endpoint

    async def go(database: Database, settings: Settings, organization_id: uuid.UUID) -> Any:
        try:
            return await add_endpoint(
                database,
                background.sealer(settings),
                organization_id=organization_id,
                url=url,
                events=events,
                allow_private=settings.webhook_allow_private,
                actor=_actor(settings),
            )
        except EndpointRefused as exc:
            raise _fail(str(exc), 2) from exc

    made = _webhooks(go)(api_key)
    shown = {**msgspec.to_builtins(endpoint_view(made.endpoint)), "signing_key": made.signing_key}
    if as_json:
        sys.stdout.write(json.dumps(shown) + "\n")
        return
    lines = [
        f"[bold]id[/bold]           {shown['id']}",
        f"[bold]url[/bold]          {shown['url']}",
        f"[bold]events[/bold]       {', '.join(shown['events'])}",
        f"[bold]signing key[/bold]  {shown['signing_key']}",
        "",
        "The signing key is shown once: store it now. Deliveries carry X-Merge-Webhook-Signature, the base64url",
        "HMAC-SHA256 of the raw body under this key. A lost key is replaced with POST .../rotate-key.",
    ]
    _out().print(Panel("\n".join(lines), title="webhook endpoint added", expand=False))


@webhooks_app.command("list")
def list_webhooks(api_key: _ApiKey, as_json: _Json = False) -> None:
    """The organization's endpoints (never their signing keys)."""
    from rich.table import Table

    from ledgerport.api.webhooks import endpoint_view
    from ledgerport.store import webhooks as hooks

    async def go(database: Database, _settings: Settings, organization_id: uuid.UUID) -> Any:
        async with database.read() as session:
            return await hooks.list_endpoints(session, organization_id=organization_id)

    shown = [msgspec.to_builtins(endpoint_view(endpoint)) for endpoint in _webhooks(go)(api_key)]
    if as_json:
        sys.stdout.write(json.dumps({"endpoints": shown}) + "\n")
        return
    table = Table("id", "url", "events", "status", "last delivered", "failing since", title="webhook endpoints")
    for row in shown:
        status = row["status"] if row["status_reason"] is None else f"{row['status']}: {row['status_reason']}"
        events = ", ".join(row["events"])
        table.add_row(
            row["id"], row["url"], events, status, row["last_delivered_at"] or "-", row["failing_since"] or "-"
        )
    _out().print(table)


@webhooks_app.command("deliveries")
def list_webhook_deliveries(
    api_key: _ApiKey,
    endpoint: _EndpointId,
    status: Annotated[str | None, typer.Option(help="PENDING, DELIVERED or FAILED.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="How many, newest first.")] = 20,
    as_json: _Json = False,
) -> None:
    """An endpoint's deliveries, newest first."""
    from rich.table import Table

    from ledgerport.api.webhooks import DELIVERY_STATUSES, delivery_view
    from ledgerport.store import webhooks as hooks

    wanted = None if status is None else status.upper()
    if wanted is not None and wanted not in DELIVERY_STATUSES:
        raise _fail(f"--status must be one of {', '.join(DELIVERY_STATUSES)}", 2)
    endpoint_id = _endpoint_uuid(endpoint)

    async def go(database: Database, _settings: Settings, organization_id: uuid.UUID) -> Any:
        async with database.read() as session:
            if await hooks.find_endpoint(session, organization_id=organization_id, endpoint_id=endpoint_id) is None:
                raise _fail(f"the organization has no endpoint {endpoint}")
            return await hooks.page_deliveries(session, endpoint_id=endpoint_id, status=wanted, limit=limit)

    shown = [msgspec.to_builtins(delivery_view(delivery)) for _, delivery in _webhooks(go)(api_key)]
    if as_json:
        sys.stdout.write(json.dumps({"deliveries": shown}) + "\n")
        return
    table = Table("id", "event", "linked account", "status", "attempts", "created", "last code", "last error")
    for row in shown:
        table.add_row(
            row["id"],
            row["event"],
            row["linked_account_id"] or "-",
            row["status"],
            str(row["attempts"]),
            row["created_at"],
            "-" if row["last_status_code"] is None else str(row["last_status_code"]),
            row["last_error"] or "-",
        )
    _out().print(table)


@webhooks_app.command("replay")
def replay_webhooks(
    api_key: _ApiKey,
    endpoint: _EndpointId,
    delivery: Annotated[str | None, typer.Option(help="One delivery's id; without it, every FAILED one.")] = None,
    as_json: _Json = False,
) -> None:
    """Queue deliveries again: one, or every FAILED one of the endpoint."""
    from ledgerport.store import webhooks as hooks

    endpoint_id = _endpoint_uuid(endpoint)
    try:
        delivery_id = None if delivery is None else uuid.UUID(delivery)
    except ValueError as exc:
        raise _fail(f"no delivery {delivery!r} (a delivery id is a UUID)") from exc

    async def go(database: Database, _settings: Settings, organization_id: uuid.UUID) -> int:
        async with database.write() as session:
            if await hooks.find_endpoint(session, organization_id=organization_id, endpoint_id=endpoint_id) is None:
                raise _fail(f"the organization has no endpoint {endpoint}")
            return await hooks.replay(session, endpoint_id=endpoint_id, delivery_id=delivery_id)

    count = _webhooks(go)(api_key)
    if delivery_id is not None and count == 0:
        raise _fail(f"the endpoint has no delivery {delivery}")
    if as_json:
        sys.stdout.write(json.dumps({"replayed": count}) + "\n")
    else:
        err.print(f"replayed {count} deliver{'y' if count == 1 else 'ies'}")


def _switch_webhook(api_key: str, endpoint: str, *, active: bool) -> None:
    from ledgerport.store import webhooks as hooks

    endpoint_id = _endpoint_uuid(endpoint)

    async def go(database: Database, settings: Settings, organization_id: uuid.UUID) -> Any:
        async with database.write() as session:
            return await hooks.update_endpoint(
                session, organization_id=organization_id, endpoint_id=endpoint_id, active=active, actor=_actor(settings)
            )

    if _webhooks(go)(api_key) is None:
        raise _fail(f"the organization has no endpoint {endpoint}")
    err.print(f"endpoint {endpoint} {'enabled' if active else 'disabled'}")


@webhooks_app.command("enable")
def enable_webhook(api_key: _ApiKey, endpoint: _EndpointId) -> None:
    """Re-activate an endpoint (clears why it was disabled); deliveries resume."""
    _switch_webhook(api_key, endpoint, active=True)


@webhooks_app.command("disable")
def disable_webhook(api_key: _ApiKey, endpoint: _EndpointId) -> None:
    """Stop sending to an endpoint: no events are queued for it, and those already queued wait until enabled."""
    _switch_webhook(api_key, endpoint, active=False)


@webhooks_app.command("remove")
def remove_webhook(api_key: _ApiKey, endpoint: _EndpointId) -> None:
    """Delete an endpoint and its delivery log."""
    from ledgerport.store import webhooks as hooks

    endpoint_id = _endpoint_uuid(endpoint)

    async def go(database: Database, settings: Settings, organization_id: uuid.UUID) -> bool:
        async with database.write() as session:
            return await hooks.delete_endpoint(
                session, organization_id=organization_id, endpoint_id=endpoint_id, actor=_actor(settings)
            )

    if not _webhooks(go)(api_key):
        raise _fail(f"the organization has no endpoint {endpoint}")
    err.print(f"endpoint {endpoint} removed")


# --- operators' lists -------------------------------------------------------------------------------------------

jobs_app = typer.Typer(help="Jobs: queued, running and failed syncs, writes and deliveries.", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")


def _print_rows(
    title: str, columns: list[tuple[str, str]], rows: list[dict[str, Any]], key: str, as_json: bool
) -> None:
    """``{key: rows}`` as one JSON object, or a table of ``columns`` on stdout."""
    from ledgerport.listings import table

    if as_json:
        sys.stdout.write(json.dumps({key: rows}) + "\n")
    else:
        _out().print(table(title, columns, rows))


def _operator(go: Any) -> Any:
    """Run ``go(database, settings)`` against the configured database, which is migrated first."""
    settings = _settings()
    database = _database(settings)

    async def call() -> Any:
        try:
            await database.migrate()
            return await go(database, settings)
        finally:
            await database.dispose()

    return _run(call())


@orgs_app.command("list")
def list_organizations(as_json: _Json = False) -> None:
    """Every organization: when it was created, its linked accounts and its live API keys."""
    from ledgerport.listings import organization_rows

    async def go(database: Database, _settings: Settings) -> list[dict[str, Any]]:
        return await organization_rows(database)

    columns = [("id", "id"), ("name", "name"), ("created", "created_at"), ("accounts", "linked_accounts")]
    _print_rows("organizations", [*columns, ("keys", "api_keys")], _operator(go), "organizations", as_json)


@accounts_app.command("list")
def list_accounts(
    api_key: Annotated[
        str | None, typer.Option(help="An API key: only its organization's accounts (default: every organization's).")
    ] = None,
    as_json: _Json = False,
) -> None:
    """Linked accounts with their status, last finished sync and next scheduled one."""
    from ledgerport.listings import account_rows

    async def go(database: Database, settings: Settings) -> list[dict[str, Any]]:
        organization_id = None if api_key is None else await _organization_of(database, api_key)
        return await account_rows(
            database, organization_id=organization_id, interval_seconds=settings.sync_interval_seconds
        )

    columns = [
        ("id", "id"),
        ("organization", "organization"),
        ("integration", "integration_name"),
        ("end user", "end_user_organization_name"),
        ("status", "status"),
        ("last sync finished", "last_sync_finished"),
        ("next sync", "next_sync_start"),
    ]
    _print_rows("linked accounts", columns, _operator(go), "accounts", as_json)


@accounts_app.command("delete")
def delete_account(
    account_id: Annotated[str, typer.Argument(help="The linked account's id (see ledgerport accounts list).")],
    yes: Annotated[bool, typer.Option("--yes", help="Delete without asking.")] = False,
) -> None:
    """Delete a linked account and everything stored for it (records, credentials, sync states, jobs, issues)."""
    from ledgerport.store.overview import count_account_records

    try:
        wanted = uuid.UUID(account_id)
    except ValueError as exc:
        raise _fail(f"no linked account {account_id!r} (a linked account id is a UUID)") from exc

    async def find(database: Database, _settings: Settings) -> tuple[accounts.LinkedAccount, int]:
        async with database.read() as session:
            account = await accounts.find_linked_account_by_id(session, account_id=wanted)
            if account is None:
                raise _fail(f"no linked account {account_id}")
            return account, await count_account_records(session, linked_account_id=wanted)

    account, stored = _operator(find)
    if not yes:
        question = (
            f"Delete linked account {account.id} ({account.integration_name}, "
            f"{account.end_user_organization_name}) and its {stored} records?"
        )
        if not typer.confirm(question, err=True):
            raise _fail("nothing was deleted")

    async def delete(database: Database, settings: Settings) -> None:
        async with database.write() as session:
            await accounts.delete_linked_account(session, account_id=wanted, actor=_actor(settings))

    _operator(delete)
    err.print(
        f"deleted linked account {account.id} and {stored} records; running servers refuse its token within "
        "LEDGERPORT_AUTH_CACHE_SECONDS"
    )


@jobs_app.command("list")
def list_job_rows(
    status: Annotated[
        str | None,
        typer.Option(help="queued, running, failed, done or all (default: queued, running and failed)."),
    ] = None,
    kind: Annotated[str | None, typer.Option(help="Only jobs of this kind, e.g. sync.run.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="How many, newest first.")] = 50,
    as_json: _Json = False,
) -> None:
    """Jobs newest first: who holds a running one and for how long it has been queued, why a failed one failed."""
    from ledgerport.listings import JOB_STATUSES, job_rows

    if status is not None and status.lower() not in JOB_STATUSES:
        raise _fail(f"--status must be one of {', '.join(JOB_STATUSES)}", 2)
    statuses = ("queued", "running", "failed") if status is None else JOB_STATUSES[status.lower()]

    async def go(database: Database, _settings: Settings) -> list[dict[str, Any]]:
        return await job_rows(database, statuses=statuses, kind=kind, limit=limit)

    columns = [
        ("id", "id"),
        ("kind", "kind"),
        ("status", "status"),
        ("linked account", "linked_account_id"),
        ("attempts", "attempts"),
        ("age", "age"),
        ("run after", "run_after"),
        ("lease holder", "lease_owner"),
        ("error", "error"),
    ]
    _print_rows("jobs", columns, _operator(go), "jobs", as_json)


def main() -> None:
    """Console-script entry point."""
    tune_collector()
    app()
