"""Behavioural tests of a model trained the way the pipeline trains it (direction, invariance, minimum skill)."""

from __future__ import annotations

import numpy as np
import pytest

from scorecast.candidates import candidates_from_params
from scorecast.preprocess import build_preprocessor
from scorecast.select import refit
from scorecast.split import split


@pytest.fixture(scope="module")
def trained(params, spec, students):
    train, test = split(students, target="math_score", test_size=0.2, seed=42, stratify_bins=5)
    linear = candidates_from_params(params)["linear"]
    pipeline = refit(linear.build(), build_preprocessor(spec).fit(train), train, "math_score")
    return pipeline, test.drop(columns=["math_score"]), test["math_score"]


def test_higher_reading_score_never_lowers_the_prediction(trained):
    pipeline, X, _ = trained
    higher = X.assign(reading_score=(X["reading_score"] + 10).clip(upper=100))
    assert np.all(pipeline.predict(higher) >= pipeline.predict(X) - 1e-9)


def test_higher_writing_score_does_not_collapse_the_prediction(trained):
    # Writing and reading are collinear; together, higher scores must mean a higher math score.
    pipeline, X, _ = trained
    both = X.assign(
        reading_score=(X["reading_score"] + 10).clip(upper=100), writing_score=(X["writing_score"] + 10).clip(upper=100)
    )
    assert np.all(pipeline.predict(both) >= pipeline.predict(X) - 1e-9)


def test_a_rows_prediction_does_not_depend_on_the_rest_of_its_batch(trained):
    """The service scores rows alone (/predict) and in batches (/predict_csv): both must agree."""
    pipeline, X, _ = trained
    batch = pipeline.predict(X)
    alone = [pipeline.predict(X.iloc[[i]])[0] for i in range(0, len(X), 10)]
    np.testing.assert_allclose(alone, batch[::10], atol=1e-9)
    order = np.random.default_rng(0).permutation(len(X))
    np.testing.assert_allclose(pipeline.predict(X.iloc[order]), batch[order], atol=1e-9)


def test_minimum_skill_on_held_out_rows(trained):
    from sklearn.metrics import r2_score

    pipeline, X, y = trained
    assert r2_score(y, pipeline.predict(X)) >= 0.85


def test_predictions_stay_in_a_plausible_range(trained):
    pipeline, X, _ = trained
    predicted = pipeline.predict(X)
    assert predicted.min() > -10 and predicted.max() < 110  # scores are 0-100; a linear fit may overshoot a little
