"""Per-prediction feature contributions that sum, with a base value, to the prediction.

Exact for linear winners (coefficient x (encoded value - training mean), summed over each input
column's encoded columns) and the model's own SHAP values for CatBoost and XGBoost. Any other
winner (forests, k-NN, SVR, ...) gets exact baseline Shapley values over its input columns,
relative to a typical training row: all 2^d on/off combinations of the d columns are scored in
one batch, so nothing is sampled or approximated, and d is capped to keep that batch small.
"""

from __future__ import annotations

from math import factorial
from typing import Any

import numpy as np
import pandas as pd

from scorecast.candidates import MODEL, PREPROCESS
from scorecast.errors import NotExplainable

MAX_EXACT_COLUMNS = 12  # baseline Shapley scores 2^d rows per explained row
ROWS_PER_CALL = 1 << 16  # bounds the memory of one scoring call
MAX_SCORED_ROWS = 1 << 20  # bounds the time of one request's explanations

# Regressors whose predict is exactly X @ coef_ + intercept_.
LINEAR_MODELS = frozenset(
    {
        "LinearRegression", "Ridge", "RidgeCV", "Lasso", "LassoCV", "ElasticNet", "ElasticNetCV",
        "Lars", "LassoLars", "BayesianRidge", "ARDRegression", "HuberRegressor", "SGDRegressor",
    }
)  # fmt: skip


def linear_head(model: Any) -> tuple[np.ndarray | None, float]:
    """(coef, intercept) of a model whose prediction is exactly X @ coef + intercept, else (None, 0.0). By
    class, not by attributes: a GLM such as PoissonRegressor has both and predicts exp() of that sum."""
    if type(model).__name__ not in LINEAR_MODELS or not type(model).__module__.startswith("sklearn.linear_model"):
        return None, 0.0
    coef = np.asarray(model.coef_, dtype=np.float64)
    if coef.ndim != 1:
        return None, 0.0
    return coef, float(np.ravel(getattr(model, "intercept_", 0.0))[0])


def column_groups(preprocessor: Any) -> list[str]:
    """For each encoded column, the input column it came from (one-hot columns map to their source)."""
    owners: list[str] = []
    for _, transformer, columns in preprocessor.transformers_:
        if transformer == "drop" or not len(columns):
            continue
        if transformer == "passthrough":
            owners += list(columns)
            continue
        last = transformer.steps[-1][1] if hasattr(transformer, "steps") else transformer
        if hasattr(last, "categories_"):
            for column, categories in zip(columns, last.categories_, strict=True):
                owners += [column] * len(categories)
        else:
            owners += list(columns)
    return owners


def reference_row(pipeline: Any, train: pd.DataFrame) -> list[float]:
    """Mean encoded training row: the reference point of linear contributions."""
    return pipeline.named_steps[PREPROCESS].transform(train).mean(axis=0).round(8).tolist()


def contributions(
    pipeline: Any,
    frame: pd.DataFrame,
    reference: list[float] | None = None,
    baseline: dict[str, Any] | None = None,
) -> tuple[np.ndarray, pd.DataFrame]:
    """(base value per row, contributions per input column); base + row sum == prediction.

    `reference` is the mean encoded training row (linear models); `baseline` a typical input row
    (models without contributions of their own).
    """
    preprocess, model = pipeline.named_steps[PREPROCESS], pipeline.named_steps[MODEL]
    family = type(model).__name__
    coef, intercept = linear_head(model)
    if coef is None and not family.startswith(("CatBoost", "XGB")):
        if baseline is None:
            raise NotExplainable(f"{family} is explained relative to a typical row, and none was given")
        return baseline_shapley(pipeline.predict, frame, baseline)
    encoded = np.asarray(preprocess.transform(frame), dtype=float)
    if coef is not None:
        ref = np.asarray(reference if reference is not None else np.zeros_like(coef), dtype=float)
        per_column = (encoded - ref) * coef
        base = np.full(len(frame), intercept + float(ref @ coef))
    elif family.startswith("CatBoost"):
        from catboost import Pool

        shap = model.get_feature_importance(Pool(encoded), type="ShapValues")
        per_column, base = shap[:, :-1], shap[:, -1]
    else:
        import xgboost

        shap = model.get_booster().predict(xgboost.DMatrix(encoded), pred_contribs=True)
        per_column, base = shap[:, :-1], shap[:, -1]
    owners = column_groups(preprocess)
    grouped = pd.DataFrame(per_column, columns=owners).T.groupby(level=0, sort=False).sum().T
    return base, grouped[[c for c in preprocess.feature_names_in_ if c in grouped.columns]]


def coalitions(d: int) -> np.ndarray:
    """(2^d, d) booleans: row k holds column i when bit i of k is set."""
    return ((np.arange(1 << d)[:, None] >> np.arange(d)) & 1).astype(bool)


def shapley_weights(d: int) -> np.ndarray:
    """(2^d, d) matrix W with phi = v @ W, where v[k] is the value of coalition k (see `coalitions`)."""
    masks = coalitions(d)
    size = masks.sum(axis=1)
    weight = np.array([factorial(k) * factorial(d - k - 1) / factorial(d) for k in range(d)] + [0.0])
    # A coalition holding i adds v once as "S u {i}" (|S| = size - 1); one without i subtracts v as "S".
    return np.where(masks, weight[np.maximum(size - 1, 0)][:, None], -weight[size][:, None])


def baseline_shapley(predict: Any, frame: pd.DataFrame, baseline: dict[str, Any]) -> tuple[np.ndarray, pd.DataFrame]:
    """Exact Shapley values of each input column: the row's value against `baseline`'s, over all coalitions."""
    columns = list(frame.columns)
    d = len(columns)
    if d > MAX_EXACT_COLUMNS:
        raise NotExplainable(
            f"this model has {d} input columns; exact explanations score 2^d rows each and allow at most "
            f"{MAX_EXACT_COLUMNS} columns"
        )
    if len(frame) << d > MAX_SCORED_ROWS:
        raise NotExplainable(
            f"explaining {len(frame)} rows of this model scores {len(frame) << d:,} rows; "
            f"send at most {MAX_SCORED_ROWS >> d} rows per request with explain=true"
        )
    missing = [c for c in columns if c not in baseline]
    if missing:
        raise NotExplainable(f"the model's typical row lacks column(s) {', '.join(missing)}")
    masks, weights = coalitions(d), shapley_weights(d)
    base_row = np.array([baseline[c] for c in columns], dtype=object)
    values = frame.to_numpy(dtype=object)
    # Numeric columns as float: a typical value (a median) need not be a whole number.
    dtypes = {c: "float64" if pd.api.types.is_numeric_dtype(t) else t for c, t in frame.dtypes.items()}
    chunk = max(1, ROWS_PER_CALL >> d)
    phi = np.empty((len(frame), d))
    for start in range(0, len(frame), chunk):
        rows = values[start : start + chunk]
        hybrid = np.where(masks[None, :, :], rows[:, None, :], base_row[None, None, :]).reshape(-1, d)
        scored = np.asarray(predict(pd.DataFrame(hybrid, columns=columns).astype(dtypes)), float)
        phi[start : start + chunk] = scored.reshape(len(rows), 1 << d) @ weights
    base = float(np.asarray(predict(pd.DataFrame([base_row], columns=columns).astype(dtypes)))[0])
    return np.full(len(frame), base), pd.DataFrame(phi, columns=columns, index=frame.index)
