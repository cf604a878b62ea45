"""Benchmark the hot paths against a bare Starlette app, measured the same way.

The server runs pinned to CPU 0 (one uvicorn worker), wrk runs pinned to CPU 1.
Each endpoint is measured at full load (requests/s, p50, p99) and then at half
that rate with wrk2-style pacing unavailable, so p99/p50 is reported at the
maximum only. Results are printed as a Markdown table with ratios to "hello".

Usage: python bench/run.py [--duration 10] [--connections 32] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
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

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310 - loopback only
                return
        except Exception:
            time.sleep(0.1)
    raise SystemExit(f"server at {url} did not become ready")


def start(cmd: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        ["taskset", "-c", "0", *cmd], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def wrk(name: str, url: str, *, duration: int, connections: int, script: Path | None = None,
        headers: dict[str, str] | None = None) -> Result:
    cmd = ["taskset", "-c", "1", "wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency"]
    for key, value in (headers or {}).items():
        cmd += ["-H", f"{key}: {value}"]
    if script:
        cmd += ["-s", str(script)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = int(m.group(1)) if m else 0
    return Result(name, rps, p50, p99, errors)


def cli(env: dict[str, str], *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "gatehouse", *args, "--json"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout
    return json.loads(out)


def seed_sessions(env: dict[str, str], user_id: int, project_id: int, count: int) -> None:
    """Bulk-insert ``count`` sessions for one user straight through the store."""
    code = f"""
import asyncio, secrets
from sqlalchemy import insert
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
        if len(batch) == 10000:
            async with s.db.write() as c:
                await c.execute(insert(sessions), batch)
            batch = []
    if batch:
        async with s.db.write() as c:
            await c.execute(insert(sessions), batch)
    await s.close()
asyncio.run(main())
"""
    subprocess.run([sys.executable, "-c", code], env=env, check=True)


def table(results: list[Result], hello: Result) -> str:
    lines = [
        "| endpoint | req/s | × hello | p50 ms | p99 ms | p99/p50 | non-2xx |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {r.rps:,.0f} | {r.rps / hello.rps:.2f} | {r.p50_ms:.2f} | "
            f"{r.p99_ms:.2f} | {r.p99_ms / max(r.p50_ms, 1e-9):.1f} | {r.errors} |"
        )
    return "\n".join(lines)


def argon2_rate(seconds: float = 3.0) -> float:
    from gatehouse.adapters.hashing import PasswordHasher

    hasher = PasswordHasher()
    stored = hasher.hash_sync("x" * 64)
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        hasher.verify_sync(stored, "x" * 64)
        n += 1
    hasher.close()
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--big", type=int, default=1_000_000, help="sessions for the big page")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")

    data = Path(tempfile.mkdtemp(prefix="gatehouse-bench-"))
    env = dict(os.environ, GATEHOUSE_DATA_DIR=str(data), GATEHOUSE_LOG_LEVEL="warning")
    if args.database_url:
        env["GATEHOUSE_DATABASE_URL"] = args.database_url
    if args.redis_url:
        env["GATEHOUSE_REDIS_URL"] = args.redis_url
    uv = [sys.executable, "-m", "uvicorn", "--log-level", "warning", "--no-access-log"]
    results: list[Result] = []

    port = free_port()
    hello_proc = start([*uv, "--app-dir", str(HERE), "hello_app:app", "--port", str(port)], env)
    try:
        wait_ready(f"http://127.0.0.1:{port}/hello")
        hello = wrk("bare Starlette hello", f"http://127.0.0.1:{port}/hello",
                    duration=args.duration, connections=args.connections)
    finally:
        hello_proc.terminate()
        hello_proc.wait()
    results.append(hello)

    project = cli(env, "project", "create", "bench")
    small = cli(env, "user", "create", "--project", str(project["id"]), "--username", "small")
    big = cli(env, "user", "create", "--project", str(project["id"]), "--username", "big")
    cli(env, "project", "set", str(project["id"]), "--session-limit", "0")
    small_client = cli(env, "client", "create", "--user", str(small["id"]))
    big_client = cli(env, "client", "create", "--user", str(big["id"]))
    seed_sessions(env, small["id"], project["id"], 1000)
    seed_sessions(env, big["id"], project["id"], args.big)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start([sys.executable, "-m", "gatehouse", "serve", "--port", str(port)], env)
    try:
        wait_ready(f"{base}/healthz")
        auth = {"ClientID": small_client["client_id"], "ClientSecret": small_client["client_secret"]}
        req = urllib.request.Request(f"{base}/session-storage/session", method="POST", headers=auth)
        with urllib.request.urlopen(req) as resp:  # noqa: S310 - loopback only
            created = json.loads(resp.read())["data"]
        d, c = args.duration, args.connections
        results.append(wrk("GET /session-storage/sessions/{id}",
                           f"{base}/session-storage/sessions/{created['id']}",
                           duration=d, connections=c, headers=auth))
        results.append(wrk("GET /session-storage/session (bearer)",
                           f"{base}/session-storage/session", duration=d, connections=c,
                           headers={"Authorization": f"Bearer {created['publisher']}"}))
        results.append(wrk("GET /session-storage/sessions (page, 1,000 stored)",
                           f"{base}/session-storage/sessions", duration=d, connections=c,
                           headers=auth))
        big_auth = {"ClientID": big_client["client_id"], "ClientSecret": big_client["client_secret"]}
        results.append(wrk(f"GET /session-storage/sessions (page, {args.big:,} stored)",
                           f"{base}/session-storage/sessions", duration=d, connections=c,
                           headers=big_auth))
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(data, ignore_errors=True)

    print(f"\nGatehouse bench — {time.strftime('%Y-%m-%d %H:%M')} — "
          f"{'PostgreSQL' if args.database_url.startswith('postgres') else 'SQLite'}, "
          f"1 worker on CPU 0, wrk -t1 -c{args.connections} -d{args.duration}s on CPU 1\n")
    print(table(results, hello))
    rate = argon2_rate()
    print(f"\nraw argon2id verify (m=19456 KiB, t=2, p=1), one thread: {rate:.1f}/s")


if __name__ == "__main__":
    main()
