"""What each Xero collection is, as data: key, alternate key, paging, line field, lifecycle, query filters, scopes.

Routes, queries and writes read this table instead of branching on collection names. A lifecycle says which
status a create may ask for and which moves an update may make; Xero has no hard deletes for these documents, a
deletion is one of those moves (``DRAFT -> DELETED``, ``AUTHORISED -> VOIDED``, ``ACTIVE -> ARCHIVED``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["COLLECTIONS", "Lifecycle", "Spec", "spec_for"]


@dataclass(frozen=True)
class Lifecycle:
    """Status rules: the field, the status a create gets by default, the ones it may ask for, and the moves."""

    field: str
    initial: str
    creatable: frozenset[str]
    moves: dict[str, frozenset[str]]

    def may_move(self, old: str, new: str) -> bool:
        """Whether an update may take a record from ``old`` to ``new`` (staying put is always allowed if editable)."""
        return new in self.moves.get(old, frozenset())


def _moves(**table: str) -> dict[str, frozenset[str]]:
    return {status: frozenset(targets.split()) for status, targets in table.items()}


_DOCUMENT = Lifecycle(
    field="Status",
    initial="DRAFT",
    creatable=frozenset({"DRAFT", "SUBMITTED", "AUTHORISED"}),
    moves=_moves(
        DRAFT="DRAFT SUBMITTED AUTHORISED DELETED",
        SUBMITTED="DRAFT SUBMITTED AUTHORISED DELETED",
        AUTHORISED="AUTHORISED VOIDED",
    ),
)
"""PAID, VOIDED and DELETED documents take no change at all through the API (Xero's UI lets a paid bill's due date
and reference change; its API refuses every update of a paid document)."""
_JOURNAL = Lifecycle(
    "Status", "DRAFT", frozenset({"DRAFT", "POSTED"}), _moves(DRAFT="DRAFT POSTED DELETED", POSTED="POSTED VOIDED")
)
_ORDER = Lifecycle(
    "Status",
    "DRAFT",
    frozenset({"DRAFT", "SUBMITTED", "AUTHORISED"}),
    _moves(
        DRAFT="DRAFT SUBMITTED AUTHORISED BILLED DELETED",
        SUBMITTED="DRAFT SUBMITTED AUTHORISED BILLED DELETED",
        AUTHORISED="DRAFT SUBMITTED AUTHORISED BILLED DELETED",
        BILLED="BILLED AUTHORISED",
    ),
)
_BANK = Lifecycle("Status", "AUTHORISED", frozenset({"AUTHORISED"}), _moves(AUTHORISED="AUTHORISED DELETED"))
_CONTACT = Lifecycle(
    "ContactStatus", "ACTIVE", frozenset({"ACTIVE"}), _moves(ACTIVE="ACTIVE ARCHIVED", ARCHIVED="ACTIVE ARCHIVED")
)
_ACCOUNT = Lifecycle(
    "Status", "ACTIVE", frozenset({"ACTIVE"}), _moves(ACTIVE="ACTIVE ARCHIVED", ARCHIVED="ACTIVE ARCHIVED")
)
_PAYMENT = Lifecycle("Status", "AUTHORISED", frozenset({"AUTHORISED"}), _moves(AUTHORISED="AUTHORISED DELETED"))

_TRANSACTIONS = ("accounting.transactions",)


@dataclass(frozen=True)
class Spec:
    """One collection under ``/api.xro/2.0/``.

    ``hidden`` statuses are left out of lists unless ``includeArchived=true``; ``unlisted`` ones always are (a
    deleted tracking category is only reachable by its id).
    """

    name: str
    key: str
    number: str | None = None
    paged: bool = True
    modified_since: bool = True
    lines: str | None = None
    lines_only_when_paged: bool = False
    lifecycle: Lifecycle | None = None
    hidden: frozenset[str] = frozenset()
    unlisted: frozenset[str] = frozenset()
    filters: dict[str, str] = field(default_factory=dict)
    scopes: tuple[str, ...] = _TRANSACTIONS
    writable: bool = True
    single_write: bool = False


COLLECTIONS: tuple[Spec, ...] = (
    Spec(
        "Invoices",
        "InvoiceID",
        number="InvoiceNumber",
        lines="LineItems",
        lines_only_when_paged=True,
        lifecycle=_DOCUMENT,
        filters={
            "IDs": "InvoiceID",
            "InvoiceNumbers": "InvoiceNumber",
            "ContactIDs": "Contact.ContactID",
            "Statuses": "Status",
        },
        scopes=(*_TRANSACTIONS, "accounting.invoices"),
    ),
    Spec(
        "CreditNotes",
        "CreditNoteID",
        number="CreditNoteNumber",
        lines="LineItems",
        lines_only_when_paged=True,
        lifecycle=_DOCUMENT,
        scopes=(*_TRANSACTIONS, "accounting.invoices"),
    ),
    Spec(
        "PurchaseOrders",
        "PurchaseOrderID",
        number="PurchaseOrderNumber",
        lines="LineItems",
        lifecycle=_ORDER,
        scopes=(*_TRANSACTIONS, "accounting.invoices"),
    ),
    Spec(
        "BankTransactions",
        "BankTransactionID",
        lines="LineItems",
        lifecycle=_BANK,
        scopes=(*_TRANSACTIONS, "accounting.banktransactions"),
    ),
    Spec(
        "ManualJournals",
        "ManualJournalID",
        lines="JournalLines",
        lines_only_when_paged=True,
        lifecycle=_JOURNAL,
        scopes=(*_TRANSACTIONS, "accounting.manualjournals"),
    ),
    Spec("Payments", "PaymentID", lifecycle=_PAYMENT, scopes=(*_TRANSACTIONS, "accounting.payments")),
    Spec(
        "Contacts",
        "ContactID",
        number="Name",
        lifecycle=_CONTACT,
        hidden=frozenset({"ARCHIVED"}),
        filters={"IDs": "ContactID"},
        scopes=("accounting.contacts",),
    ),
    Spec(
        "Accounts",
        "AccountID",
        number="Code",
        paged=False,
        lifecycle=_ACCOUNT,
        hidden=frozenset({"DELETED"}),
        scopes=("accounting.settings",),
        single_write=True,
    ),
    Spec("Items", "ItemID", number="Code", paged=False, scopes=("accounting.settings",)),
    Spec(
        "TaxRates",
        "TaxType",
        number="TaxType",
        paged=False,
        modified_since=False,
        scopes=("accounting.settings",),
        writable=False,
    ),
    Spec(
        "TrackingCategories",
        "TrackingCategoryID",
        paged=False,
        modified_since=False,
        hidden=frozenset({"ARCHIVED"}),
        unlisted=frozenset({"DELETED"}),
        scopes=("accounting.settings",),
        writable=False,
    ),
    Spec("Currencies", "Code", paged=False, modified_since=False, scopes=("accounting.settings",), writable=False),
    # Read-only here: made through BankTransactions (see ``held``).
    Spec(
        "Overpayments",
        "OverpaymentID",
        lines="LineItems",
        scopes=(*_TRANSACTIONS, "accounting.payments"),
        writable=False,
    ),
    Spec(
        "Prepayments",
        "PrepaymentID",
        lines="LineItems",
        scopes=(*_TRANSACTIONS, "accounting.payments"),
        writable=False,
    ),
    Spec(
        "BankTransfers",
        "BankTransferID",
        paged=False,
        scopes=(*_TRANSACTIONS, "accounting.banktransactions"),
        writable=False,
    ),
)

_BY_NAME = {spec.name.lower(): spec for spec in COLLECTIONS}


def spec_for(name: str) -> Spec | None:
    """The collection named in a path segment, any case."""
    return _BY_NAME.get(name.lower())
