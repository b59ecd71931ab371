"""The scorer in process (no server): explanations for a winner without contributions of its own."""

from __future__ import annotations

import orjson
import pytest

from scorecast.candidates import Candidate
from scorecast.preprocess import build_preprocessor
from scorecast.select import refit, typical_row
from scorecast.serving.endpoints import Scorer
from scorecast.serving.problems import RequestError
from scorecast.serving.settings import Settings
from scorecast.serving.store import LoadedModel

FOREST = Candidate("random_forest", "sklearn.ensemble.RandomForestRegressor", 7,
                   {"n_estimators": 20, "max_depth": 6, "random_state": 0}, {})  # fmt: skip


@pytest.fixture(scope="module")
def forest_scorer(spec, students) -> Scorer:
    train = students.iloc[:800]
    pipeline = refit(FOREST.build(), build_preprocessor(spec).fit(train), train, "math_score")
    metadata = {"schema": spec.schema(), "typical": typical_row(train, spec.features)}
    return Scorer(LoadedModel("scorecast:forest", metadata, pipeline), Settings(log_path=None, max_rows=10_000))


def test_a_forest_winner_is_explained_exactly(forest_scorer, students):
    records = students.iloc[800:810].drop(columns=["math_score"]).to_dict("records")
    body = orjson.loads(forest_scorer._predict_json(orjson.dumps(records), explain=True).body)
    assert len(body["explanations"]) == 10
    for prediction, explanation in zip(body["predictions"], body["explanations"], strict=True):
        assert set(explanation["contributions"]) == set(records[0])
        assert explanation["base"] + sum(explanation["contributions"].values()) == pytest.approx(prediction)


def test_too_many_rows_to_explain_is_a_422_that_says_how_many_fit(forest_scorer, students):
    records = students.drop(columns=["math_score"]).to_dict("records") * 9  # 9,000 rows x 2^7 coalitions
    with pytest.raises(RequestError, match=r"send at most 8192 rows per request with explain=true") as err:
        forest_scorer._predict_json(orjson.dumps(records), explain=True)
    assert err.value.status == 422
