"""End to end: `dvc repro` in a temporary git repo holding this working tree, as a new user runs it.

The tests in this module share one repo and run in file order (each builds on the last):
about 6 minutes on 2 cores.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from helpers import ROOT, commit, make_repo, run

from scorecast.cli import machine_kernel

pytestmark = pytest.mark.slow
TABLE = "pipeline under interruption and bad data"  # rows of the table printed at the end of the run

DETERMINISTIC = [
    "data/raw/dataset.csv",
    "data/validated/dataset.parquet",
    "data/split/train.parquet",
    "data/split/test.parquet",
    "models/preprocessor.pkl",
    "models/model.pkl",
    "results/leaderboard.csv",
    "results/tournament/lasso.json",
    "results/tournament/random_forest.json",  # multi-threaded fits
    "results/tournament/catboost.json",
    "results/tournament/xgboost.json",
    "metrics.json",
    "models/package.json",  # the packaged model's tag and metadata
]


def pipeline(repo: Path) -> subprocess.CompletedProcess:
    """What `make pipeline` runs: compose conf/ before DVC reads dvc.yaml, then repro."""
    run(repo, "scorecast", "compose")
    return run(repo, "dvc", "repro")


PIPELINE_LOCKS = ["dvc.lock", "tournament/dvc.lock"]  # the training pipeline's stages live in two dvc.yaml files
ENTRY = "tournament/dvc.yaml:tournament@"  # how DVC names a tournament stage (it is not in the root dvc.yaml)


def lock_hashes(repo: Path) -> dict[str, str]:
    """Every output's md5 in the pipeline's lock files."""
    hashes = {}
    for lock in PIPELINE_LOCKS:
        for stage in yaml.safe_load((repo / lock).read_text())["stages"].values():
            for out in stage.get("outs", []):
                hashes[out["path"]] = out["md5"]
    return hashes


def status(repo: Path, *flags: str) -> str:
    """`dvc status` of the training pipeline: dvc.yaml and the stages upstream of it (tournament/dvc.yaml);
    not monitor/dvc.yaml, which is changed whenever the prediction log grows."""
    return run(repo, "dvc", "status", *flags, "--with-deps", "dvc.yaml").stdout


@pytest.fixture(scope="module")
def repo(tmp_path_factory, env_module) -> Path:
    base = tmp_path_factory.mktemp("e2e")
    env_module.setenv("BENTOML_HOME", str(base / "bentoml"))
    env_module.setenv("BENTOML_DO_NOT_TRACK", "true")
    return make_repo(base)


@pytest.fixture(scope="module")
def first_run(repo: Path) -> dict[str, str]:
    pipeline(repo)
    return lock_hashes(repo)


def test_pipeline_produces_every_output(repo, first_run):
    for path in [
        *DETERMINISTIC,
        "results/leaderboard.md",
        "plots/test_predictions.csv",
        "reports/validation.json",
    ]:
        assert (repo / path).is_file(), path
    board = (repo / "results/leaderboard.csv").read_text().splitlines()
    assert len(board) - 1 == len(list((repo / "conf/model").glob("*.yaml"))) >= 12


def test_default_config_reaches_the_quality_bar(repo, first_run):
    metrics = json.loads((repo / "metrics.json").read_text())
    assert metrics["test"]["r2"] >= 0.87
    selection = json.loads((repo / "results/selection.json").read_text())
    assert metrics["winner"] == selection["winner"]


def test_a_fresh_run_reproduces_every_output_in_the_committed_lock(first_run):
    """Byte for byte, the packaged model's record included, on any x86-64 CPU with AVX2 (the CLI pins OpenBLAS's
    kernels): a fresh clone's `dvc repro` leaves the locks as committed."""
    if machine_kernel() is None and "OPENBLAS_CORETYPE" not in os.environ:
        pytest.skip("not a Linux x86-64 CPU with AVX2: OpenBLAS picks its own kernels, and fits differ in last bits")
    committed = lock_hashes(ROOT)
    assert set(DETERMINISTIC) <= set(committed)
    differing = sorted(
        path for path in committed.keys() | first_run.keys() if first_run.get(path) != committed.get(path)
    )
    assert differing == [], "these outputs differ from the committed dvc.lock"


def test_noop_repro_does_nothing(repo, first_run):
    out = status(repo)
    assert "up to date" in out


