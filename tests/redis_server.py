"""A private ``redis-server`` on a free port, for tests that stop, pause or
reconfigure Redis (the shared local server is never touched)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gatehouse.settings import Settings
from gatehouse.wiring import Services, build_services
from tests.helpers import fast_passwords


class RedisServer:
    def __init__(self, workdir: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.workdir = workdir
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, *extra: str) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                *extra,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


class FakeRedis:
    """A RESP server on a free port that answers ``INFO`` as Redis ``version`` would
    (``PING``, ``AUTH`` and ``SELECT`` too; anything else is an error): for version
    checks against servers the machine does not have."""

    def __init__(self, version: str) -> None:
        import socketserver

        import hiredis

        info = f"# Server\r\nredis_version:{version}\r\nredis_mode:standalone\r\n".encode()

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                reader = hiredis.Reader()
                while data := self.request.recv(65536):
                    reader.feed(data)
                    while (command := reader.gets()) is not False:
                        name = command[0].upper()
                        if name == b"INFO":
                            reply = b"$%d\r\n%s\r\n" % (len(info), info)
                        elif name == b"PING":
                            reply = b"+PONG\r\n"
                        elif name in (b"AUTH", b"SELECT"):
                            reply = b"+OK\r\n"
                        else:
                            reply = b"-ERR unknown command\r\n"
                        self.request.sendall(reply)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def outage_services(
    tmp_path: Path, database_url: str, redis_server: RedisServer, monkeypatch: Any
) -> tuple[Settings, Services]:
    """Settings and services on ``redis_server``, retrying Redis at once after a
    failure (so a test sees the moment it comes back)."""
    monkeypatch.setattr("gatehouse.adapters.cache.redis._RETRY_AFTER_FAILURE_S", 0.0)
    settings = Settings.from_env(
        {
            "GATEHOUSE_DATA_DIR": str(tmp_path / "data"),
            "GATEHOUSE_DATABASE_URL": database_url,
            "GATEHOUSE_REDIS_URL": redis_server.url,
        }
    )
    return settings, build_services(settings, passwords=fast_passwords())
