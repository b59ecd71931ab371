"""Opening a SQLite file in WAL mode from several processes at once (the service's workers).

Switching a new file to WAL takes an exclusive lock, and SQLite answers "database is locked" to a second
process switching it at the same moment without waiting out the busy timeout: measured with two processes
creating one log together, 27 of 300 failed at `PRAGMA journal_mode=WAL`, which took a worker down at start.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

RETRY_S = 0.05


def connect_wal(path: str | Path, *, timeout: float, setup: tuple[str, ...] = (), **kwargs: Any) -> sqlite3.Connection:
    """A connection in WAL mode that has run `setup` (CREATE TABLE IF NOT EXISTS ...): the switch and the
    setup are retried until `timeout` seconds have passed, then the last error is raised."""
    conn = sqlite3.connect(path, timeout=timeout, **kwargs)
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            for statement in setup:
                conn.execute(statement)
            conn.commit()
            return conn
        except sqlite3.OperationalError:
            if conn.in_transaction:
                conn.rollback()
            if time.monotonic() >= deadline:
                conn.close()
                raise
            time.sleep(RETRY_S)
