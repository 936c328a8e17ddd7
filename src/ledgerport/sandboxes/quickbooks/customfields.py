"""QBO's legacy custom fields: up to three string fields on sales forms and three on purchase orders.

The company defines them in ``Preferences`` (``SalesFormsPrefs.CustomField`` / ``VendorAndPurchasesPrefs.
POCustomField``), each a pair of name/value groups: ``...UseSalesCustomN`` (BooleanType: enabled) and
``...SalesCustomNameN`` (StringType: the name). A document carries ``CustomField: [{DefinitionId: "N", Name, Type:
"StringType", StringValue?}]``, one entry per enabled field whether or not it has a value; on a write QBO keeps the
values of enabled definitions, fills in their ``Name`` and ``Type`` and drops entries naming any other definition.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FORMS", "PURCHASE_NAMES", "SALES_NAMES", "carried", "preference_groups", "seeded", "written"]

Body = dict[str, Any]

FORMS: dict[str, tuple[str, str, str, str]] = {
    entity: ("SalesFormsPrefs", "CustomField", "SalesFormsPrefs.UseSalesCustom", "SalesFormsPrefs.SalesCustomName")
    for entity in ("Invoice", "SalesReceipt", "Estimate", "CreditMemo", "RefundReceipt")
} | {
    "PurchaseOrder": (
        "VendorAndPurchasesPrefs",
        "POCustomField",
        "PurchasePrefs.UsePurchaseCustom",
        "PurchasePrefs.PurchaseCustomName",
    )
}
"""Entity → (preferences section, its element, the enabled flag's name and the field name's name, less N)."""

SALES_NAMES = ("Crew #", "Sales Rep", "")
PURCHASE_NAMES = ("Project Code", "", "")
"""The seeded company's fields: two on sales forms, one on purchase orders; an empty name is not enabled."""


def preference_groups(use: str, name: str, names: tuple[str, str, str]) -> list[Body]:
    """The two groups QBO serves for three fields; an empty name is a field that is not enabled."""
    return [
        {
            "CustomField": [
                {"Name": f"{use}{n}", "Type": "BooleanType", "BooleanValue": bool(names[n - 1])} for n in (1, 2, 3)
            ]
        },
        {
            "CustomField": [
                {"Name": f"{name}{n}", "Type": "StringType", "StringValue": names[n - 1]}
                for n in (1, 2, 3)
                if names[n - 1]
            ]
        },
    ]


def _definitions(preferences: Body | None, entity: str) -> dict[str, str]:
    """DefinitionId → name of the fields the company has enabled for ``entity``."""
    form = FORMS.get(entity)
    if form is None or preferences is None:
        return {}
    section, element, use, name = form
    values: dict[str, Any] = {}
    for group in (preferences.get(section) or {}).get(element) or []:
        for entry in group.get("CustomField") or []:
            values[str(entry.get("Name"))] = entry.get("BooleanValue", entry.get("StringValue"))
    return {str(n): str(values.get(f"{name}{n}") or "") for n in (1, 2, 3) if values.get(f"{use}{n}") is True}


def carried(preferences: Body | None, entity: str, values: dict[str, str]) -> list[Body]:
    """The ``CustomField`` array a document of ``entity`` is served with, given its values by DefinitionId."""
    entries = []
    for definition, field_name in _definitions(preferences, entity).items():
        entry: Body = {"DefinitionId": definition, "Name": field_name, "Type": "StringType"}
        if values.get(definition):
            entry["StringValue"] = values[definition]
        entries.append(entry)
    return entries


def written(preferences: Body | None, entity: str, body: Body, old: Body | None) -> None:
    """What QBO keeps of a write's ``CustomField``: values of enabled definitions, merged by DefinitionId into the
    document's current ones on an update; anything else is dropped."""
    if entity not in FORMS:
        body.pop("CustomField", None)
        return
    given = body.get("CustomField")
    values = {
        str(entry.get("DefinitionId")): str(entry.get("StringValue") or "")
        for entry in (old or {}).get("CustomField") or []
        if isinstance(entry, dict)
    }
    if isinstance(given, list):
        for entry in given:
            if isinstance(entry, dict) and entry.get("DefinitionId") is not None:
                values[str(entry["DefinitionId"])] = str(entry.get("StringValue") or "")
    entries = carried(preferences, entity, values)
    if entries:
        body["CustomField"] = entries
    else:
        body.pop("CustomField", None)


def seeded(entity: str, index: int) -> list[Body]:
    """The ``CustomField`` array of the ``index``-th generated document: every enabled field, some with values."""
    names = PURCHASE_NAMES if entity == "PurchaseOrder" else SALES_NAMES
    values = {"1": f"{'PRJ' if entity == 'PurchaseOrder' else 'Crew'}-{index % 5 + 1}" if index % 3 else ""}
    if index % 4 == 0:
        values["2"] = "Dana Whitfield"
    entries = []
    for number, name in enumerate(names, start=1):
        if name:
            entry: Body = {"DefinitionId": str(number), "Name": name, "Type": "StringType"}
            if values.get(str(number)):
                entry["StringValue"] = values[str(number)]
            entries.append(entry)
    return entries
