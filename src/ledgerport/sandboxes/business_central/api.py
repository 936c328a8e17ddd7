"""The standard API v2.0 below ``/v2.0/{tenant}/{environment}/api/v2.0``: OData path resolution, reads, and the hand-off
of writes and bound actions to ``writes`` and ``actions``.

A path is a list of segments ``name`` or ``name(key)``: ``companies(c)/salesInvoices(i)/salesInvoiceLines(l)``,
``companies(c)/journals(j)/Microsoft.NAV.post``. The company comes from ``companies({id})/`` or, as BC also allows,
``?company={id}``. Contained sets are reachable nested and top-level; top-level line reads need an id or a
``documentId`` filter, journal lines a journal (FACTS §1, the AL error texts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ledgerport.sandboxes.business_central import actions, writes
from ledgerport.sandboxes.business_central.catalog import SETS
from ledgerport.sandboxes.business_central.errors import (
    ODataError,
    dialog,
    method_not_allowed,
    not_found,
    resource_not_found,
)
from ledgerport.sandboxes.business_central.query import (
    Options,
    QueryCache,
    next_link,
    page_size,
    render,
    run_query,
)
from ledgerport.sandboxes.business_central.store import Clock, Company, Environment, Row, Table, Tenant
from ledgerport.sandboxes.business_central.wire import Request, Response, json_response

__all__ = ["Api", "Target"]

_SEGMENT = re.compile(r"^(?P<name>[^()]+)(?:\((?P<key>[^()]*)\))?$")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_LINES_ERR = "You must specify an Id or a Document Id to get the lines."
_JOURNAL_ERR = "You must specify a journal batch ID or a journal ID to get a journal line."


@dataclass
class Target:
    """What a path names: a collection (maybe under a parent), one entity, or a bound action on one."""

    table: Table
    row: Row | None = None
    parent_table: Table | None = None
    parent: Row | None = None
    action: str | None = None
    count: bool = False


def _key(text: str | None) -> str | None:
    if text is None:
        return None
    text = text.strip()
    if text.startswith("id="):
        text = text[3:]
    text = text.strip("'")
    if not _GUID.match(text):
        raise ODataError(
            400, "BadRequest_NotFound", f"Bad Request - Error in query syntax. '{text}' is not a valid key."
        )
    return text.lower()


def _segments(path: str) -> list[tuple[str, str | None]]:
    result = []
    for part in [p for p in path.split("/") if p]:
        found = _SEGMENT.match(part)
        if found is None:
            raise ODataError(400, "BadRequest_InvalidRequestUrl", f"The request URL segment '{part}' is not valid.")
        result.append((found.group("name"), _key(found.group("key")) if found.group("key") is not None else None))
    return result


class Api:
    """Handlers over the tenant's state."""

    def __init__(self, tenant: Tenant, clock: Clock) -> None:
        self.tenant = tenant
        self.clock = clock
        self.cache = QueryCache()
        self.edits: dict[str, list[dict[str, Any]]] = {}
        """Another user's edits, by record id, applied just before the next PATCH of that record is served
        (``/_sandbox/edits``): the record changes between a client's read of its etag and its write."""

    # --- entry -------------------------------------------------------------------------------------------------------

    async def handle(self, request: Request, environment: Environment, root: str, odata_path: str) -> Response:
        """Serve one request below the API root ``root`` (an absolute URL)."""
        segments = _segments(odata_path)
        if not segments:
            return json_response(
                {
                    "@odata.context": f"{root}/$metadata",
                    "value": [{"name": s, "kind": "EntitySet", "url": s} for s in ("companies", "subscriptions")],
                }
            )
        name, key = segments[0]
        if name == "$metadata":
            return Response(200, _metadata().encode(), content_type="application/xml")
        if name == "companies":
            if len(segments) == 1 or (len(segments) == 2 and segments[1][0] == "$count" and key is None):
                return self._companies(request, environment, root, key, count=len(segments) == 2)
            company = environment.company(key or "")
            if company is None:
                raise ODataError(404, "Internal_CompanyNotFound", f"The company '{key}' does not exist.")
            return await self.company_request(request, company, root, segments[1:])
        company_id = request.query.get("company")
        if company_id:
            company = environment.company(company_id)
            if company is None:
                raise ODataError(404, "Internal_CompanyNotFound", f"The company '{company_id}' does not exist.")
            return await self.company_request(request, company, root, segments)
        if name in SETS:
            raise ODataError(
                400, "Internal_CompanyNotFound", "No company was specified: use companies({id})/ or ?company={id}."
            )
        raise resource_not_found(name)

    def _companies(
        self, request: Request, environment: Environment, root: str, key: str | None, count: bool
    ) -> Response:
        if request.method != "GET":
            raise method_not_allowed(request.method, "companies")
        rows = [company.wire() for company in environment.companies.values()]
        if key is not None:
            found = next((row for row in rows if row["id"] == key), None)
            if found is None:
                raise ODataError(404, "Internal_CompanyNotFound", f"The company '{key}' does not exist.")
            return json_response({"@odata.context": f"{root}/$metadata#companies/$entity", **found})
        if count:
            return Response(200, str(len(rows)).encode(), content_type="text/plain")
        options = Options.parse(request.query)
        if options.filter:
            wanted = options.filter.replace(" ", "")
            rows = [
                row
                for row in rows
                if f"name eq '{row['name']}'".replace(" ", "") == wanted or f"id eq {row['id']}" == options.filter
            ]
        if options.select:
            rows = [{k: v for k, v in row.items() if k in options.select} for row in rows]
        return json_response({"@odata.context": f"{root}/$metadata#companies", "value": rows})

    # --- company-scoped ---------------------------------------------------------------------------------------------

    def resolve(self, company: Company, segments: list[tuple[str, str | None]]) -> Target:
        """Walk the segments below the company."""
        name, key = segments[0]
        table = company.tables.get(name)
        if table is None:
            raise resource_not_found(name)
        if name == "companyInformation" and key is None and len(segments) > 1:
            raise resource_not_found(segments[1][0])
        target = Target(table)
        if key is not None:
            row = table.rows.get(key)
            if row is None:
                raise not_found(table.spec.entity, key)
            target.row = row
        for sub, sub_key in segments[1:]:
            if sub == "$count" and target.row is None:
                target.count = True
                continue
            if target.row is None:
                raise resource_not_found(sub)
            if sub.startswith("Microsoft.NAV."):
                target.action = sub[len("Microsoft.NAV.") :]
                continue
            if sub != target.table.spec.lines:
                raise resource_not_found(sub)
            child = company.tables[sub]
            target = Target(child, parent_table=target.table, parent=target.row)
            if sub_key is not None:
                row = child.rows.get(sub_key)
                if row is None or row[child.pos[child.spec.link]] != target.parent[0]:  # type: ignore[index]
                    raise not_found(child.spec.entity, sub_key)
                target.row = row
        return target

    async def company_request(
        self, request: Request, company: Company, root: str, segments: list[tuple[str, str | None]]
    ) -> Response:
        """GET/POST/PATCH/DELETE or an action on something inside one company."""
        target = self.resolve(company, segments)
        context = f"{root}/$metadata#companies({company.id})/" + "/".join(
            f"{n}({k})" if k and i < len(segments) - 1 else n
            for i, (n, k) in enumerate(segments)
            if not n.startswith("Microsoft.NAV.")
        )
        method = request.method
        if target.action is not None:
            if method != "POST":
                raise method_not_allowed(method, target.table.spec.name)
            assert target.row is not None
            await actions.run(self, company, target, request)
            return Response(204, headers=[("odata-version", "4.0")])
        if method == "GET":
            return self.read(request, company, target, context)
        if method == "POST" and target.row is None:
            row = writes.create(company, target, writes.body_of(request), self.clock)
            if "return=minimal" in (request.header("prefer") or "") or "return-no-content" in (
                request.header("prefer") or ""
            ):
                return Response(204, headers=[("odata-version", "4.0")])
            body = {"@odata.context": f"{context}/$entity", **render(company, target.table, row)}
            location = f"{root}/companies({company.id})/{target.table.spec.name}({row[0]})"
            return json_response(body, 201, headers=[("location", location)])
        if method == "PATCH" and target.row is not None:
            for changes in self.edits.pop(str(target.row[0]), []):
                writes.update(company, target, changes, "*", self.clock)
            row = writes.update(company, target, writes.body_of(request), request.header("if-match"), self.clock)
            return json_response(
                {"@odata.context": f"{context.rsplit('(', 1)[0]}/$entity", **render(company, target.table, row)}
            )
        if method == "DELETE" and target.row is not None:
            writes.delete(company, target, request.header("if-match"), self.clock)
            return Response(204, headers=[("odata-version", "4.0")])
        if method == "PUT":
            raise ODataError(405, "BadRequest_MethodNotAllowed", "PUT is not supported; use PATCH.")
        raise method_not_allowed(method, target.table.spec.name)

    def read(self, request: Request, company: Company, target: Target, context: str) -> Response:
        """GET of a collection or an entity."""
        table, options = target.table, Options.parse(request.query)
        if target.row is not None:
            entity_context = context.rsplit("(", 1)[0] if context.endswith(")") else context
            body = render(company, table, target.row, options.select, options.expand)
            return json_response({"@odata.context": f"{entity_context}/$entity", **body})
        spec = table.spec
        parent_id = target.parent[0] if target.parent is not None else None
        if parent_id is None and spec.parent is not None and spec.name != "dimensionValues":
            parent_id = self._parent_from_filter(options.filter, spec.link)
            if parent_id is None:
                raise dialog(_JOURNAL_ERR if spec.kind == "journalLine" else _LINES_ERR)

        def rows() -> Any:
            return table.of_parent(parent_id) if parent_id is not None else table.rows.values()

        page, asked = page_size(request.header("prefer"))
        if target.count:
            matched, _ = run_query(table, rows, Options(filter=options.filter), page=10**9)
            return Response(200, str(len(matched)).encode(), content_type="text/plain")
        chunk, following = run_query(
            table,
            rows,
            options,
            page=page,
            cache=self.cache,
            cache_key=(company.id, spec.name, parent_id, company.last_version),
        )
        body: dict[str, Any] = {"@odata.context": context}
        if request.query.get("$count", "").lower() == "true":
            counted, _ = run_query(
                table,
                rows,
                Options(filter=options.filter),
                page=10**9,
                cache=self.cache,
                cache_key=(company.id, spec.name, parent_id, company.last_version),
            )
            body["@odata.count"] = len(counted) if options.top is None else len(counted)
        body["value"] = [render(company, table, row, options.select, options.expand) for row in chunk]
        if following is not None and chunk:
            body["@odata.nextLink"] = next_link(request.origin() + request.path, request.query, following, chunk[-1][0])
        headers = [("preference-applied", f"odata.maxpagesize={page}")] if asked else []
        return json_response(body, headers=headers)

    @staticmethod
    def _parent_from_filter(text: str | None, link: str) -> str | None:
        if not text:
            return None
        found = re.search(rf"\b{link}\s+eq\s+'?([0-9a-fA-F-]{{36}})'?", text)
        return found.group(1).lower() if found else None


def _metadata() -> str:
    """A minimal EDMX naming the entity sets (enough for tools that probe ``$metadata``)."""
    sets = "".join(f'<EntitySet Name="{name}" EntityType="Microsoft.NAV.{name}"/>' for name in SETS)
    return (
        '<?xml version="1.0" encoding="utf-8"?><edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">'
        '<edmx:DataServices><Schema Namespace="Microsoft.NAV" xmlns="http://docs.oasis-open.org/odata/ns/edm">'
        f'<EntityContainer Name="NAV">{sets}</EntityContainer></Schema></edmx:DataServices></edmx:Edmx>'
    )
