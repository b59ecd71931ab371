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
from scorecast.serving.store import content_tag

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


SAVE_TWICE = """
import bentoml
from scorecast.serving.store import content_tag, save_to_store
meta = {"schema": {"dataset": "toy"}, "metrics": {"test": {"r2": 0.5}}}
first, other = content_tag("toy", b"m", meta), content_tag("toy", b"other", meta)
save_to_store(first, b"m", meta)
save_to_store(other, b"other", meta)
save_to_store(first, b"m", meta)  # the same content packaged again, as after `dvc exp apply` of an older experiment
print(first, bentoml.models.get("toy:latest").tag, len(bentoml.models.list("toy")))
"""


def test_new_metadata_for_the_same_model_gets_a_new_tag():
    meta = {"schema": {"dataset": "toy"}, "metrics": {"test": {"r2": 0.5}}}
    assert content_tag("toy", b"m", meta) != content_tag("toy", b"m", {**meta, "metrics": {"test": {"r2": 0.6}}})


def test_packaging_the_same_content_again_makes_it_latest_under_the_same_tag(tmp_path):
    env = {**os.environ, "BENTOML_HOME": str(tmp_path / "bentoml"), "BENTOML_DO_NOT_TRACK": "true"}
    # A process of its own: BentoML fixes its store path the first time it is used in a process.
    out = subprocess.run([sys.executable, "-c", SAVE_TWICE], env=env, capture_output=True, text=True, check=True)
    first, latest, count = out.stdout.split()
    assert (latest, count) == (first, "2")
