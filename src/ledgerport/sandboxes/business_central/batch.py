"""``POST …/api/v2.0/$batch`` in the OData JSON batch format (FACTS §2).

``{"requests": [{"id", "method", "url", "headers", "body"}]}`` -> ``{"responses": [{"id", "status", "headers",
"body"}]}``, at most 100 operations. Each ``url`` is relative to the API root (``companies(c)/items(i)``), or names
the company in a ``Company`` header (its name or id). Without special headers each operation stands alone and the
batch answers 200 whatever fails; with ``Isolation: snapshot`` any failure undoes every change of the batch and
the remaining operations are not run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import msgspec

from ledgerport.sandboxes.business_central.errors import ODataError
from ledgerport.sandboxes.business_central.store import Environment, Table
from ledgerport.sandboxes.business_central.wire import (
    Halt,
    Request,
    Response,
    decode_json,
    encode_json,
    json_response,
    parse_query,
)

if TYPE_CHECKING:
    from ledgerport.sandboxes.business_central.api import Api

__all__ = ["MAX_OPERATIONS", "run_batch"]

MAX_OPERATIONS = 100


def _snapshot(environment: Environment) -> list[tuple[Any, ...]]:
    saved = []
    for company in environment.companies.values():
        tables = {
            name: ({k: list(v) for k, v in t.rows.items()}, {k: list(v) for k, v in t.children.items()})
            for name, t in company.tables.items()
        }
        saved.append((company, tables, dict(company.series)))
    return saved


def _restore(saved: list[tuple[Any, ...]]) -> None:
    for company, tables, series in saved:
        for name, (rows, children) in tables.items():
            table: Table = company.tables[name]
            table.rows, table.children = rows, children
        company.series = series
        company.next_version()


async def run_batch(api: Api, request: Request, environment: Environment, root: str, root_path: str) -> Response:
    """Run the operations of one batch."""
    try:
        body = decode_json(request.body)
    except msgspec.DecodeError as error:
        raise ODataError(400, "BadRequest", "Invalid Request Body") from error
    operations = body.get("requests") if isinstance(body, dict) else None
    if not isinstance(operations, list):
        raise ODataError(400, "BadRequest", "Invalid Request Body: a JSON batch needs a 'requests' array.")
    if len(operations) > MAX_OPERATIONS:
        raise ODataError(
            400,
            "BadRequest",
            f"The batch contains {len(operations)} operations; "
            f"the maximum number of operations in a batch is {MAX_OPERATIONS}.",
        )
    snapshot = (request.header("isolation") or "").lower() == "snapshot"
    saved = _snapshot(environment) if snapshot else None
    responses: list[dict[str, Any]] = []
    for operation in operations:
        if not isinstance(operation, dict):
            raise ODataError(400, "BadRequest", "Invalid Request Body")
        response = await _one(api, request, environment, root, root_path, operation)
        entry: dict[str, Any] = {
            "id": operation.get("id"),
            "status": response.status,
            "headers": {name: value for name, value in response.headers if name.lower() not in {"odata-version"}},
        }
        if response.body:
            entry["headers"]["content-type"] = response.content_type
            entry["body"] = (
                decode_json(response.body)
                if response.content_type.startswith("application/json")
                else response.body.decode()
            )
        responses.append(entry)
        if snapshot and response.status >= 400:
            assert saved is not None
            _restore(saved)
            break
    return json_response({"responses": responses})


async def _one(
    api: Api, outer: Request, environment: Environment, root: str, root_path: str, operation: dict[str, Any]
) -> Response:
    url = str(operation.get("url") or "")
    parts = urlsplit(url)
    path = parts.path
    marker = "/api/v2.0/"
    if marker in path:
        path = path.split(marker, 1)[1]
    path = path.lstrip("/")
    headers = {str(k).lower(): str(v) for k, v in (operation.get("headers") or {}).items()}
    query = parse_query(parts.query)
    company_header = headers.get("company")
    if company_header and not path.startswith("companies("):
        company = environment.company(company_header)
        if company is not None:
            path = f"companies({company.id})/{path}"
    inner_body = operation.get("body")
    request = Request(
        method=str(operation.get("method") or "GET").upper(),
        path=path,
        query=query,
        headers={**headers, "host": outer.headers.get("host", "localhost")},
        body=encode_json(inner_body) if inner_body is not None else b"",
        root_path=outer.root_path,
        scheme=outer.scheme,
    )
    try:
        return await api.handle(request, environment, root, path)
    except Halt as halt:
        return halt.response
