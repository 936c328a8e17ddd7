"""Line and document arithmetic, shared by the generator and the write path so both obey the same rules.

Exclusive: LineAmount excludes tax; SubTotal = sum(LineAmount); Total = SubTotal + TotalTax.
Inclusive: LineAmount includes tax; Total = sum(LineAmount); SubTotal = Total - TotalTax.
NoTax: TaxAmount is 0 on every line; Total = SubTotal.
Tax is rounded per line to cents, half away from zero, as Xero does on the line.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

__all__ = ["CENT", "QUANTITY", "RATE", "ZERO", "document_totals", "line_amount", "line_tax", "money", "to_decimal"]

CENT = Decimal("0.01")
QUANTITY = Decimal("0.0001")
RATE = Decimal("0.000000")
ZERO = Decimal("0.00")
_HUNDRED = Decimal(100)


def to_decimal(value: Any) -> Decimal | None:
    """A number from a request body (Decimal, int or numeric string); ``None`` if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal | int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            return None
    return None


def money(value: Decimal) -> Decimal:
    """Rounded to cents."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def line_amount(quantity: Decimal, unit_amount: Decimal, discount_rate: Decimal | None) -> Decimal:
    """Quantity x UnitAmount less the discount, in cents."""
    gross = quantity * unit_amount
    if discount_rate:
        gross = gross * (_HUNDRED - discount_rate) / _HUNDRED
    return money(gross)


def line_tax(amount: Decimal, rate_percent: Decimal, line_amount_types: str) -> Decimal:
    """The tax on one line for Exclusive, Inclusive or NoTax amounts."""
    if line_amount_types == "NoTax" or not rate_percent:
        return ZERO
    if line_amount_types == "Inclusive":
        return money(amount * rate_percent / (_HUNDRED + rate_percent))
    return money(amount * rate_percent / _HUNDRED)


def document_totals(lines: list[dict[str, Any]], line_amount_types: str) -> tuple[Decimal, Decimal, Decimal]:
    """``(SubTotal, TotalTax, Total)`` of lines that already carry LineAmount and TaxAmount."""
    amounts = sum((line["LineAmount"] for line in lines), ZERO)
    tax = sum((line["TaxAmount"] for line in lines), ZERO)
    if line_amount_types == "Inclusive":
        return amounts - tax, tax, amounts
    return amounts, tax, amounts + tax
