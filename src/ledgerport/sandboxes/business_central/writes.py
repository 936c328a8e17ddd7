"""POST, PATCH and DELETE on an entity set, with BC's checks in BC's order.

Create: the page must allow inserts (else 405), contained sets need their parent, read-only fields are refused, values
are coerced to the field's type (enums accept the plain and the escaped form), then ``documents`` fills what BC fills,
and a document's nested lines (deep insert) are created with it. Update: ``If-Match`` is required (400
``BadRequest_InvalidToken`` without one; a stale one is 412 ``Request_EntityChanged`` as BC.md pins it, FACTS §9 notes
409 in one source), posted documents and their lines refuse changes, ``id``, ``sequence`` and ``documentId`` cannot
change. Delete: the sandbox also requires ``If-Match`` (the issue asks for it; FACTS says BC checks only a sent one).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import msgspec

from ledgerport.sandboxes.business_central import documents
from ledgerport.sandboxes.business_central.catalog import EMPTY_GUID, EntitySet, field_type
from ledgerport.sandboxes.business_central.enums import escape, unescape
from ledgerport.sandboxes.business_central.errors import ODataError, dialog, method_not_allowed, read_only_field
from ledgerport.sandboxes.business_central.rows import template
from ledgerport.sandboxes.business_central.store import Company, Row, Table, etag_of
from ledgerport.sandboxes.business_central.wire import Request, decode_json

if TYPE_CHECKING:
    from ledgerport.sandboxes.business_central.api import Target

__all__ = ["body_of", "check_etag", "coerce", "create", "delete", "update"]

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_POSTED = {
    "salesInvoices": "The invoice has been posted and can no longer be modified.",
    "purchaseInvoices": "The invoice has been posted and can no longer be modified.",
    "salesCreditMemos": "The credit memo has been posted and can no longer be modified.",
}


def body_of(request: Request) -> dict[str, Any]:
    """The JSON object of a write, or BC's "Invalid Request Body"."""
    try:
        body = decode_json(request.body) if request.body.strip() else {}
    except msgspec.DecodeError as error:
        raise ODataError(400, "BadRequest", "Invalid Request Body") from error
    if not isinstance(body, dict):
        raise ODataError(400, "BadRequest", "Invalid Request Body")
    return body


def coerce(entity_set: EntitySet, name: str, value: Any) -> Any:
    """A JSON value as the field's stored value, or BC's conversion error."""
    kind = field_type(name, entity_set)
    if kind == "enum":
        members = entity_set.enums[name]
        plain = unescape(str(value))
        for member in members:
            if member.lower() == plain.lower():
                return escape(member)
        options = ",".join(escape(m) for m in members)
        raise ODataError(
            400, "Application_EvaluateException", f"'{value}' is not an option. The existing options are: {options}"
        )
    if value is None:
        raise ODataError(400, "BadRequest", f"Cannot convert a null value to '{name}'.")
    if kind == "decimal":
        if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
            raise ODataError(
                400, "BadRequest", f"Cannot convert the literal '{value}' to the expected type 'Edm.Decimal'."
            )
        try:
            return Decimal(str(value))
        except InvalidOperation as error:
            raise ODataError(
                400, "BadRequest", f"Cannot convert the literal '{value}' to the expected type 'Edm.Decimal'."
            ) from error
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ODataError(
                400, "BadRequest", f"Cannot convert the literal '{value}' to the expected type 'Edm.Int32'."
            )
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise ODataError(
                400, "BadRequest", f"Cannot convert the literal '{value}' to the expected type 'Edm.Boolean'."
            )
        return value
    if kind == "date":
        try:
            return (
                date.fromisoformat(str(value)[:10]).isoformat()
                if len(str(value)) >= 10
                else date.fromisoformat(str(value)).isoformat()
            )
        except ValueError as error:
            raise ODataError(400, "BadRequest", "Unable to convert value to Date") from error
    if kind == "guid":
        if not isinstance(value, str) or not _GUID.match(value):
            raise ODataError(400, "Application_InvalidGUID", f"Invalid GUID string format: '{value}'.")
        return value.lower()
    if not isinstance(value, str):
        raise ODataError(400, "BadRequest", f"Cannot convert the literal '{value}' to the expected type 'Edm.String'.")
    if len(value) > 250:
        raise ODataError(
            400,
            "Application_StringExceededLength",
            f"The length of the string is {len(value)}, but it must be less than or equal to 250 characters. "
            f"Value: {value}",
        )
    return value


