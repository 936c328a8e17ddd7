"""QBO's business rules on writes, driven through the community SDK (python-quickbooks) against the sandbox on a
loopback port: journal entries, names, bill payments, payments, items, accounts, purchase orders and the bills
that bill them, closed periods. Each rule's fault code is the one QBO answers (``rules`` says which are documented
and which are the sandbox's reading), and what the sandbox stored still uses only Intuit's XSD names (the last
test, which reads what the others wrote into the module's sandbox).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests
from qbo_sdk import connect_sdk, served, xsd_violations


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with served(seed=11) as url:
        yield url


@pytest.fixture(scope="module")
def qb(base_url: str) -> Any:
    return connect_sdk(base_url)


def fault_code(qb: Any, obj: Any) -> int:
    """Save ``obj`` expecting a fault; its code."""
    from quickbooks.exceptions import QuickbooksException

    with pytest.raises(QuickbooksException) as raised:
        obj.save(qb=qb)
    return int(raised.value.error_code)


def fault_detail(qb: Any, obj: Any) -> tuple[int, str]:
    """Save ``obj`` expecting a fault; its code and detail."""
    from quickbooks.exceptions import QuickbooksException

    with pytest.raises(QuickbooksException) as raised:
        obj.save(qb=qb)
    return int(raised.value.error_code), str(raised.value.detail)


def account(qb: Any, name: str) -> Any:
    from quickbooks.objects.account import Account

    (found,) = Account.filter(Name=name, qb=qb)
    return found


def dumped(base_url: str, entity: str) -> list[dict[str, Any]]:
    return list(requests.get(f"{base_url}/_sandbox/dump/{entity}", timeout=10).json()[entity])


# --- journal entries -----------------------------------------------------------------------------------------------


def _journal(*lines: tuple[str, Any, str, Any]) -> Any:
    from quickbooks.objects.journalentry import Entity, JournalEntry, JournalEntryLine, JournalEntryLineDetail

    entry = JournalEntry()
    for posting, target, amount, name in lines:
        line = JournalEntryLine()
        line.Amount = Decimal(amount)
        line.JournalEntryLineDetail = JournalEntryLineDetail()
        line.JournalEntryLineDetail.PostingType = posting
        line.JournalEntryLineDetail.AccountRef = target.to_ref()
        if name is not None:
            line.JournalEntryLineDetail.Entity = Entity()
            line.JournalEntryLineDetail.Entity.Type = name.qbo_object_name
            line.JournalEntryLineDetail.Entity.EntityRef = name.to_ref()
        entry.Line.append(line)
    return entry


def test_journal_entries(qb: Any) -> None:
    from quickbooks.objects.customer import Customer
    from quickbooks.objects.vendor import Vendor

    travel, checking = account(qb, "Travel"), account(qb, "Checking")
    receivable, payable = account(qb, "Accounts Receivable (A/R)"), account(qb, "Accounts Payable (A/P)")
    customer, vendor = Customer.all(qb=qb)[0], Vendor.all(qb=qb)[0]
    assert fault_code(qb, _journal(("Debit", travel, "10", None), ("Credit", checking, "9", None))) == 6000
    one_sided = _journal(("Debit", travel, "0", None), ("Debit", checking, "0", None))
    code, detail = fault_detail(qb, one_sided)
    assert (code, "at least one debit line and one credit line" in detail) == (6000, True)
    code, detail = fault_detail(qb, _journal(("Debit", receivable, "5", None), ("Credit", checking, "5", None)))
    assert code == 6000
    assert "When you use Accounts Receivable, you must choose a customer" in detail
    wrong_name = _journal(("Debit", travel, "5", None), ("Credit", payable, "5", customer))
    assert "you must choose a supplier/vendor" in fault_detail(qb, wrong_name)[1]

    saved = _journal(("Debit", receivable, "5", customer), ("Credit", payable, "5", vendor)).save(qb=qb)
    assert saved.TotalAmt == 5
    entity = saved.Line[0].JournalEntryLineDetail.Entity
    assert (entity.Type, entity.EntityRef.value, entity.EntityRef.name) == (
        "Customer",
        customer.Id,
        customer.DisplayName,
    )
    missing = Customer()
    missing.Id = "99999"
    assert fault_code(qb, _journal(("Debit", receivable, "5", missing), ("Credit", checking, "5", None))) == 2500


# --- names ---------------------------------------------------------------------------------------------------------


def test_customers_vendors_and_employees_share_one_list_of_names(qb: Any) -> None:
    from quickbooks.objects.customer import Customer
    from quickbooks.objects.employee import Employee
    from quickbooks.objects.vendor import Vendor

    vendor = Vendor()
    vendor.DisplayName = Customer.all(qb=qb)[0].DisplayName
    code, detail = fault_detail(qb, vendor)
    assert code == 6240
    assert "Another customer, vendor or employee is already using this name" in detail
    customer = Customer()
    customer.DisplayName = Employee.all(qb=qb)[0].DisplayName
    assert fault_code(qb, customer) == 6240
    vendor.DisplayName = "A Name Nobody Has"
    assert vendor.save(qb=qb).Id


# --- payments ------------------------------------------------------------------------------------------------------


def _bill_payment(bill: Any, amount: str, pay_type: str | None, paid_from: Any) -> Any:
    from quickbooks.objects.base import LinkedTxn
    from quickbooks.objects.billpayment import BillPayment, BillPaymentCreditCard, BillPaymentLine, CheckPayment

    payment = BillPayment()
    payment.VendorRef = bill.VendorRef
    payment.TotalAmt = Decimal(amount)
    payment.PayType = pay_type
    if pay_type == "Check" and paid_from is not None:
        payment.CheckPayment = CheckPayment()
        payment.CheckPayment.BankAccountRef = paid_from.to_ref()
    if pay_type == "CreditCard" and paid_from is not None:
        payment.CreditCardPayment = BillPaymentCreditCard()
        payment.CreditCardPayment.CCAccountRef = paid_from.to_ref()
    line = BillPaymentLine()
    line.Amount = Decimal(amount)
    link = LinkedTxn()
    link.TxnId, link.TxnType = bill.Id, "Bill"
    line.LinkedTxn.append(link)
    payment.Line.append(line)
    return payment


def test_bill_payments(qb: Any) -> None:
    from quickbooks.objects.bill import Bill

    bills = [b for b in Bill.all(max_results=1000, qb=qb) if Decimal(str(b.Balance)) > 10]
    bill = bills[0]
    other = next(b for b in bills if b.VendorRef.value != bill.VendorRef.value)
    checking, card = account(qb, "Checking"), account(qb, "Visa Credit Card")
    assert fault_code(qb, _bill_payment(bill, "1", "Cash", checking)) == 2170
    assert fault_code(qb, _bill_payment(bill, "1", "Check", None)) == 2020
    code, detail = fault_detail(qb, _bill_payment(bill, "1", "Check", card))
    assert (code, "Bank account" in detail) == (6430, True)
    assert fault_code(qb, _bill_payment(bill, "1", "CreditCard", checking)) == 6430
    foreign = _bill_payment(other, "1", "Check", checking)
    foreign.VendorRef = bill.VendorRef
    code, detail = fault_detail(qb, foreign)
    assert (code, "belongs to another vendor" in detail) == (6000, True)
    no_lines = _bill_payment(bill, "1", "Check", checking)
    no_lines.Line = []
    assert fault_code(qb, no_lines) == 2020

    by_card = _bill_payment(bill, "3", "CreditCard", card).save(qb=qb)
    assert by_card.CreditCardPayment.CCAccountRef.name == "Visa Credit Card"
    by_check = _bill_payment(bill, "2", "Check", checking)
    by_check.DocNumber = "CHK-9001"
    by_check.save(qb=qb)
    assert Decimal(str(Bill.get(bill.Id, qb=qb).Balance)) == Decimal(str(bill.Balance)) - 5
    again = _bill_payment(bill, "1", "Check", checking)
    again.DocNumber = "CHK-9001"
    code, detail = fault_detail(qb, again)
    assert code == 6140
    assert "DocNumber=CHK-9001 is assigned to TxnType=BillPayment" in detail


def test_customer_payments(qb: Any) -> None:
    from quickbooks.objects.base import LinkedTxn
    from quickbooks.objects.invoice import Invoice
    from quickbooks.objects.payment import Payment, PaymentLine

    invoices = [i for i in Invoice.all(max_results=1000, qb=qb) if Decimal(str(i.Balance)) > 10]
    invoice = invoices[0]
    other = next(i for i in invoices if i.CustomerRef.value != invoice.CustomerRef.value)

    def paying(document: Any) -> Any:
        payment = Payment()
        payment.CustomerRef = invoice.CustomerRef
        payment.TotalAmt = Decimal("4")
        line = PaymentLine()
        line.Amount = Decimal("4")
        link = LinkedTxn()
        link.TxnId, link.TxnType = document.Id, "Invoice"
        line.LinkedTxn.append(link)
        payment.Line.append(line)
        return payment

    code, detail = fault_detail(qb, paying(other))
    assert (code, "belongs to another customer" in detail) == (6000, True)
    saved = paying(invoice).save(qb=qb)
    assert saved.DepositToAccountRef.name == "Undeposited Funds"


# --- items and accounts --------------------------------------------------------------------------------------------


def test_items(qb: Any) -> None:
    from quickbooks.objects.item import Item

    income, cogs = account(qb, "Sales of Product Income"), account(qb, "Cost of Goods Sold")
    item = Item()
    item.Name = "Oak Bench"
    assert fault_code(qb, item) == 2020, "Type is required"
    item.Type = "Group"
    assert fault_code(qb, item) == 2170
    item.Type = "Service"
    code, detail = fault_detail(qb, item)
    assert (code, "IncomeAccountRef" in detail) == (2020, True)
    item.IncomeAccountRef = account(qb, "Accounts Receivable (A/R)").to_ref()
    code, detail = fault_detail(qb, item)
    assert (code, "You can't associate a product or service with accounts of certain types" in detail) == (6430, True)
    item.Type = "Inventory"
    item.IncomeAccountRef, item.ExpenseAccountRef = income.to_ref(), cogs.to_ref()
    code, detail = fault_detail(qb, item)
    assert (code, "AssetAccountRef" in detail) == (2020, True)
    item.AssetAccountRef = account(qb, "Inventory Asset").to_ref()
    item.TrackQtyOnHand, item.QtyOnHand, item.InvStartDate = True, 3, "2026-01-01"
    saved = item.save(qb=qb)
    assert (saved.Type, saved.QtyOnHand) == ("Inventory", 3)
    twin = Item()
    twin.Name, twin.Type, twin.IncomeAccountRef = "oak bench", "Service", income.to_ref()
    code, detail = fault_detail(qb, twin)
    assert (code, "Another product or service is already using this name" in detail) == (6240, True)


def test_accounts(qb: Any) -> None:
    from quickbooks.objects.account import Account

    made = Account()
    made.Name, made.AccountType = "Petty Cash", "Cash"
    assert fault_code(qb, made) == 2170
    made.AccountType = "Bank"
    saved = made.save(qb=qb)
    assert (saved.Classification, saved.AccountSubType, saved.SubAccount) == ("Asset", "CashOnHand", False)
    child = Account()
    child.Name, child.AccountType, child.ParentRef = "Drawer", "Bank", saved.to_ref()
    nested = child.save(qb=qb)
    assert (nested.SubAccount, nested.FullyQualifiedName, nested.ParentRef.name) == (
        True,
        "Petty Cash:Drawer",
        "Petty Cash",
    )
    twin = Account()
    twin.Name, twin.AccountType = "petty cash", "Expense"
    code, detail = fault_detail(qb, twin)
    assert (code, "Another account is already using this name" in detail) == (6240, True)


# --- purchase orders, bills, closed periods ------------------------------------------------------------------------


def test_purchase_orders_number_themselves_and_bills_link_them_line_by_line(qb: Any) -> None:
    from quickbooks.objects.base import LinkedTxn
    from quickbooks.objects.bill import Bill
    from quickbooks.objects.detailline import ItemBasedExpenseLine, ItemBasedExpenseLineDetail
    from quickbooks.objects.item import Item
    from quickbooks.objects.purchaseorder import PurchaseOrder
    from quickbooks.objects.vendor import Vendor

    vendor, other_vendor = Vendor.all(qb=qb)[:2]
    desk = Item.filter(Name="Standing Desk", qb=qb)[0]

    def line(order: Any = None, order_line: str | None = None) -> Any:
        made = ItemBasedExpenseLine()
        made.Amount = Decimal("410")
        made.ItemBasedExpenseLineDetail = ItemBasedExpenseLineDetail()
        made.ItemBasedExpenseLineDetail.ItemRef = desk.to_ref()
        if order is not None:
            link = LinkedTxn()
            link.TxnId, link.TxnType, link.TxnLineId = order.Id, "PurchaseOrder", order_line
            made.LinkedTxn = [link]
        return made

    order = PurchaseOrder()
    order.VendorRef = vendor.to_ref()
    order.Line = [line(), line()]
    order = order.save(qb=qb)
    assert order.DocNumber, "QBO numbers a purchase order while custom numbers are off"
    assert order.POStatus == "Open"
    twin = PurchaseOrder()
    twin.VendorRef, twin.DocNumber, twin.Line = vendor.to_ref(), order.DocNumber, [line()]
    assert fault_code(qb, twin) == 6140

    def bill(*lines: Any, of: Any = vendor) -> Any:
        made = Bill()
        made.VendorRef = of.to_ref()
        made.Line = list(lines)
        return made.save(qb=qb)

    unlinked = bill(line(order, None), line(order, "999"))  # no TxnLineId, or no such line: QBO drops the link
    assert unlinked.LinkedTxn == []
    assert all(not getattr(each, "LinkedTxn", None) for each in unlinked.Line)
    assert bill(line(order, "1"), of=other_vendor).LinkedTxn == [], "another vendor's purchase order"
    first = bill(line(order, "1"))
    assert [(link.TxnId, link.TxnType) for link in first.LinkedTxn] == [(order.Id, "PurchaseOrder")]
    assert PurchaseOrder.get(order.Id, qb=qb).POStatus == "Open", "one of two lines billed"
    second = bill(line(order, "2"))
    billed = PurchaseOrder.get(order.Id, qb=qb)
    assert billed.POStatus == "Closed"
    assert sorted(link.TxnId for link in billed.LinkedTxn) == sorted([first.Id, second.Id])
    second.delete(qb=qb)
    reopened = PurchaseOrder.get(order.Id, qb=qb)
    assert (reopened.POStatus, [link.TxnId for link in reopened.LinkedTxn]) == ("Open", [first.Id])


def test_closed_period(qb: Any, base_url: str) -> None:
    from quickbooks.objects.bill import Bill
    from quickbooks.objects.invoice import Invoice

    old = Invoice.all(qb=qb)[0]
    headers = {"Authorization": f"Bearer {qb.auth_client.access_token}", "Accept": "application/json"}
    url = f"{base_url}/v3/company/{qb.company_id}/preferences"
    current = requests.get(url, headers=headers, timeout=10).json()["Preferences"]
    prefs = {**current["AccountingInfoPrefs"], "BookCloseDate": old.TxnDate}
    changed = requests.post(
        url,
        json={"Id": "1", "SyncToken": current["SyncToken"], "sparse": True, "AccountingInfoPrefs": prefs},
        headers=headers,
        timeout=10,
    )
    assert changed.status_code == 200, changed.text
    try:
        old.PrivateNote = "too late"
        code, detail = fault_detail(qb, old)
        assert (code, "The account period has closed" in detail) == (6210, True)
        backdated = Bill.all(qb=qb)[0]
        backdated.TxnDate = old.TxnDate
        assert fault_code(qb, backdated) == 6210
    finally:
        prefs.pop("BookCloseDate")
        current = requests.get(url, headers=headers, timeout=10).json()["Preferences"]
        requests.post(
            url,
            json={"Id": "1", "SyncToken": current["SyncToken"], "sparse": True, "AccountingInfoPrefs": prefs},
            headers=headers,
            timeout=10,
        )
    assert old.save(qb=qb).PrivateNote == "too late"


@pytest.mark.parametrize(
    "entity", ["JournalEntry", "BillPayment", "Payment", "Item", "Account", "Bill", "PurchaseOrder", "Preferences"]
)
def test_what_these_writes_stored_uses_xsd_names(base_url: str, entity: str) -> None:
    """Runs after the tests above wrote into the same sandbox: the objects they made, as stored, are XSD-shaped."""
    records = dumped(base_url, entity)
    assert records
    assert not xsd_violations(records, entity)
