"""OpenAPI documentation helpers: request bodies that handlers read themselves, and
answers with real examples.

Handlers read their bodies with ``api/_common/body.py`` (so that an empty body,
``null``, a wrong media type and malformed JSON answer in the surface's own error
shape), which Litestar cannot see. ``json_body`` gives a route decorator an
``operation_class`` that documents the body all the same, from the wire type's
JSON Schema (msgspec), as named components (``#/components/schemas/<Struct>``) so
that client generators get one model per type. ``add_request_components`` puts
those components into the built document (Litestar replaces the configured ones
with its own registry, so they are added after the build).

``answer`` declares one answer of an operation with a named schema and a real
example: Litestar would otherwise invent random strings as examples.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NoReturn

import msgspec
from litestar import Litestar
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example, OpenAPIMediaType, Operation, RequestBody, Schema

__all__ = ["add_request_components", "answer", "json_body", "served_by_router"]

_REF = "#/components/schemas/{name}"
#: Every request-body component documented so far, by name.
_REQUEST_COMPONENTS: dict[str, dict[str, Any]] = {}


@dataclass
class _JsonSchema(Schema):
    """A schema given as plain JSON Schema (Litestar's ``Schema`` serialises as itself)."""

    document: dict[str, Any] = field(default_factory=dict)

    def to_schema(self) -> dict[str, Any]:
        return self.document


@dataclass
class _Example(Example):
    """An example whose value keeps its ``null``s (Litestar drops them, which would
    leave required nullable fields out of the example)."""

    def to_schema(self) -> dict[str, Any]:
        return {"summary": self.summary, "value": self.value}


def _example(summary: str, value: Any) -> _Example:
    return _Example(id="-".join(summary.lower().split()), summary=summary, value=value)


def _register(kind: Any) -> dict[str, Any]:
    (schema,), components = msgspec.json.schema_components([kind], ref_template=_REF)
    for name, component in components.items():
        known = _REQUEST_COMPONENTS.setdefault(name, component)
        if known != component:  # two wire types of one name would break client generators
            raise ValueError(f"two request schemas are named {name}")
    return schema


def json_body(
    kind: Any, *, description: str, examples: dict[str, Any], required: bool = False
) -> type[Operation]:
    """An ``operation_class`` whose operation documents an ``application/json`` body of
    wire type ``kind`` (a Struct, or a union such as ``Struct | None``), with
    ``examples`` (summary -> value)."""
    body = RequestBody(
        content={
            "application/json": OpenAPIMediaType(
                schema=_JsonSchema(document=_register(kind)),
                examples={_example(s, v).id or s: _example(s, v) for s, v in examples.items()},
            )
        },
        description=description,
        required=required,
    )

    @dataclass
    class WithJsonBody(Operation):
        def __post_init__(self) -> None:
            self.request_body = body

    return WithJsonBody


def answer(kind: Any, description: str, **examples: Any) -> ResponseSpec:
    """One documented answer: body schema ``kind`` and real ``examples`` (name=value)."""
    return ResponseSpec(
        data_container=kind,
        description=description,
        generate_examples=False,
        examples=[_example(name.replace("_", " "), v) for name, v in examples.items()],
    )


def add_request_components(app: Litestar) -> None:
    """Build the app's OpenAPI document now and add the request-body components."""
    document = app.openapi_schema
    if document.components.schemas is None:
        document.components.schemas = {}
    schemas: dict[str, Any] = document.components.schemas
    for name, component in _REQUEST_COMPONENTS.items():
        if name in schemas:
            raise ValueError(f"{name} is both a request and a response schema")
        schemas[name] = _JsonSchema(document=component)
    document.components.schemas = dict(sorted(schemas.items()))


def served_by_router() -> NoReturn:
    """The body of a declaration that only documents an endpoint: requests to it are
    answered by ``api/_common/routing.py`` before the framework sees them."""
    raise RuntimeError("this endpoint is served by the surfaces' router")
