"""A faithful local NetSuite (SuiteTalk REST): OAuth 2.0 and TBA, the record service, SuiteQL, async jobs,
concurrency governance and faults, over one seeded OneWorld account (``1234567_SB1``).

``create_app(seed=0, size="small")`` returns the ASGI app; ``run(host, port, seed, size)`` serves it with uvicorn.
See ``app.py`` for the layers and ``README.md`` for what is faithful and what is simplified.
"""

from ledgerport.sandboxes.netsuite.app import ACCOUNT_ID, DEFAULT_CLIENTS, NetSuiteSandbox, create_app, run, serve

__all__ = ["ACCOUNT_ID", "DEFAULT_CLIENTS", "NetSuiteSandbox", "create_app", "run", "serve"]
