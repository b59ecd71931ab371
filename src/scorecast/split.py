"""Stage 3: a deterministic train/test split, optionally stratified on the binned target."""

from __future__ import annotations

import logging

import pandas as pd

from scorecast.artifacts import read_parquet, write_parquet
from scorecast.errors import ConfigError
from scorecast.params import SplitParams, check_setting
from scorecast.paths import TEST_PATH, TRAIN_PATH, VALIDATED_PATH

log = logging.getLogger(__name__)

MIN_TEST_ROWS = 2


def split(
    frame: pd.DataFrame, *, target: str, test_size: float, seed: int, stratify_bins: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    from sklearn.model_selection import train_test_split

    check_setting("split.test_size", test_size)
    strata = None
    if stratify_bins:
        # Quantile bins keep every part of the target's range in both splits.
        strata = pd.qcut(frame[target], q=stratify_bins, labels=False, duplicates="drop")
    try:
        train, test = train_test_split(frame, test_size=test_size, random_state=seed, stratify=strata)
    except ValueError as err:  # too few rows for the test size, or a stratum of one row
        raise ConfigError(
            f"params.yaml: split (test_size {test_size}, stratify_bins {stratify_bins}) cannot split "
            f"{len(frame)} rows: {str(err).splitlines()[0]}; expected fewer bins or a larger test_size"
        ) from err
    if len(test) < MIN_TEST_ROWS:
        raise ConfigError(
            f"params.yaml: split.test_size {test_size} leaves {len(test)} of {len(frame)} rows for the test split; "
            f"evaluation needs at least {MIN_TEST_ROWS} (R² is undefined on one); expected a larger test_size"
        )
    return train.reset_index(drop=True), test.reset_index(drop=True)


def main(params: dict) -> None:
    opts = SplitParams.of(params)
    frame = read_parquet(VALIDATED_PATH)
    train, test = split(
        frame,
        target=params["data"]["target"],
        test_size=opts.test_size,
        seed=opts.seed,
        stratify_bins=opts.stratify_bins,
    )
    write_parquet(TRAIN_PATH, train)
    write_parquet(TEST_PATH, test)
    log.info("split: %d train rows, %d test rows", len(train), len(test))
