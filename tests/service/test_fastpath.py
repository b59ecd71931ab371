"""The fast numpy paths (linear, or the encoder in front of any model) return the pipeline's own predictions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scorecast.artifacts import read_dill
from scorecast.compose import compose
from scorecast.dataset import DatasetSpec
from scorecast.serving.features import RecordValidator, columns_from_schema
from scorecast.serving.predictor import Predictor


@pytest.mark.slow
def test_fast_path_matches_the_pipeline_on_the_test_split(packaged, root):
    pipeline = read_dill(packaged / "models/model.pkl")
    spec = DatasetSpec.from_params(compose(root / "conf")["data"])
    columns = columns_from_schema(spec.schema())
    predictor = Predictor(pipeline, columns)
    assert predictor.mode == "linear"
    test = pd.read_parquet(packaged / "data/split/test.parquet")
    records = test.drop(columns=["math_score"]).to_dict("records")
    batch = RecordValidator(columns, max_rows=10_000).validate(records)
    expected = pipeline.predict(test.drop(columns=["math_score"]))
    np.testing.assert_allclose(predictor.predict(batch), expected, rtol=1e-9, atol=1e-9)


def fit_on(students, preprocess, model):
    from sklearn.pipeline import Pipeline

    train = students.iloc[:600]
    return Pipeline([("preprocess", preprocess), ("model", model)]).fit(train.drop(columns=["math_score"]),
                                                                        train["math_score"])  # fmt: skip


def encoders(spec, numeric):
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import OneHotEncoder

    categorical = [c.name for c in spec.features if not c.is_numeric]
    onehot = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    return ColumnTransformer([("numeric", numeric, spec.numeric), ("categorical", onehot, categorical)])


@pytest.mark.parametrize(
    ("numeric", "model", "mode"),
    [
        ("minmax", "forest", "numpy"),  # a tree winner through the numpy encoder, MinMaxScaler included
        ("minmax", "ridge", "linear"),
        ("polynomial", "ridge", "pipeline"),  # a step the encoder cannot copy: the full pipeline, still right
    ],
)
def test_every_path_predicts_what_the_pipeline_predicts(spec, students, numeric, model, mode):
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.linear_model import Ridge
    from sklearn.preprocessing import MinMaxScaler, PolynomialFeatures

    steps = {"minmax": MinMaxScaler(), "polynomial": PolynomialFeatures(2)}
    models = {"forest": RandomForestRegressor(n_estimators=20, max_depth=6, random_state=0), "ridge": Ridge()}
    pipeline = fit_on(students, encoders(spec, steps[numeric]), models[model])
    columns = columns_from_schema(spec.schema())
    predictor = Predictor(pipeline, columns)
    assert predictor.mode == mode
    rows = students.iloc[600:].drop(columns=["math_score"])
    batch = RecordValidator(columns, max_rows=10_000).validate(rows.to_dict("records"))
    np.testing.assert_allclose(predictor.predict(batch), pipeline.predict(rows), rtol=1e-9, atol=1e-9)
