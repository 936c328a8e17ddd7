"""Query parameters, parsed strictly: a value that is not what Merge documents is a 400 that names it.

Parameters the API does not know are ignored (as Merge's DRF views do); known ones are never silently dropped.
A NUL character is refused in any parameter, known or not, and in the path: PostgreSQL cannot compare text holding
one (SQLite would quietly cut the text short), and Merge refuses them too ("Null characters are not allowed.").
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import msgspec
from litestar import Request

from ledgerport.api.errors import BadRequest
from ledgerport.kit import clock
from ledgerport.kit.cursor import Cursor, ForeignCursor, InvalidCursor, decode_cursor
from ledgerport.kit.timestamps import canonical, parse_rfc3339
from ledgerport.models import BoolEquals, Contains, DateAfter, DateBefore, Equals, Filter, IdEquals, ModelSpec
from ledgerport.store.records import KeyTest, RecordQuery

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "ListParams",
    "MAX_PAGE_SIZE",
    "PageParams",
    "RetrieveParams",
    "list_scope",
    "parse_bool",
    "parse_list",
    "parse_page",
    "parse_retrieve",
    "parse_uuid",
    "refuse_null_characters",
]

DEFAULT_PAGE_SIZE = 30
MAX_PAGE_SIZE = 100


class PageParams(msgspec.Struct, frozen=True):
    """Where a page starts and how long it is."""

    cursor: Cursor | None
    page_size: int


class ListParams(msgspec.Struct, frozen=True):
    """A validated list request."""

    page: PageParams
    query: RecordQuery
    expand: tuple[str, ...]
    include_remote_data: bool


class RetrieveParams(msgspec.Struct, frozen=True):
    """A validated retrieve request."""

    expand: tuple[str, ...]
    include_remote_data: bool


def _one(params: Mapping[str, Any], name: str) -> str | None:
    values = params.getall(name, []) if hasattr(params, "getall") else [params[name]] if name in params else []
    if not values:
        return None
    if len(values) > 1:
        raise BadRequest(f"Query parameter '{name}' was given more than once.")
    return str(values[0])


async def refuse_null_characters(request: Request[Any, Any, Any]) -> None:
    """A ``before_request`` hook for every API route: a 400 naming the parameter that holds a NUL character."""
    if "\x00" in request.url.path:
        raise BadRequest("The path holds a null character; null characters are not allowed.")
    for name, value in request.query_params.multi_items():
        if "\x00" in name or "\x00" in value:
            shown = name.replace("\x00", "\\x00")
            raise BadRequest(f"Query parameter '{shown}' holds a null character; null characters are not allowed.")


def parse_bool(params: Mapping[str, Any], name: str) -> bool | None:
    """``true``/``false`` (any case, or ``1``/``0``), as DRF's BooleanFilter reads them."""
    raw = _one(params, name)
    if raw is None:
        return None
    lowered = raw.lower()
    if lowered in {"true", "1"}:
        return True
    if lowered in {"false", "0"}:
        return False
    raise BadRequest(f"Query parameter '{name}' must be true or false, not {raw!r}.")


def _datetime_micros(params: Mapping[str, Any], name: str) -> int | None:
    raw = _one(params, name)
    if raw is None:
        return None
    try:
        return clock.to_micros(parse_rfc3339(raw))
    except ValueError as exc:
        raise BadRequest(
            f"Query parameter '{name}' must be an RFC 3339 date-time such as 2024-01-02T03:04:05Z, not {raw!r}."
        ) from exc


def parse_uuid(raw: str) -> uuid.UUID | None:
    """A UUID, or ``None`` for text that is not one (which can name no record)."""
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


def list_scope(listing: str, owner: uuid.UUID) -> str:
    """What a list's cursors are bound to: what it lists (a model, ``linked-accounts``) and for whom (a linked
    account, an organization). Filters are not part of it: a cursor is a position in the list's order, which
    means the same whatever the filters."""
    return f"{listing}/{owner}"


