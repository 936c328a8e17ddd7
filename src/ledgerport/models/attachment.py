"""Files attached to a company's records (receipts, signed contracts), as Merge's ``AccountingAttachment``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ledgerport.models._base import CommonModel, Ref

__all__ = ["AccountingAttachment"]


class AccountingAttachment(CommonModel, kw_only=True):
    """Merge: "used to represent a company's attachments".

    ``file_url`` is never stored: the API answers it as the record's own download link below ledgerport (``GET
    /attachments/{id}/download``), so a response never hands out a link at the provider that skips our
    authentication, and a link never outlives the provider's short-lived download URLs.
    """

    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    file_name: str | None = None
    file_url: str | None = None
    company: Ref | None = None
    remote_was_deleted: bool | None = None
    field_mappings: dict[str, Any] | None = None
