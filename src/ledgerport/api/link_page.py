"""The link flow's HTML, rendered on the server: no script is needed to link an account, and none is loaded.

Every value that reaches a page is escaped here, so the handlers in :mod:`ledgerport.api.link` pass plain text.
The one script, on the success page, hands the public token to the window that opened the flow (Merge Link's
``onSuccess``) when there is one; the page works the same without it.

The inline style and script are constants, listed in :data:`INLINE_STYLES` and :data:`INLINE_SCRIPTS`: the pages'
Content-Security-Policy allows exactly their hashes, so nothing else inline can run or apply. Values therefore
never go into them (the script reads the token from the page), and the integrations' colours are SVG fills, which
the policy does not govern, rather than style attributes, which it would have to allow wholesale.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import msgspec

__all__ = ["INLINE_SCRIPTS", "INLINE_STYLES", "IntegrationChoice", "choice_page", "error_page", "linked_page"]

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1d1d1f}"
    "button{display:block;width:100%;margin:.5rem 0;padding:.75rem;font-size:1rem;border-radius:.5rem;"
    "border:1px solid #ccc;background:#fff;cursor:pointer;text-align:left}"
    "button svg{width:.75rem;height:.75rem;margin-right:.5rem;vertical-align:middle}"
    "input[type=url]{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}"
    "code{word-break:break-all;background:#f4f4f4;padding:.25rem .5rem;border-radius:.25rem}"
    ".error{color:#b00020}"
)
_SCRIPT = (
    "if (window.opener) { window.opener.postMessage("
    '{type: "ledgerport:linked", public_token: document.getElementById("public-token").textContent}, "*"); }'
)
INLINE_STYLES = (_STYLE,)
"""Every ``<style>`` element's text on these pages."""
INLINE_SCRIPTS = (_SCRIPT,)
"""Every ``<script>`` element's text on these pages."""


class IntegrationChoice(msgspec.Struct, frozen=True):
    """One button on the choice page."""

    slug: str
    name: str
    color: str


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_STYLE}</style></head>'
        f"<body>{body}</body></html>"
    )


def choice_page(
    *,
    link_token: str,
    organization_name: str,
    integrations: Sequence[IntegrationChoice],
    sandbox_url: bool,
    fields: Sequence[tuple[str, str]] = (),
) -> str:
    """Pick the accounting platform to connect; one submit button per integration.

    ``fields``: ``(name, label)`` of account facts some platforms need before consent (a NetSuite account id)."""
    buttons = "".join(
        f'<button type="submit" name="integration" value="{html.escape(choice.slug)}">'
        f'<svg viewBox="0 0 2 2" aria-hidden="true"><circle cx="1" cy="1" r="1" fill="{html.escape(choice.color)}"/>'
        f"</svg>{html.escape(choice.name)}</button>"
        for choice in integrations
    )
    sandbox = (
        '<p><label for="sandbox_url">Sandbox URL (optional; empty uses the configured origin)</label>'
        '<input type="url" id="sandbox_url" name="sandbox_url" placeholder="http://127.0.0.1:8100"></p>'
        if sandbox_url
        else ""
    )
    asked = "".join(
        f'<p><label for="{html.escape(name)}">{html.escape(label)}</label>'
        f'<input type="text" id="{html.escape(name)}" name="{html.escape(name)}" autocomplete="off"></p>'
        for name, label in fields
    )
    body = (
        f"<h1>Connect your accounting system</h1>"
        f"<p>{html.escape(organization_name)}: choose the platform your books are kept in. You will sign in there "
        f"and approve access.</p>"
        f'<form method="post" action="/link/start">'
        f'<input type="hidden" name="link_token" value="{html.escape(link_token)}">{sandbox}{asked}{buttons}</form>'
    )
    return _page("Connect your accounting system", body)


def linked_page(*, integration_name: str, organization_name: str, public_token: str) -> str:
    """The end of the flow: the public token the organization's backend exchanges for an account token."""
    body = (
        f"<h1>Linked {html.escape(organization_name)}</h1>"
        f"<p>{html.escape(integration_name)} is connected. You can close this window.</p>"
        f'<p>Public token: <code id="public-token">{html.escape(public_token)}</code></p>'
        f"<script>{_SCRIPT}</script>"
    )
    return _page(f"Linked {organization_name}", body)


def error_page(message: str) -> str:
    """Why the flow stopped, in words for the person in front of it."""
    body = f'<h1>Could not connect</h1><p class="error" id="error">{html.escape(message)}</p>'
    return _page("Could not connect", body)
