"""An example answer for each operation that is not a common model's, shown in the OpenAPI document and on ``/docs``.

Examples are built from the same Structs the handlers encode (:mod:`ledgerport.api.shapes`), so an example cannot
name a field the answer lacks; ``tests/api/test_openapi.py`` also validates each against its operation's schema.
"""

from __future__ import annotations

from typing import Any

import msgspec

from ledgerport.api.shapes import (
    AccountDetails,
    AccountDetailsAndActions,
    AccountDetailsAndActionsIntegration,
    AccountIntegration,
    AccountToken,
    AuditLogEvent,
    AvailableActions,
    CommonModelScopeAPI,
    ConditionSchema,
    ExternalTargetFieldApi,
    FieldMappingApiInstance,
    FieldMappingApiInstanceRemoteField,
    FieldMappingApiInstanceTargetField,
    FieldMappingInstanceResponse,
    FieldPermissionDeserializer,
    IndividualCommonModelScopeDeserializer,
    IntegrationListing,
    Issue,
    IssueEndUser,
    LinkedAccountCondition,
    LinkedAccountSelectiveSyncConfiguration,
    LinkToken,
    ModelOperation,
    ModelPermissionDeserializer,
    OperatorSchema,
    RegenerateAccountToken,
    RemoteEndpointInfo,
    RemoteFieldApi,
    RemoteKey,
    SelectiveSyncCondition,
    SelectiveSyncConditionList,
    SyncStatus,
    WebhookReceiver,
)
from ledgerport.connectors import CONNECTORS
from ledgerport.models.contact import AccountingPhoneNumber, Address, AddressType
from ledgerport.models.country import Country
from ledgerport.models.integrations import INTEGRATIONS
from ledgerport.passthrough import AsyncPassthroughReciept, RemoteResponse

__all__ = ["EXAMPLES"]

_ACCOUNT_ID = "0b7f4a4e-52c4-4d5e-9f7e-0c2d7d0f6a11"
_ORIGIN = "customer-4411"
_COMPANY = "Harbour Bikes Ltd"
_EMAIL = "books@harbourbikes.example"
_TOKEN = "lpt_1wq9...example"  # noqa: S105 - an example, not a secret
_NEW_TOKEN = "lpt_7Hc...example"  # noqa: S105 - an example, not a secret
_LINK_TOKEN = "ltk_F2b...example"  # noqa: S105 - an example, not a secret
_INVOICE_OPERATIONS = ModelOperation(
    model_name="Invoice",
    available_operations=["FETCH", "CREATE", "UPDATE"],
    required_post_parameters=["type", "contact", "line_items"],
    supported_fields=["type", "contact", "number", "issue_date", "due_date", "currency", "line_items"],
)
_CONNECTOR = next(iter(CONNECTORS.values()))  # any linkable integration will do; the registry names it
_NAME, _SLUG = _CONNECTOR.name, _CONNECTOR.slug
_COLOR = INTEGRATIONS[_SLUG].color if _SLUG in INTEGRATIONS else "#225588"
_INTEGRATION = AccountIntegration(
    name=_NAME, categories=["accounting"], image=None, square_image=None, color=_COLOR, slug=_SLUG
)


def _status(model: str, *, status: str = "DONE", reason: str | None = None) -> SyncStatus:
    return SyncStatus(
        model_name=model,
        model_id=f"accounting.{model}",
        last_sync_start="2026-05-04T09:30:00Z",
        next_sync_start="2026-05-04T09:35:12Z",
        last_sync_result=status,
        last_sync_finished="2026-05-04T09:30:12Z",
        data_fresh_as_of="2026-05-04T09:30:12Z" if status == "DONE" else "2026-05-04T09:25:10Z",
        historical_data_since=None,
        status=status,
        sync_status_reason=reason,
        is_initial_sync=False,
        selective_sync_configurations_usage=None,
    )


