"""The prediction log: every served prediction, appended to SQLite (or any store with this interface).

SQLite in WAL mode takes appends from several server processes at once (each waits up to
`busy_timeout` for the write lock), so nothing is lost under concurrent requests; a server
database can replace it by implementing `PredictionLog`.
"""

from __future__ import annotations

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

    def __init__(self, path: str | Path, busy_timeout_ms: int = 10_000) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.path, check_same_thread=False, timeout=busy_timeout_ms / 1000)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute(SCHEMA)
        self._conn.commit()

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
        with self._lock, self._conn:
            self._conn.executemany(
                "INSERT INTO predictions (ts, model_tag, inputs, prediction, lower, upper) VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )

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
        with self._lock:
            self._conn.close()
