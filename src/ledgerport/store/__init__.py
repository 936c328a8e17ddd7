"""Persistence: every SQL statement ledgerport runs lives in this room."""

from ledgerport.store import accounts, records
from ledgerport.store.database import Database
from ledgerport.store.engine import ReadSession, WriteSession

__all__ = ["Database", "ReadSession", "WriteSession", "accounts", "records"]
