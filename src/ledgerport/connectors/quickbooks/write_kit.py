"""What QBO's write tables share: dates, which records fit a reference, tracking, tax codes, line amounts, the sales
and purchase line tables, and the check that a stated total is the one QBO will compute.

Line tracking: QBO takes one class per line (``ClassRef``) and one department per document (``DepartmentRef``);
``tracking_categories`` are sorted onto those by their remote ids (``Department-`` ids are prefixed, see ``ids``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from ledgerport.connectors._base.writes import Check, Derive, Lines, Put, PutRef, Resolved, put
from ledgerport.connectors.quickbooks.ids import qbo_id

__all__ = [
    "DOCUMENT_TRACKING",
    "TAX_CODE",
    "ZERO",
    "bare",
    "book_line",
    "classes_and_departments",
    "every_line_has_an_account_or_item",
    "expense_lines",
    "field_of",
    "is_",
    "line_amount",
    "line_class",
    "qbo_date",
    "sales_lines",
    "total_check",
]

ZERO = Decimal(0)


def qbo_date(moment: datetime) -> str:
    """QBO's ``TxnDate``/``DueDate`` are dates; Merge sends midnight UTC date-times."""
    return moment.date().isoformat()


def is_(prefix: str) -> Callable[[str], bool]:
    """Remote ids of one prefixed QBO entity (``Vendor-``, ``Department-``)."""
    return lambda remote_id: remote_id.startswith(prefix)


def bare(remote_id: str) -> bool:
    """Remote ids of the entity a model is named after (a customer, a class, an AR invoice)."""
    return "-" not in remote_id


def field_of(value: Any, name: str) -> Any:
    """A field of a nested value, whether it is a validated Struct (this request) or a stored document's dict."""
    return value.get(name) if isinstance(value, Mapping) else getattr(value, name, None)


def classes_and_departments(values: list[str], resolved: Resolved) -> tuple[list[str], list[str]]:
    """The QBO ids of the classes and of the departments among tracking-category record ids."""
    remote = [resolved(value) or "" for value in values or []]
    departments = [qbo_id(r) for r in remote if r.startswith("Department-")]
    classes = [r for r in remote if bare(r)]
    return classes, departments


def _document_tracking(value: Any, payload: dict[str, Any], resolved: Resolved) -> None:
    """A document takes one department; classes go on the lines (QBO has no document-level class on bills)."""
    _, departments = classes_and_departments(value, resolved)
    if departments:
        payload["DepartmentRef"] = {"value": departments[0]}


DOCUMENT_TRACKING = Derive(_document_tracking, model="TrackingCategory", many=True)


def line_class(detail: str) -> Derive:
    """A line's ``tracking_categories``: its class goes to ``{detail}.ClassRef``."""

    def write(value: Any, payload: dict[str, Any], resolved: Resolved) -> None:
        classes, _ = classes_and_departments(value, resolved)
        if classes:
            put(payload, f"{detail}.ClassRef.value", classes[0])

    return Derive(write, model="TrackingCategory", many=True, note="QuickBooks keeps one class per line.")


TAX_CODE: Mapping[str, Any] = {
    "encode": qbo_id,
    "accept": is_("TaxCode-"),
    "accept_note": "a QuickBooks tax code (QuickBooks lines take codes, not rates)",
}


def line_amount(line: Mapping[str, Any], total: str = "total_amount") -> Decimal | None:
    """A line's amount: its stated total, else unit price × quantity."""
    stated = line.get(total)
    if stated is not None:
        return Decimal(stated)
    price, quantity = line.get("unit_price"), line.get("quantity")
    if price is not None and quantity is not None:
        return Decimal(price) * Decimal(quantity)
    return None


def total_check(lines: str = "line_items", total: str = "total_amount") -> Check:
    """A stated ``total_amount`` must be what QBO will compute: the lines, plus tax, less discount."""

    def test(model: Mapping[str, Any]) -> str | None:
        stated = model.get("total_amount")
        found = model.get(lines) or []
        if stated is None or not found:
            return None
        amounts = [line_amount(line, total) for line in found]
        if any(amount is None for amount in amounts):
            return None
        lines_total = sum((a for a in amounts if a is not None), ZERO)
        tax = Decimal(model.get("total_tax_amount") or 0)
        discount = Decimal(model.get("total_discount") or 0)
        expected = lines_total - discount + (ZERO if model.get("inclusive_of_tax") else tax)
        if Decimal(stated) != expected:
            return f"total_amount is {stated}, but the lines add up to {expected}."
        return None

    return Check("/model/total_amount", "Total Does Not Match Lines", test)


