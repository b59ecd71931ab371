"""Shared fixtures: the repo root, the real CSV, the composed params, a packaged model and servers on it."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pandas as pd
import pytest
import yaml

from scorecast.compose import compose
from scorecast.dataset import DatasetSpec

ROOT = Path(__file__).resolve().parent.parent
SHARED_CSV = ROOT.parent / "shared" / "data" / "students.csv"


RELIABILITY_ROWS: dict[str, list[dict[str, object]]] = {}
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]  # fmt: skip


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Debian Chromium through Playwright; skipped where it is not installed (a failure in CI)."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (make test installs Debian's chromium when run as root)")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def report() -> Callable[..., None]:
    """`report(table, check, **figures)` adds a row to a table printed at the end of the run."""

    def add(table: str, check: str, **figures: object) -> None:
        RELIABILITY_ROWS.setdefault(table, []).append({"check": check, **figures})

    return add


def table_cell(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def pytest_terminal_summary(terminalreporter) -> None:
    for table, rows in RELIABILITY_ROWS.items():
        columns = list(dict.fromkeys(key for row in rows for key in row))
        terminalreporter.write_sep("=", table)
        terminalreporter.write_line("| " + " | ".join(columns) + " |")
        terminalreporter.write_line("|" + "|".join("---" for _ in columns) + "|")
        for row in rows:
            terminalreporter.write_line("| " + " | ".join(table_cell(row.get(c, "")) for c in columns) + " |")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """With SCORECAST_NO_SKIPS=1 (as CI sets it) a skipped test fails: a tier that cannot run (no Chromium, no
    podman) must not pass unnoticed."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("SCORECAST_NO_SKIPS") == "1":
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.longrepr = f"skipped, and SCORECAST_NO_SKIPS=1 forbids it: {reason}"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def params() -> dict:
    """The default config, composed from conf/ (not read from params.yaml)."""
    return compose(ROOT / "conf")


@pytest.fixture(scope="session")
def spec(params: dict) -> DatasetSpec:
    return DatasetSpec.from_params(params["data"])


@pytest.fixture(scope="session")
def students_csv() -> Path:
    if not SHARED_CSV.exists():  # a failure, not a skip: a green run without the data would test little
        pytest.fail(f"{SHARED_CSV} not found: the shared data folder must sit beside the repo")
    return SHARED_CSV


@pytest.fixture(scope="session")
def students(students_csv: Path, spec: DatasetSpec) -> pd.DataFrame:
    """The real data, validated and typed."""
    from scorecast.validate import read_raw, validate

    frame, _ = validate(read_raw(students_csv), spec, file=str(students_csv), on_error="fail", max_reported=5)
    return frame


@pytest.fixture
def tiny(students: pd.DataFrame) -> pd.DataFrame:
    """60 real rows: enough for 2-fold CV of every candidate, fast."""
    return students.sample(60, random_state=0).reset_index(drop=True)


STAGES = [["ingest"], ["validate"], ["split"], ["preprocess"], ["tournament", "linear"], ["select"], ["evaluate"],
          ["package"]]  # fmt: skip


def stage_env(home: Path) -> dict[str, str]:
    return {**os.environ, "BENTOML_HOME": str(home), "BENTOML_DO_NOT_TRACK": "true",
            "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}  # fmt: skip


@pytest.fixture(scope="session")
def packaged(tmp_path_factory, students_csv: Path) -> Path:
    """Run the pipeline's stages (a one-candidate tournament) into a temp dir and its own BentoML store."""
    work = tmp_path_factory.mktemp("packaged")
    params = compose(ROOT / "conf", ["model=[linear]"])
    params["data"]["sources"] = [str(SHARED_CSV)]
    (work / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    env = stage_env(work / "bentoml")
    for stage in STAGES:
        subprocess.run([sys.executable, "-m", "scorecast", *stage], cwd=work, env=env, check=True,
                       capture_output=True)  # fmt: skip
    return work


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, url: str, log_path: Path, pid: int) -> None:
        self.url = url
        self.log_path = log_path
        self.pid = pid  # the `bentoml serve` process; its workers are its children
        self.client = httpx.Client(base_url=url, timeout=30)


def start_server(packaged: Path, tmp: Path, cwd: Path = ROOT, **settings: str) -> Iterator[Server]:
    port = free_port()
    log_path = tmp / "predictions.sqlite"
    # Unpinned, the service serves the model the checkout's models/package.json names; from this checkout that would
    # be whatever the last local `dvc repro` made, so serve the latest model of the `packaged` store instead.
    pin = {"SCORECAST_MODEL_TAG": "scorecast:latest"} if cwd == ROOT else {}
    env = {**stage_env(packaged / "bentoml"), "SCORECAST_LOG_PATH": str(log_path), "SCORECAST_WORKERS": "1",
           "SCORECAST_MAX_ROWS": "1000", "SCORECAST_MAX_BYTES": str(1 << 20), **pin, **settings}  # fmt: skip
    out = open(tmp / "server.log", "wb")  # noqa: SIM115 - closed below
    command = ["bentoml", "serve", "service:ScoreCast", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"bentoml serve exited:\n{(tmp / 'server.log').read_text()}")
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        else:
            raise RuntimeError(f"bentoml serve not ready in 60 s:\n{(tmp / 'server.log').read_text()}")
        server = Server(url, log_path, proc.pid)
        yield server
        server.client.close()
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(20)
        out.close()


@pytest.fixture(scope="session")
def server(packaged, tmp_path_factory) -> Iterator[Server]:
    yield from start_server(packaged, tmp_path_factory.mktemp("server"))


@pytest.fixture(scope="session")
def guarded(packaged, tmp_path_factory) -> Iterator[Server]:
    yield from start_server(packaged, tmp_path_factory.mktemp("guarded"), SCORECAST_API_KEY="s3cret",
                            SCORECAST_RATE_LIMIT="3")  # fmt: skip


@pytest.fixture(scope="session")
def bento_env(packaged) -> dict[str, str]:
    """Environment whose BentoML store holds the packaged model, pinned to it: unpinned, `bentoml build` in this
    checkout would take the model models/package.json names, which a fresh clone has not made."""
    return {**stage_env(packaged / "bentoml"), "SCORECAST_MODEL_TAG": "scorecast:latest"}


@pytest.fixture(scope="session")
def pinned(packaged, bento_env, tmp_path_factory) -> Iterator[Server]:
    """A server pinned to the packaged model's explicit tag, as a rollback would pin an older one."""
    tag = subprocess.run(["bentoml", "models", "get", "scorecast:latest", "-o", "json"], env=bento_env,
                         capture_output=True, text=True, check=True)  # fmt: skip
    info = json.loads(tag.stdout)
    pinned_tag = f"{info['name']}:{info['version']}"
    yield from start_server(packaged, tmp_path_factory.mktemp("pinned"), SCORECAST_MODEL_TAG=pinned_tag)


@pytest.fixture(scope="session")
def serve_store():
    """`with serve_store(dir_holding_bentoml, tmp) as server:` serves the model in dir/bentoml."""
    return contextlib.contextmanager(start_server)
