"""How QBO takes writes: ``POST /v3/company/{realm}/{entity}?requestid=…``, sparse updates with a fresh SyncToken.

* **Create**: the body is the entity's JSON; the answer is ``{"<Entity>": {...}, "time": ...}``.
* **Update**: QBO needs the current ``SyncToken``; a sparse update (``"sparse": true``) changes only the elements
  sent (a ``Line`` array replaces every line). The token is read just before sending; a stale one (fault 5010:
  someone changed the object in between) is read again and the update retried, at most three times, so a field
  the request did not name is never overwritten with an old value.
* **requestid**: QBO's idempotency key, up to 50 characters. The engine's key is derived from the operation;
  each update attempt adds its number, because QBO answers a repeated ``requestid`` with the first answer, which
  for a lost race is the 5010 itself.
* **Batch create** (bulk writes): ``POST /batch?requestid=…`` with up to 30 ``BatchItemRequest`` entries
  (``{"bId", "operation": "create", "<Entity>": {...}}``); each ``BatchItemResponse`` carries its ``bId`` and
  either the object or its own ``Fault``, so one refused item does not sink the others. The ``requestid`` is the
  chunk's key: a chunk sent again (a worker died before storing the answer) gets the first answer back.
"""

from __future__ import annotations

from typing import Any

import msgspec

from ledgerport.connectors._base import Conflict, Malformed, Problem, Rejected, Request
from ledgerport.connectors._base.client import ProviderClient
from ledgerport.connectors._base.writes import Target, WriteProtocol
from ledgerport.connectors.quickbooks.applications import APPLIED_BY
from ledgerport.connectors.quickbooks.attachments import ENTITY as ATTACHABLE
from ledgerport.connectors.quickbooks.attachments import upload
from ledgerport.connectors.quickbooks.client import MINOR_VERSION, Entity, company_url, problems, query_request
from ledgerport.connectors.quickbooks.ids import entity_of, qbo_id

__all__ = ["BATCH_LIMIT", "UPDATE_ATTEMPTS", "WRITER", "query", "read"]

BATCH_LIMIT = 30
"""QBO's most ``BatchItemRequest`` entries per ``/batch`` call."""

UPDATE_ATTEMPTS = 3
_encoder = msgspec.json.Encoder(decimal_format="number")


def _url(client: ProviderClient, entity: str, *tail: str) -> str:
    path = "/".join((entity.lower(), *tail))
    return company_url(client.context.base_url, client.context.account, path)


def _record(entity: str, body: Any) -> Any:
    found = body.get(entity) if isinstance(body, dict) else None
    if not isinstance(found, dict):
        raise Malformed(f"QuickBooks answered without the {entity}")
    return found


async def read(client: ProviderClient, entity: str, qbo_object_id: str) -> Any:
    """``GET /{entity}/{Id}``: one object as it stands (what tables' ``complete`` steps read)."""
    request = Request(method="GET", url=_url(client, entity, qbo_object_id), params=(("minorversion", MINOR_VERSION),))
    return _record(entity, (await client.send(request)).json())


async def query(client: ProviderClient, entity: Entity, text: str) -> list[Any]:
    """The rows a query answers (at most one page: callers ask for a handful)."""
    request = query_request(client.context.base_url, client.context.account, text)
    found = ((await client.send(request)).json() or {}).get("QueryResponse", {}).get(entity.value, [])
    return [row for row in found if isinstance(row, dict)]


async def _post(client: ProviderClient, target: Target, payload: dict[str, Any], request_id: str) -> Any:
    request = Request(
        method="POST",
        url=_url(client, target.entity),
        params=(("requestid", request_id[:50]), ("minorversion", MINOR_VERSION)),
        headers={"Content-Type": "application/json"},
        body=_encoder.encode(payload),
    )
    return _record(target.entity, (await client.send(request)).json())


async def create(client: ProviderClient, target: Target, payload: dict[str, Any], key: str) -> Any:
    """Create one object (a file goes through QBO's ``/upload`` instead)."""
    if target.entity == ATTACHABLE:
        return await upload(client, payload, key)
    return await _post(client, target, payload, key)


async def fetch(client: ProviderClient, target: Target, remote_id: str) -> Any:
    """The object as it stands."""
    return await read(client, target.entity, qbo_id(remote_id))


