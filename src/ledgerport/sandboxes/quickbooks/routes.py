"""Every path the sandbox serves, as one ``ROUTES`` list, and the handlers behind the QBO API and ``/_sandbox``.

API handlers run inside ``_api``: bearer check (401/403 with QBO's lower-case body), company lookup, ``requestid``
replay for writes (a repeated id answers the stored response and writes nothing), and ``QboFault`` -> 400 body.
``minorversion`` is accepted with any value and ignored (the sandbox behaves as minor version 75).

The ``/_sandbox`` control surface is not part of QBO: realms, fault settings, token expiry/revocation, request
counts per path, and a dump of every record including deleted ones.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import fields
from datetime import datetime
from typing import Any

import msgspec

from ledgerport.sandboxes.quickbooks import auth, errors, writes
from ledgerport.sandboxes.quickbooks.clock import ZONE, format_envelope_time, parse_time
from ledgerport.sandboxes.quickbooks.query import execute, parse
from ledgerport.sandboxes.quickbooks.reports import run_report
from ledgerport.sandboxes.quickbooks.state import Sandbox
from ledgerport.sandboxes.quickbooks.store import ENTITIES, PATHS, Company, Record
from ledgerport.sandboxes.quickbooks.wire import Request, Response, decode_json, json_response

__all__ = ["BATCH_LIMIT", "CDC_LIMIT", "CDC_WINDOW", "Handler", "ROUTES", "Route"]

BATCH_LIMIT = 30
CDC_LIMIT = 1_000
CDC_WINDOW = 30 * 86_400

Handler = Callable[[Sandbox, Request], Response]
Route = tuple[str, re.Pattern[str], Handler]
_ApiHandler = Callable[[Sandbox, Company, Request], dict[str, Any]]
_COMPANY = r"/v3/company/(?P<realm>[^/]+)"


def _time(sandbox: Sandbox) -> str:
    return format_envelope_time(sandbox.clock())


def _api(handler: _ApiHandler, *, replayable: bool = False) -> Handler:
    def run(sandbox: Sandbox, request: Request) -> Response:
        realm = request.params["realm"]
        refused = auth.authenticate(sandbox, request, realm)
        if refused is not None:
            return refused
        request_id = request.query.get("requestid", "") if replayable else ""
        if request_id and (realm, request_id) in sandbox.replays:
            return sandbox.replays[(realm, request_id)]
        try:
            response = json_response({**handler(sandbox, sandbox.companies[realm], request), "time": _time(sandbox)})
        except errors.QboFault as fault:
            response = json_response(fault.body(_time(sandbox)), fault.status)
        if request_id:
            sandbox.replays[(realm, request_id)] = response
        return response

    return run


def _body(request: Request) -> dict[str, Any]:
    try:
        body = decode_json(request.body or b"{}")
    except msgspec.DecodeError as error:
        raise errors.invalid_request(f"Request body is not valid JSON: {error}") from None
    if not isinstance(body, dict):
        raise errors.invalid_request("Request body must be a JSON object")
    return body


def _entity(request: Request) -> str:
    entity = PATHS.get(request.params["entity"])
    if entity is None:
        raise errors.unsupported_operation(f"{request.method} /{request.params['entity']}")
    return entity


def _report(sandbox: Sandbox, request: Request) -> Response:
    """A report is the report JSON itself (``{Header, Columns, Rows}``), without the ``time`` other answers carry."""
    realm = request.params["realm"]
    refused = auth.authenticate(sandbox, request, realm)
    if refused is not None:
        return refused
    today = datetime.fromtimestamp(sandbox.now(), ZONE).date()
    try:
        body = run_report(sandbox.companies[realm], request.params["report"], request.query, sandbox.now(), today)
    except errors.QboFault as fault:
        return json_response(fault.body(_time(sandbox)), fault.status)
    return json_response(body)


def _query(sandbox: Sandbox, company: Company, request: Request) -> dict[str, Any]:
    text = request.query.get("query") or request.body.decode("utf-8", "replace")
    parsed = parse(text)
    return {"QueryResponse": execute(parsed, company.table(parsed.entity))}


def _read(sandbox: Sandbox, company: Company, request: Request) -> dict[str, Any]:
    entity, raw_id = _entity(request), request.params["id"]
    found = company.table(entity).get(int(raw_id)) if raw_id.isdigit() else None
    if found is None:
        raise errors.object_not_found(entity, raw_id)
    return {entity: found}


def _singleton(entity: str) -> _ApiHandler:
    def read(sandbox: Sandbox, company: Company, request: Request) -> dict[str, Any]:
        found = company.table(entity).get(1)
        assert found is not None
        return {entity: found}

    return read


def _write_one(company: Company, entity: str, operation: str, body: Record, now: int) -> Record:
    if operation == "delete":
        return writes.delete(company, entity, body, now)
    if operation == "void":
        return writes.void(company, entity, body, now)
    if operation in ("create", "update", ""):
        return writes.save(company, entity, body, now)
    raise errors.unsupported_operation(operation)


def _write(sandbox: Sandbox, company: Company, request: Request) -> dict[str, Any]:
    entity = _entity(request)
    operation = request.query.get("operation", "")
    if operation == "update" and request.query.get("include") == "void":
        operation = "void"
    return {entity: _write_one(company, entity, operation, _body(request), sandbox.now())}


def _write_singleton(entity: str) -> _ApiHandler:
    def write(sandbox: Sandbox, company: Company, request: Request) -> dict[str, Any]:
        return {entity: writes.save(company, entity, {**_body(request), "Id": "1"}, sandbox.now())}

    return write


def _cdc(sandbox: Sandbox, company: Company, request: Request) -> dict[str, Any]:
    names = [name.strip() for name in request.query.get("entities", "").split(",") if name.strip()]
    since_text = request.query.get("changedSince", "")
    if not names:
        raise errors.required_param_missing("entities")
    if not since_text:
        raise errors.required_param_missing("changedSince")
    by_lower = {name.lower(): name for name in ENTITIES}
    unknown = [name for name in names if name.lower() not in by_lower]
    if unknown:
        raise errors.invalid_request(f"Unsupported entities for cdc: {', '.join(unknown)}")
    try:
        since = parse_time(since_text)
    except ValueError:
        raise errors.invalid_request(f"changedSince is not a date-time: {since_text}") from None
    if since < sandbox.clock() - CDC_WINDOW:
        raise errors.cdc_too_old(since_text)
    responses = []
    for name in (by_lower[name.lower()] for name in names):
        changed = [record for _, record in company.table(name).changes_since(math.ceil(since))][:CDC_LIMIT]
        responses.append({name: changed, "startPosition": 1, "maxResults": len(changed)} if changed else {})
    return {"CDCResponse": [{"QueryResponse": responses}]}


def _batch_item(sandbox: Sandbox, company: Company, item: dict[str, Any]) -> dict[str, Any]:
    bid = str(item.get("bId", ""))
    try:
        if "Query" in item:
            parsed = parse(str(item["Query"]))
            return {"bId": bid, "QueryResponse": execute(parsed, company.table(parsed.entity))}
        entity = next((key for key in item if key in ENTITIES), None)
        if entity is None:
            raise errors.invalid_request("Batch item names no entity")
        record = _write_one(company, entity, str(item.get("operation", "create")), item[entity], sandbox.now())
        return {"bId": bid, entity: record}
    except errors.QboFault as fault:
        return {"bId": bid, "Fault": fault.fault()}


def _batch(sandbox: Sandbox, company: Company, request: Request) -> dict[str, Any]:
    items = _body(request).get("BatchItemRequest")
    if not isinstance(items, list) or not items:
        raise errors.required_param_missing("BatchItemRequest")
    if len(items) > BATCH_LIMIT:
        raise errors.batch_too_large(len(items))
    return {"BatchItemResponse": [_batch_item(sandbox, company, item) for item in items]}


def _realms(sandbox: Sandbox, request: Request) -> Response:
    return json_response({"realms": sandbox.realm_ids})


def _faults(sandbox: Sandbox, request: Request) -> Response:
    if request.method == "POST":
        try:
            sandbox.faults.update(**decode_json(request.body or b"{}"))
        except (ValueError, TypeError, msgspec.DecodeError) as error:
            return json_response({"error": str(error)}, 400)
    settings = {f.name: getattr(sandbox.faults, f.name) for f in fields(sandbox.faults) if not f.name.startswith("_")}
    return json_response(settings)


def _expire_tokens(sandbox: Sandbox, request: Request) -> Response:
    sandbox.oauth.expire_access_tokens()
    return json_response({"expired": True})


def _revoke_tokens(sandbox: Sandbox, request: Request) -> Response:
    sandbox.oauth.revoke_all()
    return json_response({"revoked": True})


def _stats(sandbox: Sandbox, request: Request) -> Response:
    if request.method == "DELETE":
        sandbox.stats.clear()
    return json_response({"requests": dict(sandbox.stats), "total": sum(sandbox.stats.values())})


def _dump(sandbox: Sandbox, request: Request) -> Response:
    realm = request.query.get("realm", sandbox.realm_ids[0])
    entity = request.params["entity"]
    entity = PATHS.get(entity.lower(), entity)
    if realm not in sandbox.companies or entity not in ENTITIES:
        return json_response({"error": "unknown realm or entity"}, 404)
    return json_response({entity: sandbox.companies[realm].table(entity).dump()})


def _route(method: str, pattern: str, handler: Handler) -> Route:
    return method, re.compile(f"^{pattern}$"), handler


ROUTES: list[Route] = [
    _route("GET", r"/connect/oauth2", auth.authorize_page),
    _route("POST", r"/connect/oauth2", auth.approve),
    _route("POST", r"/oauth2/v1/tokens/bearer", auth.token),
    _route("POST", r"/(?:v2/oauth2|oauth2/v1)/tokens/revoke", auth.revoke_token),
    _route("GET", r"/\.well-known/openid_(?:sandbox_)?configuration/?", auth.discovery),
    _route("GET", r"/v1/openid_connect/userinfo", auth.userinfo),
    _route("GET", rf"{_COMPANY}/query", _api(_query)),
    _route("POST", rf"{_COMPANY}/query", _api(_query)),
    _route("GET", rf"{_COMPANY}/cdc", _api(_cdc)),
    _route("POST", rf"{_COMPANY}/batch", _api(_batch, replayable=True)),
    _route("GET", rf"{_COMPANY}/companyinfo/(?P<id>[^/]+)", _api(_singleton("CompanyInfo"))),
    _route("POST", rf"{_COMPANY}/companyinfo", _api(_write_singleton("CompanyInfo"), replayable=True)),
    _route("GET", rf"{_COMPANY}/preferences", _api(_singleton("Preferences"))),
    _route("POST", rf"{_COMPANY}/preferences", _api(_write_singleton("Preferences"), replayable=True)),
    _route("GET", rf"{_COMPANY}/reports/(?P<report>[A-Za-z]+)", _report),
    _route("GET", rf"{_COMPANY}/(?P<entity>[a-z]+)/(?P<id>[^/]+)", _api(_read)),
    _route("POST", rf"{_COMPANY}/(?P<entity>[a-z]+)", _api(_write, replayable=True)),
    _route("GET", r"/_sandbox/realms", _realms),
    _route("GET", r"/_sandbox/faults", _faults),
    _route("POST", r"/_sandbox/faults", _faults),
    _route("POST", r"/_sandbox/tokens/expire", _expire_tokens),
    _route("POST", r"/_sandbox/tokens/revoke", _revoke_tokens),
    _route("GET", r"/_sandbox/stats", _stats),
    _route("DELETE", r"/_sandbox/stats", _stats),
    _route("GET", r"/_sandbox/dump/(?P<entity>[A-Za-z]+)", _dump),
]
