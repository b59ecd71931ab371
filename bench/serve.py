"""Benchmark the service against the tutorials' Flask app, all on 127.0.0.1, in one run.

Servers: our `bentoml serve` (2 workers), the Flask dev server (threaded) and Flask under gunicorn
with 2 workers, each loading the same packaged pipeline. Measures cold start to first answer,
single-record latency at concurrency 1, requests/s at concurrency 8 and 32, and rows/s for 1,000-
and 10,000-row batches, then prints a table and ratios against the issue's targets.
Requests/s come from wrk when it is installed (`make bench` installs it as root), else from an
async Python client; either way the load generator shares the 2 cores with the servers.
Usage: python bench/serve.py  (needs `pip install -r bench/requirements.txt` and a packaged model)
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
REQUESTS_C1 = 300
LOAD_SECONDS = 5.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def served_model() -> Any:  # a bentoml Model
    """The model `bentoml serve` would serve here (SCORECAST_MODEL_TAG, else the workspace's), pinned in the
    environment so that every server in the comparison serves that one."""
    import bentoml

    from scorecast.paths import MODEL_PATH, PACKAGE_PATH
    from scorecast.serving.store import ensure_in_store

    tag = ensure_in_store(os.environ.get("SCORECAST_MODEL_TAG"), ROOT / PACKAGE_PATH, ROOT / MODEL_PATH)
    os.environ["SCORECAST_MODEL_TAG"] = tag
    return bentoml.models.get(tag)


def servers(port: int, model: Path) -> dict[str, list[str]]:
    return {
        "scorecast (BentoML, 2 workers)": [str(BIN / "bentoml"), "serve", "service:ScoreCast", "--host", "127.0.0.1",
                                          "--port", str(port)],
        "Flask dev server": [sys.executable, "-m", "flask", "--app", "bench.flask_app", "run", "--host", "127.0.0.1",
                             "--port", str(port), "--with-threads"],
        "Flask + gunicorn (2 workers)": [str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "-k", "gthread",
                                         "--threads", "4", "bench.flask_app:app"],
    }  # fmt: skip


async def latencies(client: httpx.AsyncClient, url: str, body: bytes, n: int) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        r = await client.post(url, content=body, headers={"content-type": "application/json"})
        r.raise_for_status()
        out.append(time.perf_counter() - started)
    return out


async def throughput(url: str, body: bytes, concurrency: int, seconds: float) -> float:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        done, errors = 0, 0
        stop = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal done, errors
            while time.perf_counter() < stop:
                r = await client.post(url, content=body, headers={"content-type": "application/json"})
                done += r.status_code == 200
                errors += r.status_code != 200

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        if errors:
            raise RuntimeError(f"{errors} failed requests at concurrency {concurrency}")
        return done / (time.perf_counter() - started)


def wrk_throughput(url: str, body: bytes, concurrency: int, seconds: float) -> float:
    """Requests/s from wrk (a C load generator): it takes far less of the shared CPU than a Python client."""
    import re
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(f'wrk.method = "POST"\nwrk.body = {json.dumps(body.decode())}\n'
                     'wrk.headers["Content-Type"] = "application/json"\n')  # fmt: skip
    out = subprocess.run(["wrk", "-t2", f"-c{concurrency}", f"-d{seconds:.0f}s", "-s", script.name, url],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    os.unlink(script.name)
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"failed requests at concurrency {concurrency}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


async def rate(url: str, body: bytes, concurrency: int) -> float:
    if shutil.which("wrk"):
        return await asyncio.to_thread(wrk_throughput, url, body, concurrency, LOAD_SECONDS)
    return await throughput(url, body, concurrency, LOAD_SECONDS)


async def measure(url: str, record: dict, batches: dict[int, bytes]) -> dict[str, float]:
    one = json.dumps(record).encode()
    async with httpx.AsyncClient(timeout=60) as client:
        await latencies(client, url, one, 20)  # warm-up
        lat = sorted(await latencies(client, url, one, REQUESTS_C1))
        rows = {}
        for n, body in batches.items():
            times = []
            for _ in range(3):
                started = time.perf_counter()
                (await client.post(url, content=body, headers={"content-type": "application/json"})).raise_for_status()
                times.append(time.perf_counter() - started)
            rows[n] = n / statistics.median(times)
    return {
        "p50 ms": 1000 * lat[len(lat) // 2],
        "p99 ms": 1000 * lat[int(len(lat) * 0.99) - 1],
        "req/s c=8": await rate(url, one, 8),
        "req/s c=32": await rate(url, one, 32),
        "rows/s 1k": rows[1000],
        "rows/s 10k": rows[10000],
    }


def run_one(name: str, command: list[str], port: int, record: dict, batches: dict[int, bytes]) -> dict[str, float]:
    env = {**os.environ, "SCORECAST_LOG_PATH": "off", "SCORECAST_MAX_ROWS": "20000",
           "SCORECAST_MAX_BYTES": str(64 << 20), "PYTHONPATH": str(ROOT)}  # fmt: skip
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}/predict"
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}")
            if time.perf_counter() - started > 60:
                raise RuntimeError(f"{name}: no answer in 60 s")
            try:
                if httpx.post(url, json=record, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
        cold = time.perf_counter() - started
        result = asyncio.run(measure(url, record, batches))
        return {"cold start s": cold, **result}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)


def main() -> None:
    served = served_model()
    model = Path(served.path_of("model.pkl"))
    os.environ["SCORECAST_BENCH_MODEL"] = str(model)
    test = pd.read_parquet(ROOT / "data/split/test.parquet")
    target = served.info.metadata["schema"]
    features = test.drop(columns=[target["target"]["name"]])
    record = {k: (v.item() if hasattr(v, "item") else v) for k, v in features.iloc[0].items()}
    pool = features.to_dict("records")
    batches = {n: json.dumps([pool[i % len(pool)] for i in range(n)], default=int).encode() for n in (1000, 10000)}
    results = {}
    port = free_port()
    for name, command in servers(port, model).items():
        results[name] = run_one(name, command, port, record, batches)
        sys.stderr.write(f"measured {name}\n")
    ours, dev, guni = results.values()
    columns = list(ours)
    lines = ["| server | " + " | ".join(columns) + " |", "|---|" + "---:|" * len(columns)]
    for name, row in results.items():
        lines.append(f"| {name} | " + " | ".join(f"{row[c]:,.1f}" for c in columns) + " |")
    checks = [
        ("p50 vs Flask dev (target <= 0.5x)", ours["p50 ms"] / dev["p50 ms"], ours["p50 ms"] <= 0.5 * dev["p50 ms"]),
        ("req/s c=32 vs Flask dev (target >= 2x)", ours["req/s c=32"] / dev["req/s c=32"],
         ours["req/s c=32"] >= 2 * dev["req/s c=32"]),
        ("req/s c=32 vs gunicorn (target >= 1x)", ours["req/s c=32"] / guni["req/s c=32"],
         ours["req/s c=32"] >= guni["req/s c=32"]),
        ("rows/s 10k vs Flask dev (target >= 1x)", ours["rows/s 10k"] / dev["rows/s 10k"],
         ours["rows/s 10k"] >= dev["rows/s 10k"]),
        ("cold start (target < 4 s)", ours["cold start s"], ours["cold start s"] < 4),
    ]  # fmt: skip
    lines += ["", "| check | value | met |", "|---|---:|---|"]
    lines += [f"| {name} | {value:.2f} | {'yes' if ok else 'NO'} |" for name, value, ok in checks]
    table = "\n".join(lines) + "\n"
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "serve.md").write_text(table)
    sys.stdout.write(table)


if __name__ == "__main__":
    main()
