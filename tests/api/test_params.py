"""Query parameters parsed in process, and run against the store where the parse decides what a filter matches."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import msgspec
import pytest
from litestar.datastructures import MultiDict

from ledgerport.api.errors import BadRequest
from ledgerport.api.pages import list_body, window
from ledgerport.api.params import list_scope, parse_list, parse_page
from ledgerport.kit.cursor import Cursor
from ledgerport.models import MODELS, Account, Contact, IdEquals, ModelSpec
from ledgerport.store import Database, accounts
from ledgerport.store.records import NewRecord, page, upsert_many

ACCOUNT = uuid.UUID("00000000-0000-4000-8000-00000000000a")
OTHER_ACCOUNT = uuid.UUID("00000000-0000-4000-8000-00000000000b")

ID_FILTERS = [
    (spec.name, name)
    for spec in MODELS.values()
    for name, rule in spec.list_filters.items()
    if isinstance(rule, IdEquals)
]


def _bad(spec: ModelSpec, **query: str) -> str:
    with pytest.raises(BadRequest) as caught:
        parse_list(MultiDict(query), spec, ACCOUNT)
    return caught.value.detail


# --- id filters -------------------------------------------------------------------------------------------------------


def test_every_id_filter_is_declared_as_one() -> None:
    """Merge's ``<x>_id`` parameters hold ids of ours; each must be an ``IdEquals`` so a non-UUID is refused."""
    for spec in MODELS.values():
        for name, rule in spec.list_filters.items():
            assert isinstance(rule, IdEquals) == name.endswith("_id"), (spec.name, name)
    assert {name for _, name in ID_FILTERS} == {"account_id", "company_id", "contact_id"}
    assert ("Invoice", "contact_id") in ID_FILTERS
    assert ("Payment", "account_id") in ID_FILTERS


@pytest.mark.parametrize(("model", "name"), ID_FILTERS)
@pytest.mark.parametrize("value", ["not-a-uuid", "42", "00000000-0000-4000-8000-00000000000", " "])
def test_an_id_filter_that_is_not_a_uuid_is_400_naming_it(model: str, name: str, value: str) -> None:
    assert f"'{name}'" in _bad(MODELS[model], **{name: value})


@pytest.mark.parametrize(("model", "name"), ID_FILTERS)
def test_an_id_filter_tests_the_canonical_uuid(model: str, name: str) -> None:
    """Ids are stored lower-case; an upper-case spelling of the same UUID names the same record."""
    spec = MODELS[model]
    wanted = uuid.uuid4()
    query = parse_list(MultiDict({name: str(wanted).upper()}), spec, ACCOUNT).query
    rule = spec.list_filters[name]
    assert [(test.field, test.op, test.value) for test in query.tests] == [(rule.field, "eq", str(wanted))]


def test_an_empty_id_filter_means_any() -> None:
    assert parse_list(MultiDict({"contact_id": "", "company_id": ""}), MODELS["Invoice"], ACCOUNT).query.tests == ()


# --- cursors are bound to the list that issued them -------------------------------------------------------------------


def _issued(scope: str) -> str:
    """The ``next`` cursor a list of ``scope`` hands out."""
    body = list_body([], next_cursor=Cursor(7, str(uuid.uuid4())), previous_cursor=None, scope=scope)
    return body.split(b'"next":"', 1)[1].split(b'"', 1)[0].decode()


def test_a_cursor_pages_the_list_that_issued_it() -> None:
    cursor = _issued(list_scope("Invoice", ACCOUNT))
    parsed = parse_list(MultiDict({"cursor": cursor}), MODELS["Invoice"], ACCOUNT).page.cursor
    assert parsed is not None
    assert parsed.created == 7


