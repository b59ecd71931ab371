"""The packaged model's identity: params_md5 follows the params it is made from; a tag names one content."""

from __future__ import annotations

import copy
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