def check_etag(table: Table, row: Row, if_match: str | None, required: bool) -> None:
    """BC's concurrency check: a missing token (where required) is 400, a stale one 412."""
    if if_match is None or not if_match.strip():
        if required:
            raise ODataError(
                400,
                "BadRequest_InvalidToken",
                "Could not validate the client concurrency token required by the service. "
                "Please provide a valid token in the client request.",
            )
        return
    tokens = [token.strip() for token in if_match.split(",")]
    if "*" in tokens or etag_of(row[-1]) in tokens:
        return
    raise ODataError(412, "Request_EntityChanged", "Another user has already changed the record.")


def _apply(table: Table, row: Row, body: dict[str, Any], new: bool) -> dict[str, Any]:
    """Set the body's fields on the row; returns the fields given (navigation arrays left out)."""
    spec = table.spec
    given: dict[str, Any] = {}
    for name, value in body.items():
        if name.startswith("@odata."):
            continue
        if name == spec.lines:
            continue
        if name not in table.pos:
            raise ODataError(
                400,
                "BadRequest_NotFound",
                f"The property '{name}' does not exist on type 'Microsoft.NAV.{spec.entity}'. "
                "Make sure to only use property names that are defined by the type.",
            )
        if name == "id":
            if new:
                continue
            if str(value).lower() != row[0]:
                raise dialog("The id cannot be changed.")
            continue
        if name in spec.read_only:
            raise read_only_field(name)
        stored = coerce(spec, name, value)
        if not new and spec.kind == "line" and name == "sequence" and stored != row[table.pos["sequence"]]:
            raise dialog("The sequence cannot be modified. Delete and insert the line again.")
        if not new and name == spec.link and spec.parent and stored != row[table.pos[name]]:
            raise dialog(f'The value for "{name}" cannot be modified.')
        given[name] = stored
        row[table.pos[name]] = stored
    return given


def _fill(
    company: Company, target: Target, table: Table, row: Row, given: dict[str, Any], today: str, new: bool
) -> None:
    spec = table.spec
    if spec.kind == "document":
        documents.fill_header(company, table, row, given, today, new)
    elif spec.kind == "line":
        parent_table = company.tables[spec.parent or ""]
        header = parent_table.rows[row[table.pos["documentId"]]]
        documents.fill_line(company, table, row, given, parent_table, header, new)
    elif spec.kind == "journalLine":
        _fill_journal_line(company, table, row, given, today, new)
    else:
        documents.fill_master(company, table, row, given, today, new)
    for name in spec.required:
        if not row[table.pos[name]]:
            raise ODataError(
                400,
                "BadRequest_RequiredParamNotProvided",
                f'A "{name}" must be provided.' if new else f'The blank "{name}" is not allowed.',
            )


