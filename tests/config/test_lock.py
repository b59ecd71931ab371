"""The committed dvc.lock was written from the committed code: a fresh clone's `dvc repro` retrains nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
LOCK = yaml.safe_load((ROOT / "dvc.lock").read_text())
SOURCE_DEPS = sorted(
    {
        (stage, dep["path"], dep["md5"])
        for stage, entry in LOCK["stages"].items()
        for dep in entry.get("deps", [])
        if dep["path"].startswith("src/")  # committed code; data deps are DVC's, conf/ is checked by `compose`
    }
)


@pytest.mark.parametrize(("stage", "path", "md5"), SOURCE_DEPS, ids=[f"{s}:{p}" for s, p, _ in SOURCE_DEPS])
def test_every_code_dependency_in_the_lock_is_the_committed_file(stage, path, md5):
    now = hashlib.md5((ROOT / path).read_bytes()).hexdigest()
    assert now == md5, f"dvc.lock records {path} for stage {stage} as another version: run `dvc repro` and commit"


def test_every_code_dependency_in_dvc_yaml_is_locked():
    stages = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]
    bodies = [stage.get("do", stage) for stage in stages.values()]  # foreach stages keep theirs under `do`
    declared = {dep for body in bodies for dep in body.get("deps", []) if str(dep).startswith("src/")}
    assert declared == {path for _, path, _ in SOURCE_DEPS}
