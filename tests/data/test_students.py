"""Data tests on the real CSV: the dataset config describes it exactly."""

from __future__ import annotations

import pandas as pd

from scorecast.artifacts import md5sum
from scorecast.validate import read_raw, validate


def test_md5_matches_the_config(students_csv, spec):
    assert md5sum(students_csv) == spec.md5


def test_every_row_is_valid(students_csv, spec):
    frame, report = validate(read_raw(students_csv), spec, file=str(students_csv), on_error="fail", max_reported=5)
    assert report["rows"] == report["valid_rows"] == 1000
    assert report["error_count"] == 0
    assert list(frame.columns) == [*spec.feature_names, spec.target.name]


def test_every_configured_category_occurs(students, spec):
    for col in spec.features:
        if col.type == "category":
            assert set(students[col.name]) == set(col.categories), col.name


def test_scores_are_whole_numbers_from_0_to_100_with_real_spread(students_csv):
    """Read by pandas alone, not by our validator, so the config's ranges are checked against the file."""
    raw = pd.read_csv(students_csv)
    for col in ("math_score", "reading_score", "writing_score"):
        assert raw[col].dtype.kind == "i" and raw[col].between(0, 100).all(), col
    assert raw["math_score"].std() > 5
