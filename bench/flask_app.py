"""The tutorials' way to serve the model, kept as the baseline bench/serve.py measures against.

Unpickles the same pipeline and calls it on a one-row DataFrame per request. Only for benchmarks.
"""

from __future__ import annotations

import os

import dill
import pandas as pd
from flask import Flask, jsonify, request

with open(os.environ["SCORECAST_BENCH_MODEL"], "rb") as fh:
    PIPELINE = dill.load(fh)

app = Flask(__name__)


@app.post("/predict")
def predict():
    payload = request.get_json()
    records = payload if isinstance(payload, list) else [payload]
    return jsonify({"predictions": PIPELINE.predict(pd.DataFrame(records)).tolist()})
