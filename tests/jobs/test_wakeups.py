"""Wake-up hints: latches keep a hint that arrives while the worker is busy; an absent Redis is never fatal."""

from __future__ import annotations

import asyncio
import socket

from ledgerport.jobs import LocalWakeups, RedisWakeups, open_wakeups


async def test_a_latch_keeps_hints_for_its_kinds_only() -> None:
    wakeups = LocalWakeups()
    sync, other = wakeups.subscribe(["sync.run"]), wakeups.subscribe(["webhooks.deliver"])
    wakeups.notify("sync.run")
    assert sync.woken
    assert not other.woken
    await asyncio.wait_for(sync.wait(), timeout=1)  # set before the wait began: returns at once
    sync.clear()
    wakeups.unsubscribe(sync)
    wakeups.notify("sync.run")
    assert not sync.woken
    await wakeups.close()


async def test_open_wakeups_without_redis_is_in_process() -> None:
    wakeups = await open_wakeups(None)
    assert type(wakeups) is LocalWakeups
    await wakeups.close()


async def test_an_unreachable_redis_degrades_to_polling() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    wakeups = await open_wakeups(f"redis://127.0.0.1:{port}/0", channel="ledgerport:test:nowhere")
    assert isinstance(wakeups, RedisWakeups)
    subscription = wakeups.subscribe(["sync.run"])
    wakeups.notify("sync.run")  # logged and dropped; never raises
    await asyncio.sleep(0.1)
    assert subscription.woken, "a listener that lost Redis wakes everybody: hints may have been missed"
    await wakeups.close()
