"""The mapping DSL compiles its tables to functions; these pin the compiled forms to the plain definitions."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import msgspec
from hypothesis import given
from hypothesis import strategies as st

from ledgerport.connectors._base.http import Request
from ledgerport.connectors._base.mapping import (
    ChildId,
    Computed,
    Const,
    Each,
    F,
    MappingContext,
    ModelMap,
    NestedMap,
    Ref,
    RefList,
    apply,
    getter,
)
from ledgerport.connectors._base.paging import PageNumber
from ledgerport.connectors._base.streams import Stream, dig
from ledgerport.store.records import record_id, record_ids

_KEYS = st.sampled_from(["a", "b", "c"])
_LEAVES = st.none() | st.integers() | st.text(max_size=3) | st.booleans()
_JSON = st.recursive(
    _LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=3),
    max_leaves=12,
)
_PATHS = st.lists(_KEYS, min_size=1, max_size=4).map(".".join)


def _proxied(value: Any) -> Any:
    """The same data behind read-only Mapping views: not dicts, so the compiled getters must take the slow path."""
    if isinstance(value, dict):
        return MappingProxyType({key: _proxied(inner) for key, inner in value.items()})
    return value


@given(record=_JSON, path=_PATHS)
def test_a_compiled_getter_reads_what_dig_reads(record: Any, path: str) -> None:
    assert getter(path)(record) == dig(record, path)
    assert getter(path)(_proxied(record)) == dig(_proxied(record), path)


class Line(msgspec.Struct, kw_only=True):
    id: str | None = None
    amount: Decimal | None = None
    note: str | None = None


class Doc(msgspec.Struct, kw_only=True):
    remote_id: str | None = None
    contact: str | None = None
    tags: list[str] = []
    lines: list[Line] = []
    kind: str | None = None
    summary: str | None = None
    untouched: str | None = "default"


_PAGING = PageNumber(size=10)


def _request(*_: Any) -> Request:
    raise AssertionError("not called")


_STREAM = Stream(name="docs", request=_request, records="Docs", key="Doc.Id", paging=_PAGING)

_MAP = ModelMap(
    model="Doc",
    struct=Doc,
    stream=_STREAM,
    fields={
        "remote_id": F("Doc.Id", str),
        "contact": Ref("Contact.Id", "Contact"),
        "tags": RefList("Tags", "Tag", "Id"),
        "lines": Each(
            "Lines",
            NestedMap(
                Line,
                {"id": ChildId("Line", "Id"), "amount": F("Amount", Decimal), "note": F("Note.Text")},
                when=lambda line: isinstance(line, Mapping) and line.get("Skip") is not True,
            ),
        ),
        "kind": Const("DOC"),
        "summary": Computed(lambda record, context: f"{context.parent}:{len(record.get('Lines') or [])}"),
    },
)


def test_apply_fills_every_kind_of_field_and_leaves_the_rest_default() -> None:
    account = uuid.uuid4()
    context = MappingContext(ref=record_ids(account))
    record = {
        "Doc": {"Id": 7},
        "Contact": {"Id": "C1"},
        "Tags": [{"Id": "t1"}, {"Id": ""}, {"Id": None}, {"Id": 3}],
        "Lines": [
            {"Id": "L1", "Amount": "1.10", "Note": {"Text": "first"}},
            {"Skip": True, "Id": "L2"},
            {"Amount": "2"},
        ],
    }
    doc = apply(_MAP, record, context)
    assert doc == Doc(
        remote_id="7",
        contact=str(record_id(account, "Contact", "C1")),
        tags=[str(record_id(account, "Tag", "t1")), str(record_id(account, "Tag", "3"))],
        lines=[
            Line(id=str(record_id(account, "Line", "7/L1")), amount=Decimal("1.10"), note="first"),
            # no own id: the position among the kept lines names it
            Line(id=str(record_id(account, "Line", "7/1")), amount=Decimal("2"), note=None),
        ],
        kind="DOC",
        summary="7:3",
    )
    assert record["Lines"][1] == {"Skip": True, "Id": "L2"}, "the input is never mutated"


def test_missing_and_empty_references_are_none() -> None:
    doc = apply(_MAP, {"Doc": {"Id": "1"}, "Contact": {"Id": ""}, "Tags": None, "Lines": None}, _context())
    assert (doc.contact, doc.tags, doc.lines) == (None, [], [])
    doc = apply(_MAP, {"Doc": {"Id": "1"}, "Contact": "not an object"}, _context())
    assert doc.contact is None


def _context() -> MappingContext:
    return MappingContext(ref=record_ids(uuid.uuid4()))


@given(model=st.text(max_size=20), remote_id=st.text(max_size=40))
def test_record_ids_formats_the_same_uuid5_as_record_id(model: str, remote_id: str) -> None:
    account = uuid.UUID(int=12345)
    assert record_ids(account)(model, remote_id) == str(record_id(account, model, remote_id))


def test_complete_streams_feed_their_model_alone() -> None:
    """The engine marks a ``complete`` stream's unlisted records deleted by model: another stream's records of the
    same model would be taken for deletions."""
    from ledgerport.connectors import CONNECTORS

    for connector in CONNECTORS.values():
        for mapping in connector.mappings:
            if mapping.stream.complete:
                feeding = [m.stream.name for m in connector.mappings if m.model == mapping.model]
                assert feeding == [mapping.stream.name], f"{connector.key}: {mapping.model} is fed by {feeding}"
