"""What NetSuite's write tables share: references, dates, tracking segments, and the checks made at NetSuite just
before sending (currency codes → currency records, the posting period of the date).

**References** are ``{"id": "<internal id>"}`` objects (FACTS.md §3.1); sublists are ``{"items": [...]}``.
**Company** is the subsidiary: required on transactions and entities of a OneWorld account (FACTS.md §6.1), and the
sandbox's account, like every account ledgerport reads subsidiaries from, is OneWorld. **Tracking categories** are
departments, classes and locations (remote ids ``department/3``…): each becomes that field on the document or line.

**Posting periods.** NetSuite refuses a transaction dated in a closed or locked period with a ``USER_ERROR`` whose
wording is unverified (FACTS.md §3.5); the period of the date (or the one named) is read from ``accountingperiod``
just before sending, and a closed one is refused with a validation problem on the date field, before anything is
written.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ledgerport.connectors._base.errors import Problem, Rejected
from ledgerport.connectors._base.writes import Check, Derive, PutRef, Resolved, WriteField
from ledgerport.connectors.netsuite.client import read_all
from ledgerport.connectors.netsuite.suiteql import ids_in, quote

if TYPE_CHECKING:
    from ledgerport.connectors._base.client import ProviderClient

__all__ = [
    "COMPANY",
    "CURRENCY_CODE",
    "TRACKING",
    "balanced",
    "money",
    "ns_date",
    "ready",
    "ref",
    "ref_to",
]

CURRENCY_CODE = "__currency_code"
"""Where a table leaves a currency's ISO code for :func:`ready` to turn into ``{"id": …}`` (NetSuite's currency
references are internal ids; the code is the record's ``symbol``)."""
_LOCKS = {"AR": "arlocked", "AP": "aplocked"}
_currencies: weakref.WeakKeyDictionary[Any, dict[str, str]] = weakref.WeakKeyDictionary()


def ref(remote_id: str) -> dict[str, str]:
    """A record reference as NetSuite's bodies write it."""
    return {"id": str(remote_id)}


def ns_date(moment: datetime | date) -> str:
    """A transaction date: a day (``YYYY-MM-DD``); Merge sends midnight UTC."""
    return (moment.date() if isinstance(moment, datetime) else moment).isoformat()


def money(value: Any) -> Decimal:
    """An amount, as the JSON number NetSuite takes."""
    return Decimal(str(value))


def ref_to(path: str, model: str, *, required: bool = False, note: str | None = None) -> PutRef:
    """One of our records at ``path`` as ``{"id": …}``."""
    return PutRef(path, model, encode=ref, required=required, note=note)


COMPANY = ref_to(
    "subsidiary",
    "CompanyInfo",
    required=True,
    note="The subsidiary (a CompanyInfo): NetSuite OneWorld accounts require one on every transaction and entity.",
)


def _segments(value: Any, payload: dict[str, Any], resolved: Resolved) -> None:
    """Departments, classes and locations → ``department``/``class``/``location`` references (the last of a
    kind wins: NetSuite keeps one of each)."""
    for one in value if isinstance(value, list) else [value]:
        remote = None if one is None else resolved(one)
        if remote and "/" in remote:
            kind, _, number = remote.partition("/")
            payload[kind] = ref(number)


TRACKING: dict[str, WriteField] = {
    "tracking_categories": Derive(
        _segments,
        model="TrackingCategory",
        many=True,
        note="Departments, classes and locations; NetSuite keeps one of each.",
    ),
}


def balanced(field: str = "lines") -> Check:
    """Journal lines add up to zero (debits equal credits, FACTS.md §3.5)."""

    def test(model: Any) -> str | None:
        lines = model.get(field) or []
        total = sum((Decimal(str(line.get("net_amount") or 0)) for line in lines), Decimal(0))
        return None if total == 0 else f"The lines' debits and credits differ by {total}."

    return Check(pointer=f"/model/{field}", title="Unbalanced Journal Entry", test=test)


# --- just before sending --------------------------------------------------------------------------------------


async def _currency_ids(client: ProviderClient) -> dict[str, str]:
    known = _currencies.get(client)
    if known is None:
        rows = await read_all(client.json, client.context, "SELECT id AS id, symbol AS symbol FROM currency")
        known = {str(row.get("symbol") or "").upper(): str(row["id"]) for row in rows if row.get("id")}
        _currencies[client] = known
    return known


async def _currency(client: ProviderClient, payload: dict[str, Any]) -> None:
    held = payload.get("currency")
    if not isinstance(held, dict) or CURRENCY_CODE not in held:
        return
    code = str(held[CURRENCY_CODE]).upper()
    found = (await _currency_ids(client)).get(code)
    if found is None:
        detail = f"{code} is not a currency of this NetSuite account (Multiple Currencies lists it first)."
        raise Rejected(
            detail,
            problems=[
                Problem(
                    title="Invalid Field Choice",
                    detail=detail,
                    problem_type="INVALID_FIELD_CHOICE",
                    pointer="/model/currency",
                )
            ],
        )
    payload["currency"] = ref(found)


async def _period(client: ProviderClient, payload: dict[str, Any], pointer: str, ledger: str | None) -> None:
    named = payload.get("postingPeriod")
    day = payload.get("tranDate")
    columns = "id AS id, periodname AS periodname, closed AS closed, alllocked AS alllocked"
    columns += "".join(f", {lock} AS {lock}" for lock in _LOCKS.values())
    if isinstance(named, dict) and named.get("id"):
        where = ids_in("id", [named["id"]])
    elif isinstance(day, str):
        stamp = f"TO_DATE({quote(day)}, 'YYYY-MM-DD')"
        where = f"isposting = 'T' AND isyear = 'F' AND isquarter = 'F' AND startdate <= {stamp} AND enddate >= {stamp}"
    else:
        return
    query = f"SELECT {columns} FROM accountingperiod WHERE {where}"  # noqa: S608 - typed values, quoted by quote()
    rows = await read_all(client.json, client.context, query)
    locks = ["closed", "alllocked", *([_LOCKS[ledger]] if ledger in _LOCKS else [])]
    for row in rows:
        if any(str(row.get(lock) or "F") == "T" for lock in locks):
            name = row.get("periodname") or row.get("id")
            detail = (
                f"The accounting period {name} is closed or locked in NetSuite: date the transaction in an open "
                "period (or reopen the period in NetSuite)."
            )
            raise Rejected(
                detail,
                problems=[
                    Problem(
                        title="Closed Accounting Period",
                        detail=detail,
                        problem_type="INVALID_FIELD_CHOICE",
                        pointer="/model/accounting_period" if named else pointer,
                    )
                ],
            )


def ready(
    date_field: str | None, ledger: str | None = None
) -> Callable[[ProviderClient, dict[str, Any]], Awaitable[dict[str, Any]]]:
    """A target's ``complete``: the currency code turned into its record, the posting period checked open for
    the document's ledger (``AR``/``AP``: their own locks)."""

    async def complete(client: ProviderClient, payload: dict[str, Any]) -> dict[str, Any]:
        body = dict(payload)
        await _currency(client, body)
        if date_field is not None:
            await _period(client, body, f"/model/{date_field}", ledger)
        return body

    return complete