def test_forced_rerun_is_identical(repo, first_run):
    run(repo, "dvc", "repro", "--force")
    assert lock_hashes(repo) == first_run


@pytest.mark.reliability
def test_a_run_killed_mid_tournament_resumes_to_the_same_result(repo, first_run, report):
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    proc = subprocess.Popen(["dvc", "repro", "--force"], cwd=repo, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)  # fmt: skip
    try:
        for line in proc.stdout:
            if line.startswith(f"Running stage '{ENTRY}knn'"):
                break
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
    leftovers = [p for d in ("data", "models", "results") for p in (repo / d).rglob("*.tmp")]
    pipeline(repo)
    resumed = lock_hashes(repo)
    differing = [path for path in first_run if resumed.get(path) != first_run[path]]
    report(TABLE, "dvc repro killed mid-tournament, then rerun",
           **{"half-written files": len(leftovers), "equals an uninterrupted run": not differing})  # fmt: skip
    assert leftovers == [], "a killed stage left a half-written file"
    assert differing == [], "the resumed run differs from the uninterrupted one"


def changed_stages(repo: Path) -> set[str]:
    return set(json.loads(status(repo, "--json")))


def test_editing_one_grid_reruns_only_that_candidate(repo, first_run):
    path = repo / "conf/model/ridge.yaml"
    original = path.read_text()
    path.write_text(original.replace("alpha: [0.1, 1.0, 10.0]", "alpha: [0.5, 5.0]"))
    try:
        run(repo, "scorecast", "compose")
        # select also reads the candidate list, and package records the params the model is made from
        # (params_md5); no other tournament entry is touched.
        assert changed_stages(repo) == {"compose", f"{ENTRY}ridge", "select", "package"}
    finally:
        path.write_text(original)
        run(repo, "scorecast", "compose")
    assert changed_stages(repo) == set()


def test_removing_a_candidate_is_picked_up_by_one_run(repo, first_run):
    config = repo / "conf/config.yaml"
    original = config.read_text()
    config.write_text(original.replace("      - knn\n", ""))
    try:
        pipeline(repo)
        board = (repo / "results/leaderboard.csv").read_text()
        assert "knn" not in board and "linear" in board
    finally:
        config.write_text(original)
        pipeline(repo)
    assert "knn" in (repo / "results/leaderboard.csv").read_text()


@pytest.mark.reliability
def test_checksum_mismatch_stops_the_run_and_keeps_good_outputs(repo, first_run, report):
    data_conf = repo / "conf/data/students.yaml"
    original = data_conf.read_text()
    before = {p: (repo / p).read_bytes() for p in DETERMINISTIC}
    data_conf.write_text(original.replace("72e8feb9e6dd40e0cc9b4563bdece775", "0" * 32))
    try:
        run(repo, "scorecast", "compose")
        proc = run(repo, "dvc", "repro", check=False)
        kept = {p: (repo / p).read_bytes() for p in DETERMINISTIC} == before
        report(TABLE, "corrupt data: wrong md5", **{"run stopped": proc.returncode != 0, "good outputs kept": kept})
        assert proc.returncode != 0
        errors = [line for line in proc.stderr.splitlines() if line.startswith("scorecast ingest: error:")]
        assert len(errors) == 1 and "expected 00000000000000000000000000000000" in errors[0]
        assert "Traceback" not in proc.stderr + proc.stdout
        assert kept
    finally:
        data_conf.write_text(original)
        pipeline(repo)


def corrupted(rows: list[list[str]], how: str) -> list[list[str]]:
    """The students CSV (header first) damaged in one of the ways real files get damaged."""
    header, data = rows[0], [list(r) for r in rows[1:]]
    target = header.index("math_score")
    if how == "values shifted a column":
        data = [r[1:] + r[:1] for r in data]
    elif how == "a category never seen":
        data[4][header.index("race_ethnicity")] = "group F"
    elif how == "blank rows":
        data[9:9] = [[], []]
    elif how == "a target out of range":
        data[2][target] = "169"
    elif how == "columns reordered, header with them":
        order = list(reversed(range(len(header))))
        return [[r[i] for i in order] for r in [header, *data]]
    return [header, *data]


def use_source(repo: Path, csv_path: Path) -> str:
    """Point the dataset config at `csv_path` with its md5, as a user changing the data would; return the old config."""
    from scorecast.artifacts import md5sum

    data_conf = repo / "conf/data/students.yaml"
    original = data_conf.read_text()
    config = original.replace("  - ../shared/data/students.csv\n", f"  - {csv_path}\n")
    data_conf.write_text(config.replace("72e8feb9e6dd40e0cc9b4563bdece775", md5sum(csv_path)))
    run(repo, "scorecast", "compose")
    return original


