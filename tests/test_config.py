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


def test_a_fresh_key_folder_is_private(tmp_path: Path) -> None:
    path = tmp_path / "var" / "secret.key"
    sealing_keys(Settings(secret_key_file=str(path)))
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_embedded_database_is_private_to_its_owner(tmp_path: Path) -> None:
    """``./var`` holds every linked account's data: its folder is 0700, the database and SQLite's side files 0600."""
    import asyncio

    from sqlalchemy import text

    from ledgerport.config import ensure_parent_dir
    from ledgerport.store import Database

    path = tmp_path / "var" / "ledgerport.db"
    url = f"sqlite:///{path}"
    ensure_parent_dir(url)

    async def modes_while_open() -> dict[str, int]:
        database = Database(url)
        try:
            await database.migrate()
            async with database.read() as session:  # the WAL's side files exist while a connection is open
                await session.execute(text("SELECT count(*) FROM organizations"))
                return {file.name: stat.S_IMODE(file.stat().st_mode) for file in path.parent.iterdir()}
        finally:
            await database.dispose()

    modes = asyncio.run(modes_while_open())
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert modes == {"ledgerport.db": 0o600, "ledgerport.db-wal": 0o600, "ledgerport.db-shm": 0o600}


def test_an_existing_database_folder_keeps_its_mode(tmp_path: Path) -> None:
    from ledgerport.config import ensure_parent_dir

    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    ensure_parent_dir(f"sqlite:///{folder / 'ledgerport.db'}")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    assert stat.S_IMODE((folder / "ledgerport.db").stat().st_mode) == 0o600
