"""Benchmark: the cold pipeline and a no-op `dvc repro`, against the usual tutorial in the same run.

Runs in a fresh clone of HEAD (with ../shared linked beside it and a private BENTOML_HOME), so it
measures what a new user gets. Commit first: uncommitted changes are not in the clone.
Usage: python bench/pipeline.py [--skip-baseline]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"cold pipeline": 45.0, "no-op dvc repro": 2.0}
NOOP_RUNS = 5  # one no-op varies by a few tenths here


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"{' '.join(cmd)} failed with exit code {proc.returncode}")
    return time.perf_counter() - started


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__)
    cli.add_argument("--skip-baseline", action="store_true", help="skip the tutorial baseline (about a minute)")
    skip_baseline = cli.parse_args().skip_baseline
    rows: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory(prefix="scorecast-bench-") as tmp:
        tmp_path = Path(tmp)
        clone = tmp_path / "main"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        (tmp_path / "shared").symlink_to((ROOT.parent / "shared").resolve())
        env = {
            **os.environ,
            "BENTOML_HOME": str(tmp_path / "bentoml"),
            "BENTOML_DO_NOT_TRACK": "true",
            "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        }
        cold = timed(["scorecast", "compose"], clone, env) + timed(["dvc", "repro"], clone, env)
        rows.append(("cold pipeline", cold, f"< {TARGETS['cold pipeline']:.0f} s"))
        noops = [timed(["dvc", "repro"], clone, env) for _ in range(NOOP_RUNS)]
        rows.append((f"no-op dvc repro (median of {NOOP_RUNS})", statistics.median(noops),
                     f"< {TARGETS['no-op dvc repro']:.0f} s"))  # fmt: skip
        metrics = json.loads((clone / "metrics.json").read_text())
        n_candidates = len(list((clone / "results/tournament").glob("*.json")))
        if not skip_baseline:
            out = subprocess.run(
                [sys.executable, str(ROOT / "bench/tutorial_baseline.py"), str(clone / "data/raw/dataset.csv")],
                capture_output=True,
                text=True,
                check=True,
                env=env,
            )
            rows.append(("tutorial 7-model GridSearchCV", float(out.stdout.strip()), "baseline"))
    baseline = rows[-1][1] if not skip_baseline else None
    lines = ["| step | seconds | target | vs tutorial |", "|---|---:|---|---:|"]
    for name, seconds, target in rows:
        ratio = f"{seconds / baseline:.2f}x" if baseline else "-"
        lines.append(f"| {name} | {seconds:.1f} | {target} | {ratio} |")
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.write(
        f"\n{n_candidates} candidates; winner {metrics['winner']}, CV R² {metrics['cv']['r2']:.4f}, "
        f"test R² {metrics['test']['r2']:.4f}; {os.cpu_count()} CPUs; Python {platform.python_version()} "
        f"({getattr(sys, '_base_executable', sys.executable)}); "
        f"no-ops {', '.join(f'{s:.2f}' for s in noops)} s\n"
    )


if __name__ == "__main__":
    main()
