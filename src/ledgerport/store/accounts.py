"""Organizations, API keys and linked accounts: the tenancy every request is checked against.

Secrets (API keys, account tokens) are generated here, returned once, and stored only as digests
(:mod:`ledgerport.kit.secrets`). :func:`resolve_credentials` answers a request's whole authentication question in
one indexed query, because it runs before every API call.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import msgspec
from sqlalchemy import and_, delete, false, func, select, tuple_, update
from sqlalchemy.engine import RowMapping

from ledgerport.kit import clock
from ledgerport.kit.secrets import digest, new_secret
from ledgerport.store.audit import (
    CREATED_API_KEY,
    CREATED_LINKED_ACCOUNT,
    DELETED_API_KEY,
    DELETED_LINKED_ACCOUNT,
    SYSTEM,
    Actor,
    record_audit_event,
)
from ledgerport.store.engine import ReadSession, WriteSession
from ledgerport.store.keyset import beyond
from ledgerport.store.tables import api_keys, linked_accounts, nested_objects, organizations, records

__all__ = [
    "AccountFilters",
    "ApiKey",
    "Credentials",
    "LinkedAccount",
    "NewApiKey",
    "NewLinkedAccount",
    "create_api_key",
    "create_linked_account",
    "create_organization",
    "delete_linked_account",
    "find_linked_account",
    "find_linked_account_by_id",
    "find_linked_account_by_token",
    "find_live_api_key",
    "find_organization_by_name",
    "find_organization_name",
    "list_api_keys",
    "list_linked_accounts",
    "regenerate_account_token",
    "resolve_api_key",
    "resolve_credentials",
    "revoke_api_key",
    "revoke_api_key_by_id",
    "set_account_status",
]

API_KEY_PREFIX = "lpk_"
ACCOUNT_TOKEN_PREFIX = "lpt_"  # noqa: S105 - a prefix, not a secret


class LinkedAccount(msgspec.Struct, frozen=True, kw_only=True):
    """A linked account as the API describes it (no secrets)."""

    id: uuid.UUID
    organization_id: uuid.UUID
    integration: str
    integration_name: str
    category: str
    end_user_organization_name: str
    end_user_email_address: str | None
    end_user_origin_id: str | None
    status: str
    is_test_account: bool
    created_at: int
    completed_at: int | None


class NewApiKey(msgspec.Struct, frozen=True):
    """A freshly made API key; ``secret`` is shown once and never stored."""

    id: uuid.UUID
    organization_id: uuid.UUID
    secret: str


class ApiKey(msgspec.Struct, frozen=True, kw_only=True):
    """An API key as its owners may see it: never the secret, only the first characters that name it."""

    id: uuid.UUID
    organization_id: uuid.UUID
    name: str
    key_prefix: str
    created_at: int
    revoked_at: int | None


_KEY_COLUMNS = [api_keys.c[field] for field in ApiKey.__struct_fields__]


class NewLinkedAccount(msgspec.Struct, frozen=True):
    """A freshly made linked account with its account token, shown once and never stored."""

    account: LinkedAccount
    account_token: str


class Credentials(msgspec.Struct, frozen=True):
    """What a request's credentials resolve to.

    ``organization_id`` is ``None`` when the API key is unknown or revoked. ``account`` is the linked account the
    account token names, whichever organization owns it: the caller decides what a foreign one means (404).
    """

    organization_id: uuid.UUID | None
    account: LinkedAccount | None


class AccountFilters(msgspec.Struct, frozen=True, kw_only=True):
    """The filters of Merge's ``GET /linked-accounts``; ``None`` means "any"."""

    category: str | None = None
    end_user_email_address: str | None = None
    end_user_organization_name: str | None = None
    end_user_origin_id: str | None = None
    end_user_origin_ids: Sequence[str] | None = None
    ids: Sequence[uuid.UUID] | None = None
    integration_name: str | None = None
    is_test_account: bool | None = None
    status: str | None = None


