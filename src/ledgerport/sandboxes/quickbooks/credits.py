"""Credits a payment uses: a credit memo applied by a Payment, a vendor credit applied by a BillPayment.

QBO has no "apply credit" call. The Receive Payment form applies a credit memo to an invoice by saving a Payment
with one line linked to the invoice and one linked to the credit memo (``LinkedTxn`` ``TxnType: CreditMemo``),
both positive; ``TotalAmt`` is what the customer paid on top, 0 when the credit alone settles it (Intuit's Payment
page: "a Payment can be linked to ... CreditMemo"; the $0 payment is how QBO records a credit applied). Pay Bills
does the same for a vendor credit with a BillPayment (``TxnType: VendorCredit``). Rules:

* a credit line takes at most the credit's open ``Balance`` (a credit memo's ``RemainingCredit``);
* the credits a payment uses do not exceed what it applies to invoices (``TotalAmt`` cannot go negative), and what
  it applies is at most ``TotalAmt`` plus the credits (an invoice line takes at most its ``Balance``: ``writes``);
* the credit is the payment's own customer's (vendor's) and in the payment's currency.

The 6000 wordings are the sandbox's: Intuit documents the code ("Business Validation Error") but not these texts.
Applying moves the credit's ``Balance``/``RemainingCredit`` and links the payment from it; deleting or voiding the
payment gives the credit back, as for the invoices it pays.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledgerport.sandboxes.quickbooks import errors
from ledgerport.sandboxes.quickbooks.plan import money
from ledgerport.sandboxes.quickbooks.store import Company, Record

__all__ = ["CREDIT_OF", "check_credits", "credits_used", "move_credits"]

CREDIT_OF = {"Payment": "CreditMemo", "BillPayment": "VendorCredit"}
"""The credit entity each payment entity can use."""
_PARTY = {"Payment": "CustomerRef", "BillPayment": "VendorRef"}


def _amount(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return Decimal(0)


def credits_used(entity: str, body: Record) -> dict[str, Decimal]:
    """Amounts of credit a payment uses, by credit id."""
    kind = CREDIT_OF.get(entity)
    used: dict[str, Decimal] = {}
    for line in body.get("Line", []):
        for link in line.get("LinkedTxn", []):
            if kind is not None and link.get("TxnType") == kind:
                used[str(link["TxnId"])] = used.get(str(link["TxnId"]), Decimal(0)) + _amount(line.get("Amount"))
    return used


def check_credits(entity: str, applied: Decimal, total: Decimal, body: Record, company: Company) -> None:
    """The payment's credit lines name credits of its own party and currency, and its sums add up."""
    used = credits_used(entity, body)
    credit = sum(used.values(), Decimal(0))
    if credit > applied:
        raise errors.business_validation(
            f"The credits applied ({credit}) exceed the amount applied to transactions ({applied})."
        )
    if applied > total + credit:
        raise errors.business_validation(f"The applied amount {applied} exceeds the payment total {total}.")
    party = _PARTY[entity]
    currency = (body.get("CurrencyRef") or {}).get("value") or company.home_currency
    for credit_id in used:
        found = company.table(CREDIT_OF[entity]).get(int(credit_id)) if credit_id.isdigit() else None
        if found is None:
            raise errors.invalid_reference("LinkedTxn.TxnId", credit_id)
        if str((found.get(party) or {}).get("value")) != str((body.get(party) or {}).get("value")):
            raise errors.business_validation(
                f"{CREDIT_OF[entity]} {credit_id} belongs to another {party[:-3].lower()}; a payment uses its own "
                "credits."
            )
        if ((found.get("CurrencyRef") or {}).get("value") or company.home_currency) != currency:
            raise errors.business_validation(
                f"{CREDIT_OF[entity]} {credit_id} is in another currency than the payment ({currency})."
            )


def move_credits(
    company: Company, entity: str, old: Record | None, new: Record | None, now: int, *, check_only: bool = False
) -> None:
    """A payment changed: the credits it uses give up (or get back) the difference (``check_only``: only refuse
    what cannot be, before anything else moves)."""
    kind = CREDIT_OF.get(entity)
    if kind is None:
        return
    before, after = credits_used(entity, old or {}), credits_used(entity, new or {})
    payment_id = (new or old or {}).get("Id")
    for credit_id in sorted(set(before) | set(after)):
        delta = after.get(credit_id, Decimal(0)) - before.get(credit_id, Decimal(0))
        credit = company.table(kind).get(int(credit_id)) if credit_id.isdigit() else None
        if credit is None:
            raise errors.invalid_reference("LinkedTxn.TxnId", credit_id)
        if delta > credit["Balance"]:
            raise errors.business_validation(
                f"The credit of {delta} exceeds the remaining credit {credit['Balance']} of {kind} {credit_id}."
            )
        if delta == 0 or check_only:
            continue
        body = {k: v for k, v in credit.items() if k not in ("Id", "SyncToken", "MetaData", "domain", "sparse")}
        body["Balance"] = money(credit["Balance"] - delta)
        if kind == "CreditMemo":
            body["RemainingCredit"] = body["Balance"]
        if "HomeBalance" in body:
            body["HomeBalance"] = money(body["Balance"] * Decimal(body.get("ExchangeRate", 1)))
        links = [link for link in body.get("LinkedTxn", []) if link.get("TxnId") != payment_id]
        if after.get(credit_id):
            links.append({"TxnId": payment_id, "TxnType": entity})
        body["LinkedTxn"] = links
        company.table(kind).replace(int(credit_id), body, now)
