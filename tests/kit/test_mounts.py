"""PrefixMounts: which app serves a path, and what scope it is given."""

from __future__ import annotations

from typing import Any

import pytest

from ledgerport.kit.mounts import PrefixMounts


class Recorder:
    """An ASGI app that remembers the scopes it was called with."""

    def __init__(self) -> None:
        self.scopes: list[dict[str, Any]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.scopes.append(scope)


async def _nothing() -> dict[str, Any]:
    return {"type": "http.request", "body": b""}


async def _drop(message: dict[str, Any]) -> None:
    return None


def _scope(path: str, root_path: str = "") -> dict[str, Any]:
    return {"type": "http", "path": path, "raw_path": path.encode(), "root_path": root_path, "query_string": b""}


@pytest.fixture
def apps() -> tuple[Recorder, Recorder, Recorder, PrefixMounts]:
    main, qbo, xero = Recorder(), Recorder(), Recorder()
    return main, qbo, xero, PrefixMounts(main, {"/sandbox/quickbooks": qbo, "/sandbox/xero/": xero})


@pytest.mark.parametrize(
    ("path", "served_by"),
    [
        ("/sandbox/quickbooks/connect/oauth2", "qbo"),
        ("/sandbox/quickbooks", "qbo"),
        ("/sandbox/xero/identity/connect/authorize", "xero"),
        ("/sandbox/quickbooksx/connect/oauth2", "main"),  # a prefix ends at a segment boundary
        ("/link", "main"),
        ("/sandbox", "main"),
    ],
)
async def test_routes_on_whole_segments(
    apps: tuple[Recorder, Recorder, Recorder, PrefixMounts], path: str, served_by: str
) -> None:
    main, qbo, xero, mounts = apps
    await mounts(_scope(path), _nothing, _drop)
    served = {"main": main, "qbo": qbo, "xero": xero}
    assert {name for name, app in served.items() if app.scopes} == {served_by}


async def test_a_mounted_app_gets_the_prefix_as_root_path_and_the_whole_path(
    apps: tuple[Recorder, Recorder, Recorder, PrefixMounts],
) -> None:
    """The ASGI way: ``root_path`` says where the app is mounted (for the URLs it writes), ``path`` is untouched."""
    main, qbo, _, mounts = apps
    await mounts(_scope("/sandbox/quickbooks/connect/oauth2"), _nothing, _drop)
    (seen,) = qbo.scopes
    assert seen["root_path"] == "/sandbox/quickbooks"
    assert seen["path"] == "/sandbox/quickbooks/connect/oauth2"
    assert seen["raw_path"] == b"/sandbox/quickbooks/connect/oauth2"
    await mounts(_scope("/link"), _nothing, _drop)
    assert main.scopes == [_scope("/link")]


async def test_a_server_root_path_comes_first(apps: tuple[Recorder, Recorder, Recorder, PrefixMounts]) -> None:
    """Behind a server run with ``--root-path /ledgerport`` the mounts sit below that prefix."""
    _, _, xero, mounts = apps
    await mounts(_scope("/ledgerport/sandbox/xero/connections", root_path="/ledgerport"), _nothing, _drop)
    (seen,) = xero.scopes
    assert seen["root_path"] == "/ledgerport/sandbox/xero"
    assert seen["path"] == "/ledgerport/sandbox/xero/connections"
