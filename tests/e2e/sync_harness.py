"""Helpers for ``test_sync_e2e.py``: provider sandboxes, the ledgerport CLI and workers as real processes, the
provider's own API (to edit and delete upstream), and the sandbox's ground truth in ledgerport's remote-id scheme.

Every process writes its output to a log file in the test's temporary folder; failures quote the log's tail.
"""

from __future__ import annotations

import base64
import functools
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar, TypeVar
from urllib.parse import parse_qs, urlparse

import httpx

from harness import TEST_SEALING_KEY, free_port

T = TypeVar("T")

POLL = 0.1
"""Seconds between two looks at something we wait for."""


def tail(path: Path, lines: int = 40) -> str:
    """The end of a log file, for failure messages."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "<no log>"


def wait_for(check: Callable[[], T | None], *, timeout: float, what: str, interval: float = POLL) -> T:
    """Call ``check`` until it returns something truthy, at most ``timeout`` seconds; fail naming ``what``."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while True:
        last = check()
        if last:
            return last
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


# --------------------------------------------------------------------------------------------------------------------
# Processes


@dataclass
class Process:
    """A child process with its log; ``stop`` is SIGTERM then SIGKILL, ``kill`` is SIGKILL at once."""

    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 15) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(timeout=10)


def spawn(name: str, args: list[str], env: Mapping[str, str], log_dir: Path) -> Process:
    log = log_dir / f"{name}-{time.monotonic_ns()}.log"
    with log.open("wb") as sink:
        popen = subprocess.Popen(  # noqa: S603 - our own interpreter and modules
            [sys.executable, *args], env=dict(env), stdout=sink, stderr=subprocess.STDOUT
        )
    return Process(name, popen, log)


@dataclass
class Cli:
    """Runs ``python -m ledgerport ...`` with one environment (database, shared secret key file, Redis)."""

    env: dict[str, str]
    log_dir: Path

    def json(self, *args: str, timeout: float = 60) -> dict[str, Any]:
        """A ``--json`` command's one object; fails with its stderr when it exits non-zero."""
        (answer,) = self.json_all([list(args)], timeout=timeout)
        return answer

    def json_all(self, commands: list[list[str]], timeout: float = 60) -> list[dict[str, Any]]:
        """Several ``--json`` commands run at once (each CLI start costs a second or two of imports)."""
        started = [
            (
                args,
                subprocess.Popen(  # noqa: S603
                    [sys.executable, "-m", "ledgerport", *args, "--json"],
                    env=self.env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                ),
            )
            for args in commands
        ]
        answers = []
        for args, popen in started:
            try:
                out, err = popen.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                popen.kill()
                popen.communicate()
                raise
            assert popen.returncode == 0, f"ledgerport {' '.join(args[:2])} exited {popen.returncode}: {err!r}"
            answers.append(json.loads(out))
        return answers

    def worker(self, concurrency: int = 2, *, lease_seconds: float | None = None) -> Process:
        """``ledgerport worker`` (the real CLI worker, with its sync schedule ticker); ``lease_seconds`` sets
        ``LEDGERPORT_JOB_LEASE_SECONDS`` (default 60 s: how long a killed worker's job waits for another)."""
        env = dict(self.env)
        if lease_seconds is not None:
            env["LEDGERPORT_JOB_LEASE_SECONDS"] = str(lease_seconds)
        return spawn("worker", ["-m", "ledgerport", "worker", "--concurrency", str(concurrency)], env, self.log_dir)


# --------------------------------------------------------------------------------------------------------------------
# Sandboxes


@dataclass
class SandboxProcess:
    """One ``ledgerport sandbox <provider>`` process on loopback and a client on its origin (``start_sandbox``).

    A provider's kind names itself (``label``), the path that answers once it serves (``probe``), and what to do
    once it answers (``started``: a grant of its own, say).
    """

    label: ClassVar[str] = "the sandbox"
    probe: ClassVar[str] = "/_sandbox"

    process: Process
    url: str
    http: httpx.Client = field(repr=False)

    def close(self) -> None:
        self.http.close()
        self.process.stop()

    def ready(self) -> bool:
        if not self.process.alive():
            raise AssertionError(f"{self.label} exited: {tail(self.process.log)}")
        try:
            return self.http.get(self.probe).status_code == 200
        except httpx.TransportError:
            return False

    def started(self) -> None:
        """Runs once the sandbox answers (nothing, unless a kind says otherwise)."""

    def stats(self) -> Any:
        """The sandbox's ``/_sandbox/stats`` (its shape is the provider's own)."""
        return self.http.get("/_sandbox/stats").json()


