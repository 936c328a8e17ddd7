"""Generated transactions, one pure function per entity: ``make(plan, id) -> body`` (no Id/SyncToken/MetaData).

Amounts are ``Decimal`` cents, so totals add up exactly: sales lines sum to the ``SubTotalLineDetail`` line, that
plus ``TxnTaxDetail.TotalTax`` is ``TotalAmt``; journal entries' debits equal their credits; a Payment pays exactly
what its invoice no longer owes (``TotalAmt - Balance``). Line shapes follow Finance.xsd (``DetailType`` plus
exactly one detail object named after it).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from random import Random
from typing import Any

from ledgerport.sandboxes.quickbooks.catalog import (
    ACCOUNT_IDS,
    CLASSES,
    CURRENCIES,
    DEPARTMENTS,
    EXPENSE_ACCOUNTS,
    HOME_CURRENCY,
    ITEMS,
    RATES,
    TAX_CODES,
    TAX_RATES,
    TERMS,
)
from ledgerport.sandboxes.quickbooks.clock import format_date
from ledgerport.sandboxes.quickbooks.customfields import seeded
from ledgerport.sandboxes.quickbooks.plan import Plan, money

__all__ = ["DOCUMENTS", "account_ref", "currency_ref", "ref"]

Body = dict[str, Any]


def ref(value: int | str, name: str | None = None) -> dict[str, str]:
    """A ReferenceType: ``{"value", "name"}``."""
    return {"value": str(value), "name": name} if name is not None else {"value": str(value)}


def account_ref(name: str) -> dict[str, str]:
    """Reference to a chart-of-accounts entry by its name."""
    return ref(ACCOUNT_IDS[name], name)


def currency_ref(code: str) -> dict[str, str]:
    """Reference to a currency."""
    return ref(code, CURRENCIES[code])


def _ar_ap(kind: str, currency: str) -> dict[str, str]:
    base = "Accounts Receivable (A/R)" if kind == "AR" else "Accounts Payable (A/P)"
    return account_ref(base if currency == HOME_CURRENCY else f"{base} - {currency}")


def _plus_days(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


def _header(plan: Plan, entity: str, index: int, rng: Random, currency: str, prefix: str) -> Body:
    rate = (
        RATES[currency]
        if currency == HOME_CURRENCY
        else (RATES[currency] * (1 + Decimal(rng.randint(-300, 300)) / 10_000)).quantize(Decimal("0.0001"))
    )
    body: Body = {
        "DocNumber": f"{prefix}{1000 + index}",
        "TxnDate": format_date(plan.created(entity, index)),
        "CurrencyRef": currency_ref(currency),
        "ExchangeRate": rate,
    }
    if rng.random() < 0.3:
        department = rng.randrange(len(DEPARTMENTS))
        body["DepartmentRef"] = ref(department + 1, DEPARTMENTS[department])
    return body


def _with_home(body: Body, total: Decimal, balance: Decimal | None = None, *, home_total: bool = True) -> Body:
    body["TotalAmt"] = total
    if home_total and body["CurrencyRef"]["value"] != HOME_CURRENCY:
        body["HomeTotalAmt"] = money(total * body["ExchangeRate"])
    if balance is not None:
        body["Balance"] = balance
        if body["CurrencyRef"]["value"] != HOME_CURRENCY:
            body["HomeBalance"] = money(balance * body["ExchangeRate"])
    return body


def _tax(plan: Plan, customer: int, currency: str, taxable: Decimal) -> tuple[Body, Decimal]:
    if currency != HOME_CURRENCY or taxable == 0:
        return {"TotalTax": Decimal("0.00")}, Decimal("0.00")
    code = plan.mix("Customer", customer) % 2  # San Francisco or California
    name, _, _, rate_ids = TAX_CODES[code]
    lines, total = [], Decimal("0.00")
    for rate_id in rate_ids:
        percent = Decimal(TAX_RATES[rate_id - 1][1])
        amount = money(taxable * percent / 100)
        total += amount
        lines.append(
            {
                "Amount": amount,
                "DetailType": "TaxLineDetail",
                "TaxLineDetail": {
                    "TaxRateRef": ref(rate_id),
                    "PercentBased": True,
                    "TaxPercent": percent,
                    "NetAmountTaxable": taxable,
                },
            }
        )
    return {"TxnTaxCodeRef": ref(code + 1, name), "TotalTax": total, "TaxLine": lines}, total


def _sales(plan: Plan, entity: str, index: int, prefix: str) -> tuple[Body, Random, int]:
    rng = plan.rng(entity, index)
    customer = 1 + rng.randrange(plan.counts["Customer"])
    currency = plan.customer_currency(customer)
    body = _header(plan, entity, index, rng, currency, prefix)
    lines: list[Body] = []
    subtotal = taxable = Decimal("0.00")
    for number in range(1, rng.randint(1, 5) + 1):
        item = rng.randrange(len(ITEMS))
        name, _, price, _, _, _, is_taxable = ITEMS[item]
        quantity = rng.randint(1, 12)
        amount = money(Decimal(price) * quantity)
        detail: Body = {
            "ItemRef": ref(item + 1, name),
            "UnitPrice": Decimal(price),
            "Qty": quantity,
            "TaxCodeRef": ref("TAX" if is_taxable and currency == HOME_CURRENCY else "NON"),
        }
        if rng.random() < 0.4:
            klass = rng.randrange(len(CLASSES))
            detail["ClassRef"] = ref(klass + 1, CLASSES[klass])
        lines.append(
            {
                "Id": str(number),
                "LineNum": number,
                "Description": name,
                "Amount": amount,
                "DetailType": "SalesItemLineDetail",
                "SalesItemLineDetail": detail,
            }
        )
        subtotal += amount
        taxable += amount if detail["TaxCodeRef"]["value"] == "TAX" else 0
    lines.append({"Amount": subtotal, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}})
    tax, total_tax = _tax(plan, customer, currency, taxable)
    body.update(
        {
            "CustomerRef": ref(customer, plan.customer_name(customer)),
            "BillAddr": plan.address("Customer", customer, currency),
            "Line": lines,
            "TxnTaxDetail": tax,
            "CustomerMemo": {"value": "Thank you for your business."},
            "PrintStatus": "NotSet",
            "EmailStatus": "NotSet",
            "ApplyTaxAfterDiscount": False,
            "CustomField": seeded(entity, index),
        }
    )
    _with_home(body, subtotal + total_tax)
    return body, rng, customer


def _open_balance(plan: Plan, tag: str, index: int, paid: list[int], total: Decimal) -> Decimal:
    position = bisect_left(paid, index)
    if position == len(paid) or paid[position] != index:
        return total
    share = plan.paid_share(tag, index)
    assert share is not None
    return total - money(total * share)


def invoice(plan: Plan, index: int) -> Body:
    """An invoice: 1-5 item lines, subtotal line, sales tax for home-currency customers, terms and balance."""
    body, rng, _ = _sales(plan, "Invoice", index, "")
    term = rng.randrange(1, len(TERMS))
    body["SalesTermRef"] = ref(term + 1, TERMS[term][0])
    body["DueDate"] = _plus_days(body["TxnDate"], TERMS[term][1])
    balance = _open_balance(plan, "paid-invoice", index, plan.paid_invoices, body["TotalAmt"])
    _with_home(body, body["TotalAmt"], balance)
    if balance != body["TotalAmt"]:
        body["LinkedTxn"] = [{"TxnId": str(bisect_left(plan.paid_invoices, index) + 1), "TxnType": "Payment"}]
    body.update({"AllowOnlineCreditCardPayment": False, "AllowOnlineACHPayment": False})
    return body


def sales_receipt(plan: Plan, index: int) -> Body:
    """Paid at the point of sale: deposited to Undeposited Funds, balance 0."""
    body, _, _ = _sales(plan, "SalesReceipt", index, "SR-")
    body["DepositToAccountRef"] = account_ref("Undeposited Funds")
    return _with_home(body, body["TotalAmt"], Decimal("0.00"))


def estimate(plan: Plan, index: int) -> Body:
    """A quote with a status and an expiry date."""
    body, rng, _ = _sales(plan, "Estimate", index, "EST-")
    body["TxnStatus"] = rng.choice(("Pending", "Accepted", "Closed", "Rejected"))
    body["ExpirationDate"] = _plus_days(body["TxnDate"], 30)
    return body


def credit_memo(plan: Plan, index: int) -> Body:
    """A credit not yet applied: ``Balance`` and ``RemainingCredit`` equal the total."""
    body, _, _ = _sales(plan, "CreditMemo", index, "CM-")
    body["RemainingCredit"] = body["TotalAmt"]
    return _with_home(body, body["TotalAmt"], body["TotalAmt"])


def payment(plan: Plan, index: int) -> Body:
    """Pays what its invoice no longer owes, in the invoice's currency and rate."""
    invoice_id = plan.paid_invoices[index - 1]
    paid = invoice(plan, invoice_id)
    amount = paid["TotalAmt"] - paid["Balance"]
    body = {
        "TxnDate": format_date(plan.created("Payment", index)),
        "CurrencyRef": paid["CurrencyRef"],
        "ExchangeRate": paid["ExchangeRate"],
        "CustomerRef": paid["CustomerRef"],
        "DepositToAccountRef": account_ref("Undeposited Funds"),
        "ARAccountRef": _ar_ap("AR", paid["CurrencyRef"]["value"]),
        "PaymentRefNum": f"{5000 + index}",
        "TotalAmt": amount,
        "UnappliedAmt": Decimal("0.00"),
        "ProcessPayment": False,
        "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": str(invoice_id), "TxnType": "Invoice"}]}],
    }
    return body


