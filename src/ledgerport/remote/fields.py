"""Remote field classes of a linked account, and the remote field values of its records.

Fixed classes are the connector's data. Custom ones are defined in the company's settings at the provider, which
no sync stream reads, and a field defined but not yet used on any record exists only there; so they are asked of
the provider when first needed and remembered per account and model for ``CLASS_SECONDS``. When the provider
cannot answer, the last answer is used however old it is, and only an account never answered fails. Values never
need the provider: each record's own JSON (its stored ``remote_data``) carries its fields' keys and names.

A class's id is derived like a record's (UUIDv5 of the account, the model and the provider's key of the field),
so it is the same from the definitions and from a record, in every process, and survives a rename.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any

from ledgerport.connectors._base import Connector, ConnectorError
from ledgerport.connectors._base.remote_fields import FieldClass, RemoteFields, fixed_values
from ledgerport.remote.opening import ProviderDeps, open_provider
from ledgerport.store.records import record_id

__all__ = ["CLASS_SECONDS", "class_document", "class_id", "field_classes", "record_remote_fields"]

CLASS_SECONDS = 600.0
_MAX_CACHED = 10_000


def class_id(account_id: uuid.UUID, model: str, key: str) -> str:
    """The stable id of the class ``key`` of ``model`` in this linked account."""
    return str(record_id(account_id, "RemoteFieldClass", f"{model}/{key}"))


def class_document(account_id: uuid.UUID, model: str, field: FieldClass) -> dict[str, Any]:
    """Merge's ``RemoteFieldClass`` object."""
    return {
        "id": class_id(account_id, model, field.key),
        "display_name": field.display_name,
        "remote_key_name": field.key,
        "description": field.description,
        "is_custom": field.is_custom,
        "is_common_model_field": field.is_common_model_field,
        "is_required": field.is_required,
        "field_type": field.field_type,
        "field_format": field.field_format,
        "field_choices": None if field.field_choices is None else list(field.field_choices),
        "item_schema": None,
    }


async def _defined(
    deps: ProviderDeps, account_id: uuid.UUID, model: str, table: RemoteFields
) -> tuple[FieldClass, ...]:
    assert table.custom is not None
    key = (account_id, model)
    cached = deps.field_classes.get(key)
    if cached is not None and cached[0] >= time.monotonic():
        return cached[1]
    try:
        opened = await open_provider(deps, account_id)
        found = tuple(await table.custom.definitions(opened.client))
    except ConnectorError:
        if cached is not None:
            return cached[1]
        raise
    if len(deps.field_classes) >= _MAX_CACHED:
        deps.field_classes.clear()
    deps.field_classes[key] = (time.monotonic() + CLASS_SECONDS, found)
    return found


async def field_classes(
    deps: ProviderDeps | None, account_id: uuid.UUID, connector: Connector | None, model: str
) -> list[FieldClass]:
    """Every remote field class of ``model`` for this account: the fixed ones, then the company's own.

    Raises :class:`ConnectorError` when the company's own must be asked and the provider has never answered."""
    table = None if connector is None else connector.remote_fields.get(model)
    if table is None:
        return []
    found = [fixed.field for fixed in table.fixed]
    if table.custom is not None and deps is not None:
        found += await _defined(deps, account_id, model, table)
    return found


def _record_of(remote_data: Any) -> Mapping[str, Any] | None:
    """The provider record inside stored ``remote_data`` (``[{"path", "data"}]``)."""
    if isinstance(remote_data, list):
        for entry in remote_data:
            if isinstance(entry, Mapping) and isinstance(entry.get("data"), Mapping):
                return entry["data"]  # type: ignore[no-any-return]
    return None


def record_remote_fields(
    account_id: uuid.UUID, connector: Connector | None, model: str, remote_data: Any
) -> list[dict[str, Any]]:
    """Merge's ``remote_fields`` of one record: ``[{remote_field_class, value}]`` from its stored provider JSON."""
    table = None if connector is None else connector.remote_fields.get(model)
    record = _record_of(remote_data)
    if table is None or record is None:
        return []
    pairs = fixed_values(table, record)
    if table.custom is not None:
        pairs += table.custom.values(record)
    return [{"remote_field_class": class_document(account_id, model, field), "value": value} for field, value in pairs]
