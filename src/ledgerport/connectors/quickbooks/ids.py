"""Remote ids where several QBO entities feed one common model, and the refs that must agree with them.

QBO numbers each entity on its own (Invoice 17 and Bill 17 both exist), while the store keys records by
``(linked account, model, remote_id)``. The rule, in one place:

* the entity Merge's model is named after keeps QBO's bare ``Id``: Invoice, Customer, Payment, Class, TaxRate;
* every other entity feeding the same model is prefixed with its QBO name: ``Bill-17``, ``Vendor-3``,
  ``BillPayment-5``, ``Department-2``, ``TaxCode-4``;
* Transaction and Expense have no namesake in QBO, so each of their entities is prefixed (``Deposit-3``,
  ``Purchase-12``). Expense has one entity, Purchase, and keeps the prefix all the same: a model named after no
  QBO entity always names the entity, so a second source (should one come) needs no change of ids, and a
  Purchase keeps the remote id it had as a Transaction before Expense existed. A write that creates a Purchase
  spells its remote id ``Purchase-{Id}`` through :func:`entity_remote_id`.

Bare ids keep the common case (an AR invoice, a customer) equal to the id QBO shows, so writes and support
tickets line up; the prefix says which endpoint a prefixed record came from (``remote_data.path`` says it too).
Merge's own scheme for colliding QBO ids is not documented; this one is ledgerport's.

A ``Ref`` id is derived from (model, remote id), so a reference must spell the remote id the same way: a
``VendorRef`` is ``Contact`` ``Vendor-{value}``. :func:`ref_to` builds those references.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ledgerport.connectors._base.mapping import Computed, MappingContext
from ledgerport.connectors._base.streams import dig

__all__ = ["REMOTE_ID", "entity_of", "entity_remote_id", "linked_target", "qbo_id", "ref_to", "remote_id_of"]

_PREFIXED = frozenset(
    {
        "Bill",
        "Vendor",
        "BillPayment",
        "Department",
        "TaxCode",
        "Purchase",
        "Deposit",
        "Transfer",
        "SalesReceipt",
        "Estimate",
        "RefundReceipt",
        "CreditCardPayment",
    }
)


def entity_remote_id(entity: str, qbo_id: Any) -> str | None:
    """The remote id of the QBO object ``entity``/``qbo_id`` under the rule above."""
    if qbo_id in (None, ""):
        return None
    return f"{entity}-{qbo_id}" if entity in _PREFIXED else str(qbo_id)


def qbo_id(remote_id: str) -> str:
    """QBO's own ``Id`` of a remote id under the rule above (``Vendor-3`` → ``3``, ``17`` → ``17``)."""
    return remote_id.rpartition("-")[2]


def entity_of(remote_id: str, default: str) -> str:
    """The QBO entity a remote id names: its prefix, or ``default`` for a bare id."""
    prefix, dash, _ = remote_id.rpartition("-")
    return prefix if dash and prefix in _PREFIXED else default


def remote_id_of(entity: str) -> Callable[[Any], str]:
    """``ModelMap.remote_id`` for records of ``entity``."""
    return lambda record: entity_remote_id(entity, record.get("Id")) or ""


REMOTE_ID = Computed(lambda record, context: context.parent)
"""The ``remote_id`` field: the id ``apply`` computed for the record (bare or prefixed)."""


def ref_to(model: str, entity: str, path: str) -> Computed:
    """The ``model`` record for the ``entity`` object whose QBO id sits at ``path`` (``VendorRef.value``)."""

    def ref(record: Any, context: MappingContext) -> str | None:
        remote_id = entity_remote_id(entity, dig(record, path))
        return None if remote_id is None else context.ref(model, remote_id)

    return Computed(ref)


# QBO's LinkedTxn.TxnType values -> (common model, entity whose id scheme applies).
_LINKED: Mapping[str, tuple[str, str]] = {
    "Invoice": ("Invoice", "Invoice"),
    "Bill": ("Invoice", "Bill"),
    "Payment": ("Payment", "Payment"),
    "ReceivePayment": ("Payment", "Payment"),
    "BillPayment": ("Payment", "BillPayment"),
    "BillPaymentCheck": ("Payment", "BillPayment"),
    "BillPaymentCreditCard": ("Payment", "BillPayment"),
    "CreditMemo": ("CreditNote", "CreditMemo"),
    "VendorCredit": ("VendorCredit", "VendorCredit"),
    "JournalEntry": ("JournalEntry", "JournalEntry"),
    "PurchaseOrder": ("PurchaseOrder", "PurchaseOrder"),
}


def linked_target(linked: Any, models: frozenset[str] | None = None) -> tuple[str, str] | None:
    """``(model, remote id)`` of one ``LinkedTxn``; ``None`` for a type no common model holds (or not in ``models``)."""
    if not isinstance(linked, Mapping):
        return None
    target = _LINKED.get(str(linked.get("TxnType") or ""))
    if target is None or (models is not None and target[0] not in models):
        return None
    remote_id = entity_remote_id(target[1], linked.get("TxnId"))
    return None if remote_id is None else (target[0], remote_id)
