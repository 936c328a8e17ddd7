"""A linked account's scopes (which common models it syncs and may write, which fields are kept) and its
selective-sync conditions (which records are kept), and how they apply to what is stored.

**Defaults.** Every model and field is enabled; ``WRITE`` is enabled for the models Merge can write. The defaults
are fixed: Merge sets an organization's defaults in its dashboard, not through its API, and ledgerport offers no
way to change them (a linked account's own scopes do everything a tenant needs). A linked account with no row in
``linked_account_scopes`` has the defaults and no condition.

**What a disabled scope means for the store.** Nothing the provider says about a disabled field is kept:

* a field in ``disabled_fields`` is ``null`` in every stored document (the sync writes it so, and changing the
  scopes rewrites the documents already stored at once, ``filter_values`` included);
* a model with any disabled field keeps no ``remote_data``: the provider's record holds the disabled value under
  the provider's own name, and which provider keys feed which common field is not something the mapping tables
  can answer for every provider, so the whole provider record is dropped (``include_remote_data`` then gives
  ``remote_data: null`` for that model);
* a model with ``READ`` disabled is not synced, and the records it had are deleted when the scope changes;
* a record that does not meet the account's selective-sync conditions is not stored, and the stored records that
  no longer meet new conditions are deleted when the conditions change.

Changing either clears the account's watermarks, so the next sync (queued by the API) reads everything again under
the new rules: re-enabled fields and models fill back in. A sync already running when they change stores its later
pages under the new rules (:func:`rescoped`, read in each page's transaction) and keeps no watermark for them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any

import msgspec
from sqlalchemy import bindparam, delete, select, update

from ledgerport.kit import clock
from ledgerport.kit.timestamps import parse_rfc3339
from ledgerport.models import MODELS
from ledgerport.store.audit import MERGE_EVENT_TYPES, Actor, record_audit_event
from ledgerport.store.engine import ReadSession, WriteSession
from ledgerport.store.records import NewRecord, encode_document
from ledgerport.store.tables import linked_account_scopes, records, sync_states

__all__ = [
    "AccountScopes",
    "CHANGED_SCOPES",
    "Condition",
    "EVERYTHING",
    "ModelScope",
    "NOT_SCOPED",
    "account_scopes",
    "condition_value",
    "day_bound",
    "forget_records",
    "matches",
    "rescoped",
    "save_conditions",
    "save_model_scopes",
    "scoped_fields",
    "write_refused",
]

CHANGED_SCOPES = "CHANGED_SCOPES"
assert CHANGED_SCOPES in MERGE_EVENT_TYPES

NOT_SCOPED = frozenset(
    {
        *("id", "remote_id", "created_at", "modified_at", "remote_was_deleted"),
        *("field_mappings", "remote_data", "remote_fields"),
    }
)
"""Fields every record has whatever its scopes: what identifies it and what the store assigns."""


@cache
def scoped_fields(model: str) -> tuple[str, ...]:
    """The fields of a common model that scopes can disable, in Merge's order."""
    return tuple(name for name in MODELS[model].struct.__struct_fields__ if name not in NOT_SCOPED)


class ModelScope(msgspec.Struct, frozen=True, kw_only=True):
    """One model's scope for one linked account."""

    read: bool = True
    write: bool = True
    disabled_fields: tuple[str, ...] = ()


class Condition(msgspec.Struct, frozen=True, kw_only=True):
    """One configured selective-sync condition: ``schema_id`` is the offered condition it fills."""

    id: str
    schema_id: str
    common_model: str
    field_name: str
    native_name: str
    condition_type: str
    operator: str
    value: Any = None


