"""Signing a delivery as Merge signs its webhooks, so a receiver written for Merge verifies ours unchanged.

``X-Merge-Webhook-Signature`` is the base64url HMAC-SHA256 of the raw body, keyed with the endpoint's signing key
(its UTF-8 bytes). Padding is kept; Merge's guidance strips ``=`` on both sides before comparing, and so does
:func:`verify`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

__all__ = [
    "SIGNATURE_HEADER",
    "new_signing_key",
    "sign",
    "verify",
]

SIGNATURE_HEADER = "X-Merge-Webhook-Signature"


def new_signing_key() -> str:
    """A fresh key: 256 random bits, URL-safe text."""
    return secrets.token_urlsafe(32)


def sign(key: str, body: bytes) -> str:
    """The signature header's value for ``body``."""
    return base64.urlsafe_b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


def verify(key: str, body: bytes, signature: str) -> bool:
    """Whether ``signature`` is ``body``'s, in constant time (what a receiver runs)."""
    return hmac.compare_digest(sign(key, body).rstrip("="), signature.strip().rstrip("="))
