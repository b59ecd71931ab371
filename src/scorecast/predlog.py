"""The prediction log: every served prediction, appended to SQLite (or any store with this interface).

SQLite in WAL mode takes appends from several server processes at once (each waits up to
`busy_timeout` for the write lock), so nothing is lost under concurrent requests; a server
database can replace it by implementing `PredictionLog`. With `flush_every` set, appends are
queued and written by a background thread in one transaction per interval: a request then costs
a list append instead of a commit, and a crash can lose at most that interval (a clean shutdown
flushes).
"""

from __future__ import annotations

import atexit
import json
import sqlite3
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

SCHEMA = """
CREATE TABLE IF NOT EXISTS predictions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts REAL NOT NULL,
    model_tag TEXT NOT NULL,
    inputs TEXT NOT NULL,
    prediction REAL NOT NULL,
    lower REAL,
    upper REAL
)
"""


class PredictionLog(Protocol):
    def append(
        self, model_tag: str, records: Sequence[dict[str, Any]], predictions: Sequence[float], halfwidth: float | None
    ) -> None: ...

    def inputs(self, model_tag: str | None = None) -> pd.DataFrame: ...

    def count(self) -> int: ...


class SQLitePredictionLog:
    """One connection per process, shared by threads under a lock; WAL for concurrent processes."""

    def __init__(self, path: str | Path, busy_timeout_ms: int = 10_000, flush_every: float | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, check_same_thread=False, timeout=busy_timeout_ms / 1000)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute(SCHEMA)
        self._conn.commit()
        self._pending: list[tuple[Any, ...]] = []
        self._pending_lock = threading.Lock()
        self._stop = threading.Event()
        self._closed = False
        self._writer: threading.Thread | None = None
        if flush_every:
            self._writer = threading.Thread(target=self._flush_loop, args=(flush_every,), daemon=True)
            self._writer.start()
            atexit.register(self.close)

    def append(
        self, model_tag: str, records: Sequence[dict[str, Any]], predictions: Sequence[float], halfwidth: float | None
    ) -> None:
        now = time.time()
        rows = [
            (now, model_tag, json.dumps(record, separators=(",", ":")), float(pred),
             None if halfwidth is None else float(pred) - halfwidth,
             None if halfwidth is None else float(pred) + halfwidth)
            for record, pred in zip(records, predictions, strict=True)
        ]  # fmt: skip
        if self._writer is None:
            self._write(rows)
        else:
            with self._pending_lock:
                self._pending.extend(rows)

    def _write(self, rows: list[tuple[Any, ...]]) -> None:
        with self._lock, self._conn:
            self._conn.executemany(
                "INSERT INTO predictions (ts, model_tag, inputs, prediction, lower, upper) VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )

    def flush(self) -> None:
        with self._pending_lock:
            rows, self._pending = self._pending, []
        if rows:
            self._write(rows)

    def _flush_loop(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self.flush()

    def inputs(self, model_tag: str | None = None) -> pd.DataFrame:
        """The logged input records as a frame (one column per field), oldest first."""
        query, args = "SELECT inputs FROM predictions", ()
        if model_tag:
            query, args = query + " WHERE model_tag = ?", (model_tag,)
        with self._lock:
            rows = self._conn.execute(query + " ORDER BY id", args).fetchall()
        return pd.DataFrame([json.loads(r[0]) for r in rows])

    def count(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM predictions").fetchone()[0])

    def close(self) -> None:
        """Write what is queued, then close; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        if self._writer is not None:
            self._writer.join(5)
        self.flush()
        with self._lock:
            self._conn.close()
