"""The prediction log: every served prediction, appended to SQLite.

SQLite in WAL mode takes appends from several server processes at once (each waits up to `busy_timeout` for
the write lock), so nothing is lost under concurrent requests. The service writes only through
`PredictionLog.append`, so a server database can take SQLite's place there; `scorecast drift` reads the SQLite
file itself (`read_records`), so such a store also needs a reader for drift. With `flush_every` set, appends
are queued and written by a background thread in one transaction per interval: a request then costs a list
append instead of a commit, and a crash can lose at most that interval (a clean shutdown flushes). A write the
database refuses for now (locked past `busy_timeout`, disk full: an `OperationalError`) keeps its rows queued
for the next interval, up to `MAX_PENDING` rows; beyond that the oldest are dropped and counted. A row it
would never take (any other `sqlite3.Error`) is dropped and counted at once, and the rows written with it are
kept: one bad row cannot block the log.
"""

from __future__ import annotations

import atexit
import json
import logging
import math
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from scorecast.sqlite_wal import connect_wal

log = logging.getLogger(__name__)

MAX_PENDING = 100_000  # rows held in memory while the database refuses writes (about 30 MB)

INSERT = "INSERT INTO predictions (ts, model_tag, inputs, prediction, lower, upper) VALUES (?, ?, ?, ?, ?, ?)"
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
    """What the service needs of a log: append each answered batch (a store that queues flushes itself at exit,
    as `SQLitePredictionLog` does)."""

    def append(
        self, model_tag: str, records: Sequence[dict[str, Any]], predictions: Sequence[float], halfwidth: float | None
    ) -> None: ...


