"""How Business Central takes writes: OData ``POST``/``PATCH`` on the company's entity sets, bound actions, ``$batch``.

* **Create**: ``POST …/companies({c})/{entitySet}`` → ``201`` + the entity. A document's lines go in the same body
  (deep insert, FACTS.md §2); a journal's lines are posted one by one under ``journals({id})/journalLines`` (BC has
  no deep insert for journal batches). ``status`` asks for a posted document: the draft is made, then
  ``…/{entitySet}({id})/Microsoft.NAV.post`` (``204``) posts it; ``posting_status`` POSTED does the same for a journal.
* **Read back**: every written record is read again with the request the sync makes for its stream (the stream's
  own builder, ``$expand`` of the lines included, narrowed by ``$filter=id eq …``), so it is stored exactly as a
  sync stores it.
* **Exactly once without an idempotency header.** BC has none (§2). Each create carries a key derived from the
  operation in a field BC keeps, and looks the record up by it before sending (a create retried after a lost answer
  finds what the first attempt made); the ``POST`` is never resent by the client's retry loop. When its outcome is
  lost (a 5xx, a timeout, a cut connection) the record is looked up again; if it is not there the failure stays
  *unknown* for the engine, which releases the operation, and the next attempt (same key) looks first again. What
  each entity set keeps the key in (:data:`ENTITIES`):

  ========================================  ====================================================================
  ``salesInvoices``, ``salesCreditMemos``  ``externalDocumentNumber`` (Code[35]): ``LP-`` + 32 hex digits
  ``purchaseInvoices``                     ``vendorInvoiceNumber`` (Code[35]), the same value
  ``customerPayments``, ``vendorPayments`` ``externalDocumentNumber`` of the journal line
  ``journals``                             the batch ``code`` (Code[10]): ``LP`` + 8 hex digits; each line has a
                                           fixed ``lineNumber`` (10000 × its place), so a retry adds only the
                                           lines the first attempt did not
  ``customers``, ``vendors``, ``items``,   the ``id`` (SystemId) itself, a GUID derived from the key: v2.0 lets a
  ``purchaseOrders``                       POST supply it (FACTS.md §1, VERIFY per entity); the look-up is a GET
                                           by key. ``purchaseOrders`` has no external document number in v2.0
  ========================================  ====================================================================

  Posting is looked up the same way: a document found already posted is not posted again.
* **Update**: ``PATCH`` with only the named fields and ``If-Match`` carrying the ``@odata.etag`` read just before.
  A stale etag (``412``; ``409`` in one source, both are :class:`Conflict`) is read again: when none of the fields
  this request changes were changed by someone else meanwhile, the PATCH is sent again on the fresh etag (at most
  :data:`UPDATE_ATTEMPTS` times); when one was, the update stops with a conflict naming those fields, so nobody's
  change is overwritten unseen. Lines cannot be patched deep (§2), so the tables leave them out of a PATCH.
* **Bulk** (invoices, credit notes, contacts, items): one ``POST …/api/v2.0/$batch`` of at most 100 operations
  (:data:`BATCH_LIMIT`), each standing alone (no ``Isolation: snapshot``), each answered with its own status; the
  drafts to post go in a second ``$batch`` of bound actions. Every item's key is derived from the chunk's key and
  its fixed place, and the chunk's records are looked up by those keys before anything is sent, so a chunk sent
  again makes only what the first sending did not.
"""

from __future__ import annotations

import copy
import hashlib
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from ledgerport.connectors._base.client import ProviderClient
from ledgerport.connectors._base.errors import (
    AuthExpired,
    AuthRevoked,
    Conflict,
    ConnectorError,
    DailyLimitReached,
    Malformed,
    NotFound,
    Problem,
    RateLimited,
    Rejected,
)
from ledgerport.connectors._base.http import Request
from ledgerport.connectors._base.streams import StreamContext
from ledgerport.connectors._base.writes import Target, WriteProtocol
from ledgerport.connectors.business_central.client import (
    COMPANY_ID,
    ENVIRONMENT,
    TENANT_ID,
    api_root,
    company_root,
    problems,
)
from ledgerport.connectors.business_central.convert import enum_text
from ledgerport.connectors.business_central.streams import PAGE_SIZE, ODataList

__all__ = [
    "BATCH_LIMIT",
    "ENTITIES",
    "Entity",
    "POST",
    "UPDATE_ATTEMPTS",
    "WRITER",
    "batch_key",
    "marker",
]

