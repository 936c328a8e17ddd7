"""The meta endpoints' ``request_schema``: the JSON Schema of what one integration takes for one model.

It is read from the same write tables validation reads (:mod:`ledgerport.connectors._base.writes`) and the same
field types (:mod:`ledgerport.writes.fields`). Where a model is written as one of several provider objects (a
QuickBooks invoice or bill), properties are the union, and what each object requires is stated with JSON Schema's
``if``/``then`` on the fields that choose it; ``has_conditional_params`` says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import msgspec

from ledgerport.connectors._base.writes import PutLines, Target, WriteField, WriteSpec
from ledgerport.writes.fields import json_schema, line_struct, request_fields

__all__ = ["request_schema", "required_fields", "writable_fields"]


def _describe(field: WriteField, schema: dict[str, Any]) -> dict[str, Any]:
    note = getattr(field, "note", None)
    return {**schema, "description": note} if note else schema


def _properties(struct: type[msgspec.Struct], table: Mapping[str, WriteField]) -> dict[str, Any]:
    annotations = request_fields(struct)
    properties: dict[str, Any] = {}
    for name, field in table.items():
        annotation = annotations[name]
        if isinstance(field, PutLines):
            line = line_struct(annotation)
            assert line is not None, f"{name} is written as lines but is not a list of Structs"
            items = {"type": "object", "properties": _properties(line, field.lines.fields)}
            required = [n for n, f in field.lines.fields.items() if getattr(f, "required", False)]
            if required:
                items["required"] = required
            schema: dict[str, Any] = {"type": "array", "items": items}
            if field.required:
                schema["minItems"] = 1
        else:
            schema = json_schema(annotation, getattr(field, "choices", None))
        properties[name] = _describe(field, schema)
    return properties


def _required(target: Target, kind: Literal["create", "update"]) -> list[str]:
    if kind == "update":
        return []
    return [name for name, field in target.fields.items() if getattr(field, "required", False)]


def _table(target: Target, kind: Literal["create", "update"]) -> Mapping[str, WriteField]:
    if kind == "create" or target.updatable is None:
        return target.fields
    return {name: field for name, field in target.fields.items() if name in target.updatable}


def request_schema(
    spec: WriteSpec, struct: type[msgspec.Struct], kind: Literal["create", "update"], targets: list[Target]
) -> tuple[dict[str, Any], bool]:
    """The request body's schema for ``targets`` (all of the spec's for a POST, the record's own for a PATCH), and
    whether what is required depends on other fields."""
    properties: dict[str, Any] = {}
    for target in targets:
        for name, schema in _properties(struct, _table(target, kind)).items():
            properties.setdefault(name, schema)
    required_sets = [set(_required(target, kind)) for target in targets]
    always = set.intersection(*required_sets) if required_sets else set()
    model: dict[str, Any] = {"type": "object", "properties": properties}
    if always:
        model["required"] = sorted(always)
    conditional = [
        {
            "if": {"properties": {k: {"const": v} for k, v in target.when.items()}, "required": list(target.when)},
            "then": {"required": sorted(set(_required(target, kind)) - always)},
        }
        for target in targets
        if target.when and set(_required(target, kind)) - always
    ]
    if conditional:
        model["allOf"] = conditional
    schema = {"type": "object", "properties": {"model": model}, "required": ["model"]}
    return schema, bool(conditional) or len(targets) > 1


def writable_fields(spec: WriteSpec, kind: Literal["create", "update"]) -> list[str]:
    """Every field some target of the spec writes (what ``/available-actions`` lists as supported)."""
    names: dict[str, None] = {}
    for target in spec.targets:
        names.update(dict.fromkeys(_table(target, kind)))
    return list(names)


def required_fields(spec: WriteSpec) -> list[str]:
    """Fields every target of the spec requires on create (Merge's ``required_post_parameters``)."""
    sets = [set(_required(target, "create")) for target in spec.targets]
    always = set.intersection(*sets) if sets else set()
    return [name for name in dict.fromkeys(n for t in spec.targets for n in t.fields) if name in always]
