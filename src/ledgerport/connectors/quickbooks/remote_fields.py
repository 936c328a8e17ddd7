"""QBO's remote fields: the company's custom fields on sales forms (invoices) and purchase orders.

QBO's accounting API defines up to three string custom fields per form family in ``/preferences``
(``SalesFormsPrefs.CustomField``, ``VendorAndPurchasesPrefs.POCustomField``: groups of ``...UseSalesCustomN`` flags
and ``...SalesCustomNameN`` names); each document carries ``CustomField: [{DefinitionId: "N", Name, Type:
"StringType", StringValue}]``. The newer custom-fields service (more fields, other types, customers and vendors) is
a separate GraphQL API under its own OAuth scopes, which a link with the accounting scope cannot read; its fields
are not offered. Bills (AP invoices) carry no legacy custom fields, so an AP invoice simply has none.

A class's key is ``CustomField.<DefinitionId>``: the id QBO writes values by, stable across renames.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ledgerport.connectors._base import Request
from ledgerport.connectors._base.client import ProviderClient
from ledgerport.connectors._base.remote_fields import CustomFields, FieldClass, RemoteFields
from ledgerport.connectors.quickbooks.client import MINOR_VERSION, company_url

__all__ = ["REMOTE_FIELDS", "write_custom_fields"]

_PREFIX = "CustomField."


def _field(definition: str, name: str) -> FieldClass:
    return FieldClass(
        key=f"{_PREFIX}{definition}",
        display_name=name,
        description=f"QuickBooks custom field {definition} of this form: {name} (up to 31 characters).",
        is_custom=True,
        field_type="string",
    )


def _defined(section: str, element: str, use: str, name: str) -> Any:
    async def definitions(client: ProviderClient) -> Sequence[FieldClass]:
        url = company_url(client.context.base_url, client.context.account, "preferences")
        body = (await client.send(Request(method="GET", url=url, params=(("minorversion", MINOR_VERSION),)))).json()
        values: dict[str, Any] = {}
        groups = ((body.get("Preferences") or {}).get(section) or {}).get(element) or []
        for group in groups:
            for entry in group.get("CustomField") or [] if isinstance(group, Mapping) else []:
                values[str(entry.get("Name"))] = entry.get("BooleanValue", entry.get("StringValue"))
        return [
            _field(str(n), str(values.get(f"{name}{n}") or f"Custom {n}"))
            for n in (1, 2, 3)
            if values.get(f"{use}{n}") is True
        ]

    return definitions


def _carried(record: Mapping[str, Any]) -> Sequence[tuple[FieldClass, Any]]:
    """A document's own ``CustomField`` entries: QBO lists every enabled field, with its name, on each."""
    found = []
    for entry in record.get("CustomField") or []:
        if isinstance(entry, Mapping) and entry.get("DefinitionId") is not None:
            definition = str(entry["DefinitionId"])
            found.append((_field(definition, str(entry.get("Name") or "")), entry.get("StringValue")))
    return found


def write_custom_fields(values: Sequence[tuple[str, Any]], payload: dict[str, Any]) -> None:
    """``Target.remote_fields`` of QBO's sales forms: values go by ``DefinitionId``; an empty value clears one."""
    payload["CustomField"] = [
        {
            "DefinitionId": key.removeprefix(_PREFIX),
            "Type": "StringType",
            "StringValue": "" if value is None else str(value),
        }
        for key, value in values
    ]


_SALES = CustomFields(
    definitions=_defined(
        "SalesFormsPrefs", "CustomField", "SalesFormsPrefs.UseSalesCustom", "SalesFormsPrefs.SalesCustomName"
    ),
    values=_carried,
)
_PURCHASES = CustomFields(
    definitions=_defined(
        "VendorAndPurchasesPrefs",
        "POCustomField",
        "PurchasePrefs.UsePurchaseCustom",
        "PurchasePrefs.PurchaseCustomName",
    ),
    values=_carried,
)

REMOTE_FIELDS: Mapping[str, RemoteFields] = {
    "Invoice": RemoteFields(custom=_SALES),
    "PurchaseOrder": RemoteFields(custom=_PURCHASES),
}
