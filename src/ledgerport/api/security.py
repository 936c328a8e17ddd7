"""Headers that tell a browser what each response may do, added to every response in one place.

Every response says ``X-Content-Type-Options: nosniff``, so a JSON body is never run as a script or rendered as a
page. HTML pages (the link flow, its error pages, ``/docs``) also carry :data:`PAGE_POLICY` and
``X-Frame-Options: DENY`` (no other site may frame them to trick a person into a click).

The policy allows nothing but the pages' own inline ``<style>`` and ``<script>`` elements, by the SHA-256 of
their text: those are constants of :mod:`ledgerport.api.link_page` and :mod:`ledgerport.api.docs`, so the hashes
are computed once here. Hashing whatever a response happens to contain would defeat the point: a script that got
into a page by mistake must not run. The policy names no ``form-action``: the link page's form is answered with a
redirect to the provider's consent page, and browsers hold that redirect to ``form-action`` too, while the
provider's origin is not fixed (sandboxes).

A response that sets one of these headers itself keeps its own: the dashboard's pages carry a policy of their own
(they load a stylesheet from this server and post forms only here).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable

from litestar.types import Message, Scope

from ledgerport.api import docs, link_page

__all__ = ["PAGE_POLICY", "add_security_headers"]


def _sources(texts: Iterable[str]) -> str:
    hashes = sorted({base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() for text in texts})
    return " ".join(f"'sha256-{value}'" for value in hashes) or "'none'"


PAGE_POLICY = "; ".join(
    [
        "default-src 'none'",
        f"style-src {_sources([*link_page.INLINE_STYLES, *docs.INLINE_STYLES])}",
        f"script-src {_sources(link_page.INLINE_SCRIPTS)}",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
"""The Content-Security-Policy of every HTML page."""

_EVERY = [(b"x-content-type-options", b"nosniff")]
_PAGES = [*_EVERY, (b"content-security-policy", PAGE_POLICY.encode()), (b"x-frame-options", b"DENY")]


async def add_security_headers(message: Message, _scope: Scope) -> None:
    """A ``before_send`` hook: runs for every response the app sends, errors and unknown routes included."""
    if message["type"] != "http.response.start":
        return
    headers = list(message.get("headers", ()))
    content_type = next((value for name, value in headers if name.lower() == b"content-type"), b"")
    present = {name.lower() for name, _ in headers}
    wanted = _PAGES if content_type.startswith(b"text/html") else _EVERY
    headers.extend((name, value) for name, value in wanted if name not in present)
    message["headers"] = headers
