"""Prediction intervals by conformal calibration on out-of-fold residuals of the training split.

Why this method: each training row is predicted by a model that never saw it (the same K folds
as the tournament), so the residuals are honest without touching the test split; the interval
is `prediction ± q`, with q the finite-sample-corrected quantile of |residual|. It is constant
width, which costs nothing at serving time (CV+/jackknife+ would need K models per request).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from scorecast.errors import ConfigError
from scorecast.folds import cv_folds
from scorecast.params import check_setting


def conformal_quantile(residuals: np.ndarray, coverage: float) -> float:
    """The ceil((n+1)·coverage)/n empirical quantile of |residuals| (split-conformal correction)."""
    check_setting("interval.coverage", coverage)
    scores = np.sort(np.abs(residuals))
    rank = math.ceil((len(scores) + 1) * coverage)
    if rank > len(scores):  # the largest residual would be returned, with less coverage than asked for
        needed = len(scores) + 1
        while math.ceil((needed + 1) * coverage) > needed:  # the rank's own arithmetic, rounding included
            needed += 1
        raise ConfigError(
            f"params.yaml: interval.coverage {coverage} needs at least {needed} calibration rows; the training "
            f"split has {len(scores)}; expected a lower coverage or more data"
        )
    return float(scores[rank - 1])


def calibrate(
    pipeline: Any, train: pd.DataFrame, *, target: str, folds: int, seed: int, coverage: float
) -> dict[str, Any]:
    """Out-of-fold residuals of an unfitted `pipeline` on train -> the interval half-width."""
    from sklearn.model_selection import cross_val_predict

    X, y = train.drop(columns=[target]), train[target].to_numpy(dtype=float)
    oof = cross_val_predict(pipeline, X, y, cv=cv_folds(folds, 1, seed))
    halfwidth = conformal_quantile(y - oof, coverage)
    return {
        "method": "cv-conformal",
        "coverage": coverage,
        "halfwidth": round(halfwidth, 6),
        "calibration_rows": int(len(y)),
    }


def coverage_on(actual: np.ndarray, predicted: np.ndarray, halfwidth: float) -> dict[str, Any]:
    """Empirical coverage and mean width of `predicted ± halfwidth` on held-out rows, with the exact 95%
    binomial interval of the coverage: a few hundred rows pin it down only to a few points."""
    from scipy.stats import binomtest

    inside = np.abs(np.asarray(actual) - np.asarray(predicted)) <= halfwidth
    ci = binomtest(int(inside.sum()), len(inside)).proportion_ci(0.95, method="exact")
    return {
        "coverage": round(float(inside.mean()), 6),
        "coverage_ci95": [round(float(ci.low), 4), round(float(ci.high), 4)],
        "mean_width": round(2 * halfwidth, 6),
    }