def _expense_lines(rng: Random, currency: str, count: int, *, items: bool) -> tuple[list[Body], Decimal]:
    lines, total = [], Decimal("0.00")
    for number in range(1, count + 1):
        if items and rng.random() < 0.4:
            item = rng.choice([i for i, row in enumerate(ITEMS) if row[1] == "Inventory"])
            quantity = rng.randint(1, 20)
            cost = Decimal(ITEMS[item][3])
            amount = money(cost * quantity)
            line: Body = {
                "DetailType": "ItemBasedExpenseLineDetail",
                "ItemBasedExpenseLineDetail": {
                    "ItemRef": ref(item + 1, ITEMS[item][0]),
                    "UnitPrice": cost,
                    "Qty": quantity,
                    "BillableStatus": "NotBillable",
                    "TaxCodeRef": ref("NON"),
                },
            }
        else:
            account = rng.choice(EXPENSE_ACCOUNTS)
            amount = money(Decimal(rng.randint(1_500, 250_000)) / 100)
            line = {
                "Description": account,
                "DetailType": "AccountBasedExpenseLineDetail",
                "AccountBasedExpenseLineDetail": {
                    "AccountRef": account_ref(account),
                    "BillableStatus": "NotBillable",
                    "TaxCodeRef": ref("NON"),
                },
            }
        lines.append({"Id": str(number), "LineNum": number, "Amount": amount, **line})
        total += amount
    return lines, total


