"""A linked account's field mappings (Merge's linked-account-defined targets), and what a change to one sets off.

A mapping names a provider value (a traversal path into the records of one common model, fetched from one provider
endpoint) and the target field it is shown as, under each record's ``field_mappings``. Values are filled in by the
sync, when documents are built; so a mapping made, changed or removed restarts that model's sync from the
beginning (its watermark is cleared here, in the transaction of the change) and the change is written to the audit
trail with Merge's ``*_LINKED_ACCOUNT_FIELD_MAPPING`` event types.

A sync already running when the watermark is cleared kept the old one in memory: :func:`sync_restarted` lets it
see the clearing before it walks the model (``ledgerport.sync.field_mappings`` asks).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import msgspec
from sqlalchemy import and_, delete, select, update

from ledgerport.kit import clock
from ledgerport.store.audit import SYSTEM, Actor, record_audit_event
from ledgerport.store.engine import ReadSession, WriteSession
from ledgerport.store.tables import field_mappings, records, sync_states

__all__ = [
    "CHANGED_FIELD_MAPPING",
    "CREATED_FIELD_MAPPING",
    "DELETED_FIELD_MAPPING",
    "FieldMapping",
    "NewFieldMapping",
    "PathStep",
    "add_field_mapping",
    "change_field_mapping",
    "find_field_mapping",
    "list_field_mappings",
    "remove_field_mapping",
    "sample_remote_data",
    "sync_restarted",
]

CREATED_FIELD_MAPPING = "CREATED_LINKED_ACCOUNT_FIELD_MAPPING"
CHANGED_FIELD_MAPPING = "CHANGED_LINKED_ACCOUNT_FIELD_MAPPING"
DELETED_FIELD_MAPPING = "DELETED_LINKED_ACCOUNT_FIELD_MAPPING"

PathStep = str | int
"""One step of a traversal path: an object's key, or a position in a list."""


class NewFieldMapping(msgspec.Struct, frozen=True, kw_only=True):
    """A mapping to make, already validated by the caller."""

    model: str
    target_field_name: str
    target_field_description: str
    remote_field_traversal_path: list[PathStep]
    remote_method: str
    remote_url_path: str


class FieldMapping(NewFieldMapping, frozen=True, kw_only=True):
    """A stored mapping; times in epoch microseconds."""

    id: uuid.UUID
    linked_account_id: uuid.UUID
    created_at: int
    modified_at: int


_path_decoder = msgspec.json.Decoder(list[PathStep])
_COLUMNS = [field_mappings.c[name] for name in FieldMapping.__struct_fields__]


def _mapping(row: dict[str, object]) -> FieldMapping:
    values = dict(row)
    values["remote_field_traversal_path"] = _path_decoder.decode(str(values["remote_field_traversal_path"]))
    return FieldMapping(**values)  # type: ignore[arg-type]


async def list_field_mappings(
    session: ReadSession | WriteSession, *, linked_account_id: uuid.UUID, model: str | None = None
) -> list[FieldMapping]:
    """The account's mappings (of ``model`` only, when given), oldest first."""
    c = field_mappings.c
    conditions = [c.linked_account_id == linked_account_id]
    if model is not None:
        conditions.append(c.model == model)
    rows = await session.execute(select(*_COLUMNS).where(and_(*conditions)).order_by(c.created_at, c.id))
    return [_mapping(dict(row)) for row in rows.mappings()]


async def find_field_mapping(
    session: ReadSession | WriteSession, *, linked_account_id: uuid.UUID, mapping_id: uuid.UUID
) -> FieldMapping | None:
    """The account's mapping ``mapping_id``; ``None`` for another account's, as for one that does not exist."""
    c = field_mappings.c
    row = (
        (await session.execute(select(*_COLUMNS).where(c.id == mapping_id, c.linked_account_id == linked_account_id)))
        .mappings()
        .first()
    )
    return None if row is None else _mapping(dict(row))


async def _restart_sync(session: WriteSession, *, linked_account_id: uuid.UUID, model: str) -> None:
    """The model's next sync reads everything again, so every record is rebuilt with the account's mappings."""
    await session.execute(
        update(sync_states)
        .where(sync_states.c.linked_account_id == linked_account_id, sync_states.c.model == model)
        .values(watermark=None)
    )


async def sync_restarted(session: ReadSession, *, linked_account_id: uuid.UUID, model: str) -> bool:
    """Whether the model's stored watermark is cleared: no page was stored since a mapping changed (or ever)."""
    c = sync_states.c
    found = await session.execute(select(c.watermark).where(c.linked_account_id == linked_account_id, c.model == model))
    row = found.first()
    return row is None or row[0] is None


