"""OData query options over a table: ``$filter``, ``$orderby``, ``$skip``, ``$top``, ``$select``, ``$expand`` and
server-driven paging.

Paging (FACTS §2): at most 20,000 entities a page, fewer with ``Prefer: odata.maxpagesize=N``; a fuller result gets
``@odata.nextLink``, the same URL with a ``$skiptoken``. The token carries the offset and the id of the last row sent,
so a row deleted between pages does not shift the next page. A filtered, ordered id list is cached per query and
company write-version: a sync paging 100,000 invoices scans them once, not once a page.
"""

from __future__ import annotations

import base64
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from ledgerport.sandboxes.business_central.catalog import SETS, EntitySet, field_type
from ledgerport.sandboxes.business_central.enums import unescape
from ledgerport.sandboxes.business_central.errors import ODataError
from ledgerport.sandboxes.business_central.filters import compile_filter
from ledgerport.sandboxes.business_central.store import Company, Row, Table, etag_of

__all__ = [
    "Expansion",
    "MAX_PAGE",
    "Options",
    "QueryCache",
    "next_link",
    "page_size",
    "parse_expand",
    "render",
    "run_query",
]

MAX_PAGE = 20_000

# Single-valued navigation properties: name -> (target set, field holding the target id).
_SINGLE = {
    "customer": ("customers", "customerId"),
    "vendor": ("vendors", "vendorId"),
    "item": ("items", "itemId"),
    "account": ("accounts", "accountId"),
    "paymentTerm": ("paymentTerms", "paymentTermsId"),
    "currency": ("currencies", "currencyId"),
    "dimension": ("dimensions", "dimensionId"),
    "journal": ("journals", "journalId"),
}


@dataclass
class Expansion:
    """One ``$expand`` item with its nested options."""

    name: str
    options: dict[str, str] = field(default_factory=dict)


@dataclass
class Options:
    """The query options of one request."""

    filter: str | None = None
    orderby: str | None = None
    top: int | None = None
    skip: int = 0
    select: list[str] | None = None
    expand: list[Expansion] = field(default_factory=list)
    skiptoken: str | None = None

    @classmethod
    def parse(cls, query: dict[str, str]) -> Options:
        """From the query string (BC rejects a negative or non-numeric ``$top``/``$skip``)."""

        def number(name: str) -> int | None:
            text = query.get(name)
            if text is None:
                return None
            if not text.isdigit():
                raise ODataError(
                    400, "BadRequest_InvalidRequestUrl", f"Invalid value '{text}' for {name} query option found."
                )
            return int(text)

        select = query.get("$select")
        expand = query.get("$expand")
        return cls(
            filter=query.get("$filter") or None,
            orderby=query.get("$orderby") or None,
            top=number("$top"),
            skip=number("$skip") or 0,
            select=[part.strip() for part in select.split(",") if part.strip()] if select else None,
            expand=parse_expand(expand) if expand else [],
            skiptoken=query.get("$skiptoken"),
        )


def _split(text: str, separator: str) -> list[str]:
    parts, depth, current = [], 0, []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == separator and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


def parse_expand(text: str) -> list[Expansion]:
    """``salesInvoiceLines($filter=…;$select=…;$expand=item),customer``."""
    items = []
    for part in _split(text, ","):
        if "(" in part:
            name, inner = part.split("(", 1)
            inner = inner[: inner.rfind(")")]
            options = {}
            for option in _split(inner, ";"):
                key, _, value = option.partition("=")
                options[key.strip().lower()] = value.strip()
            items.append(Expansion(name.strip(), options))
        else:
            items.append(Expansion(part))
    return items


def page_size(prefer: str | None) -> tuple[int, bool]:
    """The page size a ``Prefer`` header asks for (capped at 20,000), and whether it asked."""
    for part in (prefer or "").split(","):
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "odata.maxpagesize" and value.strip().isdigit():
            return max(1, min(MAX_PAGE, int(value.strip()))), True
    return MAX_PAGE, False


def _order_key(table: Table, orderby: str) -> Callable[[Row], Any]:
    """A sort key for ``$orderby`` (``field [asc|desc]`` comma-separated); enums sort on their plain names."""
    keys: list[tuple[int, bool, bool]] = []
    for part in orderby.split(","):
        words = part.split()
        if not words:
            continue
        name = words[0]
        if name not in table.pos:
            raise ODataError(
                400,
                "BadRequest_NotFound",
                f"Could not find a property named '{name}' on type 'Microsoft.NAV.{table.spec.entity}'.",
            )
        descending = len(words) > 1 and words[1].lower() == "desc"
        keys.append((table.pos[name], descending, field_type(name, table.spec) == "enum"))
    return lambda row: tuple((unescape(row[i]) if enum else row[i]) for i, _, enum in keys)


