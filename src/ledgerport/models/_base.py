"""Shared building blocks of the common models.

Every common model is a ``msgspec.Struct`` whose fields follow Merge's order and names. Conventions that keep
the wire format exact:

* Amounts are ``Decimal`` and leave the process as JSON *numbers* (the store's encoder
  uses ``decimal_format="number"``), so ``1234.10`` never passes through a binary float.
* Fields that Merge types as ``format: decimal`` strings (``exchange_rate``) are :data:`DecimalString`.
* A relation to another common model is :data:`Ref` (the related record's id as a string, or ``None``); a to-many
  relation is ``list[Ref]``. ``expand`` replaces these ids by the related documents when a page is rendered.
* ``remote_data`` is never part of the stored document: the store keeps it beside the document and the API adds
  it only when ``include_remote_data=true`` is asked for.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

__all__ = ["CommonModel", "DecimalString", "Ref", "RemoteData", "RemoteField", "RemoteFieldClass"]

Ref = Annotated[str, msgspec.Meta(description="The id of the related common-model record.")]
DecimalString = Annotated[
    str,
    msgspec.Meta(pattern=r"^-?\d{0,32}(\.\d{0,32})?$", description="An exact decimal number, as a string."),
]


class CommonModel(msgspec.Struct, kw_only=True, omit_defaults=False):
    """Base of every common model: keyword-only construction, every field present on the wire."""


class RemoteData(msgspec.Struct, kw_only=True):
    """The provider's own JSON for one record, as fetched from ``path``."""

    path: str
    data: Any = None


class RemoteFieldClass(msgspec.Struct, kw_only=True):
    """Describes a provider field that the common model does not cover."""

    id: str | None = None
    display_name: str | None = None
    remote_key_name: str | None = None
    description: str | None = None
    is_custom: bool | None = None
    is_common_model_field: bool | None = None
    is_required: bool | None = None
    field_type: str | None = None
    field_format: str | None = None
    field_choices: list[str] | None = None
    item_schema: dict[str, Any] | None = None


class RemoteField(msgspec.Struct, kw_only=True):
    """A provider field and its value for one record."""

    remote_field_class: RemoteFieldClass
    value: Any = None
