"""QuickBooks payment methods: QBO says only CREDIT_CARD or NON_CREDIT_CARD; the name tells the rest."""

from __future__ import annotations

import pytest

from ledgerport.connectors._base.mapping import MappingContext
from ledgerport.connectors.quickbooks.payment_methods import method_type

CONTEXT = MappingContext(ref=lambda model, remote_id: remote_id)


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("Visa", "CREDIT_CARD", "CREDIT_CARD"),
        ("Debit Card", "CREDIT_CARD", "CREDIT_CARD"),  # QBO's own type wins
        ("Cash", "NON_CREDIT_CARD", "CASH"),
        ("Check", "NON_CREDIT_CARD", "CHECK"),
        ("Cheque", "NON_CREDIT_CARD", "CHECK"),
        ("Debit card", "NON_CREDIT_CARD", "DEBIT_CARD"),
        ("ACH", "NON_CREDIT_CARD", "ACH"),
        ("Direct Deposit", "NON_CREDIT_CARD", "ACH"),
        ("EFT", "NON_CREDIT_CARD", "ACH"),
        ("PayPal", "NON_CREDIT_CARD", None),
        ("Cashier's gift", "NON_CREDIT_CARD", None),  # a word must match, not a piece of one
    ],
)
def test_method_type(name: str, kind: str, expected: str | None) -> None:
    assert method_type({"Name": name, "Type": kind}, CONTEXT) == expected
