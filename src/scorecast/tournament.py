"""Stage 5: tune one candidate by K-fold CV on the training split (one DVC foreach entry each)."""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np
import pandas as pd

from scorecast.artifacts import read_dill, read_parquet, write_json
from scorecast.candidates import MODEL, Candidate, candidates_from_params, model_pipeline
from scorecast.errors import ConfigError
from scorecast.folds import cv_folds
from scorecast.parallel import parallel_backend
from scorecast.params import TournamentParams, check_setting
from scorecast.paths import PREPROCESSOR_PATH, RESULTS_DIR, TRAIN_PATH

log = logging.getLogger(__name__)

DECIMALS = 10


def cross_validate(
    candidate: Candidate,
    preprocessor: Any,
    train: pd.DataFrame,
    *,
    target: str,
    folds: int,
    repeats: int,
    seed: int,
    scoring: str = "r2",
    n_jobs: int = 1,
) -> dict[str, Any]:
    """Grid-search `candidate` with repeated K-fold CV; each fold fits its own preprocessor clone."""
    from sklearn.model_selection import GridSearchCV

    check_setting("tournament.cv.folds", folds)
    check_setting("tournament.cv.repeats", repeats)
    check_setting("tournament.scoring", scoring)
    if folds > len(train):
        raise ConfigError(f"params.yaml: tournament.cv.folds is {folds}; the training split has {len(train)} rows")
    pipeline = model_pipeline(preprocessor, candidate.build())
    cv = cv_folds(folds, repeats, seed)
    grid = {f"{MODEL}__{k}": v for k, v in candidate.grid.items()}
    search = GridSearchCV(pipeline, grid, scoring=scoring, cv=cv, refit=False, n_jobs=n_jobs, error_score="raise")
    started = time.perf_counter()
    try:
        search.fit(train.drop(columns=[target]), train[target])
    except (ValueError, TypeError) as err:  # sklearn's InvalidParameterError is both; so are the estimators' own
        raise ConfigError(
            f"tournament@{candidate.name}: {candidate.target} failed to fit ({str(err).splitlines()[0]}) on folds "
            f"of about {len(train) * (folds - 1) // folds} of the {len(train)} training rows; check "
            f"conf/model/{candidate.name}.yaml's params and grid, params.yaml's preprocess settings, and whether "
            "split.test_size leaves enough rows"
        ) from err
    elapsed = time.perf_counter() - started
    res = search.cv_results_
    best = int(search.best_index_)
    n_splits = folds * repeats
    # Rounded: multi-threaded estimators (random forest, HistGB) sum in thread order, which moves the
    # last bits between runs; 10 decimals keep results and leaderboard byte-identical across reruns.
    scores = [round(float(res[f"split{i}_test_score"][best]), DECIMALS) for i in range(n_splits)]
    return {
        "candidate": candidate.name,
        "estimator": candidate.target,
        "complexity": candidate.complexity,
        "scoring": scoring,
        "cv_mean": round(float(np.mean(scores)), DECIMALS),
        "cv_std": round(float(np.std(scores)), DECIMALS),
        "cv_sem": round(float(np.std(scores, ddof=1) / np.sqrt(n_splits)), DECIMALS),
        "fold_scores": scores,
        "best_params": {k.removeprefix(f"{MODEL}__"): _plain(v) for k, v in search.best_params_.items()},
        "combinations": len(res["params"]),
        "fit_seconds": round(elapsed, 3),
    }


def _plain(value: Any) -> Any:
    """numpy scalars -> Python, so results serialise to JSON."""
    return value.item() if isinstance(value, np.generic) else value


def main(params: dict, name: str) -> None:
    from sklearn.base import clone

    candidates = candidates_from_params(params)
    if name not in candidates:
        raise ConfigError(f"params.yaml: no candidate {name!r}; known: {', '.join(candidates)}")
    candidates[name].build()  # fail on a bad config before reading any data
    opts = TournamentParams.of(params)
    cv, parallel = opts.cv, opts.parallel
    train = read_parquet(TRAIN_PATH)
    log.info(
        "tournament [%d/%d] %s: %d grid point(s) x %d fold(s)...",
        list(candidates).index(name) + 1,
        len(candidates),
        name,
        int(np.prod([len(v) for v in candidates[name].grid.values()])),
        cv.folds * cv.repeats,
    )
    # The preprocess stage's preprocessor, unfitted: the one that ships, so its settings are declared once (on the
    # preprocess stage) and only its fitted state, which each fold relearns, is left behind.
    preprocessor = clone(read_dill(PREPROCESSOR_PATH))
    with parallel_backend(parallel.backend, parallel.n_jobs, parallel.address) as n_jobs:
        result = cross_validate(
            candidates[name],
            preprocessor,
            train,
            target=params["data"]["target"],
            folds=cv.folds,
            repeats=cv.repeats,
            seed=cv.seed,
            scoring=opts.scoring,
            n_jobs=n_jobs,
        )
    seconds = result.pop("fit_seconds")  # to the log, not the result: results stay byte-identical across reruns
    write_json(RESULTS_DIR / f"{name}.json", result)
    log.info(
        "tournament %s: CV %s %.4f ± %.4f in %.1fs (best %s)",
        name,
        result["scoring"],
        result["cv_mean"],
        result["cv_std"],
        seconds,
        result["best_params"],
    )
