"""Every model config in conf/model/ instantiates and survives a tiny CV run."""

from __future__ import annotations

from pathlib import Path

import pytest

from scorecast.candidates import candidates_from_params
from scorecast.compose import compose
from scorecast.preprocess import build_preprocessor
from scorecast.tournament import cross_validate

ROOT = Path(__file__).resolve().parents[2]
MODEL_NAMES = sorted(p.stem for p in (ROOT / "conf" / "model").glob("*.yaml"))


def test_default_tournament_has_at_least_twelve_candidates(params):
    assert len(params["tournament"]["candidates"]) >= 12


def test_every_model_file_is_in_the_default_tournament(params):
    assert sorted(params["tournament"]["candidates"]) == MODEL_NAMES


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_model_config_fits_a_tiny_frame(name, params, spec, tiny):
    candidate = candidates_from_params(compose(ROOT / "conf", [f"model=[{name}]"]))[name]
    # Only the first value of each grid axis: this checks wiring, not tuning.
    candidate = type(candidate)(
        candidate.name,
        candidate.target,
        candidate.complexity,
        candidate.params,
        {k: v[:1] for k, v in candidate.grid.items()},
    )
    result = cross_validate(candidate, build_preprocessor(spec), tiny, target="math_score", folds=2, repeats=1, seed=0)
    assert len(result["fold_scores"]) == 2
    assert result["cv_mean"] > -1.0  # finite and not absurd on 60 rows
    assert set(result["best_params"]) == set(candidate.grid)