def _account(row: RowMapping) -> LinkedAccount:
    return LinkedAccount(**{field: row[field] for field in LinkedAccount.__struct_fields__})


_ACCOUNT_COLUMNS = [linked_accounts.c[field] for field in LinkedAccount.__struct_fields__]


async def create_organization(session: WriteSession, *, name: str) -> uuid.UUID:
    """Insert an organization and return its id."""
    organization_id = uuid.uuid4()
    await session.execute(organizations.insert().values(id=organization_id, name=name, created_at=clock.now_micros()))
    return organization_id


async def find_organization_by_name(session: ReadSession, *, name: str) -> uuid.UUID | None:
    """The oldest organization with this name (names are labels, not keys; the demo finds its own by name)."""
    statement = (
        select(organizations.c.id).where(organizations.c.name == name).order_by(organizations.c.created_at).limit(1)
    )
    return (await session.execute(statement)).scalar()


async def create_api_key(
    session: WriteSession, *, organization_id: uuid.UUID, name: str = "default", actor: Actor = SYSTEM
) -> NewApiKey:
    """Issue an API key for an organization; only its digest is stored. The audit trail records who issued it."""
    secret = new_secret(API_KEY_PREFIX)
    key_id = uuid.uuid4()
    await record_audit_event(
        session,
        organization_id=organization_id,
        actor=actor,
        event_type=CREATED_API_KEY,
        description=f"Created API key '{name}' ({secret[:12]}...).",
    )
    await session.execute(
        api_keys.insert().values(
            id=key_id,
            organization_id=organization_id,
            name=name,
            key_prefix=secret[:12],
            key_digest=digest(secret),
            created_at=clock.now_micros(),
        )
    )
    return NewApiKey(id=key_id, organization_id=organization_id, secret=secret)


