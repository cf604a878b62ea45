"""``gatehouse.server.serve`` under uvicorn and under granian, over a real socket.

Each server is started the way ``gatehouse serve`` will start it (a process that
calls ``serve``), on a SQLite file prepared through the CLI, and must: answer
``/healthz``; write the app's own JSON access lines on stderr and no access line
of its own; stop on SIGTERM with status 0 after answering the request in flight;
run two workers.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.live_server import _env, _free_port, _healthz, cli, cli_json, cli_user_with_client

STARTUP_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0

SERVERS = [
    "uvicorn",
    pytest.param(
        "granian",
        marks=pytest.mark.skipif(
            importlib.util.find_spec("granian") is None, reason="granian is not installed"
        ),
    ),
]


@dataclass
class Prepared:
    data_dir: Path
    env: dict[str, str]
    creds: dict[str, str]


@dataclass
class Running:
    proc: subprocess.Popen[bytes]
    base_url: str
    port: int
    stdout: Path
    stderr: Path

    def stderr_lines(self) -> list[str]:
        return self.stderr.read_text(errors="replace").splitlines()

    def diagnostics(self) -> str:
        return (
            f"--- stderr ---\n{self.stderr.read_text(errors='replace')[-6000:]}"
            f"\n--- stdout ---\n{self.stdout.read_text(errors='replace')[-2000:]}"
        )


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    data_dir = tmp_path_factory.mktemp("gatehouse-servers")
    env = _env(data_dir)
    env["GATEHOUSE_DATABASE_URL"] = f"sqlite:///{data_dir / 'gatehouse.sqlite3'}"
    env["GATEHOUSE_LOG_LEVEL"] = "info"
    cli(env, data_dir, "migrate")
    project = cli_json(env, data_dir, "project", "create", "servers", "--json")
    _, creds = cli_user_with_client(env, data_dir, int(project["id"]), "player")
    return Prepared(data_dir, env, creds)


def start(prepared: Prepared, server: str, workers: int, name: str) -> Running:
    """``serve(...)`` in a process of its own, on a free port, answering /healthz."""
    __tracebackhide__ = True
    last = ""
    for attempt in range(3):
        port = _free_port()
        out = prepared.data_dir / f"{name}-{attempt}.stdout"
        err = prepared.data_dir / f"{name}-{attempt}.stderr"
        code = (
            "from gatehouse.server import serve; "
            f"serve('127.0.0.1', {port}, {workers}, server={server!r})"
        )
        with out.open("wb") as stdout, err.open("wb") as stderr:
            proc = subprocess.Popen(
                [sys.executable, "-c", code],
                env=prepared.env,
                cwd=prepared.data_dir,
                stdout=stdout,
                stderr=stderr,
                stdin=subprocess.DEVNULL,
            )
        running = Running(proc, f"http://127.0.0.1:{port}", port, out, err)
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline and proc.poll() is None:
            if _healthz(running.base_url) == 200:
                return running
            time.sleep(0.1)
        stop(proc)
        last = f"{server} on port {port} (exit {proc.poll()})\n{running.diagnostics()}"
        if "address already in use" not in err.read_text(errors="replace").lower():
            break
    pytest.fail(f"serve() did not answer /healthz: {last}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=STOP_TIMEOUT_S)


@pytest.fixture
def servers() -> Iterator[list[Running]]:
    """Every server a test started is killed at its end, whatever happened."""
    started: list[Running] = []
    yield started
    for running in started:
        stop(running.proc)


def terminate(running: Running) -> float:
    """SIGTERM; the exit status must be 0 within STOP_TIMEOUT_S: returns the seconds taken."""
    begin = time.monotonic()
    running.proc.send_signal(signal.SIGTERM)
    try:
        status = running.proc.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running {STOP_TIMEOUT_S}s after SIGTERM\n{running.diagnostics()}")
    assert status == 0, f"exit status {status} after SIGTERM\n{running.diagnostics()}"
    return time.monotonic() - begin


def children(pid: int) -> list[int]:
    """The worker processes of ``pid`` (a resource tracker is no worker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid and b"resource_tracker" not in cmdline:
            found.append(int(entry.name))
    return found


def access_lines(running: Running, route: str) -> list[dict[str, object]]:
    found = []
    for line in running.stderr_lines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if record.get("logger") == "gatehouse.access" and record.get("route") == route:
            found.append(record)
    return found


def assert_no_native_access_line(running: Running) -> None:
    text = running.stderr.read_text(errors="replace") + running.stdout.read_text(errors="replace")
    # uvicorn's and granian's formats: '... "GET /healthz HTTP/1.1" 200 ...'
    assert " HTTP/1.1" not in text, running.diagnostics()
    for logger in ("uvicorn.access", "granian.access"):
        assert f'"logger": "{logger}"' not in text, running.diagnostics()


@pytest.mark.parametrize("server", SERVERS)
def test_serves_health_and_writes_only_the_apps_access_lines(
    prepared: Prepared, servers: list[Running], server: str
) -> None:
    running = start(prepared, server, 1, f"{server}-health")
    servers.append(running)
    with httpx.Client(base_url=running.base_url, timeout=10) as http:
        health = http.get("/healthz", params={"probe": "query-kept-out-of-logs"})
        assert health.status_code == 200
        assert health.json()["status"] == "ok"
        assert http.get("/readyz").json()["checks"] == {"database": "ok"}
        if server == "uvicorn":
            assert "server" not in health.headers
        else:
            # granian adds its own unless the app sends one; it has no switch for it.
            assert health.headers.get("server") in (None, "granian")
        created = http.post(
            "/session-storage/session",
            headers=prepared.creds,
            json={"data": {"subscriber_count": 1, "intent": server}},
        )
        assert created.status_code == 201, created.text
        bearer = {"Authorization": f"Bearer {created.json()['data']['publisher']}"}
        assert http.get("/session-storage/session", headers=bearer).status_code == 200
    terminate(running)

    assert access_lines(running, "/healthz"), running.diagnostics()
    assert access_lines(running, "/session-storage/session"), running.diagnostics()
    assert_no_native_access_line(running)
    logs = running.stderr.read_text(errors="replace")
    assert "query-kept-out-of-logs" not in logs
    assert created.json()["data"]["publisher"] not in logs
    assert running.stdout.read_text(errors="replace").strip() == ""


@pytest.mark.parametrize("server", SERVERS)
def test_sigterm_answers_the_request_in_flight_then_exits_0(
    prepared: Prepared, servers: list[Running], server: str
) -> None:
    running = start(prepared, server, 1, f"{server}-sigterm")
    servers.append(running)
    body = json.dumps({"data": {"subscriber_count": 1, "intent": "in flight"}}).encode()
    head = (
        f"POST /session-storage/session HTTP/1.1\r\nHost: 127.0.0.1:{running.port}\r\n"
        f"ClientID: {prepared.creds['ClientID']}\r\n"
        f"ClientSecret: {prepared.creds['ClientSecret']}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", running.port), timeout=10) as conn:
        # The request has begun (its headers and half its body are in) when the
        # signal arrives; the rest of the body comes after it.
        conn.sendall(head + body[: len(body) // 2])
        conn.settimeout(0.5)
        with pytest.raises(TimeoutError):
            conn.recv(1)  # not answered yet: the app waits for the body
        begin = time.monotonic()
        running.proc.send_signal(signal.SIGTERM)
        time.sleep(1.0)
        assert running.proc.poll() is None, (
            f"exited with a request in flight\n{running.diagnostics()}"
        )
        conn.sendall(body[len(body) // 2 :])
        conn.settimeout(10)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    status_line = answer.split(b"\r\n", 1)[0]
    assert status_line.startswith(b"HTTP/1.1 201"), answer[:500]
    assert b'"publisher"' in answer
    try:
        status = running.proc.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running after SIGTERM\n{running.diagnostics()}")
    assert status == 0, f"exit status {status}\n{running.diagnostics()}"
    assert time.monotonic() - begin < 1.0 + STOP_TIMEOUT_S
    assert access_lines(running, "/session-storage/session"), running.diagnostics()


@pytest.mark.parametrize("server", SERVERS)
def test_two_workers_serve_and_stop_together(
    prepared: Prepared, servers: list[Running], server: str
) -> None:
    running = start(prepared, server, 2, f"{server}-workers")
    servers.append(running)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while len(children(running.proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    workers = children(running.proc.pid)
    assert len(workers) == 2, f"workers: {workers}\n{running.diagnostics()}"

    with httpx.Client(base_url=running.base_url, timeout=10) as http:
        created = http.post("/session-storage/session", headers=prepared.creds)
        assert created.status_code == 201, created.text
        bearer = {"Authorization": f"Bearer {created.json()['data']['publisher']}"}
    for _ in range(20):  # a new connection each time: either worker may take it
        with httpx.Client(base_url=running.base_url, timeout=10) as http:
            assert http.get("/session-storage/session", headers=bearer).status_code == 200
    assert children(running.proc.pid) == workers  # none died on the way

    assert terminate(running) < STOP_TIMEOUT_S
    assert not any(os.path.exists(f"/proc/{pid}") for pid in workers)
    assert len(access_lines(running, "/session-storage/session")) == 21, running.diagnostics()
    assert_no_native_access_line(running)
