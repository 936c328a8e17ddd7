"""Encryption at rest for provider credentials (Fernet: AES-128-CBC + HMAC-SHA256, from ``cryptography``).

Several keys may be configured, newest first: the first seals, any opens, so keys rotate without a migration
(``MultiFernet``). Each key is 32 url-safe base64 bytes, as :func:`new_key` makes.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

__all__ = ["Sealer", "SealingError", "new_key"]


class SealingError(ValueError):
    """A key is malformed, or sealed bytes were not sealed by any configured key (or were altered)."""


def new_key() -> str:
    """A fresh key."""
    return Fernet.generate_key().decode()


class Sealer:
    """Seals and opens bytes with the configured keys."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise SealingError("at least one key is needed")
        try:
            self._fernet = MultiFernet([Fernet(key.strip().encode()) for key in keys])
        except ValueError as exc:
            raise SealingError("a sealing key must be 32 url-safe base64-encoded bytes") from exc

    def seal(self, plain: bytes) -> bytes:
        """Encrypt and authenticate."""
        return self._fernet.encrypt(plain)

    def open(self, sealed: bytes) -> bytes:
        """Check and decrypt."""
        try:
            return self._fernet.decrypt(sealed)
        except InvalidToken as exc:
            raise SealingError("the credentials were sealed with another key or altered") from exc
