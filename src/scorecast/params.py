"""Read params.yaml, the composed config every stage takes its keys from, and check all of it first.

Every stage checks the whole file before it reads data or writes anything, so a typo or a wrong type
anywhere stops the first stage that runs, with one line naming the key, instead of a later stage after
earlier ones replaced their outputs. `SHAPE` is the one description of what each key may hold; the data
section and the candidates are checked by the code that parses them (`DatasetSpec`, `Candidate`). A
candidate's estimator params and grid are checked only when `tournament@<name>` builds the estimator:
that imports its library (CatBoost, XGBoost), which every stage would otherwise pay for.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from scorecast.candidates import candidates_from_params
from scorecast.dataset import DatasetSpec
from scorecast.errors import ConfigError

PARAMS_FILE = Path("params.yaml")
BACKENDS = ("sequential", "loky", "threading", "dask", "ray")
IMPUTE_STRATEGIES = ("mean", "median", "most_frequent", "constant")
CATEGORICAL_IMPUTE_STRATEGIES = ("most_frequent", "constant")  # a mean of categories is not one

Check = Callable[[Any], str | None]  # None when the value is fine, else what was expected


def number(low: float = -math.inf, high: float = math.inf, *, open_low: bool = False, open_high: bool = False) -> Check:
    left, right = "(" if open_low else "[", ")" if open_high else "]"
    if high == math.inf:
        expected = "a number" if low == -math.inf else f"a number {'>' if open_low else '>='} {low}"
    else:
        expected = f"a number in {left}{low}, {high}{right}"

    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value):
            return expected
        too_low = value <= low if open_low else value < low
        too_high = value >= high if open_high else value > high
        return expected if too_low or too_high else None

    return check


def is_whole(value: Any) -> bool:
    """An int, numpy's included (a direct caller may pass one), but not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def whole(minimum: int, maximum: int | None = None) -> Check:
    expected = f"a whole number >= {minimum}" if maximum is None else f"a whole number in [{minimum}, {maximum}]"

    def check(value: Any) -> str | None:
        ok = is_whole(value) and value >= minimum
        return None if ok and (maximum is None or value <= maximum) else expected

    return check


def cores(value: Any) -> str | None:
    """joblib's n_jobs: a count of workers, or -1 for all cores, -2 for all but one, ..."""
    ok = is_whole(value) and value != 0
    return None if ok else "a whole number other than 0 (4: four workers, -1: all cores)"


def one_of(*values: Any) -> Check:
    return lambda value: None if value in values else f"one of {', '.join(map(repr, values))}"


def flag(value: Any) -> str | None:
    return None if isinstance(value, bool) else "true or false"


def text(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "a non-empty string"


def optional(check: Check) -> Check:
    return lambda value: None if value is None else check(value)


def model_name(value: Any) -> str | None:
    ok = isinstance(value, str) and re.fullmatch(r"[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?", value)
    return None if ok else "a BentoML model name: lowercase letters, digits, '.', '_' or '-'"


def r2(value: Any) -> str | None:
    return None if value == "r2" else "'r2' (the quality gate select.min_cv_r2 and metrics.json's cv.r2 are R²)"


SEED = whole(0, 2**32 - 1)  # numpy's seed range

# What each section may hold; every key listed is optional unless in REQUIRED (the stages default the rest).
SHAPE: dict[str, dict[str, Any]] = {
    "split": {"test_size": number(0, 1, open_low=True, open_high=True), "seed": SEED, "stratify_bins": whole(0)},
    "tournament": {
        "candidates": None,  # checked by candidates.Candidate
        "cv": {"folds": whole(2), "repeats": whole(1), "seed": SEED},
        "scoring": r2,
        "parallel": {
            "backend": one_of(*BACKENDS),
            "n_jobs": cores,
            "address": optional(text),
        },
    },
    "validate": {"on_error": one_of("fail", "drop"), "max_reported": whole(0)},
    "preprocess": {
        "numeric_impute": one_of(*IMPUTE_STRATEGIES),
        "categorical_impute": one_of(*CATEGORICAL_IMPUTE_STRATEGIES),
        "scale_numeric": flag,
    },
    "interval": {"coverage": number(0, 1, open_low=True, open_high=True)},
    "select": {"one_standard_error": flag, "min_cv_r2": number()},
    "evaluate": {"importance_repeats": whole(1), "seed": SEED},
    "drift": {"log_path": text, "psi_threshold": number(0, open_low=True)},
    "package": {"model_name": model_name},
}
REQUIRED = {
    "split": {"test_size", "seed"},
    "tournament": {"candidates", "cv"},
    "tournament.cv": {"folds", "seed"},
    "interval": {"coverage"},
    "select": {"min_cv_r2"},  # without it the quality gate would be off
    "evaluate": {"importance_repeats", "seed"},
    "package": {"model_name"},
}
SECTIONS = {"data", *SHAPE}


def load_params(path: str | Path = PARAMS_FILE) -> dict[str, Any]:
    path = Path(path)
    try:
        params = yaml.safe_load(path.read_text())
    except FileNotFoundError as err:
        raise ConfigError(f"{path} not found: run `scorecast compose` (or `make pipeline`) first") from err
    except yaml.YAMLError as err:
        raise ConfigError(f"{path} is not valid YAML: {err}") from err
    if not isinstance(params, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    check_params(params, str(path))
    return params


def check_params(params: dict[str, Any], where: str = "params.yaml") -> None:
    """Raise a ConfigError naming the first key of `params` that is missing, unknown or of the wrong kind."""
    unknown = sorted(set(params) - SECTIONS)
    if unknown:
        hint = " (a conf/model file without its '# @package tournament.candidates.<name>' line?)"
        raise ConfigError(
            f"{where}: unknown section {unknown[0]!r}{hint if unknown[0] == 'model' else ''}; "
            f"expected {', '.join(sorted(SECTIONS))}"
        )
    for name in ("data", *REQUIRED):
        if name.split(".")[0] not in params:
            raise ConfigError(f"{where}: no '{name}' section; compose conf/ again (`make pipeline`)")
    for name, shape in SHAPE.items():
        if name in params:
            _check_section(params[name], shape, name, where)
    DatasetSpec.from_params(params["data"])
    candidates_from_params(params)


def check_setting(key: str, value: Any) -> None:
    """Check one setting by its SHAPE rule. For the stage functions that take a setting as an argument:
    a direct caller (a test, a notebook, bench/) gets the same one line as a bad params.yaml would."""
    rule: Any = SHAPE
    for part in key.split("."):
        rule = rule[part]
    expected = rule(value)
    if expected:
        raise ConfigError(f"params.yaml: {key} is {value!r}; expected {expected}")


def _check_section(section: Any, shape: dict[str, Any], name: str, where: str) -> None:
    if not isinstance(section, dict):
        raise ConfigError(f"{where}: {name} is {section!r}; expected a mapping of {', '.join(shape)}")
    unknown = [key for key in section if key not in shape]
    if unknown:
        raise ConfigError(f"{where}: {name}.{unknown[0]} is not a setting (a typo?); {name} takes {', '.join(shape)}")
    missing = sorted(REQUIRED.get(name, set()) - set(section))
    if missing:
        raise ConfigError(f"{where}: {name}.{missing[0]} is missing")
    for key, rule in shape.items():
        if key not in section or rule is None:
            continue
        if isinstance(rule, dict):
            _check_section(section[key], rule, f"{name}.{key}", where)
            continue
        expected = rule(section[key])
        if expected:
            raise ConfigError(f"{where}: {name}.{key} is {section[key]!r}; expected {expected}")
