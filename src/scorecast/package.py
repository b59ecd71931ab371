"""Stage 8: put the winning pipeline in the BentoML model store and export it for DVC."""

from __future__ import annotations

import hashlib
import json
import logging
import subprocess
from pathlib import Path
from typing import Any

from scorecast.artifacts import atomic_path, read_json
from scorecast.dataset import DatasetSpec
from scorecast.ingest import md5sum
from scorecast.params import PackageParams
from scorecast.paths import EXPORT_PATH, METRICS_PATH, MODEL_PATH, RAW_PATH, SELECTION_PATH
from scorecast.serving.store import MODEL_FILE, PACKAGED_BY

log = logging.getLogger(__name__)

# The params.yaml sections the model is made from (the package stage declares the same in dvc.yaml):
# not drift, evaluate or package, nor tournament.parallel, which changes where fits run, not their results.
MODEL_PARAMS = ("data", "validate", "split", "preprocess", "tournament", "interval", "select")


def git_revision() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip() or None


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
        "git_revision": git_revision() or "unknown",
    }


def save_to_store(name: str, model_path: Path, metadata: dict[str, Any]) -> str:
    """Save under a version derived from the model and its metadata (all but the git revision), so a tag names
    one content and new metrics or params get a new tag; return the tag."""
    import bentoml
    from bentoml.exceptions import NotFound

    content = hashlib.md5(model_path.read_bytes())
    content.update(json.dumps({k: v for k, v in metadata.items() if k != "git_revision"}, sort_keys=True).encode())
    tag = f"{name}:{content.hexdigest()[:16]}"
    try:
        # The same content again: saved anew to make it `latest` again. What is deleted is what is saved next,
        # from files that stay on disk, so a failure here loses nothing a rerun does not restore.
        bentoml.models.delete(tag)
    except NotFound:
        pass
    labels = {"dataset": metadata["schema"]["dataset"], **PACKAGED_BY}
    with bentoml.models.create(tag, metadata=metadata, labels=labels) as model:
        Path(model.path_of(MODEL_FILE)).write_bytes(model_path.read_bytes())
    return tag


def export(tag: str, dest: Path) -> None:
    import bentoml

    with atomic_path(dest) as tmp:
        tmp.unlink()
        bentoml.models.export_model(tag, str(tmp.with_suffix(".bentomodel")))
        tmp.with_suffix(".bentomodel").rename(tmp)


def main(params: dict) -> None:
    metadata = build_metadata(params, read_json(METRICS_PATH), read_json(SELECTION_PATH), md5sum(RAW_PATH))
    tag = save_to_store(PackageParams.of(params).model_name, MODEL_PATH, metadata)
    export(tag, EXPORT_PATH)
    log.info("package: saved %s to the BentoML store and exported it to %s", tag, EXPORT_PATH)
