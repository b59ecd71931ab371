"""The HTTP side of /predict, /predict_csv and /metadata: score what `bodies` read, answer in one JSON shape.

Endpoints return Starlette responses themselves, so every client error is a 4xx in the shape
`{"error": "...", "detail": [...]}` and none is logged with a traceback.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import anyio.to_thread
import numpy as np
import orjson
from starlette.requests import Request
from starlette.responses import Response

from scorecast.errors import NotExplainable
from scorecast.explain import contributions
from scorecast.predlog import PredictionLog, SQLitePredictionLog
from scorecast.serving import csvscore
from scorecast.serving.bodies import explain_requested, read_body, read_upload
from scorecast.serving.features import RecordValidator, columns_from_schema
from scorecast.serving.predictor import Predictor, overflows, to_frame
from scorecast.serving.problems import JSON_TYPE, RequestError
from scorecast.serving.settings import Settings
from scorecast.serving.store import LoadedModel

log = logging.getLogger(__name__)

LOG_FLUSH_SECONDS = 0.05  # prediction-log rows are written in one transaction per interval
THREAD_BYTES = 64 * 1024  # bodies above this are parsed and scored off the event loop

Handler = Callable[..., Awaitable[Response]]


def client_errors(handler: Handler) -> Handler:
    """Turn `RequestError` into its JSON response: the one place errors are rendered."""

    @functools.wraps(handler)
    async def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return await handler(*args, **kwargs)
        except RequestError as err:
            log.info("client error %d: %s", err.status, err.message)
            return Response(err.body(), status_code=err.status, media_type=JSON_TYPE, headers=err.headers)

    return wrapper


class Scorer:
    """Everything a request needs, built once per worker from the loaded model."""

    def __init__(self, loaded: LoadedModel, settings: Settings) -> None:
        schema = loaded.metadata["schema"]
        self.tag = loaded.tag
        self.settings = settings
        self.target = schema["target"]["name"]
        self.columns = columns_from_schema(schema)
        self.validator = RecordValidator(self.columns, max_rows=settings.max_rows)
        self.predictor = Predictor(loaded.pipeline, self.columns)
        self.pipeline = loaded.pipeline
        meta = loaded.metadata
        interval = meta.get("interval") or {}
        self.halfwidth: float | None = interval.get("halfwidth")
        self.reference: list[float] | None = meta.get("reference")
        self.typical: dict[str, Any] | None = meta.get("typical")
        self.baseline = self._as_model_input(self.typical)
        self.log: PredictionLog | None = (
            SQLitePredictionLog(settings.log_path, flush_every=LOG_FLUSH_SECONDS) if settings.log_path else None
        )
        self.model_info = {
            "tag": self.tag,
            "winner": meta.get("metrics", {}).get("winner"),
            "params_md5": meta.get("params_md5"),
            "data_md5": meta.get("data_md5"),
        }
        self._tail = (
            f',"target":{json.dumps(self.target)},"model":{json.dumps(self.model_info)}}}'.encode()
        )  # the constant end of every /predict answer, serialised once
        self.metadata_body = self._metadata_body(meta)
        log.info("serving %s with the '%s' predictor", self.tag, self.predictor.mode)

    def _metadata_body(self, meta: dict[str, Any]) -> bytes:
        """GET /metadata, serialised once: what the page and clients need to know about the model served."""
        return json.dumps(
            {
                "tag": self.tag,
                "model": self.model_info,
                "metrics": meta.get("metrics"),
                "interval": meta.get("interval") or {},
                "typical": self.typical or {},
                "schema": meta["schema"],
                "data_md5": meta.get("data_md5"),
                "params_md5": meta.get("params_md5"),
                "predictor": self.predictor.mode,
                "limits": {"max_bytes": self.settings.max_bytes, "max_rows": self.settings.max_rows},
                "auth_required": self.settings.api_key is not None,
            }
        ).encode()

    @client_errors
    async def predict(self, request: Request) -> Response:
        explain = explain_requested(request)
        body = await read_body(request, self.settings.max_bytes)
        if len(body) > THREAD_BYTES or explain:
            return await anyio.to_thread.run_sync(self._predict_json, body, explain)
        return self._predict_json(body, explain)

    def _predict_json(self, body: bytes, explain: bool = False) -> Response:
        if not body.strip():
            raise RequestError(400, "body: empty; expected a JSON object (one record) or an array of records")
        try:
            payload = orjson.loads(body)  # strict JSON: NaN, Infinity and >64-bit integers are refused
        except orjson.JSONDecodeError as err:
            try:
                body.decode("utf-8")
            except UnicodeDecodeError as bad:
                raise RequestError(415, f"body: not UTF-8 text at byte {bad.start}; expected JSON in UTF-8") from err
            raise RequestError(400, f"body: malformed JSON ({err}); expected an object or an array of objects") from err
        batch = self.validator.validate(payload)
        predictions = self.predictor.predict(batch)
        self._refuse_overflows(predictions, batch, single=isinstance(payload, dict))
        if self.log is not None:
            self.log.append(self.tag, batch.records(), predictions.tolist(), self.halfwidth)
        parts = [b'{"predictions":', orjson.dumps(predictions, option=orjson.OPT_SERIALIZE_NUMPY)]
        if self.halfwidth is not None:
            bounds = np.column_stack([predictions - self.halfwidth, predictions + self.halfwidth])
            parts += [b',"intervals":', orjson.dumps(bounds, option=orjson.OPT_SERIALIZE_NUMPY)]
        if explain:
            parts += [b',"explanations":', orjson.dumps(self._explain(batch))]
        content = b"".join(parts) + self._tail
        return Response(content, media_type=JSON_TYPE, headers={"X-Scorecast-Model": self.tag})

    def _refuse_overflows(self, predictions: np.ndarray, batch: Any, *, single: bool) -> None:
        """A 422 rather than a 200 carrying inf, null or an interval that rounds to the prediction: the client sent
        numbers the model cannot score."""
        found = overflows(predictions, batch, self.columns, self.halfwidth)
        if not found:
            return
        problems = [
            o.problem({"index": None if single else o.row, "field": o.field}, "body" if single else f"record {o.row}")
            for o in found
        ]
        raise RequestError.invalid(problems, status=422)

    def _as_model_input(self, record: dict[str, Any] | None) -> dict[str, Any] | None:
        """A record as the model sees it after validation (e.g. bools as "True"/"False"): the explanations'
        baseline. A model packaged before typical rows were valid requests keeps its row as stored."""
        if not record:
            return record
        try:
            return to_frame(self.validator.validate(record), self.columns).iloc[0].to_dict()
        except RequestError as err:
            log.warning("the model's typical row is not a valid request (%s); explaining against it as stored", err)
            return record

    def _explain(self, batch: Any) -> list[dict[str, Any]]:
        """Per-record base value and per-feature contributions that sum to the prediction."""
        try:
            base, parts = contributions(self.pipeline, to_frame(batch, self.columns), self.reference, self.baseline)
        except NotExplainable as err:
            raise RequestError(422, f"explain: {err}") from err
        return [
            {"base": float(b), "contributions": {k: float(v) for k, v in row.items()}}
            for b, (_, row) in zip(base, parts.iterrows(), strict=True)
        ]

    @client_errors
    async def predict_csv(self, request: Request) -> Response:
        explain = explain_requested(request)
        data, filename = await read_upload(request, self.settings.max_bytes)
        scored = await anyio.to_thread.run_sync(self._score_csv, data, filename)
        explanations = None
        if explain and scored.valid_batch is not None:
            explanations = await anyio.to_thread.run_sync(self._explain, scored.valid_batch)
        if self.log is not None and scored.valid_batch is not None:
            valid = [p for p in scored.predictions if p is not None]
            records = scored.valid_batch.records()
            await anyio.to_thread.run_sync(self.log.append, self.tag, records, valid, self.halfwidth)
        headers = {
            "X-Scorecast-Model": self.tag,
            "X-Scorecast-Rows": str(len(scored.frame)),
            "X-Scorecast-Invalid-Rows": str(scored.invalid_rows),
        }
        accept = request.headers.get("accept", "")
        if JSON_TYPE in accept and "text/csv" not in accept:
            content = {
                "rows": len(scored.frame),
                "invalid_rows": scored.invalid_rows,
                "predictions": scored.predictions,
                "errors": [p.to_dict() for p in scored.problems],
                "target": self.target,
                "model": self.model_info,
            }
            if self.halfwidth is not None:  # as /predict gives them; null where the row was invalid
                content["intervals"] = [
                    None if p is None else [p - self.halfwidth, p + self.halfwidth] for p in scored.predictions
                ]
            if explain:  # one per row, null where the row was invalid
                rows = iter(explanations or [])
                content["explanations"] = [next(rows) if ok else None for ok in scored.valid_mask]
            return Response(json.dumps(content, default=str), media_type=JSON_TYPE, headers=headers)
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", filename.rsplit(".", 1)[0])[:80] or "upload"
        headers["Content-Disposition"] = f'attachment; filename="{stem}-scored.csv"'
        if explanations:
            add_contribution_columns(scored, explanations)
        return Response(csvscore.to_csv(scored), media_type="text/csv; charset=utf-8", headers=headers)

    def _score_csv(self, data: bytes, filename: str) -> csvscore.ScoredCsv:
        text = csvscore.decode(data, filename)
        raw = csvscore.read_csv(text, filename, max_rows=self.settings.max_rows)
        return csvscore.score_frame(
            raw, self.columns, self.predictor, target=self.target, filename=filename, halfwidth=self.halfwidth
        )

    def metadata(self) -> Response:
        return Response(self.metadata_body, media_type=JSON_TYPE, headers={"X-Scorecast-Model": self.tag})


def add_contribution_columns(scored: csvscore.ScoredCsv, explanations: list[dict[str, Any]]) -> None:
    """contribution_base and contribution_<feature> columns before validation_error (blank on invalid rows)."""
    columns = {"contribution_base": [e["base"] for e in explanations]}
    for name in explanations[0]["contributions"]:
        columns[f"contribution_{name}"] = [e["contributions"][name] for e in explanations]
    for name, values in columns.items():
        full = np.full(len(scored.frame), np.nan)
        full[scored.valid_mask] = values
        scored.frame.insert(len(scored.frame.columns) - 1, name, full)
