"""The shape of a generated company, decided up front so any record can be rebuilt alone from (seed, entity, id).

A ``Plan`` fixes how many records each entity has, when each was created (spread over the ~2 years before
``anchor``, strictly increasing with Id), which invoices and bills are paid (and so which Payments and BillPayments
exist), and the cheap per-record facts other records refer to (a customer's currency and name). Everything else
about a record is drawn from ``rng(entity, id)``; no record depends on another's random draws except through these
functions, which is what makes lazy generation consistent.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from ledgerport.sandboxes.quickbooks.catalog import CITIES, COMPANY_WORDS, FIRST_NAMES, LAST_NAMES

__all__ = ["CENT", "DAY", "Plan", "SIZES", "SPAN", "invoices_for", "money"]

DAY = 86_400
SPAN = 730 * DAY
SIZES = {"small": 50, "large": 5_000}
CENT = Decimal("0.01")

_TAGS = {
    name: number
    for number, name in enumerate(
        (
            "Account",
            "Bill",
            "BillPayment",
            "Class",
            "CompanyInfo",
            "CreditMemo",
            "Customer",
            "Department",
            "Deposit",
            "Employee",
            "Estimate",
            "Invoice",
            "Item",
            "JournalEntry",
            "Payment",
            "Preferences",
            "Purchase",
            "PurchaseOrder",
            "SalesReceipt",
            "TaxCode",
            "TaxRate",
            "Term",
            "Transfer",
            "Vendor",
            "VendorCredit",
            "paid-invoice",
            "paid-bill",
            "currency-customer",
            "currency-vendor",
            "RefundReceipt",
            "CreditCardPayment",
            "PaymentMethod",
        ),
        start=1,
    )
}
_CUSTOMER_KINDS = ("Traders", "Labs", "Supply", "Studio", "Partners", "Foods", "Logistics", "Media", "Works", "Group")
_VENDOR_KINDS = (
    "Office Supply",
    "Utilities Co",
    "Consulting LLP",
    "Hardware",
    "Cloud Services",
    "Print Shop",
    "Freight",
    "Insurance Agency",
    "Catering",
    "Law Group",
)
_FOREIGN = ("EUR", "GBP", "CAD")


def money(value: Decimal) -> Decimal:
    """Round half up to cents, as QBO stores amounts."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def invoices_for(size: str | int) -> int:
    """``"small"`` (~50), ``"large"`` (~5,000) or an explicit invoice count."""
    if isinstance(size, int) or str(size).isdigit():
        return max(1, int(size))
    if size not in SIZES:
        raise ValueError(f"size must be one of {sorted(SIZES)} or an integer, not {size!r}")
    return SIZES[size]


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


