"""params.yaml is checked whole before any stage reads data: a wrong key anywhere is one line naming it."""

from __future__ import annotations

import copy
from dataclasses import fields

import numpy as np
import pytest

from scorecast.errors import ConfigError
from scorecast.params import SECTION_TYPES, SplitParams, TournamentParams, check_params, check_setting


def changed(params: dict, path: str, value) -> dict:
    """A copy of `params` with the dotted `path` set to `value` (or removed, for `...`)."""
    params = copy.deepcopy(params)
    *parents, key = path.split(".")
    section = params
    for name in parents:
        section = section[name]
    if value is ...:
        del section[key]
    else:
        section[key] = value
    return params


def test_the_composed_config_passes(params):
    check_params(params)


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        # wrong types, from `dvc exp run -S key=value`
        ("split.test_size", "abc", "split.test_size is 'abc'; expected a number in (0, 1)"),
        ("split.test_size", [0.2], "split.test_size is [0.2]; expected a number in (0, 1)"),
        ("split.test_size", 0, "split.test_size is 0; expected a number in (0, 1)"),  # the bounds are open
        ("split.test_size", 1, "split.test_size is 1; expected a number in (0, 1)"),
        ("interval.coverage", 0.0, "interval.coverage is 0.0; expected a number in (0, 1)"),
        ("interval.coverage", 1, "interval.coverage is 1; expected a number in (0, 1)"),
        ("drift.psi_threshold", 0, "drift.psi_threshold is 0; expected a number > 0"),
        ("split.stratify_bins", -2, "split.stratify_bins is -2; expected a whole number >= 0"),
        ("split.seed", -1, "split.seed is -1; expected a whole number in [0, 4294967295]"),
        ("split.seed", 2**32, "split.seed is 4294967296; expected a whole number in [0, 4294967295]"),
        ("tournament.parallel.n_jobs", 0, "tournament.parallel.n_jobs is 0; expected a whole number other than 0"),
        ("select.min_cv_r2", ..., "select.min_cv_r2 is missing"),
        ("tournament.cv.folds", "five", "tournament.cv.folds is 'five'; expected a whole number >= 2"),
        ("tournament.cv.folds", 2.5, "tournament.cv.folds is 2.5; expected a whole number >= 2"),
        ("interval.coverage", "high", "interval.coverage is 'high'; expected a number in (0, 1)"),
        ("select.min_cv_r2", "high", "select.min_cv_r2 is 'high'; expected a number <= 1 (R² is at most 1)"),
        ("select.min_cv_r2", 2, "select.min_cv_r2 is 2; expected a number <= 1 (R² is at most 1)"),
        ("select.one_standard_error", "nope", "select.one_standard_error is 'nope'; expected true or false"),
        ("preprocess.scale_numeric", "maybe", "preprocess.scale_numeric is 'maybe'; expected true or false"),
        ("preprocess.categorical_impute", "mean", "preprocess.categorical_impute is 'mean'; expected one of"),
        ("validate.max_reported", "lots", "validate.max_reported is 'lots'; expected a whole number >= 0"),
        ("evaluate.importance_repeats", 0, "evaluate.importance_repeats is 0; expected a whole number >= 1"),
        ("package.model_name", "Bad Name", "package.model_name is 'Bad Name'; expected a BentoML model name"),
        ("drift.psi_threshold", "high", "drift.psi_threshold is 'high'; expected a number > 0"),
        ("tournament.parallel.backend", "spark", "tournament.parallel.backend is 'spark'; expected one of"),
        # typos in a key: the setting would silently fall back to its default
        ("select.min_cv_2", 0.99, "select.min_cv_2 is not a setting (a typo?); select takes one_standard_error"),
        ("split.test_sise", 0.2, "split.test_sise is not a setting"),
        ("interval.coverage", ..., "interval.coverage is missing"),
        ("model", {"mynew": {}}, "unknown section 'model' (a conf/model file without its '# @package"),
        # the data section
        ("data.target_range", [0], "data (students).target_range is [0]; expected [low, high]"),
        ("data.target_range", 100, "data (students).target_range is 100; expected [low, high]"),
        ("data.target_range", ["low", "high"], "data (students).target_range[0] is 'low'; expected a number"),
        ("data.target_range", [100, 0], "target_range: [0] 100 is above [1] 0"),
        ("data.features.reading_score.min", "abc", "features.reading_score.min is 'abc'; expected a number"),
        ("data.features.reading_score.min", 200, "features.reading_score: min 200 is above max 100"),
        ("data.features.gender.categories", "female", "features.gender.categories is 'female'; expected a list"),
        ("data.features.gender.categories", ["female", "male", "male"], "lists 'male' twice"),
        ("data.features.gender.categories", ["female", "male "], "lists 'male '; expected no blank category and no"),
        ("data.features.gender.categories", ["female", ""], "lists ''; expected no blank category"),
        ("data.features.gender.allow_missing", "yes", "features.gender.allow_missing is 'yes'; expected true"),
        ("data.features.gender.kind", "category", "features.gender.kind is not a setting"),
        ("data.exclude", "gender", "data (students).exclude is 'gender'; expected a list"),
        ("data.exclude", ["math_score"], "exclude lists the target 'math_score'; it cannot be excluded"),
        ("data.exlude", [], "data (students).exlude is not a setting"),
    ],
)
def test_a_wrong_setting_is_named(params, path, value, message):
    with pytest.raises(ConfigError) as err:
        check_params(changed(params, path, value))
    assert message in str(err.value)


def test_excluding_every_feature_is_refused(params):
    every = list(params["data"]["features"])
    with pytest.raises(ConfigError, match="exclude leaves no features"):
        check_params(changed(params, "data.exclude", every))


@pytest.mark.parametrize("n_jobs", [4, -1, -2])
def test_every_n_jobs_joblib_takes_passes(params, n_jobs):
    check_params(changed(params, "tournament.parallel.n_jobs", n_jobs))


def test_numpy_numbers_are_numbers_but_bools_are_not():
    for key, value in [("tournament.cv.folds", np.int64(5)), ("split.test_size", np.float64(0.2))]:
        check_setting(key, value)  # a direct caller passing numpy values (as from a frame) is not refused
    with pytest.raises(ConfigError, match="tournament.cv.folds is True; expected a whole number"):
        check_setting("tournament.cv.folds", True)


def test_conf_sets_every_setting_so_no_default_in_params_py_reaches_the_pipeline(params):
    """Stages do not list params.py as a dvc.yaml dependency; that holds only while conf/ sets every key."""

    def unset(kind, values, where):
        for f in fields(kind):
            if f.name not in values:
                yield f"{where}.{f.name}"
            elif "section" in f.metadata:
                yield from unset(f.metadata["section"], values[f.name], f"{where}.{f.name}")

    assert [key for kind in SECTION_TYPES for key in unset(kind, params[kind.key], kind.key)] == []


def test_a_section_is_typed_with_its_defaults(params):
    assert SplitParams.of(params).test_size == params["split"]["test_size"]
    tournament = TournamentParams.of({"tournament": {"candidates": {}, "cv": {"folds": 3, "seed": 1}}})
    assert (tournament.cv.folds, tournament.cv.repeats, tournament.scoring) == (3, 1, "r2")
    assert (tournament.parallel.backend, tournament.parallel.n_jobs) == ("sequential", 1)
