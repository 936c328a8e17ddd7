"""Common model → provider JSON: one declarative table per writable model and provider object.

```
WriteSpec(model)                    what a connector can write of one common model
 └─ Target(entity, when)            one provider object it becomes (QBO Invoice or Bill; Xero ACCREC/ACCPAY)
     ├─ fields: common field →
     │   ├─ Put(path, convert)       a value at a dotted path, through a converter (common → provider)
     │   ├─ PutRef(path, model)      one of our record ids → that record's provider id
     │   ├─ PutRefs(path, model)     a list of record ids → a list of provider ids (or of {item: id} objects)
     │   ├─ PutLines(path, Lines)    a list of nested objects (line items), each through its own table
     │   ├─ Derive(function)         a typed function where data cannot state the rule
     │   ├─ Choose()                 a field whose value picks the target (``when``) and is sent as nothing else
     │   └─ Expect()                 a value the provider computes (a total): checked by ``checks``, never sent
     ├─ fixed: provider fields every request of this target carries (Xero's ``Type: ACCPAY``)
     ├─ checks: rules across fields (journal lines balance, lines add up to the total)
     ├─ remote_fields: how the request's ``remote_fields`` values are written (absent: not taken)
     ├─ finish: a last touch on the built body (a Xero payment names its one invoice at the top level)
     └─ complete: what only the provider knows, read just before sending (a bill payment's pay type from its
        account's type; the purchase-order lines a bill's lines bill)
WriteSpec.apply: Target             how a credit of the model is applied to a document (POST /<model>/{id}/application):
                                    fields of Merge's application body, the credit's read mapping, sent by the
                                    protocol's ``apply``
```

Validation, the meta endpoints' JSON Schema, ``/available-actions`` and the request sent to the provider all read
these tables: a field is required, writable or ignored in one place. A field absent from a target's table is one
the provider does not take: a request that sets it gets an ``UNSUPPORTED_FIELD`` warning.

References are resolved before a builder runs: the engine checks that each id names a record of the same linked
account and model, and hands the builder that record's remote id, which ``encode`` turns into the provider's own
id (QBO's ``Vendor-3`` → ``3``).

How a target travels (paths, idempotency headers, concurrency tokens, reading the answer) is the connector's
:class:`WriteProtocol`: the tables say what to send, the protocol how.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol

import msgspec

from ledgerport.connectors._base.mapping import ModelMap
from ledgerport.connectors._base.streams import StreamContext

if TYPE_CHECKING:
    from ledgerport.connectors._base.client import ProviderClient

__all__ = [
    "Check",
    "Choose",
    "Derive",
    "Expect",
    "Lines",
    "Put",
    "PutLines",
    "PutRef",
    "PutRefs",
    "Resolved",
    "Target",
    "WriteField",
    "WriteProtocol",
    "WriteSpec",
    "build_payload",
    "put",
    "reference_fields",
]


class Resolved(Protocol):
    """The records a validated request names: ``resolved(id)`` is the record's remote id (every id resolves), and
    ``resolved.document(id)`` its stored common-model document, for a table that depends on what the record is (a
    QBO purchase's payment type follows its account's type)."""

    def __call__(self, record_id: str) -> str | None:
        """The remote id of one of our records."""
        ...

    def document(self, record_id: str) -> Mapping[str, Any] | None:
        """The stored document of one of our records."""
        ...


class Put(msgspec.Struct, frozen=True):
    """The field's value at ``path``, converted to the provider's form."""

    path: str
    convert: Callable[[Any], Any] | None = None
    required: bool = False
    choices: tuple[str, ...] | None = None
    """The values of the field's enum this provider object takes (all of them when ``None``)."""
    note: str | None = None
    """What a developer should know (shown in the meta schema's description)."""


class PutRef(msgspec.Struct, frozen=True):
    """A record id of ``model`` → its provider id at ``path``.

    ``accept`` narrows which records of the model fit (by remote id: a QBO invoice's contact must be a customer,
    not a ``Vendor-`` one); ``accept_note`` says what fits, for the error and the meta schema.
    """

    path: str
    model: str
    encode: Callable[[str], Any] | None = None
    required: bool = False
    note: str | None = None
    accept: Callable[[str], bool] | None = None
    accept_note: str | None = None


class PutRefs(msgspec.Struct, frozen=True):
    """A list of record ids of ``model`` → a list at ``path`` of provider ids, or of ``{item: id}`` objects."""

    path: str
    model: str
    item: str = ""
    encode: Callable[[str], Any] | None = None
    required: bool = False
    note: str | None = None
    accept: Callable[[str], bool] | None = None
    accept_note: str | None = None


class Choose(msgspec.Struct, frozen=True):
    """The field's value picks the target (``Target.when``); it is sent as nothing else."""

    required: bool = False
    note: str | None = None


