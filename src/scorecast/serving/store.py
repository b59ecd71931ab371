"""Which of the BentoML store's scorecast models to serve (adding the workspace's when missing), and loading it."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scorecast.errors import ConfigError
from scorecast.store import MODEL_FILE, PACKAGED_BY, content_tag, create, writing

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadedModel:
    tag: str
    metadata: dict[str, Any]
    pipeline: Any


def packaged(package_path: Path) -> tuple[str, dict[str, Any]] | None:
    """The tag and metadata the package stage recorded in `package_path`, or None when there is no record."""
    if not package_path.is_file():
        return None
    try:
        record = json.loads(package_path.read_text())
        tag, metadata = record["tag"], dict(record["metadata"])
        if not isinstance(tag, str) or ":" not in tag:
            raise TypeError(f"tag {tag!r} is not name:version")
    except (ValueError, KeyError, TypeError) as err:
        raise ConfigError(f"{package_path}: not a package record ({err}); run `dvc repro` to rewrite it") from err
    return tag, metadata


def restore(tag: str, metadata: dict[str, Any], package_path: Path, model_path: Path) -> None:
    """Add the workspace's packaged model to a store that lacks it (after `dvc pull`, on another machine) from
    the files it was made of, once they are checked to be the ones `package_path` names."""
    with writing(tag):
        if _in_store(tag):  # another process restored it while this one waited
            return
        model = model_path.read_bytes() if model_path.is_file() else b""
        if content_tag(tag.split(":")[0], model, metadata) != tag:
            state, pull = ("does not match it", "dvc pull --force") if model else ("is missing", "dvc pull")
            raise ConfigError(
                f"{package_path} names {tag}, but {model_path} {state}: `{pull} {model_path}` fetches the one "
                "dvc.lock names from the DVC remote; `dvc repro` packages the workspace's model"
            )
        log.info("adding %s to the BentoML store from %s and %s", tag, model_path, package_path)
        create(tag, model, metadata)


def bento_model(service_dir: Path) -> str | None:
    """The model tag a bento was built with, when the service runs from inside one (its code sits in the
    bento's src/, beside bento.yaml); None otherwise. Served from a bento, that is the model to serve, not
    whatever the local store holds newest."""
    import yaml

    manifest = service_dir.parent / "bento.yaml"
    if service_dir.name != "src" or not manifest.is_file():
        return None
    info = yaml.safe_load(manifest.read_text()) or {}
    tags = [m["tag"] for service in info.get("services") or [] for m in service.get("models") or []]
    return tags[0] if tags else None


def ensure_in_store(tag: str | None, package_path: Path, model_path: Path) -> str:
    """Return the resolved tag: the pinned one, else the workspace's model, else (no record: service.py outside a
    checkout or a bento) the store's newest packaged model. Inside a bento, service.py pins the bento's own.

    The workspace's model is the one `package_path` names (as git checked it out, or `dvc repro` or `dvc exp` left it),
    not the store's `latest`, which the last `dvc exp run` moved; it is added to a store that lacks it, pinned
    or not."""
    import bentoml
    from bentoml.exceptions import NotFound

    record = packaged(package_path)
    if record is not None and tag in (None, record[0]):
        tag, metadata = record
        if not _in_store(tag):
            restore(tag, metadata, package_path, model_path)
    tag = tag or newest_packaged(package_path)
    try:
        return str(bentoml.models.get(tag).tag)
    except NotFound:
        raise ConfigError(
            f"model {tag} is not in the BentoML store; `bentoml models list` shows the tags there "
            "(SCORECAST_MODEL_TAG pins one), and `dvc repro` packages the workspace's model"
        ) from None


def _in_store(tag: str) -> bool:
    import bentoml
    from bentoml.exceptions import NotFound

    try:
        bentoml.models.get(tag)
    except NotFound:
        return False
    return True


def newest_packaged(package_path: Path) -> str:
    """The newest model the package stage saved, under any package.model_name."""
    import bentoml

    ours = [m for m in bentoml.models.list() if PACKAGED_BY.items() <= m.info.labels.items()]
    if not ours:
        raise ConfigError(
            f"{package_path} does not exist and the BentoML store holds no scorecast model; run `dvc repro` "
            "(or set SCORECAST_MODEL_TAG to a tag listed by `bentoml models list`)"
        )
    return str(max(ours, key=lambda m: m.info.creation_time).tag)


def load(model: Any) -> LoadedModel:
    """Load once per worker: the dill pickle was written by our own pipeline, never by a client."""
    import dill

    with open(model.path_of(MODEL_FILE), "rb") as fh:
        pipeline = dill.load(fh)
    return LoadedModel(tag=str(model.tag), metadata=dict(model.info.metadata), pipeline=pipeline)
