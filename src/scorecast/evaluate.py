"""Stage 7: the only reader of the test split: test metrics and plots for `dvc metrics/plots diff`."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scorecast.artifacts import read_dill, read_json, read_parquet, write_csv, write_json
from scorecast.select import MODEL_PATH, SELECTION_PATH
from scorecast.split import TEST_PATH

log = logging.getLogger(__name__)

METRICS_PATH = Path("metrics.json")
PREDICTIONS_PLOT = Path("plots/test_predictions.csv")


def evaluate(pipeline: Any, test: pd.DataFrame, *, target: str) -> tuple[dict[str, float], pd.DataFrame]:
    from sklearn.metrics import mean_absolute_error, r2_score, root_mean_squared_error

    actual = test[target].to_numpy(dtype=float)
    predicted = np.asarray(pipeline.predict(test.drop(columns=[target])), dtype=float)
    metrics = {
        "r2": round(float(r2_score(actual, predicted)), 6),
        "rmse": round(float(root_mean_squared_error(actual, predicted)), 6),
        "mae": round(float(mean_absolute_error(actual, predicted)), 6),
        "rows": int(len(test)),
    }
    points = pd.DataFrame(
        {
            "actual": actual,
            "predicted": predicted.round(4),
            "residual": (actual - predicted).round(4),
        }
    )
    return metrics, points


def main(params: dict) -> None:
    selection = read_json(SELECTION_PATH)
    metrics, points = evaluate(read_dill(MODEL_PATH), read_parquet(TEST_PATH), target=params["data"]["target"])
    report = {
        "winner": selection["winner"],
        "cv": {"r2": round(selection["cv_mean"], 6), "sem": round(selection["cv_sem"], 6)},
        "test": metrics,
    }
    write_json(METRICS_PATH, report)
    write_csv(PREDICTIONS_PLOT, points)
    log.info(
        "evaluate: %s on %d test rows: R² %.4f, RMSE %.3f, MAE %.3f",
        selection["winner"],
        metrics["rows"],
        metrics["r2"],
        metrics["rmse"],
        metrics["mae"],
    )
