"""QBO ``PaymentMethod`` → Merge's ``PaymentMethod``.

QBO's name list (``/v3/company/{realm}/paymentmethod``, queryable as ``select * from PaymentMethod``) holds ``Name``,
``Active`` and ``Type``, which is only ``CREDIT_CARD`` or ``NON_CREDIT_CARD``. Merge's ``method_type`` tells cash,
check, debit card and ACH apart as well; for a non-card method the name is all QBO says (its default list is Cash,
Check, Visa, MasterCard, American Express, Discover, Diners Club), so the common names are recognised and any other
non-card method has no type.
"""

from __future__ import annotations

from typing import Any

from ledgerport.connectors._base.convert import to_str
from ledgerport.connectors._base.mapping import Computed, F, MappingContext, ModelMap
from ledgerport.connectors.quickbooks.client import parse_qbo_datetime
from ledgerport.connectors.quickbooks.streams import PAYMENT_METHODS
from ledgerport.models.payment_method import MethodType, PaymentMethod

__all__ = ["PAYMENT_METHOD", "method_type"]

_BY_NAME: tuple[tuple[tuple[str, ...], MethodType], ...] = (
    (("debit",), MethodType.DEBIT_CARD),
    (("ach", "eft", "direct deposit", "bank transfer", "wire"), MethodType.ACH),
    (("cheque", "check"), MethodType.CHECK),
    (("cash",), MethodType.CASH),
)


def method_type(record: Any, context: MappingContext) -> MethodType | None:
    """``CREDIT_CARD`` from QBO's type; for other methods, what the name says (``None`` when it says nothing)."""
    if record.get("Type") == "CREDIT_CARD":
        return MethodType.CREDIT_CARD
    name = str(record.get("Name") or "").lower()
    words = set(name.replace("-", " ").replace("/", " ").split())
    for needles, kind in _BY_NAME:
        if any((needle in words) if " " not in needle else (needle in name) for needle in needles):
            return kind
    return None


PAYMENT_METHOD = ModelMap(
    model="PaymentMethod",
    struct=PaymentMethod,
    stream=PAYMENT_METHODS,
    fields={
        "remote_id": F("Id", to_str),
        "method_type": Computed(method_type),
        "name": F("Name", to_str),
        "is_active": F("Active"),
        "remote_updated_at": F("MetaData.LastUpdatedTime", parse_qbo_datetime),
    },
)
