"""Benchmark Gatehouse's hot paths against a bare Starlette app, measured the same way.

Every server (Gatehouse, the "hello" ceiling, fastapi-users) runs as one worker
pinned to CPU 0; wrk runs pinned to CPU 1. Each endpoint is driven at full load
(requests/s, p50, p99), then again paced at half that rate (p50/p99 under normal
load). Password sign-ins are compared with raw argon2id verifies/s at the same
parameters; the session listing is measured with 1,000 and with N (default
1,000,000) sessions stored; resident memory is sampled before and after a soak.

Gatehouse runs in the configuration people deploy: ``gatehouse serve`` with its
default log level (info: one JSON access line per request, on stderr, here
written to a file) and metrics on. ``--quiet-logs`` measures everything a second
time with logs at warning.

In the same run: fastapi-users (what a Python developer would pick instead), set
up as its docs say (SQLAlchemy users in SQLite, the Redis strategy behind the
Bearer transport, ``bench/fastapi_users_app.py``, in its own virtualenv made by
``bench/run``), run as its example runs it (uvicorn at info, access log on, to a
file), its ``GET /users/me`` measured like Gatehouse's token checks. And with
``--servers uvicorn,granian`` (the default) the token checks and the hello under
each server, side by side; everything else under ``gatehouse serve``'s default
server.

Usage: bench/run [--duration 10] [--connections 32] [--database-url URL]
                 [--redis-url URL] [--big 1000000] [--soak 200000] [--quiet-logs]
                 [--servers uvicorn,granian]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))  # this checkout's gatehouse
from gatehouse.server import DEFAULT_SERVER  # noqa: E402

PASSWORD = "bench-password-123"
#: What a HiveMP client sends for PASSWORD.
PREHASH = hashlib.sha256(("HiveMPv1" + PASSWORD).encode()).hexdigest()


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    half_p50_ms: float = 0.0
    half_p99_ms: float = 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except Exception:
            time.sleep(0.1)
    raise SystemExit(f"server at {url} did not become ready")


def start(
    cmd: list[str], env: dict[str, str], log: IO[bytes] | None = None
) -> subprocess.Popen[bytes]:
    """A server pinned to CPU 0; its stdout and stderr to ``log`` (as a process
    supervisor keeps them) or nowhere."""
    out = log if log is not None else subprocess.DEVNULL
    return subprocess.Popen(["taskset", "-c", "0", *cmd], env=env, stdout=out, stderr=out)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def lua(method: str, body: str | list[str] = "", delay_ms: float = 0.0) -> Path:
    """A wrk script: method, body, optional per-request delay (pacing). A list of
    bodies is sent round robin, the i-th from caller address 10.0.0.i (through
    ``X-Forwarded-For``): many players, each from their own address."""
    script = f"wrk.method = {json.dumps(method)}\n"
    if body:
        script += "wrk.headers['Content-Type'] = 'application/json'\n"
    if isinstance(body, list):
        script += "local bodies = {" + ", ".join(json.dumps(b) for b in body) + "}\n"
        script += "local i = 0\n"
        script += "function request()\n  i = i % #bodies + 1\n  local h = {}\n"
        script += "  for k, v in pairs(wrk.headers) do h[k] = v end\n"
        script += "  h['X-Forwarded-For'] = '10.0.0.' .. i\n"
        script += "  return wrk.format(nil, nil, h, bodies[i])\nend\n"
    elif body:
        script += f"wrk.body = {json.dumps(body)}\n"
    if delay_ms:
        script += f"function delay() return {delay_ms:.3f} end\n"
    path = Path(tempfile.mkstemp(suffix=".lua")[1])
    path.write_text(script)
    return path


def wrk(
    url: str,
    *,
    duration: int,
    connections: int,
    headers: dict[str, str],
    method: str = "GET",
    body: str | list[str] = "",
    delay_ms: float = 0.0,
) -> tuple[float, float, float, int]:
    cmd = [
        "taskset",
        "-c",
        "1",
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "-s",
        str(lua(method, body, delay_ms)),
    ]
    for key, value in headers.items():
        cmd += ["-H", f"{key}: {value}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, p50, p99, int(m.group(1)) if m else 0


def measure(
    name: str,
    url: str,
    args: argparse.Namespace,
    headers: dict[str, str],
    method: str = "GET",
    body: str | list[str] = "",
    half: bool = True,
) -> Result:
    def load(delay_ms: float = 0.0) -> tuple[float, float, float, int]:
        return wrk(
            url,
            duration=args.duration,
            connections=args.connections,
            headers=headers,
            method=method,
            body=body,
            delay_ms=delay_ms,
        )

    rps, p50, p99, errors = load()
    result = Result(name, rps, p50, p99, errors)
    if half and rps > 0:
        # Each connection waits so that all of them together offer ~half the maximum.
        _, result.half_p50_ms, result.half_p99_ms, _ = load(1000.0 * args.connections / (rps / 2))
    print(f"  {name}: {rps:,.0f}/s", file=sys.stderr)
    return result


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "gatehouse", *args, "--json"],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return cast(dict[str, Any], json.loads(out))


def http_json(
    method: str, url: str, headers: dict[str, str], body: dict[str, Any] | None = None
) -> dict[str, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        url, data=data, method=method, headers={**headers, "Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req) as resp:
        return cast(dict[str, Any], json.loads(resp.read()))


def seed_sessions(env: dict[str, str], user_id: int, project_id: int, count: int) -> None:
    """Bulk-insert ``count`` sessions for one user straight through the store."""
    code = f"""