def _purchase_side(plan: Plan, entity: str, index: int, prefix: str, *, items: bool) -> tuple[Body, Random, int]:
    rng = plan.rng(entity, index)
    vendor = 1 + rng.randrange(plan.counts["Vendor"])
    currency = plan.vendor_currency(vendor)
    body = _header(plan, entity, index, rng, currency, prefix)
    lines, total = _expense_lines(rng, currency, rng.randint(1, 5), items=items)
    body.update(
        {"VendorRef": ref(vendor, plan.vendor_name(vendor)), "APAccountRef": _ar_ap("AP", currency), "Line": lines}
    )
    _with_home(body, total, home_total=False)
    return body, rng, vendor


def bill(plan: Plan, index: int) -> Body:
    """A vendor bill with expense or item lines, terms and balance."""
    body, rng, _ = _purchase_side(plan, "Bill", index, "B-", items=True)
    term = rng.randrange(1, len(TERMS))
    body["SalesTermRef"] = ref(term + 1, TERMS[term][0])
    body["DueDate"] = _plus_days(body["TxnDate"], TERMS[term][1])
    balance = _open_balance(plan, "paid-bill", index, plan.paid_bills, body["TotalAmt"])
    if balance != body["TotalAmt"]:
        body["LinkedTxn"] = [{"TxnId": str(bisect_left(plan.paid_bills, index) + 1), "TxnType": "BillPaymentCheck"}]
    return _with_home(body, body["TotalAmt"], balance, home_total=False)


