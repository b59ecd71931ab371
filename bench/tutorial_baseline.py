"""The usual tutorial's model selection, kept as the baseline that bench/pipeline.py times.

Seven models, each tuned by GridSearchCV (cv=3) on one-hot/scaled features, winner picked on the
test split (which scorecast does not do). Only for timing; never used by the pipeline.
"""

from __future__ import annotations

import logging
import sys
import time

import pandas as pd
from catboost import CatBoostRegressor
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import AdaBoostRegressor, GradientBoostingRegressor, RandomForestRegressor
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeRegressor
from xgboost import XGBRegressor

log = logging.getLogger("tutorial_baseline")

MODELS = {
    "Decision Tree": (
        DecisionTreeRegressor(),
        {"criterion": ["squared_error", "friedman_mse", "absolute_error", "poisson"]},
    ),
    "Random Forest": (RandomForestRegressor(), {"n_estimators": [8, 16, 32, 64, 128, 256]}),
    "Gradient Boosting": (
        GradientBoostingRegressor(),
        {
            "learning_rate": [0.1, 0.01, 0.05, 0.001],
            "subsample": [0.6, 0.7, 0.75, 0.8, 0.85, 0.9],
            "n_estimators": [8, 16, 32, 64, 128, 256],
        },
    ),
    "Linear Regression": (LinearRegression(), {}),
    "XGBRegressor": (
        XGBRegressor(),
        {"learning_rate": [0.1, 0.01, 0.05, 0.001], "n_estimators": [8, 16, 32, 64, 128, 256]},
    ),
    "CatBoosting Regressor": (
        CatBoostRegressor(verbose=False, allow_writing_files=False),
        {"depth": [6, 8, 10], "learning_rate": [0.01, 0.05, 0.1], "iterations": [30, 50, 100]},
    ),
    "AdaBoost Regressor": (
        AdaBoostRegressor(),
        {"learning_rate": [0.1, 0.01, 0.5, 0.001], "n_estimators": [8, 16, 32, 64, 128, 256]},
    ),
}


def main(csv: str) -> float:
    started = time.perf_counter()
    frame = pd.read_csv(csv)
    X, y = frame.drop(columns=["math_score"]), frame["math_score"]
    cats = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    nums = [c for c in X.columns if c not in cats]
    pre = ColumnTransformer([("num", StandardScaler(), nums), ("cat", OneHotEncoder(), cats)])
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)
    X_train, X_test = pre.fit_transform(X_train), pre.transform(X_test)
    scores = {}
    for name, (model, grid) in MODELS.items():
        search = GridSearchCV(model, grid, cv=3).fit(X_train, y_train)
        model.set_params(**search.best_params_).fit(X_train, y_train)
        scores[name] = r2_score(y_test, model.predict(X_test))
    best = max(scores, key=scores.get)
    log.info("baseline winner (picked on test): %s R² %.4f", best, scores[best])
    return time.perf_counter() - started


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    sys.stdout.write(f"{main(sys.argv[1]):.2f}\n")