import asyncio, secrets
from sqlalchemy import insert, text
from gatehouse.settings import Settings
from gatehouse.wiring import build_services
from gatehouse.adapters.store.tables import sessions
async def main():
    s = build_services(Settings.from_env())
    now = s.clock.now_us()
    batch = []
    for i in range({count}):
        batch.append(dict(id=f"{user_id}.{{secrets.token_hex(4)}}.{{secrets.token_hex(4)}}",
            project_id={project_id}, user_id={user_id}, created_at=now - 10**9 + i,
            updated_at=now, expires_at=now + 86400 * 10**6, origin="storage",
            room_name="r", factors="", scope="user", ip="", user_agent=""))
        if len(batch) == 5000:
            async with s.db.write() as c:
                await c.execute(insert(sessions), batch)
            batch = []
    if batch:
        async with s.db.write() as c:
            await c.execute(insert(sessions), batch)
    # Statistics and visibility map as a table in steady state has them, so the
    # measurement does not race autovacuum's first pass over the new rows.
    async with s.db.read() as c:
        await c.execute(text("VACUUM ANALYZE sessions" if not s.db.is_sqlite else "ANALYZE"))
    await s.close()
asyncio.run(main())
"""
    subprocess.run([sys.executable, "-c", code], env=env, check=True)


def seed_players(env: dict[str, str], project_id: int, count: int) -> list[str]:
    """``count`` players with PASSWORD (``player-<i>``, ``player-<i>@bench.test``):
    sign-ins are spread over them as real ones are, for one account admits only
    a few password attempts at a time (services/throttling.py)."""
    code = f"""
import asyncio
from gatehouse.services.accounts import NewUser
from gatehouse.settings import Settings
from gatehouse.wiring import build_services
async def main():
    s = build_services(Settings.from_env())
    for i in range({count}):
        await s.accounts.create_user({project_id}, NewUser(
            username=f"player-{{i}}", email=f"player-{{i}}@bench.test", password={PASSWORD!r}))
    await s.close()
asyncio.run(main())
"""
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    return [f"player-{i}" for i in range(count)]


def v3_logins(base: str, usernames: list[str], seconds: float, concurrency: int = 8) -> float:
    """Password logins/s on the v3 surface: each worker logs its own device token in
    and out again as its own player (a login is one argon2id verify plus one
    session)."""
    import asyncio

    import httpx

    async def run() -> int:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            tokens = [
                (await http.post("/v3/session/token")).json()["token"] for _ in range(concurrency)
            ]
            done = 0
            stop = time.monotonic() + seconds

            async def worker(token: str, username: str) -> None:
                nonlocal done
                headers = {"PRIVATE-TOKEN": token}
                body = {"userName": username, "password": PASSWORD}
                while time.monotonic() < stop:
                    r = await http.post("/v3/session/login", json=body, headers=headers)
                    r.raise_for_status()
                    done += 1
                    await http.post("/v3/session/logout", headers=headers)

            await asyncio.gather(*(worker(t, u) for t, u in zip(tokens, usernames, strict=False)))
            return done

    os.sched_setaffinity(0, {1})  # the load generator's core, like wrk
    begin = time.monotonic()
    done = asyncio.run(run())
    return done / (time.monotonic() - begin)


def rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` and its descendants (granian serves from a child)."""
    total = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            total += int(line.split()[1])
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            total += rss_kib(int(child))
    return total