S = TypeVar("S", bound=SandboxProcess)


def start_sandbox(kind: type[S], command: str, log_dir: Path, *args: str) -> S:
    """``ledgerport sandbox <command> --port <free> <args>``, returned once it answers and has ``started``."""
    port = free_port()
    process = spawn(
        f"sandbox-{command}", ["-m", "ledgerport", "sandbox", command, "--port", str(port), *args], os.environ, log_dir
    )
    url = f"http://127.0.0.1:{port}"
    sandbox = kind(process, url, httpx.Client(base_url=url, timeout=60))
    try:
        wait_for(sandbox.ready, timeout=120, what=f"{kind.label} to answer")
        sandbox.started()
    except BaseException:
        sandbox.close()
        raise
    return sandbox


@dataclass
class Sandbox(SandboxProcess):
    """``ledgerport sandbox <provider>`` on loopback, steered through its ``/_sandbox`` control surface."""

    provider: str
    seed: int
    size: str

    @property
    def label(self) -> str:
        return f"{self.provider} sandbox"

    @property
    def probe(self) -> str:
        return "/_sandbox/realms" if self.provider == "quickbooks" else "/_sandbox/tenants"

    def faults(self, **settings: Any) -> dict[str, Any]:
        response = self.http.post("/_sandbox/faults", json=settings)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def expire_tokens(self) -> None:
        response = self.http.post("/_sandbox/tokens/expire")
        assert response.status_code in {200, 204}, response.text

    def requests(self, path_part: str = "") -> int:
        """Provider API requests served so far (paths containing ``path_part``), ``/_sandbox`` excluded."""
        body = self.http.get("/_sandbox/stats").json()
        rows = (
            body["requests"].items() if self.provider == "quickbooks" else ((row["path"], row["count"]) for row in body)
        )
        return sum(
            count for path, count in rows if not path.startswith("/_sandbox") and path_part in path and _is_api(path)
        )

    def token_requests(self) -> int:
        """Calls of the provider's token endpoint (code exchanges and refreshes)."""
        token_path = "/oauth2/v1/tokens/bearer" if self.provider == "quickbooks" else "/connect/token"
        body = self.http.get("/_sandbox/stats").json()
        if self.provider == "quickbooks":
            return int(body["requests"].get(token_path, 0))
        return sum(row["count"] for row in body if row["path"] == token_path)

    def requests_by_path(self) -> dict[str, int]:
        body = self.http.get("/_sandbox/stats").json()
        if self.provider == "quickbooks":
            return {path: count for path, count in body["requests"].items() if _is_api(path)}
        found: dict[str, int] = {}
        for row in body:
            if _is_api(row["path"]):
                # A request a rate limit refused is not one the sync chose to make: its retry is counted instead.
                found[row["path"]] = found.get(row["path"], 0) + row["count"] - row.get("refused", 0)
        return found

    def dump(self, collection: str) -> list[dict[str, Any]]:
        """Every record of a collection (deleted ones included), numbers as ``Decimal``."""
        path = (
            f"/_sandbox/dump/{collection}"
            if self.provider == "quickbooks"
            else f"/_sandbox/dump/{self.tenant_id}/{collection}"
        )
        response = self.http.get(path)
        assert response.status_code == 200, response.text
        body = json.loads(response.text, parse_float=Decimal)
        (records,) = body.values()
        return list(records)

    @functools.cached_property
    def tenant_id(self) -> str:
        """Xero: the organisation ``accounts link`` connects (the first ``/connections`` row: the first tenant)."""
        return str(self.http.get("/_sandbox/tenants").json()[0]["tenantId"])

    @functools.cached_property
    def realm_id(self) -> str:
        """QBO: the seeded company, the one an ``auto_approve`` consent without ``realm_id`` connects."""
        return str(self.http.get("/_sandbox/realms").json()["realms"][0])


def _is_api(path: str) -> bool:
    return path.startswith(("/v3/company/", "/api.xro/"))


def start_sandboxes(specs: Mapping[str, tuple[str, int, str]], log_dir: Path) -> dict[str, Sandbox]:
    """``name -> (provider, seed, size)`` sandboxes, started at once; returns when every one answers."""
    started: dict[str, Sandbox] = {}
    try:
        for name, (provider, seed, size) in specs.items():
            port = free_port()
            process = spawn(
                f"sandbox-{provider}-{name}",
                ["-m", "ledgerport", "sandbox", provider, "--port", str(port), "--seed", str(seed), "--size", size],
                os.environ,
                log_dir,
            )
            url = f"http://127.0.0.1:{port}"
            http = httpx.Client(base_url=url, timeout=60)
            started[name] = Sandbox(process, url, http, provider=provider, seed=seed, size=size)
        for sandbox in started.values():
            wait_for(sandbox.ready, timeout=120, what=f"the {sandbox.provider} sandbox (size {sandbox.size}) to answer")
    except BaseException:
        for sandbox in started.values():
            sandbox.close()
        raise
    return started


