"""Tracking category and option writes, which Xero serves on their own paths rather than as a plain collection.

Xero's rules: at most two ACTIVE categories; names unique (any case) among categories that are not deleted and
among a category's options; a deleted category leaves every list but stays readable by id; a deleted option is
removed from its category; ARCHIVED options are only listed with ``includeArchived=true``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

import msgspec

from ledgerport.sandboxes.xero.catalog import Spec, spec_for
from ledgerport.sandboxes.xero.errors import not_found, post_data_invalid, validation_exception
from ledgerport.sandboxes.xero.http import Request, Response, Route, decode_json, json_response
from ledgerport.sandboxes.xero.routes import API_PREFIX, Api
from ledgerport.sandboxes.xero.store import Collection, Tenant
from ledgerport.sandboxes.xero.validate import Invalid

__all__ = ["MAX_ACTIVE_CATEGORIES", "MAX_NAME_LENGTH", "Tracking"]

Record = dict[str, Any]
MAX_ACTIVE_CATEGORIES = 2
MAX_NAME_LENGTH = 100
_SETTABLE = ("ACTIVE", "ARCHIVED")
_CATEGORIES = "TrackingCategories"


def _spec() -> Spec:
    spec = spec_for(_CATEGORIES)
    assert spec is not None
    return spec


def _elements(body: bytes, key: str) -> list[Record]:
    """``{"Name": ...}`` or ``{key: [{...}, ...]}`` as a list of objects."""
    try:
        decoded = decode_json(body) if body.strip() else None
    except msgspec.DecodeError as error:
        raise post_data_invalid(f"The request body could not be parsed: {error}") from error
    items = decoded.get(key, [decoded]) if isinstance(decoded, dict) else decoded
    if not isinstance(items, list) or not items or not all(isinstance(item, dict) for item in items):
        raise post_data_invalid(f'Expected {{"Name": ...}} or {{"{key}": [...]}} in the request body')
    return items


def _rejected(failures: list[tuple[Record, list[str]]]) -> Response:
    """Xero's 400 ValidationException, echoing each failing element with its messages."""
    elements = [
        {**item, "ValidationErrors": [{"Message": message} for message in messages]} for item, messages in failures
    ]
    return validation_exception(elements).response


def _name(item: Record, kind: str, taken: Iterable[str], errors: list[str]) -> str:
    """The trimmed ``Name``, with an error appended if it is missing, too long or already used."""
    raw = item.get("Name")
    name = raw.strip() if isinstance(raw, str) else ""
    if not name:
        errors.append(f"Tracking {kind} name is required.")
    elif len(name) > MAX_NAME_LENGTH:
        errors.append(f"Tracking {kind} name must be at most {MAX_NAME_LENGTH} characters long.")
    elif name.lower() in {other.lower() for other in taken}:
        errors.append(f"For each specified tracking {kind} the name must be unique.")
    return name


def _status(item: Record, current: str, kind: str, errors: list[str]) -> str:
    """The requested ``Status`` (ACTIVE or ARCHIVED only), or ``current`` if none was sent."""
    raw = item.get("Status")
    if raw is None:
        return current
    status = str(raw).upper()
    if status not in _SETTABLE:
        errors.append(f"Tracking {kind} status must be ACTIVE or ARCHIVED; use DELETE to delete one.")
        return current
    return status


def _copy(record: Record) -> Record:
    """A category safe to change: stored records may be shared with the seed builder."""
    return {**record, "Options": [dict(option) for option in record.get("Options", [])]}


def _visible(record: Record, include_archived: bool) -> Record:
    """The category as a GET shows it: ARCHIVED options only with ``includeArchived=true``."""
    if include_archived:
        return record
    return {**record, "Options": [o for o in record.get("Options", []) if o.get("Status") != "ARCHIVED"]}


def _include_archived(request: Request) -> bool:
    return (request.arg("includeArchived") or "").lower() == "true"