class Expect(msgspec.Struct, frozen=True):
    """A value the provider computes (a total, a balance): a request may state it, and the target's ``checks``
    refuse a contradiction; it is never sent."""

    note: str | None = None


class Derive(msgspec.Struct, frozen=True):
    """``function(value, payload, resolved)`` writes whatever the field becomes into ``payload``.

    ``model`` names the common model the value refers to when it is a record id (or a list of them), so the engine
    checks and resolves it like a ``PutRef``'s.
    """

    function: Callable[[Any, dict[str, Any], Resolved], None]
    required: bool = False
    model: str | None = None
    many: bool = False
    note: str | None = None
    accept: Callable[[str], bool] | None = None
    accept_note: str | None = None


class Lines(msgspec.Struct, frozen=True):
    """How one nested object (a line) is written: its own field table, and a last touch on each built line."""

    fields: Mapping[str, WriteField]
    finish: Callable[[dict[str, Any], Mapping[str, Any]], dict[str, Any]] | None = None
    """``finish(provider_line, common_line)``: e.g. wrap the line's fields in QBO's detail object."""


class PutLines(msgspec.Struct, frozen=True):
    """A list of nested objects at ``path``, each through ``lines``; ``required`` means at least one."""

    path: str
    lines: Lines
    required: bool = False
    note: str | None = None


WriteField = Put | PutRef | PutRefs | PutLines | Derive | Choose | Expect


class Check(msgspec.Struct, frozen=True):
    """A rule across fields: ``test(model)`` answers ``None`` when the request keeps it, else why not.

    ``pointer`` is the field the problem is reported on (``/model/lines``).
    """

    pointer: str
    title: str
    test: Callable[[Mapping[str, Any]], str | None]


class Target(msgspec.Struct, frozen=True, kw_only=True):
    """One provider object a common model is written as."""

    entity: str
    """The provider's name for it, as its protocol addresses it (``Invoice``, ``Bill``, ``Invoices``)."""
    read: ModelMap
    """The read mapping of that object: the provider's answer becomes the stored record through it."""
    fields: Mapping[str, WriteField]
    when: Mapping[str, Any] = {}
    """Which requests this target takes: common-model fields and the values they must have (``{"type":
    "ACCOUNTS_PAYABLE"}``); empty takes any. The first target that matches wins."""
    fixed: Mapping[str, Any] = {}
    checks: Sequence[Check] = ()
    updatable: frozenset[str] | None = None
    """The fields a PATCH may change (``None``: every field of the table)."""
    remote_fields: Callable[[Sequence[tuple[str, Any]], dict[str, Any]], None] | None = None
    """``remote_fields(values, payload)`` writes ``(remote_key_name, value)`` pairs into the payload; the engine
    has checked each names a remote field class of this model (``None``: the target takes no remote fields)."""
    finish: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    """``finish(payload)``: reshape the built body where the provider's shape is not the common model's."""
    complete: Callable[[ProviderClient, dict[str, Any]], Awaitable[dict[str, Any]]] | None = None
    """``complete(client, payload)`` → the payload to send, finished with what only the provider's current state
    says (read through the same client, so budget and credentials apply); raising ``Rejected`` refuses the request
    before anything is written. Most targets need none."""
    protocol: WriteProtocol | None = None
    """How this target travels when it is not the connector's usual way: another API of the same provider (Xero's
    Bank Feeds API beside its accounting API), or :data:`~ledgerport.connectors._base.kept.KEPT` for an object the
    provider has no API for, which ledgerport keeps itself. ``None``: the connector's ``writer``."""


class WriteSpec(msgspec.Struct, frozen=True, kw_only=True):
    """What one connector can write of one common model."""

    model: str
    targets: Sequence[Target]
    create: bool = True
    update: bool = False
    bulk: bool = False
    """Whether ``POST /<model>/bulk`` takes this model (the connector's protocol has ``create_many``)."""
    note: str | None = None
    apply: Target | None = None
    """How a credit of this model is applied to a document (``POST /<path>/{id}/application``): its fields take
    Merge's application body (``invoice``, ``applied_date``, ``applied_amount``), its ``read`` is the credit's own
    read mapping (the answer is the credit as it then stands), and the protocol's ``apply`` sends it; ``None``: the
    integration cannot apply this model's credits."""

    def target_for(self, model: Mapping[str, Any]) -> Target | None:
        """The target a request's common-model fields select."""
        return next((t for t in self.targets if all(model.get(k) == v for k, v in t.when.items())), None)


