"""The dataset config is the schema: validate, preprocess and the service all derive from it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from scorecast.errors import ConfigError
from scorecast.rules import flag, number

COLUMN_TYPES = ("category", "int", "float", "bool", "text")
COLUMN_KEYS = ("type", "categories", "min", "max", "allow_missing")
DATA_KEYS = ("name", "sources", "md5", "target", "target_range", "exclude", "features")
# How a bool column may be spelled (any letter case), in a CSV or a request, and the value the model sees.
BOOL_VALUES = {"true": "True", "1": "True", "yes": "True", "false": "False", "0": "False", "no": "False"}
NUMERIC_TYPES = ("int", "float")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    categories: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    allow_missing: bool = False  # blanks are imputed in preprocess instead of rejected

    @property
    def is_numeric(self) -> bool:
        return self.type in NUMERIC_TYPES

    def breaks_rules(self, values: Any) -> Any:
        """Which numbers break this column's rules: not finite, not whole in an int column, out of range. The one
        rule that the pipeline's CSV, the service's uploads and its JSON requests are all held to."""
        values = np.asarray(values, dtype=np.float64)
        bad = ~np.isfinite(values)
        if self.type == "int":
            with np.errstate(invalid="ignore"):  # inf % 1 is nan: already bad above
                bad |= np.mod(values, 1) != 0
        if self.min is not None:
            bad |= values < self.min
        if self.max is not None:
            bad |= values > self.max
        return bad

    def expected(self) -> str:
        """Human wording of what a valid value looks like, for error messages."""
        if self.type == "category":
            return "one of " + ", ".join(repr(c) for c in self.categories)
        if self.type == "bool":
            return "true or false (or yes/no, 1/0)"
        if self.type == "text":
            return "text"
        kind = "an integer" if self.type == "int" else "a number"
        if self.min is not None and self.max is not None:
            return f"{kind} in [{self.min:g}, {self.max:g}]"
        if self.min is not None:
            return f"{kind} >= {self.min:g}"
        if self.max is not None:
            return f"{kind} <= {self.max:g}"
        return kind

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type}
        if self.categories:
            out["categories"] = list(self.categories)
        if self.min is not None:
            out["min"] = self.min
        if self.max is not None:
            out["max"] = self.max
        if self.allow_missing:
            out["allow_missing"] = True
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Column:
        """The inverse of `to_dict`: how serving rebuilds the columns from the model's metadata."""
        return cls(
            name=data["name"],
            type=data["type"],
            categories=tuple(str(c) for c in data.get("categories") or ()),
            min=data.get("min"),
            max=data.get("max"),
            allow_missing=bool(data.get("allow_missing")),
        )


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    target: Column
    features: tuple[Column, ...]
    sources: tuple[str, ...] = ()
    md5: str | None = None
    exclude: tuple[str, ...] = field(default_factory=tuple)

    @property
    def feature_names(self) -> list[str]:
        return [c.name for c in self.features]

    @property
    def numeric(self) -> list[str]:
        return [c.name for c in self.features if c.is_numeric]

    def schema(self) -> dict[str, Any]:
        """The feature schema shipped with the model, so serving never reads conf/."""
        return {
            "dataset": self.name,
            "target": self.target.to_dict(),
            "features": [c.to_dict() for c in self.features],
        }

    @classmethod
    def from_params(cls, data: dict[str, Any]) -> DatasetSpec:
        """Parse `params.yaml`'s `data` section, naming the key that is wrong."""
        where = f"data ({data.get('name', '?')})" if isinstance(data, dict) else "data"
        if not isinstance(data, dict):
            raise ConfigError(f"params.yaml: '{where}' must be a mapping, got {data!r}")
        for key in ("name", "target", "features"):
            if key not in data:
                raise ConfigError(f"params.yaml: {where} has no '{key}' key")
        features = data["features"]
        if not isinstance(features, dict) or not features:
            raise ConfigError(f"params.yaml: {where}.features must be a non-empty mapping")
        unknown = sorted(set(data) - set(DATA_KEYS))
        if unknown:
            raise ConfigError(f"params.yaml: {where}.{unknown[0]} is not a setting; expected {', '.join(DATA_KEYS)}")
        target_name = data["target"]
        if target_name in features:
            raise ConfigError(f"params.yaml: {where}: target '{target_name}' is also listed as a feature")
        lo, hi = _range(f"{where}.target_range", data.get("target_range") or [None, None])
        target = Column(target_name, "float", min=lo, max=hi)
        exclude = tuple(_names(f"{where}.exclude", data.get("exclude") or []))
        if target_name in exclude:
            raise ConfigError(f"params.yaml: {where}.exclude lists the target {target_name!r}; it cannot be excluded")
        cols = tuple(
            _column(f"{where}.features.{name}", name, spec) for name, spec in features.items() if name not in exclude
        )
        if not cols:
            raise ConfigError(f"params.yaml: {where}.exclude leaves no features; expected at least one to train on")
        md5 = data.get("md5")
        if md5 is not None and not (isinstance(md5, str) and re.fullmatch(r"[0-9a-fA-F]{32}", md5)):
            raise ConfigError(f"params.yaml: {where}.md5 is {md5!r}; expected 32 hex digits in quotes, or null")
        md5 = md5 and md5.lower()  # some tools print it in capitals; md5sum and ingest compare lowercase
        sources = data.get("sources") or []
        sources = _names(f"{where}.sources", [sources] if isinstance(sources, str) else sources)
        return cls(
            name=str(data["name"]),
            target=target,
            features=cols,
            sources=tuple(str(s) for s in sources),
            md5=md5,
            exclude=exclude,
        )


