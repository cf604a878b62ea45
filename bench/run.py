"""Benchmark Gatehouse's hot paths against a bare Starlette app, measured the same way.

Every server (Gatehouse and the "hello" ceiling) runs as one uvicorn worker pinned
to CPU 0; wrk runs pinned to CPU 1. Each endpoint is driven at full load
(requests/s, p50, p99), then again paced at half that rate (p50/p99 under normal
load). Password sign-ins are compared with raw argon2id verifies/s at the same
parameters; the session listing is measured with 1,000 and with N (default
1,000,000) sessions stored; resident memory is sampled before and after a soak.

Gatehouse runs in the configuration people deploy: ``gatehouse serve`` with its
default log level (info: one JSON access line per request, on stderr, here
written to a file) and metrics on. ``--log-level warning`` measures it quiet.

Usage: bench/run [--duration 10] [--connections 32] [--database-url URL]
                 [--redis-url URL] [--big 1000000] [--soak 200000] [--log-level info]
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
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO

HERE = Path(__file__).resolve().parent
PASSWORD = "bench-password-123"


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
    cmd: list[str], env: dict[str, str], stderr: IO[bytes] | None = None
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        ["taskset", "-c", "0", *cmd], env=env, stdout=subprocess.DEVNULL, stderr=stderr
    )


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


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "gatehouse", *args, "--json"],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)


def http_json(method: str, url: str, headers: dict[str, str], body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        url, data=data, method=method, headers={**headers, "Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read())


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
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--big", type=int, default=1_000_000, help="sessions for the big page")
    parser.add_argument("--soak", type=int, default=200_000, help="requests for the RSS check")
    parser.add_argument(
        "--log-level", default="info", help="Gatehouse's GATEHOUSE_LOG_LEVEL (default: serve's)"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")

    data = Path(tempfile.mkdtemp(prefix="gatehouse-bench-"))
    env = dict(os.environ, GATEHOUSE_DATA_DIR=str(data), GATEHOUSE_LOG_LEVEL=args.log_level)
    # As behind a TLS proxy: the load generator forwards each player's own address
    # (only the sign-ins send X-Forwarded-For).
    env["GATEHOUSE_TRUSTED_PROXIES"] = "127.0.0.1/32"
    if args.database_url:
        env["GATEHOUSE_DATABASE_URL"] = args.database_url
    if args.redis_url:
        env["GATEHOUSE_REDIS_URL"] = args.redis_url
        env["GATEHOUSE_REDIS_PREFIX"] = f"bench-{os.getpid()}"
    uv = [sys.executable, "-m", "uvicorn", "--log-level", "warning", "--no-access-log"]

    port = free_port()
    hello_proc = start([*uv, "--app-dir", str(HERE), "hello_app:app", "--port", str(port)], env)
    try:
        wait_ready(f"http://127.0.0.1:{port}/hello")
        hello = measure("bare Starlette hello", f"http://127.0.0.1:{port}/hello", args, {})
    finally:
        hello_proc.terminate()
        hello_proc.wait()

    print("seeding...", file=sys.stderr)
    project = cli(env, "project", "create", "bench")
    pid = str(project["id"])
    cli(env, "project", "set", pid, "--session-limit", "0")
    small = cli(
        env,
        "user",
        "create",
        "--project",
        pid,
        "--username",
        "small",
        "--email",
        "small@bench.test",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    big = cli(env, "user", "create", "--project", pid, "--username", "big")
    small_client = cli(env, "client", "create", "--user", str(small["id"]))
    big_client = cli(env, "client", "create", "--user", str(big["id"]))
    server_key = cli(env, "api-key", "create", "--project", pid, "--type", "server")["key"]
    public_key = cli(env, "api-key", "create", "--project", pid, "--type", "public")["key"]
    personal = cli(env, "token", "create", "--user", str(small["id"]))["token"]
    players = seed_players(env, project["id"], args.connections)
    seed_sessions(env, small["id"], project["id"], 1000)
    seed_sessions(env, big["id"], project["id"], args.big)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (data / "server.log").open("wb")  # its logs go somewhere real, as deployed
    server = start([sys.executable, "-m", "gatehouse", "serve", "--port", str(port)], env, log)
    results: list[Result] = []
    try:
        wait_ready(f"{base}/healthz")
        creds = {
            "ClientID": small_client["client_id"],
            "ClientSecret": small_client["client_secret"],
        }
        created = http_json("POST", f"{base}/session-storage/session", creds)["data"]
        prehash = hashlib.sha256(("HiveMPv1" + PASSWORD).encode()).hexdigest()
        sign_in = json.dumps({"emailAddress": "small@bench.test", "passwordHash": prehash})
        hive = http_json(
            "PUT", f"{base}/v1/authenticate", {"X-API-Key": public_key}, json.loads(sign_in)
        )["authenticatedSession"]
        sign_ins = [
            json.dumps({"emailAddress": f"{p}@bench.test", "passwordHash": prehash})
            for p in players
        ]

        results.append(
            measure(
                "GET /v3/session/user", f"{base}/v3/session/user", args, {"PRIVATE-TOKEN": personal}
            )
        )
        results.append(
            measure(
                "GET /session-storage/sessions/{id}",
                f"{base}/session-storage/sessions/{created['id']}",
                args,
                creds,
            )
        )
        results.append(
            measure(
                "GET /session-storage/session (bearer)",
                f"{base}/session-storage/session",
                args,
                {"Authorization": f"Bearer {created['publisher']}"},
            )
        )
        results.append(
            measure(
                "GET /v1/session (own apiKey)",
                f"{base}/v1/session",
                args,
                {"X-API-Key": hive["apiKey"]},
            )
        )
        results.append(
            measure(
                "GET /v1/session?id= (server key)",
                f"{base}/v1/session?id={hive['id']}",
                args,
                {"X-API-Key": server_key},
            )
        )
        results.append(
            measure(
                "POST /v1/session (renew)",
                f"{base}/v1/session",
                args,
                {"X-API-Key": hive["apiKey"]},
                method="POST",
            )
        )
        results.append(
            measure(
                "GET /session-storage/sessions (page of 20, 1,000 stored)",
                f"{base}/session-storage/sessions",
                args,
                creds,
            )
        )
        big_creds = {
            "ClientID": big_client["client_id"],
            "ClientSecret": big_client["client_secret"],
        }
        results.append(
            measure(
                f"GET /session-storage/sessions (page of 20, {args.big:,} stored)",
                f"{base}/session-storage/sessions",
                args,
                big_creds,
            )
        )
        # The host's speed drifts over a run: the raw rate is taken right before and
        # right after the sign-in measurements, and averaged.
        raw_before = argon2_rate()
        signin = measure(
            "PUT /v1/authenticate (password sign-in)",
            f"{base}/v1/authenticate",
            args,
            {"X-API-Key": public_key},
            method="PUT",
            body=sign_ins,
            half=False,
        )
        results.append(signin)
        logins = v3_logins(base, players, args.duration)
        rate = (raw_before + argon2_rate()) / 2

        before = rss_kib(server.pid)
        soak_seconds = max(5, int(args.soak / max(results[2].rps, 1)))
        rps, *_ = wrk(
            f"{base}/session-storage/session",
            duration=soak_seconds,
            connections=args.connections,
            headers={"Authorization": f"Bearer {created['publisher']}"},
        )
        after = rss_kib(server.pid)
        soaked = int(rps * soak_seconds)
    finally:
        server.terminate()
        server.wait()
        log.close()
        shutil.rmtree(data, ignore_errors=True)

    backend = "PostgreSQL" if args.database_url.startswith("postgres") else "SQLite"
    backend += " + Redis" if args.redis_url else ""
    print(
        f"\n### {backend} — {time.strftime('%Y-%m-%d %H:%M')} — 1 worker on CPU 0, "
        f"wrk -t1 -c{args.connections} -d{args.duration}s on CPU 1; Gatehouse logs at "
        f"{args.log_level}, metrics on\n"
    )
    print(table([hello, *results], hello))
    print(
        f"\nraw argon2id verify (m=19456 KiB, t=2, p=1), one thread on CPU 0, mean of before "
        f"and after the sign-ins: {rate:.1f}/s; "
        f"HiveMP password sign-ins: {signin.rps:.1f}/s = {signin.rps / rate:.2f}x raw; "
        f"v3 password logins: {logins:.1f}/s = {logins / rate:.2f}x raw"
    )
    print(
        f"\nresident memory: {before / 1024:.1f} MiB before, {after / 1024:.1f} MiB after "
        f"~{soaked:,} more requests ({(after - before) / 1024:+.1f} MiB)"
    )


if __name__ == "__main__":
    main()
