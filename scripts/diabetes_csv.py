"""Write scikit-learn's diabetes data as the messy CSV that conf/data/diabetes.yaml describes.

    python scripts/diabetes_csv.py            # -> data/external/diabetes.csv (the config's source)

An ID column, blanks in bmi, two rows without a target, a yes/no column and a text column: what real CSVs
have, so the second dataset exercises every column type. The end-to-end tests write it the same way.
"""

from __future__ import annotations

import sys
from pathlib import Path

DEFAULT_PATH = Path("data/external/diabetes.csv")


def write_diabetes_csv(path: Path) -> Path:
    from sklearn.datasets import load_diabetes

    frame = load_diabetes(as_frame=True, scaled=False).frame
    frame.insert(0, "patient_id", [f"P{i:04d}" for i in range(len(frame))])
    frame["sex"] = frame["sex"].astype(int)
    frame["age"] = frame["age"].astype(int)
    frame = frame.astype({"bmi": object, "target": object})
    frame.insert(frame.columns.get_loc("target"), "high_bp", ["yes" if bp > 100 else "no" for bp in frame["bp"]])
    frame.insert(frame.columns.get_loc("target"), "clinic", [("north", "south", "east")[i % 3] for i in frame.index])
    frame.loc[[3, 50, 100, 200, 300], "bmi"] = ""
    frame.loc[[7, 77], "target"] = ""
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, lineterminator="\n")
    return path


if __name__ == "__main__":
    written = write_diabetes_csv(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PATH)
    sys.stdout.write(f"wrote {written}\n")
