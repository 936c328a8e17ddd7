"""Bearer secrets (API keys, account tokens): generated with 256 bits of entropy, stored only as digests.

A fast digest (SHA-256) is the right tool here, unlike for passwords: the secrets are random and long, so there is
nothing to brute-force, and the lookup happens on every request.
"""

from __future__ import annotations

import hashlib
import secrets

__all__ = ["digest", "new_secret"]


def new_secret(prefix: str) -> str:
    """A new URL-safe secret; the prefix tells a reader what kind of secret leaked (as GitHub's ``ghp_`` does)."""
    return f"{prefix}{secrets.token_urlsafe(32)}"


def digest(secret: str) -> str:
    """The hex SHA-256 of a secret: what the database stores and looks up."""
    return hashlib.sha256(secret.encode()).hexdigest()