# --- line tables ---------------------------------------------------------------------------------------------------


def sales_lines(total: str = "total_amount") -> Lines:
    """Invoice and credit-memo lines: ``SalesItemLineDetail`` against an item; QBO wants the ``Amount`` even when
    price × quantity says it."""

    def finish(built: dict[str, Any], line: Mapping[str, Any]) -> dict[str, Any]:
        amount = line_amount(line, total)
        if amount is not None:
            built["Amount"] = amount
        built["DetailType"] = "SalesItemLineDetail"
        built.setdefault("SalesItemLineDetail", {})
        return built

    return Lines(
        {
            "description": Put("Description"),
            total: Put("Amount", Decimal),
            "unit_price": Put("SalesItemLineDetail.UnitPrice", Decimal),
            "quantity": Put("SalesItemLineDetail.Qty", Decimal),
            "item": PutRef("SalesItemLineDetail.ItemRef.value", "Item", required=True),
            "tax_rate": PutRef("SalesItemLineDetail.TaxCodeRef.value", "TaxRate", **TAX_CODE),
            "tracking_category": PutRef(
                "SalesItemLineDetail.ClassRef.value", "TrackingCategory", accept=bare, accept_note="a class"
            ),
            "tracking_categories": line_class("SalesItemLineDetail"),
        },
        finish=finish,
    )


def book_line(built: dict[str, Any]) -> dict[str, Any]:
    """A purchase line's ``Detail`` as QBO's detail object: against an item (``ItemBasedExpenseLineDetail``) when it
    names one, else against an account (``AccountBasedExpenseLineDetail``, which has no quantity or price)."""
    detail = built.pop("Detail", {})
    kind = "ItemBasedExpenseLineDetail" if "ItemRef" in detail else "AccountBasedExpenseLineDetail"
    if kind == "AccountBasedExpenseLineDetail":
        detail.pop("Qty", None)
        detail.pop("UnitPrice", None)
    built["DetailType"] = kind
    built[kind] = detail
    return built


def expense_lines(total: str = "total_amount", *, billable: bool = True) -> Lines:
    """Bill and purchase-order lines: against an item (``ItemBasedExpenseLineDetail``) when they name one, else
    against an account (``AccountBasedExpenseLineDetail``, which has no quantity or price)."""

    def finish(built: dict[str, Any], line: Mapping[str, Any]) -> dict[str, Any]:
        amount = line_amount(line, total)
        if amount is not None:
            built["Amount"] = amount
        return book_line(built)

    fields: dict[str, Any] = {
        "description": Put("Description"),
        total: Put("Amount", Decimal),
        "unit_price": Put("Detail.UnitPrice", Decimal),
        "quantity": Put("Detail.Qty", Decimal),
        "item": PutRef("Detail.ItemRef.value", "Item", note="An item line; without one, account is required."),
        "account": PutRef("Detail.AccountRef.value", "Account"),
        "tax_rate": PutRef("Detail.TaxCodeRef.value", "TaxRate", **TAX_CODE),
        "tracking_category": PutRef("Detail.ClassRef.value", "TrackingCategory", accept=bare, accept_note="a class"),
        "tracking_categories": line_class("Detail"),
    }
    if billable:
        fields["is_billable"] = Put("Detail.BillableStatus", lambda on: "Billable" if on else "NotBillable")
    return Lines(fields, finish=finish)


def every_line_has_an_account_or_item(lines: str = "line_items") -> Check:
    """QBO books every purchase line to an item or an account."""

    def test(model: Mapping[str, Any]) -> str | None:
        for index, line in enumerate(model.get(lines) or []):
            if line.get("item") is None and line.get("account") is None:
                return f"line {index} needs an account or an item: QuickBooks books every purchase line to one."
        return None

    return Check(f"/model/{lines}", "Line Needs An Account", test)
