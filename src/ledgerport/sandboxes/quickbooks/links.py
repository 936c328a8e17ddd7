"""Bills linked to purchase orders, line by line, as QBO keeps them.

A bill line names the purchase-order line it bills in its own ``LinkedTxn`` (``{TxnId, TxnType: "PurchaseOrder",
TxnLineId}``). QBO then lists the purchase order in the bill's ``LinkedTxn``, lists the bill in the purchase order's,
and closes the purchase order once it is billed. Intuit's Bill page documents the line-level link (``TxnLineId`` is
"Required for Deposit and Bill entities"); integrators report that QBO saves the bill and silently leaves out a link
it cannot make (no ``TxnLineId``, an unknown purchase order or line), and the sandbox does the same. The bill's own
``LinkedTxn`` is the server's: it is rebuilt from the lines' links and the payments' links, whatever a request puts
there.

Simplified: a purchase order is Closed when every line of it is linked by some bill (QBO closes it when the billed
quantities reach the ordered ones), and a purchase order of another vendor is not linked (QBO's form offers only the
vendor's own).
"""

from __future__ import annotations

from ledgerport.sandboxes.quickbooks.store import Company, Record

__all__ = ["bill_links", "relink_purchase_orders"]

_PO = "PurchaseOrder"


def _purchase_order(company: Company, txn_id: object) -> Record | None:
    text = str(txn_id or "")
    return company.table(_PO).get(int(text)) if text.isdigit() else None


def _vendor(record: Record) -> str:
    return str((record.get("VendorRef") or {}).get("value", ""))


def _links_to(record: Record, kind: str) -> list[str]:
    return [str(link["TxnId"]) for link in record.get("LinkedTxn", []) if link.get("TxnType") == kind]


def bill_links(company: Company, body: Record, old: Record | None) -> None:
    """Keep the line links QBO would make; rebuild the bill's ``LinkedTxn`` from them and the payments' links."""
    made: list[str] = []
    for line in body.get("Line", []):
        kept = []
        for link in line.get("LinkedTxn", []):
            if link.get("TxnType") != _PO:
                kept.append(link)
                continue
            order = _purchase_order(company, link.get("TxnId"))
            line_ids = {str(po_line.get("Id")) for po_line in (order or {}).get("Line", [])}
            if order is None or _vendor(order) != _vendor(body) or str(link.get("TxnLineId")) not in line_ids:
                continue
            kept.append({"TxnId": order["Id"], "TxnType": _PO, "TxnLineId": str(link["TxnLineId"])})
            made.append(order["Id"])
        if kept:
            line["LinkedTxn"] = kept
        else:
            line.pop("LinkedTxn", None)
    header = [link for link in (old or {}).get("LinkedTxn", []) if link.get("TxnType") != _PO]
    header += [{"TxnId": txn_id, "TxnType": _PO} for txn_id in dict.fromkeys(made)]
    if header:
        body["LinkedTxn"] = header
    else:
        body.pop("LinkedTxn", None)


def _billed_lines(company: Company, order_id: str, bills: dict[str, Record]) -> set[str]:
    billed: set[str] = set()
    for bill in bills.values():
        for line in bill.get("Line", []):
            billed |= {
                str(link.get("TxnLineId"))
                for link in line.get("LinkedTxn", [])
                if link.get("TxnType") == _PO and str(link.get("TxnId")) == order_id
            }
    return billed


def relink_purchase_orders(company: Company, bill_id: str, old: Record | None, new: Record | None, now: int) -> None:
    """A bill changed (or was deleted): the purchase orders it links, or linked, list it or not, and are Closed
    when every line of theirs is billed, Open otherwise."""
    touched = dict.fromkeys([*_links_to(old or {}, _PO), *_links_to(new or {}, _PO)])
    for order_id in touched:
        order = _purchase_order(company, order_id)
        if order is None:
            continue
        others = [link for link in order.get("LinkedTxn", []) if str(link.get("TxnId")) != bill_id]
        bills = {
            txn_id: found
            for txn_id in (str(link["TxnId"]) for link in others if link.get("TxnType") == "Bill")
            if (found := company.table("Bill").get(int(txn_id))) is not None
        }
        links = others
        if new is not None and order_id in _links_to(new, _PO):
            links = [*others, {"TxnId": bill_id, "TxnType": "Bill"}]
            bills[bill_id] = new
        line_ids = {str(line.get("Id")) for line in order.get("Line", [])}
        closed_by_hand = order.get("POStatus") == "Closed" and not _links_to(order, "Bill")
        billed = bool(line_ids) and line_ids <= _billed_lines(company, order_id, bills)
        status = "Closed" if billed or closed_by_hand else "Open"
        if links == order.get("LinkedTxn", []) and status == order.get("POStatus"):
            continue
        body = {k: v for k, v in order.items() if k not in ("Id", "SyncToken", "MetaData", "domain", "sparse")}
        body["LinkedTxn"], body["POStatus"] = links, status
        if not links:
            body.pop("LinkedTxn")
        company.table(_PO).replace(int(order_id), body, now)
