"""The ``complete`` steps of QBO's write targets: what a payload needs from the company's current state.

* **A bill payment's pay type.** Merge names only the account a payment leaves; QBO pays a bill by check from a
  ``Bank`` account (``PayType: Check``, ``CheckPayment.BankAccountRef``) or by card from a ``Credit Card`` account
  (``PayType: CreditCard``, ``CreditCardPayment.CCAccountRef``). The table writes a check; this step reads the
  account and turns the payment into a card payment when the account is a card.
* **A bill's purchase orders.** Merge lists the purchase orders an AP invoice bills; QBO links a bill to a purchase
  order line by line (each bill line's ``LinkedTxn`` names a purchase-order line by ``TxnLineId``, which Intuit's
  Bill page marks required for bills, and integrators report QBO silently drops a link without one). The table
  lists the purchase orders; this step reads them and links each bill line to the first unbilled line of those
  purchase orders with the same item (item lines) or account (account lines). A purchase order of another vendor,
  or one none of whose lines matches a bill line, is refused before anything is written, since QBO would save the
  bill without the link.
* **An inventory item's asset account.** QBO's inventory items need an asset account that Merge's model cannot
  name; QBO's own form preselects the company's inventory asset account, and so does this step.
"""

from __future__ import annotations

from typing import Any

from ledgerport.connectors._base import Problem, Rejected
from ledgerport.connectors._base.client import ProviderClient
from ledgerport.connectors.quickbooks.client import Entity
from ledgerport.connectors.quickbooks.writer import query, read
from ledgerport.kit import clock

__all__ = ["BILL_PURCHASE_ORDERS", "INVENTORY_ASSET", "link_purchase_orders", "pay_from", "stock_in"]

BILL_PURCHASE_ORDERS = "_PurchaseOrders"
"""Where a bill's table leaves the QBO ids of the purchase orders it bills (never sent)."""
INVENTORY_ASSET = "SELECT * FROM Account WHERE AccountSubType = 'Inventory'"  # noqa: S608 - a constant query
"""The accounts that carry inventory's value (``AccountSubType`` Inventory)."""


def _refused(detail: str, field: str) -> Rejected:
    problem = Problem(title="Invalid Reference", detail=detail, pointer=f"/model/{field}")
    return Rejected(detail, problems=[problem])


async def pay_from(client: ProviderClient, payload: dict[str, Any]) -> dict[str, Any]:
    """Check from a bank account, or card payment from a card account (only when the payment names its account)."""
    check = payload.get("CheckPayment")
    if not isinstance(check, dict) or "BankAccountRef" not in check:
        return payload
    account = await read(client, "Account", str(check["BankAccountRef"]["value"]))
    kind = account.get("AccountType")
    if kind == "Credit Card":
        payload.pop("CheckPayment")
        return {**payload, "PayType": "CreditCard", "CreditCardPayment": {"CCAccountRef": check["BankAccountRef"]}}
    if kind != "Bank":
        raise _refused(
            f"QuickBooks pays a bill from a bank account (by check) or a credit card account; "
            f"{account.get('Name')} is a {kind} account.",
            "account",
        )
    return {**payload, "PayType": "Check"}


def _key(detail: dict[str, Any]) -> tuple[str, str] | None:
    for ref in ("ItemRef", "AccountRef"):
        value = (detail.get(ref) or {}).get("value")
        if value is not None:
            return ref, str(value)
    return None


def _detail(line: dict[str, Any]) -> dict[str, Any]:
    found = line.get(str(line.get("DetailType")))
    return found if isinstance(found, dict) else {}


async def link_purchase_orders(client: ProviderClient, payload: dict[str, Any]) -> dict[str, Any]:
    """Link the bill's lines to the lines of the purchase orders it bills (see the module docstring)."""
    wanted = payload.pop(BILL_PURCHASE_ORDERS, None)
    if not wanted:
        return payload
    lines = payload.get("Line") or []
    free = [index for index, _ in enumerate(lines)]
    vendor = str((payload.get("VendorRef") or {}).get("value", ""))
    for order_id in dict.fromkeys(wanted):
        order = await read(client, "PurchaseOrder", order_id)
        number = order.get("DocNumber") or order_id
        if vendor and str((order.get("VendorRef") or {}).get("value")) != vendor:
            raise _refused(f"Purchase order {number} is another vendor's.", "purchase_orders")
        linked = False
        for order_line in order.get("Line") or []:
            key = _key(_detail(order_line))
            match = next((i for i in free if key is not None and _key(_detail(lines[i])) == key), None)
            if match is None:
                continue
            free.remove(match)
            link = {"TxnId": str(order["Id"]), "TxnType": "PurchaseOrder", "TxnLineId": str(order_line["Id"])}
            lines[match] = {**lines[match], "LinkedTxn": [link]}
            linked = True
        if not linked:
            raise _refused(
                f"No line of this bill has the item or account of a line of purchase order {number}; QuickBooks "
                "links a bill to a purchase order line by line.",
                "purchase_orders",
            )
    return payload


async def stock_in(client: ProviderClient, payload: dict[str, Any]) -> dict[str, Any]:
    """A new inventory item as QBO's form starts one: quantity tracked, nothing on hand as of today (the UTC date:
    the company's zone is not known here), on the company's inventory asset account."""
    if payload.get("Type") != "Inventory":
        return payload
    started = {"TrackQtyOnHand": True, "QtyOnHand": 0, "InvStartDate": clock.now().date().isoformat(), **payload}
    if "AssetAccountRef" in started:
        return started
    found = await query(client, Entity.ACCOUNT, INVENTORY_ASSET)
    if not found:
        raise _refused("QuickBooks keeps inventory on an inventory asset account, and this company has none.", "type")
    return {**started, "AssetAccountRef": {"value": str(found[0]["Id"])}}
