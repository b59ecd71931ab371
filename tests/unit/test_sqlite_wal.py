"""Two workers creating one SQLite file at once: the switch to WAL is retried, not fatal."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time

import pytest

from scorecast.sqlite_wal import connect_wal


class Flaky(sqlite3.Connection):
    """Refuses the switch to WAL `failures` times, as SQLite does to the second of two processes making it."""

    failures = 0

    def execute(self, sql, *args):
        if sql.startswith("PRAGMA journal_mode") and Flaky.failures:
            Flaky.failures -= 1
            raise sqlite3.OperationalError("database is locked")
        return super().execute(sql, *args)


def test_the_switch_to_wal_is_retried_and_the_setup_run(tmp_path):
    Flaky.failures = 3
    conn = connect_wal(tmp_path / "x.sqlite", timeout=5, setup=("CREATE TABLE IF NOT EXISTS t (a)",), factory=Flaky)
    assert Flaky.failures == 0 and conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("t",)]


def test_a_switch_refused_past_the_timeout_raises(tmp_path):
    Flaky.failures = 10**6
    started = time.monotonic()
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        connect_wal(tmp_path / "x.sqlite", timeout=0.3, factory=Flaky)
    assert time.monotonic() - started < 2


CREATE = """
import sys, time
from scorecast.predlog import SQLitePredictionLog
while time.time() < float(sys.argv[2]):
    pass
log = SQLitePredictionLog(sys.argv[1])
log.append("scorecast:t", [{"a": 1}], [1.0], 1.0)
"""


@pytest.mark.slow
def test_two_processes_creating_one_log_at_once_both_write(tmp_path):
    """Before the retry, 27 of 300 such processes died at `PRAGMA journal_mode=WAL` (150 pairs)."""
    for trial in range(20):
        path, start = tmp_path / f"{trial}.sqlite", str(time.time() + 0.5)
        procs = [subprocess.Popen([sys.executable, "-c", CREATE, str(path), start], stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]  # fmt: skip
        errors = [p.communicate(timeout=60)[1] for p in procs]
        assert all(p.returncode == 0 for p in procs), errors
        assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM predictions").fetchone() == (2,)
