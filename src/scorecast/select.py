"""Stage 6: rank candidates by CV score, pick the winner (one-SE rule), calibrate its interval on CV folds of
train, refit it on train, and record what serving needs beside it (reference and typical rows)."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scorecast.artifacts import read_dill, read_json, read_parquet, write_csv, write_dill, write_json, write_text
from scorecast.candidates import Candidate, candidates_from_params, model_pipeline
from scorecast.dataset import Column, DatasetSpec
from scorecast.errors import QualityGateError, StaleResultsError
from scorecast.explain import reference_row
from scorecast.interval import calibrate
from scorecast.params import IntervalParams, SelectParams, TournamentParams
from scorecast.paths import (
    LEADERBOARD_CSV,
    LEADERBOARD_MD,
    MODEL_PATH,
    PREPROCESSOR_PATH,
    RESULTS_DIR,
    SELECTION_PATH,
    TRAIN_PATH,
)

log = logging.getLogger(__name__)


def load_results(candidates: Mapping[str, Candidate], results_dir: Path = RESULTS_DIR) -> list[dict[str, Any]]:
    """Read one result per candidate in params.yaml; refuse a missing one, or one whose candidate, estimator,
    complexity or tuned parameters are not the config's (a result left from before a config edit, when the
    stages were run outside `dvc repro`)."""
    missing = [n for n in candidates if not (results_dir / f"{n}.json").exists()]
    if missing:
        raise StaleResultsError(
            f"{results_dir}: no result for candidate(s) {', '.join(missing)} listed in params.yaml; "
            "run `make pipeline` (it composes conf/ before DVC reads the pipeline)"
        )
    extra = sorted(p.stem for p in results_dir.glob("*.json") if p.stem not in candidates)
    if extra:
        log.info("select: ignoring results of candidates no longer in params.yaml: %s", ", ".join(extra))
    results = []
    for name, candidate in candidates.items():
        result = read_json(results_dir / f"{name}.json")
        expected = {"candidate": name, "estimator": candidate.target, "complexity": candidate.complexity}
        wrong = [
            f"{k} is {result.get(k)!r}, but params.yaml says {v!r}" for k, v in expected.items() if result.get(k) != v
        ]
        wrong += _grid_mismatch(result, candidate.grid)
        if wrong:
            raise StaleResultsError(
                f"{results_dir / f'{name}.json'}: {wrong[0]}; the result is from another config: run `dvc repro` "
                f"(or `scorecast tournament {name}`)"
            )
        results.append(result)
    return results


def _grid_mismatch(result: dict[str, Any], grid: dict[str, list[Any]]) -> list[str]:
    """How a result's search differs from the grid in params.yaml: other parameters tuned, a chosen value
    the grid does not hold, or another number of combinations searched."""
    best = result.get("best_params") or {}
    if set(best) != set(grid):
        tuned = ", ".join(sorted(best)) or "nothing"
        return [f"best_params tunes {tuned}, but params.yaml's grid tunes {', '.join(sorted(grid)) or 'nothing'}"]
    off = next((k for k in grid if not _offered(best[k], grid[k])), None)
    if off is not None:
        return [f"best_params.{off} is {best[off]!r}, but params.yaml's grid offers {grid[off]!r}"]
    combinations = math.prod(len(values) for values in grid.values())
    if result.get("combinations") != combinations:
        return [f"combinations is {result.get('combinations')!r}, but params.yaml's grid has {combinations}"]
    return []


def _offered(value: Any, options: list[Any]) -> bool:
    """`value in options`, where a NaN (`.nan` in a grid; NaN != NaN) matches a NaN."""
    nan = isinstance(value, float) and math.isnan(value)
    return value in options or (nan and any(isinstance(o, float) and math.isnan(o) for o in options))


def leaderboard(results: list[dict[str, Any]]) -> pd.DataFrame:
    board = pd.DataFrame(
        {
            "candidate": r["candidate"],
            "cv_mean": r["cv_mean"],
            "cv_std": r["cv_std"],
            "cv_sem": r["cv_sem"],
            "complexity": r["complexity"],
            "best_params": str(r["best_params"]),
        }
        for r in results
    )
    board = board.sort_values(["cv_mean", "complexity"], ascending=[False, True], kind="stable")
    board.insert(0, "rank", range(1, len(board) + 1))
    return board.reset_index(drop=True)


def choose(board: pd.DataFrame, *, one_standard_error: bool, min_cv_score: float) -> dict[str, Any]:
    """The best CV score, or with the one-SE rule the simplest candidate within one SE of it."""
    best = board.iloc[0]
    chosen = best
    if one_standard_error:
        threshold = best["cv_mean"] - best["cv_sem"]
        within = board[board["cv_mean"] >= threshold]
        chosen = within.sort_values(["complexity", "cv_mean"], ascending=[True, False], kind="stable").iloc[0]
    if chosen["cv_mean"] < min_cv_score:
        raise QualityGateError(
            f"quality gate: the winner {chosen['candidate']!r} has CV score {chosen['cv_mean']:.4f}, "
            f"below select.min_cv_r2 = {min_cv_score}; no model is saved"
        )
    return {
        "winner": chosen["candidate"],
        "cv_mean": float(chosen["cv_mean"]),
        "cv_sem": float(chosen["cv_sem"]),
        "best_by_cv": best["candidate"],
        "one_standard_error": one_standard_error,
    }


def refit(model: Any, preprocessor: Any, train: pd.DataFrame, target: str) -> Any:
    """The shipped pipeline: the fitted preprocessor plus the winner refit on the whole train split."""
    model.fit(preprocessor.transform(train.drop(columns=[target])), train[target])
    return model_pipeline(preprocessor, model)


def typical_row(frame: pd.DataFrame, features: Iterable[Column]) -> dict[str, Any]:
    """A typical input, written as a client would send it: the page's starting values, the documented example
    and the baseline of exact Shapley explanations. Medians for numbers (whole for int columns, so the row is a
    valid request), the most frequent value otherwise; None for a column with no value at all."""
    row: dict[str, Any] = {}
    for col in features:
        values = frame[col.name].dropna()
        if values.empty:
            row[col.name] = None
        elif col.type == "int":
            row[col.name] = int(np.floor(float(values.median()) + 0.5))
        elif col.is_numeric:
            row[col.name] = round(float(values.median()), 4)
        elif col.type == "bool":
            row[col.name] = values.mode().iloc[0] == "True"  # validated bools are "True"/"False"
        else:
            row[col.name] = str(values.mode().iloc[0])
    return row


def to_markdown(board: pd.DataFrame, winner: str) -> str:
    lines = ["| rank | candidate | CV mean | CV std | best params |", "|---:|---|---:|---:|---|"]
    for row in board.itertuples():
        mark = " **(winner)**" if row.candidate == winner else ""
        lines.append(
            f"| {row.rank} | {row.candidate}{mark} | {row.cv_mean:.4f} | {row.cv_std:.4f} | {row.best_params} |"
        )
    return "\n".join(lines) + "\n"


def main(params: dict) -> None:
    from sklearn.base import clone

    candidates = candidates_from_params(params)
    results = load_results(candidates)
    board = leaderboard(results)
    opts = SelectParams.of(params)
    selection = choose(board, one_standard_error=opts.one_standard_error, min_cv_score=opts.min_cv_r2)
    winner = selection["winner"]
    best_params = next(r["best_params"] for r in results if r["candidate"] == winner)
    model = candidates[winner].build().set_params(**best_params)
    train, target, cv = read_parquet(TRAIN_PATH), params["data"]["target"], TournamentParams.of(params).cv
    preprocessor = read_dill(PREPROCESSOR_PATH)  # fitted on train; calibration refits an unfitted clone per fold
    interval = calibrate(
        model_pipeline(clone(preprocessor), clone(model)),
        train,
        target=target,
        folds=cv.folds,
        seed=cv.seed,
        coverage=IntervalParams.of(params).coverage,
    )
    pipeline = refit(model, preprocessor, train, target)
    write_csv(LEADERBOARD_CSV, board)
    write_text(LEADERBOARD_MD, to_markdown(board, winner))
    write_json(
        SELECTION_PATH,
        {
            **selection,
            "best_params": best_params,
            "estimator": candidates[winner].target,
            "interval": interval,
            "reference": reference_row(pipeline, train.drop(columns=[target])),
            "typical": typical_row(train, DatasetSpec.from_params(params["data"]).features),
        },
    )
    write_dill(MODEL_PATH, pipeline)
    log.info(
        "select: winner %s (CV %.4f ± %.4f SE; best by CV: %s); %.0f%% interval ± %.2f",
        winner,
        selection["cv_mean"],
        selection["cv_sem"],
        selection["best_by_cv"],
        100 * interval["coverage"],
        interval["halfwidth"],
    )
