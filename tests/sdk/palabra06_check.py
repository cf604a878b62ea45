"""Drive the official Palabra Python SDK, 0.6 series, against a Gatehouse server.

Run it with the python of a venv holding palabra-ai 0.6.x (scripts/sdk06-venv):

    python palabra06_check.py BASE_URL CLIENT_ID CLIENT_SECRET \
        [--ws-url URL] [--webrtc-url URL] [--user-id N]

Exits 0 when everything holds, 1 with a "FAIL ..." line otherwise, 2 when the
SDK cannot be imported. Standard library + the SDK only (no pytest).

What palabra-ai 0.6.x does over HTTP (verified in 0.6.11,
palabra_ai/internal/rest.py):
- ``PalabraRESTClient(client_id, client_secret, timeout=5, base_url=...)``
  makes no network call; base_url is used as given (NOT stripped: a trailing
  slash gives ``//session-storage/...``).
- ``create_session(subscriber_count=0)`` (a coroutine, aiohttp, 5 s total):
  ``POST {base_url}/session-storage/session``, headers ``ClientID`` /
  ``ClientSecret``, JSON ``{"data": {"subscriber_count": n, "intent": "api"}}``.
  404 -> InvalidCredentialsError; other >= 400 -> aiohttp.ClientResponseError
  (raise_for_status). Then ``await response.json()``, which demands a
  ``Content-Type: application/json`` answer; ``assert body["ok"] is True``;
  ``SessionCredentials.model_validate(body["data"])`` (pydantic v2, strict
  types in practice: id, publisher, webrtc_room_name, webrtc_url, ws_url: str;
  subscriber: list[str]; all required; extras ignored), and publisher, ws_url,
  webrtc_url must be non-empty (else ConfigurationError).
- ``delete_session(id)``: ``DELETE {base_url}/session-storage/sessions/{id}``,
  same headers, raise_for_status; every error is logged and swallowed.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import json
import re
import sys
import traceback
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager, suppress

EXPECTED_SERIES = "0.6."


class CheckFailed(Exception):
    pass


_current_step = "start"


@contextmanager
def step(name: str):
    global _current_step
    _current_step = name
    print(f"... {name}", flush=True)
    yield


def check(cond: bool, msg: str) -> None:
    if not cond:
        raise CheckFailed(msg)


def http(method: str, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def json_of(status: int, hdrs: dict[str, str], body: bytes) -> dict:
    ctype = {k.lower(): v for k, v in hdrs.items()}.get("content-type", "")
    check(
        ctype.startswith("application/json"),
        f"HTTP {status}: Content-Type is {ctype!r}, not application/json",
    )
    try:
        value = json.loads(body)
    except ValueError as e:
        raise CheckFailed(f"HTTP {status}: body is not JSON ({e}): {body[:300]!r}") from e
    check(isinstance(value, dict), f"HTTP {status}: body is not an object: {value!r}")
    return value


def check_error_body(
    status: int, hdrs: dict[str, str], body: bytes, expected: int, what: str
) -> None:
    check(status == expected, f"{what}: expected HTTP {expected}, got {status}: {body[:300]!r}")
    doc = json_of(status, hdrs, body)
    check(doc.get("ok") is False, f"{what}: error body without ok=false: {doc}")
    check(
        isinstance(doc.get("error"), str) and doc["error"],
        f"{what}: error body without 'error': {doc}",
    )
    errors = doc.get("errors")
    check(
        isinstance(errors, list) and errors and errors[0].get("status") == expected,
        f"{what}: error body without errors[0].status={expected}: {doc}",
    )


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("base_url")
    ap.add_argument("client_id")
    ap.add_argument("client_secret")
    ap.add_argument("--ws-url", help="the project's ws_url the session must carry")
    ap.add_argument("--webrtc-url", help="the project's webrtc_url the session must carry")
    ap.add_argument("--user-id", help="the client's user id (session ids start with it)")
    args = ap.parse_args(argv)
    base = args.base_url.rstrip("/")
    client_headers = {"ClientID": args.client_id, "ClientSecret": args.client_secret}

    try:
        version = importlib.metadata.version("palabra-ai")
        from palabra_ai.internal.rest import PalabraRESTClient, SessionCredentials
    except Exception as e:  # ImportError, or OSError for a missing libportaudio
        print(
            f"FAIL [import]: palabra-ai 0.6 SDK not importable with {sys.executable}: {e!r}\n"
            "hint: build the venv with scripts/sdk06-venv (it installs libportaudio2 too)",
            file=sys.stderr,
        )
        return 2
    if not version.startswith(EXPECTED_SERIES):
        print(
            f"FAIL [import]: {sys.executable} has palabra-ai {version}, not {EXPECTED_SERIES}x",
            file=sys.stderr,
        )
        return 2
    import aiohttp
    from palabra_ai.exc import InvalidCredentialsError

    print(f"palabra-ai {version} against {args.base_url}", flush=True)
    sdk = PalabraRESTClient(args.client_id, args.client_secret, base_url=args.base_url)
    created: list[str] = []

    def get_session(sid: str) -> tuple[int, dict[str, str], bytes]:
        return http("GET", f"{base}/session-storage/sessions/{sid}", client_headers)

    def whoami(token: str) -> tuple[int, dict[str, str], bytes]:
        return http("GET", f"{base}/session-storage/session", {"Authorization": f"Bearer {token}"})

    try:
        with step("create_session(subscriber_count=2) through the SDK"):
            creds = asyncio.run(sdk.create_session(subscriber_count=2))
            created.append(creds.id)
            check(isinstance(creds, SessionCredentials), f"not SessionCredentials: {creds!r}")
            if args.user_id:
                check(
                    re.fullmatch(
                        rf"{re.escape(args.user_id)}\.[0-9a-f]{{8}}\.[0-9a-f]{{8}}", creds.id
                    )
                    is not None,
                    f"session id {creds.id!r} is not <user id>.<8 hex>.<8 hex>",
                )
            check(
                bool(creds.publisher) and isinstance(creds.publisher, str), "empty publisher token"
            )
            check(creds.jwt_token == creds.publisher, "jwt_token differs from publisher")
            check(
                isinstance(creds.subscriber, list) and len(creds.subscriber) == 2,
                f"expected 2 subscriber tokens, got {creds.subscriber!r}",
            )
            check(
                all(isinstance(t, str) and t for t in creds.subscriber),
                f"bad subscriber tokens {creds.subscriber!r}",
            )
            check(
                len({creds.publisher, *creds.subscriber}) == 3,
                "publisher/subscriber tokens are not distinct",
            )
            check(bool(creds.webrtc_room_name), "empty webrtc_room_name")
            if args.ws_url:
                check(
                    creds.ws_url == args.ws_url,
                    f"ws_url {creds.ws_url!r} != project's {args.ws_url!r}",
                )
                check(creds.control_url == args.ws_url, "control_url differs")
            if args.webrtc_url:
                check(
                    creds.webrtc_url == args.webrtc_url,
                    f"webrtc_url {creds.webrtc_url!r} != project's {args.webrtc_url!r}",
                )
                check(creds.stream_url == args.webrtc_url, "stream_url differs")

        with step("a second session gets its own id, tokens and room"):
            other = asyncio.run(sdk.create_session())
            created.append(other.id)
            check(
                other.subscriber == [],
                f"default subscriber_count must give [], got {other.subscriber!r}",
            )
            check(other.id != creds.id, "same session id twice")
            check(other.publisher != creds.publisher, "same publisher token twice")
            check(other.webrtc_room_name != creds.webrtc_room_name, "same webrtc_room_name twice")

        with step("read it back: GET /session-storage/sessions/{id}"):
            status, hdrs, body = get_session(creds.id)
            check(status == 200, f"expected 200, got {status}: {body[:300]!r}")
            doc = json_of(status, hdrs, body)
            check(doc.get("ok") is True, f"ok is not true: {doc}")
            data = doc.get("data") or {}
            check(data.get("id") == creds.id, f"data.id {data.get('id')!r} != {creds.id!r}")
            for key in ("created_at", "updated_at", "expires_at"):
                check(
                    isinstance(data.get(key), str)
                    and re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", data[key])
                    is not None,
                    f"{key} is not RFC 3339 UTC seconds with Z: {data.get(key)!r}",
                )
            for key in ("ws_url", "webrtc_url", "webrtc_room_name"):
                if key in data:
                    check(
                        data[key] == getattr(creds, key),
                        f"{key}: API shows {data[key]!r}, SDK got {getattr(creds, key)!r}",
                    )

        with step("the tokens belong to the session (GET /session-storage/session, Bearer)"):
            for token, role in [(creds.publisher, "publisher")] + [
                (t, "subscriber") for t in creds.subscriber
            ]:
                status, hdrs, body = whoami(token)
                check(status == 200, f"{role} token: expected 200, got {status}: {body[:300]!r}")
                data = json_of(status, hdrs, body).get("data") or {}
                check(
                    data.get("id") == creds.id and data.get("role") == role,
                    f"{role} token resolves to {data}",
                )
                if args.user_id:
                    check(
                        data.get("user_id") == args.user_id,
                        f"user_id {data.get('user_id')!r} != {args.user_id!r}",
                    )

        with step("wrong credentials: create_session fails with the SDK's HTTP error (401)"):
            for bad in (
                PalabraRESTClient(args.client_id, args.client_secret + "x", base_url=args.base_url),
                PalabraRESTClient(
                    f"nope-{uuid.uuid4().hex}", args.client_secret, base_url=args.base_url
                ),
            ):
                try:
                    got = asyncio.run(bad.create_session(subscriber_count=1))
                except aiohttp.ClientResponseError as e:
                    check(e.status == 401, f"expected HTTP 401, got {e.status}")
                except InvalidCredentialsError as e:
                    raise CheckFailed(
                        f"server answered 404 for bad credentials (contract: 401): {e}"
                    ) from e
                else:
                    created.append(got.id)
                    raise CheckFailed(f"bad credentials created session {got.id}")

        with step("wrong credentials: delete_session (errors swallowed) deletes nothing"):
            asyncio.run(bad.delete_session(creds.id))
            status, _, body = get_session(creds.id)
            check(
                status == 200,
                f"session gone after a wrong-credentials delete ({status}): {body[:300]!r}",
            )

        with step("delete_session through the SDK"):
            check(
                asyncio.run(sdk.delete_session(creds.id)) is None,
                "delete_session returned something",
            )
            created.remove(creds.id)
            status, hdrs, body = get_session(creds.id)
            check_error_body(status, hdrs, body, 404, "GET after delete")
            status, _, body = http(
                "DELETE", f"{base}/session-storage/sessions/{creds.id}", client_headers
            )
            check(status == 404, f"second DELETE: expected 404, got {status}: {body[:300]!r}")

        with step("the session's tokens died with it"):
            for token in [creds.publisher, *creds.subscriber]:
                status, hdrs, body = whoami(token)
                check_error_body(status, hdrs, body, 401, "token of a deleted session")
            status, _, body = get_session(other.id)
            check(status == 200, f"the other session was affected ({status}): {body[:300]!r}")

        with step("the server still answers"):
            status, _, body = http("GET", f"{base}/healthz", {})
            check(status == 200, f"/healthz answered {status}: {body[:300]!r}")
            status, hdrs, body = http("GET", f"{base}/session-storage/sessions", client_headers)
            check(
                status == 200 and json_of(status, hdrs, body).get("ok") is True,
                f"list answered {status}: {body[:300]!r}",
            )
    except CheckFailed as e:
        print(f"FAIL [{_current_step}]: {e}", file=sys.stderr)
        return 1
    except Exception as e:
        traceback.print_exc()
        print(f"FAIL [{_current_step}]: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    finally:
        for sid in created:
            with suppress(Exception):
                http("DELETE", f"{base}/session-storage/sessions/{sid}", client_headers)
    print("OK: palabra-ai 0.6 SDK works against Gatehouse", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
