"""Xero's remote fields: a few invoice fields the common model has no place for, and no custom fields.

Xero has no user-defined fields on its accounting objects: what a company adds of its own is tracking categories,
which the common model already carries (``tracking_categories`` on documents and lines), so no class here is
custom and lines have none. What Xero keeps on an invoice beyond the common model is offered as fixed, read-only
classes read from the synced invoice: whether it was sent to the contact, the expected payment date a user set,
and its branding theme. ``Reference`` is not among them: it is the common ``memo``.
"""

from __future__ import annotations

from collections.abc import Mapping

from ledgerport.connectors._base.remote_fields import FieldClass, FixedField, RemoteFields

__all__ = ["REMOTE_FIELDS"]

REMOTE_FIELDS: Mapping[str, RemoteFields] = {
    "Invoice": RemoteFields(
        fixed=(
            FixedField(
                FieldClass(
                    key="SentToContact",
                    display_name="Sent to contact",
                    description="Whether the invoice was sent to the contact (sales invoices only).",
                    field_type="bool",
                ),
                "SentToContact",
            ),
            FixedField(
                FieldClass(
                    key="ExpectedPaymentDate",
                    display_name="Expected payment date",
                    description="The date the customer is expected to pay, as a user set it (sales invoices only).",
                    field_type="date",
                ),
                "ExpectedPaymentDate",
            ),
            FixedField(
                FieldClass(
                    key="BrandingThemeID",
                    display_name="Branding theme",
                    description="The id of the branding theme the invoice is printed with.",
                ),
                "BrandingThemeID",
            ),
        )
    ),
}
