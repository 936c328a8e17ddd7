"""What every sandbox needs: an OAuth 2.0 authorization server, request windows, fault injection, and serving under
a path prefix."""

from ledgerport.sandboxes._kit.faults import Faults, FaultsMiddleware
from ledgerport.sandboxes._kit.limits import ConcurrencyGate, WindowCounter
from ledgerport.sandboxes._kit.mounting import at_own_root
from ledgerport.sandboxes._kit.oauth import Grant, OAuthError, OAuthServer, TokenPair

__all__ = [
    "ConcurrencyGate",
    "Faults",
    "FaultsMiddleware",
    "Grant",
    "OAuthError",
    "OAuthServer",
    "TokenPair",
    "WindowCounter",
    "at_own_root",
]
