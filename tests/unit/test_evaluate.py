from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, RegressorMixin

from scorecast.evaluate import evaluate


class Shift(RegressorMixin, BaseEstimator):
    """A stand-in model: predicts x + 1, so every metric is known in advance."""

    def fit(self, frame, y):  # permutation_importance insists on an estimator
        return self

    def predict(self, frame):
        return frame["x"].to_numpy() + 1.0


def test_metrics_and_plot_points():
    test = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [1.0, 2.0, 3.0, 4.0]})
    metrics, points = evaluate(Shift(), test, target="y", halfwidth=1.0)
    assert metrics["mae"] == pytest.approx(1.0)
    assert metrics["rmse"] == pytest.approx(1.0)
    assert metrics["r2"] == pytest.approx(1 - 4 / 5.0)
    assert metrics["rows"] == 4
    assert np.allclose(points["residual"], -1.0)
    assert list(points.columns) == ["actual", "predicted", "residual", "lower", "upper"]
    np.testing.assert_allclose(points["lower"], [1.0, 2.0, 3.0, 4.0])  # predicted 2..5, ± 1
    np.testing.assert_allclose(points["upper"], [3.0, 4.0, 5.0, 6.0])
    # |residual| == 1 <= 1 everywhere; 4 of 4 inside says little: 40% to 100% (Clopper-Pearson)
    assert metrics["interval"] == {"coverage": 1.0, "coverage_ci95": [0.3976, 1.0], "mean_width": 2.0}


def test_permutation_importance_ranks_the_used_column_first():
    from scorecast.evaluate import importance

    rng = np.random.default_rng(0)
    test = pd.DataFrame({"x": rng.normal(size=200), "noise": rng.normal(size=200)})
    test["y"] = test["x"] + 1.0
    ranking = importance(Shift(), test, target="y", repeats=3, seed=0)
    assert ranking["feature"].tolist() == ["x", "noise"]
    assert ranking.loc[1, "importance"] == 0.0