# --------------------------------------------------------------------------------------------------------------------
# The provider's own API, as an accountant's other app would use it: edits and deletions made upstream.

REDIRECT = "http://localhost/callback"
BASIC = "Basic " + base64.b64encode(b"sandbox-client:sandbox-secret").decode()


class NetSuite(SandboxProcess):
    """``ledgerport sandbox netsuite``, read through a grant of its own (consent, then the code) by SuiteQL."""

    label = "the NetSuite sandbox"
    probe = "/_sandbox/account"
    token: str = ""

    def started(self) -> None:
        self.grant()

    def grant(self) -> None:
        consent = self.http.get(
            "/app/login/oauth2/authorize.nl",
            params={
                "response_type": "code",
                "client_id": "sandbox-client",
                "redirect_uri": REDIRECT,
                "scope": "rest_webservices",
                "state": "e2e",
                "auto_approve": "true",
            },
        )
        assert consent.status_code == 302, consent.text
        code = parse_qs(urlparse(consent.headers["location"]).query)["code"][0]
        tokens = self.http.post(
            "/services/rest/auth/oauth2/v1/token",
            headers={"Authorization": BASIC},
            data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT},
        )
        assert tokens.status_code == 200, tokens.text
        self.token = tokens.json()["access_token"]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def query(self, sql: str) -> list[dict[str, Any]]:
        """Every row of a SuiteQL query (pages of 1,000), numbers exact; a new grant when this one's hour is over."""
        rows: list[dict[str, Any]] = []
        while True:
            response = self.http.post(
                NETSUITE_SUITEQL,
                params={"limit": 1000, "offset": len(rows)},
                json={"q": sql},
                headers={**self.headers, "Prefer": "transient"},
            )
            if response.status_code == 401:
                self.grant()
                continue
            assert response.status_code == 200, response.text
            page = json.loads(response.text, parse_float=Decimal)
            rows += page["items"]
            if not page["hasMore"]:
                return rows


NETSUITE_SUITEQL = "/services/rest/query/v1/suiteql"


class QuickBooksApi:
    """A separate OAuth grant on the QBO sandbox (auto-approved consent, then the code exchange)."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.http = sandbox.http
        consent = self.http.get(
            "/connect/oauth2",
            params={
                "client_id": "sandbox-client",
                "redirect_uri": REDIRECT,
                "response_type": "code",
                "scope": "com.intuit.quickbooks.accounting",
                "state": "e2e",
                "auto_approve": "true",
            },
        )
        assert consent.status_code == 302, consent.text
        callback = parse_qs(urlparse(consent.headers["location"]).query)
        tokens = self.http.post(
            "/oauth2/v1/tokens/bearer",
            headers={"Authorization": BASIC},
            data={"grant_type": "authorization_code", "code": callback["code"][0], "redirect_uri": REDIRECT},
        )
        assert tokens.status_code == 200, tokens.text
        self.realm = callback["realmId"][0]
        self.headers = {"Authorization": f"Bearer {tokens.json()['access_token']}", "Accept": "application/json"}

    def _url(self, path: str) -> str:
        return f"/v3/company/{self.realm}/{path}"

    def read(self, entity: str, qbo_id: str) -> dict[str, Any]:
        response = self.http.get(self._url(f"{entity.lower()}/{qbo_id}"), headers=self.headers)
        assert response.status_code == 200, response.text
        return dict(json.loads(response.text, parse_float=Decimal)[entity])

    def sparse_update(self, entity: str, qbo_id: str, **changes: Any) -> dict[str, Any]:
        current = self.read(entity, qbo_id)
        body = {"Id": qbo_id, "SyncToken": current["SyncToken"], "sparse": True, **changes}
        response = self.http.post(self._url(entity.lower()), json=body, headers=self.headers)
        assert response.status_code == 200, response.text
        return dict(json.loads(response.text, parse_float=Decimal)[entity])

    def delete(self, entity: str, qbo_id: str) -> None:
        current = self.read(entity, qbo_id)
        response = self.http.post(
            self._url(entity.lower()),
            params={"operation": "delete"},
            json={"Id": qbo_id, "SyncToken": current["SyncToken"]},
            headers=self.headers,
        )
        assert response.status_code == 200, response.text
        assert response.json()[entity]["status"] == "Deleted"


class XeroApi:
    """A token minted by the Xero sandbox's control surface for the linked organisation."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.http = sandbox.http
        self.tenant = sandbox.tenant_id
        minted = self.http.post("/_sandbox/tokens", json={"tenants": [self.tenant]})
        assert minted.status_code == 200, minted.text
        self.headers = {
            "Authorization": f"Bearer {minted.json()['access_token']}",
            "xero-tenant-id": self.tenant,
            "Accept": "application/json",
        }

    def update(self, collection: str, key: str, **changes: Any) -> dict[str, Any]:
        response = self.http.post(f"/api.xro/2.0/{collection}/{key}", json=changes, headers=self.headers)
        assert response.status_code == 200, response.text
        (record,) = json.loads(response.text, parse_float=Decimal)[collection]
        return dict(record)


