"""Methods of every documented path: ``OPTIONS`` lists exactly the documented ones in
``Allow``, and every other method is a 405 in the surface's error shape (what
schemathesis' ``allow_header_conformance`` and ``unsupported_method`` check)."""

from __future__ import annotations

import httpx
from asgi_lifespan import LifespanManager

from tests.fuzz.conftest import FuzzApp
from tests.fuzz.test_openapi_fuzz import ERROR_SHAPES, SURFACES

METHODS = ("get", "put", "post", "delete", "patch")
IMPLICIT = {"head", "options"}


def _surface(path: str) -> str:
    import re

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
