"""What a sync run tells the people watching it: ``sync-status``, ``issues`` and the linked account's status.

The rules, so that a status never says more than is true:

* A run that fails shows ``FAILED`` with its cause's reason on every model it had not finished, opens (or bumps)
  the one ongoing issue of that cause, and marks the account ``RELINK_NEEDED`` when the grant is gone.
* A failure that persists while the run is still retrying a call (the same call failed ``REPORT_AFTER`` times in
  a row) is shown the same way at once, not after the retries are spent: a provider that is down reads ``FAILED``
  within a second or so, not minutes later. The next page the run stores shows ``SYNCING`` again.
* A run that starts after a failure (a retry) keeps showing it until the provider answers
  (:func:`~ledgerport.store.sync_states.begin_sync`), so a pending or starting retry never reads ``SYNCING``.
* Success shows ``DONE``, resolves the account's ongoing issues and marks the account ``COMPLETE``.

Reasons are causes (:func:`~ledgerport.connectors._base.errors.cause_of`), never exception messages: hosts, URLs,
library text and tracebacks stay in the logs. An issue's description is its cause's reason, which is why one
cause is one issue however many calls failed with it.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Sequence

from ledgerport.connectors._base import AuthRevoked, Cause, ConnectorError, cause_of
from ledgerport.store import Database, WriteSession
from ledgerport.store.accounts import set_account_status
from ledgerport.store.issues import raise_issue, resolve_issues
from ledgerport.store.sync_states import SyncState, abandon_sync, end_sync, list_sync_states, show_failure, show_syncing
from ledgerport.sync.events import sync_completed, synced

__all__ = ["INTERNAL", "REPORT_AFTER", "RunStatus", "failure_cause", "record_abandoned", "stopped_cause"]

log = logging.getLogger(__name__)

INTERNAL = Cause("internal_error", "The sync stopped on an internal error.")
"""Any failure that is not the provider's (a bug, the database): its text is for the logs only."""

REPORT_AFTER = 2
"""A call that failed this many times in a row is shown as failed while it is retried; a single blip is not."""


def failure_cause(error: BaseException) -> Cause:
    """The cause users are told for a run that ended with ``error``."""
    return cause_of(error) if isinstance(error, ConnectorError) else INTERNAL


def stopped_cause(reason: str) -> Cause:
    """The cause of a sync the job worker gave up on (``reason``: the worker's own words, which hold no hosts)."""
    return Cause("worker_stopped", f"{reason[:1].upper()}{reason[1:]}.")


async def _raise(
    session: WriteSession, *, organization_id: uuid.UUID, account_id: uuid.UUID, cause: Cause, model: str | None
) -> None:
    await raise_issue(
        session,
        organization_id=organization_id,
        linked_account_id=account_id,
        description=cause.reason,
        details=[] if model is None else [f"Last seen while syncing {model}."],
    )


