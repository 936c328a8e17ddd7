"""The Accounting API under ``/api.xro/2.0/``: list, get, create (PUT), create-or-update (POST), delete.

One set of handlers serves every collection; what differs per collection is read from ``catalog.COLLECTIONS``.
A list takes the one-bisect path (``store.Collection.page_slots``) when it is ordered by UpdatedDateUTC and
unfiltered, which is how incremental syncs page; any ``where``, id/status filter or other order scans.
"""

from __future__ import annotations

import hashlib
import math
import uuid
from collections.abc import Callable
from typing import Any

import msgspec

from ledgerport.sandboxes.xero.allocations import allocate
from ledgerport.sandboxes.xero.auth import Identity
from ledgerport.sandboxes.xero.catalog import Spec, spec_for
from ledgerport.sandboxes.xero.dates import ms_date_plain, parse_if_modified_since
from ledgerport.sandboxes.xero.errors import not_found, post_data_invalid, problem, validation_exception
from ledgerport.sandboxes.xero.http import Request, Response, Route, decode_json, encode_json, json_response
from ledgerport.sandboxes.xero.query import compile_order, compile_where, field_value
from ledgerport.sandboxes.xero.store import Collection, Tenant
from ledgerport.sandboxes.xero.validate import Invalid
from ledgerport.sandboxes.xero.writes import apply_write

__all__ = ["API_PREFIX", "Api", "DEFAULT_PAGE_SIZE", "MAX_PAGE_SIZE"]

Record = dict[str, Any]
API_PREFIX = "/api.xro/2.0"
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1_000
_ERROR_FLAG = {"Contacts": "HasValidationErrors", "Payments": "HasValidationErrors"}
_BY_UPDATED = {"": False, "updateddateutc": False, "updateddateutc asc": False, "updateddateutc desc": True}


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


