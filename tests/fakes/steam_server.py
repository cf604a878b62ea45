"""A real HTTP fake of Steam's ``ISteamUserAuth/AuthenticateUserTicket/v1``.

Runs a ``ThreadingHTTPServer`` on 127.0.0.1 (free port) in a daemon thread,
so it serves the test process (sync or asyncio tests alike) and any
subprocess (``gatehouse serve``) pointed at ``fake.base_url``.

    with FakeSteam(tickets={"deadbeef": "76561197960287930"}) as steam:
        client = SteamClient(steam.base_url)
        ...
        assert steam.requests == []      # e.g. nothing reached "Steam"

Behaviour, in the order Steam's own checks would apply:

* wrong path -> 404; missing parameter -> 400 (HTML, like Steam)
* ``key`` != ``web_api_key`` -> 403 HTML "Access is denied"
* ``appid`` != ``app_id`` -> 200 error 102 "Ticket for other app"
* non-hex ticket -> 200 error 3 "Invalid parameter"
* ticket not in ``tickets`` -> 200 error 101 "Invalid ticket"
* else 200 ``{"response": {"params": {"result": "OK", "steamid": ...}}}``

``mode`` overrides it: ``"timeout"`` waits ``delay`` seconds before answering,
``"garbage"`` answers 200 text/plain nonsense, ``"5xx-then-ok"`` answers 503
to the first ``fail_first`` requests. Every attribute may be changed while
the server runs. ``requests`` records each request received (path + query).

Run standalone for manual tests:
``python -m tests.fakes.steam_server --ticket deadbeef=76561197960287930``.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

import pytest

__all__ = ["FakeSteam", "Mode", "RecordedRequest", "fake_steam"]

Mode = Literal["ok", "timeout", "garbage", "5xx-then-ok"]

PATH = "/ISteamUserAuth/AuthenticateUserTicket/v1/"
DEFAULT_KEY = "test-web-api-key"
DEFAULT_APP_ID = 480
_HEX = re.compile(r"[0-9a-fA-F]+")
_FORBIDDEN_HTML = (
    b"<html><head><title>Forbidden</title></head><body><h1>Forbidden</h1>"
    b"Access is denied. Retrying will not help. Please verify your "
    b"<pre>key=</pre> parameter.</body></html>"
)


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]

    @property
    def ticket(self) -> str | None:
        return self.query.get("ticket")


@dataclass
class FakeSteam:
    tickets: dict[str, str] = field(default_factory=dict)
    web_api_key: str = DEFAULT_KEY
    app_id: int = DEFAULT_APP_ID
    mode: Mode = "ok"
    #: "timeout" mode: seconds to wait before answering (set above the client timeout).
    delay: float = 2.0
    #: "5xx-then-ok" mode: how many requests get a 503 first.
    fail_first: int = 1
    #: When set, tickets were made with ``GetAuthTicketForWebApi(identity)``: Steam
    #: accepts them only when the ``identity`` parameter names the same.
    identity: str | None = None
    host: str = "127.0.0.1"
    port: int = 0
    requests: list[RecordedRequest] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeSteam is not running")
        return f"http://{self.host}:{self._server.server_address[1]}"

    def start(self) -> FakeSteam:
        server = ThreadingHTTPServer((self.host, self.port), _make_handler(self))
        server.daemon_threads = True
        self._stopping.clear()
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()  # releases handlers sleeping in "timeout" mode
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeSteam:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget recorded requests and go back to normal answers."""
        with self._lock:
            self.requests.clear()
        self.mode = "ok"

    # -- behaviour -----------------------------------------------------------

    def _record(self, request: RecordedRequest) -> int:
        with self._lock:
            self.requests.append(request)
            return len(self.requests)

    def _answer(
        self, method: str, raw_path: str
    ) -> tuple[int, str, bytes]:  # status, content type, body
        parts = urlsplit(raw_path)
        query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        number = self._record(RecordedRequest(method, parts.path, query))

        if self.mode == "timeout":
            self._stopping.wait(self.delay)
        elif self.mode == "garbage":
            return 200, "text/plain", b"<<< this is not json >>>"
        elif self.mode == "5xx-then-ok" and number <= self.fail_first:
            return 503, "text/html", b"<html><body>Service Unavailable</body></html>"

        if parts.path.rstrip("/") != PATH.rstrip("/"):
            return 404, "text/html", b"<html><body>Not Found</body></html>"
        for name in ("key", "appid", "ticket"):
            if name not in query:
                body = f"<html><body>Required parameter '{name}' is missing</body></html>"
                return 400, "text/html", body.encode()
        if query["key"] != self.web_api_key:
            return 403, "text/html", _FORBIDDEN_HTML
        if query["appid"] != str(self.app_id):
            return _error(102, "Ticket for other app")
        if not _HEX.fullmatch(query["ticket"]):
            return _error(3, "Invalid parameter")
        known = {k.lower(): v for k, v in self.tickets.items()}
        steamid = known.get(query["ticket"].lower())
        if steamid is None:
            return _error(101, "Invalid ticket")
        if self.identity is not None and query.get("identity") != self.identity:
            return _error(101, "Invalid ticket")  # made for another service
        params = {
            "result": "OK",
            "steamid": steamid,
            "ownersteamid": steamid,
            "vacbanned": False,
            "publisherbanned": False,
        }
        return _json(200, {"response": {"params": params}})


def _json(status: int, payload: Any) -> tuple[int, str, bytes]:
    return status, "application/json; charset=utf-8", json.dumps(payload).encode()


def _error(code: int, desc: str) -> tuple[int, str, bytes]:
    return _json(200, {"response": {"error": {"errorcode": code, "errordesc": desc}}})


def _make_handler(fake: FakeSteam) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            status, content_type, body = fake._answer("GET", self.path)
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout mode)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

    return Handler


@pytest.fixture
def fake_steam() -> Iterator[FakeSteam]:
    """A running fake; use ``pytest_plugins = ["tests.fakes.steam_server"]`` or import it."""
    with FakeSteam() as fake:
        yield fake


def _main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--key", default=DEFAULT_KEY)
    parser.add_argument("--app-id", type=int, default=DEFAULT_APP_ID)
    parser.add_argument("--ticket", action="append", default=[], help="HEX=STEAMID")
    args = parser.parse_args()
    tickets = dict(t.split("=", 1) for t in args.ticket)
    with FakeSteam(tickets=tickets, web_api_key=args.key, app_id=args.app_id, port=args.port) as f:
        print(f.base_url, flush=True)
        threading.Event().wait()


if __name__ == "__main__":
    _main()
