"""Find the packaged model in the BentoML store (importing the exported file when missing) and load it."""

from __future__ import annotations

import logging
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scorecast.errors import ConfigError

log = logging.getLogger(__name__)

MODEL_FILE = "model.pkl"  # written by scorecast.package
PACKAGED_BY = {"packaged_by": "scorecast"}  # the label every model scorecast.package saves carries


@dataclass(frozen=True)
class LoadedModel:
    tag: str
    metadata: dict[str, Any]
    pipeline: Any


def exported_tag(export_path: Path) -> str | None:
    """The tag of the model in `export_path` (the package stage's export), or None when there is none."""
    import yaml

    if not export_path.is_file():
        return None
    try:
        with tarfile.open(export_path, "r:*") as archive:
            member = next(m for m in archive.getmembers() if m.name.lstrip("./") == "model.yaml")
            info = yaml.safe_load(archive.extractfile(member).read())  # type: ignore[union-attr]
        return f"{info['name']}:{info['version']}"
    except (tarfile.TarError, StopIteration, AttributeError, KeyError, TypeError, yaml.YAMLError) as err:
        raise ConfigError(
            f"{export_path}: not a BentoML model export ({err!r}); run `dvc repro` to rewrite it"
        ) from err


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


def ensure_in_store(tag: str | None, export_path: Path) -> str:
    """Return the resolved tag, importing `export_path` (`dvc repro` output) if the store lacks it.

    No tag means the workspace's model: the one in `export_path`, not the store's `latest`, which the last
    `dvc exp run` moved; with no export either (a fresh store, outside a bento), the newest packaged model.
    (Inside a bento, service.py passes the bento's own model as the tag.)"""
    import bentoml
    from bentoml.exceptions import NotFound

    exported = exported_tag(export_path)  # None when there is no export; a damaged one is a ConfigError
    tag = tag or exported or newest_packaged(export_path)
    if exported is not None and not _in_store(exported):
        log.info("importing %s into the BentoML store", export_path)
        bentoml.models.import_model(str(export_path))
    try:
        return str(bentoml.models.get(tag).tag)
    except NotFound:
        held = f"{export_path} holds {exported}" if exported else f"{export_path} does not exist"
        raise ConfigError(
            f"model {tag} is not in the BentoML store ({held}); `bentoml models list` shows the tags there "
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


def newest_packaged(export_path: Path) -> str:
    """The newest model the package stage saved, under any package.model_name."""
    import bentoml

    ours = [m for m in bentoml.models.list() if PACKAGED_BY.items() <= m.info.labels.items()]
    if not ours:
        raise ConfigError(
            f"{export_path} does not exist and the BentoML store holds no scorecast model; run `dvc repro` "
            "(or set SCORECAST_MODEL_TAG to a tag listed by `bentoml models list`)"
        )
    return str(max(ours, key=lambda m: m.info.creation_time).tag)


def load(model: Any) -> LoadedModel:
    """Load once per worker: the dill pickle was written by our own pipeline, never by a client."""
    import dill

    with open(model.path_of(MODEL_FILE), "rb") as fh:
        pipeline = dill.load(fh)
    return LoadedModel(tag=str(model.tag), metadata=dict(model.info.metadata), pipeline=pipeline)