class Api:
    """Handlers bound to the sandbox's identity service and clock."""

    def __init__(self, identity: Identity, clock: Callable[[], float], provider_name: str) -> None:
        self.identity = identity
        self.clock = clock
        self.provider_name = provider_name

    def routes(self) -> list[Route]:
        """The API's route table, most specific first."""
        base = API_PREFIX
        return [
            Route("GET", f"{base}/Organisation", self.organisation),
            Route("PUT", f"{base}/CreditNotes/{{key}}/Allocations", self.allocate_credit_note),
            Route("GET", f"{base}/{{collection}}", self.list_records),
            Route("PUT", f"{base}/{{collection}}", self.create_records),
            Route("POST", f"{base}/{{collection}}", self.upsert_records),
            Route("GET", f"{base}/{{collection}}/{{key}}", self.retrieve_record),
            Route("POST", f"{base}/{{collection}}/{{key}}", self.update_record),
            Route("DELETE", f"{base}/{{collection}}/{{key}}", self.delete_record),
        ]

    def _now_ms(self) -> int:
        return int(self.clock() * 1000)

    def envelope(self, name: str, records: list[Record], pagination: dict[str, int] | None = None) -> Record:
        """``{"Id","Status","ProviderName","DateTimeUTC","pagination"?, name: [...]}``."""
        body: Record = {
            "Id": str(uuid.uuid4()),
            "Status": "OK",
            "ProviderName": self.provider_name,
            "DateTimeUTC": ms_date_plain(self._now_ms()),
        }
        if pagination is not None:
            body["pagination"] = pagination
        body[name] = records
        return body

    def _tenant(self, request: Request, spec: Spec | None, *, write: bool) -> tuple[Spec, Tenant]:
        grant = self.identity.bearer(request)
        tenant = self.identity.tenant_for(grant, request.header("xero-tenant-id"))
        if spec is None:
            raise not_found()
        allowed = set(spec.scopes) if write else {*spec.scopes, *(f"{scope}.read" for scope in spec.scopes)}
        if not allowed & set(grant.scopes):
            raise problem(403, "Forbidden", "AuthorizationUnsuccessful")
        return spec, tenant

    async def organisation(self, request: Request) -> Response:
        """``GET /Organisation``."""
        _, tenant = self._tenant(request, spec_for("Accounts"), write=False)
        return json_response(self.envelope("Organisations", [tenant.organisation]))

    # --- reads ---------------------------------------------------------------------------------------------------

    def _filters(self, request: Request, spec: Spec) -> list[Callable[[Record], bool]]:
        tests: list[Callable[[Record], bool]] = []
        for param, path in {"IDs": spec.key, **spec.filters}.items():
            raw = request.arg(param)
            if raw:
                wanted = {value.strip().lower() for value in raw.split(",") if value.strip()}
                tests.append(lambda r, p=path, w=wanted: str(field_value(r, p) or "").lower() in w)
        archived = (request.arg("includeArchived") or "").lower() == "true"
        hidden = spec.unlisted | (frozenset() if archived else spec.hidden)
        if hidden:
            status = spec.lifecycle.field if spec.lifecycle else "Status"
            tests.append(lambda r: r.get(status) not in hidden)
        where = compile_where(request.arg("where"))
        if where is not None:
            tests.append(where)
        return tests

    def _select(self, request: Request, spec: Spec, collection: Collection) -> tuple[list[Record], int, int, int]:
        """``(records, item_count, page, page_size)``; page 0 means unpaged."""
        header = request.header("if-modified-since")
        since = parse_if_modified_since(header) if header and spec.modified_since else None
        paged = spec.paged and request.arg("page") is not None
        page = max(1, _int(request.arg("page"), 1)) if paged else 0
        size = min(max(1, _int(request.arg("pageSize"), DEFAULT_PAGE_SIZE)), MAX_PAGE_SIZE) if paged else 0
        order_text = " ".join((request.arg("order") or "").lower().split())
        tests = self._filters(request, spec)
        if not tests and order_text in _BY_UPDATED:
            descending = _BY_UPDATED[order_text]
            total = collection.count_since(since)
            slots = (
                collection.page_slots(since, (page - 1) * size, size, descending=descending)
                if paged
                else collection.live_slots(since, descending=descending)
            )
            return [collection.get(slot) for slot in slots], total, page, size
        order = compile_order(request.arg("order"))
        records = [r for slot in collection.live_slots(since) if all(t(r := collection.get(slot)) for t in tests)]
        for key, descending in reversed(order):
            records.sort(key=key, reverse=descending)
        total = len(records)
        if paged:
            records = records[(page - 1) * size : page * size]
        return records, total, page, size

    async def list_records(self, request: Request) -> Response:
        """``GET /{Collection}`` with page, pageSize, where, order, IDs, Statuses, If-Modified-Since."""
        spec, tenant = self._tenant(request, spec_for(request.params["collection"]), write=False)
        records, total, page, size = self._select(request, spec, tenant.collections[spec.name])
        if not page and spec.lines and spec.lines_only_when_paged:
            records = [{k: v for k, v in r.items() if k != spec.lines} for r in records]
        pagination = (
            {"page": page, "pageSize": size, "pageCount": math.ceil(total / size), "itemCount": total} if page else None
        )
        return json_response(self.envelope(spec.name, records, pagination))

    async def retrieve_record(self, request: Request) -> Response:
        """``GET /{Collection}/{id or number}``, lines included."""
        spec, tenant = self._tenant(request, spec_for(request.params["collection"]), write=False)
        collection = tenant.collections[spec.name]
        slot = collection.find(request.params["key"])
        if slot is None:
            raise not_found()
        return json_response(self.envelope(spec.name, [collection.get(slot)]))

    # --- writes --------------------------------------------------------------------------------------------------

    def _items(self, spec: Spec, body: bytes) -> list[Record]:
        try:
            decoded = decode_json(body) if body.strip() else {}
        except msgspec.DecodeError as error:
            raise post_data_invalid(f"The request body could not be parsed: {error}") from error
        items = decoded.get(spec.name, [decoded]) if isinstance(decoded, dict) else decoded
        if not isinstance(items, list) or not items:
            raise post_data_invalid(f'Expected {{"{spec.name}": [...]}} in the request body')
        return items[:1] if spec.single_write else items

    def _write(
        self, request: Request, spec: Spec, tenant: Tenant, *, create_only: bool, slot: int | None = None
    ) -> Response:
        if not spec.writable:
            return Response(405, b"")
        summarize = (request.arg("summarizeErrors") or "true").lower() != "false"
        results, failures, now = [], [], self._now_ms()
        for item in self._items(spec, request.body):
            try:
                if not isinstance(item, dict):
                    raise Invalid(["Each element must be an object"])
                record = apply_write(spec, tenant, item, slot=slot, create_only=create_only, now_ms=now)
                results.append({**record, "StatusAttributeString": "OK"} if not summarize else record)
            except Invalid as invalid:
                element = {
                    **(item if isinstance(item, dict) else {}),
                    _ERROR_FLAG.get(spec.name, "HasErrors"): True,
                    "ValidationErrors": [{"Message": message} for message in invalid.messages],
                }
                if not summarize:
                    element["StatusAttributeString"] = "ERROR"
                results.append(element)
                failures.append(element)
        if summarize and failures:
            return validation_exception(failures).response
        return json_response(self.envelope(spec.name, results))

    def _idempotent(self, request: Request, tenant: Tenant, produce: Callable[[], Response]) -> Response:
        key = request.header("idempotency-key")
        if key is None:
            return produce()
        if len(key) > 128:
            raise post_data_invalid("Idempotency-Key must be at most 128 characters")
        fingerprint = hashlib.sha256(
            request.method.encode()
            + request.path.lower().encode()
            + b"?"
            + encode_json(sorted(request.query.items()))
            + request.body
        ).hexdigest()
        cached = tenant.idempotency.get(key)
        if cached is not None:
            if cached[0] != fingerprint:
                raise post_data_invalid(f"Idempotency Key {key} is used with a different request")
            return cached[1]
        response = produce()
        tenant.idempotency[key] = (fingerprint, response)
        return response

    async def create_records(self, request: Request) -> Response:
        """``PUT /{Collection}``: create only."""
        spec, tenant = self._tenant(request, spec_for(request.params["collection"]), write=True)
        return self._idempotent(request, tenant, lambda: self._write(request, spec, tenant, create_only=True))

    async def upsert_records(self, request: Request) -> Response:
        """``POST /{Collection}``: create, or update the element whose id (or number) matches."""
        spec, tenant = self._tenant(request, spec_for(request.params["collection"]), write=True)
        return self._idempotent(request, tenant, lambda: self._write(request, spec, tenant, create_only=False))

    async def update_record(self, request: Request) -> Response:
        """``POST /{Collection}/{id}``: update one record (deletions are status changes)."""
        spec, tenant = self._tenant(request, spec_for(request.params["collection"]), write=True)
        slot = tenant.collections[spec.name].find(request.params["key"])
        if slot is None:
            raise not_found()
        return self._idempotent(
            request, tenant, lambda: self._write(request, spec, tenant, create_only=False, slot=slot)
        )

    async def allocate_credit_note(self, request: Request) -> Response:
        """``PUT /CreditNotes/{id}/Allocations`` (see ``allocations``)."""
        spec, tenant = self._tenant(request, spec_for("CreditNotes"), write=True)

        def produce() -> Response:
            try:
                body = decode_json(request.body) if request.body.strip() else {}
            except msgspec.DecodeError as error:
                raise post_data_invalid(f"The request body could not be parsed: {error}") from error
            made = allocate(tenant, request.params["key"], body, self._now_ms())
            return json_response(self.envelope("Allocations", made))

        return self._idempotent(request, tenant, produce)

    async def delete_record(self, request: Request) -> Response:
        """``DELETE /Items/{id}`` (hard delete, 204) and ``DELETE /Accounts/{id}`` (Status DELETED)."""
        spec, tenant = self._tenant(request, spec_for(request.params["collection"]), write=True)
        collection = tenant.collections[spec.name]
        slot = collection.find(request.params["key"])
        if spec.name not in ("Items", "Accounts"):
            return Response(405, b"")
        if slot is None:
            raise not_found()
        if spec.name == "Items":
            collection.remove(slot)
            return Response(204, b"")
        record = {**collection.get(slot), "Status": "DELETED"}
        collection.put(record, self._now_ms(), slot)
        return json_response(self.envelope(spec.name, [record]))