class SQLitePredictionLog:
    """One connection per process, shared by threads under a lock; WAL for concurrent processes."""

    def __init__(self, path: str | Path, busy_timeout_ms: int = 10_000, flush_every: float | None = None) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = connect_wal(
            self.path,
            timeout=busy_timeout_ms / 1000,
            setup=("PRAGMA synchronous=NORMAL", SCHEMA),
            check_same_thread=False,
        )
        self._pending: list[tuple[Any, ...]] = []
        self._pending_lock = threading.Lock()
        self._flush_lock = threading.Lock()  # one flush at a time, so a requeue never races another take
        self._stop = threading.Event()
        self._closed = False
        self._failing = False
        self.dropped = 0  # rows given up: past MAX_PENDING waiting, or refused for good by the database
        self._writer: threading.Thread | None = None
        if flush_every:
            self._writer = threading.Thread(target=self._flush_loop, args=(flush_every,), daemon=True)
            self._writer.start()
            atexit.register(self.close)

    def append(
        self, model_tag: str, records: Sequence[dict[str, Any]], predictions: Sequence[float], halfwidth: float | None
    ) -> None:
        bad = next((i for i, pred in enumerate(predictions) if not math.isfinite(pred)), None)
        if bad is not None:  # the service never serves these; a NULL prediction would fail NOT NULL at flush
            raise ValueError(f"prediction log: prediction {predictions[bad]} for record {bad} is not a finite number")
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
        """Insert the rows in one transaction. A row the database refuses for good (a constraint) is left out,
        counted and logged, so it neither blocks nor takes down the rows around it; a refusal for now
        (`OperationalError`: locked, disk full) writes nothing and propagates, for the caller to retry."""
        with self._lock, self._conn:
            try:
                self._conn.executemany(INSERT, rows)
                return
            except sqlite3.OperationalError:
                raise
            except sqlite3.Error:
                self._conn.rollback()  # then row by row: only the rows refused are left out
            refused, reason = 0, ""
            for row in rows:
                try:
                    self._conn.execute(INSERT, row)
                except sqlite3.OperationalError:
                    raise
                except sqlite3.Error as err:
                    refused, reason = refused + 1, reason or str(err)
        if not refused:
            return
        with self._pending_lock:  # the counter _requeue also moves; appends without a flusher write from any thread
            self.dropped += refused
            total = self.dropped
        log.error("prediction log %s: the database refused %d of %d row(s) for good (%s); dropped, %d dropped so far",
                  self.path, refused, len(rows), reason, total)  # fmt: skip

    def flush(self) -> bool:
        """Write what is queued; False when the database refused it for now, which stays queued for the next try."""
        with self._flush_lock:
            with self._pending_lock:
                rows, self._pending = self._pending, []
            if not rows:
                return True
            try:
                self._write(rows)
            except sqlite3.OperationalError as err:
                self._requeue(rows, err)
                return False
            except Exception as err:  # a bug, not the database: keep the rows, let the caller see it
                self._requeue(rows, err)
                raise
            if self._failing:
                self._failing = False
                log.warning("prediction log %s: writing again (%d queued row(s) written)", self.path, len(rows))
            return True

    def _requeue(self, rows: list[tuple[Any, ...]], err: Exception) -> None:
        with self._pending_lock:
            self._pending[:0] = rows
            excess = len(self._pending) - MAX_PENDING
            if excess > 0:
                del self._pending[:excess]
                self.dropped += excess
            queued = len(self._pending)
        if not self._failing or excess > 0:
            dropped = f"; {excess} oldest row(s) dropped, {self.dropped} dropped so far" if excess > 0 else ""
            log.error(
                "prediction log %s: cannot write (%s); %d row(s) queued to retry (at most %d)%s",
                self.path, err, queued, MAX_PENDING, dropped,
            )  # fmt: skip
        self._failing = True

    def _flush_loop(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                self.flush()
            except Exception:  # anything but a refused write is a bug; the flusher must outlive it
                log.exception(
                    "prediction log %s: flush failed (a bug); rows stay queued, the flusher keeps going", self.path
                )

    def inputs(self, model_tag: str | None = None) -> pd.DataFrame:
        """The logged input records as a frame (one column per field), oldest first."""
        with self._lock:
            return pd.DataFrame(_records(self._conn, model_tag))

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
            self._writer.join()  # a flush in progress ends within busy_timeout
        if not self.flush() and self._pending:
            log.error("prediction log %s: %d row(s) not written at shutdown", self.path, len(self._pending))
        with self._lock:
            self._conn.close()


def _records(conn: sqlite3.Connection, model_tag: str | None) -> list[dict[str, Any]]:
    query, args = "SELECT inputs FROM predictions", ()
    if model_tag:
        query, args = query + " WHERE model_tag = ?", (model_tag,)
    return [json.loads(r[0]) for r in conn.execute(query + " ORDER BY id", args).fetchall()]


def open_read_only(path: str | Path) -> sqlite3.Connection:
    """A connection that cannot write: reading a live service's log (or a copy handed over for a report) never
    changes its journal mode, creates a table or takes a write lock. A WAL log in a directory this user cannot
    write cannot be opened that way (SQLite needs its shared-memory file), so it is read as immutable: rows
    the service has not yet checkpointed into the main file are then left out, which is said."""
    uri = Path(path).resolve().as_uri()
    try:
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True)
        try:
            conn.execute("SELECT 1 FROM sqlite_master").fetchone()  # SQLite opens lazily: this is where it fails
        except sqlite3.OperationalError:
            conn.close()
            raise
        return conn
    except sqlite3.OperationalError as err:
        log.warning("prediction log %s: read as an immutable file (%s); unwritten WAL rows are left out", path, err)
        return sqlite3.connect(f"{uri}?immutable=1", uri=True)


def _read(path: str | Path, query: Callable[[sqlite3.Connection], list[Any]]) -> list[Any]:
    conn = open_read_only(path)
    try:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'predictions'").fetchone() is None:
            raise sqlite3.DatabaseError("no predictions table")
        return query(conn)
    finally:
        conn.close()


def read_records(path: str | Path, model_tag: str | None = None) -> list[dict[str, Any]]:
    """The logged input records of a log on disk, oldest first, read without writing."""
    return _read(path, lambda conn: _records(conn, model_tag))


def read_model_tags(path: str | Path) -> list[str]:
    """The model tags a log on disk holds predictions of, sorted."""
    return _read(
        path, lambda conn: [r[0] for r in conn.execute("SELECT DISTINCT model_tag FROM predictions ORDER BY 1")]
    )
