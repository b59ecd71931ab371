"""`scorecast <stage>`: the one place logging is configured and errors become one line."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import platform
import sys
from pathlib import Path

from scorecast.errors import ScorecastError

log = logging.getLogger("scorecast")

STAGES = ("ingest", "validate", "split", "preprocess", "tournament", "select", "evaluate", "package")


def blas_kernel(machine: str, cpuinfo: str) -> str | None:
    """The OpenBLAS kernel family to pin, so a fit gives the same bits on every x86-64 CPU with AVX2.

    Left to itself OpenBLAS picks kernels by CPU (AVX-512 on one machine, AVX2 on the next), and a least-squares
    fit's last bits follow the pick: models/model.pkl, and so dvc.lock, would change with the machine."""
    flags = next((line.split(":", 1)[1].split() for line in cpuinfo.splitlines() if line.startswith("flags")), [])
    if machine.lower() in ("x86_64", "amd64") and {"avx2", "fma"} <= set(flags):
        return "Haswell"  # AVX2 + FMA kernels, which every AVX-512 CPU runs too
    return None


def machine_kernel() -> str | None:
    """`blas_kernel` for this machine (Linux: other systems have no /proc/cpuinfo, and get no pin)."""
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
    except OSError:
        return None
    return blas_kernel(platform.machine(), cpuinfo)


def pin_blas_kernel() -> None:
    """Before numpy loads OpenBLAS; an OPENBLAS_CORETYPE the user set wins."""
    kernel = machine_kernel()
    if kernel:
        os.environ.setdefault("OPENBLAS_CORETYPE", kernel)


def run_stage(stage: str, candidate: str | None) -> None:
    from scorecast.params import load_params

    module = importlib.import_module(f"scorecast.{stage}")
    params = load_params()
    if stage == "tournament":
        module.main(params, candidate)
    else:
        module.main(params)


def report() -> None:
    """Print the leaderboard and test metrics of the last run."""
    from scorecast.artifacts import read_json, require
    from scorecast.paths import LEADERBOARD_MD, METRICS_PATH

    sys.stdout.write(require(LEADERBOARD_MD).read_text())
    metrics = read_json(METRICS_PATH)
    test = metrics["test"]
    interval = metrics["interval"]
    sys.stdout.write(
        f"\nwinner: {metrics['winner']}  CV R² {metrics['cv']['r2']:.4f}  |  "
        f"test R² {test['r2']:.4f}  RMSE {test['rmse']:.3f}  MAE {test['mae']:.3f}  ({test['rows']} rows)\n"
        f"{interval['nominal']:.0%} prediction interval: ± {interval['halfwidth']:.2f}, "
        f"covers {test['interval']['coverage']:.1%} of the test rows{coverage_ci(test['interval'])}\n"
    )


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="scorecast", description=__doc__)
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging and tracebacks")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("compose", help="compose conf/ into params.yaml")
    for stage in STAGES:
        sp = sub.add_parser(stage, help=f"run the {stage} stage")
        if stage == "tournament":
            sp.add_argument("candidate", help="candidate name under tournament.candidates")
    sub.add_parser("report", help="print the leaderboard and test metrics")
    sp = sub.add_parser("drift", help="compare logged prediction inputs with the training split")
    sp.add_argument("--log", help="prediction log (default: drift.log_path in params.yaml)")
    sp.add_argument("--model", help="only the inputs this model tag scored (default: every model of this dataset)")
    return p


def coverage_ci(interval: dict) -> str:
    low, high = interval.get("coverage_ci95") or (None, None)
    return "" if low is None else f" (95% CI {low:.1%}–{high:.1%})"


def main(argv: list[str] | None = None) -> int:
    pin_blas_kernel()
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
        datefmt="%H:%M:%S",
        stream=sys.stderr,
    )
    try:
        if args.command == "compose":
            from scorecast.compose import main as compose_main

            compose_main()
        elif args.command == "report":
            report()
        elif args.command == "drift":
            from scorecast.drift import main as drift_main
            from scorecast.params import load_params

            drift_main(load_params(), args.log, args.model)
        else:
            run_stage(args.command, getattr(args, "candidate", None))
    except ScorecastError as err:
        if args.verbose:
            log.exception("failed")
        sys.stderr.write(f"scorecast {args.command}: error: {err}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
