from __future__ import annotations

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