def _fill_journal_line(company: Company, table: Table, row: Row, given: dict[str, Any], today: str, new: bool) -> None:
    pos = table.pos
    journal = company.tables[table.spec.parent or ""].rows[row[pos["journalId"]]]
    row[pos["journalDisplayName"]] = journal[1]
    if new and row[pos["lineNumber"]] == 0:
        row[pos["lineNumber"]] = max((r[pos["lineNumber"]] for r in table.of_parent(journal[0])), default=0) + 10_000
    if row[pos["postingDate"]] == "0001-01-01":
        row[pos["postingDate"]] = today
    if new and not row[pos["documentNumber"]]:
        row[pos["documentNumber"]] = f"G{company.next_number('G', 4_000):05d}"
    if "accountType" in pos:
        if new and "accountType" not in given:
            row[pos["accountType"]] = "G_x002F_L_x0020_Account"
        _resolve(
            company,
            table,
            row,
            given,
            "accountId",
            "accountNumber",
            _ACCOUNT_TABLES.get(row[pos["accountType"]], "accounts"),
            "The account values do not match to a specific Account.",
        )
        if row[pos["balancingAccountId"]] != EMPTY_GUID or row[pos["balancingAccountNumber"]]:
            _resolve(
                company,
                table,
                row,
                given,
                "balancingAccountId",
                "balancingAccountNumber",
                _ACCOUNT_TABLES.get(row[pos["balanceAccountType"]], "accounts"),
                "The balancing account values do not match to a specific Account.",
            )
    for party in ("customer", "vendor"):
        if f"{party}Id" in pos:
            _resolve(
                company,
                table,
                row,
                given,
                f"{party}Id",
                f"{party}Number",
                f"{party}s",
                f"The {party} values do not match to a specific {party.capitalize()}.",
            )
            if row[pos[f"{party}Id"]] != EMPTY_GUID and not row[pos["description"]]:
                row[pos["description"]] = company.tables[f"{party}s"].rows[row[pos[f"{party}Id"]]][2]
    if "appliesToInvoiceId" in pos:
        invoices = company.tables["salesInvoices" if "customerId" in pos else "purchaseInvoices"]
        invoice = None
        if row[pos["appliesToInvoiceId"]] != EMPTY_GUID:
            invoice = invoices.rows.get(row[pos["appliesToInvoiceId"]])
        elif row[pos["appliesToInvoiceNumber"]]:
            invoice = documents.find(invoices, "number", row[pos["appliesToInvoiceNumber"]])
            if invoice is None:
                raise dialog("The applies-to invoice number does not match a posted invoice.")
        if invoice is not None:
            if not documents.is_posted(invoices, invoice):
                raise dialog(
                    'The "appliesToInvoiceId" should be the ID of an Open, Paid, Corrective, or Canceled Invoice.'
                )
            row[pos["appliesToInvoiceId"]], row[pos["appliesToInvoiceNumber"]] = invoice[0], invoice[1]
            if "customerId" in pos and row[pos["customerId"]] == EMPTY_GUID:
                customer_id = invoice[invoices.pos["customerId"]]
                row[pos["customerId"]] = customer_id
                row[pos["customerNumber"]] = company.tables["customers"].rows[customer_id][1]
            if "amount" not in given and "customerId" in pos:
                row[pos["amount"]] = -Decimal(invoice[invoices.pos["remainingAmount"]])


_ACCOUNT_TABLES = {
    "G_x002F_L_x0020_Account": "accounts",
    "Customer": "customers",
    "Vendor": "vendors",
    "Employee": "employees",
}


def _resolve(
    company: Company,
    table: Table,
    row: Row,
    given: dict[str, Any],
    id_field: str,
    number_field: str,
    target_set: str,
    mismatch: str,
) -> None:
    """An id/number pair: either may be given, the other is filled; both given must agree."""
    pos = table.pos
    targets = company.tables[target_set]
    number_at = 1
    by_id = targets.rows.get(row[pos[id_field]]) if row[pos[id_field]] != EMPTY_GUID else None
    by_number = (
        next((r for r in targets.rows.values() if r[number_at] == row[pos[number_field]]), None)
        if row[pos[number_field]]
        else None
    )
    if (id_field in given and row[pos[id_field]] != EMPTY_GUID and by_id is None) or (
        number_field in given and row[pos[number_field]] and by_number is None
    ):
        raise dialog(mismatch)
    if (
        by_id is not None
        and by_number is not None
        and by_id is not by_number
        and id_field in given
        and number_field in given
    ):
        raise dialog(mismatch)
    found = by_id if id_field in given or by_number is None else by_number
    if found is not None:
        row[pos[id_field]], row[pos[number_field]] = found[0], found[number_at]


def _parent(company: Company, target: Target, table: Table, body: dict[str, Any]) -> Row | None:
    spec = table.spec
    if spec.parent is None:
        return None
    if target.parent is not None:
        return target.parent
    key = str(body.get(spec.link, "")).lower()
    parent = company.tables[spec.parent].rows.get(key)
    if parent is None:
        if spec.kind == "journalLine":
            raise dialog("You must specify a journal batch ID or a journal ID to get a journal line.")
        raise dialog(
            "No document with the specified ID exists."
            if key
            else "You must specify an Id or a Document Id to get the lines."
        )
    return parent