async def update(client: ProviderClient, target: Target, remote_id: str, payload: dict[str, Any], key: str) -> Any:
    """A sparse update on a freshly read SyncToken; a lost race is read again and retried."""
    for attempt in range(UPDATE_ATTEMPTS):
        current = await fetch(client, target, remote_id)
        body = {**payload, "Id": current["Id"], "SyncToken": current.get("SyncToken", "0"), "sparse": True}
        try:
            return await _post(client, target, body, f"{key[:46]}-u{attempt}")
        except Conflict:
            continue
    raise Conflict(f"the {target.entity} kept changing at QuickBooks; {UPDATE_ATTEMPTS} attempts lost the race")


_BANK_ACCOUNTS = "SELECT * FROM Account WHERE AccountType = 'Bank'"  # noqa: S608 - a constant query


async def apply(client: ProviderClient, target: Target, remote_id: str, payload: dict[str, Any], key: str) -> Any:
    """The zero payment (bill payment) that applies the credit ``remote_id`` to the document the payload links
    (see ``applications``); the credit as it then stands."""
    payment, party, _ = APPLIED_BY[target.entity]
    credit = await read(client, target.entity, qbo_id(remote_id))
    lines = list(payload.get("Line") or [])
    amount = lines[0]["Amount"] if lines else None
    lines.append({"Amount": amount, "LinkedTxn": [{"TxnId": str(credit["Id"]), "TxnType": target.entity}]})
    body: dict[str, Any] = {**payload, party: credit.get(party), "Line": lines}
    if credit.get("CurrencyRef"):
        body["CurrencyRef"] = credit["CurrencyRef"]
    if payment == "BillPayment":
        banks = await query(client, Entity.ACCOUNT, _BANK_ACCOUNTS)
        if not banks:
            raise Rejected(
                "QuickBooks applies a vendor credit with a bill payment, which needs a bank account",
                problems=[Problem(title="No Bank Account", detail="The company has no bank account to name.")],
            )
        body |= {"PayType": "Check", "CheckPayment": {"BankAccountRef": {"value": str(banks[0]["Id"])}}}
    await _post(client, msgspec.structs.replace(target, entity=payment), body, key)
    return await read(client, target.entity, qbo_id(remote_id))


async def create_many(client: ProviderClient, target: Target, payloads: list[dict[str, Any]], key: str) -> list[Any]:
    """One ``/batch`` call creating every payload; each answer is the object or the problems of its own Fault."""
    items = [{"bId": str(index), "operation": "create", target.entity: body} for index, body in enumerate(payloads)]
    request = Request(
        method="POST",
        url=company_url(client.context.base_url, client.context.account, "batch"),
        params=(("requestid", key[:50]), ("minorversion", MINOR_VERSION)),
        headers={"Content-Type": "application/json"},
        body=_encoder.encode({"BatchItemRequest": items}),
    )
    body = (await client.send(request)).json()
    answers = body.get("BatchItemResponse") if isinstance(body, dict) else None
    by_bid = {str(item.get("bId")): item for item in answers or [] if isinstance(item, dict)}
    if len(by_bid) != len(payloads):
        raise Malformed(f"QuickBooks answered {len(by_bid)} batch items for {len(payloads)}")
    found: list[Any] = []
    for index in range(len(payloads)):
        item = by_bid.get(str(index))
        if item is None:
            raise Malformed(f"QuickBooks answered no batch item {index}")
        record = item.get(target.entity)
        found.append(record if isinstance(record, dict) else problems(item) or _unanswered(target))
    return found


def _unanswered(target: Target) -> list[Problem]:
    return [Problem(title="QuickBooks error", detail=f"QuickBooks answered the batch item without the {target.entity}")]


def owns(target: Target, remote_id: str) -> bool:
    """Whether a stored record is an object of this target (``Bill-17`` is a Bill, ``17`` an Invoice)."""
    return entity_of(remote_id, target.read.stream.name) == target.entity


async def currencies(client: ProviderClient) -> frozenset[str] | None:
    """A company without multicurrency keeps every document in its home currency; with it, QBO takes the
    currencies the company added, which only QBO's answer to the write can tell (``None``)."""
    url = company_url(client.context.base_url, client.context.account, "preferences")
    body = (await client.send(Request(method="GET", url=url, params=(("minorversion", MINOR_VERSION),)))).json()
    prefs = (body.get("Preferences") or {}).get("CurrencyPrefs") or {}
    home = (prefs.get("HomeCurrency") or {}).get("value")
    if prefs.get("MultiCurrencyEnabled") or not home:
        return None
    return frozenset({str(home)})


WRITER = WriteProtocol(
    create=create,
    update=update,
    fetch=fetch,
    owns=owns,
    currencies=currencies,
    create_many=create_many,
    batch_size=BATCH_LIMIT,
    apply=apply,
)
