"""The committed dvc.lock was written from the committed code: a fresh clone's `dvc repro` retrains nothing."""

from __future__ import annotations

import ast
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


# Modules that only check or name things: a stage's outputs do not depend on them, so editing one reruns
# nothing. `compose` is the exception: checking params.yaml is its job.
NAMES_OR_CHECKS = {"errors", "paths", "params", "cli"}
STAGE_FILES = [ROOT / "dvc.yaml", ROOT / "monitor" / "dvc.yaml"]


def scorecast_imports(module: str) -> set[str]:
    """The scorecast modules `module` imports, as paths under src/scorecast without .py (serving/store)."""
    tree = ast.parse((ROOT / "src" / "scorecast" / f"{module}.py").read_text())
    return {
        node.module.removeprefix("scorecast.").replace(".", "/")
        for node in ast.walk(tree)  # imports inside functions count: they run too
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("scorecast.")
    }


def code_run_by(module: str) -> set[str]:
    exempt = NAMES_OR_CHECKS - {"params"} if module == "compose" else NAMES_OR_CHECKS
    seen, todo = set(), [module]
    while todo:
        name = todo.pop()
        if name not in seen and (name == module or name not in exempt):
            seen.add(name)
            todo += scorecast_imports(name)
    return {f"src/scorecast/{name}.py" for name in seen}


STAGES = [
    (path.parent.name or "root", name, stage.get("do", stage))
    for path in STAGE_FILES
    for name, stage in yaml.safe_load(path.read_text())["stages"].items()
]


@pytest.mark.parametrize(("where", "name", "stage"), STAGES, ids=[f"{w}:{n}" for w, n, _ in STAGES])
def test_each_stage_depends_on_exactly_the_code_it_runs(where, name, stage):
    """Else editing, say, dataset.py would leave a packaged model with a stale schema, and `dvc repro`
    would call it up to date."""
    module = stage["cmd"].split()[3]  # python -m scorecast <module> ...
    declared = {dep for dep in stage["deps"] if dep.startswith("src/")}
    assert declared == code_run_by(module)
