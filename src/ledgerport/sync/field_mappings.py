"""Field mappings in the sync: each record's mapped provider values, put in its document as it is built.

Stored documents are the exact bytes the API serves, so a mapped value is written into ``field_mappings`` here,
once per sync, and never looked up on a read. The engine makes two calls per walk of a model: :func:`targets_for`
before it (the account's mappings of the model, read once), and :func:`with_targets` on each page's records.

A record's value for a mapping is what its provider JSON holds at the mapping's traversal path (keys of objects,
positions in lists; ``null`` when a step is missing), when the record came from the mapping's endpoint: the path
of the URL it was read from ends, segment by segment, with the mapping's ``remote_url_path`` (so ``/query``, the
full path and the full URL all name QuickBooks' query endpoint; ``{id}`` matches any segment, and a record stored
with its own URL, as written ones are until the next sync reads them, is at ``.../<resource>/{id}``). The method is
not compared: the sync reads with whatever its stream uses (``GET``, or ``POST`` for NetSuite's SuiteQL), and
``/remote-fields`` shows ``GET`` for every endpoint.

:func:`remote_fields` is the other half, for ``GET /remote-fields``: the paths that sampled provider records hold,
with each one's JSON type and example values, so a caller can pick a path a mapping will find.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import msgspec

from ledgerport.connectors._base.mapping import ModelMap
from ledgerport.store import Database
from ledgerport.store.field_mappings import PathStep, list_field_mappings, sync_restarted
from ledgerport.store.records import NewRecord

__all__ = [
    "FoundField",
    "Target",
    "came_from",
    "json_type",
    "remote_fields",
    "schema_of",
    "targets_for",
    "url_path",
    "value_at",
    "with_targets",
    "withheld_paths",
]

_MISSING = object()


class Target(msgspec.Struct, frozen=True):
    """One mapping as the sync applies it."""

    name: str
    path: tuple[PathStep, ...]
    url_path: str


_RECORD_ID = re.compile(r"\d+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def url_path(address: str) -> str:
    """The endpoint a record was read from: the path of its URL, without a trailing slash, and with a final
    segment that is a record's id (a record read alone, or written, is stored with its own URL) as ``{id}``."""
    path = urlsplit(address).path if "://" in address else address.split("?", 1)[0]
    head, _, last = path.rstrip("/").rpartition("/")
    if head and _RECORD_ID.fullmatch(last):
        return f"{head}/{{id}}"
    return path.rstrip("/") or "/"


def came_from(endpoint: str, address: str) -> bool:
    """Whether a record read from ``address`` came from the mapping's ``endpoint``: the endpoint's segments end
    the address's path (``{...}`` matching any one)."""
    wanted = [segment for segment in url_path(endpoint).split("/") if segment]
    seen = [segment for segment in url_path(address).split("/") if segment]
    if not wanted or len(wanted) > len(seen):
        return False
    tail = seen[len(seen) - len(wanted) :]
    return all(w == s or (w.startswith("{") and w.endswith("}")) for w, s in zip(wanted, tail, strict=True))


def _step(value: Any, step: PathStep) -> Any:
    if isinstance(step, int) and not isinstance(step, bool):
        if isinstance(value, list) and -len(value) <= step < len(value):
            return value[step]
        return _MISSING
    if isinstance(value, Mapping) and step in value:
        return value[step]
    return _MISSING


def value_at(data: Any, path: Sequence[PathStep]) -> Any:
    """The value at ``path`` in provider JSON, or ``None`` where a step finds nothing."""
    value = data
    for step in path:
        value = _step(value, step)
        if value is _MISSING:
            return None
    return value


async def targets_for(
    database: Database, account_id: uuid.UUID, model: str, marks: dict[str, str]
) -> tuple[Target, ...]:
    """The account's mappings of ``model``, before the sync walks it.

    ``marks`` are the model's watermarks as the run read them when it began: a mapping made or changed since then
    cleared the stored ones, and then they are dropped here too, so this walk reads every record again."""
    async with database.read() as session:
        found = await list_field_mappings(session, linked_account_id=account_id, model=model)
        if marks and await sync_restarted(session, linked_account_id=account_id, model=model):
            marks.clear()
    return tuple(
        Target(mapping.target_field_name, tuple(mapping.remote_field_traversal_path), mapping.remote_url_path)
        for mapping in found
    )


Withheld = tuple[tuple[str, ...], ...]
"""Provider paths whose values an account's scopes keep out of storage."""


