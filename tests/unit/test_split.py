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


@pytest.mark.parametrize(("bins", "stratified"), [(5, True), (0, False)])
def test_stratification_gives_each_target_bin_its_share_of_the_test_split(students, bins, stratified):
    _, test = split(students, target="math_score", test_size=0.2, seed=3, stratify_bins=bins)
    quintile = pd.qcut(students["math_score"], q=5, labels=False, duplicates="drop")
    edges = students["math_score"].groupby(quintile).max().to_numpy()
    share = 0.2 * quintile.value_counts().sort_index().to_numpy()
    got = pd.Series(edges.searchsorted(test["math_score"])).value_counts().sort_index().to_numpy()
    assert (abs(got - share) <= 1).all() == stratified, (got, share)  # unstratified, seed 3 is off by up to 10


def test_a_split_that_cannot_be_made_is_a_config_error(students):
    with pytest.raises(ConfigError, match=r"split \(test_size 0.2, stratify_bins 500\) cannot split 1000 rows"):
        split(students, target="math_score", test_size=0.2, seed=0, stratify_bins=500)


@pytest.mark.parametrize("size", [0, 1, 1.5])
def test_bad_test_size(students, size):
    with pytest.raises(ConfigError, match="split.test_size"):
        split(students, target="math_score", test_size=size, seed=0)


def test_a_test_split_of_one_row_is_a_config_error(students):
    with pytest.raises(ConfigError, match=r"split.test_size 0.001 leaves 1 of 1000 rows for the test split"):
        split(students, target="math_score", test_size=0.001, seed=0)
    train, test = split(students, target="math_score", test_size=0.002, seed=0)
    assert len(test) == 2 and len(train) == 998