def _column(where: str, name: str, spec: Any) -> Column:
    if not isinstance(spec, dict) or "type" not in spec:
        raise ConfigError(f"params.yaml: {where} must be a mapping with a 'type' key, got {spec!r}")
    unknown = sorted(set(spec) - set(COLUMN_KEYS))
    if unknown:
        raise ConfigError(f"params.yaml: {where}.{unknown[0]} is not a setting; expected {', '.join(COLUMN_KEYS)}")
    kind = spec["type"]
    if kind not in COLUMN_TYPES:
        raise ConfigError(f"params.yaml: {where}.type is {kind!r}; expected one of {', '.join(COLUMN_TYPES)}")
    categories = tuple(_names(f"{where}.categories", spec.get("categories") or [], scalars=True))
    if kind == "category" and not categories:
        raise ConfigError(f"params.yaml: {where} is a category column but lists no 'categories'")
    if len(set(categories)) < len(categories):
        twice = next(c for c in categories if categories.count(c) > 1)
        raise ConfigError(f"params.yaml: {where}.categories lists {twice!r} twice; expected each category once")
    unreadable = next((c for c in categories if not c or c != c.strip()), None)
    if unreadable is not None:  # a cell or request value is read stripped and a blank as missing: never this
        raise ConfigError(
            f"params.yaml: {where}.categories lists {unreadable!r}; expected no blank category and no spaces around one"
        )
    if kind == "bool":
        categories = ("False", "True")
    low, high = _range(where, [spec.get("min"), spec.get("max")], keys=("min", "max"))
    allow_missing = spec.get("allow_missing", False)
    if expected := flag(allow_missing):
        raise ConfigError(f"params.yaml: {where}.allow_missing is {allow_missing!r}; expected {expected}")
    return Column(name, kind, categories, low, high, allow_missing)


def _names(where: str, values: Any, *, scalars: bool = False) -> list[str]:
    """A list of names (or, with `scalars`, of names, numbers and bools, read as text), not one string."""
    kinds = (str, int, float) if scalars else (str,)
    if not isinstance(values, list) or not all(isinstance(v, kinds) for v in values):
        raise ConfigError(f"params.yaml: {where} is {values!r}; expected a list, e.g. [a, b]")
    return [str(v) for v in values]


def _range(where: str, bounds: Any, keys: tuple[str, str] = ("[0]", "[1]")) -> tuple[Any, Any]:
    """(low, high) where each is a number or null and low <= high."""
    if not isinstance(bounds, list) or len(bounds) != 2:
        raise ConfigError(f"params.yaml: {where} is {bounds!r}; expected [low, high]")
    for key, value in zip(keys, bounds, strict=True):
        if value is not None and (expected := number()(value)):
            sep = "" if key.startswith("[") else "."
            raise ConfigError(f"params.yaml: {where}{sep}{key} is {value!r}; expected {expected} or null")
    low, high = bounds
    if low is not None and high is not None and low > high:
        raise ConfigError(f"params.yaml: {where}: {keys[0]} {low} is above {keys[1]} {high}; expected low <= high")
    return low, high
