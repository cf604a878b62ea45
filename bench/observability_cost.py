"""What the per-request observability costs: request id, metrics, access line.

    python bench/observability_cost.py [--requests 200000]

Prints the CPU time per request of what every answered request pays beside its
operation (``mint_request_id``, ``record_request``), without and with the access
line (written into a buffer whose writes go nowhere), to compare with a token
check's CPU per request (``bench/asgi_profile.py bearer --no-profile``, or the
req/s of ``bench/run``).
"""

from __future__ import annotations

import argparse
import asyncio
import time

from gatehouse import observability

HEADERS = [(b"host", b"127.0.0.1"), (b"user-agent", b"wrk"), (b"authorization", b"Bearer x")]


async def per_request(n: int, *, access_line: bool) -> float:
    writer = observability.LineWriter(lambda data: None) if access_line else None
    observability.ACCESS.writer = writer
    begin = time.process_time()
    for i in range(n):
        rid = observability.mint_request_id(HEADERS)
        token = observability.request_id.set(rid)
        started = time.perf_counter()
        observability.record_request(rid, "GET", "/session-storage/session", 200, started)
        observability.request_id.reset(token)
        if i % 1000 == 0:
            await asyncio.sleep(0)  # let the writer's timer flush, as in a server
    return (time.process_time() - begin) / n * 1e6


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200_000)
    n = parser.parse_args().requests
    quiet = await per_request(n, access_line=False)
    logged = await per_request(n, access_line=True)
    print(f"request id + metrics: {quiet:.2f} µs CPU per request")
    print(f"request id + metrics + access line: {logged:.2f} µs CPU per request")


if __name__ == "__main__":
    asyncio.run(main())
