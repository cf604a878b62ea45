"""OpenAPI documentation of the JSON request bodies that handlers read themselves.

Handlers read their bodies with ``api/_common/body.py`` (so that an empty body,
``null``, a wrong media type and malformed JSON answer in the surface's own error
shape), which Litestar cannot see. ``json_body`` gives a route decorator an
``operation_class`` that documents the body all the same, from the wire type's
JSON Schema (msgspec), inlined so the document needs no extra components.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgspec
from litestar.openapi.spec import OpenAPIMediaType, Operation, RequestBody, Schema

__all__ = ["json_body"]

_REF = "#/$defs/"


@dataclass
class _JsonSchema(Schema):
    """A schema given as plain JSON Schema (Litestar's ``Schema`` serialises as itself)."""

    document: dict[str, Any] = field(default_factory=dict)

    def to_schema(self) -> dict[str, Any]:
        return self.document


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF):
            return _inline(defs[ref[len(_REF) :]], defs)
        return {k: _inline(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def json_body(kind: Any, *, description: str, required: bool = False) -> type[Operation]:
    """An ``operation_class`` whose operation documents an ``application/json`` body of
    wire type ``kind`` (a Struct, or a union such as ``Struct | None``)."""
    generated = msgspec.json.schema(kind)
    document = _inline(generated, generated.get("$defs", {}))
    body = RequestBody(
        content={"application/json": OpenAPIMediaType(schema=_JsonSchema(document=document))},
        description=description,
        required=required,
    )

    @dataclass
    class WithJsonBody(Operation):
        def __post_init__(self) -> None:
            self.request_body = body

    return WithJsonBody
