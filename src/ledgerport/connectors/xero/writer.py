"""How Xero takes writes: ``PUT /api.xro/2.0/{Collection}`` creates, ``POST /{Collection}/{id}`` updates.

* **Create**: the body is ``{"Invoices": [{...}]}`` (``PUT /Accounts`` alone takes the bare object); the answer is
  the same envelope holding the object as Xero now keeps it (numbers, totals, status, ``UpdatedDateUTC``).
* **Update**: Xero merges the fields sent into the object, so the body carries only the fields the request named
  (a ``LineItems`` array replaces every line). Xero has no concurrency token (no ETag, version or SyncToken): an
  update is last-write-wins, and Xero's own document rules refuse what may no longer change (a paid or voided
  invoice, a date in a locked period) with a ValidationException that reaches the caller.
* **Idempotency-Key**: Xero's own header (at most 128 characters) on every PUT and POST. The engine's key is derived
  from the operation, so a retried request presents Xero the same key and gets the object made the first time.
* **What Xero takes by another name**: a line names its item by ``ItemCode`` and a tracking option together with its
  category. The tables write the ids the engine resolved (``Item.ItemID``, ``TrackingOptionID``); just before
  sending, the item's code is read (``GET /Items/{id}``, once per item) and each option's category is found in one
  ``GET /TrackingCategories``. A tracking id that names a category rather than one of its options is refused here,
  before anything is written.
* **Batch create** (bulk writes): ``PUT /{Collection}?summarizeErrors=false`` with up to 50 elements. With
  ``summarizeErrors=false`` Xero answers 200 with every element in order, each with ``StatusAttributeString`` OK or
  ERROR and its own ``ValidationErrors``, instead of refusing the whole call for one bad element. The chunk's key is
  the ``Idempotency-Key``, so a chunk sent again gets the first answer back.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import msgspec

from ledgerport.connectors._base import Malformed, NotFound, Problem, Rejected, Request
from ledgerport.connectors._base.client import ProviderClient
from ledgerport.connectors._base.streams import StreamContext
from ledgerport.connectors._base.writes import Target, WriteProtocol
from ledgerport.connectors.xero.attachments import ENTITY as ATTACHMENTS
from ledgerport.connectors.xero.attachments import upload
from ledgerport.connectors.xero.client import validation_problems
from ledgerport.connectors.xero.streams import API_PATH

__all__ = ["BATCH_LIMIT", "IDEMPOTENCY_KEY_LIMIT", "WRITER"]

BATCH_LIMIT = 50
"""Elements per batch call: Xero asks integrations to send at most 50 per request."""

IDEMPOTENCY_KEY_LIMIT = 128
_LINES = ("LineItems", "JournalLines")
_BARE_CREATE = frozenset({"Accounts"})
"""Collections whose create takes the object itself, not the ``{"Collection": [...]}`` envelope (XOAS)."""
_encoder = msgspec.json.Encoder(decimal_format="number")


def _url(context: StreamContext, *parts: str) -> str:
    return "/".join((f"{context.base_url.rstrip('/')}{API_PATH}", *parts))


def _record(target: Target, body: Any) -> Any:
    """The first element of Xero's envelope; an element that carries validation errors is a refusal."""
    found = body.get(target.entity) if isinstance(body, dict) else None
    if not isinstance(found, list) or not found or not isinstance(found[0], dict):
        raise Malformed(f"Xero answered without the {target.entity}")
    element = found[0]
    if element.get("ValidationErrors"):
        problems = validation_problems({"Elements": [element]})
        raise Rejected(f"Xero refused the {target.entity}", problems=problems)
    return element


async def _get(client: ProviderClient, *parts: str, params: tuple[tuple[str, str], ...] = ()) -> Any:
    return (await client.send(Request(method="GET", url=_url(client.context, *parts), params=params))).json()


