"""Build any candidate model from its config: `_target_`, fixed `params` and a search `grid`."""

from __future__ import annotations

import importlib
import inspect
from dataclasses import dataclass
from typing import Any

from scorecast.errors import ConfigError

KEYS = {"_target_", "complexity", "params", "grid"}
PREPROCESS, MODEL = "preprocess", "model"  # the step names of every fitted pipeline


@dataclass(frozen=True)
class Candidate:
    name: str
    target: str
    complexity: int
    params: dict[str, Any]
    grid: dict[str, list[Any]]

    @staticmethod
    def where(name: str) -> str:
        """The file and the key: a bad value may come from conf/ or from a `-S` override of the key."""
        return f"conf/model/{name}.yaml (tournament.candidates.{name})"

    @classmethod
    def from_config(cls, name: str, cfg: Any) -> Candidate:
        where = cls.where(name)
        if not isinstance(cfg, dict) or "_target_" not in cfg:
            raise ConfigError(f"{where}: expected a mapping with '_target_', got {cfg!r}")
        unknown = set(cfg) - KEYS
        if unknown:
            raise ConfigError(
                f"{where}: unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(KEYS))}"
            )
        grid = cfg.get("grid") or {}
        if not isinstance(grid, dict):
            raise ConfigError(f"{where}: grid must map parameter names to lists of values, got {grid!r}")
        for key, values in grid.items():
            if not isinstance(values, list) or not values:
                raise ConfigError(f"{where}: grid.{key} must be a non-empty list of values, got {values!r}")
        params = cfg.get("params") or {}
        if not isinstance(params, dict):
            raise ConfigError(f"{where}: params must be a mapping, got {params!r}")
        complexity = cfg.get("complexity", 100)
        if isinstance(complexity, bool) or not isinstance(complexity, int) or complexity < 1:
            raise ConfigError(f"{where}: complexity is {complexity!r}; expected a whole number (1 = simplest)")
        return cls(name, str(cfg["_target_"]), complexity, params, grid)

    def build(self) -> Any:
        """Instantiate the estimator and check that every grid key is one of its parameters."""
        where = self.where(self.name)
        module_name, _, class_name = self.target.rpartition(".")
        try:
            cls = getattr(importlib.import_module(module_name), class_name)
        except (ImportError, AttributeError, ValueError) as err:
            raise ConfigError(f"{where}: _target_ {self.target!r} cannot be imported ({err})") from err
        try:
            estimator = cls(**self.params)
        except TypeError as err:
            raise ConfigError(f"{where}: params do not fit {self.target}: {err}") from err
        # CatBoost's get_params() lists only the arguments that were set: also accept the signature.
        valid = set(estimator.get_params()) | set(inspect.signature(cls).parameters) - {"self", "kwargs"}
        bad = [k for k in self.grid if k not in valid]
        if bad:
            raise ConfigError(
                f"{where}: grid key(s) {', '.join(bad)} are not parameters of {class_name}; "
                f"valid: {', '.join(sorted(valid))}"
            )
        return estimator


def model_pipeline(preprocessor: Any, model: Any) -> Any:
    """The one shape a candidate is fitted in, in the tournament's folds, calibration and the shipped pickle:
    the preprocessor fits inside each fold, so no fold sees statistics of the rows it is scored on."""
    from sklearn.pipeline import Pipeline

    return Pipeline([(PREPROCESS, preprocessor), (MODEL, model)])


def candidates_from_params(params: dict) -> dict[str, Candidate]:
    try:
        configs = params["tournament"]["candidates"]
    except (KeyError, TypeError) as err:
        raise ConfigError("params.yaml: no tournament.candidates; select models in conf/config.yaml") from err
    if not configs:
        raise ConfigError("params.yaml: tournament.candidates is empty; select at least one model")
    return {name: Candidate.from_config(name, cfg) for name, cfg in configs.items()}