BATCH_LIMIT = 100
"""BC's most operations per ``$batch`` (FACTS.md §2, §5)."""
UPDATE_ATTEMPTS = 3
POST = "__post"
"""A payload key the tables set when the request asks for a posted document or journal; never sent."""
_LOOKUP_GROUP = 20
"""Keys per look-up filter (``or`` on one field, which BC allows): keeps a chunk's URLs short."""
_POSTED = frozenset({"Open", "Paid", "Canceled", "Corrective"})
_encoder = msgspec.json.Encoder(decimal_format="number")


class Entity(msgspec.Struct, frozen=True, kw_only=True):
    """What the writer must know of one entity set."""

    name: str
    marker: str
    """The field holding the write's key (``externalDocumentNumber``, ``vendorInvoiceNumber``, ``code``, ``id``)."""
    lines: str = ""
    """The lines' navigation property: deep-inserted with the header, expanded on every read."""
    journals: str = ""
    """For payment lines: the set of journals they are lines of (``customerPaymentJournals``)."""
    postable: bool = False


ENTITIES: Mapping[str, Entity] = {
    e.name: e
    for e in (
        Entity(name="salesInvoices", marker="externalDocumentNumber", lines="salesInvoiceLines", postable=True),
        Entity(name="purchaseInvoices", marker="vendorInvoiceNumber", lines="purchaseInvoiceLines", postable=True),
        Entity(name="salesCreditMemos", marker="externalDocumentNumber", lines="salesCreditMemoLines", postable=True),
        Entity(name="purchaseOrders", marker="id", lines="purchaseOrderLines"),
        Entity(name="customers", marker="id"),
        Entity(name="vendors", marker="id"),
        Entity(name="items", marker="id"),
        Entity(name="journals", marker="code", lines="journalLines", postable=True),
        Entity(name="customerPayments", marker="externalDocumentNumber", journals="customerPaymentJournals"),
        Entity(name="vendorPayments", marker="externalDocumentNumber", journals="vendorPaymentJournals"),
    )
}


def marker(entity: Entity, key: str) -> str:
    """The value a write of ``key`` leaves in the entity's marker field (upper case: BC's Code fields are)."""
    digest = hashlib.sha256(key.encode()).hexdigest() if len(key) != 32 else key  # noqa: PLR2004 - a uuid's hex
    if entity.marker == "id":
        return str(uuid.UUID(hex=digest[:32]))
    if entity.marker == "code":
        return f"LP{digest[:8]}".upper()
    return f"LP-{digest[:32]}".upper()


def batch_key(key: str, index: int) -> str:
    """The key of the ``index``-th item of a chunk: derived from the chunk's key and the item's fixed place."""
    return hashlib.sha256(f"{key}/{index}".encode()).hexdigest()[:32]


# --- requests ---------------------------------------------------------------------------------------------------


def _url(context: StreamContext, *parts: str) -> str:
    return "/".join((company_root(context), *parts))


def _json_request(method: str, url: str, body: Any = None, headers: Mapping[str, str] | None = None) -> Request:
    return Request(
        method=method,
        url=url,
        headers={"Content-Type": "application/json", "Accept": "application/json", **(headers or {})},
        body=b"" if body is None else _encoder.encode(body),
    )


def _once(client: ProviderClient) -> ProviderClient:
    """The same account's client, whose failures are never resent (a ``POST`` without idempotency)."""
    single = copy.copy(client)
    single.retry = msgspec.structs.replace(client.retry, attempts=1)
    return single


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _sync_list(context: StreamContext, entity_set: str, expand: str, where: str) -> Request:
    """The sync's own request for ``entity_set`` (same builder, same ``$expand`` and headers), narrowed by ``where``."""
    request = ODataList(entity_set=entity_set, expand=expand, incremental=False)(context, None, 0, PAGE_SIZE)
    return msgspec.structs.replace(request, params=(("$filter", where), *request.params))


async def _rows(client: ProviderClient, request: Request) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    while True:
        body = (await client.send(request)).json()
        rows += [row for row in (body.get("value") or []) if isinstance(row, dict)]
        link = body.get("@odata.nextLink")
        if not link:
            return rows
        request = Request(method="GET", url=str(link), headers=request.headers)


async def _read(client: ProviderClient, entity: Entity, where: str) -> list[dict[str, Any]]:
    """Records of a header set (documents, master data, journals) as the sync reads them."""
    return await _rows(client, _sync_list(client.context, entity.name, entity.lines, where))


async def _payment(client: ProviderClient, entity: Entity, journal_id: str, line_id: str) -> dict[str, Any] | None:
    """A payment line as the sync reads it: an element of its journal, read with the lines expanded."""
    journals = await _rows(client, _sync_list(client.context, entity.journals, entity.name, f"id eq {journal_id}"))
    lines = journals[0].get(entity.name) or [] if journals else []
    return next((line for line in lines if str(line.get("id")) == line_id), None)


