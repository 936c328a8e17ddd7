"""Bank feeds through Xero's Bank Feeds API (``https://api.xero.com/bankfeeds.xro/1.0/``).

Xero keeps the API closed: only financial institutions and platforms it approved as financial services partners
may call it, with the ``bankfeeds`` scope on their grant. ledgerport's Xero link does not ask for that scope (asking
would make consent fail for every app Xero has not approved); a partner adds it to ``SCOPES`` in ``connector.py``.
Without it Xero answers 403, which is reported as a refusal that says why.

```
BankFeedAccount      POST /FeedConnections {"items": [{accountToken, accountNumber | accountId, accountName,
                     accountType BANK|CREDITCARD, currency}]}        → 202 {"items": [{id, accountToken, status}]}
                     GET  /FeedConnections/{id}                       → the connection, with the Xero bank account
BankFeedTransaction  POST /Statements {"items": [{feedConnectionId, startDate, endDate, startBalance,
                     endBalance, statementLines: [{postedDate, amount, creditDebitIndicator, transactionId,
                     description, payeeName, transactionType}]}]}   → 202 {"items": [{id, feedConnectionId, status}]}
```

Merge pushes one transaction at a time, and Xero takes statements: each transaction becomes a statement of one
line on its posted date. Xero checks that the end balance is the start balance plus the lines, and a transaction
carries no balance, so the statement runs from zero to the line's own amount. Xero processes statements
asynchronously (``PENDING``, then ``DELIVERED``); ``is_processed`` is whether it had when the answer came.
Refusals come as problem JSON (``{"type", "title", "status", "detail"}``), either at the top or on each rejected
item (``items[].error`` / ``items[].errors[]``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import msgspec

from ledgerport.connectors._base import Malformed, Problem, Rejected, Request
from ledgerport.connectors._base.client import ProviderClient
from ledgerport.connectors._base.errors import ConnectorError, ErrorRule
from ledgerport.connectors._base.http import Response
from ledgerport.connectors._base.mapping import Computed, F, MappingContext, ModelMap, Ref
from ledgerport.connectors._base.paging import PageNumber
from ledgerport.connectors._base.streams import Stream, StreamContext
from ledgerport.connectors._base.writes import Check, Put, PutRef, Target, WriteProtocol, WriteSpec
from ledgerport.models.bank_feed import (
    BankFeedAccount,
    BankFeedAccountType,
    BankFeedTransaction,
    CreditOrDebit,
    FeedStatus,
)

__all__ = ["BANK_FEEDS", "FEEDS_PATH", "FEED_ERRORS", "FEED_WRITES"]

FEEDS_PATH = "/bankfeeds.xro/1.0"
_KEY_LIMIT = 128
_encoder = msgspec.json.Encoder(decimal_format="number")
_PARTNERS_ONLY = (
    "Xero opens its Bank Feeds API only to approved financial services partners, whose grant carries the bankfeeds "
    "scope"
)


def _url(context: StreamContext, *parts: str) -> str:
    return "/".join((f"{context.base_url.rstrip('/')}{FEEDS_PATH}", *parts))


# --- errors ------------------------------------------------------------------------------------------------------


def _problem(error: Any) -> Problem | None:
    if not isinstance(error, Mapping):
        return None
    title = str(error.get("title") or error.get("type") or "Bank feed error")
    detail = str(error.get("detail") or title)
    return Problem(title=title, detail=detail, raw_error=str(error.get("type") or "") or None)


def feed_problems(body: Any) -> list[Problem]:
    """Every problem of a Bank Feeds answer: the top-level problem JSON, or each rejected item's errors."""
    found: list[Problem] = []
    items = body.get("items") if isinstance(body, Mapping) else None
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, Mapping):
            continue
        errors = item.get("errors") if isinstance(item.get("errors"), list) else [item.get("error")]
        found += [one for one in (_problem(error) for error in errors) if one is not None]
    if not found and isinstance(body, Mapping) and (body.get("detail") or body.get("title")):
        top = _problem(body)
        if top is not None:
            found.append(top)
    return found


