"""Serve one provider sandbox on a loopback port with its limits switched on or off (for ``bench/sync.py``).

``python -m ledgerport sandbox ...`` always serves with the provider's limits; a throughput benchmark needs them
off, so this launcher builds the same app with ``create_app(seed=, size=, limits=)`` and serves it with uvicorn
the way the sandboxes' own ``run`` does (one process, uvloop/httptools when installed, access log off).

    python bench/_sync_sandbox.py quickbooks --port 8123 --size 100000 --limits off
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import uvicorn


def build(provider: str, *, seed: int, size: int, limits: bool) -> Any:
    """The sandbox ASGI app."""
    if provider == "quickbooks":
        from ledgerport.sandboxes.quickbooks import create_app

        return create_app(seed=seed, size=size, limits=limits)
    if provider == "xero":
        from ledgerport.sandboxes.xero import create_app as create_xero

        return create_xero(seed=seed, size=size, limits=limits)
    if provider == "business-central":
        from ledgerport.sandboxes.business_central import create_app as create_business_central

        return create_business_central(seed=seed, size=size, limits=limits)
    if provider == "netsuite":
        from ledgerport.sandboxes.netsuite import create_app as create_netsuite

        return create_netsuite(seed=seed, size=size, limits=limits)
    raise SystemExit(f"unknown provider {provider!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("provider", choices=("business-central", "netsuite", "quickbooks", "xero"))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--size", type=int, required=True)
    parser.add_argument("--limits", choices=("on", "off"), required=True)
    args = parser.parse_args()
    app = build(args.provider, seed=args.seed, size=args.size, limits=args.limits == "on")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False, lifespan="off")
    return 0


if __name__ == "__main__":
    sys.exit(main())
