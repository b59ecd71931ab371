"""Stage 2: check the raw CSV against the dataset config and type its columns."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scorecast.artifacts import require, write_json, write_parquet
from scorecast.cells import blank_rows, check_column, decode, read_cells, require_columns
from scorecast.dataset import DatasetSpec
from scorecast.errors import ConfigError, DataValidationError
from scorecast.params import ValidateParams, check_setting
from scorecast.paths import RAW_PATH, REPORT_PATH, VALIDATED_PATH

log = logging.getLogger(__name__)

BLANK_ROW = "a value in every column"


def read_raw(path: str | Path) -> pd.DataFrame:
    """The raw CSV as text cells (see `cells.read_cells`)."""
    return read_cells(decode(Path(path).read_bytes(), str(path)), str(path))


def validate(
    raw: pd.DataFrame, spec: DatasetSpec, *, file: str, on_error: str, max_reported: int
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Type and check `raw`; return the valid rows and a report. Raises on errors unless on_error='drop'."""
    check_setting("validate.on_error", on_error)
    needed = [*spec.feature_names, spec.target.name]
    keys = {name: f"data.features.{name}" for name in spec.feature_names} | {spec.target.name: "data.target"}
    require_columns(raw, needed, str(file), keys)
    present = {str(c).strip() for c in raw.columns}
    stray = next((name for name in spec.exclude if name not in present), None)
    if stray is not None:  # a misspelt exclude would otherwise do nothing, silently
        raise ConfigError(
            f"params.yaml: data ({spec.name}).exclude lists {stray!r}, which is not a column of {file}; expected "
            f"one of {', '.join(map(repr, map(str, raw.columns)))}"
        )
    known = {*needed, *spec.exclude}
    ignored = [name for name in map(str, raw.columns) if name.strip() not in known]
    if ignored:  # a feature forgotten in the config would otherwise go unnoticed
        log.warning(
            "validate: %s has column(s) %s in neither data.features nor data.exclude; left out of the model "
            "(list them under exclude to say so)",
            file,
            ", ".join(map(repr, ignored)),
        )
    if raw.empty:
        raise DataValidationError(f"{file}: has a header but no data rows")

    typed: dict[str, pd.Series] = {}
    # A wholly blank row is a damaged file (a stray line, an export's padding), not a row without a target.
    blank = blank_rows(raw)
    errors: list[dict[str, Any]] = [
        {"row": int(i) + 1, "line": int(raw.index[i]), "column": None, "value": "", "expected": BLANK_ROW}
        for i in np.flatnonzero(blank.to_numpy())
    ]
    bad_rows = blank.copy()
    refused_everywhere: set[str] = set()  # columns no row passes: the config, not the rows, is likely wrong
    target_missing = (raw[spec.target.name].str.strip() == "") & ~blank
    for col in [*spec.features, spec.target]:
        values, bad, missing = check_column(raw[col.name], col)
        if not col.allow_missing and col is not spec.target:
            bad |= missing & ~target_missing  # rows without a target are dropped anyway
        bad &= ~blank  # reported once, above
        if bad[~blank].all():
            refused_everywhere.add(col.name)
        typed[col.name] = values
        bad_rows |= bad
        errors += [
            {
                "row": int(i) + 1,
                "line": int(raw.index[i]),
                "column": col.name,
                "value": raw[col.name].iat[i],
                "expected": col.expected(),
            }
            for i in np.flatnonzero(bad.to_numpy())
        ]
    errors.sort(key=lambda e: (e["row"], -1 if e["column"] is None else needed.index(e["column"])))
    keep = ~bad_rows & ~target_missing
    report = {
        "file": file,
        "rows": int(len(raw)),
        "valid_rows": int(keep.sum()),
        "dropped_missing_target": int(target_missing.sum()),
        "blank_rows": int(blank.sum()),
        "dropped_invalid": int((bad_rows & ~target_missing).sum()) if on_error == "drop" else 0,
        "error_count": len(errors),
        "errors": errors[:max_reported],
    }
    if errors and on_error == "fail":
        first = errors[0]
        where = f"{file} row {first['row']} (line {first['line']})"
        what = (
            f"column {first['column']}: expected {first['expected']}, got {first['value']!r}"
            if first["column"]
            else f"expected {first['expected']}, got a blank row"
        )
        key = "target_range" if first["column"] == spec.target.name else f"features.{first['column']}"
        advice = (
            f"no row passes: check data.{key} in the dataset config"
            if first["column"] in refused_everywhere
            else "set validate.on_error=drop to drop such rows"
        )
        raise DataValidationError(
            f"{where}, {what} ({len(errors)} problem(s) in all; see {REPORT_PATH}; {advice})", report
        )
    frame = pd.DataFrame({name: typed[name][keep] for name in needed}).reset_index(drop=True)
    for col in spec.features:
        if col.type == "int" and not frame[col.name].isna().any():
            frame[col.name] = frame[col.name].astype("int64")
    if frame.empty:
        raise DataValidationError(f"{file}: no valid rows left after validation", report)
    return frame, report


def main(params: dict) -> None:
    spec = DatasetSpec.from_params(params["data"])
    opts = ValidateParams.of(params)
    raw = read_raw(require(RAW_PATH))
    try:
        frame, report = validate(
            raw,
            spec,
            file=str(RAW_PATH),
            on_error=opts.on_error,
            max_reported=opts.max_reported,
        )
    except DataValidationError as err:
        if err.report is not None:
            write_json(REPORT_PATH, err.report)
        raise
    write_parquet(VALIDATED_PATH, frame)
    write_json(REPORT_PATH, report)
    log.info(
        "validate: %d of %d rows valid (%d dropped for a missing target, %d invalid dropped)",
        report["valid_rows"],
        report["rows"],
        report["dropped_missing_target"],
        report["dropped_invalid"],
    )
