"""What a request carries, read strictly: its body within the byte limit, an uploaded CSV, the explain query.

Each refusal is a `RequestError` naming what was sent and what is accepted, so a client error is never a 500.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request

from scorecast.serving.problems import RequestError

CSV_TYPES = frozenset({"text/csv", "application/csv", "text/plain"})
CSV_IF_NAMED = frozenset({"application/vnd.ms-excel", "application/octet-stream", ""})  # what browsers send
EXPLAIN_VALUES = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}


def explain_requested(request: Request) -> bool:
    """`?explain=`: a yes or a no; anything else, or another parameter (`?explian=true`), is refused rather
    than quietly read as no."""
    unknown = [key for key in request.query_params if key != "explain"]
    if unknown:
        raise RequestError(400, f"query {unknown[0]}: unknown parameter; expected only explain")
    values = request.query_params.getlist("explain")
    if not values:
        return False
    value = values[-1].lower()
    if len(values) > 1 or value not in EXPLAIN_VALUES:
        given = ", ".join(repr(v) for v in values)
        raise RequestError(400, f"query explain: {given}; expected one of {', '.join(EXPLAIN_VALUES)}")
    return EXPLAIN_VALUES[value]


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refusing more than `limit` bytes whether or not Content-Length is sent."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise RequestError(413, f"body: {int(length)} bytes; at most {limit} allowed (SCORECAST_MAX_BYTES)")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestError(413, f"body: more than {limit} bytes; at most {limit} allowed (SCORECAST_MAX_BYTES)")
        chunks.append(chunk)
    return b"".join(chunks)


def media_type(value: str | None) -> str:
    return (value or "").split(";")[0].strip().lower()


async def read_upload(request: Request, limit: int) -> tuple[bytes, str]:
    """CSV bytes and a file name from a multipart upload (field `file`) or a text/csv body."""
    kind = media_type(request.headers.get("content-type"))
    body = await read_body(request, limit)
    if kind in CSV_TYPES:
        return body, "upload.csv"
    if kind != "multipart/form-data":
        expected = "a multipart upload of a .csv file (field 'file') or a text/csv body"
        raise RequestError(415, f"content type {kind or 'none'}: expected {expected}")
    upload = await _form_file(request, body)
    name = upload.filename or "upload.csv"
    kind = media_type(upload.content_type)
    if kind not in CSV_TYPES and not (kind in CSV_IF_NAMED and name.lower().endswith(".csv")):
        raise RequestError(415, f"file {name!r} is {kind or 'untyped'}: expected a .csv file (text/csv)")
    return await upload.read(), name


async def _form_file(request: Request, body: bytes) -> UploadFile:
    from starlette.exceptions import HTTPException
    from starlette.formparsers import MultiPartException

    async def replay() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(request.scope, replay).form(max_files=1, max_fields=20)
    except (HTTPException, MultiPartException) as err:
        raise RequestError(400, f"multipart body: unreadable ({getattr(err, 'detail', None) or err})") from err
    upload = form.get("file")
    if isinstance(upload, str):  # `curl -F 'file=<x.csv'`: decoded by Starlette, not checked as CSV files are
        raise RequestError(
            400, "multipart body: field 'file' is text, not a file; upload it as a file (-F file=@x.csv)"
        )
    if not isinstance(upload, UploadFile):
        upload = next((v for _, v in form.multi_items() if isinstance(v, UploadFile)), None)
    if upload is None:
        raise RequestError(400, "multipart body: no file; send the CSV in a field named 'file'")
    return upload
