"""Calling a linked account's provider: its sealed tokens, refreshed one worker at a time, and a ready client.

Syncs and writes both start here, so a write made in a request and a sync in a worker spend the same
outbound budget, refresh the same tokens under the same lock and present the same OAuth registration.
"""

from ledgerport.remote.opening import Opened, ProviderDeps, open_provider
from ledgerport.remote.tokens import StoredTokens

__all__ = ["Opened", "ProviderDeps", "StoredTokens", "open_provider"]
