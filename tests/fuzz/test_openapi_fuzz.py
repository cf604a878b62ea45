"""Property-based fuzzing of every surface against Gatehouse's own OpenAPI document.

For each surface (and the ops endpoints) schemathesis generates requests from the
document served at ``/docs/openapi.json`` — positive and negative data — and sends
them to the in-process app, once with valid credentials injected and once without.
Every check of schemathesis runs (``--checks all``): besides those below, a
schema-valid request may not be refused (400/422) and an invalid one not accepted.
Every response must:

* not be a 5xx (``not_a_server_error``): the database and the (fake, local) Steam
  are up, so not even the documented ``/readyz`` 503 or v1 502 may appear;
* have a documented status code, content type, headers and body schema;
* for a 4xx, carry the error shape of its surface (``ERROR_SHAPES``), and a
  ``Retry-After`` header on a 429.

The runs are derandomized (reproducible in CI) and each one asserts how many cases
it actually sent, so a shrinking document cannot silently weaken the test.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import CHECKS as REGISTERED_CHECKS
from schemathesis.checks import load_all_checks

from gatehouse.core.project_rules import MAX_TTL_SECONDS
from tests.fuzz.conftest import FuzzApp, Seed

#: Generated cases per surface and per credential mode (with / without).
CASES_PER_SURFACE = 1000

SURFACES: dict[str, str] = {
    "session_storage": r"^/session-storage/",
    "account_v3": r"^/v3/",
    "user_session_v1": r"^/v1/",
    "admin_v1": r"^/admin/v1/",
    "ops": r"^/(healthz|readyz|metrics)$",
}

load_all_checks()
#: ``--checks all``: every built-in check of schemathesis, positive_data_acceptance
#: ("no schema-valid request refused") and negative_data_rejection included.
CHECKS = list(REGISTERED_CHECKS.get_all())
#: The admin API documents ASCII forms of user names, emails and URLs while its
#: services accept Unicode ones (judged again by the same rules as the CLI), so a
#: value outside the documented pattern may be accepted: everything but
#: negative_data_rejection runs on it.
ADMIN_CHECKS = [c for c in CHECKS if c.__name__ != "negative_data_rejection"]
ALL_CHECKS = CHECKS


# -- the error shape of each surface (see api/<surface>/errors.py) -------------------


def _session_storage_error(body: Any, status: int, path: str) -> None:
    assert isinstance(body, dict) and set(body) == {"ok", "error", "errors"}, body
    assert body["ok"] is False and isinstance(body["error"], str) and body["error"], body
    assert isinstance(body["errors"], list) and len(body["errors"]) == 1, body
    item = body["errors"][0]
    assert set(item) == {"type", "status", "title", "detail", "instance", "error_code"}, item
    assert isinstance(item["type"], str) and item["type"].startswith("/errors/"), item
    assert item["status"] == status, item
    assert isinstance(item["title"], str) and isinstance(item["detail"], str), item
    assert item["instance"] == path, item
    assert isinstance(item["error_code"], int), item


def _account_v3_error(body: Any, status: int, path: str) -> None:
    assert isinstance(body, dict) and set(body) == {"errorCode", "errorMessage", "errors"}, body
    assert isinstance(body["errorCode"], int) and not isinstance(body["errorCode"], bool), body
    assert isinstance(body["errorMessage"], str), body
    assert isinstance(body["errors"], list), body
    for item in body["errors"]:
        assert set(item) == {"property", "message"}, item
        assert isinstance(item["property"], str) and isinstance(item["message"], str), item


def _user_session_v1_error(body: Any, status: int, path: str) -> None:
    assert isinstance(body, dict) and set(body) == {"code", "message", "fields", "data"}, body
    code = body["code"]
    assert isinstance(code, int) and not isinstance(code, bool), body
    assert isinstance(body["message"], str), body
    assert body["fields"] is None or isinstance(body["fields"], str), body
    assert body["data"] is None or isinstance(body["data"], dict), body
    # The official clients retry 6000-6999: only throttling and upstream trouble use them.
    if 6000 <= code <= 6999:
        assert (status, code) in ((429, 6002), (502, 6001), (503, 6001)), body
    if status == 429:
        assert code == 6002 and isinstance(body["data"], dict), body
        assert isinstance(body["data"].get("retryAfterSeconds"), int), body


def _ops_error(body: Any, status: int, path: str) -> None:
    assert isinstance(body, dict) and set(body) == {"error", "status"}, body
    assert isinstance(body["error"], str) and body["status"] == status, body


def _admin_v1_error(body: Any, status: int, path: str) -> None:
    """RFC 9457 problem details (api/admin_v1/errors.py)."""
    assert isinstance(body, dict) and {"type", "title", "status", "detail"} <= set(body), body
    assert set(body) <= {"type", "title", "status", "detail", "errors"}, body
    assert body["type"].startswith("urn:gatehouse:problem:") and body["status"] == status, body
    assert isinstance(body["title"], str) and isinstance(body["detail"], str), body
    for item in body.get("errors", []):
        assert set(item) == {"field", "message"}, item


ERROR_SHAPES: dict[str, Callable[[Any, int, str], None]] = {
    "session_storage": _session_storage_error,
    "account_v3": _account_v3_error,
    "user_session_v1": _user_session_v1_error,
    "ops": _ops_error,
    "admin_v1": _admin_v1_error,
}
#: The media type of each surface's errors (application/json unless said here).
ERROR_MEDIA = {"admin_v1": "application/problem+json"}


def check_error_shape(surface: str, case: schemathesis.Case, response: Any) -> None:
    status = response.status_code
    if not 400 <= status < 500:
        return
    where = f"{case.method} {case.formatted_path} -> {status}: {response.content[:300]!r}"
    media = (response.headers.get("content-type") or [""])[0]
    assert media.split(";")[0].strip() == ERROR_MEDIA.get(surface, "application/json"), where
    try:
        ERROR_SHAPES[surface](response.json(), status, unquote(case.formatted_path))
    except AssertionError as exc:
        raise AssertionError(f"{where}\nnot in the {surface} error shape: {exc}") from None
    if status == 429:
        assert response.headers.get("retry-after"), f"{where}\n429 without Retry-After"


# -- valid credentials, injected per operation ------------------------------------------


def inject_credentials(case: schemathesis.Case, seed: Seed, data: st.DataObject) -> dict[str, str]:
    """Replace the generated credential headers with valid ones; sometimes also point
    the request at the seeded session or the seeded user, so successes get checked.
    The valid headers set, which the checks are told of (so that ``ignored_auth``
    knows them for real credentials, not generated ones)."""
    headers = case.headers if case.headers is not None else {}
    path = case.operation.path
    often = data.draw(st.integers(0, 3), label="use-real-values") > 0
    if path.startswith("/session-storage/"):
        if path == "/session-storage/session" and case.method == "GET":
            headers["Authorization"] = f"Bearer {seed.bearer}"
        else:
            headers["ClientID"] = seed.client_id
            headers["ClientSecret"] = seed.client_secret
        if case.path_parameters and often:
            case.path_parameters["session_id"] = seed.session_id
        if path == "/session-storage/sessions/{session_id}" and case.method == "POST":
            # ttl_seconds is required in the query or the body (400 otherwise), a rule
            # across two locations that OpenAPI cannot state: keep one of them.
            body = case.body if isinstance(case.body, dict) else {}
            data_ = body.get("data") if isinstance(body.get("data"), dict) else {}
            if "ttl_seconds" not in (case.query or {}) and data_.get("ttl_seconds") is None:
                case.query = {**(case.query or {}), "ttl_seconds": 3600}
        if (case.query or {}).get("page_token"):
            # Only a token the server signed is valid (400 otherwise, as documented).
            case.query = {**(case.query or {}), "page_token": seed.page_token}
    elif path.startswith("/v3/"):
        if path == "/v3/session/token":
            headers["X-API-Key"] = seed.api_keys["public"]
        elif path.startswith("/v3/session/login"):
            headers["PRIVATE-TOKEN"] = seed.device_token
            if path == "/v3/session/login" and often and isinstance(case.body, dict):
                case.body["userName"] = seed.username
                case.body["password"] = seed.password
        else:
            headers["PRIVATE-TOKEN"] = seed.personal_token
    elif path.startswith("/admin/v1/"):
        headers["Authorization"] = f"Bearer {seed.operator_key}"
        if "Idempotency-Key" in headers:  # one per case: a reused key is a documented 422
            headers["Idempotency-Key"] = f"fuzz-{next(_IDEMPOTENCY_KEYS)}"
        params = case.path_parameters or {}
        real = {
            "project_id": seed.project_id,
            "user_id": seed.user_id,
            "session_id": seed.session_id,
            "client_id": seed.client_id,
            "key_id": seed.api_key_id,
        }
        for name in params:
            if often and name in real:
                params[name] = real[name]
        if (case.query or {}).get("after"):  # only a cursor the server signed is valid
            case.query = {k: v for k, v in (case.query or {}).items() if k != "after"}
        body = case.body if isinstance(case.body, dict) else {}
        if "session_ttl_seconds" in body or "max_ttl_seconds" in body:
            # session_ttl_seconds <= max_ttl_seconds, on the resulting project: a rule
            # across two fields (and the stored project) that OpenAPI cannot state.
            body["max_ttl_seconds"] = MAX_TTL_SECONDS
            body.setdefault("session_ttl_seconds", 30 * 86400)
    elif path.startswith("/v1/"):
        if path == "/v1/authenticate":
            kind = data.draw(st.sampled_from(["public", "server", "admin"]), label="key")
            headers["X-API-Key"] = seed.api_keys[kind]
            if often and isinstance(case.body, dict):
                case.body["emailAddress"] = seed.email
                case.body["passwordHash"] = seed.password_hash
        else:
            own = data.draw(st.booleans(), label="session's own key")
            headers["X-API-Key"] = seed.publisher if own else seed.api_keys["server"]
            # A typed key has no session of its own, so it must name one (400 naming
            # `id`), which the document cannot say per kind of key: give it one.
            if often or (not own and not (case.query or {}).get("id")):
                case.query = {**(case.query or {}), "id": seed.session_id}
    case.headers = headers
    return {k: v for k, v in headers.items() if k in CREDENTIAL_HEADERS}


_IDEMPOTENCY_KEYS = itertools.count()
CREDENTIAL_HEADERS = {"ClientID", "ClientSecret", "Authorization", "X-API-Key", "PRIVATE-TOKEN"}


# -- the runs -------------------------------------------------------------------------


def _strategy(operation: Any) -> st.SearchStrategy[schemathesis.Case]:
    modes = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
    return st.one_of([operation.as_strategy(generation_mode=mode) for mode in modes])


def _fuzz_operation(
    fuzz: FuzzApp,
    surface: str,
    operation: Any,
    label: str,
    statuses: Counter[str],
    max_examples: int,
    *,
    authed: bool,
) -> None:
    # The checks of this surface, under the name ``run`` reads: Hypothesis seeds a
    # derandomized run from the test's source, so ``run`` stays as it was and the
    # other surfaces keep the cases they have always been fuzzed with.
    CHECKS = ADMIN_CHECKS if surface == "admin_v1" else ALL_CHECKS

    @settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
        ],
        print_blob=False,
    )
    @given(case=_strategy(operation), data=st.data())
    def run(case: schemathesis.Case, data: st.DataObject) -> None:
        credentials = inject_credentials(case, fuzz.seed, data) if authed else None
        response = case.call()
        statuses[f"{label} -> {response.status_code}"] += 1
        case.validate_response(response, checks=CHECKS, headers=credentials)
        check_error_shape(surface, case, response)

    run()


def fuzz_surface(fuzz: FuzzApp, surface: str, *, authed: bool) -> Counter[str]:
    """Fuzz every operation of ``surface``; the count of responses per operation and status."""
    schema = schemathesis.openapi.from_asgi("/docs/openapi.json", fuzz.asgi())
    operations = [
        result.ok() for result in schema.include(path_regex=SURFACES[surface]).get_all_operations()
    ]
    # Deletions last, so the seeded session serves the other operations first.
    operations.sort(key=lambda operation: operation.method.upper() == "DELETE")
    assert operations, f"no operation documented for {surface}"
    per_operation = math.ceil(CASES_PER_SURFACE / len(operations))
    statuses: Counter[str] = Counter()
    failures: list[str] = []
    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"
        try:
            _fuzz_operation(fuzz, surface, operation, label, statuses, per_operation, authed=authed)
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"--- {label}:\n{exc}")
    print(f"{surface}, {'with' if authed else 'without'} credentials:")
    for key, count in sorted(statuses.items()):
        print(f"  {count:5d}  {key}")
    assert not failures, "\n".join(failures)
    return statuses


@pytest.mark.parametrize("authed", [True, False], ids=["with-credentials", "without"])
@pytest.mark.parametrize(
    "surface", ["session_storage", "account_v3", "user_session_v1", "admin_v1"]
)
def test_surface_conforms_to_its_openapi_document(
    fuzz_app: FuzzApp, surface: str, authed: bool
) -> None:
    statuses = fuzz_surface(fuzz_app, surface, authed=authed)
    assert statuses.total() >= CASES_PER_SURFACE, statuses


@pytest.mark.parametrize("authed", [True, False], ids=["with-credentials", "without"])
def test_ops_endpoints_conform_to_the_openapi_document(fuzz_app: FuzzApp, authed: bool) -> None:
    # No parameters, so Hypothesis runs out of distinct cases long before 1,000.
    statuses = fuzz_surface(fuzz_app, "ops", authed=authed)
    for path in ("/healthz", "/readyz", "/metrics"):
        assert any(f" {path} -> " in key for key in statuses), statuses