# --- looking a write up by its key -----------------------------------------------------------------------------


async def _payment_journal(client: ProviderClient, entity: Entity) -> str:
    """The payment journal new payments go in: the first by code (BC has at least the default one)."""
    request = _json_request("GET", _url(client.context, entity.journals))
    request = msgspec.structs.replace(request, params=(("$select", "id,code"), ("$orderby", "code asc")))
    found = [row for row in ((await client.send(request)).json().get("value") or []) if row.get("id")]
    if not found:
        detail = f"The Business Central company has no {entity.journals} to record the payment in."
        raise Rejected(detail, problems=[Problem(title="No Payment Journal", detail=detail)])
    return str(found[0]["id"])


async def _lookup(client: ProviderClient, entity: Entity, key: str) -> dict[str, Any] | None:
    """What an earlier attempt of this write made, as the sync reads it, if anything."""
    value = marker(entity, key)
    if entity.journals:
        # BC refuses a payment listing without its journal (FACTS.md §1): the journals are read as the sync reads
        # them, lines expanded, and the line holding the key is picked out.
        request = ODataList(entity_set=entity.journals, expand=entity.name, incremental=False)(
            client.context, None, 0, PAGE_SIZE
        )
        for journal in await _rows(client, request):
            for line in journal.get(entity.name) or []:
                if str(line.get("externalDocumentNumber") or "").upper() == value:
                    return dict(line)
        return None
    where = f"id eq {value}" if entity.marker == "id" else f"{entity.marker} eq {_quote(value)}"
    found = await _read(client, entity, where)
    return found[0] if found else None


def _unknown(exc: ConnectorError) -> bool:
    """Whether a failed send may still have been carried out by BC (an outage, a timeout, a cut connection)."""
    return not isinstance(exc, Rejected | NotFound | AuthExpired | AuthRevoked | RateLimited | DailyLimitReached)


async def _send_once(client: ProviderClient, request: Request, look: Any) -> dict[str, Any] | None:
    """Send a create once; on a lost outcome, ``look()`` for what it may have made (``None``: nothing, unknown)."""
    try:
        body = (await _once(client).send(request)).json()
    except ConnectorError as exc:
        if not _unknown(exc):
            raise
        made = await look()
        if made is None:
            raise
        return made
    return body if isinstance(body, dict) else None


def _is_posted(entity: Entity, record: Mapping[str, Any]) -> bool:
    if entity.name == "journals":
        return not record.get("journalLines")
    return enum_text(record.get("status")) in _POSTED


async def _post(client: ProviderClient, entity: Entity, record_id: str) -> None:
    """``Microsoft.NAV.post`` (204); an action is no create, so a lost outcome is left unknown for a retry."""
    url = _url(client.context, f"{entity.name}({record_id})", "Microsoft.NAV.post")
    await _once(client).send(_json_request("POST", url))


# --- the protocol ----------------------------------------------------------------------------------------------


def _entity(target: Target) -> Entity:
    return ENTITIES[target.entity]


async def _create_journal(client: ProviderClient, entity: Entity, body: dict[str, Any], key: str) -> dict[str, Any]:
    """A journal batch named by the key, then each line at its fixed line number (those not there yet)."""
    lines = list(body.pop(entity.lines, None) or [])
    code = marker(entity, key)
    journal = await _lookup(client, entity, key)
    if journal is None:
        request = _json_request("POST", _url(client.context, entity.name), {**body, "code": code})
        journal = await _send_once(client, request, lambda: _lookup(client, entity, key))
        if journal is None:
            raise Malformed("Business Central answered the journal's create without it")
    journal_id = str(journal["id"])
    have = {
        int(line.get("lineNumber") or 0)
        for line in (await _read(client, entity, f"id eq {journal_id}"))[0].get(entity.lines) or []
    }
    url = _url(client.context, f"{entity.name}({journal_id})", entity.lines)
    for place, line in enumerate(lines, start=1):
        number = place * 10_000
        if number in have:
            continue

        async def look(number: int = number) -> dict[str, Any] | None:
            rows = (await _read(client, entity, f"id eq {journal_id}"))[0].get(entity.lines) or []
            return next((row for row in rows if int(row.get("lineNumber") or 0) == number), None)

        # One entry's lines share a document number (BC balances a posting per document number and date).
        body_line = {"documentNumber": code, **line, "lineNumber": number}
        await _send_once(client, _json_request("POST", url, body_line), look)
    return journal


