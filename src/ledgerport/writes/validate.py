"""A write request checked against its common model and the integration's write table, before any provider call.

What is checked, in Merge's problem types (each with a JSON pointer into the body):

* ``UNRECOGNIZED_FIELD`` (warning): a key that is no field of the model, or one the store fills; ignored.
* ``UNSUPPORTED_FIELD`` (warning): a field of the model this integration does not write; ignored.
* ``INCORRECT_FIELD_TYPE`` (error; warning when the value could be read, such as a date for a date-time).
* ``INVALID_FIELD_CHOICE`` (error): not a value of the field's enum, or not one this provider object takes.
* ``MISSING_REQUIRED_FIELD`` (error): the write table requires it (on create, and in each line a PATCH sends,
  since its lines replace them all; a PATCH may not clear it), or the field that chooses the provider object.
* the target's checks (journal lines that do not balance, lines that contradict the total).

References are collected here and resolved against the store by the engine (``INVALID_REFERENCE``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

import msgspec

from ledgerport.connectors._base.writes import Expect, PutLines, Target, WriteField, WriteSpec, reference_fields
from ledgerport.writes.fields import READ_ONLY, REQUEST_ONLY, convert, line_struct, request_fields
from ledgerport.writes.problems import (
    INCORRECT_FIELD_TYPE,
    INVALID_FIELD_CHOICE,
    MISSING_REQUIRED_FIELD,
    UNRECOGNIZED_FIELD,
    UNSUPPORTED_FIELD,
    Problem,
    problem,
)

__all__ = ["Checked", "Reference", "RemoteFieldInput", "check_request"]


class Reference(msgspec.Struct, frozen=True):
    """A record id the request names, where, and of which model it must be (and which of those fit)."""

    pointer: str
    model: str
    value: str
    accept: Callable[[str], bool] | None = None
    accept_note: str | None = None


class RemoteFieldInput(msgspec.Struct, frozen=True):
    """One ``remote_fields`` entry of the request: the class id it names (checked by the engine against the
    account's classes) and its value."""

    pointer: str
    remote_field_class: str
    value: Any


class Checked(msgspec.Struct, kw_only=True):
    """A request after validation: the fields that will be written, typed, and what was wrong with the rest."""

    target: Target | None
    model: dict[str, Any]
    warnings: list[Problem]
    errors: list[Problem]
    references: list[Reference]
    remote_fields: list[RemoteFieldInput] = msgspec.field(default_factory=list)
    remote_values: list[tuple[str, Any]] = msgspec.field(default_factory=list)
    """``(remote_key_name, value)`` of each remote field, once the engine has resolved their classes."""


def _remote_fields(checker: _Checker, value: Any) -> list[RemoteFieldInput]:
    """Merge's ``RemoteFieldRequest`` list: ``[{remote_field_class: <id>, value}]``."""
    if value is None:
        return []
    if not isinstance(value, list):
        checker.error(
            INCORRECT_FIELD_TYPE, "Incorrect Field Type", "expected a list of objects.", "/model/remote_fields"
        )
        return []
    found = []
    for index, entry in enumerate(value):
        pointer = f"/model/remote_fields/{index}"
        if not isinstance(entry, Mapping) or not isinstance(entry.get("remote_field_class"), str):
            checker.error(
                INCORRECT_FIELD_TYPE,
                "Incorrect Field Type",
                "each remote field must be an object with a remote_field_class id and a value.",
                pointer,
            )
            continue
        found.append(RemoteFieldInput(f"{pointer}/remote_field_class", entry["remote_field_class"], entry.get("value")))
    return found


def _required(field: WriteField) -> bool:
    return bool(getattr(field, "required", False))


def _choices(field: WriteField) -> tuple[str, ...] | None:
    return getattr(field, "choices", None)


class _Checker:
    def __init__(self, integration: str, kind: Literal["create", "update", "apply"]) -> None:
        self.integration = integration
        self.kind = kind
        self.warnings: list[Problem] = []
        self.errors: list[Problem] = []
        self.references: list[Reference] = []

    def fields(
        self,
        struct: type[msgspec.Struct],
        table: Mapping[str, WriteField],
        given: Mapping[str, Any],
        at: str,
        writable: frozenset[str] | None = None,
        *,
        whole: bool,
    ) -> dict[str, Any]:
        """The typed values of ``given`` that ``table`` writes; problems for the rest.

        ``whole``: ``given`` is a complete object (a create, or a line, which a PATCH replaces with all its lines),
        so every required field must be there; otherwise only the fields sent are checked, and may not be cleared.
        A field whose value already has an error is not reported missing as well.
        """
        known = request_fields(struct)
        accepted: dict[str, Any] = {}
        wrong: set[str] = set()
        for name, value in given.items():
            pointer = f"{at}/{name}"
            if name in REQUEST_ONLY and name not in table:
                continue
            if name not in known:
                detail = f"{name} is set by the provider or the store" if name in READ_ONLY else f"{name} is no field"
                self.warn(UNRECOGNIZED_FIELD, "Unrecognized Field", f"{detail}; it was ignored.", pointer)
                continue
            field = table.get(name)
            if field is None or (writable is not None and name not in writable):
                action = {"create": "creates", "update": "updates", "apply": "applies"}[self.kind]
                self.warn(
                    UNSUPPORTED_FIELD,
                    "Unsupported Field",
                    f"{self.integration} does not take {name} when it {action} this object; it was ignored.",
                    pointer,
                )
                continue
            errors = len(self.errors)
            accepted[name] = self.value(struct, name, known[name], field, value, pointer)
            if len(self.errors) > errors:
                wrong.add(name)
        if whole:
            for name, field in table.items():
                if name in wrong:
                    continue
                if _required(field) and (accepted.get(name) is None or accepted.get(name) == []):
                    self.error(
                        MISSING_REQUIRED_FIELD,
                        "Missing Required Field",
                        f"{name} is a required field for {self.integration}.",
                        f"{at}/{name}",
                    )
        else:
            for name in accepted:
                if name in wrong:
                    continue
                if _required(table[name]) and (accepted[name] is None or accepted[name] == []):
                    self.error(
                        MISSING_REQUIRED_FIELD,
                        "Missing Required Field",
                        f"{name} is required by {self.integration} and cannot be cleared.",
                        f"{at}/{name}",
                    )
        return accepted

    def value(
        self, struct: type[msgspec.Struct], name: str, annotation: Any, field: WriteField, value: Any, pointer: str
    ) -> Any:
        if isinstance(field, PutLines):
            return self.lines(annotation, field, value, pointer)
        converted = convert(value, annotation)
        if converted.error is not None:
            kind, title = (
                (INVALID_FIELD_CHOICE, "Invalid Field Choice")
                if converted.bad_choice
                else (INCORRECT_FIELD_TYPE, "Incorrect Field Type")
            )
            self.error(kind, title, f"{name}: {converted.error}.", pointer)
            return None
        if converted.warning is not None:
            self.warn(INCORRECT_FIELD_TYPE, "Incorrect Field Type", f"{name}: {converted.warning}.", pointer)
        choices = _choices(field)
        if choices is not None and converted.value is not None and str(converted.value) not in choices:
            self.error(
                INVALID_FIELD_CHOICE,
                "Invalid Field Choice",
                f"{name}: {self.integration} takes {', '.join(choices)} here, not {converted.value}.",
                pointer,
            )
        target = reference_fields(field)
        if target is not None and converted.value is not None:
            model, cardinality = target
            ids = converted.value if cardinality == "many" else [converted.value]
            for index, one in enumerate(ids):
                where = f"{pointer}/{index}" if cardinality == "many" else pointer
                accept, note = getattr(field, "accept", None), getattr(field, "accept_note", None)
                self.references.append(Reference(where, model, str(one), accept, note))
        return converted.value

    def lines(self, annotation: Any, field: PutLines, value: Any, pointer: str) -> list[dict[str, Any]] | None:
        struct = line_struct(annotation)
        if value is None:
            return None
        if struct is None or not isinstance(value, list):
            name = pointer.rsplit("/", 1)[-1]
            self.error(INCORRECT_FIELD_TYPE, "Incorrect Field Type", f"{name} must be a list of objects.", pointer)
            return None
        lines = []
        for index, line in enumerate(value):
            if not isinstance(line, Mapping):
                self.error(
                    INCORRECT_FIELD_TYPE, "Incorrect Field Type", "each line must be an object.", f"{pointer}/{index}"
                )
                continue
            lines.append(self.fields(struct, field.lines.fields, line, f"{pointer}/{index}", whole=True))
        return lines

    def warn(self, kind: str, title: str, detail: str, pointer: str | None) -> None:
        self.warnings.append(problem(kind, title, detail, pointer))

    def error(self, kind: str, title: str, detail: str, pointer: str | None) -> None:
        self.errors.append(problem(kind, title, detail, pointer))


def _stated(existing: Mapping[str, Any], target: Target) -> dict[str, Any]:
    """A stored record as a PATCH's checks read it: without the values the provider computes (``Expect``), which
    the change may move (an invoice's total, when its lines change); a value the request itself states is checked."""
    computed = {name for name, field in target.fields.items() if isinstance(field, Expect)}
    return {name: value for name, value in existing.items() if name not in computed}


def _no_target(checker: _Checker, spec: WriteSpec, selector: Mapping[str, Any], integration: str) -> None:
    """No target takes the request: the fields that choose one are missing (``MISSING_REQUIRED_FIELD``) or hold
    values none takes (``INVALID_FIELD_CHOICE``)."""
    accepted = " or ".join(
        ", ".join(f"{name} = {value}" for name, value in t.when.items()) for t in spec.targets if t.when
    )
    choosers = list(dict.fromkeys(name for t in spec.targets for name in t.when))
    missing = [name for name in choosers if selector.get(name) is None]
    for name in missing:
        checker.error(
            MISSING_REQUIRED_FIELD,
            "Missing Required Field",
            f"{name} is a required field for {integration}: it writes {spec.model} records with {accepted}.",
            f"/model/{name}",
        )
    if not missing:
        checker.error(
            INVALID_FIELD_CHOICE,
            "Invalid Field Choice",
            f"{integration} writes {spec.model} records only with {accepted}.",
            f"/model/{choosers[0]}" if choosers else "/model",
        )


def check_request(
    spec: WriteSpec,
    struct: type[msgspec.Struct],
    given: Any,
    *,
    integration: str,
    kind: Literal["create", "update", "apply"],
    existing: Mapping[str, Any] | None = None,
    at: str = "/model",
) -> Checked:
    """Validate ``given`` (the body's ``model`` object) for a create, or for a PATCH of the ``existing`` document;
    for an application (``kind="apply"``), the application body against ``spec.apply`` (``at`` is where the body's
    fields sit: ``""`` for the application's top-level fields)."""
    checker = _Checker(integration, kind)
    if not isinstance(given, Mapping):
        checker.error(INCORRECT_FIELD_TYPE, "Incorrect Field Type", "model must be a JSON object.", at or "/")
        return Checked(target=None, model={}, warnings=[], errors=checker.errors, references=[])
    selector = given if existing is None else {**existing, **given}
    if kind == "apply":
        if spec.apply is None:
            checker.error("ERROR", "Unsupported Operation", f"{integration} cannot apply {spec.model} records.", None)
            return Checked(target=None, model={}, warnings=[], errors=checker.errors, references=[])
        model = checker.fields(struct, spec.apply.fields, given, at, whole=True)
        if not checker.errors:
            for check in spec.apply.checks:
                why = check.test(model)
                if why is not None:
                    checker.error("ERROR", check.title, why, check.pointer)
        return Checked(
            target=spec.apply,
            model=model,
            warnings=checker.warnings,
            errors=checker.errors,
            references=checker.references,
        )
    target = spec.target_for(selector)
    if target is None:
        _no_target(checker, spec, selector, integration)
        return Checked(target=None, model={}, warnings=[], errors=checker.errors, references=[])
    writable = None if kind == "create" else (target.updatable or frozenset(target.fields))
    remote_fields: list[RemoteFieldInput] = []
    if target.remote_fields is not None and "remote_fields" in given:
        remote_fields = _remote_fields(checker, given["remote_fields"])
        given = {name: value for name, value in given.items() if name != "remote_fields"}
    model = checker.fields(struct, target.fields, given, at, writable, whole=kind == "create")
    if not checker.errors:
        merged = model if existing is None else {**_stated(existing, target), **model}
        for check in target.checks:
            why = check.test(merged)
            if why is not None:
                checker.error("ERROR", check.title, why, check.pointer)
    return Checked(
        target=target,
        model=model,
        warnings=checker.warnings,
        errors=checker.errors,
        references=checker.references,
        remote_fields=remote_fields,
    )