def vendor_credit(plan: Plan, index: int) -> Body:
    """A credit from a vendor, unapplied."""
    body, _, _ = _purchase_side(plan, "VendorCredit", index, "VC-", items=False)
    return _with_home(body, body["TotalAmt"], body["TotalAmt"], home_total=False)


def purchase_order(plan: Plan, index: int) -> Body:
    """An order to a vendor; not posting."""
    body, rng, _ = _purchase_side(plan, "PurchaseOrder", index, "PO-", items=True)
    body["POStatus"] = rng.choice(("Open", "Open", "Closed"))
    body["CustomField"] = seeded("PurchaseOrder", index)
    return body


def bill_payment(plan: Plan, index: int) -> Body:
    """A check paying what its bill no longer owes."""
    bill_id = plan.paid_bills[index - 1]
    paid = bill(plan, bill_id)
    amount = paid["TotalAmt"] - paid["Balance"]
    return {
        "DocNumber": f"CHK-{2000 + index}",
        "TxnDate": format_date(plan.created("BillPayment", index)),
        "CurrencyRef": paid["CurrencyRef"],
        "ExchangeRate": paid["ExchangeRate"],
        "VendorRef": paid["VendorRef"],
        "APAccountRef": paid["APAccountRef"],
        "PayType": "Check",
        "CheckPayment": {"BankAccountRef": account_ref("Checking"), "PrintStatus": "NotSet"},
        "TotalAmt": amount,
        "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": str(bill_id), "TxnType": "Bill"}]}],
    }


_PAYMENT_TYPES = ("Cash", "Check", "CreditCard")


def _payee(plan: Plan, index: int, rng: Random, vendor: int) -> dict[str, str] | None:
    """Who was paid: a vendor mostly, an employee paid back by cheque, or nobody named (cash at a counter).

    Chosen by position so that even the smallest company has each kind (at least five purchases)."""
    if index % 7 == 4:
        employee = 1 + rng.randrange(plan.counts["Employee"])
        return {"value": str(employee), "name": " ".join(plan.employee_name(employee)), "type": "Employee"}
    if index % 10 == 3:
        return None
    return {"value": str(vendor), "name": plan.vendor_name(vendor), "type": "Vendor"}


def purchase(plan: Plan, index: int) -> Body:
    """Cash, cheque or card spending with expense and item lines; every sixth one is a card refund (``Credit``)."""
    rng = plan.rng("Purchase", index)
    vendor = 1 + rng.randrange(plan.counts["Vendor"])
    body = _header(plan, "Purchase", index, rng, HOME_CURRENCY, "P-")
    kind = _PAYMENT_TYPES[index % len(_PAYMENT_TYPES)]
    lines, total = _expense_lines(rng, HOME_CURRENCY, rng.randint(1, 3), items=True)
    for line in lines:
        if rng.random() < 0.3:
            klass = rng.randrange(len(CLASSES))
            line[line["DetailType"]]["ClassRef"] = ref(klass + 1, CLASSES[klass])
    body.update(
        {
            "PaymentType": kind,
            "AccountRef": account_ref("Visa Credit Card" if kind == "CreditCard" else "Checking"),
            "Credit": kind == "CreditCard" and index % 6 == 5,  # QBO allows a refund only on a card
            "Line": lines,
        }
    )
    payee = _payee(plan, index, rng, vendor)
    if payee is not None:
        body["EntityRef"] = payee
    if rng.random() < 0.3:
        body["PrivateNote"] = rng.choice(("Receipt attached", "Team lunch", "Reimbursed in full", "Returned goods"))
    return _with_home(body, total)


def _pick_amounts(rng: Random, total: Decimal, parts: int) -> list[Decimal]:
    cuts = sorted(rng.sample(range(1, int(total * 100)), parts - 1)) if parts > 1 else []
    edges = [0, *cuts, int(total * 100)]
    return [money(Decimal(high - low) / 100) for low, high in zip(edges, edges[1:], strict=False)]


