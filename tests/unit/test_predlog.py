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
