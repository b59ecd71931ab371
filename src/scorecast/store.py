"""Saving to the BentoML store: a tag its content decides, one writer of a tag at a time.

The package stage saves here; the service (`serving/store.py`) restores the workspace's model here when the
store lacks it. Reading and choosing what to serve stay in `serving/`, so editing them does not repackage.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

MODEL_FILE = "model.pkl"  # the select stage's models/model.pkl, as saved in the store
PACKAGED_BY = {"packaged_by": "scorecast"}  # the label every model scorecast saves carries


def content_tag(name: str, model: bytes, metadata: dict[str, Any]) -> str:
    """A version derived from the model and its metadata, so a tag names one content and new metrics or params
    get a new tag; the same files give the same tag on any machine, which is what lets the service restore one."""
    content = hashlib.md5(model)
    content.update(json.dumps(metadata, sort_keys=True).encode())
    return f"{name}:{content.hexdigest()[:16]}"


def lock_path(tag: str) -> Path:
    """Per user (another user's lock in a shared /tmp could not be opened) and per tag."""
    return Path(tempfile.gettempdir()) / f"scorecast-store-{os.getuid()}-{tag.replace(':', '-')}.lock"


@contextmanager
def writing(tag: str) -> Iterator[None]:
    """One writer of a tag at a time, across processes: BentoML writes a model in place, so two services
    starting on one empty store (or two queued experiments packaging the same content) would collide."""
    with lock_path(tag).open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def save_to_store(tag: str, model: bytes, metadata: dict[str, Any]) -> None:
    """Save `model` under `tag`; the same content again is saved anew, which makes it `latest` again."""
    import bentoml
    from bentoml.exceptions import NotFound

    with writing(tag):
        try:
            # What is deleted is what is saved next, from files that stay on disk, so a failure here loses
            # nothing a rerun does not restore.
            bentoml.models.delete(tag)
        except NotFound:
            pass
        create(tag, model, metadata)


def create(tag: str, model: bytes, metadata: dict[str, Any]) -> None:
    """Write a model the store does not hold; callers hold `writing(tag)`."""
    import bentoml

    labels = {"dataset": metadata["schema"]["dataset"], **PACKAGED_BY}
    with bentoml.models.create(tag, metadata=metadata, labels=labels) as saved:
        Path(saved.path_of(MODEL_FILE)).write_bytes(model)
