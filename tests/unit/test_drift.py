from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from scorecast.artifacts import write_parquet
from scorecast.dataset import Column
from scorecast.drift import chart_bins, main, render_html
from scorecast.drift_stats import categorical_drift, category_shares, decile_edges, drift, numeric_drift
from scorecast.errors import ScorecastError
from scorecast.paths import REPORT_HTML, REPORT_JSON, TRAIN_PATH
from scorecast.predlog import SQLitePredictionLog


def test_an_unshifted_sample_is_not_flagged(spec, students):
    train, live = students.iloc[:700], students.iloc[700:]
    summary = drift(train, live, list(spec.features), psi_threshold=0.2)
    assert summary["drifted"] == []
    assert {f["feature"] for f in summary["features"]} == set(spec.feature_names)


def test_a_shifted_sample_is_flagged_on_the_shifted_features_only(spec, students):
    train = students.iloc[:700]
    live = students.iloc[700:].copy()
    live["reading_score"] = (live["reading_score"] - 20).clip(lower=0)
    live["lunch"] = "free/reduced"
    summary = drift(train, live, list(spec.features), psi_threshold=0.2)
    assert sorted(summary["drifted"]) == ["lunch", "reading_score"]
    reading = next(f for f in summary["features"] if f["feature"] == "reading_score")
    assert reading["ks_pvalue"] < 0.001


