"""``POST /services/rest/query/v1/suiteql``: the SuiteQL service over REST (NS-DOC section_157909186990)."""

from __future__ import annotations

import msgspec

from ledgerport.sandboxes.netsuite.errors import fail, invalid_parameter
from ledgerport.sandboxes.netsuite.records import page_links, paging
from ledgerport.sandboxes.netsuite.state import Sandbox
from ledgerport.sandboxes.netsuite.suiteql import MAX_ROWS, SuiteQLError, run_query
from ledgerport.sandboxes.netsuite.wire import COLLECTION, Request, Response, decode_json, json_response

__all__ = ["suiteql"]


async def suiteql(sandbox: Sandbox, request: Request) -> Response:
    """Run one query; ``Prefer: transient`` is required, as on NetSuite."""
    if "transient" not in (request.headers.get("prefer") or "").lower():
        raise fail(
            400,
            "INVALID_HEADER",
            "The request header Prefer: transient is required for SuiteQL queries.",
            errorHeader="Prefer",
        )
    limit, offset = paging(request)
    if offset >= MAX_ROWS:
        raise invalid_parameter(
            f"The offset must be less than {MAX_ROWS}: SuiteQL returns at most {MAX_ROWS} rows.", "offset"
        )
    try:
        body = decode_json(request.body) if request.body.strip() else {}
    except msgspec.DecodeError:
        raise fail(400, "INVALID_CONTENT", "The request body is not valid JSON.") from None
    query = body.get("q") if isinstance(body, dict) else None
    if not isinstance(query, str) or not query.strip():
        raise fail(400, "INVALID_CONTENT", "The request body must have a q property with the query.", errorPath="q")
    limit = min(limit, MAX_ROWS - offset)
    try:
        rows, total = run_query(sandbox.account.db, query, limit=limit, offset=offset, cache=sandbox.results)
    except SuiteQLError as error:
        raise fail(400, "INVALID_PARAMETER", str(error)) from None
    reachable = min(total, MAX_ROWS)
    answer = {
        "links": page_links(request, limit, offset, reachable),
        "count": len(rows),
        "hasMore": offset + len(rows) < reachable,
        "items": rows,
        "offset": offset,
        "totalResults": total,
    }
    return json_response(answer, content_type=COLLECTION)
