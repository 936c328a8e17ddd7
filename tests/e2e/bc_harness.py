"""The Business Central sandbox as a real process (``ledgerport sandbox business-central``) for the BC end-to-end
tests: steered through ``/_sandbox`` and called through BC's own API as another app would."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sync_harness import Process, spawn, tail, wait_for

from harness import free_port

USA = "CRONUS USA, Inc."


@dataclass
class BusinessCentral:
    """The sandbox process, its controls and BC's own API."""

    process: Process
    url: str
    http: httpx.Client = field(repr=False)

    def ready(self) -> bool:
        if not self.process.alive():
            raise AssertionError(f"the Business Central sandbox exited: {tail(self.process.log)}")
        try:
            return self.http.get("/_sandbox").status_code == 200
        except httpx.TransportError:
            return False

    def summary(self) -> dict[str, Any]:
        return dict(self.http.get("/_sandbox").json())

    def company(self, environment: str = "production", name: str = USA) -> dict[str, Any]:
        for env in self.summary()["environments"]:
            for company in env["companies"] if env["name"] == environment else []:
                if company["name"] == name:
                    return dict(company)
        raise AssertionError(f"no company {name!r} in {environment}")

    def control(self, name: str, body: dict[str, Any] | None = None) -> Any:
        response = self.http.post(f"/_sandbox/{name}", json=body or {})
        assert response.status_code in {200, 204}, response.text
        return response.json() if response.status_code == 200 else None

    def faults(self, **settings: Any) -> None:
        self.control("faults", settings)

    def stats(self) -> dict[str, Any]:
        return dict(self.http.get("/_sandbox/stats").json())

    def requests(self, method: str, resource: str) -> int:
        """API requests served so far of ``method`` ending at ``resource`` (an entity set, ``$batch``)."""
        return sum(
            row["count"] for row in self.stats()["requests"] if (row["method"], row["resource"]) == (method, resource)
        )

    def api(self, method: str, company: dict[str, Any], path: str, **kwargs: Any) -> Any:
        """BC's API as another app would call it (a token of its own, ``If-Match: *`` on writes)."""
        token = self.control("tokens")["access_token"]
        root = f"/v2.0/{self.summary()['tenantId']}/production/api/v2.0/companies({company['id']})"
        headers = {"Authorization": f"Bearer {token}", "If-Match": "*"}
        response = self.http.request(method, f"{root}/{path}", headers=headers, **kwargs)
        assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text[:300]}"
        return response.json() if response.content else None

    def rows(self, entity_set: str, company: dict[str, Any] | None = None, **params: str) -> list[dict[str, Any]]:
        """Every row of an entity set of a company (the USA one unless named), following ``@odata.nextLink``."""
        body = self.api("GET", company or self.company(), entity_set, params=params)
        rows = list(body["value"])
        while body.get("@odata.nextLink"):
            token = self.control("tokens")["access_token"]
            body = self.http.get(body["@odata.nextLink"], headers={"Authorization": f"Bearer {token}"}).json()
            rows += body["value"]
        return rows

    def close(self) -> None:
        self.http.close()
        self.process.stop()


def start_business_central(seed: int, log_dir: Path, size: str = "small") -> BusinessCentral:
    """``ledgerport sandbox business-central`` on a free loopback port, once it answers."""
    port = free_port()
    process = spawn(
        "sandbox-business-central",
        ["-m", "ledgerport", "sandbox", "business-central", "--port", str(port), "--seed", str(seed), "--size", size],
        os.environ,
        log_dir,
    )
    url = f"http://127.0.0.1:{port}"
    sandbox = BusinessCentral(process, url, httpx.Client(base_url=url, timeout=60))
    try:
        wait_for(sandbox.ready, timeout=120, what="the Business Central sandbox to answer")
    except BaseException:
        sandbox.close()
        raise
    return sandbox
