"""The committed locks (dvc.lock, tournament/dvc.lock) come from the committed code: a fresh clone retrains nothing."""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PIPELINE = [ROOT / "dvc.yaml", ROOT / "tournament" / "dvc.yaml"]  # the training pipeline; each has its own lock
LOCKED = {
    stage: entry
    for path in PIPELINE
    for stage, entry in yaml.safe_load(path.with_suffix(".lock").read_text())["stages"].items()
}
SOURCE_DEPS = sorted(
    {
        (stage, dep["path"], dep["md5"])
        for stage, entry in LOCKED.items()
        for dep in entry.get("deps", [])
        if dep["path"].startswith("src/")  # committed code; data deps are DVC's, conf/ is checked by `compose`
    }
)


@pytest.mark.parametrize(("stage", "path", "md5"), SOURCE_DEPS, ids=[f"{s}:{p}" for s, p, _ in SOURCE_DEPS])
def test_every_code_dependency_in_the_lock_is_the_committed_file(stage, path, md5):
    now = hashlib.md5((ROOT / path).read_bytes()).hexdigest()
    assert now == md5, f"the lock records {path} for stage {stage} as another version: run `dvc repro` and commit"


def test_every_code_dependency_in_dvc_yaml_is_locked():
    stages = [stage for path in PIPELINE for stage in yaml.safe_load(path.read_text())["stages"].values()]
    bodies = [stage.get("do", stage) for stage in stages]  # foreach stages keep theirs under `do`
    declared = {dep for body in bodies for dep in body.get("deps", []) if str(dep).startswith("src/")}
    assert declared == {path for _, path, _ in SOURCE_DEPS}


# Modules that only check or name things: a stage's outputs do not depend on them, so editing one reruns
# nothing. params.py also holds defaults, but conf/ sets every key (test_params checks), so none reaches a
# stage. `compose` is the exception: checking params.yaml is its job. (The entry point, __main__ -> cli, is not
# followed either: it dispatches to the stage module, and pins OpenBLAS's kernels, a constant that decides the
# fits' last bits; after changing that constant, run `dvc repro --force`.)
NAMES_OR_CHECKS = {"errors", "paths", "params"}
STAGE_FILES = [*PIPELINE, ROOT / "monitor" / "dvc.yaml"]
PACKAGE = ROOT / "src" / "scorecast"


def scorecast_imports(module: str) -> set[str]:
    """The scorecast modules `module` imports, as paths under src/scorecast without .py (serving/store), in
    every form: `from scorecast.x import y`, `from scorecast import x`, `import scorecast.x`."""
    names: set[str] = set()
    for node in ast.walk(ast.parse((PACKAGE / f"{module}.py").read_text())):  # imports in functions run too
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "scorecast":
            base = node.module.removeprefix("scorecast").lstrip(".").replace(".", "/")
            for alias in node.names:  # `from scorecast(.pkg) import module` names a module, not an object
                sub = f"{base}/{alias.name}".lstrip("/")
                names.add(sub if (PACKAGE / f"{sub}.py").is_file() else base)
        elif isinstance(node, ast.Import):
            names |= {a.name.removeprefix("scorecast.").replace(".", "/") for a in node.names
                      if a.name.startswith("scorecast.")}  # fmt: skip
    return names - {""}


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
    (path.relative_to(ROOT).parent.as_posix(), name, stage.get("do", stage))
    for path in STAGE_FILES
    for name, stage in yaml.safe_load(path.read_text())["stages"].items()
]


@pytest.mark.parametrize(("where", "name", "stage"), STAGES, ids=[f"{w}/dvc.yaml:{n}" for w, n, _ in STAGES])
def test_each_stage_depends_on_exactly_the_code_it_runs(where, name, stage):
    """Else editing, say, dataset.py would leave a packaged model with a stale schema, and `dvc repro`
    would call it up to date."""
    module = stage["cmd"].split()[3]  # python -m scorecast <module> ...
    declared = {dep for dep in stage["deps"] if dep.startswith("src/")}
    assert declared == code_run_by(module)


def test_every_import_form_is_followed():
    assert {"cells", "serving/features", "serving/predictor"} <= scorecast_imports("serving/csvscore")