def test_a_rise_in_missing_values_is_drift_and_shares_sum_to_one(students):
    train = students["lunch"].iloc[:700]
    live = students["lunch"].iloc[700:].astype(object).copy()
    live.iloc[: len(live) // 3] = None
    levels, expected, actual = category_shares(train, live)
    assert levels == ["(missing)", "free/reduced", "standard"]
    assert expected.sum() == pytest.approx(1) and actual.sum() == pytest.approx(1)
    assert categorical_drift(train, live)["psi"] > 0.2
    assert categorical_drift(train, students["lunch"].iloc[700:])["psi"] < 0.2


def test_a_numeric_column_going_blank_is_drift(spec, students):
    train = students["reading_score"].iloc[:700].astype(float)
    live = students["reading_score"].iloc[700:].astype(float).copy()
    assert numeric_drift(train, live)["psi"] < 0.2
    live.iloc[: len(live) // 2] = np.nan
    assert numeric_drift(train, live)["psi"] > 0.2
    live[:] = np.nan
    assert numeric_drift(train, live)["ks_pvalue"] is None  # nothing left to test, and no crash
    train_rows, blank = students.iloc[:700], students.iloc[700:].assign(reading_score=np.nan)
    page = render_html(drift(train_rows, blank, list(spec.features), psi_threshold=0.2), train_rows, blank)
    assert "KS: no values" in page and "(missing)" in page


def test_html_report_names_the_drifted_features(spec, students):
    live = students.iloc[700:].assign(lunch="free/reduced")
    summary = drift(students.iloc[:700], live, list(spec.features), psi_threshold=0.2)
    page = render_html(summary, students.iloc[:700], live)
    assert "Drifted: <b>lunch</b>" in page and page.count("<svg") == len(spec.features)
    assert "<script" not in page


def test_values_beyond_the_training_range_count_in_the_outer_bins():
    train = pd.Series(np.arange(100.0))
    live = pd.Series(np.full(50, 1_000.0))  # all above the largest training value: the top decile's bin
    shares = np.full(10, 0.1)
    beyond = np.r_[np.zeros(9), 1.0]
    expected = np.sum((np.clip(beyond, 1e-4, None) - shares) * np.log(np.clip(beyond, 1e-4, None) / shares))
    assert numeric_drift(train, live)["psi"] == pytest.approx(expected, abs=1e-5)


def test_the_stage_reads_its_threshold_from_params_and_writes_both_reports(tmp_path, monkeypatch, params, students):
    monkeypatch.chdir(tmp_path)
    write_parquet(TRAIN_PATH, students.iloc[:700])
    live = students.iloc[700:].drop(columns=["math_score"]).assign(lunch="free/reduced")  # lunch PSI about 5.7
    SQLitePredictionLog("log.sqlite").append("scorecast:test", live.to_dict("records"), [50.0] * len(live), 9.5)
    strict = main({**params, "drift": {"log_path": "log.sqlite", "psi_threshold": 0.2}})
    lenient = main({**params, "drift": {"log_path": "log.sqlite", "psi_threshold": 50.0}})
    assert strict["drifted"] == ["lunch"] and lenient["drifted"] == []
    assert json.loads(REPORT_JSON.read_text()) == lenient and "Drifted: <b>none</b>" in REPORT_HTML.read_text()


def test_a_constant_or_two_valued_training_column_still_detects_a_shift():
    constant = pd.Series(np.full(200, 5.0))
    assert numeric_drift(constant, pd.Series(np.full(50, 5.0)))["psi"] == 0
    assert numeric_drift(constant, pd.Series(np.full(50, 6.0)))["psi"] > 0.2  # one bin gave 0 whatever came
    binary = pd.Series(np.r_[np.zeros(150), np.ones(50)])
    assert numeric_drift(binary, pd.Series(np.r_[np.zeros(38), np.ones(12)]))["psi"] < 0.01
    assert numeric_drift(binary, pd.Series(np.r_[np.zeros(10), np.ones(40)]))["psi"] > 0.2
    half = pd.Series(np.r_[np.zeros(100), np.ones(100)])  # quantiles would put one edge at 0.5: 1 and 7 share a bin
    assert numeric_drift(half, pd.Series(np.r_[np.zeros(25), np.ones(25)]))["psi"] == 0
    assert numeric_drift(half, pd.Series(np.r_[np.zeros(25), np.full(25, 7.0)]))["psi"] > 0.2


def test_a_training_column_with_no_values_compares_blank_shares_only():
    train = pd.Series(np.full(100, np.nan))
    assert numeric_drift(train, pd.Series(np.full(20, np.nan)))["psi"] == 0
    assert numeric_drift(train, pd.Series(np.arange(20.0)))["psi"] > 0.2


def test_huge_and_infinite_logged_values_get_outer_bars_not_a_crash(spec, students):
    train = students.iloc[:700]
    live = students.iloc[700:].astype({"reading_score": float}).copy()
    live.iloc[:3, live.columns.get_loc("reading_score")] = [1e308, -1e308, np.inf]
    page = render_html(drift(train, live, list(spec.features), psi_threshold=0.2), train, live)
    assert "<title>&gt;100</title>" in page and "<title>&lt;" in page


def test_chart_bins_handle_huge_constants_and_narrow_ranges():
    edges, labels = chart_bins(pd.Series(np.full(50, 1e15)), pd.Series([1e15, 2e15]))
    assert labels == ["<1e+15", "1e+15", ">1e+15"] and len(edges) == len(labels) + 1
    edges, labels = chart_bins(pd.Series(np.linspace(100.0, 100.5, 50)), pd.Series([100.2]))
    assert len(set(labels)) == len(labels) == 12 and len(edges) == 13 and labels[1] == "100"
    assert np.histogram([99.0, 100.0, 100.5, 101.0], edges)[0][[0, 1, -2, -1]].tolist() == [1, 1, 1, 1]
    edges, labels = chart_bins(pd.Series([-1e308, 1e308]), pd.Series([0.0]))  # hi - lo is past the largest float
    assert np.all(np.diff(edges) > 0) and labels[0] == "<-1e+308" and labels[-1] == ">1e+308"


def test_the_widest_training_range_still_gives_a_report():
    train = pd.DataFrame({"x": np.r_[-1e308, np.linspace(-1, 1, 98) * 1e307, 1e308]})
    live = pd.DataFrame({"x": [0.0, 1e308, -1e308]})
    features = [Column("x", "float")]
    edges = decile_edges(train["x"])
    assert np.all(np.diff(edges) > 0) and np.isfinite(edges[1:-1]).all()
    page = render_html(drift(train, live, features, psi_threshold=0.2), train, live)
    assert "drifted" in page


def test_chart_labels_are_shown_whole():
    train = pd.DataFrame({"x": np.linspace(1e16, 1e16 + 40, 100)})
    page = render_html(drift(train, train, [Column("x", "float")], psi_threshold=0.2), train, train)
    assert "</title>10000000000000004</text>" in page and "</title>10000000000000008</text>" in page
    assert 'height="342"' in page  # 150 of bars + 12 + 10 px for each of "<10000000000000000"'s 18 characters
    name = "a category name far too long to draw"
    train = pd.DataFrame({"g": [name, "b"] * 50})
    page = render_html(drift(train, train, [Column("g", "category", (name, "b"))], psi_threshold=0.2), train, train)
    assert f"<title>{name}</title>a category name far too…</text>" in page and 'height="402"' in page


def _log(path, tag, records):
    log = SQLitePredictionLog(path)
    log.append(tag, records, [50.0] * len(records), None)
    log.close()


def test_the_report_reads_only_this_datasets_inputs_and_can_pick_a_model(
    tmp_path, monkeypatch, params, students, caplog
):
    monkeypatch.chdir(tmp_path)
    write_parquet(TRAIN_PATH, students.iloc[:700])
    live = students.iloc[700:].drop(columns=["math_score"])
    _log("log.sqlite", "scorecast:a", live.to_dict("records"))
    _log("log.sqlite", "diabetes:b", [{"age": 50, "bmi": 30.0}] * 40)  # another dataset's model, same log
    _log("log.sqlite", "scorecast:c", live.assign(lunch="free/reduced").to_dict("records"))
    opts = {**params, "drift": {"log_path": "log.sqlite", "psi_threshold": 0.2}}
    summary = main(opts)
    assert summary["live_rows"] == 600 and "40 of 640 logged input(s) in log.sqlite have other fields" in caplog.text
    assert main(opts, model_tag="scorecast:a")["drifted"] == []
    assert main(opts, model_tag="scorecast:c")["drifted"] == ["lunch"]
    with pytest.raises(ScorecastError, match=r"none of its 40 logged input\(s\) has the fields of dataset students \("):
        main(opts, model_tag="diabetes:b")


def test_an_empty_log_is_named_with_what_fills_it(tmp_path, monkeypatch, params, students):
    monkeypatch.chdir(tmp_path)
    write_parquet(TRAIN_PATH, students.iloc[:700])
    SQLitePredictionLog("log.sqlite").close()  # the service started, then stopped before any prediction
    with pytest.raises(ScorecastError, match=r"^log\.sqlite: no logged predictions yet \(the service appends"):
        main({**params, "drift": {"log_path": "log.sqlite", "psi_threshold": 0.2}})
    assert not REPORT_JSON.exists()


def test_the_report_opens_the_log_read_only(tmp_path, monkeypatch, params, students):
    import sqlite3

    from scorecast.predlog import open_read_only

    monkeypatch.chdir(tmp_path)
    write_parquet(TRAIN_PATH, students.iloc[:700])
    _log("log.sqlite", "scorecast:a", students.iloc[700:].drop(columns=["math_score"]).to_dict("records"))
    conn = open_read_only("log.sqlite")
    with pytest.raises(sqlite3.OperationalError, match="attempt to write a readonly database"):
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    assert main({**params, "drift": {"log_path": "log.sqlite", "psi_threshold": 0.2}})["live_rows"] == 300
    sqlite3.connect(tmp_path / "other.sqlite").execute("CREATE TABLE t (x)").connection.commit()
    with pytest.raises(ScorecastError, match=r"other.sqlite: not a prediction log \(no predictions table\)"):
        main({**params, "drift": {"log_path": "other.sqlite", "psi_threshold": 0.2}})


def test_a_log_that_cannot_be_opened_read_only_is_read_as_immutable(tmp_path, monkeypatch, params, students, caplog):
    import sqlite3

    from scorecast import predlog

    monkeypatch.chdir(tmp_path)
    write_parquet(TRAIN_PATH, students.iloc[:700])
    _log("log.sqlite", "scorecast:a", students.iloc[700:].drop(columns=["math_score"]).to_dict("records"))
    connect = sqlite3.connect

    def no_shm(database, **kw):  # what a WAL log in a directory this user cannot write does to mode=ro (seen here)
        if "mode=ro" in str(database):
            raise sqlite3.OperationalError("attempt to write a readonly database")
        return connect(database, **kw)

    monkeypatch.setattr(predlog.sqlite3, "connect", no_shm)
    assert main({**params, "drift": {"log_path": "log.sqlite", "psi_threshold": 0.2}})["live_rows"] == 300
    assert "read as an immutable file (attempt to write a readonly database)" in caplog.text
    monkeypatch.setattr(predlog.sqlite3, "connect", lambda database, **kw: no_shm("mode=ro"))
    with pytest.raises(ScorecastError, match="log.sqlite: cannot read the prediction log \\(attempt to write"):
        main({**params, "drift": {"log_path": "log.sqlite", "psi_threshold": 0.2}})


def test_an_unknown_model_tag_is_named_with_the_logs_tags(tmp_path, monkeypatch, params, students):
    monkeypatch.chdir(tmp_path)
    write_parquet(TRAIN_PATH, students.iloc[:700])
    _log("log.sqlite", "scorecast:a", students.iloc[700:].drop(columns=["math_score"]).to_dict("records"))
    _log("log.sqlite", "scorecast:b", students.iloc[700:].drop(columns=["math_score"]).to_dict("records"))
    with pytest.raises(ScorecastError, match="no predictions from model 'scorecast:x'; it holds predictions of "
                       "scorecast:a, scorecast:b"):  # fmt: skip
        main({**params, "drift": {"log_path": "log.sqlite", "psi_threshold": 0.2}}, model_tag="scorecast:x")


def test_a_small_sample_is_reported_with_a_warning(spec, students):
    train = students.iloc[:700]
    small = drift(train, students.iloc[700:730], list(spec.features), psi_threshold=0.2)
    assert small["warning"].startswith("only 30 logged input(s): sampling alone gives a numeric feature a PSI of")
    assert ">Only 30 logged input(s): " in render_html(small, train, students.iloc[700:730])
    assert "warning" not in drift(train, students.iloc[700:], list(spec.features), psi_threshold=0.2)
