"""Merge's multipart fields decoded for sending: each encoding, the limits, and gzip that would inflate too far."""

from __future__ import annotations

import base64
import gzip

import pytest

from ledgerport.connectors._base.passthrough import PassthroughRefused
from ledgerport.passthrough.forms import MAX_FORM_BYTES, form_parts
from ledgerport.passthrough.shapes import MultipartFormFieldRequest as Field


def test_each_encoding_decodes_to_the_same_bytes() -> None:
    raw = b"%PDF-1.4 \x00\xff binary"
    parts = form_parts(
        [
            Field(name="meta", data='{"FileName": "r.pdf"}', content_type="application/json"),
            Field(name="b64", data=base64.b64encode(raw).decode(), encoding="BASE64", file_name="r.pdf"),
            Field(name="gz", data=base64.b64encode(gzip.compress(raw)).decode(), encoding="GZIP_BASE64"),
        ]
    )
    assert [part.data for part in parts] == [b'{"FileName": "r.pdf"}', raw, raw]
    assert parts[0].content_type == "application/json"
    assert parts[1].file_name == "r.pdf"


@pytest.mark.parametrize(
    ("field", "says"),
    [
        (Field(name="f", data="not base64!", encoding="BASE64"), "not valid base64"),
        (Field(name="f", data=base64.b64encode(b"plain").decode(), encoding="GZIP_BASE64"), "not valid gzip"),
        (
            Field(name="f", data=base64.b64encode(gzip.compress(b"x" * 100)[:-12]).decode(), encoding="GZIP_BASE64"),
            "truncated",
        ),
        (Field(name="", data="x"), "names"),
        (Field(name="a\r\nX-Injected: 1", data="x"), "names"),
        (Field(name="f", data="x", content_type="text/plain\r\nX: y"), "content_type"),
        (Field(name="f", data="x", file_name="a\nb"), "file_name"),
    ],
)
def test_fields_that_cannot_be_sent_are_named(field: Field, says: str) -> None:
    with pytest.raises(PassthroughRefused, match=says):
        form_parts([field])


def test_a_gzip_bomb_is_refused_while_it_inflates() -> None:
    bomb = gzip.compress(b"\x00" * (MAX_FORM_BYTES + 1), compresslevel=9)
    assert len(bomb) < MAX_FORM_BYTES // 500
    with pytest.raises(PassthroughRefused, match="at most"):
        form_parts([Field(name="f", data=base64.b64encode(bomb).decode(), encoding="GZIP_BASE64")])


def test_the_limit_counts_every_field_together() -> None:
    half = "x" * (MAX_FORM_BYTES // 2 + 1)
    with pytest.raises(PassthroughRefused, match="at most"):
        form_parts([Field(name="a", data=half), Field(name="b", data=half)])
    with pytest.raises(PassthroughRefused, match="at least one"):
        form_parts([])