def _refused(response: Response, body: Any) -> ConnectorError:
    problems = feed_problems(body)
    if response.status == 403:
        why = problems[0].detail if problems else "Forbidden"
        problems = [Problem(title="Bank feeds not available", detail=f"{_PARTNERS_ONLY}: {why}")]
    detail = "; ".join(p.detail for p in problems) or f"answered {response.status}"
    return Rejected(f"Xero refused the bank feed request: {detail}", problems=problems)


FEED_ERRORS = (
    ErrorRule(
        lambda r, b: FEEDS_PATH in r.url and r.status in (400, 403, 409, 413, 422),
        _refused,
        name="bank feeds refusal",
    ),
)
"""Ahead of Xero's other rules: the Bank Feeds API's 403 means the app is no approved partner (not a lost tenant),
and its 409 (duplicate statement) and 422 (balances that do not add up) are refusals of the request."""


# --- the protocol ------------------------------------------------------------------------------------------------


async def _send(client: ProviderClient, target: Target, payload: dict[str, Any], key: str) -> Mapping[str, Any]:
    request = Request(
        method="POST",
        url=_url(client.context, target.entity),
        headers={"Content-Type": "application/json", "Idempotency-Key": key[:_KEY_LIMIT]},
        body=_encoder.encode({"items": [payload]}),
    )
    body = (await client.send(request)).json()
    items = body.get("items") if isinstance(body, Mapping) else None
    if not isinstance(items, list) or not items or not isinstance(items[0], Mapping):
        raise Malformed(f"Xero answered the {target.entity} without its item")
    item = items[0]
    if item.get("status") == "REJECTED":
        problems = feed_problems({"items": [item]})
        raise Rejected(f"Xero rejected the {target.entity}", problems=problems)
    return item


async def _get(client: ProviderClient, entity: str, remote_id: str) -> Any:
    request = Request(method="GET", url=_url(client.context, entity, remote_id))
    return (await client.send(request)).json()


async def create(client: ProviderClient, target: Target, payload: dict[str, Any], key: str) -> Any:
    """POST the item; a feed connection is then read back whole (Xero answers only its id and status, and matches
    or makes the Xero bank account it feeds). A statement is kept as sent, with Xero's id and status."""
    item = await _send(client, target, payload, key)
    if target.entity == "FeedConnections":
        found = await _get(client, target.entity, str(item.get("id")))
        return {**payload, **item, **(found if isinstance(found, Mapping) else {})}
    return {**payload, **item}


async def update(client: ProviderClient, target: Target, remote_id: str, payload: dict[str, Any], key: str) -> Any:
    """Merge offers no PATCH of bank feeds; no table asks for one."""
    raise Rejected(f"Xero's {target.entity} are not changed once sent")


async def fetch(client: ProviderClient, target: Target, remote_id: str) -> Any:
    """``GET /{FeedConnections|Statements}/{id}``."""
    return await _get(client, target.entity, remote_id)


def remote_path(context: StreamContext, target: Target, remote_id: str) -> str:
    """The Bank Feeds URL of the written object."""
    return _url(context, target.entity, remote_id)


BANK_FEEDS = WriteProtocol(create=create, update=update, fetch=fetch, remote_path=remote_path)
"""How bank feeds travel: the Bank Feeds API, beside the accounting API that ``WRITER`` speaks."""


# --- read tables -------------------------------------------------------------------------------------------------


def _listing(entity: str) -> Any:
    def request(context: StreamContext, since: datetime | None, position: int, size: int) -> Request:
        params = (("page", str(position)), ("pageSize", str(size)))
        return Request(method="GET", url=_url(context, entity), params=params)

    return request


