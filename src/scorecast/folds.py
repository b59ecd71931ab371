"""The cross-validation folds of the training split: one definition for the tournament and for calibration."""

from __future__ import annotations

from typing import Any


def cv_folds(folds: int, repeats: int, seed: int) -> Any:
    """K shuffled folds of the training split, `repeats` times over: the tournament scores on them, and interval
    calibration predicts each row from a model fitted on the other folds of the first pass (repeats=1)."""
    from sklearn.model_selection import KFold, RepeatedKFold

    if repeats == 1:
        return KFold(folds, shuffle=True, random_state=seed)
    return RepeatedKFold(n_splits=folds, n_repeats=repeats, random_state=seed)
