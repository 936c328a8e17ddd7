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
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.dialects.postgresql import BYTEA, JSONB

__all__ = [
    "api_keys",
    "audit_events",
    "bulk_batches",
    "bulk_items",
    "credentials",
    "field_mappings",
    "issues",
    "jobs",
    "link_sessions",
    "linked_account_scopes",
    "linked_accounts",
    "metadata",
    "nested_objects",
    "organizations",
    "passthrough_receipts",
    "records",
    "sync_runs",
    "sync_states",
    "webhook_deliveries",
    "webhook_endpoints",
    "webhook_events",
    "webhook_receivers",
    "write_logs",
    "write_operations",
    "write_tasks",
]

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
)

nested_objects = Table(
    "nested_objects",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("linked_account_id", Uuid, ForeignKey("linked_accounts.id", ondelete="CASCADE"), nullable=False),
    Column("record_id", Uuid, ForeignKey("records.id", ondelete="CASCADE"), nullable=False),
    Column("model", String(64), nullable=False),
    Column("field", String(64), nullable=False),
    Column("position", Integer, nullable=False),
    Index("ix_nested_objects_record_id", "record_id"),
)
"""Where each nested object Merge also serves by id (a contact's or company's addresses and phone numbers) is:
its record and its position in one of the record's lists. Written with the record, so ``GET /addresses/{id}`` is
one primary-key probe and a read of that record, never a scan of every contact."""

