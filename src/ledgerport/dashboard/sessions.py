"""Dashboard sessions: a sealed cookie, and the CSRF tokens every form carries.

The cookie holds no API key: it holds the organization, the id of the key that signed in, a CSRF token and an
expiry, sealed with the server's keys (Fernet: encrypted and authenticated), so it can be neither read nor forged.
A session lasts :attr:`~ledgerport.dashboard.context.DashboardContext.session_seconds` and ends earlier when the
key that opened it is revoked: every page checks the key is still live. Signing out clears the cookie; a copy
of it taken before stays valid until it expires or its key is revoked, which is the price of keeping no session
rows.

The cookie is ``HttpOnly`` (scripts never see it), ``SameSite=Strict`` (no other site's page can make the browser
send it) and ``Secure`` when the request came over https; its path is ``/dashboard``, so API calls never carry it.
Each form also carries the session's CSRF token, compared in constant time on every POST. The sign-in form, made
before any session exists, carries a token that a cookie of its own repeats (double submit).
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from typing import Any

import msgspec
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie

from ledgerport.kit import clock
from ledgerport.kit.sealing import Sealer, SealingError

__all__ = [
    "SESSION_COOKIE",
    "SIGN_IN_COOKIE",
    "Session",
    "cleared_cookies",
    "new_session",
    "open_session",
    "same_token",
    "session_cookie",
    "sign_in_cookie",
]

SESSION_COOKIE = "ledgerport_dashboard"
SIGN_IN_COOKIE = "ledgerport_dashboard_sign_in"
_PATH = "/dashboard"
_PURPOSE = "dashboard-session"
_SIGN_IN_SECONDS = 3600


class Session(msgspec.Struct, frozen=True, kw_only=True):
    """What the cookie holds once opened."""

    purpose: str
    organization_id: uuid.UUID
    key_id: uuid.UUID
    csrf: str
    expires_at: int
    """Epoch microseconds."""


def new_session(*, organization_id: uuid.UUID, key_id: uuid.UUID, seconds: int) -> Session:
    """A fresh session with its own CSRF token."""
    return Session(
        purpose=_PURPOSE,
        organization_id=organization_id,
        key_id=key_id,
        csrf=secrets.token_urlsafe(32),
        expires_at=clock.now_micros() + seconds * 1_000_000,
    )


def _secure(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    return connection.url.scheme == "https"


def session_cookie(connection: ASGIConnection[Any, Any, Any, Any], sealer: Sealer, session: Session) -> Cookie:
    """The cookie that carries ``session``, sealed."""
    return Cookie(
        key=SESSION_COOKIE,
        value=sealer.seal(msgspec.json.encode(session)).decode(),
        path=_PATH,
        max_age=max(1, (session.expires_at - clock.now_micros()) // 1_000_000),
        httponly=True,
        secure=_secure(connection),
        samesite="strict",
    )


def open_session(connection: ASGIConnection[Any, Any, Any, Any], sealer: Sealer) -> Session | None:
    """The request's session, if its cookie is one of ours, unaltered and not expired."""
    raw = connection.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        session = msgspec.json.decode(sealer.open(raw.encode()), type=Session)
    except (SealingError, msgspec.DecodeError, msgspec.ValidationError, ValueError):
        return None
    if session.purpose != _PURPOSE or session.expires_at <= clock.now_micros():
        return None
    return session


def sign_in_cookie(connection: ASGIConnection[Any, Any, Any, Any], token: str) -> Cookie:
    """The cookie half of the sign-in form's double-submit token."""
    return Cookie(
        key=SIGN_IN_COOKIE,
        value=token,
        path=_PATH,
        max_age=_SIGN_IN_SECONDS,
        httponly=True,
        secure=_secure(connection),
        samesite="strict",
    )


def cleared_cookies(connection: ASGIConnection[Any, Any, Any, Any]) -> list[Cookie]:
    """Cookies that remove the session and the sign-in token from the browser."""
    return [
        Cookie(key=name, value="", path=_PATH, max_age=0, httponly=True, secure=_secure(connection), samesite="strict")
        for name in (SESSION_COOKIE, SIGN_IN_COOKIE)
    ]


def same_token(expected: str | None, given: object) -> bool:
    """Whether a form's token matches, compared in constant time; a missing token never matches."""
    if not expected or not isinstance(given, str) or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())
