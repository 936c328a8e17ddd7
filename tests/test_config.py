"""The embedded default's key file, created by whichever process starts first."""

from __future__ import annotations

import multiprocessing
import stat
from multiprocessing.synchronize import Barrier
from pathlib import Path

from ledgerport.config import Settings, sealing_keys

RACERS = 6


def _race(barrier: Barrier, path: str, results: multiprocessing.Queue[object]) -> None:
    barrier.wait()
    try:
        results.put(sealing_keys(Settings(secret_key_file=path)))
    except Exception as exc:  # noqa: BLE001 - the parent reports what went wrong
        results.put(repr(exc))


def test_processes_starting_together_share_one_key(tmp_path: Path) -> None:
    """The server, worker and CLI of a fresh checkout all start at once; none may fail or diverge."""
    context = multiprocessing.get_context("fork")
    for attempt in range(5):
        path = tmp_path / str(attempt) / "secret.key"
        barrier, results = context.Barrier(RACERS), context.Queue()
        racers = [context.Process(target=_race, args=(barrier, str(path), results)) for _ in range(RACERS)]
        for racer in racers:
            racer.start()
        outcomes = {results.get(timeout=30) for _ in racers}
        for racer in racers:
            racer.join()

        assert outcomes == {(path.read_text(),)}
        assert len(path.read_text()) == 44  # a Fernet key
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert [entry.name for entry in path.parent.iterdir()] == ["secret.key"]


def test_configured_keys_leave_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    assert sealing_keys(Settings(secret_keys=("k",), secret_key_file=str(path))) == ("k",)
    assert not path.exists()
