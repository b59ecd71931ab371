"""Helpers for end-to-end tests: a temporary git repo holding this working tree, and a second dataset."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(repo: Path, *cmd: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    proc = subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return proc


def make_repo(base: Path) -> Path:
    """Copy tracked and untracked-but-not-ignored files into base/main (shared/ beside it) and commit."""
    repo = base / "main"
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    for name in files:
        if (ROOT / name).is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, repo / name)
    (base / "shared").symlink_to((ROOT.parent / "shared").resolve())
    commit(repo, "snapshot", init=True)
    return repo


def commit(repo: Path, message: str, init: bool = False) -> None:
    if init:
        run(repo, "git", "init", "-q")
    run(repo, "git", "add", "-A")
    run(repo, "git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", message)


def write_diabetes_csv(path: Path) -> Path:
    """The second dataset's CSV, written as `scripts/diabetes_csv.py` writes it for users."""
    spec = importlib.util.spec_from_file_location("diabetes_csv", ROOT / "scripts" / "diabetes_csv.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.write_diabetes_csv(path)
