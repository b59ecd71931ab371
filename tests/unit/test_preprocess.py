from __future__ import annotations

import numpy as np
import pytest

from scorecast.dataset import DatasetSpec
from scorecast.errors import ConfigError
from scorecast.preprocess import build_preprocessor


def test_columns_come_from_the_dataset_config(spec, students):
    fitted = build_preprocessor(spec).fit(students)
    names = list(fitted.get_feature_names_out())
    assert names[:2] == ["reading_score", "writing_score"]
    n_categories = sum(len(c.categories) for c in spec.features if c.type == "category")
    assert len(names) == 2 + n_categories
    assert "math_score" not in "".join(names)


def test_scaling_uses_only_the_rows_it_was_fitted_on(spec, students):
    train = students.iloc[:500]
    fitted = build_preprocessor(spec).fit(train)
    scaler = fitted.named_transformers_["numeric"].named_steps["scale"]
    assert scaler.mean_[0] == pytest.approx(train["reading_score"].mean())


def test_unseen_category_encodes_as_all_zeros_rather_than_failing(spec, students):
    fitted = build_preprocessor(spec).fit(students)
    row = students.iloc[[0]].copy()
    row["gender"] = "other"
    encoded = fitted.transform(row)
    gender_cols = [i for i, n in enumerate(fitted.get_feature_names_out()) if n.startswith("gender_")]
    assert np.all(encoded[0, gender_cols] == 0)


def test_missing_values_are_imputed_when_allowed(students):
    spec = DatasetSpec.from_params(
        {
            "name": "t",
            "target": "math_score",
            "features": {
                "reading_score": {"type": "int", "allow_missing": True},
                "lunch": {"type": "category", "categories": ["free/reduced", "standard"], "allow_missing": True},
            },
        }
    )
    frame = students[["reading_score", "lunch"]].astype(object).copy()
    frame.iloc[0, 0] = np.nan
    frame.iloc[1, 1] = np.nan
    out = build_preprocessor(spec, numeric_impute="median").fit_transform(frame)
    assert not np.isnan(out.astype(float)).any()


@pytest.mark.parametrize(("strategy", "expected"), [("most_frequent", [0.0, 1.0]), ("constant", [0.0, 0.0])])
def test_a_blank_category_is_imputed_by_the_configured_strategy(students, strategy, expected):
    spec = DatasetSpec.from_params(
        {
            "name": "t",
            "target": "math_score",
            "features": {"lunch": {"type": "category", "categories": ["free/reduced", "standard"],
                                   "allow_missing": True}},
        }
    )  # fmt: skip
    frame = students[["lunch"]].astype(object).copy()
    frame.iloc[0, 0] = np.nan  # 'standard' is the most frequent; 'constant' fills a value no category has
    out = build_preprocessor(spec, categorical_impute=strategy).fit(frame).transform(frame.iloc[[0]])
    assert out[0].tolist() == expected


def test_listed_categories_are_kept_beside_a_text_column(students):
    spec = DatasetSpec.from_params(
        {
            "name": "t",
            "target": "math_score",
            "features": {
                "lunch": {"type": "category", "categories": ["free/reduced", "standard", "none"]},
                "gender": {"type": "text"},
            },
        }
    )
    fitted = build_preprocessor(spec).fit(students)
    names = list(fitted.get_feature_names_out())
    assert names == ["lunch_free/reduced", "lunch_standard", "lunch_none", "gender_female", "gender_male"]


def test_unknown_impute_strategy(spec):
    with pytest.raises(ConfigError, match="preprocess.numeric_impute is 'avg'"):
        build_preprocessor(spec, numeric_impute="avg")


def test_a_feature_with_no_training_value_is_refused_by_name(students):
    from scorecast.errors import DataValidationError
    from scorecast.preprocess import require_values

    spec = DatasetSpec.from_params(
        {"name": "t", "target": "math_score",
         "features": {"reading_score": {"type": "int", "allow_missing": True},
                      "lunch": {"type": "category", "categories": ["free/reduced", "standard"], "allow_missing": True}}}
    )  # fmt: skip
    frame = students[["reading_score", "lunch"]].astype(object).head(20)
    require_values(frame, spec, "train.parquet")  # one blank is fine: imputed
    frame["reading_score"] = np.nan
    with pytest.raises(DataValidationError, match=r"train.parquet: feature\(s\) 'reading_score' have no value in any "
                       r"of the 20 training rows; add them to the dataset config's exclude list"):  # fmt: skip
        require_values(frame, spec, "train.parquet")
