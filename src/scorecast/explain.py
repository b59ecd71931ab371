"""Per-prediction feature contributions that sum, with a base value, to the prediction.

Exact for linear winners (coefficient x (encoded value - training mean), summed over each input
column's encoded columns) and the model's own SHAP values for CatBoost and XGBoost; other winners
are not explained rather than explained approximately.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from scorecast.errors import ScorecastError


class NotExplainable(ScorecastError):
    """The winner's model family has no exact per-feature contributions."""


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


def background(pipeline: Any, train: pd.DataFrame) -> list[float]:
    """Mean encoded training row: the reference point of linear contributions."""
    return pipeline.named_steps["preprocess"].transform(train).mean(axis=0).round(8).tolist()


def contributions(
    pipeline: Any, frame: pd.DataFrame, reference: list[float] | None = None
) -> tuple[np.ndarray, pd.DataFrame]:
    """(base value per row, contributions per input column); base + row sum == prediction."""
    preprocess, model = pipeline.named_steps["preprocess"], pipeline.named_steps["model"]
    encoded = np.asarray(preprocess.transform(frame), dtype=float)
    owners = column_groups(preprocess)
    if hasattr(model, "coef_") and hasattr(model, "intercept_"):
        coef = np.ravel(model.coef_)
        ref = np.asarray(reference if reference is not None else np.zeros_like(coef), dtype=float)
        per_column = (encoded - ref) * coef
        base = np.full(len(frame), float(np.ravel(model.intercept_)[0] + ref @ coef))
    elif type(model).__name__.startswith("CatBoost"):
        from catboost import Pool

        shap = model.get_feature_importance(Pool(encoded), type="ShapValues")
        per_column, base = shap[:, :-1], shap[:, -1]
    elif type(model).__name__.startswith("XGB"):
        import xgboost

        shap = model.get_booster().predict(xgboost.DMatrix(encoded), pred_contribs=True)
        per_column, base = shap[:, :-1], shap[:, -1]
    else:
        raise NotExplainable(
            f"explanations are available for linear, CatBoost and XGBoost winners; this model is {type(model).__name__}"
        )
    grouped = pd.DataFrame(per_column, columns=owners).T.groupby(level=0, sort=False).sum().T
    return base, grouped[[c for c in preprocess.feature_names_in_ if c in grouped.columns]]
