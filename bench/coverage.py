"""Benchmark: how well the prediction interval is calibrated, over many train/test splits.

One test split of 200 rows measures coverage to about ±2 points (binomial SD at 90%), so the
shipped split alone cannot tell a calibrated interval from a lucky one. This re-splits the
validated data with `--seeds` seeds and, for each, calibrates the shipped winner (its tuned
params) exactly as `select` does, then measures coverage on that seed's test rows. Baseline in the
same run: the tutorial way, the quantile of the refit model's in-sample residuals.
Reads the pipeline's outputs: run `make pipeline` first.
Usage: python bench/coverage.py [--seeds 50] [--candidate NAME (default: the winner)]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    cli.add_argument("--seeds", type=int, default=50, help="number of re-splits (seeds 0..N-1)")
    cli.add_argument("--candidate", help="a tournament candidate to check instead of the winner (its tuned params)")
    args = cli.parse_args()
    seeds = args.seeds
    os.chdir(ROOT)
    from sklearn.base import clone

    from scorecast.artifacts import read_json, read_parquet
    from scorecast.candidates import candidates_from_params, model_pipeline
    from scorecast.interval import calibrate, conformal_quantile, coverage_on
    from scorecast.params import IntervalParams, SplitParams, TournamentParams, load_params
    from scorecast.paths import RESULTS_DIR, SELECTION_PATH, VALIDATED_PATH
    from scorecast.preprocess import preprocessor_from_params
    from scorecast.split import split

    params = load_params()
    name = read_json(SELECTION_PATH)["winner"] if args.candidate is None else args.candidate
    candidates = candidates_from_params(params)
    if name not in candidates:
        cli.error(f"--candidate {name!r}: not a candidate in params.yaml; expected one of {', '.join(candidates)}")
    tuned = read_json(RESULTS_DIR / f"{name}.json")["best_params"]
    frame, target = read_parquet(VALIDATED_PATH), params["data"]["target"]
    model = candidates[name].build().set_params(**tuned)
    nominal, cv = IntervalParams.of(params).coverage, TournamentParams.of(params).cv
    opts = SplitParams.of(params)
    shipped = opts.seed
    started = time.perf_counter()
    rows = []
    for seed in [shipped, *(s for s in range(seeds) if s != shipped)]:
        train, test = split(frame, target=target, test_size=opts.test_size, seed=seed,
                            stratify_bins=opts.stratify_bins)  # fmt: skip
        pipeline = model_pipeline(preprocessor_from_params(params), clone(model))
        conformal = calibrate(clone(pipeline), train, target=target, folds=cv.folds, seed=cv.seed,
                              coverage=nominal)["halfwidth"]  # fmt: skip
        X, y = train.drop(columns=[target]), train[target].to_numpy(dtype=float)
        pipeline.fit(X, y)
        in_sample = conformal_quantile(y - pipeline.predict(X), nominal)
        predicted = pipeline.predict(test.drop(columns=[target]))
        actual = test[target].to_numpy(dtype=float)
        for method, halfwidth in (("cv-conformal (ours)", conformal), ("in-sample residuals (tutorial)", in_sample)):
            rows.append({"seed": seed, "method": method, **coverage_on(actual, predicted, halfwidth)})
    results = pd.DataFrame(rows)
    lines = [
        f"{name}{' (winner)' if args.candidate is None else ''}, nominal {nominal:.0%}, {seeds} splits of "
        f"{len(frame)} rows ({len(test)} test rows each), {time.perf_counter() - started:.0f} s",
        "",
        "| method | shipped split (seed "
        f"{shipped}) | mean over splits | SD | min | max | splits within ±4 points | mean width |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for method, group in results.groupby("method", sort=False):
        cov = group["coverage"].to_numpy()
        within = np.mean(np.abs(cov - nominal) <= 0.04 + 1e-9)
        lines.append(
            f"| {method} | {cov[0]:.1%} | {cov.mean():.1%} | {cov.std(ddof=1):.1%} | {cov.min():.1%} | "
            f"{cov.max():.1%} | {within:.0%} | {group['mean_width'].mean():.2f} |"
        )
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
