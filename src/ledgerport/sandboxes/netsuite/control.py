"""The sandbox-only control surface under ``/_sandbox/`` (nothing of it exists on NetSuite).

- ``GET /_sandbox/account``: the account id, OneWorld/multi-currency flags, size, concurrency limit, counts;
  ``POST /_sandbox/account`` ``{"concurrency": 2}`` or ``{"tier": "tier1"}`` sets the concurrency limit,
  ``{"verify_tba": false}`` turns signature checks off.
- ``GET /_sandbox/tba``: the TBA credential set (consumer key/secret, token id/secret, realm).
- ``GET|POST /_sandbox/faults``: ``Faults`` settings (latency, 5xx, 429 storms, truncated bodies).
- ``GET /_sandbox/clock``, ``POST /_sandbox/clock`` ``{"advance": seconds}`` or ``{"now": epoch}``.
- ``POST /_sandbox/tokens/expire`` (access tokens), ``/_sandbox/tokens/expire-refresh``, ``/_sandbox/tokens/revoke``.
- ``GET /_sandbox/stats``: calls per path, 429s and the peak in flight; ``DELETE`` resets them.
- ``POST /_sandbox/reset``: the seeded data again (same seed and size).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import msgspec

from ledgerport.sandboxes.netsuite.errors import fail
from ledgerport.sandboxes.netsuite.state import TIERS, Sandbox
from ledgerport.sandboxes.netsuite.wire import Request, Response, decode_json, json_response

__all__ = ["ROUTES"]


def _body(request: Request) -> dict[str, Any]:
    try:
        body = decode_json(request.body) if request.body.strip() else {}
    except msgspec.DecodeError:
        raise fail(400, "INVALID_CONTENT", "invalid JSON") from None
    if not isinstance(body, dict):
        raise fail(400, "INVALID_CONTENT", "expected a JSON object")
    return body


async def account(sandbox: Sandbox, request: Request) -> Response:
    """The account profile."""
    if request.method == "POST":
        body = _body(request)
        if "tier" in body:
            if str(body["tier"]) not in TIERS:
                raise fail(400, "INVALID_CONTENT", f"tier must be one of {sorted(TIERS)}")
            sandbox.concurrency = TIERS[str(body["tier"])] + 10 * int(body.get("suitecloud_plus", 0))
        if "concurrency" in body:
            sandbox.concurrency = max(1, int(body["concurrency"]))
        if "verify_tba" in body:
            sandbox.authority.verify_tba = bool(body["verify_tba"])
        if "limits" in body:
            sandbox.limits = bool(body["limits"])
    acct = sandbox.account
    return json_response(
        {
            "accountId": acct.account_id,
            "oneWorld": True,
            "multiCurrency": True,
            "taxEngine": "legacy",
            "timeZone": "America/Los_Angeles",
            "dateFormat": "M/D/YYYY",
            "seed": sandbox.seed,
            "size": sandbox.size,
            "concurrency": sandbox.concurrency,
            "limits": sandbox.limits,
            "verifyTba": sandbox.authority.verify_tba,
            "counts": {name: len(docs) for name, docs in acct.docs.items() if docs},
        }
    )


async def tba(sandbox: Sandbox, request: Request) -> Response:
    """The account's TBA credential set."""
    return json_response({"realm": sandbox.account.account_id, **asdict(sandbox.authority.tba)})


async def faults(sandbox: Sandbox, request: Request) -> Response:
    """Read or change fault settings."""
    if request.method == "POST":
        try:
            sandbox.faults.update(**_body(request))
        except (TypeError, ValueError) as error:
            raise fail(400, "INVALID_CONTENT", str(error)) from None
    return json_response({k: v for k, v in vars(sandbox.faults).items() if not k.startswith("_")})


async def clock(sandbox: Sandbox, request: Request) -> Response:
    """Read or move the sandbox clock."""
    if request.method == "POST":
        body = _body(request)
        if "advance" in body:
            sandbox.clock.offset += float(body["advance"])
        if "now" in body:
            sandbox.clock.offset = float(body["now"]) - sandbox.clock.source()
        sandbox.changed()
    return json_response({"now": sandbox.clock(), "offset": sandbox.clock.offset})


async def expire_tokens(sandbox: Sandbox, request: Request) -> Response:
    """Every access token expires now."""
    sandbox.authority.expire_access_tokens()
    return Response(204, b"", None)


async def expire_refresh(sandbox: Sandbox, request: Request) -> Response:
    """Every refresh token expires now."""
    sandbox.authority.expire_refresh_tokens()
    return Response(204, b"", None)


async def revoke_tokens(sandbox: Sandbox, request: Request) -> Response:
    """Every grant is revoked."""
    sandbox.authority.revoke_all()
    return Response(204, b"", None)


async def stats(sandbox: Sandbox, request: Request) -> Response:
    """Calls per path and throttled calls; DELETE resets them."""
    if request.method == "DELETE":
        sandbox.stats.clear()
        return Response(204, b"", None)
    paths = {k: v for k, v in sandbox.stats.items() if not k.startswith("!")}
    return json_response(
        {
            "calls": sum(paths.values()),
            "throttled": sandbox.stats.get("!429", 0),
            "peakInFlight": sandbox.stats.get("!peak", 0),
            "paths": dict(sorted(paths.items())),
        }
    )


async def reset(sandbox: Sandbox, request: Request) -> Response:
    """Reseed the account (``extra["reseed"]`` is installed by ``create_app``)."""
    sandbox.extra["reseed"]()
    return Response(204, b"", None)


ROUTES = [
    ("GET", "/_sandbox/account", account),
    ("POST", "/_sandbox/account", account),
    ("GET", "/_sandbox/tba", tba),
    ("GET", "/_sandbox/faults", faults),
    ("POST", "/_sandbox/faults", faults),
    ("GET", "/_sandbox/clock", clock),
    ("POST", "/_sandbox/clock", clock),
    ("POST", "/_sandbox/tokens/expire", expire_tokens),
    ("POST", "/_sandbox/tokens/expire-refresh", expire_refresh),
    ("POST", "/_sandbox/tokens/revoke", revoke_tokens),
    ("GET", "/_sandbox/stats", stats),
    ("DELETE", "/_sandbox/stats", stats),
    ("POST", "/_sandbox/reset", reset),
]