def _describe(mapping: FieldMapping) -> str:
    path = msgspec.json.encode(mapping.remote_field_traversal_path).decode()
    return (
        f"field mapping {mapping.id} ('{mapping.target_field_name}' of {mapping.model}) for linked account "
        f"{mapping.linked_account_id}: {mapping.remote_method} {mapping.remote_url_path} {path}"
    )


async def add_field_mapping(
    session: WriteSession,
    *,
    organization_id: uuid.UUID,
    linked_account_id: uuid.UUID,
    mapping: NewFieldMapping,
    actor: Actor = SYSTEM,
) -> FieldMapping:
    """Store a new mapping, restart its model's sync and record the event. The caller checked the target name is
    free (the unique constraint backs it)."""
    now = clock.now_micros()
    made = FieldMapping(
        **msgspec.structs.asdict(mapping),
        id=uuid.uuid4(),
        linked_account_id=linked_account_id,
        created_at=now,
        modified_at=now,
    )
    values = msgspec.structs.asdict(made)
    values["remote_field_traversal_path"] = msgspec.json.encode(made.remote_field_traversal_path).decode()
    await session.execute(field_mappings.insert().values(**values))
    await _restart_sync(session, linked_account_id=linked_account_id, model=mapping.model)
    await record_audit_event(
        session,
        organization_id=organization_id,
        actor=actor,
        event_type=CREATED_FIELD_MAPPING,
        description=f"Created {_describe(made)}.",
    )
    return made


async def change_field_mapping(
    session: WriteSession,
    *,
    organization_id: uuid.UUID,
    linked_account_id: uuid.UUID,
    mapping_id: uuid.UUID,
    remote_field_traversal_path: Sequence[PathStep] | None = None,
    remote_method: str | None = None,
    remote_url_path: str | None = None,
    actor: Actor = SYSTEM,
) -> FieldMapping | None:
    """Change where a mapping reads its value (what is not given stays); ``None`` if the account has no such
    mapping."""
    found = await find_field_mapping(session, linked_account_id=linked_account_id, mapping_id=mapping_id)
    if found is None:
        return None
    changed = msgspec.structs.replace(
        found,
        remote_field_traversal_path=(
            found.remote_field_traversal_path
            if remote_field_traversal_path is None
            else list(remote_field_traversal_path)
        ),
        remote_method=found.remote_method if remote_method is None else remote_method,
        remote_url_path=found.remote_url_path if remote_url_path is None else remote_url_path,
        modified_at=clock.now_micros(),
    )
    await session.execute(
        update(field_mappings)
        .where(field_mappings.c.id == mapping_id)
        .values(
            remote_field_traversal_path=msgspec.json.encode(changed.remote_field_traversal_path).decode(),
            remote_method=changed.remote_method,
            remote_url_path=changed.remote_url_path,
            modified_at=changed.modified_at,
        )
    )
    await _restart_sync(session, linked_account_id=linked_account_id, model=found.model)
    await record_audit_event(
        session,
        organization_id=organization_id,
        actor=actor,
        event_type=CHANGED_FIELD_MAPPING,
        description=f"Changed {_describe(changed)}.",
    )
    return changed


async def remove_field_mapping(
    session: WriteSession,
    *,
    organization_id: uuid.UUID,
    linked_account_id: uuid.UUID,
    mapping_id: uuid.UUID,
    actor: Actor = SYSTEM,
) -> FieldMapping | None:
    """Delete a mapping (its target leaves the documents at the model's next sync); ``None`` if there was none."""
    found = await find_field_mapping(session, linked_account_id=linked_account_id, mapping_id=mapping_id)
    if found is None:
        return None
    await session.execute(delete(field_mappings).where(field_mappings.c.id == mapping_id))
    await _restart_sync(session, linked_account_id=linked_account_id, model=found.model)
    await record_audit_event(
        session,
        organization_id=organization_id,
        actor=actor,
        event_type=DELETED_FIELD_MAPPING,
        description=f"Deleted {_describe(found)}.",
    )
    return found


async def sample_remote_data(
    session: ReadSession, *, linked_account_id: uuid.UUID, model: str, limit: int
) -> list[bytes]:
    """The stored provider JSON (``remote_data``) of up to ``limit`` live records of the model, newest first."""
    c = records.c
    rows = await session.execute(
        select(c.remote_data)
        .where(
            c.linked_account_id == linked_account_id,
            c.model == model,
            c.remote_was_deleted.is_(False),
            c.remote_data.is_not(None),
        )
        .order_by(c.created_at.desc(), c.id.desc())
        .limit(limit)
    )
    return [bytes(row[0]) for row in rows]
