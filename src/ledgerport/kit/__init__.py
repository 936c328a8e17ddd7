"""Small building blocks that know nothing of ledgerport (time, ids, cursors, secrets, rate limits)."""

__all__: list[str] = []
