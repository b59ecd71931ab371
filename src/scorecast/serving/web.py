"""GET routes next to the BentoML API: /metadata, the page at /ui (static files from the package, no CDN) and
/docs.json (BentoML's OpenAPI document, corrected by `iospec.document`).

A plain Starlette app (FastAPI is not a dependency here); BentoML mounts it passively at "/", so it only
receives the paths its routes match, and it is mounted before BentoML adds its own /docs.json, so ours answers.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from scorecast.serving import iospec
from scorecast.serving.problems import JSON_TYPE, error_body

STATIC = {"index.html": "text/html", "app.js": "text/javascript", "app.css": "text/css"}


@cache
def _asset(name: str) -> bytes:
    return files("scorecast.serving").joinpath("static", name).read_bytes()


async def page(request: Request) -> Response:
    name = request.path_params.get("name", "index.html")
    if name not in STATIC:
        return Response(error_body(f"/ui/{name}: no such file"), status_code=404, media_type=JSON_TYPE)
    return Response(_asset(name), media_type=f"{STATIC[name]}; charset=utf-8", headers={"Cache-Control": "no-cache"})


async def metadata(request: Request) -> Response:
    import bentoml

    return bentoml.get_current_service().scorer.metadata()


@cache
def _document() -> bytes:
    """Built once per worker: the service's endpoints do not change while it runs."""
    import bentoml

    service = bentoml.get_current_service()
    return json.dumps(iospec.document(service.bento_service.openapi_spec.asdict(), service.scorer.typical)).encode()


async def openapi(request: Request) -> Response:
    return Response(_document(), media_type=JSON_TYPE)


def create_app() -> Starlette:
    return Starlette(
        routes=[
            Route("/metadata", metadata, methods=["GET"]),
            Route("/docs.json", openapi, methods=["GET"]),
            Route("/ui", page, methods=["GET"]),
            Route("/ui/", page, methods=["GET"]),
            Route("/ui/{name}", page, methods=["GET"]),
        ]
    )
