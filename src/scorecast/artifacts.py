"""Atomic reads and writes of stage artifacts (a failed or killed run never leaves half a file), and their md5."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dill

from scorecast.errors import MissingArtifactError


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it over `path` only if the block succeeds.

    Deleting the temporary file inside the block cancels the write and keeps `path` as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        if os.path.exists(tmp):
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's 0600 would make outputs unreadable to others
            os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _umask() -> int:
    """The process umask (reading it means setting it: stages run single-threaded)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write(path: str | Path, writer: Callable[[Path], None]) -> None:
    with atomic_path(path) as tmp:
        writer(tmp)


def write_json(path: str | Path, data: Any) -> None:
    _write(path, lambda p: p.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n"))


def write_text(path: str | Path, text: str) -> None:
    _write(path, lambda p: p.write_text(text))


def write_parquet(path: str | Path, frame: Any) -> None:
    _write(path, lambda p: frame.to_parquet(p, index=False))


def write_csv(path: str | Path, frame: Any) -> None:
    _write(path, lambda p: frame.to_csv(p, index=False))


def write_dill(path: str | Path, obj: Any) -> None:
    _write(path, lambda p: p.write_bytes(dill.dumps(obj)))


def require(path: str | Path) -> Path:
    """Fail with a message a user can act on when an earlier stage's output is missing."""
    path = Path(path)
    if not path.is_file():
        raise MissingArtifactError(f"{path} not found: run the earlier pipeline stages first (`dvc repro`)")
    return path


def read_json(path: str | Path) -> Any:
    return json.loads(require(path).read_text())


def read_dill(path: str | Path) -> Any:
    return dill.loads(require(path).read_bytes())


def read_parquet(path: str | Path) -> Any:
    import pandas as pd

    return pd.read_parquet(require(path))


def md5sum(path: str | Path) -> str:
    """Read in chunks: a raw CSV can be larger than memory wants to hold twice."""
    digest = hashlib.md5()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
