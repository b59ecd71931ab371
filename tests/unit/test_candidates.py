from __future__ import annotations

import pytest

from scorecast.candidates import Candidate, candidates_from_params
from scorecast.errors import ConfigError


def make(**cfg):
    return Candidate.from_config("ridge", {"_target_": "sklearn.linear_model.Ridge", **cfg})


def test_builds_the_estimator_with_fixed_params():
    est = make(params={"alpha": 3.0}, grid={"fit_intercept": [True, False]}).build()
    assert type(est).__name__ == "Ridge" and est.alpha == 3.0


def test_unknown_target_names_the_file():
    with pytest.raises(
        ConfigError, match=r"ridge.yaml \(tournament.candidates.ridge\): _target_ 'sklearn.linear_model.Rige' cannot"
    ):
        Candidate.from_config("ridge", {"_target_": "sklearn.linear_model.Rige"}).build()


def test_grid_key_that_is_not_a_parameter():
    with pytest.raises(ConfigError, match=r"grid key\(s\) alpah are not parameters of Ridge; valid: alpha"):
        make(grid={"alpah": [1.0]}).build()


@pytest.mark.parametrize("grid", [{"alpha": []}, {"alpha": 1.0}, [1, 2]])
def test_grid_values_must_be_non_empty_lists(grid):
    with pytest.raises(ConfigError, match="grid"):
        make(grid=grid)


def test_unknown_key():
    with pytest.raises(ConfigError, match=r"unknown key\(s\) gird"):
        make(gird={})


def test_bad_fixed_param():
    """Named by file and key: the bad value may come from a `-S` override rather than the file."""
    with pytest.raises(ConfigError, match=r"\(tournament.candidates.ridge\): params do not fit sklearn.linear_model"):
        make(params={"nope": 1}).build()


@pytest.mark.parametrize("complexity", ["low", 1.5, True, 0, -3])
def test_complexity_is_a_whole_number(complexity):
    with pytest.raises(ConfigError, match=r"conf/model/ridge.yaml .*complexity is .*; expected a whole number"):
        make(complexity=complexity)


def test_empty_candidate_list():
    with pytest.raises(ConfigError, match="tournament.candidates is empty"):
        candidates_from_params({"tournament": {"candidates": {}}})
