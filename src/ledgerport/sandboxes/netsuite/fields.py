"""The body fields a write may carry, per family, so keys can be matched case-insensitively (Oracle's own
examples send ``entityid``, ``companyname``) and ``X-NetSuite-PropertyNameValidation: Error`` can refuse the rest.

``READ_ONLY`` fields are dropped from write bodies (NetSuite computes them). A field outside these lists is kept
under ``Warning``/``Ignore`` only when it is a custom field (``custbody``/``custcol``/``custentity``/``cseg``...),
and refused under ``Error``.
"""

from __future__ import annotations

from typing import Any

from ledgerport.sandboxes.netsuite.catalog import CUSTOM_BODY_FIELD, CUSTOM_SEGMENT, RecordType
from ledgerport.sandboxes.netsuite.errors import fail

__all__ = ["LINE_FIELDS", "READ_ONLY", "normalize"]


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_TRANSACTION = _set(
    "externalId tranId tranDate postingPeriod entity customer subsidiary currency exchangeRate account arAcct apAcct"
    " terms dueDate memo department class location approvalStatus createdFrom otherRefNum shipDate payment total"
    " undepFunds employee job salesRep email toBePrinted toBeEmailed toBeFaxed billingAddress shippingAddress"
    " item expense apply line other shipStatus paymentHold checkNumber customForm discountItem discountRate message"
    " startDate endDate autoApply orderStatus nextApprover reversalDate isReversal void source opportunity partner"
    f" {CUSTOM_BODY_FIELD} {CUSTOM_SEGMENT}"
)
LINE_FIELDS = _set(
    "line item description quantity rate amount price units department class location account itemType isClosed"
    " orderLine orderDoc memo isBillable customer category debit credit entity doc apply due total applyDate refNum"
    " type currency taxCode itemReceive quantityFulfilled eliminate expenseDate grossAmt paymentMethod"
    f" {CUSTOM_SEGMENT}"
)
_ADDRESS = _set("addr1 addr2 addr3 city state zip country addressee attention addrPhone override addrText")
_ENTITY = _set(
    "entityId externalId companyName isPerson firstName middleName lastName salutation email phone altPhone"
    " mobilePhone fax url subsidiary currency terms receivablesAccount payablesAccount expenseAccount creditLimit"
    " parent isInactive comments addressBook legalName accountNumber title department location supervisor hireDate"
    " entityStatus startDate projectedEndDate autoName printOnCheckAs category priceLevel salesRep customForm class"
    " currencyList"
)
_ADDRESS_BOOK = _set("id internalId defaultBilling defaultShipping isResidential label addressBookAddress")
_LIST = _set(
    "externalId name acctNumber acctName acctType parent isSummary isInactive currency subsidiary includeChildren"
    " description generalRate cashFlowRate eliminate revalue inventory periodName itemId displayName"
    " salesDescription purchaseDescription basePrice cost incomeAccount expenseAccount assetAccount rate taxType"
    " symbol displaySymbol isBaseCurrency exchangeRate currencyPrecision symbolPlacement daysUntilNetDue"
    " discountPercent daysUntilExpiry dateDriven preferred legalName country isElimination startDate endDate"
    " isPosting isYear isQuarter isAdjust closed apLocked arLocked allLocked baseCurrency transactionCurrency"
    " effectiveDate itemType isAnchorCurrency overrideCurrencyFormat includeInFxRateUpdates"
)
READ_ONLY = _set(
    "id links refName status createdDate lastModifiedDate dateCreated amountRemaining amountPaid subtotal"
    " discountTotal applied unapplied balance userTotal transactionNumber fullName displayNameWithHierarchy"
    " accountSearchDisplayName"
)
_CUSTOM_PREFIXES = ("custbody", "custcol", "custentity", "custrecord", "cseg", "custitem")


def _canonical(names: frozenset[str]) -> dict[str, str]:
    return {name.lower(): name for name in names | READ_ONLY}


_MAPS = {
    "transaction": _canonical(_TRANSACTION),
    "line": _canonical(LINE_FIELDS),
    "entity": _canonical(_ENTITY),
    "list": _canonical(_LIST),
    "address": _canonical(_ADDRESS),
    "addressBook": _canonical(_ADDRESS_BOOK),
}


def normalize(rt: RecordType, body: dict[str, Any], *, strict: bool) -> dict[str, Any]:
    """Body keys in their canonical case, read-only fields dropped; unknown fields refused when ``strict``."""
    family = rt.family if rt.family in {"transaction", "entity"} else "list"
    return _normalize(body, family, strict, "")


def _normalize(body: dict[str, Any], family: str, strict: bool, path: str) -> dict[str, Any]:
    names = _MAPS[family]
    out: dict[str, Any] = {}
    for key, value in body.items():
        name = names.get(key.lower())
        if name is None:
            if key.lower().startswith(_CUSTOM_PREFIXES):
                name = key.lower()
            elif strict:
                raise fail(
                    400,
                    "INVALID_CONTENT",
                    f"Invalid field name '{key}'. The field does not exist on this record type.",
                    errorPath=f"{path}{key}",
                )
            else:
                continue  # Warning (the default) and Ignore drop an unknown field
        if name in READ_ONLY and family != "line":
            continue
        if isinstance(value, dict) and isinstance(value.get("items"), list) and name != "subsidiary":
            child = "addressBook" if name == "addressBook" else "line"
            value = {
                "items": [
                    _normalize(item, child, strict, f"{path}{name}.items[{index}].") if isinstance(item, dict) else item
                    for index, item in enumerate(value["items"])
                ]
            }
        elif name in {"billingAddress", "shippingAddress", "addressBookAddress"} and isinstance(value, dict):
            value = _normalize(value, "address", strict, f"{path}{name}.")
        out[name] = value
    return out