_ISSUE = Issue(
    id="5d0e3c1a-86d3-4c71-b1a4-0d3f5a4f9e27",
    status="ONGOING",
    error_description="The provider refused the stored credentials; the end user needs to link the account again.",
    end_user=IssueEndUser(
        id=_ACCOUNT_ID,
        end_user_organization_name=_COMPANY,
        end_user_email_address=_EMAIL,
        end_user_origin_id=_ORIGIN,
        integration_name=_NAME,
    ),
    first_incident_time="2026-05-04T08:00:03Z",
    last_incident_time="2026-05-04T09:30:05Z",
    is_muted=False,
    error_details=["invalid_grant"],
)

_LINKED_ACCOUNT = AccountDetailsAndActions(
    id=_ACCOUNT_ID,
    category="accounting",
    status="COMPLETE",
    status_detail="",
    end_user_origin_id=_ORIGIN,
    end_user_organization_name=_COMPANY,
    end_user_email_address=_EMAIL,
    subdomain=None,
    webhook_listener_url="",
    is_duplicate=None,
    integration=AccountDetailsAndActionsIntegration(
        name=_NAME,
        categories=["accounting"],
        image=None,
        square_image=None,
        color=_COLOR,
        slug=_SLUG,
        passthrough_available=False,
        available_model_operations=[_INVOICE_OPERATIONS],
    ),
    account_type="PRODUCTION",
    completed_at="2026-05-01T12:00:00Z",
    integration_specific_fields={},
)


def _page(*results: msgspec.Struct) -> dict[str, Any]:
    return {"next": None, "previous": None, "results": [msgspec.to_builtins(one) for one in results]}


_PASSED = RemoteResponse(
    method="GET",
    path="/Organisation",
    status=200,
    response={"Organisations": [{"Name": _COMPANY, "BaseCurrency": "GBP"}]},
    response_headers={"content-type": "application/json; charset=utf-8"},
    response_type="JSON",
    headers={"Accept": "application/json"},
)

_CREW_PATH: list[str | int] = ["CustomField", 0, "StringValue"]
_CREW_ENDPOINT = RemoteEndpointInfo(method="GET", url_path="/v3/company/9341453/query", field_traversal_path=_CREW_PATH)
_MAPPING = FieldMappingApiInstance(
    id="2b9d6c1e-7a4f-4c3b-8e2d-5f6a7b8c9d0e",
    is_integration_wide=False,
    target_field=FieldMappingApiInstanceTargetField(
        name="crew_number", description="The crew that did the job", is_organization_wide=False
    ),
    remote_field=FieldMappingApiInstanceRemoteField(
        remote_key_name="StringValue", schema={"type": "string"}, remote_endpoint_info=_CREW_ENDPOINT
    ),
)
_MAPPED = FieldMappingInstanceResponse(model=_MAPPING, warnings=[], errors=[])

