"""Stage 7: the only reader of the test split: test metrics and plots for `dvc metrics/plots diff`."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from scorecast.artifacts import read_dill, read_json, read_parquet, write_csv, write_json
from scorecast.interval import coverage_on
from scorecast.params import EvaluateParams
from scorecast.paths import IMPORTANCE_PLOT, METRICS_PATH, MODEL_PATH, PREDICTIONS_PLOT, SELECTION_PATH, TEST_PATH

log = logging.getLogger(__name__)


def evaluate(
    pipeline: Any, test: pd.DataFrame, *, target: str, halfwidth: float
) -> tuple[dict[str, float], pd.DataFrame]:
    from sklearn.metrics import mean_absolute_error, r2_score, root_mean_squared_error

    actual = test[target].to_numpy(dtype=float)
    predicted = np.asarray(pipeline.predict(test.drop(columns=[target])), dtype=float)
    metrics = {
        "r2": round(float(r2_score(actual, predicted)), 6),
        "rmse": round(float(root_mean_squared_error(actual, predicted)), 6),
        "mae": round(float(mean_absolute_error(actual, predicted)), 6),
        "rows": int(len(test)),
        "interval": coverage_on(actual, predicted, halfwidth),
    }
    points = pd.DataFrame(
        {
            "actual": actual,
            "predicted": predicted.round(4),
            "residual": (actual - predicted).round(4),
            "lower": (predicted - halfwidth).round(4),
            "upper": (predicted + halfwidth).round(4),
        }
    )
    return metrics, points


def importance(pipeline: Any, test: pd.DataFrame, *, target: str, repeats: int, seed: int) -> pd.DataFrame:
    """Permutation importance per input column: how much test R² drops when that column is shuffled."""
    from sklearn.inspection import permutation_importance

    X = test.drop(columns=[target])
    result = permutation_importance(pipeline, X, test[target], scoring="r2", n_repeats=repeats, random_state=seed)
    frame = pd.DataFrame(
        {"feature": X.columns, "importance": result.importances_mean.round(6), "std": result.importances_std.round(6)}
    )
    return frame.sort_values("importance", ascending=False, kind="stable").reset_index(drop=True)


def main(params: dict) -> None:
    selection = read_json(SELECTION_PATH)
    pipeline, test, target = read_dill(MODEL_PATH), read_parquet(TEST_PATH), params["data"]["target"]
    interval = selection["interval"]
    metrics, points = evaluate(pipeline, test, target=target, halfwidth=interval["halfwidth"])
    opts = EvaluateParams.of(params)
    ranking = importance(pipeline, test, target=target, repeats=opts.importance_repeats, seed=opts.seed)
    report = {
        "winner": selection["winner"],
        "cv": {"r2": round(selection["cv_mean"], 6), "sem": round(selection["cv_sem"], 6)},
        "test": metrics,
        "interval": {"nominal": interval["coverage"], "halfwidth": interval["halfwidth"]},
    }
    write_json(METRICS_PATH, report)
    write_csv(PREDICTIONS_PLOT, points)
    write_csv(IMPORTANCE_PLOT, ranking)
    log.info(
        "evaluate: %s on %d test rows: R² %.4f, RMSE %.3f, MAE %.3f; %.0f%% interval covers %.1f%%",
        selection["winner"],
        metrics["rows"],
        metrics["r2"],
        metrics["rmse"],
        metrics["mae"],
        100 * interval["coverage"],
        100 * metrics["interval"]["coverage"],
    )
