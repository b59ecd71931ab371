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


@pytest.fixture(scope="module")
def unbounded_scorer() -> Scorer:
    """y = 10x + g over a float column with no configured range: any finite x is a valid request."""
    import numpy as np
    import pandas as pd

    from scorecast.dataset import DatasetSpec

    spec = DatasetSpec.from_params(
        {"name": "unbounded", "target": "y",
         "features": {"x": {"type": "float"}, "g": {"type": "category", "categories": ["a", "b"]}}}
    )  # fmt: skip
    rng = np.random.default_rng(0)
    train = pd.DataFrame({"x": rng.normal(size=200), "g": rng.choice(["a", "b"], 200)})
    train["y"] = 10 * train["x"] + (train["g"] == "b")
    linear = Candidate("linear", "sklearn.linear_model.LinearRegression", 1, {}, {})
    pipeline = refit(linear.build(), build_preprocessor(spec).fit(train), train, "y")
    metadata = {"schema": spec.schema(), "interval": {"halfwidth": 1.0}}
    return Scorer(LoadedModel("scorecast:unbounded", metadata, pipeline), Settings(log_path=None, max_rows=100))


def test_a_prediction_that_overflows_is_a_422_naming_the_record_and_field(unbounded_scorer):
    records = [{"x": 1.0, "g": "a"}, {"x": 1e308, "g": "b"}, {"x": -1e308, "g": "a"}]
    with pytest.raises(RequestError) as err:
        unbounded_scorer._predict_json(orjson.dumps(records))
    assert err.value.status == 422
    assert err.value.message.startswith(
        "record 1: the model's prediction is inf (not a finite number); its number largest in magnitude is x = 1e+308"
    )
    assert [(p.where["index"], p.where["field"], p.value) for p in err.value.problems] == [
        (1, "x", 1e308), (2, "x", -1e308)
    ]  # fmt: skip
    ok = orjson.loads(unbounded_scorer._predict_json(orjson.dumps(records[:1])).body)
    assert ok["predictions"] == [pytest.approx(10.0)]


def test_a_prediction_too_large_for_its_interval_is_a_422_not_a_zero_width_interval(unbounded_scorer):
    records = [{"x": 1e6, "g": "a"}, {"x": 1e17, "g": "a"}]  # 1e7 ± 1 is representable; 1e18 ± 1 is not
    with pytest.raises(RequestError) as err:
        unbounded_scorer._predict_json(orjson.dumps(records))
    assert err.value.status == 422 and [p.where["index"] for p in err.value.problems] == [1]
    assert err.value.message.startswith(
        "record 1: the model's prediction is 1e+18, too large for its ± 1 interval to be represented; its number "
        "largest in magnitude is x = 1e+17"
    )
    ok = orjson.loads(unbounded_scorer._predict_json(orjson.dumps(records[:1])).body)
    low, high = ok["intervals"][0]
    assert high - low == pytest.approx(2.0)
    scored = unbounded_scorer._score_csv(b"x,g\n1e6,a\n1e17,a\n", "big.csv")
    assert scored.predictions[1] is None and "too large for its" in scored.frame["validation_error"].tolist()[1]


def test_a_csv_row_that_overflows_is_an_invalid_row_not_inf(unbounded_scorer):
    upload = b"x,g\n1,a\n1e308,b\n2,b\n"
    scored = unbounded_scorer._score_csv(upload, "big.csv")
    assert scored.predictions == [pytest.approx(10.0), None, pytest.approx(21.0)]
    assert scored.invalid_rows == 1
    assert (
        scored.frame["validation_error"]
        .tolist()[1]
        .startswith(
            "row 2 (line 3): the model's prediction is inf (not a finite number); its number largest in magnitude "
            "is x = 1e+308"
        )
    )
    assert scored.valid_batch.rows == 2 and scored.valid_mask.tolist() == [True, False, True]
    assert [(p.where, p.value) for p in scored.problems] == [({"row": 2, "line": 3, "column": "x"}, 1e308)]
    assert "inf" not in unbounded_scorer._score_csv(upload, "big.csv").frame["predicted_y_upper"].astype(str).str.cat()


def test_a_guarded_header_that_meets_its_own_guarded_form_is_scored(unbounded_scorer):
    scored = unbounded_scorer._score_csv(b"x,g,=a,'=b,'=a\n1,a,=1+1,2,=b\n", "f.csv")  # '=a guarded = '=a
    assert list(scored.frame.columns[:5]) == ["x", "g", "'=a", "'=b", "'=a"]
    assert scored.frame.iloc[0, 2] == "'=1+1" and scored.frame.iloc[0, 4] == "'=b"
    assert scored.predictions == [pytest.approx(10.0)]


def test_an_overflow_names_only_a_finite_value_and_the_error_body_stays_json():
    import numpy as np

    from scorecast.dataset import Column
    from scorecast.serving.features import Batch
    from scorecast.serving.predictor import overflows
    from scorecast.serving.problems import Problem

    columns = [Column("x", "float", allow_missing=True), Column("z", "float", allow_missing=True)]
    batch = Batch(2, {"x": np.array([np.nan, -5.0]), "z": np.array([np.nan, 3.0])})
    missing, huge = overflows(np.array([np.nan, np.inf]), batch, columns)
    assert (missing.field, missing.value) == (None, None) and missing.wording().endswith("(not a finite number)")
    assert huge.wording().endswith("its number largest in magnitude is x = -5")
    body = RequestError.invalid([Problem({"index": 0}, float("nan"), "a number", "m"), Problem({}, np.inf, "", "m")])
    assert [p["value"] for p in orjson.loads(body.body())["detail"]] == ["nan", "inf"]  # orjson refuses NaN
