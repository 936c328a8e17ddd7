"""Subprocess handling shared by the benchmarks."""

from __future__ import annotations

import subprocess

__all__ = ["stop"]


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
