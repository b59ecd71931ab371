"""Per-client rate limit shared by all workers (GCRA in a small SQLite file), so N workers don't mean N× the limit."""

from __future__ import annotations

import logging
import os
import sqlite3
import tempfile
import time
from pathlib import Path

from scorecast.sqlite_wal import connect_wal

log = logging.getLogger(__name__)


def default_db_path() -> Path:
    """One file per server: the workers share a parent process, unrelated servers do not."""
    return Path(tempfile.gettempdir()) / f"scorecast-ratelimit-{os.getppid()}.sqlite3"


class RateLimiter:
    """Generic cell rate algorithm: `limit` requests per minute, bursts up to `limit`, smooth refill."""

    def __init__(self, limit: int, db_path: Path | None = None, *, clock: object = time.time) -> None:
        self.interval = 60.0 / limit
        self.tolerance = 60.0 - self.interval
        self.clock = clock
        self.db = connect_wal(
            db_path or default_db_path(),
            timeout=5,
            setup=("CREATE TABLE IF NOT EXISTS gcra (client TEXT PRIMARY KEY, tat REAL NOT NULL)",),
            isolation_level=None,
        )

    def hit(self, client: str) -> float:
        """Record one request; return 0 if allowed, else the seconds to wait before retrying."""
        now = self.clock()  # type: ignore[operator]
        try:
            self.db.execute("BEGIN IMMEDIATE")
            row = self.db.execute("SELECT tat FROM gcra WHERE client = ?", (client,)).fetchone()
            tat = max(row[0] if row else now, now)
            wait = tat - now - self.tolerance
            if wait <= 0:
                self.db.execute(
                    "INSERT INTO gcra(client, tat) VALUES (?, ?) ON CONFLICT(client) DO UPDATE SET tat = excluded.tat",
                    (client, tat + self.interval),
                )
            self.db.execute("COMMIT")
        except sqlite3.Error as err:  # fail open: a broken limiter must not take the service down
            log.warning("rate limiter unavailable (%s); request allowed", err)
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            return 0.0
        return max(wait, 0.0)