@pytest.mark.parametrize(
    ("issuer", "model", "account"),
    [
        (list_scope("Invoice", ACCOUNT), "Contact", ACCOUNT),  # another model
        (list_scope("Invoice", ACCOUNT), "Invoice", OTHER_ACCOUNT),  # another linked account
        (list_scope("linked-accounts", ACCOUNT), "Invoice", ACCOUNT),  # another endpoint
    ],
)
def test_a_cursor_of_another_list_is_400_naming_cursor(issuer: str, model: str, account: uuid.UUID) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_list(MultiDict({"cursor": _issued(issuer)}), MODELS[model], account)
    assert "'cursor'" in caught.value.detail


def test_every_cursor_of_a_page_carries_its_scope() -> None:
    """Both links of a middle page, built the way the list handlers build them, page the same list again."""
    scope = list_scope("Contact", ACCOUNT)
    rows = [(n, str(uuid.UUID(int=n))) for n in range(1, 5)]
    shown = window(Cursor(0, str(uuid.UUID(int=0))), rows, 3, lambda row: row)
    body = list_body([], next_cursor=shown.next, previous_cursor=shown.previous, scope=scope)
    texts = [part.split(b'"', 1)[0].decode() for part in body.split(b'":"')[1:]]
    assert len(texts) == 2
    for text in texts:
        assert parse_page(MultiDict({"cursor": text}), scope).cursor is not None
        with pytest.raises(BadRequest):
            parse_page(MultiDict({"cursor": text}), list_scope("Contact", OTHER_ACCOUNT))


# --- what a parsed filter matches in the store ------------------------------------------------------------------------


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    yield db
    await db.dispose()


@pytest.fixture
async def account_id(database: Database) -> uuid.UUID:
    async with database.write() as session:
        organization_id = await accounts.create_organization(session, name="params-test")
        made = await accounts.create_linked_account(
            session,
            organization_id=organization_id,
            integration="xero",
            integration_name="Xero",
            end_user_organization_name="Params test",
        )
    return made.account.id


async def _names(database: Database, account_id: uuid.UUID, spec: ModelSpec, **query: str) -> set[str]:
    """The names of the records a list request with ``query`` returns."""
    params = parse_list(MultiDict(query), spec, account_id)
    async with database.read() as session:
        rows = await page(session, params.query, after=None, reverse=False, limit=100, with_remote_data=False)
    return {msgspec.json.decode(row.document)["name"] for row in rows}


async def _store(database: Database, account_id: uuid.UUID, spec: ModelSpec, records: list[NewRecord]) -> None:
    async with database.write() as session:
        await upsert_many(
            session, linked_account_id=account_id, model_name=spec.name, key_fields=spec.key_fields, items=records
        )


async def test_a_contact_name_filter_matches_part_of_the_name(database: Database, account_id: uuid.UUID) -> None:
    """Merge: contacts "match this name"; a name filter on contacts is a case-insensitive substring match."""
    spec = MODELS["Contact"]
    names = ["Acme Widgets Ltd", "ACME", "Globex"]
    await _store(
        database,
        account_id,
        spec,
        [NewRecord(remote_id=f"c{n}", model=Contact(name=name)) for n, name in enumerate(names)],
    )
    assert await _names(database, account_id, spec, name="widgets") == {"Acme Widgets Ltd"}
    assert await _names(database, account_id, spec, name="acme") == {"Acme Widgets Ltd", "ACME"}
    assert await _names(database, account_id, spec, name="Globex") == {"Globex"}


async def test_an_account_name_filter_is_an_exact_match(database: Database, account_id: uuid.UUID) -> None:
    """Merge: accounts "with this name"; no substring matches there."""
    spec = MODELS["Account"]
    names = ["Sales", "Sales Returns"]
    await _store(
        database,
        account_id,
        spec,
        [NewRecord(remote_id=f"a{n}", model=Account(name=name)) for n, name in enumerate(names)],
    )
    assert await _names(database, account_id, spec, name="Sales") == {"Sales"}
    assert await _names(database, account_id, spec, name="Return") == set()
