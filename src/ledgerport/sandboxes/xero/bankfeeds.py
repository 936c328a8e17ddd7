"""The Bank Feeds API under ``/bankfeeds.xro/1.0/``: feed connections and the statements pushed into them.

Shapes follow Xero's published OpenAPI document (``xero_bankfeeds.yaml``): camelCase JSON, ``{"items": [...]}``
bodies, ``202 Accepted`` for a create, and RFC 7807 problem JSON (``application/problem+json``, lower-case
``type``/``title``/``status``/``detail``) for a refusal, either for the whole request or on each rejected item.

```
POST /FeedConnections   {"items": [{accountToken, accountNumber | accountId, accountName, accountType, currency}]}
GET  /FeedConnections[/{id}]        (page, pageSize)
POST /Statements        {"items": [{feedConnectionId, startDate, endDate, startBalance, endBalance, statementLines}]}
GET  /Statements[/{id}]
```

Checks made, as Xero documents them: an ``accountToken`` is unique per organisation; ``accountType`` is BANK or
CREDITCARD; a card's ``accountNumber`` is its last 4 digits; ``accountNumber`` or ``accountId`` is given; a
statement's feed connection exists, its dates are ISO dates no older than a year, its lines fall between them, and
the end balance is the start balance plus the lines (422 ``invalid-end-balance``); a line whose ``transactionId``
the feed already has makes the statement a duplicate (409 ``duplicate-statement``).

Guesses where the documents are silent (Xero processes feeds asynchronously and shows no finished state):
a connection is set up at once, matched to a BANK account with the same ``BankAccountNumber`` or given a new one,
and reads back with ``status`` ACTIVE; a statement reads back DELIVERED. The real API also wants the ``bankfeeds``
scope on the grant, which only approved partners may ask for; the sandbox plays an approved partner and does not
look for it, unless created with ``bank_feeds=False``, when every call answers Xero's 403 ``invalid-application``.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import msgspec

from ledgerport.sandboxes.xero.catalog import spec_for
from ledgerport.sandboxes.xero.errors import ApiError
from ledgerport.sandboxes.xero.http import Request, Response, Route, decode_json, encode_json
from ledgerport.sandboxes.xero.store import Tenant
from ledgerport.sandboxes.xero.validate import Invalid
from ledgerport.sandboxes.xero.writes import apply_write

__all__ = ["BankFeeds", "FEEDS_PREFIX"]

FEEDS_PREFIX = "/bankfeeds.xro/1.0"
_PROBLEM_TYPE = "application/problem+json"
_TYPES = ("BANK", "CREDITCARD")
_SIDES = ("CREDIT", "DEBIT")
Record = dict[str, Any]


def _problem(status: int, kind: str, title: str, detail: str) -> Record:
    return {"type": kind, "title": title, "status": status, "detail": detail}


def _answer(status: int, body: Any) -> Response:
    return Response(status, encode_json(body), content_type=_PROBLEM_TYPE if status >= 400 else "application/json")


def _halt(status: int, kind: str, title: str, detail: str) -> ApiError:
    return ApiError(_answer(status, _problem(status, kind, title, detail)))


class _Refused(Exception):
    """One item refused: its problem and the HTTP status the whole answer takes."""

    def __init__(self, status: int, kind: str, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.error = _problem(status, kind, title, detail)


def _invalid(detail: str) -> _Refused:
    return _Refused(400, "invalid-request", "Invalid Request", detail)


def _text(item: Record, name: str, limit: int, *, required: bool = False) -> str | None:
    value = item.get(name)
    if value in (None, ""):
        if required:
            raise _invalid(f"The request field '{name}' is required.")
        return None
    if not isinstance(value, str):
        raise _invalid(f"The request field '{name}' must be a string.")
    if len(value) > limit:
        raise _invalid(f"For the request field '{name}' exceeded the maximum length of {limit}.")
    return value


def _day(item: Record, name: str) -> date:
    value = item.get(name)
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise _invalid(f"The request field '{name}' must be a date (YYYY-MM-DD).") from None


def _money(value: Any, name: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise _invalid(f"The request field '{name}' must be a number.") from None
    if not amount.is_finite() or amount < 0:
        raise _invalid(f"The request field '{name}' must be a non-negative amount.")
    return amount


def _signed(balance: Any, name: str) -> Decimal:
    if not isinstance(balance, dict):
        raise _invalid(f"The request field '{name}' is required.")
    side = balance.get("creditDebitIndicator")
    if side not in _SIDES:
        raise _invalid(f"The request field '{name}.creditDebitIndicator' must be CREDIT or DEBIT.")
    amount = _money(balance.get("amount"), f"{name}.amount")
    return amount if side == "CREDIT" else -amount


class BankFeeds:
    """The Bank Feeds routes over the sandbox's organisations; feeds and statements live here, per tenant."""

    def __init__(self, api: Any, *, approved: bool = True) -> None:
        self.api = api
        self.approved = approved
        self.feeds: dict[str, dict[str, Record]] = {}
        self.statements: dict[str, dict[str, Record]] = {}
        self.lines: dict[str, set[tuple[str, str]]] = {}

    def routes(self) -> list[Route]:
        """The Bank Feeds API's route table."""
        base = FEEDS_PREFIX
        return [
            Route("POST", f"{base}/FeedConnections", self.create_connections),
            Route("GET", f"{base}/FeedConnections", self.list_connections),
            Route("GET", f"{base}/FeedConnections/{{id}}", self.retrieve_connection),
            Route("POST", f"{base}/Statements", self.create_statements),
            Route("GET", f"{base}/Statements", self.list_statements),
            Route("GET", f"{base}/Statements/{{id}}", self.retrieve_statement),
        ]

    def _tenant(self, request: Request) -> Tenant:
        grant = self.api.identity.bearer(request)
        tenant: Tenant = self.api.identity.tenant_for(grant, request.header("xero-tenant-id"))
        if not self.approved:
            raise _halt(
                403,
                "invalid-application",
                "Invalid Application",
                "The application has not been configured to use these API endpoints.",
            )
        self.feeds.setdefault(tenant.tenant_id, {})
        self.statements.setdefault(tenant.tenant_id, {})
        self.lines.setdefault(tenant.tenant_id, set())
        return tenant

    def _items(self, request: Request) -> list[Any]:
        try:
            body = decode_json(request.body) if request.body.strip() else None
        except msgspec.DecodeError:
            raise _halt(400, "invalid-request", "Invalid Request", "The request body is not valid JSON.") from None
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(items, list) or not items:
            raise _halt(
                400, "invalid-request", "Invalid Request", "The request body must hold a non-empty 'items' array."
            )
        return items

    def _create(
        self, request: Request, tenant: Tenant, make: Callable[[Tenant, Record], tuple[Record, Callable[[], None]]]
    ) -> Response:
        def produce() -> Response:
            answers: list[Record] = []
            worst = 202
            for item in self._items(request):
                try:
                    if not isinstance(item, dict):
                        raise _invalid("Each item must be an object.")
                    answer, keep = make(tenant, item)
                except _Refused as refused:
                    worst = max(worst, refused.status) if worst != 202 else refused.status
                    answers.append({**_echo(item), "status": "REJECTED", **_errors(item, refused.error)})
                    continue
                keep()
                answers.append(answer)
            return _answer(worst, {"items": answers})

        response: Response = self.api._idempotent(request, tenant, produce)
        return response

    # --- feed connections -----------------------------------------------------------------------------------------

    def _connection(self, tenant: Tenant, item: Record) -> tuple[Record, Callable[[], None]]:
        feeds = self.feeds[tenant.tenant_id]
        token = _text(item, "accountToken", 50, required=True)
        kind = item.get("accountType")
        if kind not in _TYPES:
            raise _invalid("The request field 'accountType' must be BANK or CREDITCARD.")
        number = _text(item, "accountNumber", 4 if kind == "CREDITCARD" else 40)
        name = _text(item, "accountName", 30)
        currency = _text(item, "currency", 3, required=True)
        account_id = _text(item, "accountId", 36)
        if number is None and account_id is None:
            raise _invalid("The request field 'accountNumber' is required when 'accountId' is not given.")
        if kind == "CREDITCARD" and number is not None and not number.isdigit():
            raise _invalid("Only the last 4 digits must be supplied for Credit Card numbers.")
        if any(feed["accountToken"] == token for feed in feeds.values()):
            raise _Refused(
                409,
                "duplicate-account-token",
                "Duplicate Account Token",
                f"The accountToken {token} is already in use.",
            )
        accounts = tenant.collections["Accounts"]
        if account_id is not None and accounts.find(account_id) is None:
            raise _invalid(f"The accountId {account_id} is not a bank account of this organisation.")
        feed_id = str(uuid.uuid4())
        record: Record = {
            "id": feed_id,
            "accountToken": token,
            "accountNumber": number,
            "accountName": name,
            "accountId": account_id,
            "accountType": kind,
            "currency": currency,
            "country": item.get("country"),
            "status": "ACTIVE",
        }

        def keep() -> None:
            if record["accountId"] is None:
                record["accountId"] = self._bank_account(tenant, number or "", name or token, currency)
            feeds[feed_id] = {k: v for k, v in record.items() if v is not None}

        return {"id": feed_id, "accountToken": token, "status": "PENDING"}, keep

    def _bank_account(self, tenant: Tenant, number: str, name: str, currency: str) -> str | None:
        """The AccountID of the BANK account with this number, or of a new one (Xero makes it when none matches)."""
        accounts = tenant.collections["Accounts"]
        for record in accounts.all_records():
            if record.get("Type") == "BANK" and record.get("BankAccountNumber") == number:
                return str(record["AccountID"])
        codes = {str(record.get("Code")) for record in accounts.all_records()}
        code = next(f"FEED{n}" for n in range(1, len(codes) + 2) if f"FEED{n}" not in codes)  # Xero needs a code
        try:
            made = apply_write(
                spec_for("Accounts"),  # type: ignore[arg-type]
                tenant,
                {"Code": code, "Name": name, "Type": "BANK", "BankAccountNumber": number, "CurrencyCode": currency},
                slot=None,
                create_only=True,
                now_ms=int(self.api.clock() * 1000),
            )
        except Invalid:
            return None
        return str(made.get("AccountID"))

    async def create_connections(self, request: Request) -> Response:
        """``POST /FeedConnections``: 202 with each item's id and PENDING, or the rejected items."""
        tenant = self._tenant(request)
        return self._create(request, tenant, self._connection)

    async def list_connections(self, request: Request) -> Response:
        """``GET /FeedConnections`` (``page``, ``pageSize``)."""
        tenant = self._tenant(request)
        return _page(request, list(self.feeds[tenant.tenant_id].values()))

    async def retrieve_connection(self, request: Request) -> Response:
        """``GET /FeedConnections/{id}``."""
        tenant = self._tenant(request)
        found = self.feeds[tenant.tenant_id].get(request.params["id"].lower())
        if found is None:
            raise _halt(404, "not-found", "Not Found", "The feed connection was not found.")
        return _answer(200, found)

    # --- statements -----------------------------------------------------------------------------------------------

    def _statement(self, tenant: Tenant, item: Record) -> tuple[Record, Callable[[], None]]:
        feed_id = str(item.get("feedConnectionId") or "").lower()
        if feed_id not in self.feeds[tenant.tenant_id]:
            raise _invalid(f"The feedConnectionId '{feed_id}' is not a feed connection of this organisation.")
        start, end = _day(item, "startDate"), _day(item, "endDate")
        today = datetime.fromtimestamp(self.api.clock(), UTC).date()
        if start < today - timedelta(days=365):
            raise _invalid("The startDate can be no older than one year from the current date.")
        if end < start:
            raise _invalid("The endDate must not be before the startDate.")
        balance = _signed(item.get("startBalance"), "startBalance")
        lines = item.get("statementLines") or []
        if not isinstance(lines, list):
            raise _invalid("The request field 'statementLines' must be an array.")
        seen = self.lines[tenant.tenant_id]
        ids: list[tuple[str, str]] = []
        for index, line in enumerate(lines):
            where = f"statementLines[{index}]"
            if not isinstance(line, dict):
                raise _invalid(f"{where} must be an object.")
            posted = _day(line, "postedDate")
            if not start <= posted <= end:
                raise _invalid(f"{where}.postedDate must fall between the startDate and the endDate.")
            amount = _money(line.get("amount"), f"{where}.amount")
            side = line.get("creditDebitIndicator")
            if side not in _SIDES:
                raise _invalid(f"{where}.creditDebitIndicator must be CREDIT or DEBIT.")
            for name, limit in (("description", 2000), ("payeeName", 255), ("reference", 255), ("chequeNumber", 20)):
                _text(line, name, limit)
            _text(line, "transactionType", 30)
            transaction = _text(line, "transactionId", 255)
            if transaction is not None:
                if (feed_id, transaction) in seen or (feed_id, transaction) in ids:
                    raise _Refused(
                        409,
                        "duplicate-statement",
                        "Duplicate Statement Received",
                        "The received statement was marked as a duplicate.",
                    )
                ids.append((feed_id, transaction))
            balance += amount if side == "CREDIT" else -amount
        if balance != _signed(item.get("endBalance"), "endBalance"):
            raise _Refused(
                422,
                "invalid-end-balance",
                "Invalid End Balance",
                "End balance does not match start balance +/- statement line amounts.",
            )
        statement_id = str(uuid.uuid4())
        kept = {
            "id": statement_id,
            "feedConnectionId": feed_id,
            "status": "DELIVERED",
            "startDate": start.isoformat(),
            "endDate": end.isoformat(),
            "startBalance": item["startBalance"],
            "endBalance": item["endBalance"],
            "statementLineCount": len(lines),
        }

        def keep() -> None:
            seen.update(ids)
            self.statements[tenant.tenant_id][statement_id] = kept

        return {"id": statement_id, "feedConnectionId": feed_id, "status": "PENDING"}, keep

    async def create_statements(self, request: Request) -> Response:
        """``POST /Statements``: 202 with each statement's id and PENDING, or the rejected ones."""
        tenant = self._tenant(request)
        return self._create(request, tenant, self._statement)

    async def list_statements(self, request: Request) -> Response:
        """``GET /Statements`` (``page``, ``pageSize``)."""
        tenant = self._tenant(request)
        return _page(request, list(self.statements[tenant.tenant_id].values()))

    async def retrieve_statement(self, request: Request) -> Response:
        """``GET /Statements/{id}``."""
        tenant = self._tenant(request)
        found = self.statements[tenant.tenant_id].get(request.params["id"].lower())
        if found is None:
            raise _halt(404, "not-found", "Not Found", "The statement was not found.")
        return _answer(200, found)


def _echo(item: Any) -> Record:
    """What a rejected item is answered with: its own identifying fields."""
    if not isinstance(item, dict):
        return {}
    return {key: item[key] for key in ("accountToken", "feedConnectionId") if key in item}


def _errors(item: Any, error: Record) -> Record:
    """A feed connection carries one ``error``, a statement a list of ``errors``."""
    return {"errors": [error]} if isinstance(item, dict) and "feedConnectionId" in item else {"error": error}


def _page(request: Request, records: list[Record]) -> Response:
    try:
        page = max(1, int(request.arg("page") or 1))
        size = max(1, min(1000, int(request.arg("pageSize") or 50)))
    except ValueError:
        page, size = 1, 50
    shown = records[(page - 1) * size : page * size]
    pagination = {
        "page": page,
        "pageSize": size,
        "pageCount": math.ceil(len(records) / size),
        "itemCount": len(records),
    }
    return _answer(200, {"pagination": pagination, "items": shown})
