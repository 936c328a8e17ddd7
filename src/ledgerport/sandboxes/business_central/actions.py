"""Bound actions: ``…/{set}({id})/Microsoft.NAV.{action}``, each answering 204.

- ``post`` (sales/purchase invoices, sales credit memos): only on a draft; the id stays, ``number`` moves to the posted
  series, ``status`` becomes ``Open``, G/L entries are written (receivables/payables, revenue/expense, tax).
- ``cancel`` (posted sales invoices and credit memos): the document becomes ``Canceled`` and a posted corrective
  document (``Corrective``) reverses it; a second cancel fails with BC's text.
- ``shipAndInvoice`` / ``receiveAndInvoice`` (orders): a posted invoice (with ``orderId``/``orderNumber``), a posted
  shipment for sales, and the fully invoiced order is deleted (standard BC; FACTS §9 VERIFY).
- ``post`` on ``journals``: every line becomes G/L entries (debit/credit split from the signed amount; a line's own
  balancing account gets the opposite entry), lines without one must balance per document number and date, and the
  lines are deleted. "There is nothing to post." on an empty batch.
- ``send``/``postAndSend``/``cancelAndSend``: the document needs an email; sending itself is a no-op here.
- ``makeCorrectiveCreditMemo``: a draft credit memo copying a posted, unpaid invoice.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ledgerport.sandboxes.business_central import documents, writes
from ledgerport.sandboxes.business_central.catalog import EMPTY_GUID
from ledgerport.sandboxes.business_central.errors import ODataError, dialog
from ledgerport.sandboxes.business_central.rows import ZERO, template
from ledgerport.sandboxes.business_central.store import Company, Row, Table
from ledgerport.sandboxes.business_central.wire import Request

if TYPE_CHECKING:
    from ledgerport.sandboxes.business_central.api import Api, Target

__all__ = ["post_gl", "run"]


def _gl(
    company: Company,
    now: str,
    posting_date: str,
    number: str,
    kind: str,
    account_number: str,
    amount: Decimal,
    description: str,
) -> None:
    """One G/L entry; a positive amount debits the account."""
    accounts = company.tables["accounts"]
    account = documents.find(accounts, "number", account_number)
    if account is None:
        raise dialog(f"G/L Account {account_number} does not exist.")
    entries = company.tables["generalLedgerEntries"]
    row = list(template(entries.spec))
    row[0] = str(uuid.uuid4())
    pos = entries.pos
    values = {
        "entryNumber": company.next_number("GLENTRY", 0),
        "postingDate": posting_date,
        "documentNumber": number,
        "documentType": kind,
        "accountId": account[0],
        "accountNumber": account_number,
        "description": description,
        "debitAmount": amount if amount > 0 else ZERO,
        "creditAmount": -amount if amount < 0 else ZERO,
    }
    for key, value in values.items():
        row[pos[key]] = value
    company.touch(entries, row, now)
    entries.add(row)


def post_gl(company: Company, table: Table, row: Row, now: str, reverse: bool = False) -> None:
    """The G/L entries of posting a sales or purchase document."""
    pos = table.pos
    name = table.spec.name
    sign = -1 if (name == "salesCreditMemos") != reverse else 1
    kind = "Credit_x0020_Memo" if (name == "salesCreditMemos") != reverse else "Invoice"
    net, tax, total = (
        Decimal(row[pos[f]]) for f in ("totalAmountExcludingTax", "totalTaxAmount", "totalAmountIncludingTax")
    )
    posting, number = row[pos["postingDate"]], row[pos["number"]]
    if name.startswith("sales"):
        party = row[pos["customerName"]]
        _gl(company, now, posting, number, kind, "10400", sign * total, party)
        _gl(company, now, posting, number, kind, "40200", -sign * net, party)
        if tax:
            _gl(company, now, posting, number, kind, "22500", -sign * tax, party)
    else:
        party = row[pos["vendorName"]]
        _gl(company, now, posting, number, kind, "60300", sign * net, party)
        _gl(company, now, posting, number, kind, "20100", -sign * total, party)


def _post(company: Company, table: Table, row: Row, now: str) -> None:
    name = table.spec.name
    pos = table.pos
    if documents.is_posted(table, row):
        raise dialog(
            "The action can be applied to a draft invoice only."
            if "Invoice" in name
            else "The action can be applied to a draft credit memo only."
        )
    lines = company.tables[table.spec.lines or ""].of_parent(row[0])
    if not lines:
        raise dialog(
            "Please add at least one line item to the credit memo."
            if name == "salesCreditMemos"
            else "There is nothing to post."
        )
    row[pos["number"]] = str(company.next_number(f"posted:{name}", documents.POSTED_SERIES[name]))
    row[pos["status"]] = "Open"
    if "remainingAmount" in pos:
        row[pos["remainingAmount"]] = row[pos["totalAmountIncludingTax"]]
    company.touch(table, row, now)
    post_gl(company, table, row, now)


def _copy(
    company: Company,
    source_table: Table,
    source: Row,
    target_name: str,
    now: str,
    status: str,
    number: str,
    extra: dict[str, Any],
) -> Row:
    """A new document of ``target_name`` with the source's common header fields and lines."""
    target = company.tables[target_name]
    row = list(template(target.spec))
    row[0] = str(uuid.uuid4())
    for name, index in target.pos.items():
        if name in source_table.pos and name not in {"id", "number", "status", "lastModifiedDateTime"}:
            row[index] = source[source_table.pos[name]]
    row[target.pos["number"]] = number
    if "status" in target.pos:
        row[target.pos["status"]] = status
    for key, value in extra.items():
        if key in target.pos:
            row[target.pos[key]] = value
    company.touch(target, row, now)
    target.add(row)
    source_lines = company.tables[source_table.spec.lines or ""]
    lines = company.tables[target.spec.lines or ""]
    for line in source_lines.of_parent(source[0]):
        copy = list(template(lines.spec))
        copy[0] = str(uuid.uuid4())
        for name, index in lines.pos.items():
            if name in source_lines.pos and name != "id":
                copy[index] = line[source_lines.pos[name]]
            elif name == "unitCost" and "directUnitCost" in source_lines.pos:
                copy[index] = line[source_lines.pos["directUnitCost"]]
        copy[lines.pos["documentId"]] = row[0]
        company.touch(lines, copy, now)
        lines.add(copy)
    documents.recompute(company, target, row)
    return row