@pytest.mark.reliability
@pytest.mark.parametrize(
    ("how", "expected"),
    [
        ("values shifted a column", "row 1 (line 2), column gender: expected one of 'female', 'male', got"),
        ("a category never seen", "row 5 (line 6), column race_ethnicity: expected one of 'group A'"),
        ("blank rows", "row 10 (line 11), expected a value in every column, got a blank row (2 problem(s)"),
        ("a target out of range", "row 3 (line 4), column math_score: expected a number in [0, 100], got '169'"),
    ],
)
def test_corrupt_data_stops_with_the_report_and_keeps_good_outputs(repo, first_run, tmp_path, report, how, expected):
    rows = list(csv.reader((ROOT.parent / "shared/data/students.csv").read_text().splitlines()))
    bad = tmp_path / "students.csv"
    with bad.open("w", newline="") as fh:
        csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(corrupted(rows, how))
    kept = [p for p in DETERMINISTIC if p != "data/raw/dataset.csv"]
    before = {p: (repo / p).read_bytes() for p in kept}
    original = use_source(repo, bad)
    try:
        proc = run(repo, "dvc", "repro", check=False)
        errors = [line for line in proc.stderr.splitlines() if line.startswith("scorecast validate: error:")]
        unchanged = {p: (repo / p).read_bytes() for p in kept} == before
        report(TABLE, f"corrupt data: {how}", **{"run stopped": proc.returncode != 0, "good outputs kept": unchanged})
        assert proc.returncode != 0 and len(errors) == 1 and expected in errors[0], proc.stderr
        assert "Traceback" not in proc.stderr + proc.stdout
        validation = json.loads((repo / "reports/validation.json").read_text())
        assert validation["error_count"] >= 1 and validation["errors"][0]["row"] == int(expected.split()[1])
        assert unchanged
    finally:
        (repo / "conf/data/students.yaml").write_text(original)
        pipeline(repo)


def test_columns_in_another_order_give_the_same_validated_data(repo, first_run, tmp_path):
    rows = list(csv.reader((ROOT.parent / "shared/data/students.csv").read_text().splitlines()))
    moved = tmp_path / "students.csv"
    with moved.open("w", newline="") as fh:
        csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(
            corrupted(rows, "columns reordered, header with them")
        )
    validated = (repo / "data/validated/dataset.parquet").read_bytes()
    original = use_source(repo, moved)
    try:
        run(repo, "dvc", "repro")
        assert (repo / "data/validated/dataset.parquet").read_bytes() == validated
    finally:
        (repo / "conf/data/students.yaml").write_text(original)
        pipeline(repo)


@pytest.fixture(scope="module")
def pulled_clone(repo, first_run, tmp_path_factory) -> Path:
    """Push the repo's outputs to a local remote, then clone with git and `dvc pull`."""
    base = tmp_path_factory.mktemp("pulled")
    run(repo, "dvc", "remote", "add", "-d", "--local", "store", str(base / "remote"))
    if run(repo, "git", "status", "--porcelain").stdout:  # a fresh run leaves dvc.lock as committed
        commit(repo, "reproduced")
    run(repo, "dvc", "push")
    clone = base / "clone"
    run(base, "git", "clone", "-q", str(repo), str(clone))
    run(clone, "dvc", "remote", "add", "-d", "--local", "store", str(base / "remote"))
    run(clone, "dvc", "pull")
    return clone


def test_push_to_a_local_remote_and_pull_into_a_fresh_clone(repo, pulled_clone):
    for path in DETERMINISTIC:
        assert (pulled_clone / path).read_bytes() == (repo / path).read_bytes(), path
    assert "up to date" in status(pulled_clone)


