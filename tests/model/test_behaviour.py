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


def test_row_order_does_not_change_predictions(trained):
    pipeline, X, _ = trained
    order = np.random.default_rng(0).permutation(len(X))
    each_row_on_its_own = pipeline.predict(X)[order]  # scored in the original order, then reordered
    assert np.allclose(pipeline.predict(X.iloc[order]), each_row_on_its_own)


def test_minimum_skill_on_held_out_rows(trained):
    from sklearn.metrics import r2_score

    pipeline, X, y = trained
    assert r2_score(y, pipeline.predict(X)) >= 0.85


def test_predictions_stay_in_a_plausible_range(trained):
    pipeline, X, _ = trained
    assert pipeline.predict(X).min() > -20 and pipeline.predict(X).max() < 120
