"""A tournament config the estimators or the data cannot take is a one-line ConfigError naming the file."""

from __future__ import annotations

import numpy as np
import pytest

from scorecast.candidates import Candidate
from scorecast.errors import ConfigError
from scorecast.preprocess import build_preprocessor
from scorecast.tournament import cross_validate

RIDGE = Candidate("ridge", "sklearn.linear_model.Ridge", 2, {}, {"alpha": [-1.0]})
KNN = Candidate("knn", "sklearn.neighbors.KNeighborsRegressor", 4, {}, {"n_neighbors": [5000]})


def run(spec, frame, candidate, **options):
    settings = {"target": "math_score", "folds": 3, "repeats": 1, "seed": 0, **options}
    return cross_validate(candidate, build_preprocessor(spec), frame, **settings)


@pytest.mark.parametrize(
    ("candidate", "options", "message"),
    [
        (RIDGE, {}, r"tournament@ridge: sklearn.linear_model.Ridge failed to fit .*'alpha'.*conf/model/ridge.yaml"),
        (KNN, {}, r"knn: .*failed to fit .*n_neighbors.* of the 100 training rows.*knn.yaml.*test_size"),
        (RIDGE, {"folds": 5000}, r"tournament.cv.folds is 5000; the training split has 100 rows"),
        (RIDGE, {"scoring": "neg_root_mean_squared_error"}, r"tournament.scoring is .*; expected 'r2'"),
    ],
)
def test_a_config_the_fit_cannot_take_names_its_file(spec, students, candidate, options, message):
    with pytest.raises(ConfigError, match=message):
        run(spec, students.iloc[:100], candidate, **options)


def test_results_are_the_best_grid_points_scores_on_shuffled_seeded_folds(spec, students):
    """Recomputed with sklearn alone: the best alpha's fold scores on KFold(shuffle, seed), their mean, and the
    standard error of that mean (what the one-SE rule reads)."""
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import KFold, cross_val_score
    from sklearn.pipeline import Pipeline

    frame = students.iloc[:300]
    grid = Candidate("ridge", "sklearn.linear_model.Ridge", 2, {}, {"alpha": [3000.0, 0.1]})  # the 2nd is best
    out = run(spec, frame, grid, folds=5, seed=3)
    assert out["best_params"] == {"alpha": 0.1}
    pipeline = Pipeline([("preprocess", build_preprocessor(spec)), ("model", Ridge(alpha=0.1))])
    X, y = frame.drop(columns=["math_score"]), frame["math_score"]
    expected = cross_val_score(pipeline, X, y, scoring="r2", cv=KFold(5, shuffle=True, random_state=3))
    np.testing.assert_allclose(out["fold_scores"], expected, atol=1e-9)
    assert out["cv_mean"] == pytest.approx(expected.mean(), abs=1e-9)
    assert out["cv_sem"] == pytest.approx(expected.std(ddof=1) / np.sqrt(5), abs=1e-9)
