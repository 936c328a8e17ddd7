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
    Explode,
    F,
    MappingContext,
    ModelMap,
    NestedMap,
    OwnerRef,
    Ref,
    RefList,
    apply,
    getter,
)
from ledgerport.connectors._base.paging import PageNumber
from ledgerport.connectors._base.streams import StatusIn, Stream, dig
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


def test_complete_models_are_fed_only_by_complete_streams() -> None:
    """The engine marks deleted what none of a ``complete`` model's listings held: a record of the same model
    read from a change feed would be taken for a deletion."""
    from ledgerport.connectors import CONNECTORS

    for connector in CONNECTORS.values():
        for mapping in connector.mappings:
            if mapping.stream.complete:
                partial = [
                    m.stream.name for m in connector.mappings if m.model == mapping.model and not m.stream.complete
                ]
                assert not partial, f"{connector.key}: {mapping.model} is also fed by {partial}"


class Option(msgspec.Struct, kw_only=True):
    remote_id: str | None = None
    name: str | None = None
    parent: str | None = None
    position: str | None = None


_GROUPS = Stream(name="groups", request=_request, records="Groups", key="GroupID", paging=_PAGING)
_OPTIONS = ModelMap(
    model="Option",
    struct=Option,
    stream=_GROUPS,
    explode=Explode("Options", "OptionID", deleted=StatusIn("Status", frozenset({"DELETED"}))),
    when=lambda group: group.get("Kind") != "other",
    fields={
        "remote_id": F("OptionID"),
        "name": F("Name"),
        "parent": OwnerRef("Group"),
        "position": Computed(lambda record, context: f"{context.owner}>{context.parent}"),
    },
)


def test_an_exploded_mapping_makes_one_record_per_element_owned_by_its_stream_record() -> None:
    account = uuid.uuid4()
    context = MappingContext(ref=record_ids(account))
    live = [
        {"GroupID": "g1", "Options": [{"OptionID": "o1", "Name": "North"}, {"OptionID": "o2", "Status": "DELETED"}]},
        {"GroupID": "g2", "Options": None},
        {"GroupID": "g3", "Kind": "other", "Options": [{"OptionID": "o9"}]},
        {"GroupID": "g4", "Options": [{"OptionID": "o3", "Name": "South"}]},
    ]
    deleted = [{"GroupID": "g5", "Options": [{"OptionID": "o4"}, {"OptionID": "o5", "Status": "DELETED"}]}]

    rows = _OPTIONS.rows(live)
    assert [(remote_id, owner) for remote_id, _, owner in rows] == [("o1", "g1"), ("o3", "g4")]
    assert rows[0][1] is live[0]["Options"][0], "the element itself is the record's remote data"
    made = [apply(_OPTIONS, record, context, remote_id=remote_id, owner=owner) for remote_id, record, owner in rows]
    assert made == [
        Option(remote_id="o1", name="North", parent=str(record_id(account, "Group", "g1")), position="g1>o1"),
        Option(remote_id="o3", name="South", parent=str(record_id(account, "Group", "g4")), position="g4>o3"),
    ]
    # every element of a deleted record, and elements deleted alone; never another mapping's (``when``)
    assert sorted(_OPTIONS.gone(live, deleted)) == ["o2", "o4", "o5"]
    assert _OPTIONS.remote_id_of(live[0]["Options"][0]) == "o1"


def test_a_deletion_belongs_only_to_the_mapping_whose_when_takes_the_record() -> None:
    """Two mappings split one stream with ``when`` (Xero's CreditNotes: customer credits and vendor credits); a
    deleted record must be reported gone by its own mapping only, or the other model loses a live record."""

    def of_kind(kind: str) -> ModelMap:
        return ModelMap(
            model=kind,
            struct=Option,
            stream=_GROUPS,
            when=lambda record: record.get("Kind") == kind,
            fields={"remote_id": F("GroupID")},
        )

    deleted = [{"GroupID": "g1", "Kind": "credit"}, {"GroupID": "g2", "Kind": "debit"}]
    assert of_kind("credit").gone([], deleted) == ["g1"]
    assert of_kind("debit").gone([], deleted) == ["g2"]


def test_an_exploded_mapping_reports_no_element_of_records_its_when_leaves_out() -> None:
    live = [{"GroupID": "g1", "Kind": "other", "Options": [{"OptionID": "o1", "Status": "DELETED"}]}]
    deleted = [{"GroupID": "g2", "Kind": "other", "Options": [{"OptionID": "o2"}]}]
    assert _OPTIONS.gone(live, deleted) == []
    assert sorted(_OPTIONS.gone([{**live[0], "Kind": "mine"}], [{**deleted[0], "Kind": "mine"}])) == ["o1", "o2"]


def test_an_owner_reference_outside_an_exploded_mapping_is_none() -> None:
    plain = ModelMap(model="Option", struct=Option, stream=_GROUPS, fields={"parent": OwnerRef("Group")})
    assert apply(plain, {"GroupID": "g1"}, _context()).parent is None


def test_a_nested_rule_sees_the_document_its_line_is_listed_in() -> None:
    """A line's rule may depend on its document (a refund's lines are signed unlike a purchase's)."""
    signed = NestedMap(
        Line,
        {"amount": Computed(lambda line, c: Decimal(line["Amount"]) * (1 if c.document.get("Refund") else -1))},
    )
    plain = ModelMap(model="Doc", struct=Doc, stream=_STREAM, fields={"lines": Each("Lines", signed)})
    lines = [{"Amount": "2.50"}, {"Amount": "1"}]
    purchase = apply(plain, {"Doc": {"Id": 1}, "Lines": lines}, _context())
    refund = apply(plain, {"Doc": {"Id": 2}, "Refund": True, "Lines": lines}, _context())
    assert [line.amount for line in purchase.lines] == [Decimal("-2.50"), Decimal(-1)]
    assert [line.amount for line in refund.lines] == [Decimal("2.50"), Decimal(1)]
    assert apply(plain, {"Doc": {"Id": 3}}, _context()).lines == []
