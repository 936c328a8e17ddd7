"""Customers and suppliers, and the addresses and phone numbers that contacts and companies share."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import msgspec

from ledgerport.models._base import CommonModel, Ref, RemoteField
from ledgerport.models.country import Country
from ledgerport.models.enums import ActiveOrArchived

__all__ = ["AccountingPhoneNumber", "Address", "AddressType", "Contact"]


class AddressType(enum.StrEnum):
    """Merge's ``AddressTypeEnum``."""

    BILLING = "BILLING"
    SHIPPING = "SHIPPING"


class Contact(CommonModel, kw_only=True):
    """Merge: an individual or business entity to which products and services are sold to or purchased from."""

    contact_url: str | None = None  # in Merge's SDK 4.x (wire-format §9), not in the 2026 spec
    id: str | None = None
    remote_id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    name: str | None = None
    is_supplier: bool | None = None
    is_customer: bool | None = None
    email_address: str | None = None
    tax_number: str | None = None
    status: ActiveOrArchived | None = None
    currency: str | None = None  # a free string in Merge's spec, not Currency
    remote_updated_at: datetime | None = None
    company: Ref | None = None
    addresses: list[Address] = msgspec.field(default_factory=list)
    phone_numbers: list[AccountingPhoneNumber] = msgspec.field(default_factory=list)
    remote_was_deleted: bool | None = None
    field_mappings: dict[str, Any] | None = None
    remote_fields: list[RemoteField] = msgspec.field(default_factory=list)


class Address(CommonModel, kw_only=True):
    """An address nested in a contact or company document.

    Merge serves addresses by id (``GET /addresses/{id}``; a contact's ``addresses`` are their ids unless expanded).
    ledgerport keeps nesting the objects, and the store gives each one a stable ``id`` when its record is written
    (derived from the record and the address's position), so the id can be read here and retrieved on its own."""

    id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    type: AddressType | None = None
    street_1: str | None = None
    street_2: str | None = None
    city: str | None = None
    state: str | None = None  # "any type" in Merge's spec; providers send a string
    country_subdivision: str | None = None
    country: Country | None = None
    zip_code: str | None = None


class AccountingPhoneNumber(CommonModel, kw_only=True):
    """A phone number nested in a contact or company document, with a stable ``id`` as :class:`Address` has."""

    id: str | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    number: str | None = None
    type: str | None = None
