from __future__ import annotations

import base64
from urllib.parse import parse_qs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledgerport.kit.cursor import Cursor, ForeignCursor, InvalidCursor, decode_cursor, encode_cursor

SCOPE = "Invoice/00000000-0000-4000-8000-000000000001"
ROW = "00000000-0000-0000-0000-000000000001"
TAG = parse_qs(base64.urlsafe_b64decode(encode_cursor(Cursor(created=1, id=ROW), scope=SCOPE)).decode())["s"][0]
"""The scope digest a cursor of ``SCOPE`` carries, so hand-made texts below are wrong in one way only."""

positions = st.builds(
    Cursor,
    created=st.integers(min_value=0, max_value=2**63 - 1),
    id=st.uuids().map(str),
    reverse=st.booleans(),
    inclusive=st.booleans(),
)


def _text(query: str) -> str:
    return base64.urlsafe_b64encode(query.encode()).decode()


@given(positions)
def test_round_trip(cursor: Cursor) -> None:
    assert decode_cursor(encode_cursor(cursor, scope=SCOPE), scope=SCOPE) == cursor


def test_looks_like_merge_cursor() -> None:
    text = encode_cursor(Cursor(created=1, id=ROW), scope=SCOPE)
    assert base64.urlsafe_b64decode(text).decode().startswith("p=1&")


def test_the_last_signed_64_bit_position_is_a_position() -> None:
    assert decode_cursor(_text(f"p={2**63 - 1}&i={ROW}&s={TAG}"), scope=SCOPE).created == 2**63 - 1


@pytest.mark.parametrize("position", [2**63, 2**63 + 1, 2**64, 10**30])
def test_positions_beyond_a_signed_64_bit_column_are_rejected(position: int) -> None:
    """``created_at`` is a BIGINT: a larger position would overflow the query's parameter instead of paging."""
    with pytest.raises(InvalidCursor):
        decode_cursor(_text(f"p={position}&i={ROW}&s={TAG}"), scope=SCOPE)


def test_a_cursor_pages_only_the_list_that_issued_it() -> None:
    text = encode_cursor(Cursor(created=5, id=ROW), scope=SCOPE)
    for other in ("Contact/00000000-0000-4000-8000-000000000001", "Invoice/00000000-0000-4000-8000-000000000002"):
        with pytest.raises(ForeignCursor):
            decode_cursor(text, scope=other)
    assert decode_cursor(text, scope=SCOPE).created == 5


def test_the_scope_is_not_readable_in_the_cursor() -> None:
    text = base64.urlsafe_b64decode(encode_cursor(Cursor(created=5, id=ROW), scope=SCOPE)).decode()
    assert "Invoice" not in text
    assert "00000000-0000-4000-8000-000000000001" not in text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "garbage",
        "!!!!",
        _text(f"p=abc&i=x&s={TAG}"),
        _text(f"i=x&s={TAG}"),
        _text(f"p=1&i=x&z=1&s={TAG}"),
        _text(f"p=1&i=;drop&s={TAG}"),
        _text(f"p=-1&i={ROW}&s={TAG}"),
        _text(f"p=1&i={ROW}&r=2&s={TAG}"),
        _text(f"p=1&i={ROW}"),  # no scope: made by hand, or by an older server
        _text(f"p=1&i={ROW}&s={TAG}&s={TAG}"),
    ],
)
def test_rejects_foreign_text(text: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(text, scope=SCOPE)
