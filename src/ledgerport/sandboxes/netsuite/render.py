"""A stored document as NetSuite's REST JSON: references get ``refName`` and ``links``, enums their labels,
sublists and subrecords collapse to a link unless ``expandSubResources=true``, and ``_`` bookkeeping keys go.

Under ``simpleEnumFormat=true`` an enum is ``{"id": "A"}`` without its label (the OAS says it "only shows the
internal ID value"; whether the object wrapper stays is a guess).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledgerport.sandboxes.netsuite.catalog import ENUM_LABELS, LINE_REFS, RECORD_TYPES, STATUS_LABELS, RecordType
from ledgerport.sandboxes.netsuite.store import Account

__all__ = ["record_href", "render"]

_COLLECTIONS = {"subsidiary"}  # multi-select references on lists (account, item, department...)


def record_href(base: str, type_name: str, record_id: Any) -> str:
    """The canonical URL of a record (NetSuite writes type names lower-case in links)."""
    return f"{base}/services/rest/record/v1/{type_name.lower()}/{record_id}"


def _ref(account: Account, base: str, target: str, value: dict[str, Any], owner: RecordType) -> dict[str, Any]:
    out = dict(value)
    try:
        record_id = int(value.get("id"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return out
    if target == "@self":
        rt: RecordType | None = owner
    elif target.startswith("@"):
        rt = account.type_of(target[1:], record_id)
    else:
        rt = RECORD_TYPES.get(target)
    if rt is None:
        return out
    name = account.name_of(rt.family, record_id)
    if name is not None:
        out["refName"] = name
    out["links"] = [{"rel": "self", "href": record_href(base, rt.name, record_id)}]
    return out


def _enum(key: str, value: dict[str, Any], code: str, simple: bool) -> dict[str, Any]:
    if simple:
        return {"id": value.get("id")}
    labels = STATUS_LABELS.get(code, {}) if key == "status" else ENUM_LABELS.get(key, {})
    label = labels.get(str(value.get("id")))
    return {**value, "refName": label} if label else dict(value)


def _value(
    account: Account, base: str, rt: RecordType, key: str, value: Any, refs: dict[str, str], simple: bool
) -> Any:
    if isinstance(value, dict):
        if key in refs and "items" not in value:
            return _ref(account, base, refs[key], value, rt)
        if key == "status" or key in ENUM_LABELS:
            return _enum(key, value, rt.code, simple)
        if key in _COLLECTIONS and "items" in value:
            items = [_ref(account, base, "subsidiary", item, rt) for item in value["items"]]
            return {
                "links": [],
                "count": len(items),
                "hasMore": False,
                "items": items,
                "offset": 0,
                "totalResults": len(items),
            }
        return {k: _value(account, base, rt, k, v, {}, simple) for k, v in value.items() if not k.startswith("_")}
    return value


def render(
    account: Account,
    rt: RecordType,
    doc: dict[str, Any],
    base: str,
    *,
    expand: bool = False,
    fields: set[str] | None = None,
    simple_enum: bool = False,
) -> dict[str, Any]:
    """The GET body of one record."""
    self_href = record_href(base, rt.name, doc["id"])
    out: dict[str, Any] = {"links": [{"rel": "self", "href": self_href}]}
    for key, value in doc.items():
        if key.startswith("_") or (fields is not None and key.lower() not in fields and key != "id"):
            continue
        if key == "entity" and rt.code == "CustPymt":
            continue  # a customer payment names its payer in ``customer`` (the store keeps both)
        if key in rt.sublists or key == "addressBook":
            link = {"links": [{"rel": "self", "href": f"{self_href}/{key}"}]}
            if not expand:
                out[key] = link
                continue
            items = []
            for line in (value or {}).get("items") or []:
                rendered = {"links": []}
                for line_key, line_value in line.items():
                    if line_key.startswith("_"):
                        continue
                    rendered[line_key] = _value(account, base, rt, line_key, line_value, LINE_REFS, simple_enum)
                items.append(rendered)
            out[key] = {
                **link,
                "count": len(items),
                "hasMore": False,
                "items": items,
                "offset": 0,
                "totalResults": len(items),
            }
            continue
        if key in rt.subrecords and not expand:
            out[key] = {"links": [{"rel": "self", "href": f"{self_href}/{key}"}]}
            continue
        out[key] = _value(account, base, rt, key, value, rt.refs, simple_enum)
    out["refName"] = account.name_of(rt.family, int(doc["id"])) or doc["id"]
    if rt.name in {"customer", "vendor"} and (fields is None or "balance" in fields):
        column = "balancesearch" if rt.name == "customer" else "balance"
        sql = f"SELECT {column} FROM {rt.table} WHERE id = ?"  # noqa: S608 - names from the catalog
        row = account.db.execute(sql, (int(doc["id"]),)).fetchone()
        if row and row[0] is not None:
            out["balance"] = Decimal(str(row[0]))
    return out
