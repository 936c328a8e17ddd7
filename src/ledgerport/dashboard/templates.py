"""The dashboard's HTML: the page frame and the small pieces every page is built of.

Every value that reaches a page passes through :func:`esc` here or in the page modules; markup is only ever made
from constants and escaped values. Pages load one stylesheet from this server and no script, so the policy in
:data:`PAGE_POLICY` allows nothing else (no inline style or script, forms post only here).
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from ledgerport.kit import clock

__all__ = [
    "NOTICES",
    "PAGE_POLICY",
    "Raw",
    "badge",
    "bare_page",
    "duration",
    "esc",
    "page",
    "post_button",
    "table",
    "when",
]

PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
"""The Content-Security-Policy of every dashboard page."""

NOTICES = {
    "resync": "A sync was queued. It shows here once a worker has run it.",
    "deleted": "The linked account and its records were deleted.",
    "revoked": "The key was revoked. Calls made with it are refused from now on.",
    "not-revoked": "That key was already revoked.",
    "replayed": "The delivery was queued again.",
    "replayed-all": "Every failed delivery was queued again.",
    "nothing-replayed": "There was nothing to replay.",
    "endpoint-changed": "The endpoint was updated.",
    "signed-out": "You are signed out.",
    "expired": "Your session ended. Sign in again.",
}
"""The messages a redirect may ask a page to show (``?notice=<name>``): fixed texts, never echoed input."""

_GOOD = {"COMPLETE", "DONE", "DELIVERED", "ACTIVE", "COMPLETED", "RESOLVED", "live", "done"}
_BAD = {"FAILED", "FAILURE", "RELINK_NEEDED", "DISABLED", "ONGOING", "revoked"}
_BUSY = {"SYNCING", "PENDING", "QUEUED", "IN_PROGRESS", "INCOMPLETE", "THROTTLED", "STOPPED", "sending", "retry"}


class Raw(str):
    """Markup already built from escaped parts: :func:`table` cells of this type are not escaped again."""

    __slots__ = ()


def esc(value: object) -> str:
    """Text made safe for an element or a quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


def when(micros: int | None) -> Raw:
    """A moment in UTC, readable, with its exact value for machines; a dash when there is none."""
    if micros is None:
        return Raw('<span class="muted">—</span>')
    moment = clock.from_micros(micros)
    return Raw(f'<time datetime="{esc(moment.isoformat())}">{esc(moment.strftime("%Y-%m-%d %H:%M:%S"))} UTC</time>')


def duration(micros: int | None) -> str:
    """A span of time as people say it."""
    if micros is None:
        return "—"
    seconds = micros / 1_000_000
    if seconds < 1:
        return f"{micros // 1000} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} min {rest} s"


def badge(status: str | None) -> Raw:
    """A status as a coloured pill."""
    if not status:
        return Raw('<span class="muted">—</span>')
    tone = "good" if status in _GOOD else "bad" if status in _BAD else "busy" if status in _BUSY else ""
    return Raw(f'<span class="badge {tone}">{esc(status)}</span>')


def post_button(action: str, label: str, csrf: str, *, style: str = "", fields: Sequence[tuple[str, str]] = ()) -> Raw:
    """A one-button form that POSTs to ``action`` with the CSRF token (and ``fields`` as hidden inputs)."""
    hidden = "".join(f'<input type="hidden" name="{esc(name)}" value="{esc(value)}">' for name, value in fields)
    return Raw(
        f'<form method="post" action="{esc(action)}"><input type="hidden" name="csrf" value="{esc(csrf)}">'
        f'{hidden}<button type="submit" class="{esc(style)}">{esc(label)}</button></form>'
    )


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], *, empty: str) -> Raw:
    """A table; cells are escaped unless they are :class:`Raw` markup."""
    head = "".join(f"<th>{esc(name)}</th>" for name in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{cell if isinstance(cell, Raw) else esc(cell)}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    if not body:
        body = f'<tr><td class="empty" colspan="{len(headers)}">{esc(empty)}</td></tr>'
    return Raw(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


_NAV = (("accounts", "/dashboard/accounts", "Linked accounts"), ("keys", "/dashboard/keys", "API keys"))
_NAV_MORE = (("webhooks", "/dashboard/webhooks", "Webhooks"),)


def _head(title: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{esc(title)} · ledgerport</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="stylesheet" href="/dashboard/style.css"></head>'
    )


def _notice(notice: str | None, error: str | None) -> str:
    parts = []
    if notice in NOTICES:
        parts.append(f'<div class="notice" role="status">{esc(NOTICES[notice])}</div>')
    if error:
        parts.append(f'<div class="notice error" role="alert">{esc(error)}</div>')
    return "".join(parts)


def page(
    title: str,
    body: str,
    *,
    organization_name: str,
    csrf: str,
    current: str,
    notice: str | None = None,
    error: str | None = None,
) -> str:
    """A page of a signed-in organization: the bar with its sections and the sign-out button, then ``body``."""
    links = "".join(
        f'<a href="{href}"{" class=current" if key == current else ""}>{esc(label)}</a>'
        for key, href, label in (*_NAV, *_NAV_MORE)
    )
    bar = (
        f'<header class="top"><a class="brand" href="/dashboard/accounts">ledgerport</a><nav>{links}</nav>'
        f'<span class="org">{esc(organization_name)}</span>'
        f"{post_button('/dashboard/sign-out', 'Sign out', csrf)}</header>"
    )
    return f"{_head(title)}<body>{bar}<main>{_notice(notice, error)}{body}</main></body></html>"


def bare_page(title: str, body: str, *, notice: str | None = None, error: str | None = None) -> str:
    """A page outside a session (sign-in, a refusal)."""
    return f'{_head(title)}<body><main class="signin">{_notice(notice, error)}{body}</main></body></html>'
