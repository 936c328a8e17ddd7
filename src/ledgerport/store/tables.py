"""Every table ledgerport keeps.

``records`` holds one row per common-model record: the serialized common model (``document``, the exact bytes the
API returns) and the provider's JSON beside it (``remote_data``). A list page is one range scan of the keyset
index ``(linked_account_id, model, created_at, id)``; the values that filters test are copied into
``filter_values`` when a record is written, so filters never decode documents and a new common model needs no
migration.

Times are integer microseconds since the epoch: they order, compare and round-trip identically on SQLite and
PostgreSQL, which is what keyset cursors need.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    LargeBinary,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.dialects.postgresql import BYTEA, JSONB

__all__ = ["api_keys", "linked_accounts", "metadata", "organizations", "records"]

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

_Json = JSON().with_variant(JSONB(), "postgresql")
_Bytes = LargeBinary().with_variant(BYTEA(), "postgresql")

organizations = Table(
    "organizations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("created_at", BigInteger, nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("key_prefix", String(16), nullable=False),
    Column("key_digest", String(64), nullable=False, unique=True),
    Column("created_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger, nullable=True),
)

linked_accounts = Table(
    "linked_accounts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("integration", String(100), nullable=False),
    Column("integration_name", String(200), nullable=False),
    Column("category", String(50), nullable=False),
    Column("end_user_organization_name", String(500), nullable=False),
    Column("end_user_email_address", String(500), nullable=True),
    Column("end_user_origin_id", String(500), nullable=True),
    Column("status", String(30), nullable=False),
    Column("is_test_account", Boolean, nullable=False, default=False),
    Column("account_token_digest", String(64), nullable=False, unique=True),
    Column("created_at", BigInteger, nullable=False),
    Column("completed_at", BigInteger, nullable=True),
    Index("ix_linked_accounts_organization_id_created_at_id", "organization_id", "created_at", "id"),
)

records = Table(
    "records",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("linked_account_id", Uuid, ForeignKey("linked_accounts.id", ondelete="CASCADE"), nullable=False),
    Column("model", String(64), nullable=False),
    Column("remote_id", String(255), nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("modified_at", BigInteger, nullable=False),
    Column("remote_was_deleted", Boolean, nullable=False, default=False),
    Column("digest", String(64), nullable=False),
    Column("filter_values", _Json, nullable=False),
    Column("document", _Bytes, nullable=False),
    Column("remote_data", _Bytes, nullable=True),
    UniqueConstraint("linked_account_id", "model", "remote_id"),
    Index("ix_records_keyset", "linked_account_id", "model", "created_at", "id"),
    Index("ix_records_modified", "linked_account_id", "model", "modified_at"),
)
