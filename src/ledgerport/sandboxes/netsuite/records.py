"""The record service's reads: collection GET (ids and links only, paged, capped) and single-record GET.

Paging (NS-DOC section_156414087576): ``limit`` 1..1000 (default 1000), ``offset`` default 0; at most 1000 pages
are served, so ``limit * 1000`` (at most 100,000) results are reachable and an offset past that is a 400. Every
page has ``count``, ``hasMore``, ``offset``, ``totalResults`` and ``self``/``first``/``prev``/``next``/``last``
links. Records come in id order. ``q`` is evaluated by ``filters.parse_q``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from ledgerport.sandboxes.netsuite.catalog import RecordType, record_type
from ledgerport.sandboxes.netsuite.errors import invalid_parameter, nonexistent_id, not_found
from ledgerport.sandboxes.netsuite.filters import parse_q
from ledgerport.sandboxes.netsuite.render import record_href, render
from ledgerport.sandboxes.netsuite.state import Sandbox
from ledgerport.sandboxes.netsuite.wire import COLLECTION, SINGULAR, Request, Response, json_response

__all__ = [
    "MAX_PAGES",
    "MAX_RESULTS",
    "find_record",
    "get_record",
    "get_sublist",
    "list_records",
    "page_links",
    "paging",
    "resolve_type",
]

MAX_PAGES = 1000
MAX_RESULTS = 100_000


def resolve_type(request: Request) -> RecordType:
    """The record type named in the path, any case; 404 for an unknown one."""
    rt = record_type(request.params["type"])
    if rt is None:
        raise not_found(request.path)
    return rt


def find_record(sandbox: Sandbox, rt: RecordType, raw_id: str) -> tuple[int, dict[str, Any]]:
    """A record by internal id or ``eid:<externalId>``; 404 NONEXISTENT_ID otherwise."""
    account = sandbox.account
    if raw_id.lower().startswith("eid:"):
        found = account.by_external_id(rt, raw_id[4:])
    else:
        try:
            found = int(raw_id)
        except ValueError:
            found = None
    doc = account.get(rt, found) if found is not None else None
    if doc is None or found is None:
        raise nonexistent_id(rt.name, raw_id)
    return found, doc


def paging(request: Request, *, max_limit: int = 1000) -> tuple[int, int]:
    """``(limit, offset)`` from the query; 400 INVALID_PARAMETER for values NetSuite refuses."""
    try:
        limit = int(request.arg("limit") or 1000)
        offset = int(request.arg("offset") or 0)
    except ValueError:
        raise invalid_parameter("Invalid value for query parameter limit or offset.", "limit") from None
    if limit < 1 or limit > max_limit:
        raise invalid_parameter(f"The value of limit must be between 1 and {max_limit}.", "limit")
    if offset < 0:
        raise invalid_parameter("The value of offset must not be negative.", "offset")
    return limit, offset


def page_links(request: Request, limit: int, offset: int, total: int) -> list[dict[str, str]]:
    """``self`` and the neighbouring pages' links of a collection."""
    base = f"{request.base_url}{request.path}"
    keep = [(k, v) for k, v in request.query_pairs if k.lower() not in {"limit", "offset"}]

    def href(at: int) -> str:
        return f"{base}?{urlencode([*keep, ('limit', str(limit)), ('offset', str(at))])}"

    links = []
    last = max(0, (total - 1) // limit * limit)
    if offset > 0:
        links.append({"rel": "first", "href": href(0)})
        links.append({"rel": "prev", "href": href(max(0, offset - limit))})
    if offset + limit < total:
        links.append({"rel": "next", "href": href(offset + limit)})
    links.append({"rel": "last", "href": href(last)})
    links.append({"rel": "self", "href": href(offset)})
    return links


async def list_records(sandbox: Sandbox, request: Request) -> Response:
    """``GET /record/v1/{type}``: ids and links."""
    rt = resolve_type(request)
    limit, offset = paging(request)
    reachable = min(limit * MAX_PAGES, MAX_RESULTS)
    if offset >= reachable and offset > 0:
        raise invalid_parameter(
            f"The offset is out of range: at most {reachable} results can be paged through with limit {limit}.",
            "offset",
        )
    account = sandbox.account
    ids = account.ids(rt)
    q = request.arg("q")
    if q:
        predicate = parse_q(rt, q)
        ids = [i for i in ids if predicate(account.get(rt, i) or {})]
    total = len(ids)
    window = ids[offset : min(offset + limit, reachable)]
    items = [
        {"links": [{"rel": "self", "href": record_href(request.base_url, rt.name, i)}], "id": str(i)} for i in window
    ]
    body = {
        "links": page_links(request, limit, offset, total),
        "count": len(items),
        "hasMore": offset + len(items) < min(total, reachable),
        "items": items,
        "offset": offset,
        "totalResults": total,
    }
    return json_response(body, content_type=COLLECTION)


async def get_record(sandbox: Sandbox, request: Request) -> Response:
    """``GET /record/v1/{type}/{id}``."""
    rt = resolve_type(request)
    _, doc = find_record(sandbox, rt, request.params["id"])
    fields_arg = request.arg("fields")
    fields = {f.strip().lower() for f in fields_arg.split(",") if f.strip()} if fields_arg else None
    body = render(
        sandbox.account,
        rt,
        doc,
        request.base_url,
        expand=(request.arg("expandSubResources") or "").lower() == "true",
        fields=fields,
        simple_enum=(request.arg("simpleEnumFormat") or "").lower() == "true",
    )
    return json_response(body, content_type=SINGULAR)


async def get_sublist(sandbox: Sandbox, request: Request) -> Response:
    """``GET /record/v1/{type}/{id}/{sublist}``: one sublist as a collection."""
    rt = resolve_type(request)
    _, doc = find_record(sandbox, rt, request.params["id"])
    name = next(
        (s for s in (*rt.sublists, "addressBook", *rt.subrecords) if s.lower() == request.params["sub"].lower()), None
    )
    if name is None or name not in doc:
        raise not_found(request.path)
    body = render(sandbox.account, rt, {"id": doc["id"], name: doc[name]}, request.base_url, expand=True)
    return json_response(body[name], content_type=SINGULAR)
