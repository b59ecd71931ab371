"""A numpy copy of a fitted ColumnTransformer, because pandas + sklearn cost ~3 ms per 1-row call.

Only steps whose fitted state is plain arrays are copied (SimpleImputer, StandardScaler, MinMaxScaler,
OneHotEncoder without drop/infrequent categories); anything else makes `FastEncoder.build` return None
and the caller keeps the full pipeline.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any

import numpy as np

from scorecast.serving.features import Batch

log = logging.getLogger(__name__)

NumericOp = Callable[[np.ndarray], np.ndarray]


class Unsupported(Exception):
    """A transformer step the fast encoder does not know how to copy."""


@dataclass(frozen=True)
class NumericBlock:
    names: list[str]
    start: int
    ops: list[NumericOp]

    @property
    def width(self) -> int:
        return len(self.names)

    def fill(self, out: np.ndarray, batch: Batch) -> None:
        block = np.column_stack([batch.columns[name] for name in self.names])
        for op in self.ops:
            block = op(block)
        out[:, self.start : self.start + self.width] = block


@dataclass(frozen=True)
class OneHotBlock:
    names: list[str]
    lookups: list[dict[str, int]]  # category -> output column
    fills: list[str | None]  # imputed value for a missing category, if an imputer was fitted
    width: int

    def fill(self, out: np.ndarray, batch: Batch) -> None:
        rows = np.arange(batch.rows)
        for name, lookup, fill in zip(self.names, self.lookups, self.fills, strict=True):
            values = batch.columns[name]
            if batch.rows == 1:
                column = lookup.get(values[0] if values[0] is not None else fill, -1)
                if column >= 0:
                    out[0, column] = 1.0
                continue
            if fill is not None and None in values:
                values = [fill if v is None else v for v in values]
            columns = np.fromiter(map(lookup.get, values, repeat(-1)), dtype=np.intp, count=batch.rows)
            known = columns >= 0  # unknown categories encode as all zeros, like handle_unknown="ignore"
            out[rows[known], columns[known]] = 1.0


class FastEncoder:
    """Encodes a validated `Batch` into the same float matrix the ColumnTransformer would produce."""

    def __init__(self, blocks: Sequence[NumericBlock | OneHotBlock], width: int) -> None:
        self.blocks = list(blocks)
        self.width = width

    def transform(self, batch: Batch) -> np.ndarray:
        out = np.zeros((batch.rows, self.width), dtype=np.float64)
        for block in self.blocks:
            block.fill(out, batch)
        return out

    @classmethod
    def build(cls, transformer: Any, numeric: set[str]) -> FastEncoder | None:
        """Copy a fitted ColumnTransformer, or return None (with the reason logged) if a step is unknown."""
        try:
            return cls._build(transformer, numeric)
        except Unsupported as err:
            log.info("fast encoder not used: %s; predictions go through the full pipeline", err)
            return None

    @classmethod
    def _build(cls, transformer: Any, numeric: set[str]) -> FastEncoder:
        from sklearn.compose import ColumnTransformer

        if not isinstance(transformer, ColumnTransformer):
            raise Unsupported(f"preprocess step is {type(transformer).__name__}, not a ColumnTransformer")
        blocks: list[NumericBlock | OneHotBlock] = []
        start = 0
        for name, step, columns in transformer.transformers_:
            if (isinstance(step, str) and step == "drop") or (
                isinstance(columns, list | np.ndarray) and len(columns) == 0
            ):
                continue
            if not (isinstance(columns, list) and all(isinstance(c, str) for c in columns)):
                raise Unsupported(f"transformer {name!r} selects columns by {columns!r}, not by name")
            steps = list(step.steps) if hasattr(step, "steps") else [("", step)]
            block = _block(name, [s for _, s in steps], list(columns), start)
            if isinstance(block, NumericBlock) and not numeric.issuperset(columns):
                raise Unsupported(f"transformer {name!r} passes non-numeric columns {columns} through")
            blocks.append(block)
            start += block.width
        return cls(blocks, start)


def _block(name: str, steps: list[Any], columns: list[str], start: int) -> NumericBlock | OneHotBlock:
    from sklearn.preprocessing import OneHotEncoder

    if steps and isinstance(steps[-1], OneHotEncoder):
        return _onehot(name, steps[:-1], steps[-1], columns, start)
    return NumericBlock(columns, start, [_numeric_op(name, s) for s in steps if s != "passthrough"])


def _numeric_op(name: str, step: Any) -> NumericOp:
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import MinMaxScaler, StandardScaler

    if isinstance(step, SimpleImputer) and not step.add_indicator and _is_nan(step.missing_values):
        stats = np.asarray(step.statistics_, dtype=np.float64)
        if np.isnan(stats).any():
            raise Unsupported(f"transformer {name!r}: an imputer learned no value for a column")
        return lambda x: np.where(np.isnan(x), stats, x)
    if isinstance(step, StandardScaler):
        mean = step.mean_ if step.with_mean else 0.0
        scale = step.scale_ if step.with_std else 1.0
        return lambda x: (x - mean) / scale
    if isinstance(step, MinMaxScaler) and not step.clip:
        return lambda x: x * step.scale_ + step.min_
    raise Unsupported(f"transformer {name!r} has a {type(step).__name__} step")


def _onehot(name: str, before: list[Any], encoder: Any, columns: list[str], start: int) -> OneHotBlock:
    from sklearn.impute import SimpleImputer

    fills: list[str | None] = [None] * len(columns)
    for step in before:
        if not (isinstance(step, SimpleImputer) and not step.add_indicator):
            raise Unsupported(f"transformer {name!r} has a {type(step).__name__} step before its OneHotEncoder")
        fills = [str(v) for v in step.statistics_]
    if encoder.drop_idx_ is not None or getattr(encoder, "infrequent_categories_", None) is not None:
        raise Unsupported(f"transformer {name!r}: OneHotEncoder with drop or infrequent categories")
    lookups: list[dict[str, int]] = []
    offset = start
    for categories in encoder.categories_:
        if not all(isinstance(c, str) for c in categories):
            raise Unsupported(f"transformer {name!r}: non-text categories {list(categories)[:3]}")
        lookups.append({c: offset + k for k, c in enumerate(categories)})
        offset += len(categories)
    return OneHotBlock(columns, lookups, fills, offset - start)


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and np.isnan(value)
