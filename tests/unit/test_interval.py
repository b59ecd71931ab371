from __future__ import annotations

import numpy as np
import pytest

from scorecast.errors import ConfigError
from scorecast.interval import calibrate, conformal_quantile, coverage_on


def test_conformal_quantile_uses_the_finite_sample_rank():
    residuals = np.arange(1, 10)  # 9 residuals: rank ceil(10 * 0.9) = 9 -> the largest
    assert conformal_quantile(residuals, 0.9) == 9
    assert conformal_quantile(residuals, 0.5) == 5
    # 100 residuals: rank ceil(101 * 0.9) = 91, one above the in-sample 90th: the finite-sample correction
    assert conformal_quantile(np.arange(1.0, 101.0), 0.9) == 91.0
    assert conformal_quantile(-np.arange(1.0, 101.0), 0.9) == 91.0  # of |residual|


def test_bad_coverage():
    with pytest.raises(ConfigError, match="interval.coverage is 1.5"):
        conformal_quantile(np.ones(3), 1.5)


def test_calibrated_interval_covers_about_nominal_on_fresh_noise(spec, students):
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import Pipeline

    from scorecast.preprocess import build_preprocessor

    train, fresh = students.iloc[:700], students.iloc[700:]
    pipeline = Pipeline([("preprocess", build_preprocessor(spec)), ("model", LinearRegression())])
    interval = calibrate(pipeline, train, target="math_score", folds=5, seed=0, coverage=0.9)
    fitted = pipeline.fit(train.drop(columns=["math_score"]), train["math_score"])
    got = coverage_on(fresh["math_score"], fitted.predict(fresh.drop(columns=["math_score"])), interval["halfwidth"])
    assert 0.84 <= got["coverage"] <= 0.96
    assert got["mean_width"] == pytest.approx(2 * interval["halfwidth"])


def test_coverage_comes_with_its_exact_binomial_interval():
    actual = np.arange(200.0)
    predicted = actual + np.where(np.arange(200) < 189, 0.0, 5.0)  # 189 of 200 inside ± 1
    got = coverage_on(actual, predicted, 1.0)
    assert got["coverage"] == 0.945
    assert got["coverage_ci95"] == [0.9037, 0.9722]  # Clopper-Pearson: 90% lies just outside


def test_a_coverage_the_calibration_rows_cannot_reach_is_refused():
    assert conformal_quantile(np.arange(1.0, 20.0), 0.9) == 18.0  # rank 18 of 19
    with pytest.raises(ConfigError, match=r"interval.coverage 0.999 needs at least 999 calibration rows; .* has 800"):
        conformal_quantile(np.ones(800), 0.999)


@pytest.mark.parametrize(("coverage", "needed"), [(0.9, 9), (0.8, 4)])
def test_the_rows_a_coverage_needs_are_the_fewest_that_work(coverage, needed):
    conformal_quantile(np.arange(float(needed)), coverage)
    with pytest.raises(ConfigError, match=f"needs at least {needed} calibration rows"):
        conformal_quantile(np.arange(float(needed - 1)), coverage)
