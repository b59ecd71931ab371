from __future__ import annotations

import numpy as np
import pytest

from scorecast.candidates import Candidate
from scorecast.errors import NotExplainable
from scorecast.explain import contributions, reference_row
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
    base, parts = contributions(pipeline, X, reference_row(pipeline, train.drop(columns=["math_score"])))
    assert list(parts.columns) == spec.feature_names
    np.testing.assert_allclose(base + parts.sum(axis=1).to_numpy(), pipeline.predict(X), rtol=1e-4, atol=1e-3)


def test_linear_base_is_the_mean_training_prediction(spec, students):
    train = students.iloc[:800]
    pipeline = refit(MODELS["linear"].build(), build_preprocessor(spec).fit(train), train, "math_score")
    X = train.drop(columns=["math_score"])
    base, parts = contributions(pipeline, X.iloc[:3], reference_row(pipeline, X))
    assert base[0] == pytest.approx(pipeline.predict(X).mean())
    # Reading well above average pushes the prediction up.
    assert (parts["reading_score"] > 0).tolist() == (X["reading_score"].iloc[:3] > X["reading_score"].mean()).tolist()


BASELINE_MODELS = {
    "decision_tree": Candidate("decision_tree", "sklearn.tree.DecisionTreeRegressor", 4, {"max_depth": 4}, {}),
    "knn": Candidate("knn", "sklearn.neighbors.KNeighborsRegressor", 4, {"n_neighbors": 10}, {}),
    "svr": Candidate("svr", "sklearn.svm.SVR", 5, {"C": 10.0}, {}),
    # coef_ and intercept_, but predicts exp(X @ coef_ + intercept_): not linear in its inputs
    "poisson": Candidate("poisson", "sklearn.linear_model.PoissonRegressor", 2, {}, {}),
}


@pytest.fixture(scope="module")
def typical_row(students, spec):
    from scorecast.select import typical_row

    return typical_row(students.iloc[:800], spec.features)


@pytest.mark.parametrize("name", sorted(BASELINE_MODELS))
def test_models_without_their_own_contributions_get_exact_shapley_values(name, spec, students, typical_row):
    train, rows = students.iloc[:800], students.iloc[800:830]
    pipeline = refit(BASELINE_MODELS[name].build(), build_preprocessor(spec).fit(train), train, "math_score")
    X = rows.drop(columns=["math_score"])
    base, parts = contributions(pipeline, X, baseline=typical_row)
    assert list(parts.columns) == spec.feature_names
    baseline_frame = X.iloc[:1].assign(**typical_row)
    np.testing.assert_allclose(base, pipeline.predict(baseline_frame)[0])
    np.testing.assert_allclose(base + parts.sum(axis=1).to_numpy(), pipeline.predict(X), atol=1e-8)


def test_a_column_at_its_typical_value_contributes_nothing(spec, students, typical_row):
    train = students.iloc[:800]
    pipeline = refit(BASELINE_MODELS["knn"].build(), build_preprocessor(spec).fit(train), train, "math_score")
    X = students.iloc[800:805].drop(columns=["math_score"]).assign(gender=typical_row["gender"])
    _, parts = contributions(pipeline, X, baseline=typical_row)
    np.testing.assert_allclose(parts["gender"], 0, atol=1e-9)


def test_too_many_columns_for_exact_values_say_so():
    import pandas as pd

    from scorecast.explain import baseline_shapley

    frame = pd.DataFrame([[0.0] * 13], columns=[f"c{i}" for i in range(13)])
    with pytest.raises(NotExplainable, match="13 input columns.*at most 12"):
        baseline_shapley(lambda f: f.sum(axis=1), frame, dict.fromkeys(frame.columns, 1.0))
