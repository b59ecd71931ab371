"""Which model the service serves when no tag is pinned (the workspace's, not whatever `dvc exp run` made latest),
and how the workspace's model reaches a store that lacks it."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scorecast.errors import ConfigError
from scorecast.serving.store import bento_model, packaged
from scorecast.store import content_tag, lock_path

# Floats and nesting, as real metadata has: the tag must survive package.json's round trip through JSON.
META = {"schema": {"dataset": "toy"}, "metrics": {"test": {"r2": 0.1 + 0.2, "tiny": 1e-17}}, "reference": [-0.0, 2.5]}

SCENARIO = """
import json, sys
from pathlib import Path
from scorecast.serving.store import ensure_in_store
from scorecast.store import content_tag, save_to_store

work = Path(sys.argv[1])
meta = {"schema": {"dataset": "toy"}, "metrics": {}}
workspace = content_tag("toy", b"the workspace's model", meta)  # any model_name
save_to_store(workspace, b"the workspace's model", meta)
(work / "model.pkl").write_bytes(b"the workspace's model")
(work / "package.json").write_text(json.dumps({"tag": workspace, "metadata": meta}))
experiment = content_tag("toy", b"an experiment's model", meta)
save_to_store(experiment, b"an experiment's model", meta)  # now latest
print(workspace, experiment)
print(ensure_in_store(None, work / "package.json", work / "model.pkl"))  # the workspace's
print(ensure_in_store(None, work / "missing.json", work / "model.pkl"))  # no record (not a checkout): newest
print(ensure_in_store(experiment, work / "package.json", work / "model.pkl"))  # pinned
"""


def run_in_store(script: str, store: Path, *args: str) -> subprocess.CompletedProcess:
    """A process of its own: BentoML fixes its store path the first time it is used in a process."""
    env = {**os.environ, "BENTOML_HOME": str(store), "BENTOML_DO_NOT_TRACK": "true"}
    return subprocess.run([sys.executable, "-c", script, *args], env=env, capture_output=True, text=True)


def test_no_pinned_tag_serves_the_workspace_model_not_latest(tmp_path):
    out = run_in_store(SCENARIO, tmp_path / "bentoml", str(tmp_path))
    assert out.returncode == 0, out.stderr
    workspace, experiment, default, without_record, pinned = out.stdout.split()
    assert workspace != experiment
    assert (default, without_record, pinned) == (workspace, experiment, experiment)


RESTORE = """
import sys
from pathlib import Path
import bentoml
from scorecast.serving.store import ensure_in_store
from scorecast.store import MODEL_FILE

