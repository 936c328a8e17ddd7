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
            schema = json_schema(
                annotation, getattr(field, "choices", None), required=getattr(field, "required", False)
            )
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
    whether what is required depends on other fields.

    A field every target describes alike is a plain property. One the targets describe differently (a QuickBooks
    invoice line needs an item, a bill line does not) is ``anyOf`` its forms at the top, and each target's own
    form is stated in that target's ``if``/``then``, so a request is held to the rules of the object it becomes.
    """
    described = [(target, _properties(struct, _table(target, kind))) for target in targets]
    forms: dict[str, list[dict[str, Any]]] = {}
    for _, table in described:
        for name, schema in table.items():
            if schema not in forms.setdefault(name, []):
                forms[name].append(schema)
    properties = {name: found[0] if len(found) == 1 else {"anyOf": found} for name, found in forms.items()}
    required_sets = [set(_required(target, kind)) for target in targets]
    always = set.intersection(*required_sets) if required_sets else set()
    model: dict[str, Any] = {"type": "object", "properties": properties}
    if always:
        model["required"] = sorted(always)
    conditional = []
    for target, table in described:
        extra = sorted(set(_required(target, kind)) - always)
        own = {name: schema for name, schema in table.items() if len(forms[name]) > 1}
        if not target.when or not (extra or own):
            continue
        then: dict[str, Any] = {}
        if own:
            then["properties"] = own
        if extra:
            then["required"] = extra
        condition = {"properties": {k: {"const": v} for k, v in target.when.items()}, "required": list(target.when)}
        conditional.append({"if": condition, "then": then})
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