_SHOWN: dict[tuple[str, str], Any] = {
    ("/accounting/v1/account-details", "get"): AccountDetails(
        id=_ACCOUNT_ID,
        integration=_NAME,
        integration_slug=_SLUG,
        category="accounting",
        end_user_origin_id=_ORIGIN,
        end_user_organization_name=_COMPANY,
        end_user_email_address=_EMAIL,
        status="COMPLETE",
        webhook_listener_url=None,
        is_duplicate=None,
        account_type="PRODUCTION",
        completed_at="2026-05-01T12:00:00Z",
        instance_id=None,
        instance_display_value=None,
    ),
    ("/accounting/v1/linked-accounts", "get"): _page(_LINKED_ACCOUNT),
    ("/accounting/v1/audit-trail", "get"): _page(
        AuditLogEvent(
            id="5e0b7a3c-2f1d-4c8e-9a6b-1d2e3f4a5b6c",
            user_name=None,
            user_email=None,
            role="API",
            ip_address="203.0.113.7",
            event_type="DELETED_REMOTE_PRODUCTION_API_KEY",
            event_description="Revoked API key 'reporting' (lpk_Zk3abcde...).",
            created_at="2026-12-05T14:02:11.503Z",
        ),
        AuditLogEvent(
            id="8c1f2e3d-4b5a-4697-8e7f-6a5b4c3d2e1f",
            user_name="ops",
            user_email="ops@harbourbikes.example",
            role="ADMIN",
            ip_address="",
            event_type="DELETED_LINKED_ACCOUNT",
            event_description=f"Deleted {_NAME} account of '{_COMPANY}' ({_ACCOUNT_ID}).",
            created_at="2026-12-04T09:30:00.000Z",
        ),
    ),
    ("/accounting/v1/generate-key", "post"): RemoteKey(name="reporting", key="lpk_Zk3...example"),
    ("/accounting/v1/regenerate-key", "post"): RemoteKey(name="default", key="lpk_8Qa...example"),
    ("/accounting/v1/link-token", "post"): LinkToken(
        link_token=_LINK_TOKEN,
        integration_name=_NAME,
        magic_link_url=f"https://ledgerport.example.com/link?link_token={_LINK_TOKEN}",
    ),
    ("/accounting/v1/account-token/{public_token}", "get"): AccountToken(
        account_token=_TOKEN, integration=_INTEGRATION, id=_ACCOUNT_ID
    ),
    ("/accounting/v1/account-token/regenerate", "post"): RegenerateAccountToken(
        linked_account_id=_ACCOUNT_ID, account_token=_NEW_TOKEN
    ),
    ("/accounting/v1/delete-account", "post"): {},
    ("/accounting/v1/available-actions", "get"): AvailableActions(
        integration=_INTEGRATION, passthrough_available=False, available_model_operations=[_INVOICE_OPERATIONS]
    ),
    ("/accounting/v1/sync-status", "get"): _page(
        _status("Contact"), _status("Invoice", status="FAILED", reason="The provider asked to wait; retrying.")
    ),
    ("/accounting/v1/sync-status/resync", "post"): [_status("Contact", status="SYNCING")],
    ("/accounting/v1/passthrough", "post"): _PASSED,
    ("/accounting/v1/async-passthrough", "post"): AsyncPassthroughReciept(
        async_passthrough_receipt_id="5d1c8f0e-3b8e-4e0a-a0de-7c9f4f1e2b61"
    ),
    ("/accounting/v1/async-passthrough/{async_passthrough_receipt_id}", "get"): _PASSED,
    ("/accounting/v1/issues", "get"): _page(_ISSUE),
    ("/accounting/v1/issues/{id}", "get"): _ISSUE,
    ("/accounting/v1/webhook-receivers", "get"): [WebhookReceiver(event="invoice.created", is_active=True)],
    ("/accounting/v1/webhook-receivers", "post"): WebhookReceiver(event="invoice.created", is_active=True, key="k1"),
    ("/accounting/v1/addresses/{id}", "get"): Address(
        id="5d0f6c0e-2f7b-5a51-9b1e-3c9e6f2a7d10",
        type=AddressType.BILLING,
        street_1="12 Quay Street",
        city="Auckland",
        zip_code="1010",
        country=Country.NZ,
    ),
    ("/accounting/v1/phone-numbers/{id}", "get"): AccountingPhoneNumber(
        id="8a1c2b3d-4e5f-5a6b-8c7d-9e0f1a2b3c4d", number="+64 9 555 0100", type="MOBILE"
    ),
    ("/accounting/v1/field-mappings", "get"): {"Contact": [], "Invoice": [msgspec.to_builtins(_MAPPING)]},
    ("/accounting/v1/field-mappings", "post"): _MAPPED,
    ("/accounting/v1/field-mappings/{field_mapping_id}", "patch"): _MAPPED,
    ("/accounting/v1/field-mappings/{field_mapping_id}", "delete"): _MAPPED,
    ("/accounting/v1/remote-fields", "get"): {
        "Invoice": [
            msgspec.to_builtins(
                RemoteFieldApi(
                    schema={"type": "string"},
                    remote_key_name="StringValue",
                    remote_endpoint_info=_CREW_ENDPOINT,
                    example_values=["Crew 7", "Crew 12"],
                )
            )
        ]
    },
    ("/accounting/v1/target-fields", "get"): {
        "Invoice": [
            msgspec.to_builtins(
                ExternalTargetFieldApi(name="crew_number", description="The crew that did the job", is_mapped="true")
            )
        ]
    },
    ("/integrations", "get"): [
        IntegrationListing(
            slug=_SLUG,
            name=_NAME,
            categories=["accounting"],
            color=_COLOR,
            available=True,
            available_model_operations=[_INVOICE_OPERATIONS],
        )
    ],
}

