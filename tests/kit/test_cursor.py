from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledgerport.kit.cursor import Cursor, InvalidCursor, decode_cursor, encode_cursor

positions = st.builds(
    Cursor, created=st.integers(min_value=0, max_value=2**62), id=st.uuids().map(str), reverse=st.booleans()
)


@given(positions)
def test_round_trip(cursor: Cursor) -> None:
    assert decode_cursor(encode_cursor(cursor)) == cursor


def test_looks_like_merge_cursor() -> None:
    text = encode_cursor(Cursor(created=1, id="00000000-0000-0000-0000-000000000001"))
    assert base64.urlsafe_b64decode(text).decode().startswith("p=1&")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "garbage",
        "!!!!",
        base64.b64encode(b"p=abc&i=x").decode(),
        base64.b64encode(b"i=x").decode(),
        base64.b64encode(b"p=1&i=x&z=1").decode(),
        base64.b64encode(b"p=1&i=;drop").decode(),
    ],
)
def test_rejects_foreign_text(text: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(text)
