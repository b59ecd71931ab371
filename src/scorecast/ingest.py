"""Stage 1: fetch the raw CSV from the first source that answers, and check its md5."""

from __future__ import annotations

import http.client
import logging
import shutil
import urllib.error
import urllib.request
from pathlib import Path

from scorecast.artifacts import atomic_path, md5sum
from scorecast.dataset import DatasetSpec
from scorecast.errors import SourceError
from scorecast.paths import RAW_PATH

log = logging.getLogger(__name__)

URL_TIMEOUT_S = 30


def fetch(source: str, dest: Path) -> None:
    """Copy one source (local path or http(s) URL) to `dest`."""
    if source.startswith(("http://", "https://")):
        try:
            with urllib.request.urlopen(source, timeout=URL_TIMEOUT_S) as resp, open(dest, "wb") as out:
                shutil.copyfileobj(resp, out)
                expected, got = resp.headers.get("Content-Length"), out.tell()
        except (urllib.error.URLError, http.client.HTTPException, TimeoutError, OSError) as err:
            raise SourceError(f"{source}: could not download ({getattr(err, 'reason', err)})") from err
        if expected is not None and expected.isdigit() and got != int(expected):
            # urllib returns what arrived before the connection closed without a word
            raise SourceError(f"{source}: incomplete download ({got:,} of {int(expected):,} bytes)")
        return
    path = Path(source)
    if not path.is_file():
        raise SourceError(f"{source}: no such file")
    shutil.copyfile(path, dest)


def ingest(sources: list[str], md5: str | None, dest: Path) -> str:
    """Fetch the first working source into `dest` atomically; return the source used."""
    if not sources:
        raise SourceError("params.yaml: data.sources is empty; expected a local path or an http(s) URL")
    failures = []
    for source in sources:
        with atomic_path(dest) as tmp:
            try:
                fetch(source, tmp)
            except SourceError as err:
                failures.append(str(err))
                log.info("ingest: %s", err)
                tmp.unlink()  # nothing to rename over dest
                continue
            verify(source, tmp, md5)
            return source
    raise SourceError("no data source could be read: " + "; ".join(failures))


def verify(source: str, path: Path, md5: str | None) -> None:
    """The fetched file is not empty and is the data data.md5 names: a changed file stops here."""
    if path.stat().st_size == 0:
        raise SourceError(f"{source}: the file is empty")
    actual = md5sum(path)
    if md5 and actual != md5:
        raise SourceError(
            f"{source}: md5 is {actual}, expected {md5} (data.md5): the data changed; "
            "update data.md5 in the dataset config only if the change is intended"
        )
    if not md5:
        log.warning("ingest: data.md5 is not set; %s has md5 %s", source, actual)


def main(params: dict) -> None:
    spec = DatasetSpec.from_params(params["data"])
    used = ingest(list(spec.sources), spec.md5, RAW_PATH)
    log.info("ingest: %s -> %s (md5 ok)", used, RAW_PATH)
