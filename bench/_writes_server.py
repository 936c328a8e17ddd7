"""``ledgerport serve`` with the client's outbound budget unlimited (for ``bench/writes.py``).

The server holds every provider to the limits it publishes (QuickBooks: 500 requests a minute and 10 at once per
company), which would cap a write benchmark at 8 writes a second whatever ledgerport costs. The benchmark's sandbox
runs with its limits off, so this launcher lifts the client's side too (as ``bench/sync.py`` does in process),
then runs the real CLI command: same settings from the environment, same migration, same uvicorn call.

    LEDGERPORT_DATABASE_URL=... LEDGERPORT_PORT=8123 python bench/_writes_server.py
"""

from __future__ import annotations

import sys

import msgspec

from ledgerport.cli import main
from ledgerport.connectors import CONNECTORS
from ledgerport.connectors._base.connector import Limits

if __name__ == "__main__":
    for key, connector in list(CONNECTORS.items()):
        CONNECTORS[key] = msgspec.structs.replace(connector, limits=Limits())
    sys.argv = ["ledgerport", "serve", *sys.argv[1:]]
    main()