def parse_page(params: Mapping[str, Any], scope: str) -> PageParams:
    """``cursor`` (one this list issued: see :func:`list_scope`) and ``page_size`` (1 to 100; larger values are
    capped at 100, as Merge caps them)."""
    raw_size = _one(params, "page_size")
    size = DEFAULT_PAGE_SIZE
    if raw_size is not None:
        if not (raw_size.isascii() and raw_size.lstrip("-").isdigit()):
            raise BadRequest(f"Query parameter 'page_size' must be an integer, not {raw_size!r}.")
        size = int(raw_size)
        if size < 1:
            raise BadRequest("Query parameter 'page_size' must be at least 1.")
        size = min(size, MAX_PAGE_SIZE)
    raw_cursor = _one(params, "cursor")
    cursor = None
    if raw_cursor:
        try:
            cursor = decode_cursor(raw_cursor, scope=scope)
        except ForeignCursor as exc:
            raise BadRequest("Query parameter 'cursor' was issued by another list; it pages only that one.") from exc
        except InvalidCursor as exc:
            raise BadRequest("Query parameter 'cursor' is not a cursor this server issued.") from exc
        if parse_uuid(cursor.id) is None:
            raise BadRequest("Query parameter 'cursor' is not a cursor this server issued.")
    return PageParams(cursor=cursor, page_size=size)


def _expand(params: Mapping[str, Any], spec: ModelSpec) -> tuple[str, ...]:
    values = params.getall("expand", []) if hasattr(params, "getall") else []
    names = [name.strip() for value in values for name in str(value).split(",") if name.strip()]
    unknown = [name for name in names if name not in spec.expand]
    if unknown:
        allowed = ", ".join(sorted(spec.expand)) or "nothing"
        raise BadRequest(
            f"Query parameter 'expand' has unknown value(s) {', '.join(unknown)}; {spec.name} can expand {allowed}."
        )
    return tuple(dict.fromkeys(names))


def _blank_means_any(rule: Filter) -> bool:
    """Merge's enum filters list "" as a choice meaning "any"; its id filters (django-filter's) skip "" too."""
    return isinstance(rule, IdEquals) or (isinstance(rule, Equals) and rule.choices is not None)


def _tests(params: Mapping[str, Any], spec: ModelSpec) -> list[KeyTest]:
    tests: list[KeyTest] = []
    for name, rule in spec.list_filters.items():
        if isinstance(rule, BoolEquals):
            flag = parse_bool(params, name)
            if flag is not None:
                tests.append(KeyTest(rule.field, "eq", "true" if flag else "false"))
            continue
        if isinstance(rule, DateAfter | DateBefore):
            micros = _datetime_micros(params, name)
            if micros is not None:
                op = "gt" if isinstance(rule, DateAfter) else "lt"
                tests.append(KeyTest(rule.field, op, canonical(clock.from_micros(micros))))
            continue
        raw = _one(params, name)
        if raw is None or (raw == "" and _blank_means_any(rule)):
            continue
        if isinstance(rule, Contains):
            tests.append(KeyTest(rule.field, "icontains", raw))
        elif isinstance(rule, IdEquals):
            wanted = parse_uuid(raw)
            if wanted is None:
                raise BadRequest(f"Query parameter '{name}' must be a UUID, not {raw!r}.")
            tests.append(KeyTest(rule.field, "eq", str(wanted)))
        elif isinstance(rule, Equals):
            if rule.choices is not None and raw not in {str(member.value) for member in rule.choices}:
                allowed = ", ".join(str(member.value) for member in rule.choices)
                raise BadRequest(f"Query parameter '{name}' must be one of {allowed}, not {raw!r}.")
            tests.append(KeyTest(rule.field, "eq", raw))
    return tests


def parse_list(params: Mapping[str, Any], spec: ModelSpec, account_id: uuid.UUID) -> ListParams:
    """Everything a list request of ``spec`` may carry."""
    generic = spec.created_modified_filters
    query = RecordQuery(
        linked_account_id=account_id,
        model=spec.name,
        created_after=_datetime_micros(params, "created_after") if generic else None,
        created_before=_datetime_micros(params, "created_before") if generic else None,
        modified_after=_datetime_micros(params, "modified_after") if generic else None,
        modified_before=_datetime_micros(params, "modified_before") if generic else None,
        remote_id=_one(params, "remote_id") if spec.remote_id_filter else None,
        include_deleted=bool(parse_bool(params, "include_deleted_data")),
        tests=tuple(_tests(params, spec)),
    )
    return ListParams(
        page=parse_page(params, list_scope(spec.name, account_id)),
        query=query,
        expand=_expand(params, spec),
        include_remote_data=bool(parse_bool(params, "include_remote_data")),
    )


def parse_retrieve(params: Mapping[str, Any], spec: ModelSpec) -> RetrieveParams:
    """``expand`` and ``include_remote_data`` of a retrieve request."""
    return RetrieveParams(
        expand=_expand(params, spec), include_remote_data=bool(parse_bool(params, "include_remote_data"))
    )
