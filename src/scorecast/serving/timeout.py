"""BentoML's request timeout, with its timer cancelled once the response has started.

BentoML 1.4.39 and 1.4.40 (`bentoml._internal.server.http.traffic.TimeoutMiddleware.__call__`) arm
`loop.call_later(traffic.timeout, ...)` for every HTTP request and never cancel it. Each armed timer holds a
future and a copy of the request's contextvars, OpenTelemetry span included, on the event loop for the whole
timeout (60 s here): a worker keeps ~5 KB for every request of the last minute, so under load its RSS climbs
for a minute and its garbage collector walks millions of dead objects (p99 near 1 s). Same behaviour
otherwise: a 504 when nothing is sent within the timeout, here in the service's one error shape.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.responses import Response

from scorecast.serving.problems import JSON_TYPE, error_body

RETRY = "retry, or send fewer rows per request"


async def _timeout_call(self: Any, scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] not in ("http", "websocket"):
        return await self.app(scope, receive, send)
    loop = asyncio.get_running_loop()
    waiter = loop.create_future()
    timer = loop.call_later(self.timeout, self._set_timer_out, waiter)

    async def _send(message: Any) -> None:
        if not waiter.done():
            waiter.set_result(None)
        await send(message)

    fut = asyncio.ensure_future(self.app(scope, receive, _send), loop=loop)
    try:
        await waiter
    except TimeoutError:  # what upstream sets on the waiter (the same class since 3.11)
        if fut.cancel():
            message = f"request: not answered within {self.timeout} s (BentoML's traffic.timeout); {RETRY}"
            await Response(error_body(message), status_code=504, media_type=JSON_TYPE)(scope, receive, send)
        return
    finally:
        timer.cancel()  # the one line upstream lacks
    await fut


def patch_bentoml_timeout() -> None:
    """Install the fix in this process: each worker imports service.py before it serves."""
    from bentoml._internal.server.http.traffic import TimeoutMiddleware

    TimeoutMiddleware.__call__ = _timeout_call
