"""Shared fixtures: the repo root, the real CSV, and the composed default params."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from scorecast.compose import compose
from scorecast.dataset import DatasetSpec

ROOT = Path(__file__).resolve().parent.parent
SHARED_CSV = ROOT.parent / "shared" / "data" / "students.csv"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def params() -> dict:
    """The default config, composed from conf/ (not read from params.yaml)."""
    return compose(ROOT / "conf")


@pytest.fixture(scope="session")
def spec(params: dict) -> DatasetSpec:
    return DatasetSpec.from_params(params["data"])


@pytest.fixture(scope="session")
def students_csv() -> Path:
    if not SHARED_CSV.exists():
        pytest.skip(f"{SHARED_CSV} not found: the shared data folder must sit beside the repo")
    return SHARED_CSV


@pytest.fixture(scope="session")
def students(students_csv: Path, spec: DatasetSpec) -> pd.DataFrame:
    """The real data, validated and typed."""
    from scorecast.validate import read_raw, validate

    frame, _ = validate(read_raw(students_csv), spec, file=str(students_csv), on_error="fail", max_reported=5)
    return frame


@pytest.fixture
def tiny(students: pd.DataFrame) -> pd.DataFrame:
    """60 real rows: enough for 2-fold CV of every candidate, fast."""
    return students.sample(60, random_state=0).reset_index(drop=True)
