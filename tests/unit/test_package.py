"""The packaged model's identity: params_md5 follows the params it is made from; a tag names one content."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scorecast.package import MODEL_PARAMS, params_hash

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("key", "value", "changes"),
    [
        (("data", "target_range"), [0, 90], True),
        (("validate", "on_error"), "drop", True),
        (("split", "seed"), 7, True),
        (("preprocess", "scale_numeric"), False, True),
        (("select", "min_cv_r2"), 0.5, True),
        (("interval", "coverage"), 0.8, True),
        (("tournament", "cv", "folds"), 3, True),
        (("drift", "psi_threshold"), 0.5, False),
        (("tournament", "parallel", "n_jobs"), 2, False),
        (("evaluate", "importance_repeats"), 3, False),
    ],
)
def test_params_md5_changes_exactly_with_the_params_the_model_is_made_from(params, key, value, changes):
    edited = copy.deepcopy(params)
    node = edited
    for part in key[:-1]:
        node = node.setdefault(part, {})
    node[key[-1]] = value
    assert (params_hash(edited) != params_hash(params)) is changes


def test_the_package_stage_reruns_when_those_params_change(params):
    declared = set(yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]["package"]["params"])
    for section in MODEL_PARAMS:
        keys = (
            {section}
            if section != "tournament"
            else {f"tournament.{k}" for k in params[section]} - {"tournament.parallel"}
        )
        assert keys <= declared, (section, keys - declared)
    assert not any(p.startswith("tournament.parallel") for p in declared)


SAVE_THREE = """
import sys
from pathlib import Path
from scorecast.package import save_to_store
model = Path(sys.argv[1])
model.write_bytes(b"the same model")
meta = {"schema": {"dataset": "toy"}, "metrics": {"test": {"r2": 0.5}}, "git_revision": "a"}
print(save_to_store("toy", model, meta))
print(save_to_store("toy", model, {**meta, "git_revision": "b"}))
print(save_to_store("toy", model, {**meta, "metrics": {"test": {"r2": 0.6}}}))
"""


def test_new_metadata_for_the_same_model_gets_a_new_tag(tmp_path):
    env = {**os.environ, "BENTOML_HOME": str(tmp_path / "bentoml"), "BENTOML_DO_NOT_TRACK": "true"}
    # A process of its own: BentoML fixes its store path the first time it is used in a process.
    out = subprocess.run([sys.executable, "-c", SAVE_THREE, str(tmp_path / "model.pkl")], env=env,
                         capture_output=True, text=True, check=True).stdout.split()  # fmt: skip
    assert out[0] == out[1] != out[2]  # the git revision is not content; new metrics are
