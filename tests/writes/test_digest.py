"""``writes.engine.request_digest``: when a retried request is "the same" for its Idempotency-Key.

The same JSON value is the same request, however a client spells it (Merge's SDK orders keys its own way and sends
``2.0`` for a quantity a hand-written request calls ``2``); any other value is another request (a 422).
"""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from ledgerport.writes import request_digest

_decoder = msgspec.json.Decoder(float_hook=Decimal)


def digest(text: str, method: str = "create", path: str = "Invoice/") -> str:
    """The digest of a body as the API decodes it."""
    return request_digest(method, path, _decoder.decode(text))


@pytest.mark.parametrize(
    ("one", "other"),
    [
        pytest.param('{"model": {"a": 1, "b": 2}}', '{"model": {"b": 2, "a": 1}}', id="key-order"),
        pytest.param('{"model": {"quantity": 2}}', '{"model": {"quantity": 2.0}}', id="2-and-2.0"),
        pytest.param('{"model": {"price": 125.5}}', '{"model": {"price": 125.50}}', id="trailing-zero"),
        pytest.param('{"model": {"total": 100}}', '{"model": {"total": 1e2}}', id="exponent"),
        pytest.param(
            '{"model": {"line_items": [{"item": "i", "quantity": 2}]}}',
            '{"model": {"line_items": [{"quantity": 2.00, "item": "i"}]}}',
            id="nested",
        ),
    ],
)
def test_one_json_value_spelled_two_ways_is_the_same_request(one: str, other: str) -> None:
    assert digest(one) == digest(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        pytest.param('{"model": {"quantity": 2}}', '{"model": {"quantity": 3}}', id="another-number"),
        pytest.param('{"model": {"quantity": 2}}', '{"model": {"quantity": "2"}}', id="text-is-not-a-number"),
        pytest.param('{"model": {"paid": true}}', '{"model": {"paid": 1}}', id="true-is-not-1"),
        pytest.param('{"model": {"lines": [1, 2]}}', '{"model": {"lines": [2, 1]}}', id="list-order"),
        pytest.param('{"model": {"memo": null}}', '{"model": {}}', id="null-is-not-absent"),
    ],
)
def test_another_value_is_another_request(one: str, other: str) -> None:
    assert digest(one) != digest(other)


def test_the_operation_and_record_are_part_of_the_request() -> None:
    body = '{"model": {"memo": "x"}}'
    assert digest(body, "create", "Invoice/") != digest(body, "update", "Invoice/")
    assert digest(body, "update", "Invoice/a") != digest(body, "update", "Invoice/b")