class RunStatus:
    """One run's reports; the engine calls it as the run goes. ``models`` are the run's, in sync order.

    A model that is done, and a run that succeeded, are also told to webhook endpoints (``{Model}.synced``,
    ``LinkedAccount.sync_completed``) in the transaction that records them.
    """

    def __init__(
        self,
        database: Database,
        *,
        organization_id: uuid.UUID,
        account_id: uuid.UUID,
        models: Sequence[str],
        integration: str = "",
        integration_name: str = "",
    ) -> None:
        self._database = database
        self._organization_id = organization_id
        self._account_id = account_id
        self._integration = integration
        self._integration_name = integration_name
        self._models = list(models)
        self._initial = False
        """Whether some model of this run had never been synced."""
        self._unfinished = list(models)
        self._shown: Cause | None = None
        """The failure this run shows right now (while retrying), if any."""
        self._stale = True
        """Whether some unfinished model may show ``FAILED`` (from an earlier run, or this run's retries)."""
        self._lock = asyncio.Lock()

    async def progress(self) -> None:
        """A page was stored: the provider answers, so nothing unfinished shows a failure any more."""
        if not self._stale:
            return
        async with self._lock:
            async with self._database.write() as session:
                await show_syncing(session, linked_account_id=self._account_id, models=self._unfinished)
            self._stale, self._shown = False, None

    async def retrying(self, error: ConnectorError, failures: int) -> None:
        """A call failed ``failures`` times in a row and will be tried again (the client's ``on_retry``).

        Best effort: a report that cannot be written is logged, and the run goes on retrying.
        """
        cause = cause_of(error)
        if failures < REPORT_AFTER:
            return
        async with self._lock:
            if cause == self._shown:
                return
            try:
                async with self._database.write() as session:
                    await show_failure(
                        session, linked_account_id=self._account_id, models=self._unfinished, reason=cause.reason
                    )
                    await _raise(
                        session,
                        organization_id=self._organization_id,
                        account_id=self._account_id,
                        cause=cause,
                        model=self._current,
                    )
            except Exception:
                log.exception("showing the failure of a sync of %s failed", self._account_id)
                return
            self._shown, self._stale = cause, True

    async def model_done(self, model: str) -> None:
        """Every mapping of ``model`` was walked: it is ``DONE``."""
        async with self._lock, self._database.write() as session:
            before = await self._state(session, model)
            initial = before is None or before.is_initial_sync
            self._initial = self._initial or initial
            await end_sync(session, linked_account_id=self._account_id, model=model, succeeded=True)
            after = await self._state(session, model)
            if after is not None:
                await synced(
                    session,
                    organization_id=self._organization_id,
                    account_id=self._account_id,
                    integration=self._integration,
                    integration_name=self._integration_name,
                    state=after,
                    initial=initial,
                )
        self._unfinished = [name for name in self._unfinished if name != model]

    async def _state(self, session: WriteSession, model: str) -> SyncState | None:
        states = await list_sync_states(session, linked_account_id=self._account_id)
        return next((state for state in states if state.model == model), None)

    async def failed(self, error: BaseException) -> None:
        """The run ended with ``error``; if this cannot be written it is logged, and ``error`` still propagates."""
        cause = failure_cause(error)
        try:
            async with self._lock, self._database.write() as session:
                for model in self._unfinished:
                    await end_sync(
                        session, linked_account_id=self._account_id, model=model, succeeded=False, reason=cause.reason
                    )
                if isinstance(error, AuthRevoked):
                    await set_account_status(session, account_id=self._account_id, status="RELINK_NEEDED")
                await _raise(
                    session,
                    organization_id=self._organization_id,
                    account_id=self._account_id,
                    cause=cause,
                    model=self._current,
                )
        except Exception:
            log.exception("recording the failure of a sync of %s failed", self._account_id)

    async def succeeded(self) -> None:
        """Every model is done: the account's issues are resolved and it is ``COMPLETE``."""
        async with self._lock, self._database.write() as session:
            await resolve_issues(session, linked_account_id=self._account_id)
            await set_account_status(session, account_id=self._account_id, status="COMPLETE")
            states = await list_sync_states(session, linked_account_id=self._account_id)
            await sync_completed(
                session,
                organization_id=self._organization_id,
                account_id=self._account_id,
                integration=self._integration,
                integration_name=self._integration_name,
                states=[state for state in states if state.model in self._models],
                initial=self._initial,
            )

    @property
    def _current(self) -> str | None:
        return self._unfinished[0] if self._unfinished else None


async def record_abandoned(
    database: Database, *, organization_id: uuid.UUID, account_id: uuid.UUID, reason: str
) -> None:
    """The job worker gave the account's sync up without running it: its unfinished models and an issue say why."""
    cause = stopped_cause(reason)
    async with database.write() as session:
        unfinished = await abandon_sync(session, linked_account_id=account_id, reason=cause.reason)
        await _raise(
            session,
            organization_id=organization_id,
            account_id=account_id,
            cause=cause,
            model=unfinished[0] if unfinished else None,
        )
