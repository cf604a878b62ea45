"""Methods of every documented path: ``OPTIONS`` lists exactly the documented ones in
``Allow``, and every other method is a 405 in the surface's error shape (what
schemathesis' ``allow_header_conformance`` and ``unsupported_method`` check), and
an answer the fuzz run cannot reach is documented all the same."""

from __future__ import annotations

import re

import httpx
from asgi_lifespan import LifespanManager

from gatehouse.settings import Settings
from gatehouse.wiring import Services
from tests.fuzz.conftest import FuzzApp
from tests.fuzz.test_openapi_fuzz import ERROR_SHAPES, SURFACES
from tests.helpers import serve_app

METHODS = ("get", "put", "post", "delete", "patch")
IMPLICIT = {"head", "options"}


def _surface(path: str) -> str:
    return next(name for name, pattern in SURFACES.items() if re.match(pattern, path))


async def test_allow_lists_exactly_the_documented_methods(fuzz_app: FuzzApp) -> None:
    async with LifespanManager(fuzz_app.app):
        transport = httpx.ASGITransport(app=fuzz_app.app, client=("203.0.113.7", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://gatehouse") as http:
            document = (await http.get("/docs/openapi.json")).json()
            problems: list[str] = []
            for template, item in document["paths"].items():
                documented = {m for m in item if m in METHODS}
                path = template.replace("{session_id}", fuzz_app.seed.session_id)
                answer = await http.options(path)
                allow = {m.strip().lower() for m in answer.headers.get("allow", "").split(",")}
                if answer.status_code >= 300 or allow - IMPLICIT - {""} != documented:
                    problems.append(f"OPTIONS {template}: {answer.status_code} Allow {allow}")
                for method in sorted(set(METHODS) - documented):
                    wrong = await http.request(method.upper(), path)
                    if wrong.status_code != 405:
                        problems.append(f"{method.upper()} {template}: {wrong.status_code}")
                        continue
                    try:
                        ERROR_SHAPES[_surface(template)](wrong.json(), 405, path)
                    except AssertionError as exc:
                        problems.append(f"{method.upper()} {template}: {exc}")
    assert not problems, "\n".join(problems)


async def test_a_token_before_any_project_is_a_documented_404(
    settings: Settings, services: Services
) -> None:
    # A fresh installation has no project for POST /v3/session/token to use.
    async with serve_app(settings, services) as http:
        document = (await http.get("/docs/openapi.json")).json()
        answer = await http.post("/v3/session/token")
    assert answer.status_code == 404, answer.text
    documented = document["paths"]["/v3/session/token"]["post"]["responses"]
    assert "404" in documented
    ref = documented["404"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/AccountErrorBody"
    ERROR_SHAPES["account_v3"](answer.json(), 404, "/v3/session/token")