async def _revoke(session: WriteSession, key: ApiKey | None, actor: Actor) -> bool:
    """Revoke a live key found by the caller, and record it; ``False`` if it was gone or revoked meanwhile."""
    if key is None:
        return False
    c = api_keys.c
    result = await session.execute(
        update(api_keys).where(c.id == key.id, c.revoked_at.is_(None)).values(revoked_at=clock.now_micros())
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    await record_audit_event(
        session,
        organization_id=key.organization_id,
        actor=actor,
        event_type=DELETED_API_KEY,
        description=f"Revoked API key '{key.name}' ({key.key_prefix}...).",
    )
    return True


async def revoke_api_key(session: WriteSession, *, secret: str, actor: Actor = SYSTEM) -> bool:
    """Revoke the API key whose secret is given; ``False`` if there was no such live key."""
    return await _revoke(session, await resolve_api_key(session, secret=secret), actor)


async def list_api_keys(session: ReadSession, *, organization_id: uuid.UUID) -> list[ApiKey]:
    """The organization's keys, live and revoked, newest first."""
    c = api_keys.c
    statement = select(*_KEY_COLUMNS).where(c.organization_id == organization_id).order_by(c.created_at.desc(), c.id)
    return [ApiKey(**row) for row in (await session.execute(statement)).mappings()]


async def resolve_api_key(session: ReadSession, *, secret: str) -> ApiKey | None:
    """The live key whose secret is given (a sign-in), if any."""
    c = api_keys.c
    statement = select(*_KEY_COLUMNS).where(c.key_digest == digest(secret), c.revoked_at.is_(None))
    row = (await session.execute(statement)).mappings().first()
    return None if row is None else ApiKey(**row)


async def find_live_api_key(session: ReadSession, *, organization_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey | None:
    """The organization's key with this id, unless it was revoked."""
    c = api_keys.c
    statement = select(*_KEY_COLUMNS).where(
        c.id == key_id, c.organization_id == organization_id, c.revoked_at.is_(None)
    )
    row = (await session.execute(statement)).mappings().first()
    return None if row is None else ApiKey(**row)


async def revoke_api_key_by_id(
    session: WriteSession, *, organization_id: uuid.UUID, key_id: uuid.UUID, actor: Actor = SYSTEM
) -> bool:
    """Revoke one of the organization's live keys by id; ``False`` if it has no such live key."""
    key = await find_live_api_key(session, organization_id=organization_id, key_id=key_id)
    return await _revoke(session, key, actor)


async def find_organization_name(session: ReadSession, *, organization_id: uuid.UUID) -> str | None:
    """The organization's name, if it exists."""
    statement = select(organizations.c.name).where(organizations.c.id == organization_id)
    return (await session.execute(statement)).scalar()


async def create_linked_account(
    session: WriteSession,
    *,
    organization_id: uuid.UUID,
    integration: str,
    integration_name: str,
    end_user_organization_name: str,
    end_user_email_address: str | None = None,
    end_user_origin_id: str | None = None,
    category: str = "accounting",
    status: str = "COMPLETE",
    is_test_account: bool = False,
    actor: Actor = SYSTEM,
) -> NewLinkedAccount:
    """Insert a linked account and issue its account token; the audit trail records the link."""
    token = new_secret(ACCOUNT_TOKEN_PREFIX)
    now = clock.now_micros()
    account = LinkedAccount(
        id=uuid.uuid4(),
        organization_id=organization_id,
        integration=integration,
        integration_name=integration_name,
        category=category,
        end_user_organization_name=end_user_organization_name,
        end_user_email_address=end_user_email_address,
        end_user_origin_id=end_user_origin_id,
        status=status,
        is_test_account=is_test_account,
        created_at=now,
        completed_at=now if status == "COMPLETE" else None,
    )
    await session.execute(
        linked_accounts.insert().values(**msgspec.structs.asdict(account), account_token_digest=digest(token))
    )
    await record_audit_event(
        session,
        organization_id=organization_id,
        actor=actor,
        event_type=CREATED_LINKED_ACCOUNT,
        description=f"Linked {integration_name} account of '{end_user_organization_name}' ({account.id}).",
    )
    return NewLinkedAccount(account=account, account_token=token)


async def regenerate_account_token(session: WriteSession, *, account_id: uuid.UUID) -> str:
    """Replace an account's token; the old one stops working at once (within the auth cache delay)."""
    token = new_secret(ACCOUNT_TOKEN_PREFIX)
    await session.execute(
        update(linked_accounts).where(linked_accounts.c.id == account_id).values(account_token_digest=digest(token))
    )
    return token


async def resolve_credentials(session: ReadSession, *, api_key: str, account_token: str | None) -> Credentials:
    """Look up an API key and, optionally, an account token, in one query."""
    key = (
        select(api_keys.c.organization_id)
        .where(api_keys.c.key_digest == digest(api_key), api_keys.c.revoked_at.is_(None))
        .scalar_subquery()
    )
    if account_token is None:
        organization_id = (await session.execute(select(key))).scalar()
        return Credentials(organization_id=organization_id, account=None)
    row = (
        (
            await session.execute(
                select(key.label("key_organization_id"), *_ACCOUNT_COLUMNS)
                .select_from(linked_accounts)
                .where(linked_accounts.c.account_token_digest == digest(account_token))
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        organization_id = (await session.execute(select(key))).scalar()
        return Credentials(organization_id=organization_id, account=None)
    return Credentials(organization_id=row["key_organization_id"], account=_account(row))


async def find_linked_account(
    session: ReadSession, *, organization_id: uuid.UUID, account_id: uuid.UUID
) -> LinkedAccount | None:
    """The organization's linked account with this id, if it has one."""
    row = (
        (
            await session.execute(
                select(*_ACCOUNT_COLUMNS).where(
                    linked_accounts.c.id == account_id, linked_accounts.c.organization_id == organization_id
                )
            )
        )
        .mappings()
        .first()
    )
    return None if row is None else _account(row)


async def find_linked_account_by_id(session: ReadSession, *, account_id: uuid.UUID) -> LinkedAccount | None:
    """A linked account by id, whoever owns it (workers act for every organization)."""
    statement = select(*_ACCOUNT_COLUMNS).where(linked_accounts.c.id == account_id)
    row = (await session.execute(statement)).mappings().first()
    return None if row is None else _account(row)


async def set_account_status(session: WriteSession, *, account_id: uuid.UUID, status: str) -> None:
    """``COMPLETE``, ``INCOMPLETE``, ``RELINK_NEEDED`` or ``IDLE``, as Merge names a linked account's state."""
    values: dict[str, object] = {"status": status}
    if status == "COMPLETE":
        values["completed_at"] = func.coalesce(linked_accounts.c.completed_at, clock.now_micros())
    await session.execute(update(linked_accounts).where(linked_accounts.c.id == account_id).values(**values))


async def find_linked_account_by_token(session: ReadSession, *, account_token: str) -> LinkedAccount | None:
    """The linked account an account token names (CLI use: the token alone is the credential there)."""
    statement = select(*_ACCOUNT_COLUMNS).where(linked_accounts.c.account_token_digest == digest(account_token))
    row = (await session.execute(statement)).mappings().first()
    return None if row is None else _account(row)


async def list_linked_accounts(
    session: ReadSession,
    *,
    organization_id: uuid.UUID,
    filters: AccountFilters,
    after: tuple[int, uuid.UUID] | None,
    reverse: bool,
    limit: int,
    inclusive: bool = False,
) -> list[LinkedAccount]:
    """One keyset page of an organization's linked accounts, oldest first (newest first when ``reverse``)."""
    c = linked_accounts.c
    conditions = [c.organization_id == organization_id]
    equals = {
        c.category: filters.category,
        c.end_user_email_address: filters.end_user_email_address,
        c.end_user_organization_name: filters.end_user_organization_name,
        c.end_user_origin_id: filters.end_user_origin_id,
        c.integration_name: filters.integration_name,
        c.is_test_account: filters.is_test_account,
        c.status: filters.status,
    }
    conditions += [column == value for column, value in equals.items() if value is not None]
    if filters.end_user_origin_ids is not None:
        conditions.append(
            c.end_user_origin_id.in_(filters.end_user_origin_ids) if filters.end_user_origin_ids else false()
        )
    if filters.ids is not None:
        conditions.append(c.id.in_(filters.ids) if filters.ids else false())
    position = tuple_(c.created_at, c.id)
    if after is not None:
        conditions.append(beyond(position, tuple_(*after), reverse=reverse, inclusive=inclusive))
    order = (c.created_at.desc(), c.id.desc()) if reverse else (c.created_at, c.id)
    rows = (
        await session.execute(select(*_ACCOUNT_COLUMNS).where(and_(*conditions)).order_by(*order).limit(limit))
    ).mappings()
    return [_account(row) for row in rows]


async def delete_linked_account(session: WriteSession, *, account_id: uuid.UUID, actor: Actor = SYSTEM) -> None:
    """Delete a linked account; its records go with it (``ON DELETE CASCADE``). The audit trail records it."""
    account = await find_linked_account_by_id(session, account_id=account_id)
    if account is None:
        return
    await record_audit_event(
        session,
        organization_id=account.organization_id,
        actor=actor,
        event_type=DELETED_LINKED_ACCOUNT,
        description=(
            f"Deleted {account.integration_name} account of '{account.end_user_organization_name}' ({account.id})."
        ),
    )
    # Deleting records explicitly first keeps the cascade cheap and independent of the foreign-key pragma.
    await session.execute(delete(nested_objects).where(nested_objects.c.linked_account_id == account_id))
    await session.execute(delete(records).where(records.c.linked_account_id == account_id))
    await session.execute(delete(linked_accounts).where(linked_accounts.c.id == account_id))
