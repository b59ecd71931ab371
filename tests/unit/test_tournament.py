"""A tournament config the estimators or the data cannot take is a one-line ConfigError naming the file."""

from __future__ import annotations

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
        (KNN, {}, r"tournament@knn: .*KNeighborsRegressor failed to fit .*n_neighbors.*conf/model/knn.yaml"),
        (RIDGE, {"folds": 5000}, r"tournament.cv.folds is 5000; the training split has 100 rows"),
        (RIDGE, {"scoring": "neg_root_mean_squared_error"}, r"tournament.scoring is .*; expected 'r2'"),
    ],
)
def test_a_config_the_fit_cannot_take_names_its_file(spec, students, candidate, options, message):
    with pytest.raises(ConfigError, match=message):
        run(spec, students.iloc[:100], candidate, **options)
