"""A second dataset end to end: one config file, no code change."""

from __future__ import annotations

import json
import math

import pytest
import yaml
from helpers import commit, make_repo, run, write_diabetes_csv

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def repo(tmp_path_factory, env_module):
    base = tmp_path_factory.mktemp("diabetes")
    repo = make_repo(base)
    env_module.setenv("BENTOML_HOME", str(base / "bentoml"))
    write_diabetes_csv(repo / "data/external/diabetes.csv")
    config = repo / "conf/config.yaml"
    text = config.read_text().replace("  - data: students\n", "  - data: diabetes\n")
    # A short tournament keeps the test quick; the full one runs in test_repro.py.
    start, end = text.index("  - model:\n"), text.index("  - _self_\n")
    text = text[:start] + "  - model: [linear, ridge, random_forest, catboost]\n" + text[end:]
    # The students' quality gate (CV R² >= 0.8) is out of reach here: diabetes tops out near 0.5.
    config.write_text(text.replace("min_cv_r2: 0.8 ", "min_cv_r2: 0.3 "))
    run(repo, "scorecast", "compose")
    commit(repo, "switch to diabetes")
    run(repo, "dvc", "repro")
    return repo


def test_pipeline_runs_on_the_second_dataset(repo):
    metrics = json.loads((repo / "metrics.json").read_text())
    assert metrics["test"]["rows"] > 80
    assert metrics["test"]["r2"] > 0.3  # diabetes is a hard target: published linear baselines reach ~0.45
    assert len((repo / "results/leaderboard.csv").read_text().splitlines()) == 5


def test_messy_rows_are_counted_not_fatal(repo):
    report = json.loads((repo / "reports/validation.json").read_text())
    assert report["rows"] == 442
    assert report["dropped_missing_target"] == 2
    assert report["valid_rows"] == 440


def test_packaged_schema_names_the_new_columns(repo):
    import bentoml

    meta = bentoml.models.get("scorecast:latest").info.metadata
    names = [f["name"] for f in meta["schema"]["features"]]
    assert names == ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6", "high_bp", "clinic"]
    assert "patient_id" not in names
    bmi = next(f for f in meta["schema"]["features"] if f["name"] == "bmi")
    assert bmi["allow_missing"] is True


def test_no_code_names_the_students_columns(root):
    for path in (root / "src").rglob("*.py"):
        text = path.read_text()
        for column in ("math_score", "reading_score", "race_ethnicity", "lunch"):
            assert column not in text, f"{path} names {column}"
    assert yaml.safe_load((root / "conf/data/diabetes.yaml").read_text())["target"] == "target"


def test_service_and_page_fields_follow_the_second_dataset(repo, serve_store, tmp_path, request):
    record = {"age": 50, "sex": "2", "bmi": None, "bp": 90.0, "s1": 180.0, "s2": 100.0, "s3": 50.0, "s4": 4.0,
              "s5": 4.5, "s6": 90.0, "high_bp": False, "clinic": "east"}  # fmt: skip
    with serve_store(repo.parent, tmp_path) as server:
        meta = server.client.get("/metadata").json()
        assert [f["name"] for f in meta["schema"]["features"]] == list(record)
        answer = server.client.post("/predict", json=record)  # a blank bmi is allowed here: it is imputed
        assert answer.status_code == 200, answer.text
        assert 25 <= answer.json()["predictions"][0] <= 346
        bad = server.client.post("/predict", json={**record, "sex": "3"})
        assert bad.status_code == 400 and "field sex: expected one of '1', '2'" in bad.json()["error"]
        bad = server.client.post("/predict", json={**record, "high_bp": "maybe"})
        assert bad.status_code == 400 and "field high_bp: expected true or false" in bad.json()["error"]
        huge = server.client.post("/predict", json={**record, "s1": 1.7e308, "s2": -1.7e308})  # no range: valid
        if huge.status_code == 200:  # a tree winner stays within the training targets
            assert all(math.isfinite(p) for p in huge.json()["predictions"]), huge.text
            assert all(high > low for low, high in huge.json()["intervals"]), huge.text
        else:  # a linear one overflows: refused, not answered with inf, null or an interval of width 0
            assert huge.status_code == 422 and "; its number largest in magnitude is s" in huge.text, huge.text
        explained = server.client.post("/predict?explain=true", json={**record, "high_bp": "yes"}).json()
        assert set(explained["explanations"][0]["contributions"]) == set(record)
        assert server.client.get("/ui/app.js").status_code == 200  # the page builds its form from /metadata
        page_fields(server.url, request.getfixturevalue("browser"))  # skipped, or failed in CI, without it


def page_fields(url: str, browser) -> None:
    """In headless Chromium: the form has the second dataset's fields, one input per column type, starting at
    the typical training row, and what it sends is scored."""
    page = browser.new_page()
    page.goto(f"{url}/ui/")
    page.wait_for_selector("#f-bmi")
    assert page.locator("#f-sex option").all_inner_texts() == ["1", "2"]
    assert page.locator("#f-high_bp option").all_inner_texts() == ["true", "false"]
    assert page.get_attribute("#f-clinic", "type") == "text" and page.input_value("#f-clinic")
    assert page.get_attribute("#f-age", "step") == "1" and page.input_value("#f-age").isdigit()
    assert page.locator("#form label").count() == 12
    page.fill("#f-bmi", "30")
    page.select_option("#f-high_bp", "true")
    page.click("#form button[type=submit]")
    page.wait_for_selector("#result:not([hidden])")
    assert page.inner_text("#form-error") == ""
    page.close()