def _guard_posted(company: Company, table: Table, row: Row) -> None:
    """Posted documents and their lines are read-only."""
    spec = table.spec
    if spec.kind == "document" and documents.is_posted(table, row):
        raise dialog(_POSTED[spec.name])
    if spec.kind == "line" and spec.parent in _POSTED:
        parent_table = company.tables[spec.parent]
        header = parent_table.rows.get(row[table.pos["documentId"]])
        if header is not None and documents.is_posted(parent_table, header):
            raise dialog(_POSTED[spec.parent])


def _after_line_change(company: Company, table: Table, header_id: str, now: str) -> None:
    """A line changed: the header's totals and ``lastModifiedDateTime`` follow (FACTS §3)."""
    parent_table = company.tables[table.spec.parent or ""]
    header = parent_table.rows.get(header_id)
    if header is not None and table.spec.kind == "line":
        documents.recompute(company, parent_table, header)
        company.touch(parent_table, header, now)


def create(company: Company, target: Target, body: dict[str, Any], clock: Callable[[], float] | Any) -> Row:
    """POST: a new row with BC's defaults (and a document's nested lines)."""
    table = target.table
    spec = table.spec
    if "C" not in spec.ops:
        raise method_not_allowed("POST", spec.name)
    parent = _parent(company, target, table, body)
    if parent is not None:
        parent_table = company.tables[spec.parent or ""]
        _guard_posted(company, parent_table, parent) if spec.kind == "line" else None
    row = list(template(spec))
    supplied = body.get("id")
    row[0] = (
        str(supplied).lower()
        if isinstance(supplied, str) and _GUID.match(supplied) and supplied.lower() not in table.rows
        else str(uuid.uuid4())
    )
    given = _apply(table, row, body, new=True)
    if parent is not None:
        row[table.pos[spec.link]] = parent[0]
    _fill(company, target, table, row, given, clock.today(), new=True)
    now = clock.iso()
    company.touch(table, row, now)
    table.add(row)
    if parent is not None:
        _after_line_change(company, table, parent[0], now)
    nested = body.get(spec.lines or "")
    if spec.kind == "document" and isinstance(nested, list):
        from ledgerport.sandboxes.business_central.api import Target as _Target

        lines = company.tables[spec.lines or ""]
        for line in nested:
            if not isinstance(line, dict):
                raise ODataError(400, "BadRequest", "Invalid Request Body")
            create(company, _Target(lines, parent_table=table, parent=row), line, clock)
    return row


def update(company: Company, target: Target, body: dict[str, Any], if_match: str | None, clock: Any) -> Row:
    """PATCH: changed fields only, then what BC recomputes."""
    table, row = target.table, target.row
    assert row is not None
    spec = table.spec
    if "U" not in spec.ops:
        raise method_not_allowed("PATCH", spec.name)
    check_etag(table, row, if_match, required=True)
    _guard_posted(company, table, row)
    if spec.lines and isinstance(body.get(spec.lines), list):
        raise ODataError(
            400, "BadRequest_MethodNotImplemented", "Deep update is not supported; patch each line separately."
        )
    draft = list(row)
    given = _apply(table, draft, body, new=False)
    _fill(company, target, table, draft, given, clock.today(), new=False)
    if spec.kind == "document":
        documents.recompute(company, table, draft)
    row[:] = draft
    now = clock.iso()
    company.touch(table, row, now)
    if spec.kind == "line":
        _after_line_change(company, table, row[table.pos["documentId"]], now)
    return row


def delete(company: Company, target: Target, if_match: str | None, clock: Any) -> None:
    """DELETE: the row, a document's lines with it, or a line (and the header's totals follow)."""
    table, row = target.table, target.row
    assert row is not None
    spec = table.spec
    if "D" not in spec.ops:
        raise method_not_allowed("DELETE", spec.name)
    check_etag(table, row, if_match, required=True)
    if spec.kind == "document" and documents.is_posted(table, row):
        raise dialog(_POSTED.get(spec.name, "A posted document cannot be deleted."))
    _guard_posted(company, table, row)
    table.remove(row[0])
    if spec.lines:
        lines = company.tables[spec.lines]
        for line in lines.of_parent(row[0]):
            lines.remove(line[0])
    company.last_version = company.next_version()
    if spec.kind == "line":
        _after_line_change(company, table, row[table.pos["documentId"]], clock.iso())
