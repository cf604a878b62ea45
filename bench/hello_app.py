"""The ceiling: a bare Starlette "hello" app, served exactly like Gatehouse."""

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route


async def hello(request):  # type: ignore[no-untyped-def]
    return JSONResponse({"hello": "world"})


app = Starlette(routes=[Route("/hello", hello)])
