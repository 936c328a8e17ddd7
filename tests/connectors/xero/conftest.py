"""Fixtures for the Xero connector: a seeded sandbox in-process, a minted token, and a ProviderClient on it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from xero_connector_kit import ORIGIN, MemoryTokens, mint

from ledgerport.connectors._base import AsgiTransport
from ledgerport.connectors._base.client import ProviderClient, RetryPolicy
from ledgerport.connectors.xero import CONNECTOR
from ledgerport.kit.budget import MemoryBudget
from ledgerport.sandboxes.xero import SandboxApp, create_app


@pytest.fixture
def sandbox() -> SandboxApp:
    return create_app(seed=1, size="small", limits=False)


@pytest.fixture
def transport(sandbox: SandboxApp) -> AsgiTransport:
    return AsgiTransport(sandbox)


@pytest.fixture
def tenant_id(sandbox: SandboxApp) -> str:
    return next(iter(sandbox.tenants))


ClientFactory = Callable[..., ProviderClient]


@pytest.fixture
async def make_client(transport: AsgiTransport, tenant_id: str) -> ClientFactory:
    """``make_client(tokens=None, tenant=None, **retry)``: a ProviderClient on the sandbox for one tenant."""
    default = MemoryTokens(transport, await mint(transport, [tenant_id]))

    def build(tokens: MemoryTokens | None = None, tenant: str | None = None, **retry: float) -> ProviderClient:
        return ProviderClient(
            CONNECTOR,
            transport=transport,
            tokens=tokens or default,
            budget=MemoryBudget(),
            budget_key=tenant or tenant_id,
            context=CONNECTOR.context({"tenant_id": tenant or tenant_id}, base_url=ORIGIN),
            retry=RetryPolicy(attempts=2, base_delay=0.001, max_delay=0.002, **retry),
        )

    return build