_ON, _OFF = ModelPermissionDeserializer(is_enabled=True), ModelPermissionDeserializer(is_enabled=False)
_SCOPES = CommonModelScopeAPI(
    common_models=[
        IndividualCommonModelScopeDeserializer(
            model_name="Invoice",
            model_permissions={"READ": _ON, "WRITE": _ON},
            field_permissions=FieldPermissionDeserializer(
                enabled_fields=["type", "contact", "number", "issue_date"], disabled_fields=["memo"]
            ),
        ),
        IndividualCommonModelScopeDeserializer(
            model_name="Employee",
            model_permissions={"READ": _OFF, "WRITE": _OFF},
            field_permissions=FieldPermissionDeserializer(enabled_fields=[], disabled_fields=["first_name"]),
        ),
    ]
)
_SCHEMA_ID = "8f0d2b57-5a55-5b9e-9b1c-2f4e8a6c3d10"
_CONDITION = LinkedAccountCondition(
    condition_schema_id=_SCHEMA_ID,
    common_model="Invoice",
    native_name="TxnDate",
    operator="GREATER_THAN_OR_EQUAL_TO",
    value="2024-01-01",
    field_name="issue_date",
)
_SCOPE_EXAMPLES: dict[tuple[str, str], Any] = {
    ("/accounting/v1/default-scopes", "get"): _SCOPES,
    ("/accounting/v1/linked-account-scopes", "get"): _SCOPES,
    ("/accounting/v1/linked-account-scopes", "post"): _SCOPES,
    ("/accounting/v1/selective-sync/meta", "get"): _page(
        ConditionSchema(
            id=_SCHEMA_ID,
            common_model="Invoice",
            native_name="TxnDate",
            field_name="issue_date",
            is_unique=False,
            condition_type="DATE",
            operators=[OperatorSchema(operator="GREATER_THAN_OR_EQUAL_TO", is_unique=True)],
        )
    ),
    ("/accounting/v1/selective-sync/configurations", "get"): [
        LinkedAccountSelectiveSyncConfiguration(linked_account_conditions=[_CONDITION])
    ],
    ("/accounting/v1/selective-sync/configurations", "put"): [
        LinkedAccountSelectiveSyncConfiguration(linked_account_conditions=[_CONDITION])
    ],
    ("/accounting/v1/selective-sync/conditions", "get"): SelectiveSyncConditionList(
        results=[
            SelectiveSyncCondition(
                id="1c7e5a0b-6d2f-5e8a-8b3c-4f9d0e2a7b61",
                common_model="Invoice",
                normalized_key_name="issue_date",
                remote_key_name="TxnDate",
                operator="GREATER_THAN_OR_EQUAL_TO",
                value={"value": "2024-01-01"},
            )
        ]
    ),
}
_SHOWN.update(_SCOPE_EXAMPLES)

EXAMPLES: dict[tuple[str, str], Any] = {key: msgspec.to_builtins(value) for key, value in _SHOWN.items()}
"""(path, method) → the example answer of its success status, as JSON-ready values."""
