"""The fast numpy path returns the packaged pipeline's predictions on the whole test split."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scorecast.artifacts import read_dill
from scorecast.compose import compose
from scorecast.dataset import DatasetSpec
from scorecast.serving.features import RecordValidator, columns_from_schema
from scorecast.serving.predictor import Predictor

pytestmark = pytest.mark.slow


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
