from __future__ import annotations

import os
import stat

import pytest

from scorecast.artifacts import atomic_path, read_json, write_json


def test_write_json_round_trips(tmp_path):
    write_json(tmp_path / "a" / "b.json", {"x": 1})
    assert read_json(tmp_path / "a" / "b.json") == {"x": 1}


def test_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("good")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed")
    assert target.read_text() == "good"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_deleting_the_temp_cancels_the_write(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("good")
    with atomic_path(target) as tmp:
        tmp.unlink()
    assert target.read_text() == "good"


def test_outputs_get_the_mode_the_umask_gives_any_new_file(tmp_path):
    old = os.umask(0o027)
    try:
        write_json(tmp_path / "metrics.json", {"r2": 0.9})
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "metrics.json").stat().st_mode) == 0o640
