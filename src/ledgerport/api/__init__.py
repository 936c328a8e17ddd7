"""The HTTP edge: routing, authentication, parameter parsing, pagination and error bodies. No business rules."""

from ledgerport.api.context import ApiContext, CredentialCache
from ledgerport.api.errors import EXCEPTION_HANDLERS
from ledgerport.api.routing import build_routes
from ledgerport.api.security import add_security_headers

__all__ = ["ApiContext", "CredentialCache", "EXCEPTION_HANDLERS", "add_security_headers", "build_routes"]
