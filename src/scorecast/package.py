"""Stage 8: put the winning pipeline in the BentoML model store, under a tag its content decides."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from scorecast.artifacts import md5sum, read_json, require, write_json
from scorecast.dataset import DatasetSpec
from scorecast.params import PackageParams
from scorecast.paths import METRICS_PATH, MODEL_PATH, PACKAGE_PATH, RAW_PATH, SELECTION_PATH
from scorecast.store import content_tag, save_to_store

log = logging.getLogger(__name__)

# The params.yaml sections the model is made from (the package stage declares the same in dvc.yaml):
# not drift, evaluate or package, nor tournament.parallel, which changes where fits run, not their results.
MODEL_PARAMS = ("data", "validate", "split", "preprocess", "tournament", "interval", "select")


def params_hash(params: dict[str, Any]) -> str:
    """md5 of the params the model is made from, so it changes exactly when they do."""
    made_from = {key: params.get(key) for key in MODEL_PARAMS}
    made_from["tournament"] = {k: v for k, v in (made_from["tournament"] or {}).items() if k != "parallel"}
    return hashlib.md5(json.dumps(made_from, sort_keys=True).encode()).hexdigest()


def build_metadata(
    params: dict[str, Any], metrics: dict[str, Any], selection: dict[str, Any], data_md5: str
) -> dict[str, Any]:
    """Everything the service needs to know about the model, so it never reads conf/ or data/."""
    return {
        "schema": DatasetSpec.from_params(params["data"]).schema(),
        "metrics": metrics,
        "interval": metrics["interval"],  # {"nominal": coverage, "halfwidth": ±} for every prediction
        "winner": {"candidate": selection["winner"], "estimator": selection["estimator"]},
        "reference": selection["reference"],  # mean encoded training row, for explanations
        "typical": selection["typical"],  # a typical input row, the page's starting values
        "data_md5": data_md5,
        "params_md5": params_hash(params),
    }


def main(params: dict) -> None:
    metadata = build_metadata(params, read_json(METRICS_PATH), read_json(SELECTION_PATH), md5sum(RAW_PATH))
    model = require(MODEL_PATH).read_bytes()
    tag = content_tag(PackageParams.of(params).model_name, model, metadata)
    save_to_store(tag, model, metadata)
    # The record DVC versions: the same files make the same bytes on any machine (no time or commit in it), and
    # with models/model.pkl it is all the service needs to put the model into a store that lacks it.
    write_json(PACKAGE_PATH, {"tag": tag, "metadata": metadata})
    log.info("package: saved %s to the BentoML store; %s names it", tag, PACKAGE_PATH)