# --------------------------------------------------------------------------------------------------------------------
# Ground truth: the sandbox's own records, keyed the way the connector keys remote ids.


@dataclass(frozen=True)
class Upstream:
    """One provider record as ledgerport should hold it."""

    remote_id: str
    deleted: bool
    total: Decimal | None
    record: Mapping[str, Any] = field(repr=False, compare=False)


# common model -> [(collection, remote-id prefix, id field, deleted(record), total field)]
_QBO_DELETED: Callable[[Mapping[str, Any]], bool] = lambda r: r.get("status") == "Deleted"  # noqa: E731
SOURCES: dict[str, dict[str, list[tuple[str, str, str, Callable[[Mapping[str, Any]], bool], str | None]]]] = {
    "quickbooks": {
        # ids.py: the entity a model is named after keeps QBO's bare Id, others are "<Entity>-<Id>".
        "Invoice": [("Invoice", "", "Id", _QBO_DELETED, "TotalAmt"), ("Bill", "Bill-", "Id", _QBO_DELETED, "TotalAmt")],
        "Contact": [("Customer", "", "Id", _QBO_DELETED, None), ("Vendor", "Vendor-", "Id", _QBO_DELETED, None)],
        "JournalEntry": [("JournalEntry", "", "Id", _QBO_DELETED, None)],
        "Expense": [("Purchase", "Purchase-", "Id", _QBO_DELETED, None)],
    },
    "xero": {
        # streams.py: deletions are statuses (Invoices DELETED; ManualJournals DELETED or VOIDED; Contacts GDPR).
        "Invoice": [("Invoices", "", "InvoiceID", lambda r: r.get("Status") == "DELETED", "Total")],
        "Contact": [("Contacts", "", "ContactID", lambda r: r.get("ContactStatus") == "GDPRREQUEST", None)],
        "JournalEntry": [
            ("ManualJournals", "", "ManualJournalID", lambda r: r.get("Status") in {"DELETED", "VOIDED"}, None)
        ],
        "Expense": [
            ("BankTransactions", "", "BankTransactionID", lambda r: r.get("Status") in {"DELETED", "VOIDED"}, None)
        ],
    },
}
ONLY: dict[tuple[str, str], Callable[[Mapping[str, Any]], bool]] = {
    # documents.py: Xero's Spend and Receive Money are Expenses; its other bank transactions are Transactions.
    ("xero", "Expense"): lambda r: r.get("Type") in {"SPEND", "RECEIVE"},
}


def upstream(sandbox: Sandbox, model: str) -> dict[str, Upstream]:
    """The sandbox's records of ``model`` by ledgerport remote id (deleted ones included)."""
    found: dict[str, Upstream] = {}
    keep = ONLY.get((sandbox.provider, model), lambda record: True)
    for collection, prefix, id_field, is_deleted, total_field in SOURCES[sandbox.provider][model]:
        for record in filter(keep, sandbox.dump(collection)):
            remote_id = f"{prefix}{record[id_field]}"
            assert remote_id not in found, f"two sandbox records map to remote id {remote_id}"
            total = record.get(total_field) if total_field else None
            found[remote_id] = Upstream(
                remote_id, is_deleted(record), None if total is None else Decimal(total), record
            )
    return found


# --------------------------------------------------------------------------------------------------------------------
# ledgerport's side, read through its API (the Merge SDK, and raw JSON where numbers must stay exact)

RESOURCES = {
    "Invoice": "invoices",
    "Contact": "contacts",
    "JournalEntry": "journal_entries",
    "Expense": "expenses",
    "Transaction": "transactions",
}
PATHS = {
    "Invoice": "invoices",
    "Contact": "contacts",
    "JournalEntry": "journal-entries",
    "Expense": "expenses",
    "Transaction": "transactions",
}


