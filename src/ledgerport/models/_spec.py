"""The vocabulary of :mod:`ledgerport.models.registry`: how a common model is listed, filtered and expanded.

A ``ModelSpec`` is data; the store and the API read it and never branch on a model's name. Filters name the
query parameter Merge defines and the document field it tests; the store extracts each filtered field into the
record's ``filter_values`` column when the record is written, so no filter ever decodes a document.

```
Filter ── Equals(field)                 ?status=PAID            filter_values.status == "PAID"
       ├─ IdEquals(field)                ?contact_id=<uuid>       filter_values.contact == "<uuid>" (400 if no UUID)
       ├─ DateAfter(field) / DateBefore  ?issue_date_after=...   filter_values.issue_date > "2024-...Z"
       ├─ BoolEquals(field)              ?is_customer=true        filter_values.is_customer == "true"
       └─ Contains(field)                ?name=acme               filter_values.name contains "acme" (case-insensitive)
```
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Literal

import msgspec

__all__ = [
    "BoolEquals",
    "Contains",
    "DateAfter",
    "DateBefore",
    "Equals",
    "Filter",
    "IdEquals",
    "ModelSpec",
    "Relation",
]


class Equals(msgspec.Struct, frozen=True):
    """The document field equals the parameter; ``choices`` (an enum) restricts what the parameter may be."""

    field: str
    choices: type[enum.Enum] | None = None


class IdEquals(msgspec.Struct, frozen=True):
    """The document field holds the id of another record (``contact``) and equals the parameter.

    The parameter must be a UUID: any other text can name no record of ours, and answering it with an empty page
    would hide the caller's mistake (a provider's id where ours belongs, say)."""

    field: str


class DateAfter(msgspec.Struct, frozen=True):
    """The document's date-time field is strictly after the parameter."""

    field: str


class DateBefore(msgspec.Struct, frozen=True):
    """The document's date-time field is strictly before the parameter."""

    field: str


class BoolEquals(msgspec.Struct, frozen=True):
    """The document's boolean field equals the parameter (``true`` / ``false``)."""

    field: str


class Contains(msgspec.Struct, frozen=True):
    """The document's text field contains the parameter, case-insensitively (Merge's ``name`` filters)."""

    field: str


Filter = Equals | IdEquals | DateAfter | DateBefore | BoolEquals | Contains


class Relation(msgspec.Struct, frozen=True):
    """An ``expand`` value: the document field holding an id (``one``) or a list of ids (``many``).

    ``model`` names the stored common model the ids point at. ``None`` means the field already holds nested
    objects (``line_items``) or points at rows that are not stored on their own, so expanding it changes nothing.
    """

    field: str
    model: str | None
    cardinality: Literal["one", "many"] = "one"


class ModelSpec(msgspec.Struct, frozen=True):
    """One common model as the API serves it.

    ``name`` is Merge's model name (``Invoice``); ``path`` the URL segment (``invoices``); ``filters`` maps a query
    parameter to its test; ``expand`` maps an ``expand`` value to its relation; ``company_field`` names the field
    ``company_id`` filters on (``None`` where Merge offers no ``company_id`` filter).
    """

    name: str
    path: str
    struct: type[msgspec.Struct]
    filters: Mapping[str, Filter] = {}
    expand: Mapping[str, Relation] = {}
    company_field: str | None = "company"
    remote_id_filter: bool = True
    created_modified_filters: bool = True
    writes: tuple[Literal["create", "update", "bulk", "apply"], ...] = ()
    """Merge's write operations on the model (``POST /<path>``, ``PATCH /<path>/{id}`` and their meta, ``POST
    /<path>/bulk``, ``POST /<path>/{id}/application`` for a credit applied to a document); whether a linked
    account's integration can do them is its connector's answer."""
    remote_fields: bool = False
    """Merge serves ``GET /<path>/remote-field-classes`` and ``include_remote_fields`` for the model."""
    remote_field_lines: tuple[str, str] | None = None
    """``(segment, line model)`` of the lines' classes: ``GET /<path>/<segment>/remote-field-classes``."""
    file_field: str | None = None
    """The document field the API answers as the record's download link (``GET /<path>/{id}/download``, which
    streams the file from the provider); ``None`` for models that are not files."""
    nested: Mapping[str, str] = {}
    """Document field → the model of the nested objects it lists that Merge also serves by id (``addresses`` →
    ``Address``): the store gives each such object a stable ``id`` when it writes the record, and indexes it."""
    lines: ModelSpec | None = None
    """The line model that ``GET /<path>/{id}/<lines.path>`` pages: ``lines.path`` is both the URL segment and the
    document field holding the lines (an expense report's ``lines``), ``lines.expand`` what a line can expand."""
    notes: str | None = None
    """Why an integration may hold no records of this model (shown in the documentation of its list operation)."""

    @property
    def list_filters(self) -> dict[str, Filter]:
        """Every filter a list request may carry: ``filters``, and ``company_id`` where there is a company field."""
        if self.company_field is None:
            return dict(self.filters)
        return {**self.filters, "company_id": IdEquals(self.company_field)}

    @property
    def key_fields(self) -> tuple[str, ...]:
        """The document fields that filters test; the store copies them into each record's ``filter_values``."""
        fields = [rule.field for rule in self.filters.values()]
        if self.company_field is not None:
            fields.append(self.company_field)
        return tuple(dict.fromkeys(fields))
