"""Provider failures, translated at the boundary into one vocabulary the engines understand.

```
ConnectorError
 ├─ RateLimited(retry_after)        429 or a provider's throttle fault: wait, then retry the same request
 │   └─ DailyLimitReached           the day's quota is spent: stop the run, resume after retry_after
 ├─ AuthExpired                     the access token is no longer accepted: refresh and retry once
 ├─ AuthRevoked                     the grant is gone (refresh refused): the account needs relinking
 ├─ NotFound                        the object does not exist at the provider
 ├─ Rejected(problems)              the provider refused the request's content (→ Merge ``errors``)
 ├─ Conflict                        a stale version (QBO SyncToken) — re-read and retry
 └─ Transient                       5xx: retry with backoff
     ├─ Unreachable                 no answer at all (refused, reset, timed out): retry with backoff
     └─ Malformed                   a body that does not parse: retry (a truncated page), then fail
```

Each client declares an ``ERRORS`` table of :class:`ErrorRule` rows; :func:`classify` applies the first row that
matches, the way httpx maps httpcore exceptions.

A message says what happened for the logs, and may name hosts, URLs and the provider's or a library's words. What
users of the API read (sync-status reasons, issues) is the error's :class:`Cause` instead, from the ``CAUSES``
table by the error's class (:func:`cause_of`): a stable key and a sentence that holds none of those, so one cause
is one issue however many requests failed with it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import msgspec

if TYPE_CHECKING:
    from ledgerport.connectors._base.http import Response

__all__ = [
    "AuthExpired",
    "AuthRevoked",
    "CAUSES",
    "Cause",
    "Conflict",
    "ConnectorError",
    "DailyLimitReached",
    "ErrorRule",
    "Malformed",
    "NotFound",
    "Problem",
    "RateLimited",
    "Rejected",
    "Transient",
    "Unreachable",
    "cause_of",
    "classify",
    "status_is",
]


class Problem(msgspec.Struct, frozen=True, kw_only=True):
    """One thing the provider objected to, in Merge's ValidationProblem terms."""

    title: str
    detail: str
    problem_type: str = "ERROR"
    pointer: str | None = None
    raw_error: str | None = None


class ConnectorError(Exception):
    """Root of every failure a connector reports."""

    response: Response | None = None
    """The provider's answer this error was read from (``None``: no answer came, or a check made before sending);
    passthrough hands it back as it came."""


class RateLimited(ConnectorError):
    """The provider asked us to slow down; ``retry_after`` is in seconds.

    ``guessed``: the provider named no wait (NetSuite's 429 has no ``Retry-After``), so ``retry_after`` is only a
    first wait, which the client doubles while the same call keeps being throttled."""

    def __init__(self, message: str, *, retry_after: float, guessed: bool = False) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.guessed = guessed


class DailyLimitReached(RateLimited):
    """The provider's daily quota is spent."""


class AuthExpired(ConnectorError):
    """The access token was refused; a refresh may fix it."""


class AuthRevoked(ConnectorError):
    """The grant is gone; a person must link the account again."""


class NotFound(ConnectorError):
    """No such object at the provider."""


class Rejected(ConnectorError):
    """The provider refused the content of the request."""

    def __init__(self, message: str, *, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


class Conflict(ConnectorError):
    """A write lost an optimistic-concurrency race."""


class Transient(ConnectorError):
    """A failure that a later attempt may not meet."""


class Unreachable(Transient):
    """No answer came: the connection was refused or reset, the name did not resolve, or the provider timed out."""


class Malformed(Transient):
    """A response body that cannot be read."""


class Cause(msgspec.Struct, frozen=True):
    """A failure as users of the API are told it: ``key`` names it for grouping, ``reason`` says it to a person."""

    key: str
    reason: str


CAUSES: Mapping[type[ConnectorError], Cause] = {
    AuthRevoked: Cause(
        "authorization_revoked", "The provider no longer accepts this account's authorization; link it again."
    ),
    AuthExpired: Cause("authorization_refused", "The provider refused this account's access token."),
    DailyLimitReached: Cause("daily_limit_reached", "The provider's daily request limit for this account is spent."),
    RateLimited: Cause("rate_limited", "The provider is rate limiting this account."),
    NotFound: Cause("not_found", "The provider answered that something this sync asked for does not exist."),
    Rejected: Cause("rejected", "The provider refused a request of this sync."),
    Conflict: Cause("conflict", "The provider refused a change made from an outdated copy of the record."),
    Unreachable: Cause("provider_unreachable", "The provider could not be reached."),
    Malformed: Cause("malformed_response", "The provider sent a response that could not be read."),
    Transient: Cause("provider_unavailable", "The provider is unavailable: it answers with server errors."),
    ConnectorError: Cause("provider_error", "The provider reported an error."),
}
"""Each error class's cause; a class not listed has its nearest listed ancestor's."""


def cause_of(error: ConnectorError) -> Cause:
    """What users of the API are told about ``error`` (see the module docstring)."""
    return next(CAUSES[kind] for kind in type(error).__mro__ if kind in CAUSES)


class ErrorRule(msgspec.Struct, frozen=True):
    """``when(response, body)`` true → ``build(response, body)`` is the error to raise."""

    when: Callable[[Response, Any], bool]
    build: Callable[[Response, Any], ConnectorError]
    name: str = ""


def status_is(*statuses: int) -> Callable[[Response, Any], bool]:
    """An ``ErrorRule.when`` true for a response with one of ``statuses``, whatever its body."""
    return lambda response, body: response.status in statuses


def classify(response: Response, rules: Sequence[ErrorRule]) -> ConnectorError | None:
    """The error a non-success response means, by the first matching rule; ``None`` for a success."""
    if response.status < 400:
        return None
    try:
        body = response.json()
    except Malformed:
        body = None
    for rule in rules:
        if rule.when(response, body):
            return rule.build(response, body)
    if response.status >= 500:
        return Transient(f"{response.url} answered {response.status}")
    return Rejected(f"{response.url} answered {response.status}: {response.body[:300]!r}")