@dataclass
class Ledger:
    """One linked account as an API user sees it."""

    api: str
    api_key: str
    account_token: str
    account_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}", "X-Account-Token": self.account_token}

    def sdk(self) -> Any:
        from merge import Merge

        return Merge(api_key=self.api_key, account_token=self.account_token, base_url=self.api)

    def get(self, path: str, **params: Any) -> Any:
        response = httpx.get(f"{self.api}/accounting/v1/{path}", params=params, headers=self.headers, timeout=30)
        assert response.status_code == 200, f"GET {path}: {response.status_code} {response.text[:500]}"
        return json.loads(response.text, parse_float=Decimal)

    def sync_status(self) -> dict[str, dict[str, Any]]:
        """Every model's sync state, by model name."""
        return {row["model_name"]: row for row in self.get("sync-status")["results"]}

    def raw_records(self, model: str) -> list[dict[str, Any]]:
        """Every record of ``model``, deleted ones included, numbers exact, following ``next`` to the end."""
        return self.every(PATHS[model])

    def every(self, path: str) -> list[dict[str, Any]]:
        """Every record of a list endpoint, deleted ones included, numbers exact, following ``next`` to the end."""
        found: list[dict[str, Any]] = []
        cursor = None
        for _ in range(10_000):
            params = {"page_size": 100, "include_deleted_data": "true", **({"cursor": cursor} if cursor else {})}
            page = self.get(path, **params)
            found += page["results"]
            cursor = page["next"]
            if not cursor:
                return found
        raise AssertionError("the cursor never ended")

    def sdk_records(self, model: str, **params: Any) -> list[Any]:
        """Every record of ``model`` through the Merge SDK, page_size 100, deleted ones included."""
        listing = getattr(self.sdk().accounting, RESOURCES[model]).list
        found: list[Any] = []
        cursor = None
        for _ in range(10_000):
            page = listing(cursor=cursor, page_size=100, include_deleted_data=True, **params)
            found += page.results or []
            cursor = page.next
            if not cursor:
                return found
        raise AssertionError("the cursor never ended")

    def count(self, model: str) -> int:
        """How many records of ``model`` are stored now (deleted ones included)."""
        return len(self.raw_records(model))


def writes_env(database_url: str, lease_seconds: str) -> tuple[dict[str, str], dict[str, str]]:
    """The server's extra settings and the CLI's and workers' environment for a writes test: no syncs of the
    schedule's own mid-test, leases of ``lease_seconds`` (how soon a worker takes a killed one's batch over), the
    test sealing key, no rate limit and no Redis."""
    extra = {
        "LEDGERPORT_SYNC_INTERVAL_SECONDS": "3600",
        "LEDGERPORT_JOB_LEASE_SECONDS": lease_seconds,
        "LEDGERPORT_WRITE_LEASE_SECONDS": lease_seconds,
    }
    env = {
        **os.environ,
        "LEDGERPORT_DATABASE_URL": database_url,
        "LEDGERPORT_SECRET_KEYS": TEST_SEALING_KEY,
        "LEDGERPORT_RATE_LIMIT_PER_MINUTE": "0",
        **extra,
    }
    env.pop("LEDGERPORT_REDIS_URL", None)
    return extra, env


def iso(moment: str | None) -> float | None:
    from datetime import datetime

    return None if moment is None else datetime.fromisoformat(moment).timestamp()


def wait_synced(ledger: Ledger, *, since: float, timeout: float, worker: Process | None, models: set[str]) -> None:
    """Until ``models`` (exactly) have a sync that started at or after ``since`` (epoch seconds) and is DONE.

    Fails with the last sync-status and the worker's log when it does not happen within ``timeout`` seconds, or
    at once when the worker died.
    """
    deadline = time.monotonic() + timeout
    states: dict[str, dict[str, Any]] = {}
    while time.monotonic() < deadline:
        if worker is not None and not worker.alive():
            raise AssertionError(f"the worker exited with {worker.popen.returncode}: {tail(worker.log)}")
        states = ledger.sync_status()
        if set(states) == models and all(
            s["status"] == "DONE" and (iso(s["last_sync_start"]) or 0) >= since - 0.001 for s in states.values()
        ):
            return
        time.sleep(POLL)
    summary = {m: (s["status"], s["last_sync_start"], s["sync_status_reason"]) for m, s in states.items()}
    log = tail(worker.log) if worker is not None else ""
    raise AssertionError(f"the sync did not finish in {timeout:g} s: {summary}\nworker log:\n{log}")
