"""A real Gatehouse server, set up through its CLI, on a free port (SDK and e2e tests).

The Session Storage surface must work with the official Palabra Python SDK
(PyPI ``palabra-ai``) unchanged; these tests drive that SDK against a real
``gatehouse serve`` process. The server is prepared only through the public
CLI (``migrate``, ``project create/set``, ``user create``, ``client create``)
in a fresh ``GATEHOUSE_DATA_DIR``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 20.0
CLI_TIMEOUT_S = 120.0

# Realtime endpoints of the test project. Reserved .test names: the SDK
# calls never connect to them (create/delete only use the REST API).
WS_URL = "wss://rt.gatehouse.test/streaming-api/v1/ws"
WEBRTC_URL = "wss://rt.gatehouse.test/livekit"


@dataclass
class GatehouseServer:
    base_url: str
    client_id: str
    client_secret: str
    user_id: int
    project_id: int
    ws_url: str
    webrtc_url: str
    data_dir: Path
    stderr_path: Path
    process: subprocess.Popen = field(repr=False)

    @property
    def headers(self) -> dict[str, str]:
        """The client-application headers, spelled as the docs spell them."""
        return {"ClientID": self.client_id, "ClientSecret": self.client_secret}

    def url(self, path: str) -> str:
        return self.base_url + path

    def stderr_tail(self, limit: int = 4000) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")[-limit:]
        except OSError:
            return ""


def _env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["GATEHOUSE_DATA_DIR"] = str(data_dir)
    env.setdefault("PYTHONUNBUFFERED", "1")
    if importlib.util.find_spec("gatehouse") is None:
        # Not installed (e.g. a bare checkout): run it from the source tree.
        src = str(REPO_ROOT / "src")
        env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), src) if p)
    return env


def cli(env: dict[str, str], cwd: Path, *args: str) -> str:
    __tracebackhide__ = True
    cmd = [sys.executable, "-m", "gatehouse", *args]
    try:
        proc = subprocess.run(
            cmd,
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT_S,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as e:
        pytest.fail(
            f"`gatehouse {' '.join(args)}` timed out after {CLI_TIMEOUT_S}s\n"
            f"stdout: {e.stdout!r}\nstderr: {e.stderr!r}"
        )
    if proc.returncode != 0:
        pytest.fail(
            f"`gatehouse {' '.join(args)}` exited {proc.returncode}\n"
            f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        )
    return proc.stdout


def cli_json(env: dict[str, str], cwd: Path, *args: str) -> dict:
    __tracebackhide__ = True
    out = cli(env, cwd, *args)
    try:
        value = json.loads(out)
    except ValueError:
        # Tolerate log lines before the JSON document: take the last JSON line.
        value = None
        for line in reversed(out.strip().splitlines()):
            line = line.strip()
            if line.startswith("{"):
                try:
                    value = json.loads(line)
                    break
                except ValueError:
                    continue
    if not isinstance(value, dict):
        pytest.fail(f"`gatehouse {' '.join(args)}` printed no JSON object:\n{out}")
    return value


def cli_user_with_client(
    env: dict[str, str], cwd: Path, project_id: int, username: str
) -> tuple[int, dict[str, str]]:
    """A user of the project and a client application of theirs, made with the CLI:
    (user id, the ``ClientID``/``ClientSecret`` headers)."""
    user = cli_json(
        env, cwd, "user", "create", "--project", str(project_id), "--username", username, "--json"
    )
    client = cli_json(env, cwd, "client", "create", "--user", str(user["id"]), "--json")
    return int(user["id"]), {
        "ClientID": client["client_id"],
        "ClientSecret": client["client_secret"],
    }


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthz(base_url: str) -> int | None:
    try:
        with urllib.request.urlopen(base_url + "/healthz", timeout=2) as resp:
            return resp.status
    except urllib.error.HTTPError as e:
        return e.code
    except (urllib.error.URLError, OSError):
        return None


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def start_server(
    env: dict[str, str], data_dir: Path, *, public_url: bool = False
) -> tuple[subprocess.Popen, str, Path]:
    """Start `gatehouse serve` on a free port; retry if the port was taken meanwhile.
    ``public_url``: set ``GATEHOUSE_PUBLIC_URL`` to the address it listens on."""
    __tracebackhide__ = True
    last_err = ""
    for attempt in range(3):
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        if public_url:
            env = {**env, "GATEHOUSE_PUBLIC_URL": base_url}
        out_path = data_dir / f"serve-{attempt}.stdout"
        err_path = data_dir / f"serve-{attempt}.stderr"
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gatehouse",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                env=env,
                cwd=data_dir,
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        status = None
        while time.monotonic() < deadline and proc.poll() is None:
            status = _healthz(base_url)
            if status == 200:
                return proc, base_url, err_path
            time.sleep(0.1)
        exited = proc.poll()
        stop_server(proc)
        last_err = (
            f"`gatehouse serve` on port {port} "
            + (
                f"exited with {exited}"
                if exited is not None
                else f"did not answer GET /healthz with 200 within {STARTUP_TIMEOUT_S:.0f}s"
                f" (last: {status})"
            )
            + f"\n--- stderr ---\n{err_path.read_text(errors='replace')[-6000:]}"
            + f"\n--- stdout ---\n{out_path.read_text(errors='replace')[-2000:]}"
        )
        stderr_text = err_path.read_text(errors="replace").lower()
        if exited is None or "address already in use" not in stderr_text:
            break
    pytest.fail(last_err)


@pytest.fixture(scope="module")
def gatehouse_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatehouseServer]:
    data_dir = tmp_path_factory.mktemp("gatehouse-sdk")
    env = _env(data_dir)

    cli(env, data_dir, "migrate")
    project = cli_json(env, data_dir, "project", "create", "sdk-compat", "--json")
    project_id = int(project["id"])
    cli(
        env,
        data_dir,
        "project",
        "set",
        str(project_id),
        "--ws-url",
        WS_URL,
        "--webrtc-url",
        WEBRTC_URL,
    )
    user_id, client = cli_user_with_client(env, data_dir, project_id, "sdk-user")
    client_id, client_secret = client["ClientID"], client["ClientSecret"]
    assert isinstance(client_id, str) and client_id, client
    assert isinstance(client_secret, str) and client_secret, client

    proc, base_url, err_path = start_server(env, data_dir)
    server = GatehouseServer(
        base_url=base_url,
        client_id=client_id,
        client_secret=client_secret,
        user_id=user_id,
        project_id=project_id,
        ws_url=WS_URL,
        webrtc_url=WEBRTC_URL,
        data_dir=data_dir,
        stderr_path=err_path,
        process=proc,
    )
    try:
        yield server
    finally:
        stop_server(proc)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """On a failure, show what the server said (and whether it is still running)."""
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        server = getattr(item, "funcargs", {}).get("gatehouse_server")
        if isinstance(server, GatehouseServer):
            report.sections.append(
                (
                    "gatehouse serve stderr (tail)",
                    f"process exit code: {server.process.poll()} (None = still running)\n"
                    + server.stderr_tail(),
                )
            )
