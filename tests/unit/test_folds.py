from __future__ import annotations

import numpy as np

from scorecast.folds import cv_folds


def test_calibration_folds_are_the_first_pass_of_the_tournaments():
    """interval.calibrate takes cv_folds(k, 1, seed); the tournament cv_folds(k, repeats, seed). The residuals
    are out-of-fold in the very folds the winner was scored on only if the first pass is the same."""
    rows = np.arange(97)
    once = [test for _, test in cv_folds(5, 1, seed=7).split(rows)]
    repeated = [test for _, test in cv_folds(5, 3, seed=7).split(rows)]
    assert len(repeated) == 15
    for a, b in zip(once, repeated[:5], strict=True):
        np.testing.assert_array_equal(a, b)
