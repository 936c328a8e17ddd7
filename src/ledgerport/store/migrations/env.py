"""Alembic environment: runs on a connection handed over by :func:`ledgerport.store.migrate.upgrade`."""

from __future__ import annotations

from alembic import context

from ledgerport.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `ledgerport migrate`, which supplies the database connection")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,  # SQLite alters tables by copying them; batch mode does that for us
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
