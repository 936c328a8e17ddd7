"""What every sandbox needs: an OAuth 2.0 authorization server, request windows, fault injection, serving under
a path prefix, and the plain-ASGI pieces (exact JSON, bodies, lifespan, the counting entry point)."""

from ledgerport.sandboxes._kit.asgi import (
    CountingEntry,
    decode_json,
    encode_json,
    read_body,
    serve_lifespan,
    uvicorn_server,
)
from ledgerport.sandboxes._kit.faults import Faults, FaultsMiddleware
from ledgerport.sandboxes._kit.limits import ConcurrencyGate, WindowCounter
from ledgerport.sandboxes._kit.mounting import at_own_root
from ledgerport.sandboxes._kit.oauth import Grant, OAuthError, OAuthServer, TokenPair

__all__ = [
    "ConcurrencyGate",
    "CountingEntry",
    "Faults",
    "FaultsMiddleware",
    "Grant",
    "OAuthError",
    "OAuthServer",
    "TokenPair",
    "WindowCounter",
    "at_own_root",
    "decode_json",
    "encode_json",
    "read_body",
    "serve_lifespan",
    "uvicorn_server",
]
