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
    """The pipeline itself: a row scores the same alone, in a batch, in any order."""
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


@pytest.mark.parametrize("candidate", ["linear", "random_forest"])
def test_predict_and_predict_csv_agree_row_by_row_with_blanks_imputed(params, students, candidate):
    """The service's two ways in, as it runs them: one JSON record at a time through the validator and the
    predictor's fast path, and the same rows as one CSV upload; blanks (imputed) included."""

    from scorecast.dataset import DatasetSpec
    from scorecast.serving import csvscore
    from scorecast.serving.features import RecordValidator
    from scorecast.serving.predictor import Predictor

    data = {
        **params["data"],
        "features": {k: {**v, "allow_missing": True} for k, v in params["data"]["features"].items()},
    }
    spec = DatasetSpec.from_params(data)
    frame = students.astype({"reading_score": float})  # blanks as the pipeline's parquet holds them: NaN
    rng = np.random.default_rng(1)
    for name in ("reading_score", "lunch", "gender"):
        frame.loc[rng.choice(len(frame), 100, replace=False), name] = np.nan
    train, test = frame.iloc[:800], frame.iloc[800:].drop(columns=["math_score"])
    model = candidates_from_params(params)[candidate].build()
    pipeline = refit(model, build_preprocessor(spec).fit(train), train, "math_score")
    predictor = Predictor(pipeline, list(spec.features))
    validator = RecordValidator(list(spec.features), max_rows=1_000)
    records = [{k: (None if v is None or v != v else v) for k, v in r.items()} for r in test.to_dict("records")]
    alone = [predictor.predict(validator.validate(r))[0] for r in records]
    upload = csvscore.read_csv(test.to_csv(index=False), "t.csv", max_rows=1_000)
    scored = csvscore.score_frame(upload, list(spec.features), predictor, target="math_score", filename="t.csv")
    assert scored.invalid_rows == 0
    np.testing.assert_allclose(alone, scored.predictions, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(scored.predictions, pipeline.predict(test), atol=1e-9)
    assert sum(v is None for r in records for v in r.values()) > 40  # blanks were sent, and imputed
