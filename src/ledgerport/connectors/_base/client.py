"""The generic provider client: every call goes through one budget, one token source and one error table.

``send`` waits for a budget slot, adds credentials, sends (counting the call in the provider metrics of
:mod:`ledgerport.kit.metrics`), and classifies the answer with the connector's
``ERRORS`` table. It then reacts the same way for every provider: a throttle pauses the whole budget for
``Retry-After`` (every worker calling that account waits, not just this one) and retries; an expired access token
is refreshed once through the :class:`TokenSource` and the call retried; transient failures and malformed bodies
are retried with exponential backoff and jitter, and each such failure is told to ``on_retry`` first (the engine
shows a failure that persists while it is still being retried). What remains is raised to the engine.

``pages`` walks a stream: it builds each page's request from the stream's paginator, reads the records, tells
deletions apart, and yields them with the page's watermark. Pages are yielded in order, but once a full page shows
there are more, up to ``connector.read_ahead`` following pages are already requested.
"""

from __future__ import annotations

import asyncio
import random
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import date, datetime
from typing import Any, Protocol

import msgspec

from ledgerport.connectors._base.auth import TokenSet
from ledgerport.connectors._base.connector import Connector
from ledgerport.connectors._base.errors import (
    AuthExpired,
    AuthRevoked,
    ConnectorError,
    DailyLimitReached,
    Malformed,
    RateLimited,
    Transient,
    classify,
)
from ledgerport.connectors._base.http import Request, Response, Transport
from ledgerport.connectors._base.paging import guard
from ledgerport.connectors._base.streams import DayBound, Stream, StreamContext, dig
from ledgerport.kit.budget import Budget, Quotas
from ledgerport.kit.metrics import PROVIDER_REQUESTS, PROVIDER_THROTTLES, status_class

__all__ = ["OnRetry", "Page", "ProviderClient", "RetryPolicy", "TokenSource"]

OnRetry = Callable[[ConnectorError, int], Awaitable[None]]
"""Told each failure that is about to be retried, with how many times in a row this call has failed so far."""


class TokenSource(Protocol):
    """Where a client gets its access token; the engine implements it with a lock across workers."""

    async def current(self) -> TokenSet:
        """The newest token set (refreshing first if it is about to expire)."""
        ...

    async def refresh(self, stale: TokenSet) -> TokenSet:
        """A token set newer than ``stale`` (someone else may already have refreshed it)."""
        ...


class RetryPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """How hard to try before giving up on one call."""

    attempts: int = 8
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_throttle_wait: float = 600.0
    """A throttle asking for a longer wait than this ends the run instead (it resumes on the next schedule)."""


class Page(msgspec.Struct, frozen=True):
    """One page of a stream: live records, deleted records, and the newest change time seen."""

    records: list[Any]
    deleted: list[Any]
    watermark: datetime | None
    path: str
    last: Any = None
    """The page's last record, live or deleted (where a ``resume`` stream got to)."""


