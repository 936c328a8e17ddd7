"""Record shapes against the record OpenAPI of a real account (``netsuite-record-v1-oas.json``): every property
the sandbox returns on ``GET …?expandSubResources=true`` is declared there, with a compatible type and, where the
schema lists values, one of them."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest

from conftest import NS, RECORDS
from harness import reference

TYPES = ["invoice", "vendorBill", "creditMemo", "customer", "vendor", "account", "currency", "term", "salesTaxItem"]


@cache
def _schemas() -> dict[str, Any]:
    spec = json.loads(reference("providers", "netsuite", "netsuite-record-v1-oas.json").read_text())
    return spec["components"]["schemas"]


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = _schemas()[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def problems(value: Any, schema: dict[str, Any], path: str) -> list[str]:
    """What about ``value`` the schema does not allow (empty when it fits)."""
    schema = _resolve(schema)
    if "oneOf" in schema:
        tries = [problems(value, option, path) for option in schema["oneOf"]]
        return [] if any(not t for t in tries) else min(tries, key=len)
    kind = schema.get("type")
    if value is None:
        return []
    if isinstance(value, dict):
        if kind not in (None, "object"):
            return [f"{path}: object where the schema says {kind}"]
        declared = schema.get("properties", {})
        out = []
        for key, item in value.items():
            if key not in declared:
                out.append(f"{path}.{key}: not declared")
            else:
                out += problems(item, declared[key], f"{path}.{key}")
        return out
    if isinstance(value, list):
        if kind != "array":
            return [f"{path}: array where the schema says {kind}"]
        items = schema.get("items", {})
        return [p for index, item in enumerate(value) for p in problems(item, items, f"{path}[{index}]")]
    expected = {bool: {"boolean"}, int: {"integer", "number"}, float: {"number"}, str: {"string"}}[type(value)]
    if kind not in expected:
        return [f"{path}: {type(value).__name__} {value!r} where the schema says {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{path}: {value!r} is not one of {schema['enum'][:10]}"]
    return []


@pytest.mark.parametrize("type_name", TYPES)
async def test_records_fit_the_record_openapi(ns: NS, type_name: str) -> None:
    _schemas()
    page = (await ns.client.get(f"{RECORDS}/{type_name}", params={"limit": 5}, headers=ns.headers)).json()
    assert page["items"], type_name
    for item in page["items"]:
        response = await ns.client.get(
            f"{RECORDS}/{type_name}/{item['id']}", params={"expandSubResources": "true"}, headers=ns.headers
        )
        assert response.status_code == 200
        assert problems(response.json(), {"$ref": f"#/components/schemas/{type_name}"}, type_name) == []


async def test_collections_fit_the_record_openapi(ns: NS) -> None:
    _schemas()
    page = (await ns.client.get(f"{RECORDS}/invoice", params={"limit": 3}, headers=ns.headers)).json()
    assert problems(page, {"$ref": "#/components/schemas/invoiceCollection"}, "invoiceCollection") == []


async def test_errors_fit_nserror(ns: NS) -> None:
    _schemas()
    error = (await ns.client.get(f"{RECORDS}/invoice/424242", headers=ns.headers)).json()
    assert problems(error, {"$ref": "#/components/schemas/nsError"}, "nsError") == []


def test_the_checker_can_fail() -> None:
    _schemas()
    assert problems({"tranId": 5}, {"$ref": "#/components/schemas/invoice"}, "invoice")
    assert problems({"nope": 1}, {"$ref": "#/components/schemas/invoice"}, "invoice")
    assert problems({"status": {"id": "Z"}}, {"$ref": "#/components/schemas/invoice"}, "invoice")