def test_a_pulled_clone_serves_without_retraining(pulled_clone, serve_store, tmp_path):
    """The clone's service adds the pulled model to an empty store, under the tag models/package.json names."""
    record = {
        "gender": "male",
        "race_ethnicity": "group D",
        "parental_level_of_education": "high school",
        "lunch": "standard",
        "test_preparation_course": "completed",
        "reading_score": 66,
        "writing_score": 64,
    }
    assert not (tmp_path / "bentoml").exists()
    with serve_store(tmp_path, tmp_path, cwd=pulled_clone) as server:
        answer = server.client.post("/predict", json=record)
        assert answer.status_code == 200, answer.text
        assert 0 < answer.json()["predictions"][0] < 100
        # unpinned, the clone's own model: the one its models/package.json names
        assert answer.json()["model"]["tag"] == json.loads((pulled_clone / "models/package.json").read_text())["tag"]
    assert len(list((tmp_path / "bentoml" / "models" / "scorecast").iterdir())) >= 1
    assert "up to date" in status(pulled_clone)  # nothing was retrained


def test_monitoring_stage_flags_a_shifted_prediction_log(repo, first_run):
    import pandas as pd

    from scorecast.predlog import SQLitePredictionLog

    live = pd.read_parquet(repo / "data/split/test.parquet").drop(columns=["math_score"])
    live["lunch"] = "free/reduced"
    SQLitePredictionLog(repo / "logs/predictions.sqlite").append("scorecast:test", live.to_dict("records"),
                                                                 [60.0] * len(live), 9.5)  # fmt: skip
    run(repo, "dvc", "repro", "monitor/dvc.yaml")
    summary = json.loads((repo / "reports/drift.json").read_text())
    assert summary["drifted"] == ["lunch"] and summary["live_rows"] == len(live)
    assert "<svg" in (repo / "reports/drift.html").read_text()


def test_dvc_exp_run_applies_overrides_and_metrics_diff_compares(repo, first_run):
    proc = run(repo, "dvc", "exp", "run", "-S", "tournament.candidates.ridge.grid.alpha=[0.5]")
    ran = {line.split("'")[1] for line in proc.stdout.splitlines() if line.startswith("Running stage")}
    assert {s for s in ran if s.startswith(ENTRY)} == {f"{ENTRY}ridge"}
    result = json.loads((repo / "results/tournament/ridge.json").read_text())
    assert result["best_params"] == {"alpha": 0.5}
    exps = run(repo, "dvc", "exp", "show", "--json").stdout
    assert "0.5" in exps
    run(repo, "dvc", "metrics", "diff", "--all")


QUEUE_TIMEOUT_S = 300  # two experiments that rerun select onwards take about 50 s here


def queued_experiments(repo: Path) -> dict[str, dict]:
    """`dvc exp show --json` as {experiment name: {"params": params.yaml, "metrics": metrics.json}}."""
    rows = json.loads(run(repo, "dvc", "exp", "show", "--json").stdout)
    found = {}
    for row in rows:
        for exp in row.get("experiments") or []:
            for rev in exp["revs"]:
                data = rev["data"]
                if not data:  # DVC could not collect this one; the assertions on what is found say so
                    continue
                found[rev["name"]] = {
                    "params": data["params"]["params.yaml"]["data"],
                    "metrics": data["metrics"]["metrics.json"]["data"],
                }
    return found


def test_a_sweep_through_the_experiment_queue_runs_and_is_listed(repo, first_run):
    """The README's sweep: Hydra's comma syntax queues one experiment per value, and the queue runs them
    away from the workspace."""
    before = (repo / "metrics.json").read_bytes()
    queued = run(repo, "dvc", "exp", "run", "--queue", "-S", "interval.coverage=0.8,0.95").stdout
    assert queued.count("Queued experiment") == 2, queued
    run(repo, "dvc", "queue", "start", "-j", "1")
    deadline = time.monotonic() + QUEUE_TIMEOUT_S
    while "Queued" in (status := run(repo, "dvc", "queue", "status").stdout) or "Running" in status:
        if time.monotonic() > deadline:
            run(repo, "dvc", "queue", "stop", "--kill", check=False)
            pytest.fail(f"the queue did not finish in {QUEUE_TIMEOUT_S} s:\n{status}")
        time.sleep(2)
    assert status.count("Success") == 2, status
    by_coverage = {exp["params"]["interval"]["coverage"]: exp["metrics"] for exp in queued_experiments(repo).values()}
    assert {0.8, 0.95} <= set(by_coverage)
    assert [by_coverage[c]["interval"]["nominal"] for c in (0.8, 0.95)] == [0.8, 0.95]
    assert by_coverage[0.8]["interval"]["halfwidth"] < by_coverage[0.95]["interval"]["halfwidth"]
    assert (repo / "metrics.json").read_bytes() == before  # queued runs leave the workspace alone
