"""Subprocess handling shared by the benchmarks: start, wait for, run and stop ``ledgerport`` processes."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

__all__ = ["cli", "free_port", "spawn", "stop", "wait_answering"]


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    """Terminate every process, kill those that do not exit within 10 s, and forget them."""
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    procs.clear()


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def spawn(
    argv: list[str], env: dict[str, str], log: Path, procs: list[subprocess.Popen[bytes]]
) -> subprocess.Popen[bytes]:
    """Start ``argv`` with its output in ``log``; ``procs`` remembers it for :func:`stop`."""
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    procs.append(proc)
    return proc


def wait_answering(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 120) -> None:
    """Until ``url`` answers 200; fails with the log's tail when the process exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited with {proc.returncode}:\n{log.read_text()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer:\n{log.read_text()[-2000:]}")


def cli(env: dict[str, str], *args: str) -> dict[str, Any]:
    """``python -m ledgerport <args> --json``: its one JSON object."""
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "ledgerport", *args, "--json"], env=env, capture_output=True, timeout=300, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"ledgerport {' '.join(args[:2])}: {done.stderr.decode()[-2000:]}")
    return dict(json.loads(done.stdout))
