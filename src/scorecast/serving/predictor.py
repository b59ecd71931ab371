"""Predict from a validated `Batch`: numpy encoder + dot product when possible, the full pipeline otherwise.

Whatever path is chosen must agree with `pipeline.predict`; a self-check on synthetic records at load time
falls back to the pipeline when it does not, and tests compare both on the whole test split.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from scorecast.dataset import Column
from scorecast.explain import linear_head
from scorecast.serving.encoder import FastEncoder
from scorecast.serving.features import Batch
from scorecast.serving.problems import Problem

log = logging.getLogger(__name__)


class Predictor:
    """Chooses the fastest path that reproduces the packaged pipeline's predictions."""

    def __init__(self, pipeline: Any, columns: Sequence[Column]) -> None:
        self.pipeline = pipeline
        self.columns = list(columns)
        preprocess, model = pipeline.steps[0][1], pipeline.steps[-1][1]
        self.encoder = (
            FastEncoder.build(preprocess, {c.name for c in self.columns if c.is_numeric})
            if len(pipeline.steps) == 2
            else None
        )
        self.model = model
        self.coef, self.intercept = linear_head(model)
        self.mode = "pipeline"
        if self.encoder is not None and not hasattr(model, "feature_names_in_"):
            self.mode = "linear" if self.coef is not None else "numpy"
            self._self_check()

    def predict(self, batch: Batch) -> np.ndarray:
        """Predictions, inf or NaN where huge inputs overflow the model: the caller refuses those rows."""
        with np.errstate(over="ignore", invalid="ignore"):
            if self.mode == "pipeline":
                return self.predict_pipeline(batch)
            assert self.encoder is not None
            encoded = self.encoder.transform(batch)
            if self.coef is not None:
                return encoded @ self.coef + self.intercept
            return np.asarray(self.model.predict(encoded), dtype=np.float64).ravel()

    def predict_pipeline(self, batch: Batch) -> np.ndarray:
        """The reference path: a DataFrame through the packaged sklearn Pipeline."""
        return np.asarray(self.pipeline.predict(to_frame(batch, self.columns)), dtype=np.float64).ravel()

    def _self_check(self) -> None:
        batch = sample_batch(self.columns)
        fast, slow = self.predict(batch), self.predict_pipeline(batch)
        if fast.shape != slow.shape or not np.allclose(fast, slow, rtol=1e-9, atol=1e-9):
            log.warning("fast path disagrees with the pipeline on sample records; using the pipeline")
            self.mode = "pipeline"
        else:
            log.info("predictor: fast path '%s' matches the pipeline on %d sample records", self.mode, batch.rows)


@dataclass(frozen=True)
class Overflow:
    """A row whose prediction is not a finite number, or so large that its interval rounds to the prediction
    itself (prediction ± halfwidth == prediction in floats), and its numeric value of largest magnitude:
    a column with no configured range accepts any finite number, and one far beyond the training data (1e308)
    overflows the model instead of failing validation."""

    row: int
    prediction: float
    field: str | None
    value: float | None
    halfwidth: float | None = None

    def wording(self) -> str:
        cause = f"; its number largest in magnitude is {self.field} = {self.value:g}" if self.field is not None else ""
        if np.isfinite(self.prediction):
            what = f"{self.prediction:g}, too large for its ± {self.halfwidth:g} interval to be represented"
        else:
            what = f"{self.prediction} (not a finite number)"
        return f"the model's prediction is {what}{cause}"

    def problem(self, where: dict[str, Any], place: str) -> Problem:
        """The row's error, `where` locating it in the request (JSON index or CSV row) and `place` saying so."""
        return Problem(
            where=where,
            value=self.value,
            expected="numbers the model gives a usable prediction for",
            message=f"{place}: {self.wording()}; expected numbers nearer the training data's",
        )


def overflows(
    predictions: np.ndarray, batch: Batch, columns: Sequence[Column], halfwidth: float | None = None
) -> list[Overflow]:
    """Every row of `batch` whose prediction is inf or NaN, or whose interval (± `halfwidth`) rounds to the
    prediction itself, for a 422 (JSON) or that row's error (CSV)."""
    unusable = ~np.isfinite(predictions)
    if halfwidth:
        with np.errstate(over="ignore", invalid="ignore"):
            unusable |= (predictions - halfwidth == predictions) | (predictions + halfwidth == predictions)
    rows = np.flatnonzero(unusable)
    numeric = [c.name for c in columns if c.is_numeric]
    found = []
    for row in rows.tolist():
        values = {name: float(batch.columns[name][row]) for name in numeric}
        values = {name: value for name, value in values.items() if np.isfinite(value)}  # NaN is a missing value
        field = max(values, key=lambda n: abs(values[n]), default=None)
        value = values[field] if field is not None else None
        found.append(Overflow(row, float(predictions[row]), field, value, halfwidth))
    return found


def to_frame(batch: Batch, columns: Sequence[Column]) -> Any:
    """The DataFrame the pipeline was trained on: ints as int64 when complete, missing as NaN."""
    import pandas as pd

    data: dict[str, Any] = {}
    for col in columns:
        values = batch.columns[col.name]
        if col.is_numeric:
            arr = np.asarray(values, dtype=np.float64)
            data[col.name] = arr.astype(np.int64) if col.type == "int" and not np.isnan(arr).any() else arr
        else:
            data[col.name] = pd.Series([np.nan if v is None else v for v in values], dtype=object)
    return pd.DataFrame(data)


def sample_batch(columns: Sequence[Column]) -> Batch:
    """Records that touch every category and the ends and middle of every range, for the self-check."""
    rows = max([3, *(len(c.categories) for c in columns)])
    data: dict[str, Any] = {}
    for k, col in enumerate(columns):
        if col.is_numeric:
            lo = col.min if col.min is not None else -10.0
            hi = col.max if col.max is not None else 10.0
            points = np.linspace(lo, hi, rows)
            data[col.name] = np.round(points) if col.type == "int" else points
        elif col.categories:
            data[col.name] = [col.categories[(i + k) % len(col.categories)] for i in range(rows)]
        else:
            data[col.name] = [f"sample {i}" for i in range(rows)]
    return Batch(rows, data)
