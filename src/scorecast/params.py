"""Read params.yaml, the composed config every stage takes its keys from, check all of it first, and hand
each stage its section as a typed object (`SplitParams.of(params).test_size`).

Every stage checks the whole file before it reads data or writes anything, so a typo or a wrong type
anywhere stops the first stage that runs, with one line naming the key, instead of a later stage after
earlier ones replaced their outputs. The `*Params` classes are the one description of each setting: its
type, its default (none: required) and the rule its value must pass. The data section and the candidates
are checked by the code that parses them (`DatasetSpec`, `Candidate`). A candidate's estimator params and
grid are checked only when `tournament@<name>` builds the estimator: that imports its library (CatBoost,
XGBoost), which every stage would otherwise pay for.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any, ClassVar, Self

import yaml

from scorecast.candidates import candidates_from_params
from scorecast.dataset import DatasetSpec
from scorecast.errors import ConfigError
from scorecast.paths import PREDICTION_LOG
from scorecast.rules import Check, because, cores, flag, model_name, number, one_of, optional, r2, text, whole

PARAMS_FILE = Path("params.yaml")
GROUPS = ("data", "split")  # the sections a conf/ group file supplies, picked in conf/config.yaml's defaults list
BACKENDS = ("sequential", "loky", "threading", "dask", "ray")
IMPUTE_STRATEGIES = ("mean", "median", "most_frequent", "constant")
CATEGORICAL_IMPUTE_STRATEGIES = ("most_frequent", "constant")  # a mean of categories is not one

SEED = whole(0, 2**32 - 1)  # numpy's seed range


def setting(rule: Check | None, default: Any = MISSING) -> Any:
    """A field of a params section: `rule` checks its value; without a default the key is required."""
    return field(metadata={"rule": rule}) if default is MISSING else field(default=default, metadata={"rule": rule})


def subsection(kind: type, default: bool = False) -> Any:
    """A nested section (tournament.cv); `default` makes it optional, every key taking its default."""
    meta = {"section": kind}
    return field(default_factory=kind, metadata=meta) if default else field(metadata=meta)


class Section:
    """A params.yaml section as a typed, frozen object: `SplitParams.of(params).test_size`. Each field
    carries its rule and default, so this is the one place a setting is described."""

    key: ClassVar[str]

    @classmethod
    def of(cls, params: dict[str, Any]) -> Self:
        """The section of an already checked params.yaml (load_params checks the whole file)."""
        return _build(cls, params.get(cls.key) or {})


def _build(kind: Any, values: dict[str, Any]) -> Any:
    kwargs = {}
    for f in fields(kind):
        if f.name in values:
            nested = f.metadata.get("section")
            kwargs[f.name] = _build(nested, values[f.name]) if nested else values[f.name]
    return kind(**kwargs)


@dataclass(frozen=True, kw_only=True)
class SplitParams(Section):
    key = "split"
    test_size: float = setting(number(0, 1, open_low=True, open_high=True))
    seed: int = setting(SEED)
    stratify_bins: int = setting(whole(0), 0)


@dataclass(frozen=True, kw_only=True)
class CVParams:
    folds: int = setting(whole(2))
    repeats: int = setting(whole(1), 1)
    seed: int = setting(SEED)


@dataclass(frozen=True, kw_only=True)
class ParallelParams:
    backend: str = setting(one_of(*BACKENDS), "sequential")
    n_jobs: int = setting(cores, 1)
    address: str | None = setting(optional(text), None)


@dataclass(frozen=True, kw_only=True)
class TournamentParams(Section):
    key = "tournament"
    candidates: dict[str, Any] = setting(None)  # checked by candidates.Candidate
    cv: CVParams = subsection(CVParams)
    scoring: str = setting(r2, "r2")
    parallel: ParallelParams = subsection(ParallelParams, default=True)


@dataclass(frozen=True, kw_only=True)
class ValidateParams(Section):
    key = "validate"
    on_error: str = setting(one_of("fail", "drop"), "fail")
    max_reported: int = setting(whole(0), 50)


@dataclass(frozen=True, kw_only=True)
class PreprocessParams(Section):
    key = "preprocess"
    numeric_impute: str = setting(one_of(*IMPUTE_STRATEGIES), "median")
    categorical_impute: str = setting(one_of(*CATEGORICAL_IMPUTE_STRATEGIES), "most_frequent")
    scale_numeric: bool = setting(flag, True)


@dataclass(frozen=True, kw_only=True)
class IntervalParams(Section):
    key = "interval"
    coverage: float = setting(number(0, 1, open_low=True, open_high=True))


@dataclass(frozen=True, kw_only=True)
class SelectParams(Section):
    key = "select"
    one_standard_error: bool = setting(flag, True)
    min_cv_r2: float = setting(because(number(high=1), "R² is at most 1"))  # required: without it the gate is off


@dataclass(frozen=True, kw_only=True)
class EvaluateParams(Section):
    key = "evaluate"
    importance_repeats: int = setting(whole(1))
    seed: int = setting(SEED)


@dataclass(frozen=True, kw_only=True)
class DriftParams(Section):
    key = "drift"
    log_path: str = setting(text, str(PREDICTION_LOG))
    psi_threshold: float = setting(number(0, open_low=True), 0.2)


@dataclass(frozen=True, kw_only=True)
class PackageParams(Section):
    key = "package"
    model_name: str = setting(model_name)


SECTION_TYPES: tuple[type[Section], ...] = tuple(Section.__subclasses__())  # in the order defined above
SECTIONS = {"data", *(kind.key for kind in SECTION_TYPES)}


def _is_required(f: Any) -> bool:
    return f.default is MISSING and f.default_factory is MISSING


def _required(kind: Any) -> bool:
    """A section must be present when one of its keys has no default."""
    return any(_is_required(f) for f in fields(kind))


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
    for name in ("data", *(kind.key for kind in SECTION_TYPES if _required(kind))):
        if name not in params:
            hint = (
                f"pick a conf/{name}/ file in conf/config.yaml's defaults list (`- {name}: <file name>`)"
                if name in GROUPS
                else "set it in conf/config.yaml"
            )
            raise ConfigError(f"{where}: no '{name}' section; {hint} (params.yaml is composed from conf/)")
    for kind in SECTION_TYPES:
        if kind.key in params:
            _check_section(params[kind.key], kind, kind.key, where)
    DatasetSpec.from_params(params["data"])
    candidates_from_params(params)


def check_setting(key: str, value: Any) -> None:
    """Check one setting by its rule. For the stage functions that take a setting as an argument: a direct
    caller (a test, a notebook, bench/) gets the same one line as a bad params.yaml would."""
    section, *path = key.split(".")
    kind: Any = next(k for k in SECTION_TYPES if k.key == section)
    for part in path[:-1]:
        kind = next(f for f in fields(kind) if f.name == part).metadata["section"]
    rule = next(f for f in fields(kind) if f.name == path[-1]).metadata["rule"]
    expected = rule(value)
    if expected:
        raise ConfigError(f"params.yaml: {key} is {value!r}; expected {expected}")


def _check_section(section: Any, kind: Any, name: str, where: str) -> None:
    keys = [f.name for f in fields(kind)]
    if not isinstance(section, dict):
        raise ConfigError(f"{where}: {name} is {section!r}; expected a mapping of {', '.join(keys)}")
    unknown = [key for key in section if key not in keys]
    if unknown:
        raise ConfigError(f"{where}: {name}.{unknown[0]} is not a setting (a typo?); {name} takes {', '.join(keys)}")
    missing = [f.name for f in fields(kind) if f.name not in section and _is_required(f)]
    if missing:
        raise ConfigError(f"{where}: {name}.{missing[0]} is missing")
    for f in fields(kind):
        if f.name not in section:
            continue
        if "section" in f.metadata:
            _check_section(section[f.name], f.metadata["section"], f"{name}.{f.name}", where)
        elif f.metadata["rule"] is not None and (expected := f.metadata["rule"](section[f.name])):
            raise ConfigError(f"{where}: {name}.{f.name} is {section[f.name]!r}; expected {expected}")
