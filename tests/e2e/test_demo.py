"""``make run`` as a new user meets it: the demo starts, and the curl line and SDK snippet it prints work."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from harness import free_port


def _read_banner(process: subprocess.Popen[str], timeout: float = 180) -> str:
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise AssertionError(f"demo exited early with {process.wait()}")
        lines.append(line)
        if line.strip() == "'":  # the SDK snippet's closing quote ends the banner
            return "".join(lines)
    raise AssertionError("demo printed no instructions in time")


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    port = free_port()
    env = {**os.environ, "LEDGERPORT_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}", "LEDGERPORT_PORT": str(port)}
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "ledgerport", "demo"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        yield _read_banner(process), tmp_path
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_until_serving(url: str) -> None:
    import httpx

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("demo server did not come up")


def test_printed_curl_and_sdk_snippet_work(demo: tuple[str, Path]) -> None:
    banner, _ = demo
    url = re.search(r"serving the demo at (\S+)", banner)
    assert url is not None
    _wait_until_serving(url.group(1))

    curl = re.search(r"^  (curl .*?)$\n^    (.*?)$", banner, re.MULTILINE)
    assert curl is not None
    command = curl.group(1).rstrip("\\").rstrip() + " " + curl.group(2)
    body = subprocess.run(["bash", "-c", command], capture_output=True, text=True, check=True, timeout=30).stdout
    page = json.loads(body)
    assert len(page["results"]) == 2
    assert isinstance(page["results"][0]["contact"], dict | None)  # expand=contact was honoured
    assert page["next"]

    snippet = re.search(r"^  python -c '\n(.*?)^'$", banner, re.MULTILINE | re.DOTALL)
    assert snippet is not None
    printed = subprocess.run([sys.executable, "-c", snippet.group(1)], capture_output=True, text=True, timeout=60)
    assert printed.returncode == 0, printed.stderr
    assert len(printed.stdout.splitlines()) == 5

    # The demo's server has the limits `ledgerport serve` has: a header flood is refused.
    parts = urlsplit(url.group(1))
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as connection:
        fields = b"".join(b"X-Field-%d: v\r\n" % index for index in range(5_000))
        try:
            connection.sendall(b"GET /health HTTP/1.1\r\nHost: demo\r\n" + fields + b"Connection: close\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = b""
        try:
            while chunk := connection.recv(65536):
                answer += chunk
        except ConnectionResetError:  # refused before it was all read
            pass
    assert not answer.startswith(b"HTTP/1.1 200"), answer[:200]