def _stream(entity: str) -> Stream:
    return Stream(
        name=f"bankfeeds:{entity}",
        request=_listing(entity),
        records="items",
        key="id",
        paging=PageNumber(size=100),
        remote_path=lambda context, record: _url(context, entity, str(record.get("id"))),
    )


FEED_CONNECTIONS = _stream("FeedConnections")
STATEMENTS = _stream("Statements")

_ACCOUNT_TYPES = {"BANK": BankFeedAccountType.BANK, "CREDITCARD": BankFeedAccountType.CREDIT_CARD}


def _feed_status(record: Any, context: MappingContext) -> FeedStatus:
    return FeedStatus.INACTIVE if record.get("status") == "REJECTED" else FeedStatus.ACTIVE


FEED_CONNECTION = ModelMap(
    model="BankFeedAccount",
    struct=BankFeedAccount,
    stream=FEED_CONNECTIONS,
    fields={
        "remote_id": F("id"),
        "source_account_id": F("accountToken"),
        "target_account_id": F("accountId"),
        "source_account_number": F("accountNumber"),
        "target_account_name": F("accountName"),
        "currency": F("currency"),
        "feed_status": Computed(_feed_status),
        "account_type": Computed(lambda record, context: _ACCOUNT_TYPES.get(str(record.get("accountType")))),
    },
)


def _line(record: Any) -> Mapping[str, Any]:
    lines = record.get("statementLines")
    return lines[0] if isinstance(lines, list) and lines and isinstance(lines[0], Mapping) else {}


def _line_value(name: str) -> Computed:
    return Computed(lambda record, context: _line(record).get(name))


def _posted(record: Any, context: MappingContext) -> datetime | None:
    text = _line(record).get("postedDate") or record.get("startDate")
    if not text:
        return None
    day = date.fromisoformat(str(text)[:10])
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _indicator(record: Any, context: MappingContext) -> CreditOrDebit | None:
    value = _line(record).get("creditDebitIndicator")
    return CreditOrDebit(value) if value in ("CREDIT", "DEBIT") else None


STATEMENT = ModelMap(
    model="BankFeedTransaction",
    struct=BankFeedTransaction,
    stream=STATEMENTS,
    fields={
        "remote_id": F("id"),
        "bank_feed_account": Ref("feedConnectionId", "BankFeedAccount"),
        "transaction_date": Computed(_posted),
        "posted_date": Computed(_posted),
        "amount": Computed(lambda record, context: _amount(_line(record).get("amount"))),
        "description": _line_value("description"),
        "transaction_type": _line_value("transactionType"),
        "payee": _line_value("payeeName"),
        "credit_or_debit": Computed(_indicator),
        "source_transaction_id": _line_value("transactionId"),
        "is_processed": Computed(lambda record, context: record.get("status") == "DELIVERED"),
    },
)


