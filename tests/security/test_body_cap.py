"""Request bodies are capped at 1 MiB (``GATEHOUSE``'s ``max_body_bytes``): one byte
more is refused with 413 in the surface's own error shape — announced with a
Content-Length or streamed without one — and nothing is stored; a body of exactly
1 MiB is read."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from gatehouse.wiring import Services
from tests.helpers import make_tenant

from ._support import SS, V1, V3, api_key, device_token

MIB = 1024 * 1024


def json_of_size(size: int) -> bytes:
    """A JSON object of exactly ``size`` bytes."""
    head, tail = b'{"pad": "', b'"}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


async def chunks(body: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def assert_413(surface: str, r: httpx.Response) -> None:
    assert r.status_code == 413, r.text[:500]
    body = r.json()
    if surface == "storage":
        assert body["ok"] is False and body["errors"][0]["status"] == 413, body
        assert body["errors"][0]["type"] == "/errors/payload-too-large", body
    elif surface == "v3":
        assert body["errorCode"] == 10413 and set(body) == {"errorCode", "errorMessage", "errors"}
    else:
        assert body["code"] == 1015 and body["data"] is None, body


@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "chunked"])
@pytest.mark.parametrize("surface", ["storage", "v3", "v1"])
async def test_a_body_over_one_mib_is_refused_in_the_surface_shape(
    client, services: Services, project_id: int, surface: str, streamed: bool
) -> None:
    tenant = await make_tenant(services, project_id)
    if surface == "storage":
        method, url, headers = "POST", f"{SS}/session", tenant.headers
    elif surface == "v3":
        method, url = "POST", f"{V3}/login"
        headers = {"PRIVATE-TOKEN": await device_token(client)}
    else:
        method, url = "PUT", f"{V1}/authenticate"
        headers = {"X-API-Key": await api_key(services, project_id)}
    headers = {**headers, "Content-Type": "application/json"}

    too_big = json_of_size(MIB + 1)
    content = chunks(too_big) if streamed else too_big
    assert_413(surface, await client.request(method, url, headers=headers, content=content))
    assert await services.sessions.list_active(tenant.user_id) == []
    # Exactly 1 MiB is read (and answered for what it says, not for its size).
    at_limit = await client.request(method, url, headers=headers, content=json_of_size(MIB))
    assert at_limit.status_code != 413, at_limit.text[:500]
