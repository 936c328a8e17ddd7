"""What a Business Central client learns once per session: the company's local currency.

BC leaves ``currencyCode`` blank on every document, customer and vendor in the company's own currency ("blank is
the local currency", FACTS.md §6); the code itself is ``companyInformation.currencyCode`` (the General Ledger
Setup's LCY Code). It is learnt per session rather than at link time so that accounts linked earlier get it too,
and a change of the company's setup is seen at the next sync. The read mappings fill a blank code with it
(:func:`local_currency`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ledgerport.connectors._base.convert import currency
from ledgerport.connectors._base.http import Request
from ledgerport.connectors._base.mapping import Computed, MappingContext
from ledgerport.connectors._base.streams import Fetch, StreamContext
from ledgerport.connectors.business_central.client import company_root

__all__ = ["LOCAL_CURRENCY", "learn_session", "local_currency"]

LOCAL_CURRENCY = "local_currency"
"""The account fact holding the company's local currency code (``USD``), learnt per session."""


async def learn_session(fetch: Fetch, context: StreamContext) -> Mapping[str, str]:
    """``GET companies({id})/companyInformation?$select=currencyCode``: one row, the company's own."""
    request = Request(
        method="GET",
        url=f"{company_root(context)}/companyInformation",
        headers={"Accept": "application/json"},
        params=(("$select", "id,currencyCode"),),
    )
    body = await fetch(request)
    rows = body.get("value") if isinstance(body, dict) else None
    code = str(rows[0].get("currencyCode") or "") if isinstance(rows, list) and rows else ""
    return {LOCAL_CURRENCY: code.strip().upper()}


def local_currency(field: str, convert: Callable[[Any], Any] = currency) -> Computed:
    """A record's ``field`` (``currencyCode``), or the company's local currency where BC left it blank."""

    def value(record: Any, context: MappingContext) -> Any:
        code = record.get(field) if isinstance(record, Mapping) else None
        return convert(code) if code not in (None, "") else convert(context.facts.get(LOCAL_CURRENCY) or None)

    return Computed(value)
