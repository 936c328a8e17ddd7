"""A human-readable reference page, rendered on the server from the OpenAPI document (no script, no CDN), and the
standalone guides beside it (:func:`guide_page`).

Their one inline style is a constant in :data:`INLINE_STYLES`, whose hash the page's Content-Security-Policy allows.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

__all__ = ["INLINE_STYLES", "MOVING_FROM_MERGE_PATH", "docs_page", "guide_page"]

MOVING_FROM_MERGE_PATH = "/docs/moving-from-merge"

_STYLE = (
    "body{font:15px/1.5 system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;color:#222}"
    "table{border-collapse:collapse;width:100%;font-size:13px}"
    "td,th{border:1px solid #ddd;padding:3px 6px;text-align:left}"
    "h2{font-size:16px;margin-top:2em}h3{font-size:15px;margin-top:1.5em}"
    ".m{background:#225;color:#fff;padding:1px 6px;border-radius:3px}"
    "h2.tag{border-bottom:2px solid #225;font-size:18px}.toc li{margin-bottom:.3em}"
    "pre{background:#f6f6f8;padding:8px;overflow-x:auto;font-size:12px}"
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


def _blocks(text: str, heading: str) -> str:
    """Prose: ``## `` headings (as ``heading`` elements), ``- `` bullet lists, and paragraphs."""
    out = []
    for para in (p.strip() for p in text.split("\n\n")):
        if not para:
            continue
        if para.startswith("## "):
            out.append(f"<{heading}>{_inline(para[3:])}</{heading}>")
        elif para.startswith("- "):
            items = [item.strip() for item in ("\n" + para).split("\n- ") if item.strip()]
            out.append("<ul>" + "".join(f"<li>{_inline(' '.join(item.split()))}</li>" for item in items) + "</ul>")
        else:
            out.append(f"<p>{_inline(para)}</p>")
    return "".join(out)


def _guide(markdown: str, heading: str = "h3") -> str:
    """A guide: prose (:func:`_blocks`) and fenced code blocks."""
    out = []
    for index, chunk in enumerate(markdown.split("```")):
        if index % 2:
            code = chunk.split("\n", 1)[1] if "\n" in chunk else chunk  # drop the fence's language
            out.append(f"<pre><code>{html.escape(code.strip(chr(10)))}</code></pre>")
        else:
            out.append(_blocks(chunk, heading))
    return "".join(out)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _guides(document: dict[str, Any]) -> str:
    return "".join(
        f"<section id='guide-{_slug(tag['name'])}'><h2>{html.escape(tag['name'])}</h2>{_guide(tag['description'])}"
        "</section>"
        for tag in document.get("tags", [])
        if tag.get("description")
    )


def _answer(schema: dict[str, Any]) -> str:
    """A response schema's name as a reader wants it: ``SyncStatus``, ``a page of Issue``, ``a list of ...``."""
    if "$ref" in schema:
        return f"<code>{html.escape(schema['$ref'].rsplit('/', 1)[-1])}</code>"
    properties = schema.get("properties") or {}
    if schema.get("type") == "object" and set(properties) == {"next", "previous", "results"}:
        return "a page of " + _answer(properties["results"].get("items", {}))
    if schema.get("type") == "array":
        return "a list of " + _answer(schema.get("items", {}))
    return html.escape(str(schema.get("type") or "JSON"))


def _response(operation: dict[str, Any]) -> str:
    """The success status, its schema's name and, where the document has one, an example."""
    responses = operation.get("responses", {})
    success = next((code for code in responses if code.startswith("2")), None)
    if success is None:
        return ""
    content = (responses[success].get("content") or {}).get("application/json")
    if content is None:
        return f"<p>Answers <code>{success}</code> with no body.</p>"
    shown = f"<p>Answers <code>{success}</code>: {_answer(content['schema'])}.</p>"
    if "example" in content:
        example = json.dumps(content["example"], indent=2)
        shown += f"<details><summary>Example</summary><pre><code>{html.escape(example)}</code></pre></details>"
    return shown


def _operations(document: dict[str, Any]) -> dict[str, list[tuple[str, str, dict[str, Any]]]]:
    """Operations grouped by their first tag, in document order."""
    grouped: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            tag = (operation.get("tags") or ["other"])[0]
            grouped.setdefault(tag, []).append((path, method, operation))
    return grouped


def _contents(document: dict[str, Any], grouped: dict[str, list[tuple[str, str, dict[str, Any]]]]) -> str:
    """The table of contents: the guides, then each tag's operations."""
    guides = [
        f"<li><a href='#guide-{_slug(tag['name'])}'>{html.escape(tag['name'])}</a> (guide)</li>"
        for tag in document.get("tags", [])
        if tag.get("description")
    ]
    guides.append(f"<li><a href='{MOVING_FROM_MERGE_PATH}'>Moving from Merge</a></li>")
    tags = [
        f"<li><a href='#tag-{_slug(tag)}'>{html.escape(tag)}</a>: "
        + ", ".join(
            f"<a href='#op-{_slug(operation['operationId'])}'>{method.upper()}&nbsp;{html.escape(path)}</a>"
            for path, method, operation in operations
        )
        + "</li>"
        for tag, operations in grouped.items()
    ]
    return f"<nav><h2>Contents</h2><ul>{''.join(guides)}</ul><ul class=toc>{''.join(tags)}</ul></nav>"


def _head(title: str) -> str:
    return (
        f"<!doctype html><html><head><meta charset=utf-8><title>{html.escape(title)}</title>"
        f"<style>{_STYLE}</style></head><body>"
    )


def docs_page(document: dict[str, Any]) -> str:
    """Every operation grouped by tag, with its parameters, response and example; a table of contents first."""
    grouped = _operations(document)
    sections = []
    for tag, operations in grouped.items():
        sections.append(f"<h2 id='tag-{_slug(tag)}' class=tag>{html.escape(tag)}</h2>")
        for path, method, operation in operations:
            sections.append(
                f"<section id='op-{_slug(operation['operationId'])}'><h3><span class=m>{method.upper()}</span> "
                f"<code>/api{html.escape(path)}</code></h3><p>{_inline(operation.get('summary', ''))}</p>"
                f"{_parameters(operation)}{_response(operation)}</section>"
            )
    info = document["info"]
    return (
        _head(info["title"]) + f"<h1>{html.escape(info['title'])} <small>{html.escape(info['version'])}</small></h1>"
        f"<p>{html.escape(info['description'])} Machine-readable: <a href='/api/accounting/v1/schema'>OpenAPI 3.1</a>. "
        "Authenticate with <code>Authorization: Bearer &lt;api key&gt;</code> and, for account data, "
        "<code>X-Account-Token: &lt;account token&gt;</code>.</p>"
        + _contents(document, grouped)
        + _guides(document)
        + "".join(sections)
        + "</body></html>"
    )


def guide_page(title: str, markdown: str) -> str:
    """A standalone guide (``/docs/moving-from-merge``), styled as the reference page and linking back to it."""
    return (
        _head(title)
        + f"<p><a href='/docs'>&larr; API reference</a></p><h1>{html.escape(title)}</h1>{_guide(markdown, 'h2')}"
        + "</body></html>"
    )
