"""The dashboard's stylesheet, served at ``/dashboard/style.css``: one small file, no build step, no script."""

from __future__ import annotations

__all__ = ["STYLESHEET"]

STYLESHEET = """\
:root {
  --ink: #1d2433; --muted: #5d6679; --line: #e3e6ec; --panel: #ffffff; --page: #f5f6f8;
  --accent: #2f5bd3; --accent-ink: #ffffff; --danger: #b42318; --ok: #067647; --warn: #b54708;
}
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
  background: var(--page); }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
header.top { display: flex; align-items: center; gap: 1.5rem; padding: .75rem 2rem; background: var(--ink);
  color: #fff; }
header.top .brand { color: #fff; font-weight: 700; letter-spacing: .02em; }
header.top nav { display: flex; gap: 1rem; flex: 1; }
header.top nav a { color: #c8cfdc; padding: .25rem .5rem; border-radius: .375rem; }
header.top nav a.current, header.top nav a:hover { color: #fff; background: rgba(255,255,255,.12);
  text-decoration: none; }
header.top .org { color: #c8cfdc; }
header.top form { margin: 0; }
header.top button { background: transparent; color: #c8cfdc; border: 1px solid #4a5367; padding: .25rem .75rem; }
main { max-width: 72rem; margin: 2rem auto; padding: 0 2rem; }
h1 { font-size: 1.5rem; margin: 0 0 1rem; }
h2 { font-size: 1.125rem; margin: 2rem 0 .75rem; }
p.lead { color: var(--muted); margin-top: -.5rem; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: .5rem; padding: 1.25rem;
  margin-bottom: 1.25rem; }
table { width: 100%; border-collapse: collapse; background: var(--panel); border: 1px solid var(--line);
  border-radius: .5rem; overflow: hidden; }
th, td { text-align: left; padding: .6rem .75rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); background: #fafbfc; }
tr:last-child td { border-bottom: none; }
td.empty { color: var(--muted); text-align: center; padding: 1.5rem; }
td form { display: inline; }
td .row { flex-wrap: nowrap; }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 999px; font-size: 12px; font-weight: 600;
  background: #eef0f4; color: var(--muted); }
.badge.good { background: #dcfae6; color: var(--ok); }
.badge.bad { background: #fee4e2; color: var(--danger); }
.badge.busy { background: #fef0c7; color: var(--warn); }
button, .button { display: inline-block; font: inherit; font-size: 14px; padding: .4rem .9rem; border-radius: .375rem;
  border: 1px solid var(--line); background: #fff; color: var(--ink); cursor: pointer; }
button.primary, .button.primary { background: var(--accent); border-color: var(--accent); color: var(--accent-ink); }
button.danger { background: var(--danger); border-color: var(--danger); color: #fff; }
button.quiet { border-color: transparent; background: transparent; color: var(--accent); padding: .2rem .4rem; }
button.quiet.danger { color: var(--danger); background: transparent; }
input[type=text], input[type=password], input[type=url] { font: inherit; padding: .5rem .6rem; width: 100%;
  border: 1px solid #c9ced8; border-radius: .375rem; }
label { display: block; font-weight: 600; margin-bottom: .35rem; }
form.inline { display: flex; gap: .75rem; align-items: end; flex-wrap: wrap; }
form.inline > div { flex: 1; min-width: 14rem; }
.notice { padding: .75rem 1rem; border-radius: .5rem; margin-bottom: 1.25rem; background: #e8eefc;
  border: 1px solid #c7d5f7; }
.notice.error { background: #fee4e2; border-color: #fecdca; color: var(--danger); }
.secret { display: block; padding: .75rem; background: #0f1729; color: #e7ecf5; border-radius: .375rem;
  word-break: break-all; margin: .5rem 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1.5rem; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.muted { color: var(--muted); }
.signin { max-width: 26rem; margin: 5rem auto; }
.signin h1 { text-align: center; }
.row { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; }
pre.howto { background: #0f1729; color: #e7ecf5; padding: 1rem; border-radius: .375rem; overflow-x: auto; }
"""