class Tracking:
    """``/TrackingCategories`` reads and writes, bound to the ``Api`` for auth, envelopes, clock and idempotency."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.spec = _spec()

    def routes(self) -> list[Route]:
        """Routes to place before ``Api.routes()``, whose generic ``/{collection}/{key}`` would match first."""
        base = f"{API_PREFIX}/{_CATEGORIES}"
        return [
            Route("GET", base, self.list_categories),
            Route("PUT", base, self.create_category),
            Route("GET", f"{base}/{{category}}", self.retrieve_category),
            Route("POST", f"{base}/{{category}}", self.update_category),
            Route("DELETE", f"{base}/{{category}}", self.delete_category),
            Route("PUT", f"{base}/{{category}}/Options", self.create_options),
            Route("POST", f"{base}/{{category}}/Options/{{option}}", self.update_option),
            Route("DELETE", f"{base}/{{category}}/Options/{{option}}", self.delete_option),
        ]

    # --- plumbing ------------------------------------------------------------------------------------------------

    def _collection(self, request: Request, *, write: bool) -> tuple[Tenant, Collection]:
        _, tenant = self.api._tenant(request, self.spec, write=write)
        return tenant, tenant.collections[self.spec.name]

    def _category(self, request: Request, *, write: bool) -> tuple[Tenant, Collection, int]:
        tenant, collection = self._collection(request, write=write)
        slot = collection.find(request.params["category"])
        if slot is None:
            raise not_found()
        return tenant, collection, slot

    @staticmethod
    def _others(collection: Collection, slot: int | None) -> list[Record]:
        """Every category that is not deleted, except the one in ``slot``."""
        return [
            record
            for other in collection.live_slots()
            if other != slot and (record := collection.get(other)).get("Status") != "DELETED"
        ]

    def _categories(self, records: list[Record]) -> Response:
        return json_response(self.api.envelope(_CATEGORIES, records))

    def _options(self, records: list[Record]) -> Response:
        return json_response(self.api.envelope("Options", records))

    def _writable(self, collection: Collection, slot: int) -> Record:
        """A copy of the category, refused if it was deleted."""
        record = collection.get(slot)
        if record.get("Status") == "DELETED":
            raise Invalid(["This tracking category has been deleted and cannot be changed."])
        return _copy(record)

    @staticmethod
    def _guarded(item: Record, produce: Callable[[], Response]) -> Response:
        """``produce()``, or Xero's ValidationException echoing ``item`` if it raised ``Invalid``."""
        try:
            return produce()
        except Invalid as invalid:
            return _rejected([(item, invalid.messages)])

    # --- categories ----------------------------------------------------------------------------------------------

    async def list_categories(self, request: Request) -> Response:
        """``GET /TrackingCategories``: never DELETED ones; ARCHIVED categories and options with includeArchived."""
        _, collection = self._collection(request, write=False)
        records, *_ = self.api._select(request, self.spec, collection)
        archived = _include_archived(request)
        return self._categories([_visible(record, archived) for record in records])

    async def retrieve_category(self, request: Request) -> Response:
        """``GET /TrackingCategories/{id}``: whatever its status, deleted included."""
        _, collection, slot = self._category(request, write=False)
        return self._categories([_visible(collection.get(slot), _include_archived(request))])

    async def create_category(self, request: Request) -> Response:
        """``PUT /TrackingCategories``: a new ACTIVE category with no options."""
        tenant, collection = self._collection(request, write=True)

        def produce() -> Response:
            item = _elements(request.body, _CATEGORIES)[0]
            others = self._others(collection, None)
            errors: list[str] = []
            name = _name(item, "category", (o["Name"] for o in others), errors)
            if sum(o.get("Status") == "ACTIVE" for o in others) >= MAX_ACTIVE_CATEGORIES:
                errors.append(f"You can only have {MAX_ACTIVE_CATEGORIES} active tracking categories.")
            if errors:
                return _rejected([(item, errors)])
            record = {"Name": name, "Status": "ACTIVE", "TrackingCategoryID": str(uuid.uuid4()), "Options": []}
            collection.put(record, self.api._now_ms())
            return self._categories([record])

        return self.api._idempotent(request, tenant, produce)

    async def update_category(self, request: Request) -> Response:
        """``POST /TrackingCategories/{id}``: rename, archive or reactivate."""
        tenant, collection, slot = self._category(request, write=True)

        def produce() -> Response:
            item = _elements(request.body, _CATEGORIES)[0]
            return self._guarded(item, lambda: self._update_category(collection, slot, item))

        return self.api._idempotent(request, tenant, produce)

    def _update_category(self, collection: Collection, slot: int, item: Record) -> Response:
        record = self._writable(collection, slot)
        others = self._others(collection, slot)
        errors: list[str] = []
        if "Name" in item:
            record["Name"] = _name(item, "category", (o["Name"] for o in others), errors)
        status = _status(item, record["Status"], "category", errors)
        active = sum(o.get("Status") == "ACTIVE" for o in others)
        if status == "ACTIVE" and record["Status"] != "ACTIVE" and active >= MAX_ACTIVE_CATEGORIES:
            errors.append(f"You can only have {MAX_ACTIVE_CATEGORIES} active tracking categories.")
        if errors:
            raise Invalid(errors)
        record["Status"] = status
        collection.put(record, self.api._now_ms(), slot)
        return self._categories([record])

    async def delete_category(self, request: Request) -> Response:
        """``DELETE /TrackingCategories/{id}``: Status DELETED; it leaves every list."""
        _, collection, slot = self._category(request, write=True)

        def produce() -> Response:
            record = {**self._writable(collection, slot), "Status": "DELETED"}
            collection.put(record, self.api._now_ms(), slot)
            return self._categories([record])

        return self._guarded({"TrackingCategoryID": collection.ids[slot]}, produce)

    # --- options -------------------------------------------------------------------------------------------------

    async def create_options(self, request: Request) -> Response:
        """``PUT /TrackingCategories/{id}/Options``: one or more ACTIVE options; all or nothing."""
        tenant, collection, slot = self._category(request, write=True)

        def produce() -> Response:
            items = _elements(request.body, "Options")
            return self._guarded(items[0], lambda: self._create_options(collection, slot, items))

        return self.api._idempotent(request, tenant, produce)

    def _create_options(self, collection: Collection, slot: int, items: list[Record]) -> Response:
        record = self._writable(collection, slot)
        taken = [option["Name"] for option in record["Options"]]
        created, failures = [], []
        for item in items:
            errors: list[str] = []
            name = _name(item, "option", taken, errors)
            if errors:
                failures.append((item, errors))
                continue
            taken.append(name)
            created.append(
                {
                    "TrackingOptionID": str(uuid.uuid4()),
                    "Name": name,
                    "Status": "ACTIVE",
                    "TrackingCategoryID": record["TrackingCategoryID"],
                }
            )
        if failures:
            return _rejected(failures)
        record["Options"].extend(created)
        collection.put(record, self.api._now_ms(), slot)
        return self._options([dict(option) for option in created])

    @staticmethod
    def _option_index(record: Record, request: Request) -> int:
        wanted = request.params["option"].lower()
        for index, option in enumerate(record["Options"]):
            if str(option["TrackingOptionID"]).lower() == wanted:
                return index
        raise not_found()

    async def update_option(self, request: Request) -> Response:
        """``POST /TrackingCategories/{id}/Options/{optionId}``: rename, archive or reactivate one option."""
        tenant, collection, slot = self._category(request, write=True)
        self._option_index(collection.get(slot), request)

        def produce() -> Response:
            item = _elements(request.body, "Options")[0]
            return self._guarded(item, lambda: self._update_option(collection, slot, request, item))

        return self.api._idempotent(request, tenant, produce)

    def _update_option(self, collection: Collection, slot: int, request: Request, item: Record) -> Response:
        record = self._writable(collection, slot)
        index = self._option_index(record, request)
        option = record["Options"][index]
        errors: list[str] = []
        if "Name" in item:
            taken = (other["Name"] for i, other in enumerate(record["Options"]) if i != index)
            option["Name"] = _name(item, "option", taken, errors)
        option["Status"] = _status(item, option["Status"], "option", errors)
        if errors:
            raise Invalid(errors)
        collection.put(record, self.api._now_ms(), slot)
        return self._options([dict(option)])

    async def delete_option(self, request: Request) -> Response:
        """``DELETE /TrackingCategories/{id}/Options/{optionId}``: removed from the category, echoed as DELETED."""
        _, collection, slot = self._category(request, write=True)
        index = self._option_index(collection.get(slot), request)

        def produce() -> Response:
            record = self._writable(collection, slot)
            option = record["Options"].pop(index)
            collection.put(record, self.api._now_ms(), slot)
            return self._options([{**option, "Status": "DELETED"}])

        return self._guarded({"TrackingOptionID": request.params["option"]}, produce)
