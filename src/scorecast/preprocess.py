"""Stage 4: fit the feature transformer on the training split only."""

from __future__ import annotations

import logging
from typing import Any

from scorecast.artifacts import read_parquet, write_dill
from scorecast.dataset import DatasetSpec
from scorecast.errors import DataValidationError
from scorecast.params import PreprocessParams, check_setting
from scorecast.paths import PREPROCESSOR_PATH, TRAIN_PATH

log = logging.getLogger(__name__)


def build_preprocessor(
    spec: DatasetSpec,
    *,
    numeric_impute: str = "median",
    categorical_impute: str = "most_frequent",
    scale_numeric: bool = True,
) -> Any:
    """An unfitted ColumnTransformer for the dataset's columns: scaled numerics, and one-hot categoricals over
    the categories the column lists (conf/'s, or False/True for a bool), so a listed category absent from the
    training rows still gets its column. Text columns list none; theirs are learned, in a block of their own."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    check_setting("preprocess.numeric_impute", numeric_impute)
    check_setting("preprocess.categorical_impute", categorical_impute)
    numeric_steps: list[tuple[str, Any]] = []
    if any(c.allow_missing for c in spec.features if c.is_numeric):
        numeric_steps.append(("impute", SimpleImputer(strategy=numeric_impute)))
    if scale_numeric:
        numeric_steps.append(("scale", StandardScaler()))
    impute_categories = any(c.allow_missing for c in spec.features if not c.is_numeric)

    def one_hot(categories: Any) -> Any:
        steps: list[tuple[str, Any]] = []
        if impute_categories:
            steps.append(("impute", SimpleImputer(strategy=categorical_impute, fill_value="missing")))
        encoder = OneHotEncoder(categories=categories, handle_unknown="ignore", sparse_output=False)
        return Pipeline([*steps, ("onehot", encoder)])

    listed = [c for c in spec.features if c.categories]  # category and bool columns
    text = [c.name for c in spec.features if c.type == "text"]
    transformers = []
    if spec.numeric:
        transformers.append(("numeric", Pipeline(numeric_steps) if numeric_steps else "passthrough", spec.numeric))
    if listed:
        transformers.append(("categorical", one_hot([list(c.categories) for c in listed]), [c.name for c in listed]))
    if text:
        transformers.append(("text", one_hot("auto"), text))
    return ColumnTransformer(transformers, remainder="drop", verbose_feature_names_out=False)


def preprocessor_from_params(params: dict) -> Any:
    spec = DatasetSpec.from_params(params["data"])
    opts = PreprocessParams.of(params)
    return build_preprocessor(
        spec,
        numeric_impute=opts.numeric_impute,
        categorical_impute=opts.categorical_impute,
        scale_numeric=opts.scale_numeric,
    )


def require_values(train: Any, spec: DatasetSpec, where: str) -> None:
    """Refuse a feature with no value in any training row: an imputer would drop its column without a word,
    and the model, its explanations and the service would then disagree on the features."""
    empty = [c.name for c in spec.features if train[c.name].isna().all()]
    if empty:
        raise DataValidationError(
            f"{where}: feature(s) {', '.join(map(repr, empty))} have no value in any of the {len(train)} training "
            "rows; add them to the dataset config's exclude list, or fix the source"
        )


def main(params: dict) -> None:
    train = read_parquet(TRAIN_PATH)
    require_values(train, DatasetSpec.from_params(params["data"]), str(TRAIN_PATH))
    fitted = preprocessor_from_params(params).fit(train.drop(columns=[params["data"]["target"]]))  # features only
    write_dill(PREPROCESSOR_PATH, fitted)
    log.info(
        "preprocess: %d input columns -> %d features",
        len(fitted.feature_names_in_),
        len(fitted.get_feature_names_out()),
    )