class WriteProtocol(msgspec.Struct, frozen=True, kw_only=True):
    """How a connector sends what its tables build.

    Every call goes through the account's :class:`ProviderClient` (budget, token refresh, error table); the
    ``key`` each function receives is derived from the operation, never drawn per attempt, so a retried request
    carries the same provider idempotency key as the first.
    """

    create: Callable[[ProviderClient, Target, dict[str, Any], str], Awaitable[Any]]
    """``create(client, target, payload, key)`` → the provider's record as it now stands."""
    update: Callable[[ProviderClient, Target, str, dict[str, Any], str], Awaitable[Any]]
    """``update(client, target, remote_id, payload, key)`` → the record after the change (re-reading whatever
    concurrency token the provider needs, retrying a lost race a bounded number of times)."""
    fetch: Callable[[ProviderClient, Target, str], Awaitable[Any]]
    """``fetch(client, target, remote_id)`` → the record as it stands (recovery, read-back)."""
    owns: Callable[[Target, str], bool] = lambda target, remote_id: True
    """Whether a stored record's remote id is an object of this target (QBO prefixes ``Bill-``)."""
    remote_path: Callable[[StreamContext, Target, str], str] | None = None
    """The path ``remote_data`` names for a written record (the read mapping's stream path by default)."""
    currencies: Callable[[ProviderClient], Awaitable[frozenset[str] | None]] | None = None
    """The currencies the company can keep documents in (``None``: any, the provider decides); a request naming
    another is refused before anything is sent."""
    create_many: Callable[[ProviderClient, Target, list[dict[str, Any]], str], Awaitable[list[Any]]] | None = None
    """``create_many(client, target, payloads, key)`` → one answer per payload, in order: the provider's record, or
    the list of :class:`~ledgerport.connectors._base.errors.Problem` it refused that payload with. One call (the
    provider's batch API) for at most ``batch_size`` payloads, carrying ``key`` as the provider's idempotency key,
    so the same chunk sent again is answered with what the first sending made."""
    batch_size: int = 1
    """How many payloads one ``create_many`` call takes (the provider's batch limit)."""
    apply: Callable[[ProviderClient, Target, str, dict[str, Any], str], Awaitable[Any]] | None = None
    """``apply(client, target, remote_id, payload, key)`` → the credit ``remote_id`` as it stands once the
    application built from ``WriteSpec.apply`` is made (the provider's allocation call, or the zero payment that
    links credit and document), carrying ``key`` as the provider's idempotency key."""


# --- building a payload from a validated request -----------------------------------------------------------------


def put(payload: dict[str, Any], path: str, value: Any) -> None:
    """Set ``value`` at a dotted ``path`` of ``payload``, creating the objects on the way."""
    *parents, last = path.split(".")
    node = payload
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


def _ref_value(remote_id: str | None, encode: Callable[[str], Any] | None) -> Any:
    if remote_id is None:
        return None
    return remote_id if encode is None else encode(remote_id)


def _write(field: WriteField, value: Any, payload: dict[str, Any], resolved: Resolved) -> None:
    if isinstance(field, Put):
        put(payload, field.path, value if field.convert is None or value is None else field.convert(value))
    elif isinstance(field, PutRef):
        put(payload, field.path, None if value is None else _ref_value(resolved(value), field.encode))
    elif isinstance(field, PutRefs):
        ids = [_ref_value(resolved(one), field.encode) for one in value or []]
        put(payload, field.path, [{field.item: one} if field.item else one for one in ids])
    elif isinstance(field, PutLines):
        put(payload, field.path, [_line(field.lines, line, resolved) for line in value or []])
    elif isinstance(field, Derive):
        field.function(value, payload, resolved)


def _line(lines: Lines, line: Mapping[str, Any], resolved: Resolved) -> dict[str, Any]:
    built: dict[str, Any] = {}
    for name, field in lines.fields.items():
        if name in line:
            _write(field, line[name], built, resolved)
    return built if lines.finish is None else lines.finish(built, line)


def build_payload(
    target: Target,
    model: Mapping[str, Any],
    resolved: Resolved,
    remote_fields: Sequence[tuple[str, Any]] = (),
) -> dict[str, Any]:
    """The provider body for a validated request: the target's fixed fields, then each field the request sets,
    then its remote field values (``(remote_key_name, value)``).

    Only fields present in ``model`` are written, so the same function builds a create and a sparse update.
    """
    payload: dict[str, Any] = msgspec.json.decode(msgspec.json.encode(target.fixed)) if target.fixed else {}
    for name, field in target.fields.items():
        if name in model:
            _write(field, model[name], payload, resolved)
    if remote_fields and target.remote_fields is not None:
        target.remote_fields(remote_fields, payload)
    return payload if target.finish is None else target.finish(payload)


def reference_fields(field: WriteField) -> tuple[str, Literal["one", "many"]] | None:
    """The model a field's value refers to and how many ids it holds, if it holds record ids."""
    if isinstance(field, PutRef):
        return field.model, "one"
    if isinstance(field, PutRefs):
        return field.model, "many"
    if isinstance(field, Derive) and field.model is not None:
        return field.model, "many" if field.many else "one"
    return None