async def create(client: ProviderClient, target: Target, payload: dict[str, Any], key: str) -> Any:
    """One record, made at most once (see the module docstring), posted when asked, read back as the sync reads it."""
    entity = _entity(target)
    body = copy.deepcopy(payload)
    post = bool(body.pop(POST, False))
    if entity.name == "journals":
        made = await _create_journal(client, entity, body, key)
    elif entity.journals:
        made = await _lookup(client, entity, key)
        if made is None:
            journal_id = await _payment_journal(client, entity)
            url = _url(client.context, f"{entity.journals}({journal_id})", entity.name)
            request = _json_request("POST", url, {**body, "externalDocumentNumber": marker(entity, key)})
            made = await _send_once(client, request, lambda: _lookup(client, entity, key))
        if made is None:
            raise Malformed(f"Business Central answered the {entity.name} create without it")
        return await _payment(client, entity, str(made.get("journalId")), str(made["id"])) or made
    else:
        made = await _lookup(client, entity, key)
        if made is None:
            request = _json_request(
                "POST", _url(client.context, entity.name), {**body, entity.marker: marker(entity, key)}
            )
            made = await _send_once(client, request, lambda: _lookup(client, entity, key))
        if made is None:
            raise Malformed(f"Business Central answered the {entity.name} create without it")
    record_id = str(made["id"])
    if post and entity.postable:
        current = await fetch(client, target, record_id)
        if not _is_posted(entity, current):
            await _post(client, entity, record_id)
    return await fetch(client, target, record_id)


