"""Intuit's fault bodies, spelled as QBO sends them, so connectors' error tables are tested against the real shapes.

Three families, each with its own casing (provider-apis §1.7-1.8):

    QboFault (exception)          -> 400 {"Fault": {"Error": [{"Message", "Detail", "code", "element"}], "type"},
                                           "time"}
    auth_failure / authz_failure  -> 401/403 lower-case {"fault": {"error": [...]}, ..., "time": <epoch ms>}
    throttle_xml                  -> 429 XML <IntuitResponse><Fault type="SERVICE"><Error code="3001">, even for JSON

Batch items carry ``QboFault.fault()`` (the inner object) with HTTP 200 around them.
"""

from __future__ import annotations

from typing import Any

import msgspec

__all__ = [
    "QboFault",
    "account_period_closed",
    "auth_failure",
    "authz_failure",
    "batch_too_large",
    "business_validation",
    "cdc_too_old",
    "duplicate_doc_number",
    "duplicate_name",
    "invalid_account_type",
    "invalid_enumeration",
    "invalid_reference",
    "invalid_request",
    "object_not_found",
    "query_parser_error",
    "query_validation_error",
    "required_param_missing",
    "stale_object",
    "system_fault_body",
    "throttle_xml",
    "unsupported_operation",
]

_USER = "Sandbox User"


class QboFault(Exception):
    """A fault QBO reports in its PascalCase ``Fault`` envelope."""

    def __init__(
        self,
        code: str,
        message: str,
        detail: str,
        *,
        status: int = 400,
        element: str = "",
        kind: str = "ValidationFault",
    ) -> None:
        super().__init__(f"{code} {message}: {detail}")
        self.code = code
        self.message = message
        self.detail = detail
        self.status = status
        self.element = element
        self.kind = kind

    def fault(self) -> dict[str, Any]:
        """The ``Fault`` object (what a batch item carries)."""
        error = {"Message": self.message, "Detail": self.detail, "code": self.code, "element": self.element}
        return {"Error": [error], "type": self.kind}

    def body(self, time: str) -> dict[str, Any]:
        """The whole response body."""
        return {"Fault": self.fault(), "time": time}


def stale_object() -> QboFault:
    """5010: the SyncToken sent is not the current one."""
    return QboFault(
        "5010",
        "Stale Object Error",
        f"Stale Object Error : You and {_USER} were working on this at the "
        f"same time. {_USER} finished before you did, so your work was not saved.",
    )


def object_not_found(entity: str, entity_id: str) -> QboFault:
    """610: unknown or deleted Id."""
    return QboFault(
        "610",
        "Object Not Found",
        f"Object Not Found : Something you're trying to use has been made "
        f"inactive or deleted. Check the fields with accounts, customers, items, vendors or employees. "
        f"({entity} {entity_id})",
    )


def query_parser_error(detail: str) -> QboFault:
    """4000: the query text does not parse."""
    return QboFault("4000", "Error parsing query", f"QueryParserError: {detail}")


def query_validation_error(detail: str) -> QboFault:
    """4001: the query parses but names something that is not queryable."""
    return QboFault("4001", "Invalid query", f"QueryValidationError: {detail}")


def required_param_missing(element: str) -> QboFault:
    """2020: a required element is absent."""
    return QboFault(
        "2020",
        "Required param missing, need to supply the required value for the API",
        f"Required parameter {element} is missing in the request",
        element=element,
    )


def invalid_reference(element: str, value: str) -> QboFault:
    """2500: a *Ref points at nothing (or at an inactive name-list object)."""
    return QboFault(
        "2500",
        "Invalid Reference Id",
        f"Invalid Reference Id : {element} assigned is not valid: {value}",
        element=element,
    )


def invalid_request(detail: str) -> QboFault:
    """2010: a body or parameter QBO cannot use."""
    return QboFault("2010", "Request has invalid or unsupported property", detail)


def business_validation(detail: str) -> QboFault:
    """6000: a business rule (unbalanced journal entry, ...)."""
    return QboFault(
        "6000",
        "A business validation error has occurred while processing your request",
        f"Business Validation Error: {detail}",
    )


