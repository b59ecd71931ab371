"""ASGI middleware in front of the API: API key, per-client rate limit, no pickled bodies, and the one
error shape for the 404s and 405s the routers answer in plain text.

Pure ASGI (not BaseHTTPMiddleware) so the open default costs one set lookup per request.
"""

from __future__ import annotations

import hmac
import logging
import math
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from scorecast.serving.problems import error_body
from scorecast.serving.ratelimit import RateLimiter
from scorecast.serving.settings import Settings

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]]

PROTECTED = frozenset({"/predict", "/predict_csv", "/metadata"})  # health, docs and the page stay open
PICKLE_TYPE = b"application/vnd.bentoml+pickle"
SCORING = frozenset({"/predict", "/predict_csv"})


class AccessGuard:
    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.key = settings.api_key.encode() if settings.api_key else None
        self.limiter = (
            RateLimiter(settings.rate_limit, Path(settings.rate_limit_db) if settings.rate_limit_db else None)
            if settings.rate_limit
            else None
        )

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] not in PROTECTED:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if headers.get(b"content-type", b"").startswith(PICKLE_TYPE):
            await _reply(send, 415, "pickled request bodies are not accepted; send JSON or a CSV file")
            return
        if self.key is not None and not self._authorized(headers):
            message = "missing or wrong API key: send it in the X-API-Key header or as 'Authorization: Bearer <key>'"
            await _reply(send, 401, message, [(b"www-authenticate", b'Bearer realm="scorecast"')])
            return
        if self.limiter is not None:
            client = scope.get("client") or ("unknown", 0)
            wait = self.limiter.hit(str(client[0]))
            if wait > 0:
                retry = max(1, math.ceil(wait))
                await _reply(
                    send, 429, f"rate limit exceeded: retry in {retry} s", [(b"retry-after", str(retry).encode())]
                )
                return
        await self.app(scope, receive, send)

    def _authorized(self, headers: dict[bytes, bytes]) -> bool:
        assert self.key is not None
        given = headers.get(b"x-api-key")
        if given is None:
            auth = headers.get(b"authorization", b"")
            given = auth[7:].strip() if auth[:7].lower() == b"bearer " else b""
        return hmac.compare_digest(given, self.key)


class JsonErrors:
    """Starlette answers an unknown path (404) or method (405) with plain text; answer in the one error shape,
    naming what there is instead."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or (scope["method"] == "POST" and scope["path"] in SCORING):
            await self.app(scope, receive, send)  # the predict path: its routes answer no plain 404 or 405
            return
        held: dict[str, Any] = {}

        async def reply_in_json(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and message["status"] in (404, 405):
                headers = dict(message.get("headers") or [])
                if headers.get(b"content-type", b"").startswith(b"text/plain"):
                    held["start"], held["allow"] = message, headers.get(b"allow", b"").decode()
                    return
            if "start" in held and message["type"] == "http.response.body":
                if not message.get("more_body"):
                    status = held["start"]["status"]
                    extra = [(b"allow", held["allow"].encode())] if held["allow"] else []
                    await _reply(send, status, _routing_error(scope, status, held["allow"]), extra)
                return
            await send(message)

        await self.app(scope, receive, reply_in_json)


def _routing_error(scope: Scope, status: int, allow: str) -> str:
    where = f"{scope.get('method', '?')} {scope.get('path', '?')}"
    if status == 405:
        methods = ", ".join(sorted(m.strip() for m in allow.split(",") if m.strip()))  # the router's order varies
        return f"{where}: method not allowed; expected {methods or 'another method'}"
    return f"{where}: no such endpoint; expected POST /predict, POST /predict_csv, GET /metadata, /docs.json or /ui/"


async def _reply(send: Any, status: int, message: str, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    log.info("refused a request: %d %s", status, message)
    body = error_body(message)
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers + (extra or [])})
    await send({"type": "http.response.body", "body": body})
