from __future__ import annotations

import numpy as np
import pytest

from scorecast.candidates import Candidate
from scorecast.explain import NotExplainable, background, contributions
from scorecast.preprocess import build_preprocessor
from scorecast.select import refit

MODELS = {
    "linear": Candidate("linear", "sklearn.linear_model.LinearRegression", 1, {}, {}),
    "catboost": Candidate("catboost", "catboost.CatBoostRegressor", 8,
                          {"iterations": 50, "verbose": False, "allow_writing_files": False, "random_seed": 0}, {}),
    "xgboost": Candidate("xgboost", "xgboost.XGBRegressor", 8, {"n_estimators": 50, "random_state": 0}, {}),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(MODELS))
def test_contributions_sum_to_the_prediction(name, spec, students):
    train, rows = students.iloc[:800], students.iloc[800:850]
    pipeline = refit(MODELS[name].build(), build_preprocessor(spec).fit(train), train, "math_score")
    X = rows.drop(columns=["math_score"])
    base, parts = contributions(pipeline, X, background(pipeline, train.drop(columns=["math_score"])))
    assert list(parts.columns) == spec.feature_names
    np.testing.assert_allclose(base + parts.sum(axis=1).to_numpy(), pipeline.predict(X), rtol=1e-4, atol=1e-3)


def test_linear_base_is_the_mean_training_prediction(spec, students):
    train = students.iloc[:800]
    pipeline = refit(MODELS["linear"].build(), build_preprocessor(spec).fit(train), train, "math_score")
    X = train.drop(columns=["math_score"])
    base, parts = contributions(pipeline, X.iloc[:3], background(pipeline, X))
    assert base[0] == pytest.approx(pipeline.predict(X).mean())
    # Reading well above average pushes the prediction up.
    assert (parts["reading_score"] > 0).tolist() == (X["reading_score"].iloc[:3] > X["reading_score"].mean()).tolist()


def test_other_models_say_so(spec, students):
    forest = Candidate("forest", "sklearn.tree.DecisionTreeRegressor", 4, {"max_depth": 2}, {})
    pipeline = refit(forest.build(), build_preprocessor(spec).fit(students), students, "math_score")
    with pytest.raises(NotExplainable, match="DecisionTreeRegressor"):
        contributions(pipeline, students.drop(columns=["math_score"]).iloc[:2])
