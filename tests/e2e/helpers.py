"""Helpers for end-to-end tests: a temporary git repo holding this working tree, and a second dataset."""

from __future__ import annotations

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
    """scikit-learn's diabetes data as a messy CSV: an ID column, blanks in bmi, two rows without a target, and
    a yes/no column and a text column, so every column type of a dataset config is exercised."""
    from sklearn.datasets import load_diabetes

    frame = load_diabetes(as_frame=True, scaled=False).frame
    frame.insert(0, "patient_id", [f"P{i:04d}" for i in range(len(frame))])
    frame["sex"] = frame["sex"].astype(int)
    frame["age"] = frame["age"].astype(int)
    frame = frame.astype({"bmi": object, "target": object})
    frame.insert(frame.columns.get_loc("target"), "high_bp", ["yes" if bp > 100 else "no" for bp in frame["bp"]])
    frame.insert(frame.columns.get_loc("target"), "clinic", [("north", "south", "east")[i % 3] for i in frame.index])
    frame.loc[[3, 50, 100, 200, 300], "bmi"] = ""
    frame.loc[[7, 77], "target"] = ""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n")
    return path
