"""What the records of followed streams told a run about the follower's records (see ``Stream.follows``).

A :class:`Noted` gathers, while the followed streams are walked, which of the follower's records their changes feed,
on which days, and which of them lost their document; :func:`may_follow` says whether that is all the follower
needs, i.e. whether every change since the follower's last run passed through this run's walks.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date
from typing import Any

from ledgerport.connectors._base.streams import Follows

__all__ = ["Noted", "may_follow", "snapshot_key"]


class Noted:
    """The follower's records that this run's walks of its followed streams changed or removed."""

    def __init__(self, follows: Follows) -> None:
        self.follows = follows
        self.changed: dict[str, date | None] = {}
        self.gone: set[str] = set()

    def note(self, stream: str, records: Iterable[Any], deleted: Iterable[Any]) -> None:
        """One page of a followed stream: live records change their follower record, deleted ones remove it."""
        key, day = self.follows.key, self.follows.day
        for record in records:
            remote_id = key(stream, record)
            if remote_id is not None:
                self.changed[remote_id] = day(record)
                self.gone.discard(remote_id)
        for record in deleted:
            remote_id = key(stream, record)
            if remote_id is not None:
                self.gone.add(remote_id)
                self.changed.pop(remote_id, None)

    def span(self) -> tuple[date, date] | None:
        """The first and last day of the changed records (``None`` when none has a day)."""
        days = [day for day in self.changed.values() if day is not None]
        return (min(days), max(days)) if days else None


def snapshot_key(follower: str, followed: str) -> str:
    """Where the follower keeps, among its marks, the followed stream's mark as it was when it last ran."""
    return f"{follower}@{followed}"


def may_follow(
    follower: str,
    follows: Follows,
    walked: Collection[str],
    starting: Mapping[str, str],
    marks: Mapping[str, str],
) -> bool:
    """Whether this run saw every change the follower has not: each followed stream was walked earlier in this run
    (``walked``: the streams walked so far) from the very mark it had when the follower last ran.

    A stream left out of the run, or one that moved on in a run that stopped before the follower, fails this, and
    the follower then reads its whole range."""
    return all(
        stream in walked and marks.get(snapshot_key(follower, stream)) == starting.get(stream, "")
        for stream in follows.streams
    )
