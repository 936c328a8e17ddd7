"""Webhooks: organizations' endpoints, signed deliveries of the outbox, retries, the delivery log and replay.

Events are written by the room that made the change, in its own transaction (:func:`ledgerport.store.webhooks.emit`);
this room sends them (``delivery.py``), signs them as Merge does (``signing.py``), wraps them in Merge's envelope
(``envelope.py``), decides which URLs may be called (``addresses.py``) and manages endpoints (``endpoints.py``).
"""

from ledgerport.webhooks.delivery import DELIVER, POLL_SECONDS, Policy, WebhookDeps, ticks, webhook_handlers
from ledgerport.webhooks.endpoints import EndpointRefused, add_endpoint, change_endpoint, parse_events, rotate_key
from ledgerport.webhooks.signing import SIGNATURE_HEADER, sign, verify

__all__ = [
    "DELIVER",
    "EndpointRefused",
    "POLL_SECONDS",
    "Policy",
    "SIGNATURE_HEADER",
    "WebhookDeps",
    "add_endpoint",
    "change_endpoint",
    "parse_events",
    "rotate_key",
    "sign",
    "ticks",
    "verify",
    "webhook_handlers",
]