def journal_entry(plan: Plan, index: int) -> Body:
    """Balanced lines: the debits and the credits each add up to ``TotalAmt``."""
    rng = plan.rng("JournalEntry", index)
    body = _header(plan, "JournalEntry", index, rng, HOME_CURRENCY, "JE-")
    total = money(Decimal(rng.randint(10_000, 2_000_000)) / 100)
    pool = [
        name
        for name in ACCOUNT_IDS
        if "Receivable" not in name
        and "Payable (A/P)" not in name
        and name not in ("Euro Account", "Accounts Receivable (A/R)")
    ]
    lines, number = [], 0
    for posting, parts in (("Debit", rng.randint(1, 2)), ("Credit", rng.randint(1, 2))):
        for amount in _pick_amounts(rng, total, parts):
            number += 1
            detail: Body = {"PostingType": posting, "AccountRef": account_ref(rng.choice(pool))}
            if rng.random() < 0.3:
                klass = rng.randrange(len(CLASSES))
                detail["ClassRef"] = ref(klass + 1, CLASSES[klass])
            lines.append(
                {
                    "Id": str(number - 1),
                    "Description": f"{posting} line",
                    "Amount": amount,
                    "DetailType": "JournalEntryLineDetail",
                    "JournalEntryLineDetail": detail,
                }
            )
    body.update({"Adjustment": False, "Line": lines})
    return _with_home(body, total)


def deposit(plan: Plan, index: int) -> Body:
    """Money into a bank account from income lines."""
    rng = plan.rng("Deposit", index)
    body = _header(plan, "Deposit", index, rng, HOME_CURRENCY, "D-")
    lines, total = [], Decimal("0.00")
    for number in range(1, rng.randint(1, 2) + 1):
        amount = money(Decimal(rng.randint(5_000, 900_000)) / 100)
        account = rng.choice(("Interest Earned", "Consulting Income", "Services"))
        lines.append(
            {
                "Id": str(number),
                "LineNum": number,
                "Amount": amount,
                "DetailType": "DepositLineDetail",
                "DepositLineDetail": {"AccountRef": account_ref(account)},
            }
        )
        total += amount
    body.update({"DepositToAccountRef": account_ref(rng.choice(("Checking", "Savings"))), "Line": lines})
    return _with_home(body, total)


def transfer(plan: Plan, index: int) -> Body:
    """Between checking and savings."""
    rng = plan.rng("Transfer", index)
    body = _header(plan, "Transfer", index, rng, HOME_CURRENCY, "T-")
    source, target = ("Checking", "Savings") if rng.random() < 0.7 else ("Savings", "Checking")
    body.update(
        {
            "FromAccountRef": account_ref(source),
            "ToAccountRef": account_ref(target),
            "Amount": money(Decimal(rng.randint(10_000, 1_500_000)) / 100),
        }
    )
    return body


def refund_receipt(plan: Plan, index: int) -> Body:
    """Money paid back to a customer at once (RefundReceipt, a SalesTransaction): paid from checking, balance 0."""
    body, _, _ = _sales(plan, "RefundReceipt", index, "RR-")
    body["DepositToAccountRef"] = account_ref("Checking")
    body["PaymentRefNum"] = f"CHK-{4000 + index}"
    return _with_home(body, body["TotalAmt"], Decimal("0.00"))


def credit_card_payment(plan: Plan, index: int) -> Body:
    """A credit card's balance paid from checking (Finance.xsd ``CreditCardPaymentTxn``; entity and path
    ``CreditCardPayment``): ``Amount`` in the card account's currency, no lines."""
    rng = plan.rng("CreditCardPayment", index)
    body = _header(plan, "CreditCardPayment", index, rng, HOME_CURRENCY, "CCP-")
    body.pop("DepartmentRef", None)
    body.update(
        {
            "CreditCardAccountRef": account_ref("Visa Credit Card"),
            "BankAccountRef": account_ref("Checking"),
            "Amount": money(Decimal(rng.randint(5_000, 400_000)) / 100),
            "Memo": "Card statement payment",
            "PrintStatus": "NotSet",
        }
    )
    return body


DOCUMENTS: dict[str, Callable[[Plan, int], Body]] = {
    "Bill": bill,
    "BillPayment": bill_payment,
    "CreditMemo": credit_memo,
    "Deposit": deposit,
    "Estimate": estimate,
    "Invoice": invoice,
    "JournalEntry": journal_entry,
    "Payment": payment,
    "Purchase": purchase,
    "PurchaseOrder": purchase_order,
    "SalesReceipt": sales_receipt,
    "Transfer": transfer,
    "VendorCredit": vendor_credit,
    "RefundReceipt": refund_receipt,
    "CreditCardPayment": credit_card_payment,
}