def _cancel(company: Company, table: Table, row: Row, now: str) -> None:
    pos = table.pos
    name = table.spec.name
    status = row[pos["status"]]
    if not documents.is_posted(table, row):
        raise dialog(
            "The action can be applied to a posted invoice only."
            if name == "salesInvoices"
            else "The action can be applied to a posted credit memo only."
        )
    if status == "Canceled":
        raise dialog(
            "The invoice cannot be canceled because it has already been canceled."
            if name == "salesInvoices"
            else "The credit memo cannot be canceled because it has already been canceled."
        )
    if status == "Corrective":
        raise dialog("You cannot cancel a corrective document.")
    if name == "salesInvoices" and status == "Paid":
        raise dialog("You cannot cancel this posted sales invoice because it is fully or partially paid.")
    target_name = "salesCreditMemos" if name == "salesInvoices" else "salesInvoices"
    number = str(company.next_number(f"posted:{target_name}", documents.POSTED_SERIES[target_name]))
    extra: dict[str, Any] = {
        "invoiceId": row[0],
        "invoiceNumber": row[pos["number"]],
        "creditMemoDate": now[:10],
        "invoiceDate": now[:10],
        "postingDate": now[:10],
    }
    corrective = _copy(company, table, row, target_name, now, "Corrective", number, extra)
    post_gl(company, company.tables[target_name], corrective, now)
    row[pos["status"]] = "Canceled"
    if "remainingAmount" in pos:
        row[pos["remainingAmount"]] = ZERO
    company.touch(table, row, now)


def _make_corrective(company: Company, table: Table, row: Row, now: str) -> None:
    pos = table.pos
    if row[pos["status"]] not in {"Open"}:
        raise dialog(
            "The invoice is partially paid or credited. You cannot make a corrective credit memo."
            if row[pos["status"]] != "Draft"
            else "The action can be applied to a posted invoice only."
        )
    number = f"S-CR{company.next_number('S-CR', 100_000)}"
    _copy(
        company,
        table,
        row,
        "salesCreditMemos",
        now,
        "Draft",
        number,
        {"invoiceId": row[0], "invoiceNumber": row[pos["number"]], "creditMemoDate": now[:10], "postingDate": now[:10]},
    )