def _amount(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


# --- write tables ------------------------------------------------------------------------------------------------


def _xero_type(value: Any) -> str:
    return "CREDITCARD" if value == BankFeedAccountType.CREDIT_CARD else "BANK"


def _number_or_account(model: Mapping[str, Any]) -> str | None:
    if model.get("source_account_number") or model.get("target_account_id"):
        return None
    return "Xero needs source_account_number (matched to a Xero bank account, or one is made) or target_account_id."


def _card_digits(model: Mapping[str, Any]) -> str | None:
    number = str(model.get("source_account_number") or "")
    if (
        model.get("account_type") == BankFeedAccountType.CREDIT_CARD
        and number
        and not (len(number) == 4 and number.isdigit())
    ):
        return "For a credit card feed Xero takes only the last 4 digits of the card number."
    return None


def _lengths(limits: Mapping[str, int]) -> Any:
    def test(model: Mapping[str, Any]) -> str | None:
        for name, limit in limits.items():
            value = model.get(name)
            if isinstance(value, str) and len(value) > limit:
                return f"Xero takes at most {limit} characters in {name}."
        return None

    return test


def _xero_date(value: Any) -> str:
    return value.date().isoformat() if isinstance(value, datetime) else str(value)[:10]


def _statement(payload: dict[str, Any]) -> dict[str, Any]:
    """One statement of the one line the request built (see the module docstring for the balances)."""
    line = dict(payload.pop("line", {}))
    day = line.pop("postedDate", None) or line.pop("transactionDate", None)
    line.pop("transactionDate", None)
    amount = Decimal(str(line.get("amount") or 0))
    indicator = line.get("creditDebitIndicator") or ("DEBIT" if amount < 0 else "CREDIT")
    line["amount"] = abs(amount)
    line["creditDebitIndicator"] = indicator
    line["postedDate"] = day
    return {
        **payload,
        "startDate": day,
        "endDate": day,
        "startBalance": {"amount": Decimal("0"), "creditDebitIndicator": "CREDIT"},
        "endBalance": {"amount": abs(amount), "creditDebitIndicator": indicator},
        "statementLines": [line],
    }


def _has_day(model: Mapping[str, Any]) -> str | None:
    if model.get("posted_date") or model.get("transaction_date"):
        return None
    return "Xero needs the day the transaction posted: give posted_date (or transaction_date)."


FEED_WRITES = (
    WriteSpec(
        model="BankFeedAccount",
        targets=[
            Target(
                entity="FeedConnections",
                read=FEED_CONNECTION,
                fields={
                    "source_account_id": Put(
                        "accountToken", required=True, note="Xero's accountToken: unique per partner (50 characters)."
                    ),
                    "target_account_id": Put("accountId", note="The AccountID of a Xero bank account to feed."),
                    "source_account_number": Put(
                        "accountNumber", note="Matched to a Xero bank account; a card's last 4 digits."
                    ),
                    "target_account_name": Put("accountName", note="Names the Xero bank account made (30 characters)."),
                    "currency": Put("currency", required=True),
                    "account_type": Put("accountType", convert=_xero_type, required=True),
                },
                checks=(
                    Check("/model/source_account_number", "Missing Field", _number_or_account),
                    Check("/model/source_account_number", "Invalid Field", _card_digits),
                    Check(
                        "/model",
                        "Invalid Field",
                        _lengths({"source_account_id": 50, "source_account_number": 40, "target_account_name": 30}),
                    ),
                ),
                protocol=BANK_FEEDS,
            )
        ],
        note="Sent to Xero's Bank Feeds API as a feed connection. " + _PARTNERS_ONLY + ".",
    ),
    WriteSpec(
        model="BankFeedTransaction",
        targets=[
            Target(
                entity="Statements",
                read=STATEMENT,
                fields={
                    "bank_feed_account": PutRef("feedConnectionId", "BankFeedAccount", required=True),
                    "posted_date": Put("line.postedDate", convert=_xero_date),
                    "transaction_date": Put(
                        "line.transactionDate", convert=_xero_date, note="Used when posted_date is not given."
                    ),
                    "amount": Put("line.amount", required=True),
                    "credit_or_debit": Put("line.creditDebitIndicator", note="By the amount's sign when not given."),
                    "description": Put("line.description"),
                    "payee": Put("line.payeeName"),
                    "transaction_type": Put("line.transactionType"),
                    "source_transaction_id": Put(
                        "line.transactionId", required=True, note="Xero detects duplicates by it."
                    ),
                },
                checks=(
                    Check("/model/posted_date", "Missing Field", _has_day),
                    Check(
                        "/model",
                        "Invalid Field",
                        _lengths({"description": 2000, "payee": 255, "transaction_type": 30}),
                    ),
                ),
                finish=_statement,
                protocol=BANK_FEEDS,
            )
        ],
        note="Sent to Xero's Bank Feeds API as a statement of one line. " + _PARTNERS_ONLY + ".",
    ),
)
