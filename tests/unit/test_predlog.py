from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor

from scorecast.predlog import SQLitePredictionLog


def test_append_and_read_back(tmp_path):
    log = SQLitePredictionLog(tmp_path / "log.sqlite")
    log.append("m:1", [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}], [10.0, 20.0], halfwidth=2.0)
    assert log.count() == 2
    assert log.inputs().to_dict("records") == [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]
    row = log._conn.execute("SELECT prediction, lower, upper FROM predictions WHERE id = 2").fetchone()
    assert row == (20.0, 18.0, 22.0)
    assert log.inputs("m:2").empty


def _hammer(path, n):
    log = SQLitePredictionLog(path)
    for i in range(n):
        log.append("m:1", [{"i": i}], [float(i)], None)


def test_nothing_is_lost_under_concurrent_threads_and_processes(tmp_path):
    path = tmp_path / "log.sqlite"
    log = SQLitePredictionLog(path)
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_hammer, args=(path, 200)) for _ in range(2)]
    for p in procs:
        p.start()
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: log.append("m:1", [{"i": i}], [float(i)], 1.0), range(400)))
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    assert log.count() == 800


def test_queued_appends_are_written_by_the_flusher_and_on_close(tmp_path):
    import time

    log = SQLitePredictionLog(tmp_path / "log.sqlite", flush_every=0.02)
    log.append("m:1", [{"i": 1}], [1.0], None)
    deadline = time.monotonic() + 5
    while log.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert log.count() == 1
    log._stop.set()  # stop the flusher: what is queued now must still land on close
    log._writer.join(5)
    log.append("m:1", [{"i": 2}, {"i": 3}], [2.0, 3.0], None)
    log.close()
    assert SQLitePredictionLog(tmp_path / "log.sqlite").count() == 3


def _wait_for(condition, seconds: float = 5.0) -> bool:
    import time

    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


def test_a_locked_database_keeps_rows_queued_and_the_flusher_alive(tmp_path, caplog):
    import sqlite3

    path = tmp_path / "log.sqlite"
    log = SQLitePredictionLog(path, busy_timeout_ms=20, flush_every=0.01)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holding the write lock past busy_timeout
    log.append("m:1", [{"i": 1}, {"i": 2}], [1.0, 2.0], None)
    assert _wait_for(lambda: log._failing)
    log.append("m:1", [{"i": 3}], [3.0], None)
    assert log._writer.is_alive() and log.count() == 0
    assert "cannot write (database is locked); 2 row(s) queued to retry" in caplog.text
    holder.execute("ROLLBACK")
    assert _wait_for(lambda: log.count() == 3)
    assert log.inputs()["i"].tolist() == [1, 2, 3] and log.dropped == 0 and not log._failing
    log.close()


def test_past_max_pending_the_oldest_rows_are_dropped_and_counted(tmp_path, monkeypatch, caplog):
    import sqlite3

    from scorecast import predlog

    monkeypatch.setattr(predlog, "MAX_PENDING", 3)
    path = tmp_path / "log.sqlite"
    log = SQLitePredictionLog(path, busy_timeout_ms=20, flush_every=3600)  # each flush below is one attempt
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    log.append("m:1", [{"i": i} for i in range(5)], [float(i) for i in range(5)], None)
    assert log.flush() is False
    assert log.dropped == 2 and "2 oldest row(s) dropped, 2 dropped so far" in caplog.text
    holder.execute("ROLLBACK")
    assert log.flush() is True
    assert log.inputs()["i"].tolist() == [2, 3, 4]
    log.close()


def test_overlapping_flushes_keep_the_order(tmp_path):
    import sqlite3
    import threading

    path = tmp_path / "log.sqlite"
    log = SQLitePredictionLog(path, busy_timeout_ms=300, flush_every=3600)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    log.append("m:1", [{"i": i} for i in range(3)], [0.0, 1.0, 2.0], None)
    first = threading.Thread(target=log.flush)  # the flusher, waiting on the lock ...
    first.start()
    assert _wait_for(lambda: not log._pending)
    log.append("m:1", [{"i": 3}], [3.0], None)
    assert log.flush() is False  # ... and close()'s flush behind it: requeued after, not before, rows 0-2
    first.join()
    holder.execute("ROLLBACK")
    assert log.flush() is True
    assert log.inputs()["i"].tolist() == [0, 1, 2, 3]
    log.close()


def test_rows_the_database_never_takes_are_dropped_not_retried(tmp_path, caplog):
    import sqlite3

    path = tmp_path / "log.sqlite"
    with sqlite3.connect(path) as conn:  # a stricter table than ours: every later flush would fail the same way
        conn.execute(
            "CREATE TABLE predictions (id INTEGER PRIMARY KEY AUTOINCREMENT, ts REAL NOT NULL, model_tag TEXT NOT NULL,"
            " inputs TEXT NOT NULL, prediction REAL NOT NULL CHECK (prediction < 100), lower REAL, upper REAL)"
        )
    log = SQLitePredictionLog(path, flush_every=3600)
    log.append("m:1", [{"i": 1}, {"i": 2}, {"i": 3}], [1.0, 200.0, 3.0], None)
    assert log.flush() is True  # nothing left to retry: the good rows around the bad one are written
    assert log.dropped == 1 and not log._pending and "refused 1 of 3 row(s) for good (CHECK constraint" in caplog.text
    assert log.inputs()["i"].tolist() == [1, 3]
    log.append("m:1", [{"i": 4}], [4.0], None)
    assert log.flush() is True and log.inputs()["i"].tolist() == [1, 3, 4]
    log.close()


def test_a_non_finite_prediction_is_refused_at_append(tmp_path):
    import pytest

    log = SQLitePredictionLog(tmp_path / "log.sqlite")
    with pytest.raises(ValueError, match="prediction nan for record 1 is not a finite number"):
        log.append("m:1", [{"i": 1}, {"i": 2}], [1.0, float("nan")], None)
    assert log.count() == 0


def test_the_flusher_outlives_an_unexpected_error(tmp_path, monkeypatch, caplog):
    log = SQLitePredictionLog(tmp_path / "log.sqlite", flush_every=0.01)
    write, calls = log._write, []

    def fail_once(rows):
        calls.append(len(rows))
        if len(calls) == 1:
            raise RuntimeError("boom")
        write(rows)

    monkeypatch.setattr(log, "_write", fail_once)
    log.append("m:1", [{"i": 1}], [1.0], None)
    assert _wait_for(lambda: calls)
    log.append("m:1", [{"i": 2}], [2.0], None)
    assert _wait_for(lambda: log.count() == 2) and log._writer.is_alive()
    assert log.inputs()["i"].tolist() == [1, 2] and log.dropped == 0  # the failed flush's row was kept
    assert "flush failed (a bug); rows stay queued, the flusher keeps going" in caplog.text
    log.close()
