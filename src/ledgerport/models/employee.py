"""Employees and contractors, referenced by invoices and journal lines."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ledgerport.models._base import CommonModel, Ref
from ledgerport.models.enums import ActiveOrInactive

__all__ = ["Employee"]


class Employee(CommonModel, kw_only=True):
    """Merge: an individual who works for the company of the linked account."""

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    first_name: str | None = None
    last_name: str | None = None
    is_contractor: bool | None = None
    employee_number: str | None = None
    email_address: str | None = None
    company: Ref | None = None
    status: ActiveOrInactive | None = None
    remote_was_deleted: bool | None = None
    field_mappings: dict[str, Any] | None = None
