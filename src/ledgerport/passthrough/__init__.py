"""Passthrough: a tenant's own request sent to its linked account's provider, through the same client, budget and
logs as every other provider call, answered as Merge's ``RemoteResponse`` (``engine.py``), or queued as a job
whose answer is kept under a receipt (``tasks.py``). ``shapes.py`` holds the wire Structs."""

from ledgerport.passthrough.engine import Answer, check, relay
from ledgerport.passthrough.shapes import (
    AsyncPassthroughReciept,
    DataPassthroughRequest,
    MultipartFormFieldRequest,
    RemoteResponse,
)
from ledgerport.passthrough.tasks import PASSTHROUGH, passthrough_abandoned, passthrough_handlers, queue_passthrough

__all__ = [
    "Answer",
    "AsyncPassthroughReciept",
    "DataPassthroughRequest",
    "MultipartFormFieldRequest",
    "PASSTHROUGH",
    "RemoteResponse",
    "check",
    "passthrough_abandoned",
    "passthrough_handlers",
    "queue_passthrough",
    "relay",
]