def _moment(value: Any) -> datetime | None:
    """A date or date-time, from a stored document, a mapped Struct or a condition's value (a date is its midnight
    UTC)."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, str):
        if len(value) == 10:
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        return parse_rfc3339(value)
    return None


def condition_value(condition_type: str, operator: str, value: Any) -> Any:
    """A condition's value as it is compared (raises ``ValueError`` for a value its type cannot hold)."""
    if operator == "IS_ONE_OF":
        if not isinstance(value, list) or not value:
            raise ValueError("IS_ONE_OF takes a non-empty list")
        return [condition_value(condition_type, "EQUALS", item) for item in value]
    if condition_type in ("DATE", "DATE_TIME"):
        if not isinstance(value, str):
            raise ValueError("a date is a string such as 2024-01-31")
        moment = _moment(value)
        assert moment is not None
        return moment
    if condition_type in ("INTEGER", "FLOAT"):
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            raise ValueError("a number")
        return Decimal(str(value))
    if condition_type == "BOOLEAN":
        if not isinstance(value, bool):
            raise ValueError("true or false")
        return value
    if not isinstance(value, str):
        raise ValueError("a string")
    return value


_LOWER = frozenset({"GREATER_THAN", "GREATER_THAN_OR_EQUAL_TO"})
_UPPER = frozenset({"LESS_THAN", "LESS_THAN_OR_EQUAL_TO"})


def day_bound(condition: Condition) -> tuple[bool, date] | None:
    """A date condition as ``(lower, day)``: records on or after (``lower``) or on or before ``day``, a day wider
    than the condition (a query applying it returns a superset of what :func:`matches` keeps); ``None`` for a
    condition that is not a date range."""
    if condition.condition_type not in ("DATE", "DATE_TIME") or condition.operator not in _LOWER | _UPPER:
        return None
    try:
        moment = _moment(condition.value)
    except ValueError:
        return None
    if moment is None:
        return None
    day = moment.astimezone(UTC).date()
    lower = condition.operator in _LOWER
    return lower, day - timedelta(days=1) if lower else day + timedelta(days=1)


def _comparable(condition_type: str, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Enum):
        value = value.value
    if condition_type in ("DATE", "DATE_TIME"):
        try:
            return _moment(value)
        except ValueError:
            return None
    if condition_type in ("INTEGER", "FLOAT"):
        return Decimal(str(value))
    return value


def matches(condition: Condition, value: Any) -> bool:
    """Whether a record's ``value`` of the condition's field meets it; a missing value meets only ``NOT_EQUALS``."""
    wanted = condition_value(condition.condition_type, condition.operator, condition.value)
    have = _comparable(condition.condition_type, value)
    operator = condition.operator
    if have is None:
        return operator == "NOT_EQUALS"
    if operator == "EQUALS":
        return bool(have == wanted)
    if operator == "NOT_EQUALS":
        return bool(have != wanted)
    if operator == "IS_ONE_OF":
        return have in wanted
    if operator == "CONTAINS":
        return str(wanted).lower() in str(have).lower()
    try:
        if operator == "GREATER_THAN":
            return bool(have > wanted)
        if operator == "GREATER_THAN_OR_EQUAL_TO":
            return bool(have >= wanted)
        if operator == "LESS_THAN":
            return bool(have < wanted)
        if operator == "LESS_THAN_OR_EQUAL_TO":
            return bool(have <= wanted)
    except TypeError:
        return False
    return False