def withheld_paths(mapping: ModelMap, disabled: Collection[str]) -> Withheld:
    """Where the provider keeps the fields a scope disables: the path each disabled field's mapping reads (a field
    computed from several places names none). A disabled field is never stored, so no field mapping may store it
    under another name either: a mapping reading such a path (or an object holding it) maps ``null``."""
    found = []
    for name in disabled:
        path = getattr(mapping.fields.get(name), "path", None)
        if isinstance(path, str) and path:
            found.append(tuple(path.split(".")))
    return tuple(found)


def _withholds(withheld: Withheld, path: Sequence[PathStep]) -> bool:
    named = tuple(str(step) for step in path if isinstance(step, str))
    return any(named[: len(hidden)] == hidden or hidden[: len(named)] == named for hidden in withheld)


def _mapped(targets: Sequence[Target], remote_data: Any, withheld: Withheld) -> dict[str, Any]:
    entries = remote_data if isinstance(remote_data, list) else []
    values: dict[str, Any] = {}
    for target in targets:
        value = None
        if withheld and _withholds(withheld, target.path):
            values[target.name] = value
            continue
        for entry in entries:
            if isinstance(entry, Mapping) and came_from(target.url_path, str(entry.get("path", ""))):
                value = value_at(entry.get("data"), target.path)
                break
        values[target.name] = value
    return {"organization_defined_targets": {}, "linked_account_defined_targets": values}


def with_targets(targets: Sequence[Target], items: list[NewRecord], withheld: Withheld = ()) -> list[NewRecord]:
    """A page's records with their mapped values under ``field_mappings`` (as they are when there are none);
    ``withheld`` (:func:`withheld_paths`) are the paths the account's scopes keep out."""
    if not targets:
        return items
    return [
        msgspec.structs.replace(
            item,
            model=msgspec.structs.replace(item.model, field_mappings=_mapped(targets, item.remote_data, withheld)),  # type: ignore[call-arg]
        )
        for item in items
    ]


class FoundField(msgspec.Struct, kw_only=True):
    """A path the sampled records of one endpoint hold, for ``GET /remote-fields``."""

    url_path: str
    path: tuple[PathStep, ...]
    types: set[str] = msgspec.field(default_factory=set)
    examples: list[Any] = msgspec.field(default_factory=list)
    seen: int = 0


MAX_POSITIONS = 10
"""Positions of a list walked for paths: enough for custom-field lists, not every line of a long invoice."""
MAX_FIELDS = 2000
"""Paths listed per model at most."""
MAX_EXAMPLES = 5


def json_type(value: Any) -> str:
    """The JSON type of a decoded value, as a JSON schema names it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float) or type(value).__name__ == "Decimal":
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _leaves(value: Any, path: tuple[PathStep, ...]) -> Iterable[tuple[tuple[PathStep, ...], Any]]:
    """Every scalar (and every empty object or list) in ``value``, with its path."""
    if isinstance(value, Mapping) and value:
        for key, inner in value.items():
            yield from _leaves(inner, (*path, str(key)))
    elif isinstance(value, list) and value:
        for position, inner in enumerate(value[:MAX_POSITIONS]):
            yield from _leaves(inner, (*path, position))
    elif path:
        yield path, value


def remote_fields(remote_data: Iterable[Any], *, examples: bool) -> list[FoundField]:
    """The leaf paths of sampled records (each one's stored ``remote_data``), per endpoint, in first-seen order."""
    found: dict[tuple[str, tuple[PathStep, ...]], FoundField] = {}
    for entries in remote_data:
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, Mapping):
                continue
            endpoint = url_path(str(entry.get("path", "")))
            for path, value in _leaves(entry.get("data"), ()):
                key = (endpoint, path)
                field = found.get(key)
                if field is None:
                    if len(found) >= MAX_FIELDS:
                        continue
                    field = found[key] = FoundField(url_path=endpoint, path=path)
                field.seen += 1
                field.types.add(json_type(value))
                keep = examples and value is not None and len(field.examples) < MAX_EXAMPLES
                if keep and value not in field.examples:
                    field.examples.append(value)
    return list(found.values())


def schema_of(types: set[str]) -> dict[str, Any]:
    """A JSON schema for values of these JSON types (``null`` left out once anything else was seen)."""
    kinds = types - {"null"} or types or {"null"}
    if kinds == {"integer", "number"}:
        kinds = {"number"}
    if len(kinds) == 1:
        return {"type": next(iter(kinds))}
    return {"type": sorted(kinds)}
