"""Wake-up hints: how an idle worker learns about a new job before its next poll.

A hint carries only a job kind and may be lost without harm: the row is the truth, and every worker polls anyway
(``poll_interval``). Hints only cut the latency of a freshly submitted job from the poll interval to a round trip.

* :class:`LocalWakeups`: submitters and workers in one event loop (the embedded server); nothing leaves the process.
* :class:`RedisWakeups`: ``LEDGERPORT_REDIS_URL`` is set; ``notify`` publishes the kind on a channel, and every
  process subscribed to it wakes its local subscribers. After a lost connection it wakes everybody (hints may have
  been missed) and resubscribes.

A :class:`Subscription` is a latch, not a queue: a hint that arrives while its worker is busy claiming stays set,
so the worker's next wait returns at once instead of sleeping through it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Collection
from typing import Any, Protocol

import redis.asyncio as aioredis
from redis.exceptions import RedisError

__all__ = ["CHANNEL", "LocalWakeups", "RedisWakeups", "Subscription", "Wakeups", "open_wakeups"]

CHANNEL = "ledgerport:jobs"
_RECONNECT_SECONDS = 1.0

log = logging.getLogger(__name__)


class Subscription:
    """One worker's latch for the job kinds it runs."""

    def __init__(self, kinds: Collection[str]) -> None:
        self.kinds = frozenset(kinds)
        self._event = asyncio.Event()

    def wake(self) -> None:
        """Set the latch."""
        self._event.set()

    @property
    def woken(self) -> bool:
        """Whether a hint arrived since the last :meth:`clear`."""
        return self._event.is_set()

    def clear(self) -> None:
        """Reset the latch; call it just before looking for work, so hints that follow are kept."""
        self._event.clear()

    async def wait(self) -> None:
        """Until the latch is set."""
        await self._event.wait()


class Wakeups(Protocol):
    """What submitters and workers need from a wake-up channel."""

    def notify(self, kind: str) -> None:
        """Send a hint that a job of ``kind`` is due; never blocks, never raises."""

    def subscribe(self, kinds: Collection[str]) -> Subscription:
        """A latch set by hints for any of ``kinds``."""

    def unsubscribe(self, subscription: Subscription) -> None:
        """Stop delivering to ``subscription``."""

    async def close(self) -> None:
        """Release connections and wait for hints still being sent."""


class LocalWakeups:
    """Hints within one process: ``notify`` sets the latches of matching subscribers directly."""

    def __init__(self) -> None:
        self._subscriptions: set[Subscription] = set()

    def notify(self, kind: str) -> None:
        """Wake the subscribers of ``kind`` in this process."""
        self._deliver(kind)

    def subscribe(self, kinds: Collection[str]) -> Subscription:
        """A latch for ``kinds``."""
        subscription = Subscription(kinds)
        self._subscriptions.add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """Forget ``subscription``."""
        self._subscriptions.discard(subscription)

    async def close(self) -> None:
        """Nothing to release."""

    def _deliver(self, kind: str) -> None:
        for subscription in self._subscriptions:
            if kind in subscription.kinds:
                subscription.wake()

    def _wake_all(self) -> None:
        for subscription in self._subscriptions:
            subscription.wake()


class RedisWakeups(LocalWakeups):
    """Hints across processes through a Redis pub/sub channel; build it with :func:`open_wakeups`."""

    def __init__(self, url: str, *, channel: str = CHANNEL) -> None:
        super().__init__()
        self.url = url
        self.channel = channel
        self._client: aioredis.Redis = aioredis.from_url(url)
        self._pubsub: Any = self._client.pubsub()
        self._listener: asyncio.Task[None] | None = None
        self._sending: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Subscribe, and return once Redis confirmed it (a hint published after this is received).

        If Redis is unreachable the worker still runs on polling; the listener keeps trying to subscribe.
        """
        try:
            await self._subscribe()
        except (RedisError, OSError) as exc:
            log.warning("job wake-ups: cannot subscribe to %s yet (%r); polling meanwhile", self.channel, exc)
        self._listener = asyncio.create_task(self._listen(), name=f"wakeups:{self.channel}")

    def notify(self, kind: str) -> None:
        """Publish ``kind`` in the background; a failure is logged and otherwise ignored (it is only a hint)."""
        task = asyncio.get_running_loop().create_task(self._publish(kind))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def close(self) -> None:
        """Stop listening, let pending publishes finish (briefly), close the connections."""
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        if self._sending:
            await asyncio.wait(set(self._sending), timeout=2.0)
        with contextlib.suppress(RedisError, OSError):
            await self._pubsub.aclose()
        with contextlib.suppress(RedisError, OSError):
            await self._client.aclose()

    async def _subscribe(self) -> None:
        await self._pubsub.subscribe(self.channel)
        async with asyncio.timeout(5.0):
            while True:
                message = await self._pubsub.get_message(timeout=1.0)
                if message is not None and message["type"] == "subscribe":
                    return

    async def _publish(self, kind: str) -> None:
        try:
            await self._client.publish(self.channel, kind)
        except (RedisError, OSError) as exc:
            log.warning("job wake-up for %s not sent: %r", kind, exc)

    async def _listen(self) -> None:
        while True:
            try:
                if not self._pubsub.subscribed:
                    await self._subscribe()
                    self._wake_all()  # hints sent while we were away are lost; look for work now
                message = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=None)
            except (RedisError, OSError, TimeoutError) as exc:
                log.warning("job wake-ups: connection to Redis lost (%r); retrying", exc)
                self._wake_all()
                with contextlib.suppress(RedisError, OSError):
                    await self._pubsub.aclose()
                await asyncio.sleep(_RECONNECT_SECONDS)
                continue
            if message is not None and message["type"] == "message":
                data = message["data"]
                self._deliver(data.decode() if isinstance(data, bytes) else str(data))


async def open_wakeups(redis_url: str | None, *, channel: str = CHANNEL) -> LocalWakeups:
    """Redis wake-ups when a URL is configured, in-process ones otherwise; close it when done."""
    if redis_url is None:
        return LocalWakeups()
    wakeups = RedisWakeups(redis_url, channel=channel)
    await wakeups.start()
    return wakeups