class AccountScopes(msgspec.Struct, frozen=True, kw_only=True):
    """Everything that limits what one linked account syncs: per-model scopes and selective-sync conditions."""

    models: dict[str, ModelScope] = {}
    conditions: tuple[Condition, ...] = ()
    updated_at: int | None = None
    """When they last changed (epoch microseconds); ``None``: never."""

    def scope(self, model: str) -> ModelScope:
        return self.models.get(model) or _DEFAULT

    def reads(self, model: str) -> bool:
        """Whether the model is synced and served."""
        return self.scope(model).read

    def writes(self, model: str) -> bool:
        """Whether the model may be written (``READ`` disabled disables it too: a written record is stored)."""
        scope = self.scope(model)
        return scope.read and scope.write

    def conditions_of(self, model: str) -> tuple[Condition, ...]:
        return tuple(condition for condition in self.conditions if condition.common_model == model)

    def keeps(self, model: str, value_of: Any) -> bool:
        """Whether a record meets every condition on its model; ``value_of(field)`` reads the record."""
        return all(matches(condition, value_of(condition.field_name)) for condition in self.conditions_of(model))

    def redact(self, model: str, item: NewRecord) -> NewRecord:
        """The record with its disabled fields null and, if any is disabled, no provider data."""
        disabled = self.scope(model).disabled_fields
        if not disabled:
            return item
        fields = item.model.__struct_fields__
        cleared = msgspec.structs.replace(item.model, **{name: None for name in disabled if name in fields})
        return msgspec.structs.replace(item, model=cleared, remote_data=None)

    def split(self, model: str, items: Sequence[NewRecord]) -> tuple[list[NewRecord], list[str]]:
        """What a sync stores of a page (the records meeting the conditions, redacted), and the remote ids of those
        that do not meet them (a sync removes any it stored); each record is tested once."""
        if model not in self.models and not self.conditions:
            return list(items), []
        kept, excluded = list(items), []
        if self.conditions_of(model):
            kept = []
            for item in items:
                if self.keeps(model, lambda name, m=item.model: getattr(m, name, None)):
                    kept.append(item)
                else:
                    excluded.append(item.remote_id)
        return [self.redact(model, item) for item in kept], excluded

    def restrict(self, model: str, items: Sequence[NewRecord]) -> list[NewRecord]:
        """What a sync stores of a page: the records meeting the conditions, redacted."""
        return self.split(model, items)[0]


_DEFAULT = ModelScope()
EVERYTHING = AccountScopes()
"""An account without scopes of its own: every model and field, no condition."""

_decoder = msgspec.json.Decoder(float_hook=Decimal)


async def account_scopes(session: ReadSession | WriteSession, *, linked_account_id: uuid.UUID) -> AccountScopes:
    """The account's scopes and conditions (:data:`EVERYTHING` when it has none of its own)."""
    c = linked_account_scopes.c
    row = (
        await session.execute(
            select(c.models, c.conditions, c.updated_at).where(c.linked_account_id == linked_account_id)
        )
    ).first()
    if row is None:
        return EVERYTHING
    return AccountScopes(
        models=msgspec.convert(row[0], dict[str, ModelScope]),
        conditions=msgspec.convert(row[1], tuple[Condition, ...]),
        updated_at=row[2],
    )


async def rescoped(
    session: WriteSession,
    linked_account_id: uuid.UUID,
    loaded: AccountScopes,
    model: str,
    items: Sequence[NewRecord],
) -> tuple[list[NewRecord], bool]:
    """A page a sync mapped under ``loaded``, as the account's scopes say now, read in the transaction that stores
    it: a change made while the sync ran (its rewrite of the stored records already committed) must not be undone by
    the pages that follow. The flag says whether the scopes are still ``loaded``; when not, the page's watermark must
    not be kept (the change cleared them so that the next sync reads everything under the new scopes)."""
    now = await account_scopes(session, linked_account_id=linked_account_id)
    if now == loaded:
        return list(items), True
    return (now.restrict(model, items) if now.reads(model) else []), False


async def forget_records(
    session: WriteSession, *, linked_account_id: uuid.UUID, model: str, remote_ids: Sequence[str]
) -> None:
    """Records a sync read that no longer meet the account's conditions (an invoice re-dated before the window):
    removed, as a change of the conditions removes the records it leaves out."""
    c = records.c
    for start in range(0, len(remote_ids), 500):
        chunk = list(remote_ids[start : start + 500])
        await session.execute(
            delete(records).where(c.linked_account_id == linked_account_id, c.model == model, c.remote_id.in_(chunk))
        )


async def _save(session: WriteSession, linked_account_id: uuid.UUID, scopes: AccountScopes) -> None:
    c = linked_account_scopes.c
    values = {
        "models": msgspec.to_builtins(scopes.models),
        "conditions": msgspec.to_builtins(scopes.conditions),
        "updated_at": clock.now_micros(),
    }
    changed = await session.execute(
        update(linked_account_scopes).where(c.linked_account_id == linked_account_id).values(**values)
    )
    if changed.rowcount == 0:  # type: ignore[attr-defined]
        await session.execute(linked_account_scopes.insert().values(linked_account_id=linked_account_id, **values))


