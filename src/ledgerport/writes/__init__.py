"""Writes: validation from the connectors' write tables, exactly-once provider calls, and the meta schemas."""

from ledgerport.writes.engine import Outcome, WriteCall, WriteDeps, perform, request_digest
from ledgerport.writes.schema import request_schema, required_fields, writable_fields

__all__ = [
    "Outcome",
    "WriteCall",
    "WriteDeps",
    "perform",
    "request_digest",
    "request_schema",
    "required_fields",
    "writable_fields",
]