def _sorted(table: Table, rows: list[Row], orderby: str) -> list[Row]:
    """Stable multi-key sort, one pass per key from the last, so each key may be asc or desc."""
    result = rows
    for part in reversed([p for p in orderby.split(",") if p.strip()]):
        key = _order_key(table, part)
        result = sorted(result, key=key, reverse=len(part.split()) > 1 and part.split()[1].lower() == "desc")
    return result


class QueryCache:
    """The last few filtered, ordered row lists, keyed by query and the company's write-version."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self.entries: OrderedDict[tuple[Any, ...], list[Row]] = OrderedDict()

    def get(self, key: tuple[Any, ...], build: Callable[[], list[Row]]) -> list[Row]:
        """The cached list, or a freshly built one."""
        found = self.entries.get(key)
        if found is None:
            found = build()
            self.entries[key] = found
            if len(self.entries) > self.size:
                self.entries.popitem(last=False)
        else:
            self.entries.move_to_end(key)
        return found


def _token(offset: int, last_id: str) -> str:
    return base64.urlsafe_b64encode(f"{offset}:{last_id}".encode()).decode().rstrip("=")


def _untoken(token: str) -> tuple[int, str]:
    try:
        offset, _, last = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode().partition(":")
        return int(offset), last
    except (ValueError, UnicodeDecodeError) as error:
        raise ODataError(400, "BadRequest_InvalidRequestUrl", f"The skip token '{token}' is not valid.") from error


def run_query(
    table: Table,
    rows: Callable[[], Iterable[Row]],
    options: Options,
    *,
    page: int,
    cache: QueryCache | None = None,
    cache_key: tuple[Any, ...] | None = None,
) -> tuple[list[Row], int | None]:
    """The rows of this page and, when more follow, the offset the next page starts at."""

    def build() -> list[Row]:
        selected: Iterable[Row] = rows()
        if options.filter:
            predicate = compile_filter(options.filter, table.spec, table.pos)
            selected = [row for row in selected if predicate(row)]
        listed = list(selected)
        if options.orderby:
            listed = _sorted(table, listed, options.orderby)
        return listed

    if cache is not None and cache_key is not None:
        matched = cache.get((*cache_key, options.filter, options.orderby), build)
    else:
        matched = build()
    window = matched[options.skip :]
    if options.top is not None:
        window = window[: options.top]
    start = 0
    if options.skiptoken:
        start, last_id = _untoken(options.skiptoken)
        if not (0 < start <= len(window) and window[start - 1][0] == last_id):
            found = next((index for index, row in enumerate(window) if row[0] == last_id), None)
            start = found + 1 if found is not None else min(start, len(window))
    chunk = window[start : start + page]
    following = start + page if start + page < len(window) else None
    return chunk, following


def next_link(base_url: str, query: dict[str, str], offset: int, last_id: str) -> str:
    """The URL of the next page: the same request with a fresh ``$skiptoken``."""
    kept = {key: value for key, value in query.items() if key != "$skiptoken"}
    kept["$skiptoken"] = _token(offset, last_id)
    return base_url + "?" + urlencode(kept, safe="$(),'=:")


def render(
    company: Company,
    table: Table,
    row: Row,
    select: list[str] | None = None,
    expand: list[Expansion] | None = None,
) -> dict[str, Any]:
    """One entity as BC writes it: its ETag first, then the fields (all, or ``$select``'s), then expansions."""
    out: dict[str, Any] = {"@odata.etag": etag_of(row[-1])}
    if select:
        for name in select:
            if name in table.pos:
                out[name] = row[table.pos[name]]
            elif not any(item.name == name for item in expand or ()):
                raise ODataError(
                    400,
                    "BadRequest_NotFound",
                    f"Could not find a property named '{name}' on type 'Microsoft.NAV.{table.spec.entity}'.",
                )
    else:
        out.update(zip(table.fields, row, strict=False))
    for item in expand or ():
        out[item.name] = _expanded(company, table, row, item)
    return out


def _expanded(company: Company, table: Table, row: Row, item: Expansion) -> Any:
    spec: EntitySet = table.spec
    if item.name == spec.lines:
        child = company.tables[item.name]
        options = Options.parse(item.options)
        children, _ = run_query(child, lambda: child.of_parent(row[0]), options, page=MAX_PAGE)
        return [render(company, child, c, options.select, options.expand) for c in children]
    single = _SINGLE.get(item.name)
    if single is not None and single[1] in table.pos:
        target = company.tables[single[0]]
        found = target.rows.get(row[table.pos[single[1]]])
        options = Options.parse(item.options)
        return render(company, target, found, options.select, options.expand) if found is not None else None
    if item.name in SETS or item.name:
        raise ODataError(
            400,
            "BadRequest_NotFound",
            f"Could not find a property named '{item.name}' on type 'Microsoft.NAV.{spec.entity}'.",
        )
    return None