def _changed_meanwhile(payload: Mapping[str, Any], before: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    return sorted(name for name in payload if before.get(name) != now.get(name))


async def _raw(client: ProviderClient, entity: Entity, record_id: str) -> dict[str, Any]:
    """The entity as it stands, with its ``@odata.etag``."""
    body = (await client.send(_json_request("GET", _url(client.context, f"{entity.name}({record_id})")))).json()
    if not isinstance(body, dict) or not body.get("@odata.etag"):
        raise Malformed(f"Business Central answered the {entity.name} without an etag")
    return body


async def update(client: ProviderClient, target: Target, remote_id: str, payload: dict[str, Any], key: str) -> Any:
    """``PATCH`` with ``If-Match`` on a freshly read etag; a lost race is retried only where it changes nothing of
    someone else's (see the module docstring)."""
    entity = _entity(target)
    body = copy.deepcopy(payload)
    post = bool(body.pop(POST, False))
    body.pop(entity.lines, None)  # no deep PATCH in BC; the tables keep lines out of updates
    record_id = remote_id
    if entity.journals:
        raise Rejected(
            "Business Central payments are journal lines; ledgerport creates them only",
            problems=[Problem(title="Unsupported Operation", detail="A payment cannot be changed once written.")],
        )
    if body:
        base = await _raw(client, entity, record_id)
        current = base
        for _ in range(UPDATE_ATTEMPTS):
            url = _url(client.context, f"{entity.name}({record_id})")
            try:
                await client.send(_json_request("PATCH", url, body, {"If-Match": str(current["@odata.etag"])}))
                break
            except Conflict:
                current = await _raw(client, entity, record_id)
                clashes = _changed_meanwhile(body, base, current)
                if clashes:
                    raise Conflict(
                        f"someone else changed {', '.join(clashes)} of this Business Central {entity.name[:-1]} "
                        "since it was read; read it again and decide what it should be"
                    ) from None
        else:
            raise Conflict(f"the Business Central {entity.name[:-1]} kept changing; {UPDATE_ATTEMPTS} attempts lost")
    if post and entity.postable:
        current_record = await fetch(client, target, record_id)
        if not _is_posted(entity, current_record):
            await _post(client, entity, record_id)
    return await fetch(client, target, record_id)


async def fetch(client: ProviderClient, target: Target, remote_id: str) -> Any:
    """The record as the sync reads it."""
    entity = _entity(target)
    if entity.journals:
        line = (await client.send(_json_request("GET", _url(client.context, f"{entity.name}({remote_id})")))).json()
        found = await _payment(client, entity, str(line.get("journalId")), remote_id)
    else:
        rows = await _read(client, entity, f"id eq {remote_id}")
        found = rows[0] if rows else None
    if found is None:
        raise NotFound(f"Business Central has no {entity.name} {remote_id}")
    return found


# --- bulk: $batch -----------------------------------------------------------------------------------------------


def _batch_url(context: StreamContext) -> str:
    account = context.account
    return f"{api_root(context.base_url, account[TENANT_ID], account[ENVIRONMENT])}/$batch"


def _relative(context: StreamContext, *parts: str) -> str:
    """An operation's URL inside a ``$batch``: relative to the API root (``companies(c)/salesInvoices``)."""
    return "/".join((f"companies({context.account[COMPANY_ID]})", *parts))


async def _batch(client: ProviderClient, operations: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """One ``$batch`` (sent once: its creates have no idempotency); the responses by operation id."""
    request = _json_request("POST", _batch_url(client.context), {"requests": list(operations)})
    body = (await _once(client).send(request)).json()
    responses = body.get("responses") if isinstance(body, dict) else None
    if not isinstance(responses, list):
        raise Malformed("Business Central answered the $batch without responses")
    return {str(r.get("id")): r for r in responses if isinstance(r, dict)}


def _answer_problems(response: Mapping[str, Any] | None) -> list[Problem]:
    if response is None:
        return [Problem(title="Business Central error", detail="Business Central answered nothing for the operation")]
    return problems(response.get("body")) or [
        Problem(title="Business Central error", detail=f"Business Central answered {response.get('status')}")
    ]


async def _lookup_many(client: ProviderClient, entity: Entity, values: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The records already holding these marker values, as the sync reads them, by value."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(values), _LOOKUP_GROUP):
        group = values[start : start + _LOOKUP_GROUP]
        if entity.marker == "id":
            where = " or ".join(f"id eq {value}" for value in group)
        else:
            where = " or ".join(f"{entity.marker} eq {_quote(value)}" for value in group)
        for row in await _read(client, entity, where):
            value = str(row.get(entity.marker) or "").upper() if entity.marker != "id" else str(row.get("id"))
            found[value] = row
    return found


async def create_many(client: ProviderClient, target: Target, payloads: list[dict[str, Any]], key: str) -> list[Any]:
    """One ``$batch`` creating every payload not made yet, one posting the drafts to post; each answer is the
    record as the sync reads it, or the problems of its own operation."""
    entity = _entity(target)
    if entity.journals or entity.name == "journals":
        raise Rejected(f"Business Central bulk writes do not take {entity.name}")
    values = [marker(entity, batch_key(key, index)) for index in range(len(payloads))]
    found = await _lookup_many(client, entity, values)
    answers: list[Any] = [None] * len(payloads)
    operations: list[dict[str, Any]] = []
    for index, payload in enumerate(payloads):
        if values[index] in found:
            continue
        body = {k: v for k, v in payload.items() if k != POST}
        body[entity.marker] = values[index]
        operations.append(
            {
                "id": str(index),
                "method": "POST",
                "url": _relative(client.context, entity.name),
                "headers": {"Content-Type": "application/json"},
                "body": body,
            }
        )
    if operations:
        try:
            responses = await _batch(client, operations)
        except ConnectorError as exc:
            if not _unknown(exc):
                raise
            responses = {}
        for operation in operations:
            index = int(operation["id"])
            response = responses.get(operation["id"])
            if response is not None and int(response.get("status") or 0) >= 300:  # noqa: PLR2004
                answers[index] = _answer_problems(response)
        found = await _lookup_many(client, entity, values)
        lost = [int(o["id"]) for o in operations if answers[int(o["id"])] is None and values[int(o["id"])] not in found]
        if lost:
            # Neither answered nor found: the outcome is unknown; the chunk is sent again later, looking first.
            raise Malformed(f"Business Central's $batch left {len(lost)} of its creates unanswered")
    to_post = [
        index
        for index, payload in enumerate(payloads)
        if answers[index] is None
        and payload.get(POST)
        and entity.postable
        and not _is_posted(entity, found[values[index]])
    ]
    if to_post:
        actions = [
            {
                "id": str(index),
                "method": "POST",
                "url": _relative(client.context, f"{entity.name}({found[values[index]]['id']})", "Microsoft.NAV.post"),
                "headers": {"Content-Type": "application/json"},
            }
            for index in to_post
        ]
        responses = await _batch(client, actions)
        for index in to_post:
            response = responses.get(str(index))
            if response is None or int(response.get("status") or 0) >= 300:  # noqa: PLR2004
                answers[index] = _answer_problems(response)
        found = await _lookup_many(client, entity, values)
    for index in range(len(payloads)):
        if answers[index] is None:
            answers[index] = found[values[index]]
    return answers


def remote_path(context: StreamContext, target: Target, remote_id: str) -> str:
    """The URL the sync names a record's page by: its stream's list (a payment's: its journals')."""
    entity = _entity(target)
    return _url(context, entity.journals or entity.name)


WRITER = WriteProtocol(
    create=create,
    update=update,
    fetch=fetch,
    remote_path=remote_path,
    create_many=create_many,
    batch_size=BATCH_LIMIT,
)