def argon2_rate(seconds: float = 5.0) -> float:
    """Raw argon2id verifications per second, one thread on the server's core (in a
    subprocess pinned there), at the parameters the server uses."""
    code = f"""
import time
from gatehouse.adapters.hashing import PasswordHasher
hasher = PasswordHasher(max_workers=1)
stored = hasher.hash_sync("x" * 64)
n, begin = 0, time.perf_counter()
while time.perf_counter() - begin < {seconds}:
    hasher.verify_sync(stored, "x" * 64)
    n += 1
print(n / (time.perf_counter() - begin))
"""
    out = subprocess.run(
        ["taskset", "-c", "0", sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(out.stdout.strip())


# -- what is measured ----------------------------------------------------------------------

#: Gatehouse's token checks: the rows the targets and the comparisons are about.
TOKEN_CHECKS = (
    "GET /v3/session/user",
    "GET /session-storage/sessions/{id}",
    "GET /session-storage/session (bearer)",
    "GET /v1/session (own apiKey)",
    "GET /v1/session?id= (server key)",
)
FASTAPI_USERS_ROW = "fastapi-users GET /users/me (Redis strategy, SQLite users)"
FASTAPI_USERS_VENV = HERE / ".venv-fastapi-users"
LEVELS = {"info": "logs at info (the default configuration)", "warning": "logs at warning"}


@dataclass
class Seeded:
    """What the runs share: the CLI-made credentials, and the sessions made through
    the first server (they live in the database, valid for every later server)."""

    project_id: int
    creds: dict[str, str]
    big_creds: dict[str, str]
    server_key: str
    public_key: str
    personal: str
    players: list[str]
    created: dict[str, Any] = field(default_factory=dict)
    hive: dict[str, Any] = field(default_factory=dict)


@dataclass
class Run:
    """One Gatehouse configuration (log level), every row of it."""

    level: str
    results: list[Result]
    fastapi_users: Result | None = None
    argon2: float = 0.0
    signin: float = 0.0
    logins: float = 0.0
    #: Token checks by server.
    checks: dict[str, list[Result]] = field(default_factory=dict)


def gatehouse_cmd(server: str, port: int) -> list[str]:
    """``gatehouse serve`` exactly as deployed (the log level comes from the env)."""
    return [sys.executable, "-m", "gatehouse", "serve", "--port", str(port), "--server", server]


def hello_cmd(server: str, port: int) -> list[str]:
    if server == "uvicorn":
        return [
            *(sys.executable, "-m", "uvicorn", "--log-level", "warning", "--no-access-log"),
            *("--app-dir", str(HERE), "hello_app:app", "--port", str(port)),
        ]
    return [
        *(sys.executable, "-m", "granian", "--interface", "asgi", "--no-ws", "--workers", "1"),
        *("--loop", "uvloop"),
        *("--log-level", "warning", "--no-access-log", "--working-dir", str(HERE)),
        *("--host", "127.0.0.1", "--port", str(port), "hello_app:app"),
    ]


def measure_hello(server: str, args: argparse.Namespace) -> Result:
    port = free_port()
    proc = start(hello_cmd(server, port), dict(os.environ))
    try:
        wait_ready(f"http://127.0.0.1:{port}/hello")
        return measure(
            f"bare Starlette hello ({server})", f"http://127.0.0.1:{port}/hello", args, {}
        )
    finally:
        stop(proc)


def token_checks(base: str, seeded: Seeded, args: argparse.Namespace, tag: str) -> list[Result]:
    specs = [
        (f"{base}/v3/session/user", {"PRIVATE-TOKEN": seeded.personal}),
        (f"{base}/session-storage/sessions/{seeded.created['id']}", seeded.creds),
        (
            f"{base}/session-storage/session",
            {"Authorization": f"Bearer {seeded.created['publisher']}"},
        ),
        (f"{base}/v1/session", {"X-API-Key": seeded.hive["apiKey"]}),
        (f"{base}/v1/session?id={seeded.hive['id']}", {"X-API-Key": seeded.server_key}),
    ]
    results = []
    for name, (url, headers) in zip(TOKEN_CHECKS, specs, strict=True):
        result = measure(name + tag, url, args, headers)
        result.name = name
        results.append(result)
    return results


def run_gatehouse(
    server: str,
    level: str,
    env: dict[str, str],
    data: Path,
    seeded: Seeded,
    args: argparse.Namespace,
    everything: bool,
    soak: bool,
) -> tuple[list[Result], dict[str, float]]:
    """Gatehouse under ``server`` with logs at ``level``: the token checks, and with
    ``everything`` the renewal, listings and sign-ins too; with ``soak`` the RSS check."""
    env = dict(env, GATEHOUSE_LOG_LEVEL=level)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    extra: dict[str, float] = {}
    tag = f" [{server}, {level}]"
    with (data / f"server-{server}-{level}.log").open("wb") as log:  # as deployed: kept
        proc = start(gatehouse_cmd(server, port), env, log)
        try:
            wait_ready(f"{base}/healthz")
            if not seeded.created:
                created = http_json("POST", f"{base}/session-storage/session", seeded.creds)
                seeded.created = created["data"]
                sign_in = {"emailAddress": "small@bench.test", "passwordHash": PREHASH}
                answer = http_json(
                    "PUT", f"{base}/v1/authenticate", {"X-API-Key": seeded.public_key}, sign_in
                )
                seeded.hive = answer["authenticatedSession"]
            results = token_checks(base, seeded, args, tag)
            if not everything:
                return results, extra
            results.append(
                measure(
                    "POST /v1/session (renew)" + tag,
                    f"{base}/v1/session",
                    args,
                    {"X-API-Key": seeded.hive["apiKey"]},
                    method="POST",
                )
            )
            results.append(
                measure(
                    "GET /session-storage/sessions (page of 20, 1,000 stored)" + tag,
                    f"{base}/session-storage/sessions",
                    args,
                    seeded.creds,
                )
            )
            results.append(
                measure(
                    f"GET /session-storage/sessions (page of 20, {args.big:,} stored)" + tag,
                    f"{base}/session-storage/sessions",
                    args,
                    seeded.big_creds,
                )
            )
            sign_ins = [
                json.dumps({"emailAddress": f"{p}@bench.test", "passwordHash": PREHASH})
                for p in seeded.players
            ]
            # The host's speed drifts over a run: the raw rate is taken right before
            # and right after the sign-in measurements, and averaged.
            raw_before = argon2_rate()
            signin = measure(
                "PUT /v1/authenticate (password sign-in)" + tag,
                f"{base}/v1/authenticate",
                args,
                {"X-API-Key": seeded.public_key},
                method="PUT",
                body=sign_ins,
                half=False,
            )
            results.append(signin)
            extra["logins"] = v3_logins(base, seeded.players, args.duration)
            extra["argon2"] = (raw_before + argon2_rate()) / 2
            extra["signin"] = signin.rps
            if soak:
                before = rss_kib(proc.pid)
                seconds = max(5, int(args.soak / max(results[2].rps, 1)))
                rps, *_ = wrk(
                    f"{base}/session-storage/session",
                    duration=seconds,
                    connections=args.connections,
                    headers={"Authorization": f"Bearer {seeded.created['publisher']}"},
                )
                extra.update(rss_before=before, rss_after=rss_kib(proc.pid), soaked=rps * seconds)
            for r in results:
                r.name = r.name.removesuffix(tag)
            return results, extra
        finally:
            stop(proc)


def fastapi_users_version() -> str:
    out = subprocess.run(
        [
            str(FASTAPI_USERS_VENV / "bin" / "python"),
            "-c",
            "from importlib.metadata import version as v; "
            "print(v('fastapi-users'), v('fastapi'), v('uvicorn'))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return f"fastapi-users {out[0]} (FastAPI {out[1]}, uvicorn {out[2]})"


def run_fastapi_users(level: str, data: Path, args: argparse.Namespace) -> Result:
    """fastapi-users as its example runs it (uvicorn at info, its access log on; at
    warning without it for the quiet set): register one user, log in through the
    Redis strategy, measure ``GET /users/me`` with the token."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(
        FASTAPI_USERS_DATABASE_URL=f"sqlite+aiosqlite:///{data / f'fastapi-users-{level}.db'}",
        FASTAPI_USERS_REDIS_URL=args.fastapi_users_redis_url,
    )
    cmd = [
        *(str(FASTAPI_USERS_VENV / "bin" / "python"), "-m", "uvicorn"),
        *("--app-dir", str(HERE), "fastapi_users_app:app", "--port", str(port)),
        *("--log-level", level),
    ]
    if level != "info":
        cmd.append("--no-access-log")
    with (data / f"fastapi-users-{level}.log").open("wb") as log:
        proc = start(cmd, env, log)
        try:
            wait_ready(f"{base}/docs")
            email = f"bench-{os.getpid()}-{level}@example.com"  # their validator refuses .test
            http_json("POST", f"{base}/auth/register", {}, {"email": email, "password": PASSWORD})
            form = urllib.parse.urlencode({"username": email, "password": PASSWORD}).encode()
            with urllib.request.urlopen(
                urllib.request.Request(f"{base}/auth/redis/login", data=form, method="POST")
            ) as resp:
                token = json.loads(resp.read())["access_token"]
            bearer = {"Authorization": f"Bearer {token}"}
            me = http_json("GET", f"{base}/users/me", bearer)
            assert me["email"] == email, me
            result = measure(FASTAPI_USERS_ROW + f" [{level}]", f"{base}/users/me", args, bearer)
            result.name = FASTAPI_USERS_ROW
            # Their logout (204) deletes the token from Redis.
            logout = urllib.request.Request(
                f"{base}/auth/redis/logout", method="POST", headers=bearer
            )
            urllib.request.urlopen(logout).close()
            return result
        finally:
            stop(proc)


# -- what is printed -----------------------------------------------------------------------


def table(results: list[Result], hello: Result) -> str:
    lines = [
        "| endpoint | req/s | x hello | p50 ms | p99 ms | p50 / p99 ms at half rate "
        "| p99/p50 at half | non-2xx |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        half = f"{r.half_p50_ms:.2f} / {r.half_p99_ms:.2f}" if r.half_p50_ms else "-"
        ratio = f"{r.half_p99_ms / r.half_p50_ms:.1f}" if r.half_p50_ms else "-"
        lines.append(
            f"| {r.name} | {r.rps:,.0f} | {r.rps / hello.rps:.2f} | {r.p50_ms:.2f} | "
            f"{r.p99_ms:.2f} | {half} | {ratio} | {r.errors} |"
        )
    return "\n".join(lines)


def versus_fastapi_users(results: list[Result], theirs: Result) -> str:
    checks = [r for r in results if r.name in TOKEN_CHECKS]
    slowest = min(checks, key=lambda r: r.rps)
    tail = max(checks, key=lambda r: r.p99_ms)
    x = "\N{MULTIPLICATION SIGN}"
    return (
        f"worst token check ÷ fastapi-users req/s = {slowest.rps / theirs.rps:.1f}{x}, "
        f"p99 fastapi-users ÷ p99 Gatehouse = {theirs.p99_ms / tail.p99_ms:.1f}{x} "
        f"(targets: ≥15{x} and ≥30{x}; slowest check {slowest.name} {slowest.rps:,.0f}/s vs "
        f"{theirs.rps:,.0f}/s; highest check p99 {tail.name} {tail.p99_ms:.2f} ms vs "
        f"{theirs.p99_ms:.2f} ms)"
    )


def side_by_side(
    uvicorn: list[Result], granian: list[Result], hellos: dict[str, Result], level: str
) -> str:
    ref, own = hellos["uvicorn"], hellos["granian"]
    from importlib.metadata import version

    lines = [
        f"uvicorn {version('uvicorn')} vs granian {version('granian')}, Gatehouse "
        f"{LEVELS[level]}, one worker each, both on uvloop (granian: ASGI interface, "
        f"its access log off):",
        "",
        "| endpoint | uvicorn req/s | uvicorn p99 ms | granian req/s | granian p99 ms "
        "| granian ÷ uvicorn | granian x hello (uvicorn) | granian x hello (granian) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rows = [(ref, own), *zip(uvicorn, granian, strict=True)]
    for u, g in rows:
        name = "bare Starlette hello" if u is ref else u.name
        lines.append(
            f"| {name} | {u.rps:,.0f} | {u.p99_ms:.2f} | {g.rps:,.0f} | {g.p99_ms:.2f} "
            f"| {g.rps / u.rps:.2f} | {g.rps / ref.rps:.2f} | {g.rps / own.rps:.2f} |"
        )
    return "\n".join(lines)


# -- the run -------------------------------------------------------------------------------


def seed(env: dict[str, str], args: argparse.Namespace) -> Seeded:
    project = cli(env, "project", "create", "bench")
    pid = str(project["id"])
    cli(env, "project", "set", pid, "--session-limit", "0")
    small = cli(
        env,
        "user",
        "create",
        *("--project", pid, "--username", "small", "--email", "small@bench.test"),
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    big = cli(env, "user", "create", "--project", pid, "--username", "big")
    small_client = cli(env, "client", "create", "--user", str(small["id"]))
    big_client = cli(env, "client", "create", "--user", str(big["id"]))
    seeded = Seeded(
        project_id=project["id"],
        creds={
            "ClientID": small_client["client_id"],
            "ClientSecret": small_client["client_secret"],
        },
        big_creds={
            "ClientID": big_client["client_id"],
            "ClientSecret": big_client["client_secret"],
        },
        server_key=cli(env, "api-key", "create", "--project", pid, "--type", "server")["key"],
        public_key=cli(env, "api-key", "create", "--project", pid, "--type", "public")["key"],
        personal=cli(env, "token", "create", "--user", str(small["id"]))["token"],
        players=seed_players(env, project["id"], args.connections),
    )
    seed_sessions(env, small["id"], project["id"], 1000)
    seed_sessions(env, big["id"], project["id"], args.big)
    return seeded


def redis_answers(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 2) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--big", type=int, default=1_000_000, help="sessions for the big page")
    parser.add_argument("--soak", type=int, default=200_000, help="requests for the RSS check")
    parser.add_argument(
        "--quiet-logs",
        action="store_true",
        help="measure everything again with logs at warning (default: only as deployed, at info)",
    )
    parser.add_argument(
        "--servers",
        default="uvicorn,granian",
        help="comma-separated servers to compare side by side (token checks and the hello); "
        "everything else is measured under gatehouse serve's default",
    )
    parser.add_argument(
        "--fastapi-users-redis-url",
        default="redis://127.0.0.1:6379",
        help="the Redis fastapi-users' strategy keeps its tokens in",
    )
    args = parser.parse_args()
    servers = [s.strip() for s in args.servers.split(",") if s.strip()]
    if unknown := set(servers) - {"uvicorn", "granian"}:
        raise SystemExit(f"--servers: unknown {', '.join(sorted(unknown))}")
    main_server = DEFAULT_SERVER
    others = [s for s in servers if s != main_server]
    levels = ["info", "warning"] if args.quiet_logs else ["info"]
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    if not (FASTAPI_USERS_VENV / "bin" / "python").exists():
        raise SystemExit(f"{FASTAPI_USERS_VENV} is missing: run bench/run, which makes it")
    if not redis_answers(args.fastapi_users_redis_url):
        raise SystemExit(f"fastapi-users needs Redis at {args.fastapi_users_redis_url}")

    data = Path(tempfile.mkdtemp(prefix="gatehouse-bench-"))
    # The code of this checkout, whatever gatehouse the interpreter has installed.
    src = str(HERE.parent / "src")
    env = dict(os.environ, GATEHOUSE_DATA_DIR=str(data))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    # As behind a TLS proxy: the load generator forwards each player's own address
    # (only the sign-ins send X-Forwarded-For).
    env["GATEHOUSE_TRUSTED_PROXIES"] = "127.0.0.1/32"
    if args.database_url:
        env["GATEHOUSE_DATABASE_URL"] = args.database_url
    if args.redis_url:
        env["GATEHOUSE_REDIS_URL"] = args.redis_url
        env["GATEHOUSE_REDIS_PREFIX"] = f"bench-{os.getpid()}"

    hellos = {server: measure_hello(server, args) for server in {"uvicorn", *servers}}
    hello = hellos["uvicorn"]

    print("seeding...", file=sys.stderr)
    runs: list[Run] = []
    soak: dict[str, float] = {}
    try:
        seeded = seed(env, args)
        for level in levels:
            results, extra = run_gatehouse(
                main_server, level, env, data, seeded, args, everything=True, soak=not runs
            )
            run = Run(level, results, argon2=extra["argon2"], signin=extra["signin"])
            run.logins = extra["logins"]
            run.checks = {main_server: [r for r in results if r.name in TOKEN_CHECKS]}
            soak = soak or {k: v for k, v in extra.items() if k.startswith(("rss", "soak"))}
            for other in others:
                run.checks[other], _ = run_gatehouse(
                    other, level, env, data, seeded, args, everything=False, soak=False
                )
            run.fastapi_users = run_fastapi_users(level, data, args)
            runs.append(run)
    finally:
        shutil.rmtree(data, ignore_errors=True)

    others_hellos = [(k, v) for k, v in hellos.items() if k != "uvicorn"]
    backend = "PostgreSQL" if args.database_url.startswith("postgres") else "SQLite"
    backend += " + Redis" if args.redis_url else ""
    measured = " and again with logs at warning (--quiet-logs)" if args.quiet_logs else ""
    print(
        f"\n### {backend} — {time.strftime('%Y-%m-%d %H:%M')} — 1 worker on CPU 0, "
        f"wrk -t1 -c{args.connections} -d{args.duration}s on CPU 1\n\n"
        f"Measured: Gatehouse as `gatehouse serve` runs it by default ({main_server}; logs at "
        f"info, "
        f"one JSON access line per request on stderr, kept in a file; metrics on){measured}. "
        f"{fastapi_users_version()} as its example runs it (uvicorn at info, its access log "
        f"kept in a file; at warning without it in the quiet set), users in SQLite, tokens "
        f'in Redis at {args.fastapi_users_redis_url}. "x hello" divides by the bare Starlette '
        f"hello under uvicorn ({hello.rps:,.0f}/s)"
        + "".join(f"; under {k} the hello did {v.rps:,.0f}/s" for k, v in others_hellos)
        + "."
    )
    for run in runs:
        assert run.fastapi_users is not None
        print(f"\n#### Gatehouse {LEVELS[run.level]}\n")
        print(table([hello, *run.results, run.fastapi_users], hello))
        print(f"\n{versus_fastapi_users(run.results, run.fastapi_users)}")
        print(
            f"\nraw argon2id verify (m=19456 KiB, t=2, p=1), one thread on CPU 0, mean of "
            f"before and after the sign-ins: {run.argon2:.1f}/s; HiveMP password sign-ins: "
            f"{run.signin:.1f}/s = {run.signin / run.argon2:.2f}x raw; v3 password logins: "
            f"{run.logins:.1f}/s = {run.logins / run.argon2:.2f}x raw"
        )
        if "uvicorn" in run.checks and "granian" in run.checks:
            print(
                "\n" + side_by_side(run.checks["uvicorn"], run.checks["granian"], hellos, run.level)
            )
    if soak:
        before, after = soak["rss_before"], soak["rss_after"]
        print(
            f"\nresident memory ({main_server} and its workers, logs at {levels[0]}): "
            f"{before / 1024:.1f} MiB before, "
            f"{after / 1024:.1f} MiB after ~{int(soak['soaked']):,} more requests "
            f"({(after - before) / 1024:+.1f} MiB)"
        )


if __name__ == "__main__":
    main()
