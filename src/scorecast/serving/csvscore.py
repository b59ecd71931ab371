"""Score an uploaded CSV: keep every row and column, add the prediction and an error column per row."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scorecast import cells
from scorecast.dataset import Column
from scorecast.errors import DataValidationError
from scorecast.serving.features import Batch
from scorecast.serving.predictor import Predictor, overflows
from scorecast.serving.problems import Problem, RequestError, show

FORMULA_START = r"^[=+\-@\t\r]"  # cells a spreadsheet would run as a formula
GUARDED_CELL = r"^'(?=[=+\-@\t\r])"  # the ' that `guard_formulas` put before such a cell
GUARDED = re.compile(r"'[=+\-@\t\r]")  # might a file have one? (a literal first, so the search is fast)
MAX_COLUMNS = 1_000  # columns an upload may have (the model's and any passed through)
LINES_PER_ROW = 4  # lines an upload may have per row allowed


@dataclass(frozen=True)
class ScoredCsv:
    frame: pd.DataFrame  # the upload's cells as text, plus the prediction and error columns
    predictions: list[float | None]
    problems: list[Problem]
    valid_batch: Batch | None = None  # the valid rows, typed, for explanations
    valid_mask: np.ndarray | None = None

    @property
    def invalid_rows(self) -> int:
        return len({p.where["row"] for p in self.problems})


def decode(data: bytes, filename: str) -> str:
    """Text of an upload (`cells.decode`); a binary or non-UTF-8 file is a 415."""
    try:
        return cells.decode(data, filename)
    except DataValidationError as err:
        raise RequestError(415, str(err)) from err


def read_csv(text: str, filename: str, *, max_rows: int) -> pd.DataFrame:
    """The upload as text cells indexed by their line in the file (`cells.read_cells`), blank lines left out:
    row N in a message is row N of the scored file, and its line is the upload's own. Too many lines or
    columns, or rows, is a 413."""
    lines, most = max(text.count("\n"), text.count("\r")), LINES_PER_ROW * max_rows + 1
    if lines > most:  # refused before pandas makes a row of each blank line
        raise RequestError(
            413,
            f"{filename}: {lines:,} lines; at most {most:,} allowed per upload ({max_rows:,} rows, {LINES_PER_ROW} "
            "lines each for blank lines and values spanning lines; SCORECAST_MAX_ROWS)",
        )
    columns = len(cells.header(text))
    if columns > MAX_COLUMNS:
        raise RequestError(413, f"{filename}: {columns:,} columns; at most {MAX_COLUMNS:,} allowed per upload")
    try:
        frame = cells.read_cells(text, filename)
    except DataValidationError as err:
        raise RequestError(400, str(err)) from err
    frame = frame[~cells.blank_rows(frame)]
    if frame.empty:
        raise RequestError(400, f"{filename}: has a header but no data rows")
    if GUARDED.search(text):  # a scored file sent back: its cells as they were before `guard_formulas`
        frame = frame.apply(lambda cells_: cells_.str.replace(GUARDED_CELL, "", n=1, regex=True))
    if len(frame) > max_rows:
        raise RequestError(
            413, f"{filename}: {len(frame)} rows; at most {max_rows} allowed per upload (SCORECAST_MAX_ROWS)"
        )
    return frame


def score_frame(
    raw: pd.DataFrame,
    columns: Sequence[Column],
    predictor: Predictor,
    *,
    target: str,
    filename: str,
    halfwidth: float | None = None,
) -> ScoredCsv:
    # A scored CSV sent back is scored afresh: the columns this service adds are replaced, not duplicated.
    names = {c.name for c in columns}
    raw = raw.drop(columns=[c for c in raw.columns if c not in names and is_output_column(str(c), target)])
    try:
        cells.require_columns(raw, [c.name for c in columns], filename)
    except DataValidationError as err:
        raise RequestError(400, str(err)) from err
    typed: dict[str, Any] = {}
    bad_rows = np.zeros(len(raw), dtype=bool)
    problems: list[Problem] = []
    for col in columns:
        values, bad, blank = cells.check_column(raw[col.name], col)
        if not col.allow_missing:
            bad |= blank
        typed[col.name] = values
        bad_rows |= bad.to_numpy()
        problems += [_problem(int(i), int(raw.index[i]), col, raw[col.name].iat[i]) for i in np.flatnonzero(bad)]
    keep = ~bad_rows
    predictions = np.full(len(raw), np.nan)
    batch = None
    if keep.any():
        batch = Batch(int(keep.sum()), {c.name: _batch_values(c, typed[c.name][keep]) for c in columns})
        predictions[keep] = predictor.predict(batch)
        found = overflows(predictions[keep], batch, columns, halfwidth)
        if found:  # those rows are errors like any other: no inf in the file, the log or the explanations
            rows = np.flatnonzero(keep)[[o.row for o in found]]
            problems += [
                o.problem({"row": i + 1, "line": line, "column": o.field}, f"row {i + 1} (line {line})")
                for i, line, o in zip(rows.tolist(), raw.index[rows].tolist(), found, strict=True)
            ]
            scored = np.ones(batch.rows, dtype=bool)
            scored[[o.row for o in found]] = False
            batch = batch.take(scored) if scored.any() else None
            keep[rows] = False
            predictions[rows] = np.nan
    problems.sort(key=lambda p: p.where["row"])
    out = guard_formulas(raw)
    out[f"predicted_{target}"] = predictions
    if halfwidth is not None:
        out[f"predicted_{target}_lower"] = predictions - halfwidth
        out[f"predicted_{target}_upper"] = predictions + halfwidth
    errors = [""] * len(raw)
    for p in problems:
        row = p.where["row"] - 1
        errors[row] = f"{errors[row]}; {p.message}" if errors[row] else p.message
    out["validation_error"] = errors
    floats = [None if np.isnan(v) else float(v) for v in predictions]
    return ScoredCsv(out, floats, problems, batch, keep)


def is_output_column(name: str, target: str) -> bool:
    """A column this service writes into a scored CSV."""
    outputs = {f"predicted_{target}", f"predicted_{target}_lower", f"predicted_{target}_upper", "validation_error"}
    return name in outputs or name.startswith("contribution_")


def _batch_values(col: Column, values: pd.Series) -> Any:
    if col.is_numeric:
        return values.to_numpy(dtype=np.float64)
    return [v if isinstance(v, str) and v != "" else None for v in values]


def _problem(i: int, line: int, col: Column, value: str) -> Problem:
    shown = "a blank cell" if not str(value).strip() else show(value)
    return Problem(
        where={"row": i + 1, "line": line, "column": col.name},
        value=value,
        expected=col.expected(),
        message=f"row {i + 1} (line {line}), column {col.name}: expected {col.expected()}, got {shown}",
    )


def guard_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix formula-like text cells (header names too) with ' so a spreadsheet shows them instead of running
    them."""
    out = frame.copy()
    names = pd.Series(out.columns.astype(str))
    out.columns = names.where(~names.str.contains(FORMULA_START, regex=True), "'" + names)
    for i in range(out.shape[1]):  # by position: '=x guarded can now share a name with a '=x already there
        cells = out.iloc[:, i].astype(str)
        risky = cells.str.contains(FORMULA_START, regex=True) & pd.to_numeric(cells, errors="coerce").isna()
        if risky.any():
            out.iloc[risky.to_numpy().nonzero()[0], i] = "'" + cells[risky]
    return out


def to_csv(scored: ScoredCsv) -> bytes:
    return scored.frame.to_csv(index=False).encode()