work, pinned = Path(sys.argv[1]), (sys.argv[2:] or [None])[0]
tag = ensure_in_store(pinned, work / "package.json", work / "model.pkl")
model = bentoml.models.get(tag)
print(tag, Path(model.path_of(MODEL_FILE)).read_bytes().decode(), model.info.labels, sep="\\n")
"""


def write_workspace(work: Path, model: bytes, recorded: bytes | None = None) -> str:
    """models/model.pkl and the package record as the package stage writes them (scorecast.artifacts.write_json);
    `recorded` is the model the record was made of."""
    tag = content_tag("toy", model if recorded is None else recorded, META)
    (work / "model.pkl").write_bytes(model)
    (work / "package.json").write_text(json.dumps({"tag": tag, "metadata": META}, indent=2) + "\n")
    return tag


@pytest.mark.parametrize("pin", [False, True], ids=["unpinned", "pinned to the recorded tag"])
def test_an_empty_store_gets_the_workspace_model_under_its_recorded_tag(tmp_path, pin):
    """What a fresh clone has after `dvc pull`: the record and the model, and a store that never saw either."""
    tag = write_workspace(tmp_path, b"the pulled model")
    out = run_in_store(RESTORE, tmp_path / "bentoml", str(tmp_path), *([tag] if pin else []))
    assert out.returncode == 0, out.stderr
    served, model, labels = out.stdout.splitlines()
    assert (served, model) == (tag, "the pulled model")
    assert "'packaged_by': 'scorecast'" in labels


def test_a_restore_waits_for_another_writer_of_the_same_tag(tmp_path):
    """Two services starting on one empty store: the second waits for the first, then finds the model there."""
    tag = write_workspace(tmp_path, b"the pulled model")
    env = {**os.environ, "BENTOML_HOME": str(tmp_path / "bentoml"), "BENTOML_DO_NOT_TRACK": "true"}
    with lock_path(tag).open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a first service mid-restore holds it
        proc = subprocess.Popen([sys.executable, "-c", RESTORE, str(tmp_path)], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)  # fmt: skip
        time.sleep(4)  # ample for the child to import BentoML and reach the lock
        waited = proc.poll() is None
        fcntl.flock(held, fcntl.LOCK_UN)
    out, err = proc.communicate(timeout=60)
    assert waited, "the restore did not wait for the lock"
    assert proc.returncode == 0, err
    assert out.splitlines()[0] == tag


@pytest.mark.parametrize(
    ("model", "state"),
    [(b"a model retrained since", "does not match it: `dvc pull --force"), (None, "is missing: `dvc pull")],
)
def test_a_model_file_that_is_not_the_recorded_one_is_refused(tmp_path, model, state):
    tag = write_workspace(tmp_path, model or b"", recorded=b"the packaged model")
    if model is None:
        (tmp_path / "model.pkl").unlink()
    out = run_in_store(RESTORE, tmp_path / "bentoml", str(tmp_path))
    assert out.returncode != 0
    assert f"package.json names {tag}, but {tmp_path / 'model.pkl'} {state} {tmp_path / 'model.pkl'}`" in out.stderr
    assert not (tmp_path / "bentoml" / "models" / "toy").exists()  # nothing saved under the wrong tag


@pytest.mark.parametrize(
    "text", ['{"metadata": {}}', '{"tag": 7, "metadata": {}}', '{"tag": "scorecast", "metadata": {}}', "{"]
)
def test_a_file_that_is_not_a_package_record_says_so(tmp_path, text):
    bad = tmp_path / "package.json"
    bad.write_text(text)
    with pytest.raises(ConfigError, match="package.json: not a package record"):
        packaged(bad)
    assert packaged(tmp_path / "absent.json") is None


def test_the_tag_follows_the_content_not_the_key_order_or_the_json_layout(tmp_path):
    tag = write_workspace(tmp_path, b"m")
    assert packaged(tmp_path / "package.json") == (tag, META)
    assert content_tag("toy", b"m", json.loads((tmp_path / "package.json").read_text())["metadata"]) == tag
    assert content_tag("toy", b"m", {"a": 1, "b": 2}) == content_tag("toy", b"m", {"b": 2, "a": 1})
    assert content_tag("toy", b"m", META) != content_tag("toy", b"n", META)
    assert content_tag("toy", b"m", META) != content_tag("toy", b"m", {**META, "metrics": {"test": {"r2": 0.6}}})
    assert tag.startswith("toy:")


SAVE_TWICE = """
import bentoml
from scorecast.store import content_tag, save_to_store
meta = {"schema": {"dataset": "toy"}, "metrics": {"test": {"r2": 0.5}}}
first, other = content_tag("toy", b"m", meta), content_tag("toy", b"other", meta)
save_to_store(first, b"m", meta)
save_to_store(other, b"other", meta)
save_to_store(first, b"m", meta)  # the same content packaged again, as after `dvc exp apply` of an older experiment
print(first, bentoml.models.get("toy:latest").tag, len(bentoml.models.list("toy")))
"""


def test_packaging_the_same_content_again_makes_it_latest_under_the_same_tag(tmp_path):
    out = run_in_store(SAVE_TWICE, tmp_path / "bentoml")
    assert out.returncode == 0, out.stderr
    first, latest, count = out.stdout.split()
    assert (latest, count) == (first, "2")


def test_an_empty_store_without_a_record_says_what_to_run(tmp_path):
    script = (
        "from pathlib import Path\nimport scorecast.serving.store as s\ns.ensure_in_store(None, Path('p'), Path('m'))"
    )
    run = run_in_store(script, tmp_path / "bentoml")
    assert run.returncode != 0 and "the BentoML store holds no scorecast model; run `dvc repro`" in run.stderr


def test_a_bento_serves_the_model_it_was_built_with(tmp_path):
    bento = tmp_path / "bento"
    (bento / "src").mkdir(parents=True)
    (bento / "bento.yaml").write_text(
        "service: service:ScoreCast\nmodels: []\nservices:\n- name: scorecast\n  models:\n"
        "  - tag: scorecast:0123456789abcdef\n    module: ''\n"
    )
    assert bento_model(bento / "src") == "scorecast:0123456789abcdef"
    assert bento_model(tmp_path) is None  # a checkout: service.py is not in a bento's src/