def duplicate_name(name: str, kind: str = "customer, vendor or employee") -> QboFault:
    """6240: a name-list object with that name already exists (``kind`` names the list, as QBO's text does)."""
    return QboFault(
        "6240",
        "Duplicate Name Exists Error",
        f"The name supplied already exists. : Another {kind} is already using this name ({name}). "
        "Please use a different name.",
    )


def duplicate_doc_number(number: str, entity: str, entity_id: str) -> QboFault:
    """6140: a transaction of the same type already has that DocNumber (the wording of Intuit's answers)."""
    return QboFault(
        "6140",
        "Duplicate Document Number Error",
        f"Duplicate Document Number Error : You must specify a different number. This number has already been "
        f"used. DocNumber={number} is assigned to TxnType={entity} with TxnId={entity_id}",
    )


def invalid_enumeration(element: str, value: str) -> QboFault:
    """2170: a value outside an element's enumeration (Intuit's error list: "Invalid Enumeration")."""
    return QboFault("2170", "Invalid Enumeration", f"Invalid Enumeration : {value}", element=element)


def invalid_account_type(detail: str) -> QboFault:
    """6430: an account of the wrong type for where it is used (the detail is QBO's own text where known)."""
    return QboFault("6430", "Invalid account type", f"Invalid account type : {detail}")


def account_period_closed() -> QboFault:
    """6210: the transaction's date is on or before the books' closing date (``AccountingInfoPrefs.BookCloseDate``)."""
    return QboFault(
        "6210",
        "Account Period Closed, Cannot Update Through Services API",
        "The account period has closed and the account books cannot be updated through the QBO Services API. "
        "Please use the QBO website to make these changes.",
    )


def unsupported_operation(operation: str) -> QboFault:
    """500: e.g. deleting a name-list entity, voiding a bill."""
    return QboFault("500", "Unsupported Operation", f"Operation {operation} is not supported.")


def batch_too_large(count: int) -> QboFault:
    """1040: more than 30 items in one batch."""
    return QboFault("1040", "Batch size exceeds allowed limit", f"Batch request has {count} items; the maximum is 30.")


def cdc_too_old(changed_since: str) -> QboFault:
    """CDC only looks back 30 days; the wording is Intuit's, the code is the sandbox's choice (unverified)."""
    return invalid_request(
        f"Operation cdc with changedSince date {changed_since} which is older than fixed days is not supported."
    )


def _lower_case(code: str, message: str, detail: str, kind: str, epoch_ms: int) -> bytes:
    return msgspec.json.encode(
        {
            "warnings": None,
            "intuitObject": None,
            "fault": {"error": [{"message": message, "detail": detail, "code": code, "element": None}], "type": kind},
            "report": None,
            "queryResponse": None,
            "batchItemResponse": [],
            "attachableResponse": [],
            "syncErrorResponse": None,
            "requestId": None,
            "time": epoch_ms,
            "status": None,
            "cdcresponse": [],
        }
    )


def auth_failure(detail: str, epoch_ms: int) -> bytes:
    """401 body (code 3200) with QBO's lower-case keys."""
    return _lower_case(
        "3200", "message=AuthenticationFailed; errorCode=003200; statusCode=401", detail, "AUTHENTICATION", epoch_ms
    )


def authz_failure(epoch_ms: int) -> bytes:
    """403 body (code 3100): the token is good but not for this company."""
    return _lower_case(
        "3100",
        "message=AuthorizationFailed; errorCode=003100; statusCode=403",
        "AuthorizationFailure: Unknown Error during Authorization",
        "SERVICE",
        epoch_ms,
    )


def throttle_xml(time: str) -> bytes:
    """429 body: XML even when JSON was asked for, as every capture shows."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="{time}"><Fault type="SERVICE">'
        '<Error code="3001"><Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message>'
        "<Detail>The request limit was reached.  Try again later</Detail></Error></Fault></IntuitResponse>"
    ).encode()


def system_fault_body() -> bytes:
    """What an injected 5xx carries: a SystemFault (code 10000)."""
    fault = QboFault(
        "10000",
        "An application error has occurred while processing your request",
        "System Failure Error: An unexpected error occurred while accessing or saving your data.",
        status=503,
        kind="SystemFault",
    )
    return msgspec.json.encode({"Fault": fault.fault()})
