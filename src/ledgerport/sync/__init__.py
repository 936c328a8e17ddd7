"""Syncs: provider data into the store (engine), tokens kept fresh across workers, schedules."""

from ledgerport.sync.engine import SyncDeps, SyncReport, sync_account

__all__ = ["SyncDeps", "SyncReport", "sync_account"]