credentials = Table(
    "credentials",
    metadata,
    Column("linked_account_id", Uuid, ForeignKey("linked_accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("connector", String(64), nullable=False),
    Column("base_url", String(500), nullable=True),
    Column("secret", _Bytes, nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)
"""A linked account's provider credentials: the token set and account facts, encrypted (``secret``).

``version`` grows by one on every refresh; a worker that refreshed writes only if the version it read is still
current, so two workers refreshing at once never lose the newest (rotating) refresh token. ``base_url`` overrides
the provider's real origin (a sandbox)."""

sync_states = Table(
    "sync_states",
    metadata,
    Column("linked_account_id", Uuid, ForeignKey("linked_accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("model", String(64), primary_key=True),
    Column("status", String(32), nullable=False),
    Column("is_initial_sync", Boolean, nullable=False),
    Column("watermark", Text, nullable=True),
    Column("last_sync_start", BigInteger, nullable=True),
    Column("last_sync_finished", BigInteger, nullable=True),
    Column("last_sync_result", String(32), nullable=True),
    Column("next_sync_start", BigInteger, nullable=True),
    Column("data_fresh_as_of", BigInteger, nullable=True),
    Column("reason", String(2000), nullable=True),
)
"""Per linked account and common model: where the last sync got to (``watermark``) and how it ended."""

sync_runs = Table(
    "sync_runs",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("linked_account_id", Uuid, ForeignKey("linked_accounts.id", ondelete="CASCADE"), nullable=False),
    Column("job_id", Uuid, nullable=True),
    Column("started_at", BigInteger, nullable=False),
    Column("finished_at", BigInteger, nullable=False),
    Column("result", String(16), nullable=False),
    Column("fetched", _Json, nullable=False),
    Column("deleted", _Json, nullable=False),
    Column("requests", BigInteger, nullable=False),
    Column("reason", String(2000), nullable=True),
    Index("ix_sync_runs_linked_account_id_started_at", "linked_account_id", "started_at"),
)
"""One run of a sync job, written when it ends: ``result`` is DONE, FAILED, THROTTLED (re-queued for later) or
STOPPED (its worker stopped; the job runs again), ``fetched``/``deleted`` count records per model, and ``reason`` is
the failure's cause as sync-status words it (never an exception's text)."""

audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("user_name", String(200), nullable=True),
    Column("user_email", String(320), nullable=True),
    Column("role", String(16), nullable=False),
    Column("ip_address", String(64), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("event_description", String(2000), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Index("ix_audit_events_organization_id_created_at_id", "organization_id", "created_at", "id"),
)
"""Merge's audit trail: who changed what in an organization's setup (API keys, linked accounts, webhook
endpoints), written in the transaction of the change; ``role`` and ``event_type`` use Merge's names."""

jobs = Table(
    "jobs",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("kind", String(64), nullable=False),
    Column("linked_account_id", Uuid, ForeignKey("linked_accounts.id", ondelete="CASCADE"), nullable=True),
    Column("payload", _Json, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", BigInteger, nullable=False),
    Column("takeovers", BigInteger, nullable=False, server_default="0"),
    Column("run_after", BigInteger, nullable=False),
    Column("lease_owner", String(64), nullable=True),
    Column("lease_expires_at", BigInteger, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("finished_at", BigInteger, nullable=True),
    Column("error", String(4000), nullable=True),
    Column("dedupe_key", String(200), nullable=True),
    Index("ix_jobs_status_run_after", "status", "run_after"),
    UniqueConstraint("dedupe_key"),
)
"""Durable jobs: the row is the truth. A worker leases a row (``lease_owner``/``lease_expires_at``), renews the
lease while it works, and finishes it; a lease that expires (a killed worker) makes the row claimable again.
``attempts`` counts runs that ended in (or are running after) a failure, ``takeovers`` claims of an expired lease.
``dedupe_key`` keeps one queued or running job per purpose (one sync per linked account)."""

issues = Table(
    "issues",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("linked_account_id", Uuid, ForeignKey("linked_accounts.id", ondelete="CASCADE"), nullable=True),
    Column("status", String(16), nullable=False),
    Column("error_description", String(500), nullable=False),
    Column("error_details", _Json, nullable=True),
    Column("is_muted", Boolean, nullable=False),
    Column("first_incident_time", BigInteger, nullable=False),
    Column("last_incident_time", BigInteger, nullable=False),
    Index("ix_issues_organization_id_first_incident_time", "organization_id", "first_incident_time", "id"),
)
"""Merge's Issues: a problem with a linked account that a person may need to act on (a failed sync)."""

link_sessions = Table(
    "link_sessions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("link_token_digest", String(64), nullable=False, unique=True),
    Column("state", String(64), nullable=True, unique=True),
    Column("public_token_digest", String(64), nullable=True, unique=True),
    Column("linked_account_id", Uuid, ForeignKey("linked_accounts.id", ondelete="CASCADE"), nullable=True),
    Column("details", _Json, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
)
"""A link flow in progress: ``POST /link-token`` → provider consent (``state``) → callback → public token."""

write_operations = Table(
    "write_operations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("linked_account_id", Uuid, ForeignKey("linked_accounts.id", ondelete="CASCADE"), nullable=False),
    Column("idempotency_key", String(255), nullable=False),
    Column("request_digest", String(64), nullable=False),
    Column("model", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("record_id", Uuid, nullable=True),
    Column("state", String(16), nullable=False),
    Column("lease_expires_at", BigInteger, nullable=True),
    Column("attempts", BigInteger, nullable=False),
    Column("status_code", BigInteger, nullable=True),
    Column("response", _Bytes, nullable=True),
    Column("remote_id", String(255), nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("finished_at", BigInteger, nullable=True),
    UniqueConstraint("linked_account_id", "idempotency_key"),
    Index("ix_write_operations_created_at", "created_at"),
)
"""One row per intended change to a provider (a create or an update), written before the provider is called.

``state`` is ``sending`` while a process owns it (until ``lease_expires_at``), ``done`` once its answer is final
(``status_code`` and ``response`` are what every replay of the same ``idempotency_key`` gets), and ``retry`` when
the outcome is unknown or nothing was written (an outage, a throttle): a request with the same key takes it up
again and presents the provider the same idempotency key (derived from ``id``), so the provider dedupes."""

write_logs = Table(
    "write_logs",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("linked_account_id", Uuid, ForeignKey("linked_accounts.id", ondelete="CASCADE"), nullable=False),
    Column("operation_id", Uuid, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("method", String(16), nullable=False),
    Column("url", String(2000), nullable=False),
    Column("status_code", BigInteger, nullable=True),
    Column("duration_ms", BigInteger, nullable=False),
    Column("request", _Bytes, nullable=True),
    Column("response", _Bytes, nullable=True),
    Index("ix_write_logs_created_at", "created_at"),
)
"""Debug logs of the provider calls a write made (``is_debug_mode=true``), credentials removed; kept for a
configurable time."""

passthrough_receipts = Table(
    "passthrough_receipts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("linked_account_id", Uuid, ForeignKey("linked_accounts.id", ondelete="CASCADE"), nullable=False),
    Column("request", _Bytes, nullable=False),
    Column("status", String(16), nullable=False),
    Column("status_code", BigInteger, nullable=True),
    Column("response", _Bytes, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("finished_at", BigInteger, nullable=True),
    Index("ix_passthrough_receipts_created_at", "created_at"),
)
"""One asynchronous passthrough (``POST /async-passthrough``): the request as it came, and once a worker sent it,
the answer ``GET /async-passthrough/{id}`` gives (``status`` QUEUED → IN_PROGRESS → DONE)."""

write_tasks = Table(
    "write_tasks",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("linked_account_id", Uuid, ForeignKey("linked_accounts.id", ondelete="CASCADE"), nullable=False),
    Column("idempotency_key", String(255), nullable=True),
    Column("request_digest", String(64), nullable=False),
    Column("model", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("record_id", Uuid, nullable=True),
    Column("request", _Bytes, nullable=False),
    Column("debug", Boolean, nullable=False, default=False),
    Column("status", String(16), nullable=False),
    Column("status_code", BigInteger, nullable=True),
    Column("response", _Bytes, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("started_at", BigInteger, nullable=True),
    Column("finished_at", BigInteger, nullable=True),
    UniqueConstraint("linked_account_id", "idempotency_key"),
    Index("ix_write_tasks_created_at", "created_at"),
)
"""One asynchronous write (``POST /<path>/async``, ``run_async=true``): the request as it came, and what it
answered once a worker ran it (``status`` QUEUED → IN_PROGRESS → COMPLETED | FAILURE).

Apart from ``write_operations`` because a task lives before and beside its operation: it holds the request body
the worker needs, it is polled by id, it exists for a request that fails validation (which never claims an
operation), and its ``idempotency_key`` is the caller's key for the submission, while the operation it runs is
keyed by the task (``task <id>``), so a retried job presents the provider the same key."""

bulk_batches = Table(
    "bulk_batches",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("linked_account_id", Uuid, ForeignKey("linked_accounts.id", ondelete="CASCADE"), nullable=False),
    Column("model", String(64), nullable=False),
    Column("idempotency_key", String(255), nullable=True),
    Column("request_digest", String(64), nullable=False),
    Column("status", String(16), nullable=False),
    Column("total_count", BigInteger, nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("finished_at", BigInteger, nullable=True),
    UniqueConstraint("linked_account_id", "idempotency_key"),
    Index("ix_bulk_batches_created_at", "created_at"),
)
"""One ``POST /<model>/bulk``: Merge's overall ``status`` (ENQUEUED, IN_PROGRESS, RATE_LIMITED while it runs;
SUCCESS, PARTIAL_SUCCESS or FAILED once every item is final). A repeated ``idempotency_key`` answers this batch."""

bulk_items = Table(
    "bulk_items",
    metadata,
    Column("batch_id", Uuid, ForeignKey("bulk_batches.id", ondelete="CASCADE"), primary_key=True),
    Column("position", BigInteger, primary_key=True),
    Column("item_id", String(255), nullable=False),
    Column("chunk", BigInteger, nullable=True),
    Column("target", BigInteger, nullable=True),
    Column("payload", _Bytes, nullable=True),
    Column("status", String(16), nullable=False),
    Column("record_id", Uuid, nullable=True),
    Column("error_message", Text, nullable=True),
)
"""One item of a batch, in request order. ``payload`` is the provider body built when the batch was accepted
(references already resolved), ``target`` the index of its write target, and ``chunk`` the provider batch call it
travels in (fixed at acceptance, so the call's idempotency key never changes); an item refused by validation has no
chunk and is FAILURE from the start."""

webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("organization_id", Uuid, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("url", Text, nullable=False),
    Column("events", _Json, nullable=False),
    Column("signing_key", _Bytes, nullable=False),
    Column("status", String(16), nullable=False),
    Column("status_reason", Text, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("failing_since", BigInteger, nullable=True),
    Column("last_delivered_at", BigInteger, nullable=True),
)
"""Where an organization wants events sent: ``events`` is a list of event names (``["*"]``: all of them), and
``signing_key`` the sealed HMAC key (shown to the caller once, when it is made). ``status`` is ACTIVE, or DISABLED
by its owner or after a failure streak (``status_reason`` says which); ``failing_since`` is when the current
streak of failed attempts began (none while deliveries succeed)."""

webhook_events = Table(
    "webhook_events",
    metadata,
    Column("seq", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("id", Uuid, nullable=False, unique=True),
    Column("organization_id", Uuid, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False),
    Column("linked_account_id", Uuid, nullable=True),
    Column("event", String(64), nullable=False),
    Column("data", _Bytes, nullable=False),
    Column("created_at", BigInteger, nullable=False),
)
"""The outbox: one row per event, written in the transaction that made the change, and only when some endpoint
of the organization subscribes to it. ``seq`` orders the events; ``data`` is the payload's ``data`` JSON."""

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("endpoint_id", Uuid, ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), nullable=False),
    Column("event_seq", BigInteger, ForeignKey("webhook_events.seq", ondelete="CASCADE"), nullable=False),
    Column("lane", String(36), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", BigInteger, nullable=False),
    Column("next_attempt_at", BigInteger, nullable=False),
    Column("first_attempt_at", BigInteger, nullable=True),
    Column("last_attempt_at", BigInteger, nullable=True),
    Column("last_status_code", BigInteger, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("body", _Bytes, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    Column("delivered_at", BigInteger, nullable=True),
    Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    Index("ix_webhook_deliveries_lane", "endpoint_id", "lane", "status", "event_seq"),
)
"""One event for one endpoint: PENDING until the endpoint answers 2xx (DELIVERED) or the retry window ends
(FAILED). ``lane`` is the linked account the event is about (``"-"`` for none): a lane is delivered in ``event_seq``
order, so a receiver sees an account's events in the order they happened. ``body`` is the exact signed payload,
fixed at the first attempt so every retry and replay sends the same bytes."""

webhook_receivers = Table(
    "webhook_receivers",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("linked_account_id", Uuid, ForeignKey("linked_accounts.id", ondelete="CASCADE"), nullable=False),
    Column("event", String(200), nullable=False),
    Column("is_active", Boolean, nullable=False),
    Column("key", _Bytes, nullable=True),
    Column("created_at", BigInteger, nullable=False),
    UniqueConstraint("linked_account_id", "event"),
)
"""Merge's per-account ``webhook-receivers``: which of the provider's own events the account listens to, with the
sealed key the provider signs them with."""

field_mappings = Table(
    "field_mappings",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("linked_account_id", Uuid, ForeignKey("linked_accounts.id", ondelete="CASCADE"), nullable=False),
    Column("model", String(64), nullable=False),
    Column("target_field_name", String(200), nullable=False),
    Column("target_field_description", String(2000), nullable=False),
    Column("remote_field_traversal_path", Text, nullable=False),
    Column("remote_method", String(16), nullable=False),
    Column("remote_url_path", String(1000), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("modified_at", BigInteger, nullable=False),
    UniqueConstraint("linked_account_id", "model", "target_field_name"),
)
"""Merge's linked-account field mappings: the provider value at ``remote_field_traversal_path`` (JSON text, a list
of keys and positions) of each record of ``model`` fetched from ``remote_url_path``, shown as the target
field ``target_field_name`` under the record's ``field_mappings``."""

linked_account_scopes = Table(
    "linked_account_scopes",
    metadata,
    Column("linked_account_id", Uuid, ForeignKey("linked_accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("models", _Json, nullable=False),
    Column("conditions", _Json, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
)
"""A linked account's scopes where they differ from the defaults (``models``: model name → ``read``, ``write``,
``disabled_fields``) and its selective-sync conditions (``conditions``); no row: every model and field, no
condition (see :mod:`ledgerport.store.scopes`)."""
