"""Field mappings in the sync: which records a mapping reads (its endpoint), the value at a traversal path, the
``field_mappings`` a page's records get, the paths ``/remote-fields`` lists, and a mapping made while a sync runs
making that run read the model whole.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from ledgerport.models.invoice import Invoice
from ledgerport.store import Database, accounts
from ledgerport.store.field_mappings import NewFieldMapping, add_field_mapping, remove_field_mapping
from ledgerport.store.records import NewRecord
from ledgerport.store.sync_states import begin_sync, list_sync_states, save_watermark
from ledgerport.sync.field_mappings import (
    MAX_EXAMPLES,
    MAX_POSITIONS,
    Target,
    came_from,
    remote_fields,
    schema_of,
    targets_for,
    url_path,
    value_at,
    with_targets,
)

QUERY = "https://quickbooks.api.intuit.com/v3/company/9341/query"
RECORD = {"Id": "7", "CustomField": [{"Name": "Crew #", "StringValue": "C-9"}, {"Name": "Rep"}], "Total": 1.5}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (["Id"], "7"),
        (["CustomField", 0, "StringValue"], "C-9"),
        (["CustomField", -1, "Name"], "Rep"),
        (["CustomField", 1, "StringValue"], None),
        (["CustomField", 2, "Name"], None),
        (["CustomField", "0"], None),
        (["Id", "x"], None),
        (["CustomField"], RECORD["CustomField"]),
    ],
)
def test_value_at(path: list[str | int], value: object) -> None:
    assert value_at(RECORD, path) == value


def test_a_boolean_is_no_position() -> None:
    assert value_at({"a": ["x", "y"]}, ["a", True]) is None


@pytest.mark.parametrize(
    ("endpoint", "address", "matches"),
    [
        ("/query", QUERY, True),
        ("query", QUERY, True),
        ("/v3/company/9341/query", QUERY, True),
        (QUERY, QUERY, True),
        ("/ery", QUERY, False),
        ("/company/query", QUERY, False),
        ("/Invoices", "https://api.xero.com/api.xro/2.0/Invoices", True),
        ("/Invoices", "https://api.xero.com/api.xro/2.0/Invoices?page=2", True),
        ("/Invoices", "https://api.xero.com/api.xro/2.0/CreditNotes", False),
        ("/invoice/{id}", "https://qb.example/v3/company/9341/invoice/42", True),
        ("/invoice/42", "https://qb.example/v3/company/9341/invoice/43", True),
        ("/invoice/{id}", QUERY, False),
        ("/", QUERY, False),
    ],
)
def test_came_from(endpoint: str, address: str, matches: bool) -> None:
    assert came_from(endpoint, address) is matches


def test_url_path_collapses_a_record_id() -> None:
    assert url_path(QUERY) == "/v3/company/9341/query"
    assert url_path("https://qb.example/v3/company/9341/invoice/42/") == "/v3/company/9341/invoice/{id}"
    guid = "4dded13d-a524-455c-8e3b-2661379ec3ee"
    assert url_path(f"https://api.xero.com/api.xro/2.0/Contacts/{guid}") == "/api.xro/2.0/Contacts/{id}"


def test_records_get_their_mapped_values() -> None:
    targets = (Target("crew", ("CustomField", 0, "StringValue"), "/query"), Target("missing", ("Nope",), "/query"))
    items = [
        NewRecord(remote_id="7", model=Invoice(number="1"), remote_data=[{"path": QUERY, "data": RECORD}]),
        NewRecord(remote_id="8", model=Invoice(number="2"), remote_data=[{"path": "https://x/bill/8", "data": RECORD}]),
        NewRecord(remote_id="9", model=Invoice(number="3"), remote_data=None),
    ]
    filled = with_targets(targets, items)
    assert [item.model.field_mappings for item in filled] == [  # type: ignore[attr-defined]
        {"organization_defined_targets": {}, "linked_account_defined_targets": {"crew": "C-9", "missing": None}},
        {"organization_defined_targets": {}, "linked_account_defined_targets": {"crew": None, "missing": None}},
        {"organization_defined_targets": {}, "linked_account_defined_targets": {"crew": None, "missing": None}},
    ]
    assert [item.model.number for item in filled] == ["1", "2", "3"]  # type: ignore[attr-defined]
    assert with_targets((), items) is items, "no mappings: the records as the mapping built them"


def test_remote_fields_lists_leaf_paths_per_endpoint() -> None:
    lines = [{"Amount": n} for n in range(MAX_POSITIONS + 5)]
    samples = [
        [{"path": QUERY, "data": {**RECORD, "Line": lines, "Empty": [], "Meta": {}}}],
        [{"path": QUERY, "data": {"Id": "8", "Total": 2, "CustomField": [{"Name": "Crew #", "StringValue": None}]}}],
        [{"path": "https://qb.example/v3/company/9341/invoice/9", "data": {"Id": "9"}}],
        *[[{"path": QUERY, "data": {"Id": str(n)}}] for n in range(10, 20)],
    ]
    found = remote_fields(samples, examples=True)
    by_path = {(field.url_path, field.path): field for field in found}
    query = "/v3/company/9341/query"
    assert list(by_path)[:4] == [
        (query, ("Id",)),
        (query, ("CustomField", 0, "Name")),
        (query, ("CustomField", 0, "StringValue")),
        (query, ("CustomField", 1, "Name")),
    ]
    assert (query, ("Line", MAX_POSITIONS - 1, "Amount")) in by_path
    assert (query, ("Line", MAX_POSITIONS, "Amount")) not in by_path
    assert by_path[(query, ("Empty",))].types == {"array"}
    assert by_path[(query, ("Meta",))].types == {"object"}
    assert ("/v3/company/9341/invoice/{id}", ("Id",)) in by_path
    ids = by_path[(query, ("Id",))]
    assert ids.examples == ["7", "8", "10", "11", "12"][:MAX_EXAMPLES]
    assert ids.seen == 12
    crew = by_path[(query, ("CustomField", 0, "StringValue"))]
    assert crew.examples == ["C-9"]
    assert schema_of(crew.types) == {"type": "string"}
    assert schema_of(by_path[(query, ("Total",))].types) == {"type": "number"}
    assert all(field.examples == [] for field in remote_fields(samples, examples=False))


@pytest.mark.parametrize(
    ("types", "schema"),
    [
        ({"string"}, {"type": "string"}),
        ({"string", "null"}, {"type": "string"}),
        ({"null"}, {"type": "null"}),
        ({"integer"}, {"type": "integer"}),
        ({"integer", "number"}, {"type": "number"}),
        ({"string", "boolean"}, {"type": ["boolean", "string"]}),
    ],
)
def test_schema_of(types: set[str], schema: dict[str, object]) -> None:
    assert schema_of(types) == schema


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    yield db
    await db.dispose()


async def test_a_mapping_made_during_a_sync_makes_it_read_the_model_whole(database: Database) -> None:
    async with database.write() as session:
        organization_id = await accounts.create_organization(session, name=f"targets-{uuid.uuid4().hex[:6]}")
        made = await accounts.create_linked_account(
            session,
            organization_id=organization_id,
            integration="quickbooks-online",
            integration_name="QuickBooks Online",
            end_user_organization_name="Targets Ltd",
        )
        account_id = made.account.id
        await begin_sync(session, linked_account_id=account_id, models=["Invoice", "Contact"])
        for model in ("Invoice", "Contact"):
            await save_watermark(session, linked_account_id=account_id, model=model, watermark='{"Invoice": "x"}')

    marks = {"Invoice": "2026-01-01T00:00:00Z"}
    assert await targets_for(database, account_id, "Invoice", marks) == ()
    assert marks == {"Invoice": "2026-01-01T00:00:00Z"}, "nothing changed: the run goes on from its watermark"

    mapping = NewFieldMapping(
        model="Invoice",
        target_field_name="crew",
        target_field_description="",
        remote_field_traversal_path=["CustomField", 0, "StringValue"],
        remote_method="GET",
        remote_url_path="/query",
    )
    async with database.write() as session:
        stored = await add_field_mapping(
            session, organization_id=organization_id, linked_account_id=account_id, mapping=mapping
        )
    async with database.read() as session:
        watermarks = {
            state.model: state.watermark for state in await list_sync_states(session, linked_account_id=account_id)
        }
    assert watermarks == {"Contact": '{"Invoice": "x"}', "Invoice": None}

    # a run that read its watermarks before the mapping was made drops them before walking the model
    assert await targets_for(database, account_id, "Invoice", marks) == (
        Target("crew", ("CustomField", 0, "StringValue"), "/query"),
    )
    assert marks == {}
    contact_marks = {"Contact": "2026-01-01T00:00:00Z"}
    assert await targets_for(database, account_id, "Contact", contact_marks) == ()
    assert contact_marks == {"Contact": "2026-01-01T00:00:00Z"}

    async with database.write() as session:
        await save_watermark(session, linked_account_id=account_id, model="Invoice", watermark="{}")
        removed = await remove_field_mapping(
            session, organization_id=organization_id, linked_account_id=account_id, mapping_id=stored.id
        )
        assert removed == stored
        assert (
            await remove_field_mapping(
                session, organization_id=organization_id, linked_account_id=account_id, mapping_id=stored.id
            )
            is None
        )
    marks = {"Invoice": "2026-02-01T00:00:00Z"}
    assert await targets_for(database, account_id, "Invoice", marks) == ()
    assert marks == {}, "a deleted mapping, too, is taken out of every record again"
    async with database.write() as session:
        await accounts.delete_linked_account(session, account_id=account_id)
