from __future__ import annotations

import json

import pytest

from scorecast.candidates import Candidate
from scorecast.errors import QualityGateError, StaleResultsError
from scorecast.select import choose, leaderboard, load_results, to_markdown


def result(name, mean, sem, complexity):
    return {
        "candidate": name,
        "cv_mean": mean,
        "cv_std": sem * 2,
        "cv_sem": sem,
        "complexity": complexity,
        "best_params": {},
    }


RESULTS = [result("forest", 0.870, 0.010, 7), result("linear", 0.866, 0.010, 1), result("knn", 0.79, 0.01, 4)]


def test_leaderboard_is_ranked_by_cv_score():
    board = leaderboard(RESULTS)
    assert board["candidate"].tolist() == ["forest", "linear", "knn"]
    assert board["rank"].tolist() == [1, 2, 3]


def test_one_standard_error_rule_prefers_the_simpler_candidate_within_noise():
    board = leaderboard(RESULTS)
    assert choose(board, one_standard_error=True, min_cv_score=0.5)["winner"] == "linear"
    assert choose(board, one_standard_error=False, min_cv_score=0.5)["winner"] == "forest"


def test_a_simpler_candidate_outside_one_se_does_not_win():
    board = leaderboard([result("forest", 0.90, 0.005, 7), result("linear", 0.86, 0.005, 1)])
    assert choose(board, one_standard_error=True, min_cv_score=0.5)["winner"] == "forest"


def test_quality_gate_names_the_winner_and_threshold():
    board = leaderboard(RESULTS)
    with pytest.raises(QualityGateError, match=r"'linear' has CV score 0.8660, below select.min_cv_r2 = 0.9"):
        choose(board, one_standard_error=True, min_cv_score=0.9)


LINEAR = Candidate("linear", "sklearn.linear_model.LinearRegression", 1, {}, {})
RIDGE = Candidate("ridge", "sklearn.linear_model.Ridge", 2, {}, {"alpha": [0.1, 1.0]})
LINEAR_RESULT = {
    "candidate": "linear",
    "estimator": LINEAR.target,
    "complexity": 1,
    "best_params": {},
    "combinations": 1,
}


def _write(path, result):
    path.write_text(json.dumps(result))


def test_missing_result_is_stale(tmp_path):
    _write(tmp_path / "linear.json", LINEAR_RESULT)
    with pytest.raises(StaleResultsError, match=r"no result for candidate\(s\) ridge"):
        load_results({"linear": LINEAR, "ridge": RIDGE}, tmp_path)


def test_results_of_removed_candidates_are_ignored(tmp_path):
    _write(tmp_path / "linear.json", LINEAR_RESULT)
    _write(tmp_path / "old.json", {"candidate": "old"})
    assert load_results({"linear": LINEAR}, tmp_path) == [LINEAR_RESULT]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"estimator": "sklearn.linear_model.Lasso"}, r"ridge.json: estimator is 'sklearn.linear_model.Lasso', but "
                                                       r"params.yaml says 'sklearn.linear_model.Ridge'"),
        ({"complexity": 5}, r"ridge.json: complexity is 5, but params.yaml says 2"),
        ({"best_params": {"alpha": 1.0, "tol": 0.1}}, r"ridge.json: best_params tunes alpha, tol, but params.yaml's "
                                                       r"grid tunes alpha"),
        ({"best_params": {}}, r"ridge.json: best_params tunes nothing, but params.yaml's grid tunes alpha"),
        ({"best_params": {"alpha": 10.0}}, r"ridge.json: best_params.alpha is 10.0, but params.yaml's grid offers "
                                            r"\[0.1, 1.0\]"),
        ({"combinations": 3}, r"ridge.json: combinations is 3, but params.yaml's grid has 2"),
    ],
)  # fmt: skip
def test_a_result_from_another_config_is_stale(tmp_path, change, message):
    result = {"candidate": "ridge", "estimator": RIDGE.target, "complexity": 2, "best_params": {"alpha": 1.0},
              "combinations": 2}  # fmt: skip
    _write(tmp_path / "ridge.json", result)
    assert load_results({"ridge": RIDGE}, tmp_path) == [result]
    _write(tmp_path / "ridge.json", {**result, **change})
    with pytest.raises(StaleResultsError, match=message):
        load_results({"ridge": RIDGE}, tmp_path)


def test_a_nan_in_the_grid_matches_the_nan_a_result_chose(tmp_path):
    grid = Candidate("ridge", "sklearn.linear_model.Ridge", 2, {}, {"alpha": [float("nan"), 1.0]})
    result = {"candidate": "ridge", "estimator": RIDGE.target, "complexity": 2, "best_params": {"alpha": float("nan")},
              "combinations": 2}  # fmt: skip
    _write(tmp_path / "ridge.json", result)  # json writes NaN and reads back a new float nan
    assert len(load_results({"ridge": grid}, tmp_path)) == 1


def test_markdown_marks_the_winner():
    md = to_markdown(leaderboard(RESULTS), "linear")
    assert "| 2 | linear **(winner)** | 0.8660 |" in md


def test_the_typical_row_is_a_valid_request_for_every_column_type():
    from scorecast.cells import read_cells
    from scorecast.dataset import DatasetSpec
    from scorecast.select import typical_row
    from scorecast.serving.features import RecordValidator
    from scorecast.validate import validate

    spec = DatasetSpec.from_params(
        {
            "name": "toy",
            "target": "y",
            "features": {
                "age": {"type": "int", "min": 0, "max": 120},
                "bmi": {"type": "float"},
                "smoker": {"type": "bool"},
                "site": {"type": "category", "categories": ["north", "south"], "allow_missing": True},
                "note": {"type": "text", "allow_missing": True},
                "spare": {"type": "float", "allow_missing": True},
            },
        }
    )
    text = (  # as validate types it: blanks in site and note are their most frequent cell, spare is all blank
        "age,bmi,smoker,site,note,spare,y\n"
        "30,20.0,yes,,,,1\n31,22.5,no,,b,,2\n40,30.0,true,south,b,,3\n41,31.0,1,,,,4\n"
    )
    frame, _ = validate(read_cells(text, "toy.csv"), spec, file="toy.csv", on_error="fail", max_reported=5)
    row = typical_row(frame, spec.features)
    # age's median is 35.5: not an integer, so the row would be refused as a request
    assert row == {"age": 36, "bmi": 26.25, "smoker": True, "site": "south", "note": "b", "spare": None}
    RecordValidator(list(spec.features), max_rows=1).validate(row)  # raises if the page's starting values were refused


def test_one_standard_error_means_the_standard_error_not_the_spread_of_folds():
    """forest's folds spread by 0.02, but its mean is pinned to ±0.002: linear, 0.006 behind, is worse."""
    forest = {**result("forest", 0.870, 0.002, 7), "cv_std": 0.02}
    linear = {**result("linear", 0.864, 0.002, 1), "cv_std": 0.02}
    assert choose(leaderboard([forest, linear]), one_standard_error=True, min_cv_score=0.5)["winner"] == "forest"