def _invoice_order(company: Company, table: Table, row: Row, now: str) -> None:
    pos = table.pos
    sales = table.spec.name == "salesOrders"
    lines = company.tables[table.spec.lines or ""].of_parent(row[0])
    if not lines:
        raise dialog("There is nothing to post.")
    target_name = "salesInvoices" if sales else "purchaseInvoices"
    number = str(company.next_number(f"posted:{target_name}", documents.POSTED_SERIES[target_name]))
    terms = company.tables["paymentTerms"].rows.get(row[pos["paymentTermsId"]])
    today = now[:10]
    extra: dict[str, Any] = {
        "orderId": row[0],
        "orderNumber": row[pos["number"]],
        "invoiceDate": today,
        "postingDate": today,
        "dueDate": documents.due_date(today, terms[3] if terms else "0D"),
    }
    invoice = _copy(company, table, row, target_name, now, "Open", number, extra)
    invoices = company.tables[target_name]
    if "remainingAmount" in invoices.pos:
        invoice[invoices.pos["remainingAmount"]] = invoice[invoices.pos["totalAmountIncludingTax"]]
    post_gl(company, invoices, invoice, now)
    if sales:
        _ship(company, table, row, now, number)
    for line in lines:
        company.tables[table.spec.lines or ""].remove(line[0])
    table.remove(row[0])
    company.next_version()


def _ship(company: Company, table: Table, order: Row, now: str, invoice_number: str) -> None:
    shipments = company.tables["salesShipments"]
    number = str(company.next_number("posted:salesShipments", 102_000 + len(shipments)))
    shipment = _copy(
        company,
        table,
        order,
        "salesShipments",
        now,
        "",
        number,
        {"orderNumber": order[table.pos["number"]], "postingDate": now[:10], "invoiceDate": now[:10]},
    )
    lines = company.tables["salesShipmentLines"]
    for line in lines.of_parent(shipment[0]):
        line[lines.pos["documentNo"]] = number
        line[lines.pos["lineType"]] = "Item" if line[lines.pos["lineType"]] == "Item" else "G_x002F_L_x0020_Account"
    del invoice_number


def _post_journal(company: Company, table: Table, journal: Row, now: str) -> None:
    lines_table = company.tables[table.spec.lines or ""]
    lines = lines_table.of_parent(journal[0])
    if not lines:
        raise dialog("There is nothing to post.")
    pos = lines_table.pos
    open_balance: dict[tuple[str, str], Decimal] = {}
    for line in lines:
        if line[pos["accountId"]] == EMPTY_GUID:
            raise dialog(
                f"Account No. must have a value in Gen. Journal Line: Journal Template Name=GENERAL, "
                f"Journal Batch Name={journal[1]}, Line No.={line[pos['lineNumber']]}. It cannot be zero or empty."
            )
        if line[pos["balancingAccountId"]] == EMPTY_GUID:
            key = (line[pos["documentNumber"]], line[pos["postingDate"]])
            open_balance[key] = open_balance.get(key, ZERO) + Decimal(line[pos["amount"]])
    for (number, _), balance in open_balance.items():
        if balance != 0:
            raise dialog(
                f"Document No. {number} is out of balance by {balance:.2f}. "
                "Please check that Posting Date, Document Type, Document No. and amounts are correct."
            )
    accounts = company.tables["accounts"]
    for line in lines:
        amount = Decimal(line[pos["amount"]])
        kind = "_x0020_"
        for account_field, sign in (("accountId", 1), ("balancingAccountId", -1)):
            account = accounts.rows.get(line[pos[account_field]])
            if account is None:
                continue
            _gl(
                company,
                now,
                line[pos["postingDate"]],
                line[pos["documentNumber"]],
                kind,
                account[1],
                sign * amount,
                line[pos["description"]],
            )
    for line in lines:
        lines_table.remove(line[0])
    company.touch(table, journal, now)


def _send(company: Company, table: Table, row: Row, now: str) -> None:
    if "email" in table.pos and not row[table.pos["email"]]:
        raise dialog(
            "The send-to email is empty. Specify email either for the bill-to customer or for the sell-to customer."
        )


async def run(api: Api, company: Company, target: Target, request: Request) -> None:
    """Run the action ``target.action`` on ``target.row``."""
    table, row, action = target.table, target.row, target.action or ""
    assert row is not None
    spec = table.spec
    if action not in spec.actions:
        raise ODataError(
            400, "BadRequest_MethodNotImplemented", f"The action '{action}' is not supported on '{spec.name}'."
        )
    writes.check_etag(table, row, request.header("if-match"), required=False)
    now = api.clock.iso()
    if spec.kind == "journal" and action == "post":
        _post_journal(company, table, row, now)
    elif action == "post":
        _post(company, table, row, now)
    elif action == "cancel":
        _cancel(company, table, row, now)
    elif action in {"shipAndInvoice", "receiveAndInvoice"}:
        _invoice_order(company, table, row, now)
    elif action == "makeCorrectiveCreditMemo":
        _make_corrective(company, table, row, now)
    elif action == "send":
        _send(company, table, row, now)
    elif action == "postAndSend":
        _send(company, table, row, now)
        _post(company, table, row, now)
    elif action == "cancelAndSend":
        _send(company, table, row, now)
        _cancel(company, table, row, now)