class Plan:
    """Counts, timestamps and cross-record facts of one generated company."""

    def __init__(self, *, seed: int, invoices: int, anchor: int) -> None:
        self.seed = seed
        self.anchor = anchor
        n = invoices
        self.counts: dict[str, int] = {
            "Customer": _clamp(n // 3, 12, 3_000),
            "Vendor": _clamp(n // 6, 8, 1_500),
            "Employee": _clamp(n // 50, 4, 40),
            "Invoice": n,
            "Bill": max(6, n // 2),
            "JournalEntry": max(5, n // 10),
            "Purchase": max(5, n // 5),
            "Deposit": max(3, n // 20),
            "Transfer": max(3, n // 50),
            "SalesReceipt": max(5, n // 10),
            "Estimate": max(5, n // 10),
            "CreditMemo": max(3, n // 20),
            "VendorCredit": max(3, n // 40),
            "PurchaseOrder": max(3, n // 20),
            "RefundReceipt": max(3, n // 25),
            "CreditCardPayment": max(3, n // 40),
        }
        self.paid_invoices = self._paid("Invoice", "paid-invoice")
        self.paid_bills = self._paid("Bill", "paid-bill")
        self.counts["Payment"] = len(self.paid_invoices)
        self.counts["BillPayment"] = len(self.paid_bills)

    def mix(self, tag: str, index: int) -> int:
        """A cheap deterministic hash in 0..2**32 (for facts other records need without a full rebuild)."""
        value = (self.seed * 0x9E3779B1 + _TAGS[tag] * 0x85EBCA77 + index * 0xC2B2AE3D) & 0xFFFFFFFF
        value ^= value >> 15
        value = (value * 0x2C1B3C6D) & 0xFFFFFFFF
        return value ^ (value >> 12)

    def rng(self, tag: str, index: int) -> random.Random:
        """The random stream of one record."""
        return random.Random((self.seed << 40) ^ (_TAGS[tag] << 32) ^ index)  # noqa: S311 - test data, not secrets

    def paid_share(self, tag: str, index: int) -> Decimal | None:
        """Share of a document that is paid (1 = fully), or ``None``; recent documents stay open."""
        draw = self.mix(tag, index) % 100
        if draw < 55:
            return Decimal(1)
        if draw < 65:
            return Decimal(draw - 50) / 20
        return None

    def _paid(self, entity: str, tag: str) -> list[int]:
        cutoff = self.anchor - 14 * DAY
        return [
            i
            for i in range(1, self.counts[entity] + 1)
            if self.paid_share(tag, i) is not None and self.created(entity, i) < cutoff
        ]

    def created(self, entity: str, index: int) -> int:
        """Creation time: lists early in the history, documents spread over it, strictly increasing with Id."""
        if entity == "Payment":
            return self.created("Invoice", self.paid_invoices[index - 1]) + 12 * DAY
        if entity == "BillPayment":
            return self.created("Bill", self.paid_bills[index - 1]) + 10 * DAY
        count = self.counts.get(entity, 40)
        early = entity in ("Customer", "Vendor", "Employee") or entity not in self.counts
        start, span = (self.anchor - SPAN - 90 * DAY, 80 * DAY) if early else (self.anchor - SPAN, SPAN - 3_600)
        slot = span / count
        width = max(1, int(slot))
        return start + int((index - 1) * slot) + self.mix(entity, index) % width

    def stamp(self, entity: str) -> Callable[[int], tuple[int, int]]:
        """``id -> (created, last updated)`` for generated records (never updated at generation)."""

        def of(index: int) -> tuple[int, int]:
            moment = self.created(entity, index)
            return moment, moment

        return of

    def customer_currency(self, index: int) -> str:
        """Three customers in four bill in the home currency."""
        draw = self.mix("currency-customer", index) % 100
        return "USD" if draw < 75 or index <= 3 else _FOREIGN[draw % 3]

    def vendor_currency(self, index: int) -> str:
        """Most vendors bill in the home currency."""
        draw = self.mix("currency-vendor", index) % 100
        return "USD" if draw < 80 or index <= 3 else _FOREIGN[draw % 3]

    def customer_name(self, index: int) -> str:
        """Unique display name."""
        word = COMPANY_WORDS[(index - 1 + self.seed) % len(COMPANY_WORDS)]
        kind = _CUSTOMER_KINDS[((index - 1) // len(COMPANY_WORDS)) % len(_CUSTOMER_KINDS)]
        suffix = f" {index}" if index > len(COMPANY_WORDS) * len(_CUSTOMER_KINDS) else ""
        return f"{word} {kind}{suffix}"

    def vendor_name(self, index: int) -> str:
        """Unique display name (never equal to a customer's: the kinds differ)."""
        word = COMPANY_WORDS[(index * 7 + self.seed) % len(COMPANY_WORDS)]
        kind = _VENDOR_KINDS[((index - 1) // len(COMPANY_WORDS)) % len(_VENDOR_KINDS)]
        suffix = f" {index}" if index > len(COMPANY_WORDS) * len(_VENDOR_KINDS) else ""
        return f"{word} {kind}{suffix}"

    def employee_name(self, index: int) -> tuple[str, str]:
        """(given, family)."""
        return (
            FIRST_NAMES[(index * 5 + self.seed) % len(FIRST_NAMES)],
            LAST_NAMES[(index * 3 + self.seed // 7) % len(LAST_NAMES)],
        )

    def address(self, tag: str, index: int, currency: str) -> dict[str, str]:
        """A postal address in the currency's country."""
        draw = self.mix(tag, index)
        city, region, postal, country = CITIES[currency][draw % len(CITIES[currency])]
        return {
            "Id": str(index + 100),
            "Line1": f"{100 + draw % 9_800} {('Market', 'Main', 'Oak', 'Pine')[draw % 4]} Street",
            "City": city,
            "CountrySubDivisionCode": region,
            "PostalCode": f"{postal}{draw % 100:02d}",
            "Country": country,
        }