class ProviderClient:
    """Calls one linked account's provider."""

    def __init__(
        self,
        connector: Connector,
        *,
        transport: Transport,
        tokens: TokenSource,
        budget: Budget,
        budget_key: str,
        context: StreamContext,
        retry: RetryPolicy | None = None,
        on_retry: OnRetry | None = None,
    ) -> None:
        self.connector = connector
        self.transport = transport
        self.tokens = tokens
        self.budget = budget
        self.budget_key = budget_key
        self.context = context
        self.retry = retry or RetryPolicy()
        self.on_retry = on_retry
        self.requests_sent = 0
        self._session_learnt = False
        limits = connector.limits
        self._quotas = Quotas(
            per_minute=limits.per_minute, per_day=limits.per_day, concurrent=limits.concurrent, window=limits.window
        )

    def _credentials(self, request: Request, tokens: TokenSet) -> Request:
        """The request with the account's credentials: a bearer token, or the connector's signature."""
        if tokens.signed:
            if self.connector.sign is None:
                raise AuthRevoked(f"{self.connector.name} accounts cannot be called with signing credentials")
            return self.connector.sign(request, tokens.secrets, self.context.account)
        return msgspec.structs.replace(
            request, headers={**request.headers, "Authorization": f"Bearer {tokens.access_token}"}
        )

    async def _once(self, request: Request, tokens: TokenSet) -> Response:
        # Account facts first (they may change the URL's query), the signature last (it covers the query).
        authorized = self._credentials(self.connector.authorize(request, self.context.account), tokens)
        provider = self.connector.key
        async with self.budget.slot(self.budget_key, self._quotas):
            self.requests_sent += 1
            try:
                response = await self.transport.send(authorized)
            except ConnectorError:  # no answer: unreachable, cut off, timed out
                PROVIDER_REQUESTS.labels(provider=provider, status_class="error").inc()
                raise
        PROVIDER_REQUESTS.labels(provider=provider, status_class=status_class(response.status)).inc()
        if response.status == 429:
            PROVIDER_THROTTLES.labels(provider=provider).inc()
        error = classify(response, self.connector.errors)
        if error is not None:
            error.response = response
            raise error
        return response

    async def send(self, request: Request) -> Response:
        """Send with retries; return a successful response or raise a :class:`ConnectorError`."""
        tokens = await self.tokens.current()
        refreshed = False
        failures = throttles = 0
        while True:
            try:
                return await self._once(request, tokens)
            except AuthExpired:
                if refreshed:
                    raise
                tokens, refreshed = await self.tokens.refresh(tokens), True
            except DailyLimitReached:
                raise
            except RateLimited as throttled:
                throttles += 1
                wait = throttled.retry_after
                if throttled.guessed:  # no wait was named: back off exponentially, with jitter
                    wait = min(self.retry.max_delay, wait * 2 ** (throttles - 1))
                    wait *= 0.5 + random.random() / 2  # noqa: S311 - jitter, not security
                if wait > self.retry.max_throttle_wait:
                    raise
                if throttled.guessed:
                    # A concurrency limit (NetSuite): this call found no free slot, the account is not closed for a
                    # window. Only this call waits: pausing the whole budget key would release every waiter at the
                    # same instant, and two of them would meet over the same slot again, time after time.
                    await asyncio.sleep(wait)
                    continue
                await self.budget.pause(self.budget_key, wait)
            except Transient as failed:
                failures += 1
                if failures >= self.retry.attempts:
                    raise
                await self._retrying(failed, failures)
                delay = min(self.retry.max_delay, self.retry.base_delay * 2 ** (failures - 1))
                await asyncio.sleep(delay * (0.5 + random.random() / 2))  # noqa: S311 - jitter, not security

    async def relay(self, request: Request) -> Response:
        """Send once as asked and return the provider's answer whatever its status (passthrough).

        The call shares everything :meth:`send` does (budget, credentials, metrics), and retries only what the
        provider did not act on: a refused access token (refreshed once) and a throttle that names a wait within
        ``max_throttle_wait``. Any other answer, an error included, is the provider's to hand back: a request that
        may change data is never sent twice. Only a call that got no answer at all raises."""
        tokens = await self.tokens.current()
        refreshed = False
        throttles = 0
        while True:
            try:
                return await self._once(request, tokens)
            except AuthExpired as expired:
                if refreshed and expired.response is not None:
                    return expired.response
                tokens, refreshed = await self.tokens.refresh(tokens), True
            except RateLimited as throttled:
                throttles += 1
                answered = throttled.response
                wait = throttled.retry_after
                if throttled.guessed or wait > self.retry.max_throttle_wait or throttles >= self.retry.attempts:
                    if answered is None:
                        raise
                    return answered
                await self.budget.pause(self.budget_key, wait)
            except ConnectorError as failed:
                if failed.response is None:
                    raise
                return failed.response

    async def json(self, request: Request) -> Any:
        """Send and decode; a body cut short is retried like any transient failure."""
        failures = 0
        while True:
            response = await self.send(request)
            try:
                return response.json()
            except Malformed as failed:
                failures += 1
                if failures >= self.retry.attempts:
                    raise
                await self._retrying(failed, failures)
                await asyncio.sleep(self.retry.base_delay * failures)

    async def _retrying(self, error: ConnectorError, failures: int) -> None:
        if self.on_retry is not None:
            await self.on_retry(error, failures)

    async def learn_session_facts(self) -> None:
        """Ask the connector's session facts once, before this client's first walk, into its context."""
        learn = self.connector.session_facts
        if learn is None or self._session_learnt:
            return
        learnt = await learn(self.json, self.context)
        self.context = msgspec.structs.replace(self.context, account={**self.context.account, **learnt})
        self._session_learnt = True

    async def _page(self, stream: Stream, request: Request) -> tuple[Any, list[Any]]:
        """One page's body and its records, completed by the stream's second request if it has one."""
        body = await self.json(request)
        records = (dig(body, stream.records) if isinstance(stream.records, str) else stream.records(body)) or []
        if not isinstance(records, list):
            raise Malformed(f"{stream.name}: expected a list at {stream.records!r}")
        if stream.expand is not None and records:
            records = await stream.expand(self.json, self.context, records)
        return body, records

    async def pages(
        self,
        stream: Stream,
        since: datetime | None,
        after: Mapping[str, Any] | None = None,
        span: tuple[date, date] | None = None,
        bounds: tuple[DayBound, ...] = (),
    ) -> AsyncIterator[Page]:
        """Every page of ``stream`` changed after ``since`` (everything when ``None``); ``after`` starts a
        ``resume`` stream after the position a previous sync reached (``StreamContext.after``); ``span`` narrows a
        ``follows`` stream to the days its followed streams changed (``StreamContext.span``); ``bounds`` are the
        selective-sync conditions its query may apply (``StreamContext.bounds``).

        Following pages are fetched while the caller stores this one, so provider latency overlaps with mapping
        and storing, and a sync under a provider's rate limit spends its waits working. Requests ahead assume full
        pages; a short page, or the listing's last position (``stream.total``), ends the walk, and what was asked
        beyond it is dropped. Until that position is known only one page is asked ahead, as no more can be wasted.
        """
        await self.learn_session_facts()
        if stream.next_link is not None:
            async for page in self._follow(stream, since, stream.next_link):
                yield page
            return
        paging, total, reach = stream.paging, stream.total, max(1, self.connector.read_ahead)
        seen: set[str] = set()
        ahead: deque[tuple[int, Request, asyncio.Task[Any]]] = deque()
        last: int | None = None
        counting: asyncio.Task[Any] | None = None

        context = msgspec.structs.replace(
            self.context, after=None if after is None else dict(after), span=span, bounds=bounds
        )

        def ask(position: int) -> None:
            request = stream.request(context, since, position, paging.size)
            ahead.append((position, request, asyncio.ensure_future(self._page(stream, request))))

        ask(paging.first)
        try:
            while ahead:
                position, request, fetching = ahead.popleft()
                body, records = await fetching
                guard(seen, [str(stream.key_of(record)) for record in records])
                page = _assemble(stream, records, request.url)
                following = paging.advance(position, len(records))
                if following is not None and stream.reach is not None and following >= stream.reach:
                    # The query can page no further: a new one goes on after the last record read. What was
                    # asked ahead, and what was counted, belong to the old query.
                    await _drop(ahead)
                    if counting is not None:
                        counting.cancel()
                        await asyncio.gather(counting, return_exceptions=True)
                    context = msgspec.structs.replace(context, after=records[-1])
                    following, last, counting = paging.first, None, None
                if total is not None:
                    if total.request is None:
                        last = _position(body, total.path, last)
                    elif counting is None:
                        if following is not None and reach > 1:  # a full page: more to come, so learn how much
                            counting = asyncio.ensure_future(self.json(total.request(context, since)))
                    elif last is None and counting.done():
                        # a count that failed leaves the walk as it would be without one
                        last = _position(None if counting.exception() else counting.result(), total.path, None)
                if following is None or (last is not None and following > last):
                    await _drop(ahead)
                else:
                    if ahead and ahead[0][0] != following:  # the page held more or fewer than a full page
                        await _drop(ahead)
                    depth = reach if last is not None or total is None else 1
                    planned = ahead[-1][0] if ahead else None
                    while len(ahead) < depth:
                        planned = following if planned is None else paging.advance(planned, paging.size)
                        if planned is None or (last is not None and planned > last):
                            break
                        if stream.reach is not None and planned >= stream.reach:
                            break  # the query cannot go there: the next one starts after this one's last record
                        ask(planned)
                yield page
        finally:
            await _drop(ahead)  # the caller stopped early: drop pages it will never read
            if counting is not None:
                counting.cancel()
                await asyncio.gather(counting, return_exceptions=True)

    async def _follow(self, stream: Stream, since: datetime | None, link_key: str) -> AsyncIterator[Page]:
        """Server-driven paging: each page names the next one's URL at ``link_key``, which is asked (with the
        first request's headers) while the caller stores the page in hand."""
        request = stream.request(self.context, since, stream.paging.first, stream.paging.size)
        seen: set[str] = set()
        fetching: asyncio.Task[tuple[Any, list[Any]]] | None = asyncio.ensure_future(self._page(stream, request))
        try:
            while fetching is not None:
                body, records = await fetching
                fetching = None
                guard(seen, [str(stream.key_of(record)) for record in records])
                page = _assemble(stream, records, request.url)
                link = body.get(link_key) if isinstance(body, dict) else None
                if link and records:
                    request = msgspec.structs.replace(request, url=str(link), params=())
                    fetching = asyncio.ensure_future(self._page(stream, request))
                yield page
        finally:
            if fetching is not None:  # the caller stopped early
                fetching.cancel()
                await asyncio.gather(fetching, return_exceptions=True)


def _assemble(stream: Stream, records: list[Any], path: str) -> Page:
    """A page of records: live ones, deleted ones, and the newest change time among them."""
    deleted = [r for r in records if stream.deleted is not None and stream.deleted(r)]
    live = [r for r in records if not (stream.deleted is not None and stream.deleted(r))]
    marks = [m for m in (stream.since.of(r) for r in records) if m is not None] if stream.since else []
    return Page(
        records=live,
        deleted=deleted,
        watermark=max(marks) if marks else None,
        path=path,
        last=records[-1] if records else None,
    )


def _position(body: Any, path: str, known: int | None) -> int | None:
    """The last position an answer states at ``path``, or what was known before when it states none."""
    value = dig(body, path) if isinstance(body, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else known


async def _drop(ahead: deque[tuple[int, Request, asyncio.Task[Any]]]) -> None:
    """Cancel requests whose pages will not be read, and wait for them to let go of their budget slots."""
    tasks = [task for _, _, task in ahead]
    ahead.clear()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
