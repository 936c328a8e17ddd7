"""``ledgerport worker --metrics-port``: a real worker process says where it listens and what it uses in one start
line, serves ``/metrics`` there (the job queue read from the database at each scrape), and stops on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from harness import TEST_SEALING_KEY, free_port, migrate, run


def test_worker_serves_metrics_and_logs_one_start_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ledgerport.db'}"
    run(migrate(url))
    port = free_port()
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "LEDGERPORT_DATABASE_URL": url,
        "LEDGERPORT_SECRET_KEYS": TEST_SEALING_KEY,
        "LEDGERPORT_LOG_FORMAT": "json",
    }
    env.pop("LEDGERPORT_REDIS_URL", None)
    with log.open("wb") as sink:
        worker = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "ledgerport", "worker", "--concurrency", "3", "--metrics-port", str(port)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        answer = None
        while time.monotonic() < deadline and answer is None:
            assert worker.poll() is None, log.read_text()
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2)
            except httpx.TransportError:
                time.sleep(0.1)
        assert answer is not None, f"no /metrics: {log.read_text()}"
        assert answer.status_code == 200
        assert 'ledgerport_jobs_queued{kind="sync.run"} 0.0' in answer.text
        assert "# TYPE ledgerport_job_runs_total counter" in answer.text
        assert httpx.get(f"http://127.0.0.1:{port}/other").status_code == 404
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=20)
    assert worker.returncode == 0, log.read_text()
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    (start,) = [line for line in lines if line["message"].startswith("ledgerport worker:")]
    assert start["listen"] == f"http://127.0.0.1:{port}/metrics"
    assert start["database"] == f"sqlite {(tmp_path / 'ledgerport.db').resolve()}"
    assert start["redis"] == "none"
    assert start["concurrency"] == 3
