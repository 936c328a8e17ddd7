"""``writes.schema``: the meta endpoints' ``request_schema`` is valid JSON Schema and agrees with validation.

Every request validation lets through without a problem must validate against the schema (a client that checks
its requests against the schema is never told no by a request ledgerport would take), and what one provider
object requires is stated for that object alone (``if``/``then`` on ``type``: a QuickBooks invoice line needs an
item, a bill line does not).
"""

from __future__ import annotations

import functools
import json
import uuid
from datetime import UTC
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from ledgerport.connectors.quickbooks.writes import WRITES
from ledgerport.models import MODELS
from ledgerport.writes.schema import request_schema
from ledgerport.writes.validate import check_request

SPEC = WRITES["Invoice"]
STRUCT = MODELS["Invoice"].struct
_decoder = msgspec.json.Decoder(float_hook=Decimal)
_encoder = msgspec.json.Encoder(decimal_format="number")


def post_schema() -> dict[str, Any]:
    schema, conditional = request_schema(SPEC, STRUCT, "create", list(SPEC.targets))
    assert conditional, "an invoice is one of two QuickBooks objects, chosen by type"
    return schema


def validator(schema: dict[str, Any]) -> Draft202012Validator:
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


@functools.cache
def post_validator() -> Draft202012Validator:
    return validator(post_schema())


def verdicts(text: str, kind: str = "create", existing: dict[str, Any] | None = None) -> tuple[list[Any], bool]:
    """Validation's problems (decoded as the API decodes bodies) and whether the schema accepts the same JSON."""
    body = _decoder.decode(text)
    checked = check_request(SPEC, STRUCT, body["model"], integration="QuickBooks Online", kind=kind, existing=existing)  # type: ignore[arg-type]
    if kind == "create":
        schema = post_validator()
    else:
        assert checked.target is not None
        schema = validator(request_schema(SPEC, STRUCT, "update", [checked.target])[0])
    return [*checked.warnings, *checked.errors], schema.is_valid(json.loads(text))


def _id() -> str:
    return str(uuid.uuid4())


def test_the_post_and_patch_schemas_are_valid_json_schema() -> None:
    validator(post_schema())
    for target in SPEC.targets:
        schema, conditional = request_schema(SPEC, STRUCT, "update", [target])
        validator(schema)
        assert not conditional
        assert "required" not in schema["properties"]["model"], "a PATCH sends only what changes"


def test_required_fields_and_references_are_described_as_validation_reads_them() -> None:
    model = post_schema()["properties"]["model"]
    assert model["required"] == ["contact", "line_items", "type"]
    assert model["properties"]["contact"] == {"type": "string", "format": "uuid"}, "required: never null"
    assert model["properties"]["payment_term"] == {"type": ["string", "null"], "format": "uuid"}
    assert model["properties"]["type"]["enum"] == ["ACCOUNTS_RECEIVABLE", "ACCOUNTS_PAYABLE"]
    assert "employee" not in model["properties"], "a field QuickBooks does not take is not offered"


def test_what_each_object_requires_is_conditional_on_type() -> None:
    invoice_line = {"description": "Consulting", "unit_price": 100, "quantity": 1}
    account_line = {"account": _id(), "total_amount": 100}
    cases = {
        "AR with an item": ("ACCOUNTS_RECEIVABLE", [{**invoice_line, "item": _id()}], True),
        "AR without an item": ("ACCOUNTS_RECEIVABLE", [invoice_line], False),
        "AP against an account": ("ACCOUNTS_PAYABLE", [account_line], True),
        "AP against an item": ("ACCOUNTS_PAYABLE", [{"item": _id(), "total_amount": 5}], True),
    }
    for name, (kind, lines, accepted) in cases.items():
        text = json.dumps({"model": {"type": kind, "contact": _id(), "line_items": lines}})
        problems, schema_accepts = verdicts(text)
        assert schema_accepts is accepted, name
        assert (problems == []) is accepted, f"{name}: validation and the schema agree"


@pytest.mark.parametrize(
    "model",
    [
        pytest.param({"contact": "c", "line_items": [{"account": "a", "total_amount": 1}]}, id="no-type"),
        pytest.param(
            {"type": "ACCOUNTS_PAYABLE", "line_items": [{"account": "a", "total_amount": 1}]}, id="no-contact"
        ),
        pytest.param({"type": "ACCOUNTS_PAYABLE", "contact": "c", "line_items": []}, id="no-lines"),
        pytest.param({"type": "ACCOUNTS_SIDEWAYS", "contact": "c", "line_items": [{"account": "a"}]}, id="bad-type"),
        pytest.param({"type": "ACCOUNTS_PAYABLE", "contact": 7, "line_items": [{"account": "a"}]}, id="bad-contact"),
        pytest.param(
            {"type": "ACCOUNTS_PAYABLE", "contact": "c", "currency": "QQQ", "line_items": [{"account": "a"}]},
            id="bad-currency",
        ),
    ],
)
def test_requests_validation_refuses_for_their_shape_the_schema_refuses_too(model: dict[str, Any]) -> None:
    text = json.dumps({"model": model}).replace('"c"', f'"{_id()}"').replace('"a"', f'"{_id()}"')
    problems, schema_accepts = verdicts(text)
    assert problems != []
    assert not schema_accepts


def test_a_patch_body_that_validation_takes_fits_the_records_patch_schema() -> None:
    stored = {"type": "ACCOUNTS_PAYABLE", "contact": _id(), "line_items": [], "remote_id": "Bill-9"}
    text = json.dumps({"model": {"memo": "paid by card", "due_date": "2024-05-01T00:00:00Z"}})
    problems, schema_accepts = verdicts(text, "update", stored)
    assert (problems, schema_accepts) == ([], True)


# --- every clean request fits the schema ----------------------------------------------------------------------------

_uuids = st.uuids().map(str)
_money = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False)
_moments = st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat())
_text = st.text(max_size=20)


def _line(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    optional = {
        "description": _text,
        "unit_price": _money,
        "quantity": _money,
        "total_amount": _money,
        "tax_rate": _uuids,
        "tracking_categories": st.lists(_uuids, max_size=2),
    }
    if kind == "ACCOUNTS_PAYABLE":
        optional |= {"item": _uuids, "is_billable": st.booleans()}
        return st.fixed_dictionaries({"account": _uuids}, optional=optional)
    return st.fixed_dictionaries({"item": _uuids}, optional=optional)


@st.composite
def _requests(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["ACCOUNTS_RECEIVABLE", "ACCOUNTS_PAYABLE"]))
    optional = {
        "number": _text,
        "memo": st.one_of(st.none(), _text),
        "issue_date": _moments,
        "due_date": st.one_of(st.none(), _moments),
        "currency": st.sampled_from(["USD", "EUR", "GBP"]),
        "exchange_rate": st.decimals(min_value=0, max_value=100, places=4).map(str),
        "payment_term": _uuids,
        "tracking_categories": st.lists(_uuids, max_size=2),
    }
    model = draw(st.fixed_dictionaries({"contact": _uuids}, optional=optional))
    return {**model, "type": kind, "line_items": draw(st.lists(_line(kind), min_size=1, max_size=3))}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_requests())
def test_every_request_validation_takes_without_a_problem_fits_the_schema(model: dict[str, Any]) -> None:
    text = _encoder.encode({"model": model}).decode()
    problems, schema_accepts = verdicts(text)
    if problems == []:
        assert schema_accepts, text
