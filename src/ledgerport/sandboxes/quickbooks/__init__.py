"""A faithful local QuickBooks Online: OAuth, the v3 accounting API, CDC, batch, throttles and faults.

``create_app(seed=0, size="small")`` returns the ASGI app; ``run(host, port, seed, size)`` serves it with uvicorn.
See ``app.py`` for the layers and ``README.md`` for what is faithful and what is simplified.
"""

from ledgerport.sandboxes.quickbooks.app import DEFAULT_CLIENTS, QuickBooksSandbox, create_app, run, serve

__all__ = ["DEFAULT_CLIENTS", "QuickBooksSandbox", "create_app", "run", "serve"]
