"""Stage 4: fit the feature transformer on the training split only."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scorecast.artifacts import read_parquet, write_dill
from scorecast.dataset import DatasetSpec
from scorecast.params import check_setting
from scorecast.split import TRAIN_PATH

log = logging.getLogger(__name__)

PREPROCESSOR_PATH = Path("models/preprocessor.pkl")


def build_preprocessor(
    spec: DatasetSpec,
    *,
    numeric_impute: str = "median",
    categorical_impute: str = "most_frequent",
    scale_numeric: bool = True,
) -> Any:
    """An unfitted ColumnTransformer for the dataset's columns (one-hot categoricals, scaled numerics)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    check_setting("preprocess.numeric_impute", numeric_impute)
    check_setting("preprocess.categorical_impute", categorical_impute)
    numeric_steps: list[tuple[str, Any]] = []
    categorical_steps: list[tuple[str, Any]] = []
    if any(c.allow_missing for c in spec.features if c.is_numeric):
        numeric_steps.append(("impute", SimpleImputer(strategy=numeric_impute)))
    if any(c.allow_missing for c in spec.features if not c.is_numeric):
        categorical_steps.append(("impute", SimpleImputer(strategy=categorical_impute, fill_value="missing")))
    if scale_numeric:
        numeric_steps.append(("scale", StandardScaler()))
    categories = [list(c.categories) if c.categories else "auto" for c in spec.features if not c.is_numeric]
    encoder = OneHotEncoder(
        categories=categories if "auto" not in categories else "auto", handle_unknown="ignore", sparse_output=False
    )
    categorical_steps.append(("onehot", encoder))
    transformers = []
    if spec.numeric:
        transformers.append(("numeric", Pipeline(numeric_steps) if numeric_steps else "passthrough", spec.numeric))
    if spec.categorical:
        transformers.append(("categorical", Pipeline(categorical_steps), spec.categorical))
    return ColumnTransformer(transformers, remainder="drop", verbose_feature_names_out=False)


def preprocessor_from_params(params: dict) -> Any:
    spec = DatasetSpec.from_params(params["data"])
    return build_preprocessor(spec, **params.get("preprocess", {}))


def main(params: dict) -> None:
    train = read_parquet(TRAIN_PATH)
    fitted = preprocessor_from_params(params).fit(train)
    write_dill(PREPROCESSOR_PATH, fitted)
    log.info(
        "preprocess: %d input columns -> %d features",
        len(fitted.feature_names_in_),
        len(fitted.get_feature_names_out()),
    )
