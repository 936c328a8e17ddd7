"""What ``ledgerport serve`` refuses, driven over raw sockets on loopback: oversize heads, header floods, slow
clients, floods of connections. Timing is never asserted beyond "closed before a generous deadline"."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from harness import Server, migrate, run, start_server

GENEROUS = 20.0
"""Seconds a test waits for the server to close a connection (the server is told 1 s)."""

REQUEST = b"GET /health HTTP/1.1\r\nHost: ledgerport\r\n"


def _start(tmp_path: Path, **env: str) -> Server:
    url = f"sqlite:///{tmp_path / 'limits.db'}"
    run(migrate(url))
    return start_server(url, tmp_path, **env)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server that gives each request 1 second to arrive."""
    started = _start(tmp_path_factory.mktemp("limits"), LEDGERPORT_REQUEST_TIMEOUT_SECONDS="1")
    yield started
    started.stop()


def connect(server: Server) -> socket.socket:
    parts = urlsplit(server.url)
    connection = socket.create_connection((parts.hostname, parts.port), timeout=GENEROUS)
    connection.settimeout(GENEROUS)
    return connection


def read_one_answer(connection: socket.socket) -> bytes:
    """One whole answer on a kept-alive connection: its head, then as many body bytes as it declares (a head and
    its body may arrive in separate packets)."""
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = connection.recv(65536)
        assert chunk, received
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        chunk = connection.recv(65536)
        assert chunk, received
        body += chunk
    return head + b"\r\n\r\n" + body


def read_until_closed(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes; a timeout (the server kept the connection) fails the test."""
    chunks = []
    try:
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    except ConnectionResetError:
        pass
    return b"".join(chunks)


def exchange(server: Server, payload: bytes) -> bytes:
    """Send ``payload`` on a new connection and return what came back before the server closed it."""
    with connect(server) as connection:
        try:
            connection.sendall(payload)
        except (BrokenPipeError, ConnectionResetError):  # refused before it was all sent
            pass
        return read_until_closed(connection)


def assert_refused(answer: bytes) -> None:
    """431 or 400 and closed, or closed without a word."""
    assert answer == b"" or answer.startswith((b"HTTP/1.1 431 ", b"HTTP/1.1 400 ")), answer[:200]


def assert_served(answer: bytes) -> None:
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]


def headers(count: int, size: int = 1) -> bytes:
    return b"".join(b"X-Field-%d: %s\r\n" % (index, b"v" * size) for index in range(count))


def test_oversize_request_head_is_refused(server: Server) -> None:
    assert_refused(exchange(server, REQUEST + b"X-Big: " + b"a" * 2_000_000 + b"\r\nConnection: close\r\n\r\n"))
    assert_refused(exchange(server, b"GET /health?" + b"q" * 100_000 + b" HTTP/1.1\r\nConnection: close\r\n\r\n"))
    # a large but ordinary head is still served
    assert_served(exchange(server, REQUEST + b"Cookie: " + b"c" * 8_000 + b"\r\nConnection: close\r\n\r\n"))


def test_a_large_body_is_not_counted_as_a_head(server: Server) -> None:
    """A request read whole in one piece, or whose body comes in a read of its own, is served: a bulk request of
    100 objects is tens of KB, and the bytes that complete a request belong to it, not to the next one's head."""
    body = b'{"batch_items": [' + b" " * 30_000 + b"]}"
    head = (
        b"POST /api/accounting/v1/invoices/bulk HTTP/1.1\r\nHost: ledgerport\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    )
    with connect(server) as connection:
        connection.sendall(head + body)  # one read: head and body
        assert read_one_answer(connection).startswith(b"HTTP/1.1 401 ")
        connection.sendall(head)
        time.sleep(0.2)  # the head is parsed alone; the body comes in a later read
        connection.sendall(body)
        assert read_one_answer(connection).startswith(b"HTTP/1.1 401 ")


def test_header_flood_is_refused(server: Server) -> None:
    assert_refused(exchange(server, REQUEST + headers(5_000) + b"Connection: close\r\n\r\n"))
    assert_refused(exchange(server, REQUEST + headers(150) + b"Connection: close\r\n\r\n"))  # few bytes, many fields
    assert_served(exchange(server, REQUEST + headers(50) + b"Connection: close\r\n\r\n"))


def test_slow_clients_are_disconnected(server: Server) -> None:
    stalled = {
        "half a request line": b"GET /hea",
        "a head without its end": REQUEST + b"X-Slow: 1\r\n",
        "a body cut short": b"POST /link/start HTTP/1.1\r\nHost: ledgerport\r\nContent-Length: 100\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n\r\nlink_token=",
        "nothing at all": b"",
    }
    connections = {what: connect(server) for what in stalled}
    try:
        for what, payload in stalled.items():
            connections[what].sendall(payload)
        for what, connection in connections.items():
            try:
                answer = read_until_closed(connection)
            except TimeoutError:
                pytest.fail(f"a connection that sent {what} was still open after {GENEROUS} s")
            assert answer == b"", (what, answer[:200])
    finally:
        for connection in connections.values():
            connection.close()


def test_idle_keep_alive_connection_outlives_the_request_deadline(server: Server) -> None:
    """The deadline runs while a request arrives, not between requests (uvicorn's keep-alive, 5 s, runs there)."""
    with connect(server) as connection:
        connection.sendall(REQUEST + b"\r\n")
        assert read_one_answer(connection).startswith(b"HTTP/1.1 200 ")
        time.sleep(1.5)  # past the 1 s request deadline, well within keep-alive
        connection.sendall(REQUEST + b"Connection: close\r\n\r\n")
        assert_served(read_until_closed(connection))
    # the same kind of pause inside a request is what gets a connection closed
    assert exchange(server, b"GET /hea") == b""


def test_connection_flood_is_answered_503(tmp_path: Path) -> None:
    crowded = _start(tmp_path, LEDGERPORT_MAX_CONCURRENCY="3", LEDGERPORT_REQUEST_TIMEOUT_SECONDS="30")
    held: list[socket.socket] = []
    try:
        for _ in range(2):  # uvicorn counts the connection asking too: the third is one too many
            connection = connect(crowded)
            connection.sendall(REQUEST + b"\r\n")  # served, then held open by keep-alive
            assert connection.recv(65536).startswith(b"HTTP/1.1 200 ")
            held.append(connection)
        answer = exchange(crowded, REQUEST + b"Connection: close\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 503 "), answer[:200]
        for connection in held:
            connection.close()
        deadline = time.monotonic() + GENEROUS
        while not (answer := exchange(crowded, REQUEST + b"Connection: close\r\n\r\n")).startswith(b"HTTP/1.1 200"):
            assert time.monotonic() < deadline, answer[:200]
            time.sleep(0.05)
    finally:
        for connection in held:
            connection.close()
        crowded.stop()
