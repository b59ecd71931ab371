from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scorecast.evaluate import evaluate


class Shift:
    """A stand-in model: predicts x + 1, so every metric is known in advance."""

    def predict(self, frame):
        return frame["x"].to_numpy() + 1.0


def test_metrics_and_plot_points():
    test = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [1.0, 2.0, 3.0, 4.0]})
    metrics, points = evaluate(Shift(), test, target="y")
    assert metrics["mae"] == pytest.approx(1.0)
    assert metrics["rmse"] == pytest.approx(1.0)
    assert metrics["r2"] == pytest.approx(1 - 4 / 5.0)
    assert metrics["rows"] == 4
    assert np.allclose(points["residual"], -1.0)
    assert list(points.columns) == ["actual", "predicted", "residual"]
