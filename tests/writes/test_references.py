"""Reference resolution in ``writes.engine.perform``, on every reachable database: an id names a record of *this*
linked account and model, or the request is refused before anything reaches the provider.

Another linked account's record id (even one of the same provider company, holding the same remote id) gets the
very answer a random id gets, so a write never tells a caller whether an id exists elsewhere.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from ledgerport.connectors import CONNECTORS
from ledgerport.connectors._base import Request, Response
from ledgerport.connectors._base.auth import OAuthClient
from ledgerport.connectors._base.registrations import Registrations
from ledgerport.kit.budget import MemoryBudget
from ledgerport.kit.sealing import Sealer, new_key
from ledgerport.remote import ProviderDeps
from ledgerport.store import Database
from ledgerport.store.accounts import LinkedAccount
from ledgerport.writes import WriteCall, WriteDeps, perform

MakeAccount = Callable[..., Awaitable[LinkedAccount]]
AddRecords = Callable[..., Awaitable[dict[str, str]]]
_decoder = msgspec.json.Decoder(float_hook=Decimal)


class NoProvider:
    """A transport that must not be used: every request it gets is kept, then refused."""

    def __init__(self) -> None:
        self.sent: list[Request] = []

    async def send(self, request: Request) -> Response:
        self.sent.append(request)
        raise AssertionError(f"the provider was called: {request.method} {request.url}")

    async def close(self) -> None:
        pass


class Books:
    """Two QuickBooks linked accounts of different organizations, each holding records with the same remote ids
    (as two organizations linking the same company would)."""

    def __init__(self, mine: LinkedAccount, theirs: LinkedAccount) -> None:
        self.mine = mine
        self.theirs = theirs
        self.ids: dict[tuple[str, str, str], str] = {}

    async def fill(self, add_records: AddRecords) -> None:
        for owner, account in (("mine", self.mine), ("theirs", self.theirs)):
            for model, remote_ids in {
                "Contact": ["58", "Vendor-12"],
                "Item": ["3"],
                "Account": ["7"],
                "Invoice": ["130"],
            }.items():
                for remote_id, record_id in (await add_records(account, model, remote_ids)).items():
                    self.ids[(owner, model, remote_id)] = record_id
        gone = await add_records(self.mine, "Contact", ["61"], deleted=True)
        self.ids[("mine", "Contact", "61")] = gone["61"]

    def id(self, model: str, remote_id: str, owner: str = "mine") -> str:
        return self.ids[(owner, model, remote_id)]


@pytest.fixture
async def books(make_account: MakeAccount, add_records: AddRecords) -> Books:
    made = Books(await make_account(), await make_account())
    await made.fill(add_records)
    return made


@pytest.fixture
def provider() -> NoProvider:
    return NoProvider()


@pytest.fixture
def deps(database: Database, provider: NoProvider) -> WriteDeps:
    client = OAuthClient("sandbox-client", "sandbox-secret", "http://127.0.0.1/callback")
    return WriteDeps(
        providers=ProviderDeps(
            database=database,
            sealer=Sealer([new_key()]),
            connectors=CONNECTORS,
            registrations=Registrations(configured={}, sandbox_origins={}, sandbox_client=client),
            transport=lambda origin: provider,
            budget=MemoryBudget(),
        ),
        busy_wait_seconds=0,
    )


async def write(
    deps: WriteDeps,
    account: LinkedAccount,
    given: dict[str, Any],
    *,
    record_id: str | None = None,
    key: str | None = None,
) -> tuple[int, dict[str, Any]]:
    call = WriteCall(
        account=account,
        model="Invoice",
        kind="create" if record_id is None else "update",
        given=given,
        record_id=None if record_id is None else uuid.UUID(record_id),
        idempotency_key=key,
        digest=str(hash(msgspec.json.encode(given))),
    )
    outcome = await perform(deps, call)
    return outcome.status, _decoder.decode(outcome.body)


def invoice(books: Books, **fields: Any) -> dict[str, Any]:
    body = {
        "type": "ACCOUNTS_RECEIVABLE",
        "contact": books.id("Contact", "58"),
        "line_items": [{"item": books.id("Item", "3"), "unit_price": 10, "quantity": 1}],
    }
    return {**body, **fields}


def only_error(body: dict[str, Any]) -> dict[str, Any]:
    (error,) = body["errors"]
    return dict(error)


async def test_the_accounts_own_references_resolve(deps: WriteDeps, books: Books, provider: NoProvider) -> None:
    """The positive control: every id resolves, so the engine goes on to the provider, and stops there only
    because this account was never given credentials (nothing is sent)."""
    status, body = await write(deps, books.mine, invoice(books))
    assert status == 400
    assert [e["problem_type"] for e in body["errors"]] == ["CREDENTIAL_REFRESH_FAILED"]
    assert provider.sent == []


@pytest.mark.parametrize(
    ("where", "model", "remote_id"),
    [
        pytest.param("/model/contact", "Contact", "58", id="contact"),
        pytest.param("/model/line_items/0/item", "Item", "3", id="line-item"),
    ],
)
async def test_another_accounts_id_is_refused_exactly_like_a_random_id(
    deps: WriteDeps, books: Books, provider: NoProvider, where: str, model: str, remote_id: str
) -> None:
    theirs, random_id = books.id(model, remote_id, "theirs"), str(uuid.uuid4())
    answers = []
    for probe in (theirs, random_id):
        body = invoice(books)
        if model == "Contact":
            body["contact"] = probe
        else:
            body["line_items"][0]["item"] = probe
        status, answer = await write(deps, books.mine, body)
        assert status == 400
        answers.append(msgspec.json.encode(answer).decode().replace(probe, "<id>"))
    assert answers[0] == answers[1], "the answers differ only by the id they name"
    error = only_error(_decoder.decode(answers[0]))
    assert error == {
        "title": "Invalid Reference",
        "detail": f"No {model} with id <id> exists in this linked account.",
        "problem_type": "INVALID_REFERENCE",
        "source": {"pointer": where},
    }
    assert provider.sent == []


async def test_an_id_of_another_model_is_refused_like_a_random_id(
    deps: WriteDeps, books: Books, provider: NoProvider
) -> None:
    item = books.id("Item", "3")
    status, body = await write(deps, books.mine, invoice(books, contact=item))
    assert status == 400
    assert only_error(body)["detail"] == f"No Contact with id {item} exists in this linked account."
    assert provider.sent == []


async def test_a_record_of_the_wrong_kind_says_what_fits(deps: WriteDeps, books: Books, provider: NoProvider) -> None:
    vendor = books.id("Contact", "Vendor-12")
    status, body = await write(deps, books.mine, invoice(books, contact=vendor))
    assert status == 400
    assert only_error(body) == {
        "title": "Invalid Reference",
        "detail": f"The Contact {vendor} cannot be used here: it must be a customer.",
        "problem_type": "INVALID_REFERENCE",
        "source": {"pointer": "/model/contact"},
    }
    assert provider.sent == []


async def test_a_record_deleted_at_the_provider_is_refused(deps: WriteDeps, books: Books, provider: NoProvider) -> None:
    gone = books.id("Contact", "61")
    status, body = await write(deps, books.mine, invoice(books, contact=gone))
    assert status == 400
    assert only_error(body)["detail"] == f"The Contact {gone} was deleted at the provider."
    assert provider.sent == []


async def test_an_id_that_is_no_uuid_is_an_incorrect_field_type(
    deps: WriteDeps, books: Books, provider: NoProvider
) -> None:
    status, body = await write(deps, books.mine, invoice(books, contact="58"))
    assert status == 400
    error = only_error(body)
    assert (error["problem_type"], error["source"]) == ("INCORRECT_FIELD_TYPE", {"pointer": "/model/contact"})
    assert provider.sent == []


async def test_patching_another_accounts_record_is_not_found_like_a_random_id(
    deps: WriteDeps, books: Books, provider: NoProvider
) -> None:
    theirs = books.id("Invoice", "130", "theirs")
    assert await write(deps, books.mine, {"memo": "x"}, record_id=theirs) == (404, {"detail": "Not found."})
    assert await write(deps, books.mine, {"memo": "x"}, record_id=str(uuid.uuid4())) == (404, {"detail": "Not found."})
    assert provider.sent == []


async def test_a_refused_request_does_not_use_up_its_idempotency_key(
    deps: WriteDeps, books: Books, provider: NoProvider
) -> None:
    """Nothing started, so nothing is kept: the same key with the corrected body is a new request, not a 422."""
    key = f"k-{uuid.uuid4().hex}"
    status, body = await write(deps, books.mine, invoice(books, contact=str(uuid.uuid4())), key=key)
    assert (status, only_error(body)["problem_type"]) == (400, "INVALID_REFERENCE")
    status, body = await write(deps, books.mine, invoice(books), key=key)
    assert (status, [e["problem_type"] for e in body["errors"]]) == (400, ["CREDENTIAL_REFRESH_FAILED"])
    assert provider.sent == []