async def save_model_scopes(
    session: WriteSession,
    *,
    organization_id: uuid.UUID,
    linked_account_id: uuid.UUID,
    models: Mapping[str, ModelScope],
    actor: Actor,
) -> AccountScopes:
    """Replace the account's model scopes (models absent from ``models`` fall back to the defaults), rewrite what is
    stored to match and forget the watermarks; the audit trail records it as Merge's ``CHANGED_SCOPES``."""
    before = await account_scopes(session, linked_account_id=linked_account_id)
    kept = {name: scope for name, scope in models.items() if scope != _DEFAULT}
    scopes = AccountScopes(models=kept, conditions=before.conditions)
    await _save(session, linked_account_id, scopes)
    await _apply(session, linked_account_id, scopes, set(kept))
    changes = ", ".join(_describe(name, scope) for name, scope in sorted(kept.items())) or "the defaults"
    await record_audit_event(
        session,
        organization_id=organization_id,
        actor=actor,
        event_type=CHANGED_SCOPES,
        description=f"Changed the scopes of linked account {linked_account_id}: {changes}.",
    )
    return scopes


def write_refused(model: str) -> tuple[str, str]:
    """The title and detail of a write refused because the model's ``WRITE`` (or ``READ``) scope is disabled."""
    return (
        "Scope Disabled",
        f"Writing {model} records is disabled by this linked account's scopes (see /linked-account-scopes).",
    )


def _describe(name: str, scope: ModelScope) -> str:
    parts = [] if scope.read else ["READ disabled"]
    parts += [] if scope.write else ["WRITE disabled"]
    parts += [f"fields disabled: {', '.join(scope.disabled_fields)}"] if scope.disabled_fields else []
    return f"{name} ({'; '.join(parts)})"


async def save_conditions(
    session: WriteSession, *, linked_account_id: uuid.UUID, conditions: Iterable[Condition]
) -> AccountScopes:
    """Replace the account's selective-sync conditions, delete the stored records that no longer meet them and
    forget the watermarks."""
    before = await account_scopes(session, linked_account_id=linked_account_id)
    scopes = AccountScopes(models=before.models, conditions=tuple(conditions))
    await _save(session, linked_account_id, scopes)
    await _apply(session, linked_account_id, scopes, {condition.common_model for condition in scopes.conditions})
    return scopes


async def _apply(session: WriteSession, linked_account_id: uuid.UUID, scopes: AccountScopes, models: set[str]) -> None:
    """Make the stored records of ``models`` what a sync under ``scopes`` would have stored, and let the next sync
    read everything again."""
    c = records.c
    for model in sorted(models):
        mine = (c.linked_account_id == linked_account_id) & (c.model == model)
        if not scopes.reads(model):
            await session.execute(delete(records).where(mine))
            continue
        disabled = scopes.scope(model).disabled_fields
        if not disabled and not scopes.conditions_of(model):
            continue
        ids = [row[0] for row in await session.execute(select(c.id).where(mine))]
        for start in range(0, len(ids), 500):
            rows = await session.execute(
                select(c.id, c.document, c.filter_values).where(c.id.in_(ids[start : start + 500]))
            )
            gone: list[uuid.UUID] = []
            updates: list[dict[str, Any]] = []
            for row_id, document, filter_values in rows:
                content = _decoder.decode(document)
                if not scopes.keeps(model, content.get):
                    gone.append(row_id)
                    continue
                for name in disabled:
                    if name in content:
                        content[name] = None
                kept = {key: (None if key in disabled else value) for key, value in (filter_values or {}).items()}
                updates.append({"target_id": row_id, "document": encode_document(content), "filter_values": kept})
            if gone:
                await session.execute(delete(records).where(c.id.in_(gone)))
            if updates and disabled:
                await session.execute(
                    update(records)
                    .where(c.id == bindparam("target_id"))
                    .values(remote_data=None)
                    .execution_options(synchronize_session=False),
                    updates,
                )
    await session.execute(
        update(sync_states).where(sync_states.c.linked_account_id == linked_account_id).values(watermark=None)
    )
