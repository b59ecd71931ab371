"""The patched BentoML TimeoutMiddleware: no timer left armed after a request, still a 504 on a slow one."""

from __future__ import annotations

import asyncio
import json

from bentoml._internal.server.http.traffic import TimeoutMiddleware

from scorecast.serving.timeout import patch_bentoml_timeout

SCOPE = {"type": "http", "method": "GET", "path": "/", "headers": []}


async def call(app, timeout: float) -> list[dict]:
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b""}

    async def send(message: dict) -> None:
        sent.append(message)

    await TimeoutMiddleware(app, timeout=timeout)(SCOPE, receive, send)
    return sent


async def fast(scope, receive, send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


async def slow(scope, receive, send) -> None:
    await asyncio.sleep(10)


def test_no_timer_left_armed_after_requests():
    patch_bentoml_timeout()

    async def main() -> int:
        for _ in range(200):
            assert (await call(fast, timeout=60))[0]["status"] == 200
        loop = asyncio.get_running_loop()
        return sum(not h.cancelled() for h in loop._scheduled)  # upstream leaves 200 armed for 60 s

    assert asyncio.run(main()) == 0


def test_slow_request_still_times_out():
    patch_bentoml_timeout()
    sent = asyncio.run(call(slow, timeout=0.05))
    assert sent[0]["status"] == 504
    body = json.loads(sent[1]["body"])
    assert body["error"].startswith("request: not answered within 0.05 s") and body["detail"] == []