def _lines(payload: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for key in _LINES:
        yield from (line for line in payload.get(key) or [] if isinstance(line, dict))


def _refused(detail: str) -> Rejected:
    return Rejected(detail, problems=[Problem(title="Invalid Reference", detail=detail)])


class _Lookups:
    """What Xero was asked about items and tracking while readying bodies, kept for the other bodies of a batch
    (a hundred invoices of one item cost one ``GET /Items``, not a hundred)."""

    def __init__(self) -> None:
        self.codes: dict[str, str] = {}
        self.categories: list[Any] | None = None


async def _item_codes(client: ProviderClient, lines: list[dict[str, Any]], lookups: _Lookups) -> None:
    """``Item.ItemID`` → ``ItemCode``, the only way Xero's documented line items name an item."""
    codes = lookups.codes
    for line in lines:
        item = line.pop("Item", None)
        if not isinstance(item, dict) or not item.get("ItemID"):
            continue
        item_id = str(item["ItemID"])
        if item_id not in codes:
            try:
                found = (await _get(client, "Items", item_id)).get("Items") or []
            except NotFound:
                found = []
            if not found or not found[0].get("Code"):
                raise _refused(f"The item {item_id} no longer exists at Xero.")
            codes[item_id] = str(found[0]["Code"])
        line["ItemCode"] = codes[item_id]


async def _tracking_categories(client: ProviderClient, lines: list[dict[str, Any]], lookups: _Lookups) -> None:
    """Each ``{TrackingOptionID}`` gets its category's ``TrackingCategoryID`` (Xero wants both)."""
    tags = [tag for line in lines for tag in line.get("Tracking") or [] if not tag.get("TrackingCategoryID")]
    if not tags:
        return
    if lookups.categories is None:
        body = await _get(client, "TrackingCategories", params=(("includeArchived", "true"),))
        lookups.categories = list(body.get("TrackingCategories") or [])
    categories = lookups.categories
    owner = {
        str(option["TrackingOptionID"]).lower(): str(category["TrackingCategoryID"])
        for category in categories
        for option in category.get("Options") or []
    }
    names = {str(category["TrackingCategoryID"]).lower(): str(category.get("Name") or "") for category in categories}
    for tag in tags:
        option = str(tag["TrackingOptionID"]).lower()
        if option in owner:
            tag["TrackingCategoryID"] = owner[option]
        elif option in names:
            raise _refused(
                f"The tracking category {names[option]!r} is a category: Xero tags a line with one of its options."
            )
        else:
            raise _refused(f"The tracking option {tag['TrackingOptionID']} no longer exists at Xero.")


async def _ready(client: ProviderClient, payload: dict[str, Any], lookups: _Lookups | None = None) -> dict[str, Any]:
    """The body as Xero takes it: item codes and tracking categories filled in from Xero itself."""
    if not any(key in payload for key in _LINES):
        return payload
    body = copy.deepcopy(payload)
    lines = list(_lines(body))
    lookups = lookups or _Lookups()
    await _item_codes(client, lines, lookups)
    await _tracking_categories(client, lines, lookups)
    return body


def _write_request(method: str, url: str, body: Any, key: str) -> Request:
    return Request(
        method=method,
        url=url,
        headers={"Content-Type": "application/json", "Idempotency-Key": key[:IDEMPOTENCY_KEY_LIMIT]},
        body=_encoder.encode(body),
    )


async def create(client: ProviderClient, target: Target, payload: dict[str, Any], key: str) -> Any:
    """``PUT /{Collection}``: create one object (a file goes as its bytes under its parent instead)."""
    if target.entity == ATTACHMENTS:
        return await upload(client, payload, key)
    ready = await _ready(client, payload)
    body = ready if target.entity in _BARE_CREATE else {target.entity: [ready]}
    request = _write_request("PUT", _url(client.context, target.entity), body, key)
    return _record(target, (await client.send(request)).json())


async def update(client: ProviderClient, target: Target, remote_id: str, payload: dict[str, Any], key: str) -> Any:
    """``POST /{Collection}/{id}`` with only the fields the request named; Xero merges them."""
    ready = await _ready(client, payload)
    request = _write_request("POST", _url(client.context, target.entity, remote_id), {target.entity: [ready]}, key)
    return _record(target, (await client.send(request)).json())


async def create_many(client: ProviderClient, target: Target, payloads: list[dict[str, Any]], key: str) -> list[Any]:
    """One ``PUT /{Collection}?summarizeErrors=false`` for every payload Xero can be sent; a payload whose item or
    tracking option is gone is answered with that problem and left out of the call."""
    answers: list[Any] = [None] * len(payloads)
    sent: list[tuple[int, dict[str, Any]]] = []
    lookups = _Lookups()
    for index, payload in enumerate(payloads):
        try:
            sent.append((index, await _ready(client, payload, lookups)))
        except Rejected as refused:
            answers[index] = list(refused.problems)
    if sent:
        request = _write_request("PUT", _url(client.context, target.entity), {target.entity: [b for _, b in sent]}, key)
        request = msgspec.structs.replace(request, params=(("summarizeErrors", "false"),))
        body = (await client.send(request)).json()
        elements = body.get(target.entity) if isinstance(body, dict) else None
        if not isinstance(elements, list) or len(elements) != len(sent):
            raise Malformed(f"Xero answered {len(elements or [])} {target.entity} for {len(sent)}")
        for (index, _), element in zip(sent, elements, strict=True):
            errors = element.get("ValidationErrors") if isinstance(element, dict) else None
            answers[index] = validation_problems({"Elements": [element]}) if errors else element
    return answers


async def fetch(client: ProviderClient, target: Target, remote_id: str) -> Any:
    """``GET /{Collection}/{id}``: the object as it stands, lines included."""
    return _record(target, await _get(client, target.entity, remote_id))


async def apply(client: ProviderClient, target: Target, remote_id: str, payload: dict[str, Any], key: str) -> Any:
    """``PUT /CreditNotes/{id}/Allocations``: allocate part of the credit note; the credit note as it then stands
    (``GET /CreditNotes/{id}``: its remaining credit and allocations moved)."""
    url = _url(client.context, target.entity, remote_id, "Allocations")
    body = (await client.send(_write_request("PUT", url, {"Allocations": [payload]}, key))).json()
    _record(msgspec.structs.replace(target, entity="Allocations"), body)  # an element with errors is a refusal
    return await fetch(client, target, remote_id)


def remote_path(context: StreamContext, target: Target, remote_id: str) -> str:
    """The collection's URL, as a sync names the page a record came from."""
    return _url(context, target.entity)


WRITER = WriteProtocol(
    create=create,
    update=update,
    fetch=fetch,
    remote_path=remote_path,
    create_many=create_many,
    batch_size=BATCH_LIMIT,
    apply=apply,
)
