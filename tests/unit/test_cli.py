"""Bad config or data through the CLI: one line naming the problem, exit 1, no traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def scorecast(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run(
        [sys.executable, "-m", "scorecast", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )


def assert_one_line_error(proc: subprocess.CompletedProcess, *fragments: str) -> None:
    assert proc.returncode == 1
    errors = [line for line in proc.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 1, proc.stderr
    for fragment in fragments:
        assert fragment in errors[0]
    assert "Traceback" not in proc.stderr


@pytest.fixture
def workdir(tmp_path: Path, params: dict) -> Path:
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    return tmp_path


def write_params(workdir: Path, change) -> None:
    params = yaml.safe_load((workdir / "params.yaml").read_text())
    change(params)
    (workdir / "params.yaml").write_text(yaml.safe_dump(params))


def test_unknown_model_in_conf(tmp_path):
    shutil.copytree(ROOT / "conf", tmp_path / "conf")
    config = tmp_path / "conf" / "config.yaml"
    config.write_text(config.read_text().replace("      - ridge\n", "      - rigde\n"))
    assert_one_line_error(scorecast(tmp_path, "compose"), "scorecast compose: error:", "rigde")
    assert not (tmp_path / "params.yaml").exists()


def test_bad_grid_key(workdir):
    write_params(workdir, lambda p: p["tournament"]["candidates"]["ridge"]["grid"].update(alhpa=[1]))
    assert_one_line_error(scorecast(workdir, "tournament", "ridge"), "conf/model/ridge.yaml", "alhpa")


def test_unknown_candidate_name(workdir):
    assert_one_line_error(scorecast(workdir, "tournament", "nope"), "no candidate 'nope'")


def test_missing_source(workdir):
    write_params(workdir, lambda p: p["data"].update(sources=["missing.csv"]))
    assert_one_line_error(scorecast(workdir, "ingest"), "missing.csv: no such file")
    assert list((workdir / "data" / "raw").iterdir()) == []


def test_missing_target_column(workdir, students_csv):
    raw = workdir / "data" / "raw" / "dataset.csv"
    raw.parent.mkdir(parents=True)
    shutil.copy(students_csv, raw)
    write_params(workdir, lambda p: p["data"].update(target="science_score"))
    assert_one_line_error(scorecast(workdir, "validate"), "missing column(s) 'science_score'")
    assert not (workdir / "data" / "validated").exists()


def test_missing_params_file(tmp_path):
    assert_one_line_error(scorecast(tmp_path, "split"), "params.yaml not found")


def test_missing_stage_input(workdir):
    assert_one_line_error(scorecast(workdir, "tournament", "ridge"), "data/split/train.parquet not found")


def test_a_bad_setting_for_a_later_stage_stops_the_first_stage_before_it_writes(workdir):
    write_params(workdir, lambda p: p["select"].update(min_cv_2=0.99))  # a typo: the quality gate would be off
    assert_one_line_error(scorecast(workdir, "ingest"), "params.yaml: select.min_cv_2 is not a setting")
    assert not (workdir / "data").exists()


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("ridge2.yaml", "ridge", "ridge2.yaml: expected '# @package tournament.candidates.ridge2' on its first line"),
        ("mynew.yaml", None, "mynew.yaml: expected '# @package tournament.candidates.mynew' on its first line"),
        ("ridge.yaml", "commented", "ridge.yaml: expected '# @package tournament.candidates.ridge' on its first"),
        ("ridge.yaml", "broken", "conf: while parsing"),
    ],
)
def test_a_bad_model_file_stops_compose(tmp_path, name, text, message):
    shutil.copytree(ROOT / "conf", tmp_path / "conf")
    ridge = (ROOT / "conf" / "model" / "ridge.yaml").read_text()
    body = {
        "ridge": ridge,
        None: ridge.split("\n", 1)[1],
        "commented": "# Ridge regression\n" + ridge,  # Hydra reads no header after an ordinary comment
        "broken": ridge + "grid: [0.2\n",
    }[text]
    (tmp_path / "conf" / "model" / name).write_text(body)
    assert_one_line_error(scorecast(tmp_path, "compose"), message)
    assert not (tmp_path / "params.yaml").exists()


def test_drift_on_a_file_that_is_not_a_log(workdir):
    notes = workdir / "notes.txt"
    notes.write_text("not a database\n" * 100)
    assert_one_line_error(scorecast(workdir, "drift", "--log", "notes.txt"), "notes.txt: not a prediction log")
    assert notes.read_text() == "not a database\n" * 100
