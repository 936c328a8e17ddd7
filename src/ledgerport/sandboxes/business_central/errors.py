"""BC's error bodies: ``{"error": {"code", "message"}}``, the message ending in a correlation id.

Every failure a handler detects is raised as ``ODataError`` (a ``Halt`` carrying its finished response), so the
status, the code family (``BadRequest_*``, ``Application_*``, ``Internal_*``, ``Authentication_*``) and the text sit
together at the raise site, as in FACTS §5.1.
"""

from __future__ import annotations

import uuid

from ledgerport.sandboxes.business_central.wire import Halt, Response, encode_json

__all__ = [
    "ODataError",
    "dialog",
    "error_body",
    "method_not_allowed",
    "not_found",
    "read_only_field",
    "resource_not_found",
]


def error_body(code: str, message: str) -> bytes:
    """The body, with BC's two spaces before ``CorrelationId`` and a fresh id each time."""
    text = f"{message}  CorrelationId:  {uuid.uuid4()}."
    return encode_json({"error": {"code": code, "message": text}})


class ODataError(Halt):
    """An error response, ready to send."""

    def __init__(self, status: int, code: str, message: str, headers: list[tuple[str, str]] | None = None) -> None:
        self.code = code
        self.message = message
        all_headers = [("odata-version", "4.0"), *(headers or [])]
        super().__init__(Response(status, error_body(code, message), headers=all_headers))


def dialog(message: str) -> ODataError:
    """An AL ``Error()`` raised by an API page: 400 ``Application_DialogException``."""
    return ODataError(400, "Application_DialogException", message)


def not_found(entity: str, key: str) -> ODataError:
    """GET/PATCH/DELETE by an id that does not exist (FACTS §5.1: 404 ``Internal_RecordNotFound``)."""
    return ODataError(
        404,
        "Internal_RecordNotFound",
        f"The {entity} does not exist. Identification fields and values: Id='{key}'",
    )


def resource_not_found(segment: str) -> ODataError:
    """An unknown URL segment."""
    return ODataError(404, "BadRequest_ResourceNotFound", f"Resource not found for the segment '{segment}'.")


def method_not_allowed(method: str, entity_set: str) -> ODataError:
    """A write on a read-only page, or POST on ``companies`` (FACTS §1)."""
    return ODataError(
        405,
        "BadRequest_MethodNotAllowed",
        f"'{method}' requests for '{entity_set}' of EdmType 'Entity' are not allowed within Dynamics 365 Business "
        "Central OData web services.",
    )


def read_only_field(field_name: str) -> ODataError:
    """A write to an ``Editable = false`` control (FACTS §7.7; the exact API wording is a VERIFY)."""
    return ODataError(400, "BadRequest_InvalidOperation", f"Control '{field_name}' is read-only.")
