"""Where the stages read and write, relative to the repo root: the files dvc.yaml names, in pipeline order.

In one module so that a stage imports the path of its input, not the stage that writes it (and all that
stage imports): each stage's dvc.yaml deps can then list exactly the code it runs.
"""

from pathlib import Path

# ingest
RAW_PATH = Path("data/raw/dataset.csv")

# validate
VALIDATED_PATH = Path("data/validated/dataset.parquet")
REPORT_PATH = Path("reports/validation.json")

# split
TRAIN_PATH = Path("data/split/train.parquet")
TEST_PATH = Path("data/split/test.parquet")

# preprocess
PREPROCESSOR_PATH = Path("models/preprocessor.pkl")

# tournament
RESULTS_DIR = Path("results/tournament")

# select
LEADERBOARD_CSV = Path("results/leaderboard.csv")
LEADERBOARD_MD = Path("results/leaderboard.md")
SELECTION_PATH = Path("results/selection.json")
MODEL_PATH = Path("models/model.pkl")

# evaluate
METRICS_PATH = Path("metrics.json")
PREDICTIONS_PLOT = Path("plots/test_predictions.csv")
IMPORTANCE_PLOT = Path("plots/feature_importance.csv")

# package
PACKAGE_PATH = Path("models/package.json")  # the tag and metadata; models/model.pkl is the model

# the service appends every prediction here (SCORECAST_LOG_PATH); drift reads it (drift.log_path)
PREDICTION_LOG = Path("logs/predictions.sqlite")

# drift
REPORT_JSON = Path("reports/drift.json")
REPORT_HTML = Path("reports/drift.html")
