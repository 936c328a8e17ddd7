"""Link sessions: Merge's link flow from ``POST /link-token`` to the public-token exchange, one row per flow.

```
create_link_session ─► link token (shown once)
      │  the person picks an integration
start_link_session  ─► OAuth state (the row remembers its digest)
      │  the provider redirects back
claim_link_state    ─► the row, state cleared so a replayed callback finds nothing
      │  the linked account is made
finish_link_session ─► public token (shown once)
      │  the organization's backend exchanges it
claim_public_token  ─► the row, deleted: a public token works once
```

Every token (link token, state, public token) is random and stored only as a digest, like API keys. What the flow
learns on the way (end user, chosen integration, provider origin, the sealed account token until it is exchanged)
lives in ``details``; the caller decides its keys and seals what is secret.
"""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from sqlalchemy import delete, select, update
from sqlalchemy.engine import RowMapping

from ledgerport.kit import clock
from ledgerport.kit.secrets import digest, new_secret
from ledgerport.store.engine import ReadSession, WriteSession
from ledgerport.store.tables import link_sessions

__all__ = [
    "LinkSession",
    "NewLinkSession",
    "claim_link_state",
    "claim_public_token",
    "create_link_session",
    "delete_expired_link_sessions",
    "find_link_session",
    "finish_link_session",
    "start_link_session",
]

LINK_TOKEN_PREFIX = "lpl_"  # noqa: S105 - a prefix, not a secret
PUBLIC_TOKEN_PREFIX = "lpp_"  # noqa: S105


class LinkSession(msgspec.Struct, frozen=True, kw_only=True):
    """A link flow as stored (no secrets but what the caller sealed into ``details``)."""

    id: uuid.UUID
    organization_id: uuid.UUID
    linked_account_id: uuid.UUID | None
    details: dict[str, Any]
    created_at: int
    expires_at: int

    def expired(self, now: int | None = None) -> bool:
        """Whether the flow's time is up (epoch microseconds)."""
        return self.expires_at <= (clock.now_micros() if now is None else now)


class NewLinkSession(msgspec.Struct, frozen=True):
    """A freshly made link session with its link token, shown once and never stored."""

    session: LinkSession
    link_token: str


_COLUMNS = [link_sessions.c[field] for field in LinkSession.__struct_fields__]


def _session(row: RowMapping) -> LinkSession:
    return LinkSession(**{field: row[field] for field in LinkSession.__struct_fields__})


async def create_link_session(
    session: WriteSession, *, organization_id: uuid.UUID, details: dict[str, Any], expires_at: int
) -> NewLinkSession:
    """Insert a link flow for an organization and issue its link token."""
    token = new_secret(LINK_TOKEN_PREFIX)
    made = LinkSession(
        id=uuid.uuid4(),
        organization_id=organization_id,
        linked_account_id=None,
        details=details,
        created_at=clock.now_micros(),
        expires_at=expires_at,
    )
    await session.execute(
        link_sessions.insert().values(**msgspec.structs.asdict(made), link_token_digest=digest(token))
    )
    return NewLinkSession(session=made, link_token=token)


async def find_link_session(session: ReadSession, *, link_token: str) -> LinkSession | None:
    """The flow a link token names, expired or not (the caller tells the person which)."""
    statement = select(*_COLUMNS).where(link_sessions.c.link_token_digest == digest(link_token))
    row = (await session.execute(statement)).mappings().first()
    return None if row is None else _session(row)


async def start_link_session(
    session: WriteSession, *, session_id: uuid.UUID, state: str, details: dict[str, Any]
) -> None:
    """Remember the OAuth ``state`` sent to the provider (replacing an earlier attempt's) and the updated details."""
    await session.execute(
        update(link_sessions).where(link_sessions.c.id == session_id).values(state=digest(state), details=details)
    )


async def claim_link_state(session: WriteSession, *, state: str) -> LinkSession | None:
    """The flow waiting for this ``state``, which is cleared in the same statement: a callback is honoured once."""
    statement = (
        update(link_sessions).where(link_sessions.c.state == digest(state)).values(state=None).returning(*_COLUMNS)
    )
    row = (await session.execute(statement)).mappings().first()
    return None if row is None else _session(row)


async def finish_link_session(
    session: WriteSession, *, session_id: uuid.UUID, linked_account_id: uuid.UUID, details: dict[str, Any]
) -> str:
    """Attach the new linked account to the flow and issue the public token that exchanges for its account token."""
    token = new_secret(PUBLIC_TOKEN_PREFIX)
    await session.execute(
        update(link_sessions)
        .where(link_sessions.c.id == session_id)
        .values(public_token_digest=digest(token), linked_account_id=linked_account_id, details=details)
    )
    return token


async def claim_public_token(
    session: WriteSession, *, organization_id: uuid.UUID, public_token: str
) -> LinkSession | None:
    """Spend a public token: the finished, unexpired flow of this organization it names, deleted as it is read.

    Another organization's token, an expired one and a spent one all find nothing, and leave the row alone.
    """
    c = link_sessions.c
    statement = (
        delete(link_sessions)
        .where(
            c.public_token_digest == digest(public_token),
            c.organization_id == organization_id,
            c.linked_account_id.is_not(None),
            c.expires_at > clock.now_micros(),
        )
        .returning(*_COLUMNS)
    )
    row = (await session.execute(statement)).mappings().first()
    return None if row is None else _session(row)


async def delete_expired_link_sessions(session: WriteSession, *, before: int | None = None) -> int:
    """Drop flows whose time is up (with any sealed account token never exchanged); returns how many."""
    moment = clock.now_micros() if before is None else before
    result = await session.execute(delete(link_sessions).where(link_sessions.c.expires_at <= moment))
    return int(result.rowcount)  # type: ignore[attr-defined]
