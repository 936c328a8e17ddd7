"""What integrations can do, sync status and resync, over HTTP against a live server."""

from __future__ import annotations

import httpx
from merge import Merge

from harness import Server, TenantFactory, run
from ledgerport.store import Database
from ledgerport.store.jobs import list_jobs


def _client(server: Server, api_key: str, token: str) -> Merge:
    return Merge(api_key=api_key, account_token=token, base_url=server.api)


class TestAvailableActions:
    def test_supported_fields_come_from_the_connector(self, server: Server, make_tenant: TenantFactory) -> None:
        tenant = make_tenant(integration="quickbooks-online")
        actions = _client(server, tenant.api_key, tenant.account_token).accounting.available_actions.retrieve()
        operations = {op.model_name: op for op in actions.available_model_operations or []}
        assert {"Invoice", "JournalEntry", "Transaction", "Contact"} <= set(operations)
        invoice_fields = set(operations["Invoice"].supported_fields or [])
        assert {"number", "total_amount", "line_items", "contact", "currency"} <= invoice_fields
        assert "invoice_url" not in invoice_fields  # QuickBooks gives no such link; the table leaves it out
        expense_fields = set(operations["Expense"].supported_fields or [])
        assert {"account", "contact", "employee", "total_amount", "lines", "memo"} <= expense_fields
        assert actions.integration.slug == "quickbooks-online"

    def test_write_operations_come_from_the_write_tables(self, server: Server, make_tenant: TenantFactory) -> None:
        tenant = make_tenant(integration="quickbooks-online")
        actions = _client(server, tenant.api_key, tenant.account_token).accounting.available_actions.retrieve()
        operations = {op.model_name: op for op in actions.available_model_operations or []}
        assert operations["Invoice"].available_operations == ["FETCH", "CREATE", "UPDATE", "BULK_CREATE"]
        assert set(operations["Invoice"].required_post_parameters or []) == {"type", "contact", "line_items"}
        assert operations["TaxRate"].available_operations == ["FETCH"]  # QuickBooks' API does not write tax rates
        assert operations["TaxRate"].required_post_parameters == []

    def test_an_integration_without_a_connector_offers_nothing(
        self, server: Server, make_tenant: TenantFactory
    ) -> None:
        tenant = make_tenant(integration="sage-intacct")
        actions = _client(server, tenant.api_key, tenant.account_token).accounting.available_actions.retrieve()
        assert actions.available_model_operations == []

    def test_integrations_listing(self, server: Server) -> None:
        listing = {row["slug"]: row for row in httpx.get(f"{server.api}/integrations").json()}
        assert listing["xero"]["available"] is True
        assert listing["sage-intacct"]["available"] is False
        netsuite = {op["model_name"]: op for op in listing["netsuite"]["available_model_operations"]}
        assert netsuite["ItemFulfillment"]["available_operations"] == ["FETCH", "CREATE", "BULK_CREATE"]
        assert "company" in netsuite["SalesOrder"]["required_post_parameters"]
        assert listing["microsoft-dynamics-365-business-central"]["available"] is True
        xero = {op["model_name"]: op for op in listing["xero"]["available_model_operations"]}
        assert "JournalEntry" in xero
        expense_fields = set(xero["Expense"]["supported_fields"])
        assert {"account", "contact", "sub_total", "total_tax_amount", "lines"} <= expense_fields


class TestSyncStatus:
    def test_no_syncs_yet_is_an_empty_page(self, server: Server, make_tenant: TenantFactory) -> None:
        tenant = make_tenant()
        page = _client(server, tenant.api_key, tenant.account_token).accounting.sync_status.list()
        assert page.results == []

    def test_resync_queues_one_job(self, server: Server, make_tenant: TenantFactory, database_url: str) -> None:
        tenant = make_tenant()
        client = _client(server, tenant.api_key, tenant.account_token)
        assert client.accounting.force_resync.sync_status_resync_create() == []
        client.accounting.force_resync.sync_status_resync_create()  # a second ask joins the queued job

        async def jobs() -> list[object]:
            database = Database(database_url)
            try:
                async with database.read() as session:
                    return list(await list_jobs(session, linked_account_id=tenant.account_id))
            finally:
                await database.dispose()

        queued = run(jobs())
        assert len(queued) == 1
        assert queued[0].kind == "sync.run"  # type: ignore[attr-defined]
