from __future__ import annotations

import pandas as pd
import pytest

from scorecast.errors import ConfigError
from scorecast.split import split


def test_split_is_deterministic_and_disjoint(students):
    a_train, a_test = split(students, target="math_score", test_size=0.2, seed=1, stratify_bins=5)
    b_train, b_test = split(students, target="math_score", test_size=0.2, seed=1, stratify_bins=5)
    pd.testing.assert_frame_equal(a_train, b_train)
    pd.testing.assert_frame_equal(a_test, b_test)
    assert len(a_test) == 200 and len(a_train) == 800
    merged = pd.concat([a_train, a_test]).sort_values(list(students.columns)).reset_index(drop=True)
    pd.testing.assert_frame_equal(merged, students.sort_values(list(students.columns)).reset_index(drop=True))


def test_another_seed_gives_another_split(students):
    a, _ = split(students, target="math_score", test_size=0.2, seed=1)
    b, _ = split(students, target="math_score", test_size=0.2, seed=2)
    assert not a.equals(b)


def test_stratification_keeps_target_quantiles_close(students):
    train, test = split(students, target="math_score", test_size=0.2, seed=3, stratify_bins=5)
    for q in (0.2, 0.5, 0.8):
        assert abs(train["math_score"].quantile(q) - test["math_score"].quantile(q)) <= 3


@pytest.mark.parametrize("size", [0, 1, 1.5])
def test_bad_test_size(students, size):
    with pytest.raises(ConfigError, match="split.test_size"):
        split(students, target="math_score", test_size=size, seed=0)
