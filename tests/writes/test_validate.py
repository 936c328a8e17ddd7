"""``writes.validate``: every problem type of a write request, each at its exact JSON pointer.

The vehicle is QuickBooks Online's Invoice table (an AR ``Invoice`` or an AP ``Bill``), the model written today;
the rules checked are the engine's, read from whatever table a connector declares.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from ledgerport.connectors.quickbooks.writes import WRITES
from ledgerport.models import MODELS
from ledgerport.writes.validate import Checked, check_request

SPEC = WRITES["Invoice"]
STRUCT = MODELS["Invoice"].struct
QBO = "QuickBooks Online"


def _id() -> str:
    return str(uuid.uuid4())


def ar(**fields: Any) -> dict[str, Any]:
    """A clean AR invoice request; ``fields`` override or add (``None`` as a value removes the key)."""
    body = {
        "type": "ACCOUNTS_RECEIVABLE",
        "contact": _id(),
        "line_items": [{"item": _id(), "unit_price": Decimal("12.50"), "quantity": Decimal(2)}],
    }
    return {k: v for k, v in {**body, **fields}.items() if v is not None}


def ap(**fields: Any) -> dict[str, Any]:
    """A clean AP bill request (an expense line booked to an account)."""
    body = {
        "type": "ACCOUNTS_PAYABLE",
        "contact": _id(),
        "line_items": [{"account": _id(), "total_amount": Decimal("40.00"), "description": "Paper"}],
    }
    return {k: v for k, v in {**body, **fields}.items() if v is not None}


def check(given: Any, kind: str = "create", existing: dict[str, Any] | None = None) -> Checked:
    return check_request(SPEC, STRUCT, given, integration=QBO, kind=kind, existing=existing)  # type: ignore[arg-type]


def found(problems: list[Any]) -> list[tuple[str, str]]:
    """``(problem_type, pointer)`` of each problem, sorted (the order of a body's keys is the client's)."""
    return sorted((p.problem_type, "" if p.source is None else p.source.pointer) for p in problems)


# --- clean requests --------------------------------------------------------------------------------------------------


def test_a_clean_invoice_has_no_problems_and_names_its_references() -> None:
    body = ar(memo="March", issue_date="2024-03-31T00:00:00Z", total_amount=Decimal(25))
    checked = check(body)
    assert (checked.warnings, checked.errors) == ([], [])
    assert checked.target is not None
    assert checked.target.entity == "Invoice"
    assert checked.model["issue_date"] == datetime(2024, 3, 31, tzinfo=UTC)
    assert [(r.pointer, r.model, r.value) for r in checked.references] == [
        ("/model/contact", "Contact", body["contact"]),
        ("/model/line_items/0/item", "Item", body["line_items"][0]["item"]),
    ]


def test_a_clean_bill_is_the_bill_target() -> None:
    body = ap()
    checked = check(body)
    assert (checked.warnings, checked.errors) == ([], [])
    assert checked.target is not None
    assert checked.target.entity == "Bill"
    assert [(r.pointer, r.model) for r in checked.references] == [
        ("/model/contact", "Contact"),
        ("/model/line_items/0/account", "Account"),
    ]


# --- warnings: the field is ignored, the request goes on -----------------------------------------------------------


def test_an_unknown_field_is_an_unrecognized_field_warning_and_ignored() -> None:
    body = ar(colour="blue", remote_id="77")
    body["line_items"][0]["flavour"] = "mint"
    checked = check(body)
    assert checked.errors == []
    assert found(checked.warnings) == [
        ("UNRECOGNIZED_FIELD", "/model/colour"),
        ("UNRECOGNIZED_FIELD", "/model/line_items/0/flavour"),
        ("UNRECOGNIZED_FIELD", "/model/remote_id"),
    ]
    assert "colour" not in checked.model
    assert "remote_id" not in checked.model
    assert "flavour" not in checked.model["line_items"][0]
    (read_only,) = [w for w in checked.warnings if w.source is not None and w.source.pointer == "/model/remote_id"]
    assert read_only.detail == "remote_id is set by the provider or the store; it was ignored."


def test_a_field_the_integration_does_not_write_is_an_unsupported_field_warning_and_ignored() -> None:
    body = ar(employee=_id(), status="PAID", paid_on_date="2024-04-01T00:00:00Z")
    body["line_items"][0]["account"] = _id()  # an invoice line takes an item, not an account
    checked = check(body)
    assert checked.errors == []
    assert found(checked.warnings) == [
        ("UNSUPPORTED_FIELD", "/model/employee"),
        ("UNSUPPORTED_FIELD", "/model/line_items/0/account"),
        ("UNSUPPORTED_FIELD", "/model/paid_on_date"),
        ("UNSUPPORTED_FIELD", "/model/status"),
    ]
    assert {w.detail for w in checked.warnings} >= {
        "QuickBooks Online does not take employee when it creates this object; it was ignored."
    }
    assert not {"employee", "status", "paid_on_date"} & set(checked.model)
    assert [r.pointer for r in checked.references] == ["/model/contact", "/model/line_items/0/item"]


def test_merges_request_only_keys_are_accepted_silently() -> None:
    checked = check(ar(integration_params={"x": 1}, linked_account_params={}))
    assert (checked.warnings, checked.errors) == ([], [])
    assert "integration_params" not in checked.model


def test_a_date_for_a_date_time_is_a_warning_and_means_midnight_utc() -> None:
    checked = check(ar(issue_date="2024-03-31", due_date="2024-04-30T12:00:00+02:00"))
    assert checked.errors == []
    assert found(checked.warnings) == [("INCORRECT_FIELD_TYPE", "/model/issue_date")]
    assert checked.warnings[0].detail == "issue_date: '2024-03-31' is a date; it was read as 2024-03-31T00:00:00Z."
    assert checked.model["issue_date"] == datetime(2024, 3, 31, tzinfo=UTC)
    assert checked.model["due_date"] == datetime(2024, 4, 30, 10, tzinfo=UTC)


def test_a_number_sent_as_text_is_a_warning_and_read_as_the_number() -> None:
    body = ar()
    body["line_items"][0]["unit_price"] = "12.50"
    checked = check(body)
    assert checked.errors == []
    assert found(checked.warnings) == [("INCORRECT_FIELD_TYPE", "/model/line_items/0/unit_price")]
    assert checked.model["line_items"][0]["unit_price"] == Decimal("12.50")


# --- errors ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "pointers"),
    [
        pytest.param(ar(contact=None), ["/model/contact"], id="contact"),
        pytest.param(ar(line_items=[]), ["/model/line_items"], id="no-lines"),
        pytest.param(ar(contact=None, line_items=None), ["/model/contact", "/model/line_items"], id="both"),
        pytest.param(ar(line_items=[{"unit_price": 5, "quantity": 1}]), ["/model/line_items/0/item"], id="line-item"),
        pytest.param(ap(contact=None), ["/model/contact"], id="bill-contact"),
        pytest.param({"contact": _id(), "line_items": []}, ["/model/type"], id="type"),
    ],
)
def test_a_missing_required_field_is_named_at_its_pointer(body: dict[str, Any], pointers: list[str]) -> None:
    checked = check(body)
    assert found(checked.errors) == sorted(("MISSING_REQUIRED_FIELD", p) for p in pointers)


def test_a_required_field_sent_as_null_is_missing() -> None:
    checked = check({**ar(), "contact": None})
    assert found(checked.errors) == [("MISSING_REQUIRED_FIELD", "/model/contact")]
    assert checked.errors[0].detail == "contact is a required field for QuickBooks Online."


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        pytest.param({"contact": 5}, "/model/contact", id="ref-as-number"),
        pytest.param({"memo": 12}, "/model/memo", id="number-for-text"),
        pytest.param({"total_amount": "a lot"}, "/model/total_amount", id="text-for-number"),
        pytest.param({"issue_date": "31/03/2024"}, "/model/issue_date", id="not-a-date"),
        pytest.param({"tracking_categories": "x"}, "/model/tracking_categories", id="text-for-list"),
        pytest.param({"line_items": "lines"}, "/model/line_items", id="text-for-lines"),
        pytest.param({"line_items": ["a line"]}, "/model/line_items/0", id="line-not-object"),
        pytest.param(
            {"line_items": [{"item": _id(), "quantity": 1, "unit_price": 2}, {"item": _id(), "quantity": "two"}]},
            "/model/line_items/1/quantity",
            id="line-field",
        ),
    ],
)
def test_a_wrong_type_is_one_incorrect_field_type_error(change: dict[str, Any], pointer: str) -> None:
    checked = check({**ar(), **change})
    assert found(checked.errors) == [("INCORRECT_FIELD_TYPE", pointer)], "and not also reported missing"


def test_a_model_that_is_no_object_is_an_incorrect_field_type() -> None:
    checked = check(["not", "an", "object"])
    assert found(checked.errors) == [("INCORRECT_FIELD_TYPE", "/model")]
    assert checked.target is None


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        pytest.param({"currency": "QQQ"}, "/model/currency", id="currency"),
        pytest.param({"type": "ACCOUNTS_SIDEWAYS"}, "/model/type", id="type"),
    ],
)
def test_a_bad_enum_value_is_an_invalid_field_choice(change: dict[str, Any], pointer: str) -> None:
    checked = check({**ar(), **change})
    assert found(checked.errors) == [("INVALID_FIELD_CHOICE", pointer)]
    assert len(checked.errors[0].detail) < 200, "a detail names the problem, not all 300 currency codes"


def test_lines_that_contradict_the_total_are_refused_at_total_amount() -> None:
    lines = [
        {"item": _id(), "unit_price": Decimal("12.50"), "quantity": Decimal(2)},
        {"item": _id(), "total_amount": Decimal("7.25")},
    ]
    checked = check(ar(line_items=lines, total_amount=Decimal("40.00")))
    assert found(checked.errors) == [("ERROR", "/model/total_amount")]
    assert checked.errors[0].title == "Total Does Not Match Lines"
    assert checked.errors[0].detail == "total_amount is 40.00, but the lines add up to 32.25."

    agreeing = ar(line_items=lines, total_amount=Decimal("33.25"), total_tax_amount=3, total_discount=2)
    assert check(agreeing).errors == [], "lines − discount + tax"


def test_a_bill_line_needs_an_account_or_an_item() -> None:
    checked = check(ap(line_items=[{"total_amount": 10}, {"account": _id(), "total_amount": 5}]))
    assert found(checked.errors) == [("ERROR", "/model/line_items")]
    assert checked.errors[0].detail.startswith("line 0 needs an account or an item")


# --- PATCH: only the fields sent ------------------------------------------------------------------------------------


def _stored_invoice() -> dict[str, Any]:
    return {
        "id": _id(),
        "remote_id": "130",
        "type": "ACCOUNTS_RECEIVABLE",
        "contact": _id(),
        "memo": "old",
        "total_amount": 25.0,
        "line_items": [{"item": _id(), "unit_price": 12.5, "quantity": 2.0, "total_amount": 25.0}],
    }


def test_a_patch_checks_only_the_fields_sent() -> None:
    checked = check({"memo": "new"}, "update", _stored_invoice())
    assert (checked.warnings, checked.errors) == ([], [])
    assert checked.model == {"memo": "new"}
    assert checked.target is not None
    assert checked.target.entity == "Invoice", "the stored record's type chooses the target"


def test_a_patch_may_not_clear_a_required_field_or_change_the_type() -> None:
    checked = check({"contact": None, "type": "ACCOUNTS_RECEIVABLE"}, "update", _stored_invoice())
    assert found(checked.errors) == [("MISSING_REQUIRED_FIELD", "/model/contact")]
    assert checked.errors[0].detail == "contact is required by QuickBooks Online and cannot be cleared."
    assert found(checked.warnings) == [("UNSUPPORTED_FIELD", "/model/type")]


def test_lines_sent_in_a_patch_are_whole_lines() -> None:
    """A PATCH's lines replace every line, so each must be complete (an invoice line needs its item)."""
    checked = check({"line_items": [{"description": "no item", "total_amount": 5}]}, "update", _stored_invoice())
    assert found(checked.errors) == [("MISSING_REQUIRED_FIELD", "/model/line_items/0/item")]


def test_a_patch_total_is_checked_against_the_stored_lines() -> None:
    assert found(check({"total_amount": 30}, "update", _stored_invoice()).errors) == [("ERROR", "/model/total_amount")]
    assert check({"total_amount": 25}, "update", _stored_invoice()).errors == []
