"""A human-readable reference page, rendered on the server from the OpenAPI document (no script, no CDN).

Its one inline style is a constant in :data:`INLINE_STYLES`, whose hash the page's Content-Security-Policy allows.
"""

from __future__ import annotations

import html
import re
from typing import Any

__all__ = ["INLINE_STYLES", "docs_page"]

_STYLE = (
    "body{font:15px/1.5 system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}"
    "table{border-collapse:collapse;width:100%;font-size:13px}"
    "td,th{border:1px solid #ddd;padding:3px 6px;text-align:left}"
    "h2{font-size:16px;margin-top:2em}.m{background:#225;color:#fff;padding:1px 6px;border-radius:3px}"
)
INLINE_STYLES = (_STYLE,)
"""Every ``<style>`` element's text on the page."""


def _parameters(operation: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><td><code>{html.escape(p['name'])}</code></td><td>{html.escape(p['in'])}</td>"
        f"<td>{html.escape(str(p['schema'].get('format') or p['schema'].get('type') or ''))}</td>"
        f"<td>{html.escape(p.get('description') or '')}</td></tr>"
        for p in operation.get("parameters", [])
    )
    return f"<table><tr><th>name</th><th>in</th><th>type</th><th>description</th></tr>{rows}</table>" if rows else ""


_INLINE = re.compile(r"`([^`]+)`|\*\*([^*]+)\*\*")


def _inline(text: str) -> str:
    """Escaped text with Markdown's `code` and **bold** (all the guides use)."""
    parts, last = [], 0
    for match in _INLINE.finditer(text):
        parts.append(html.escape(text[last : match.start()]))
        code, bold = match.groups()
        parts.append(
            f"<code>{html.escape(code)}</code>" if code is not None else f"<strong>{html.escape(bold)}</strong>"
        )
        last = match.end()
    parts.append(html.escape(text[last:]))
    return "".join(parts)


def _guide(markdown: str) -> str:
    """A tag's description: paragraphs, inline code and bold, and fenced code blocks."""
    out = []
    for index, chunk in enumerate(markdown.split("```")):
        if index % 2:
            code = chunk.split("\n", 1)[1] if "\n" in chunk else chunk  # drop the fence's language
            out.append(f"<pre><code>{html.escape(code.strip(chr(10)))}</code></pre>")
        else:
            out += [f"<p>{_inline(para.strip())}</p>" for para in chunk.split("\n\n") if para.strip()]
    return "".join(out)


def _guides(document: dict[str, Any]) -> str:
    return "".join(
        f"<section><h2>{html.escape(tag['name'])}</h2>{_guide(tag['description'])}</section>"
        for tag in document.get("tags", [])
        if tag.get("description")
    )


def docs_page(document: dict[str, Any]) -> str:
    """Every operation with its parameters, and a link to the machine-readable document."""
    sections = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            sections.append(
                f"<section><h2><span class=m>{method.upper()}</span> <code>/api{html.escape(path)}</code></h2>"
                f"<p>{html.escape(operation.get('summary', ''))}</p>{_parameters(operation)}</section>"
            )
    info = document["info"]
    return (
        "<!doctype html><html><head><meta charset=utf-8>"
        f"<title>{html.escape(info['title'])}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{html.escape(info['title'])} <small>{html.escape(info['version'])}</small></h1>"
        f"<p>{html.escape(info['description'])} Machine-readable: <a href='/api/accounting/v1/schema'>OpenAPI 3.1</a>. "
        "Authenticate with <code>Authorization: Bearer &lt;api key&gt;</code> and, for account data, "
        "<code>X-Account-Token: &lt;account token&gt;</code>.</p>"
        + _guides(document)
        + "".join(sections)
        + "</body></html>"
    )
