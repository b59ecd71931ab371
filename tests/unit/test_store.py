"""Which model the service serves when no tag is pinned: the workspace's, not whatever `dvc exp run` made latest."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile

import pytest

from scorecast.errors import ConfigError
from scorecast.serving.store import bento_model, exported_tag

SCENARIO = """
import sys
from pathlib import Path
from scorecast.package import export, save_to_store
from scorecast.serving.store import ensure_in_store

work = Path(sys.argv[1])
model = work / "model.pkl"
model.write_bytes(b"the workspace's model")
workspace = save_to_store("toy", model, {"schema": {"dataset": "toy"}, "metrics": {}})  # any model_name
export(workspace, work / "scorecast.bentomodel")
model.write_bytes(b"an experiment's model")
experiment = save_to_store("toy", model, {"schema": {"dataset": "toy"}, "metrics": {}})  # now latest
print(workspace, experiment)
print(ensure_in_store(None, work / "scorecast.bentomodel"))  # the workspace's
print(ensure_in_store(None, work / "missing.bentomodel"))  # no export (inside a bento): the newest
print(ensure_in_store(experiment, work / "scorecast.bentomodel"))  # pinned
"""


def test_no_pinned_tag_serves_the_workspace_model_not_latest(tmp_path):
    env = {**os.environ, "BENTOML_HOME": str(tmp_path / "bentoml"), "BENTOML_DO_NOT_TRACK": "true"}
    out = subprocess.run([sys.executable, "-c", SCENARIO, str(tmp_path)], env=env, capture_output=True, text=True,
                         check=True).stdout.split()  # fmt: skip
    workspace, experiment, default, without_export, pinned = out
    assert workspace != experiment
    assert (default, without_export, pinned) == (workspace, experiment, experiment)


def test_a_file_that_is_not_an_export_says_so(tmp_path):
    bad = tmp_path / "scorecast.bentomodel"
    with tarfile.open(bad, "w:xz") as archive:
        archive.add(__file__, arcname="notes.txt")
    with pytest.raises(ConfigError, match="not a BentoML model export"):
        exported_tag(bad)
    assert exported_tag(tmp_path / "absent.bentomodel") is None


def test_an_empty_store_without_an_export_says_what_to_run(tmp_path):
    script = "from pathlib import Path\nimport scorecast.serving.store as s\ns.ensure_in_store(None, Path('m'))"
    env = {**os.environ, "BENTOML_HOME": str(tmp_path / "bentoml"), "BENTOML_DO_NOT_TRACK": "true"}
    run = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
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
