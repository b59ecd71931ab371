"""Versions and rollback: SCORECAST_MODEL_TAG pins the model served (the default is tests/unit/test_store.py's)."""

from __future__ import annotations

import subprocess

import pytest

pytestmark = pytest.mark.slow

RECORD = {
    "gender": "male",
    "race_ethnicity": "group C",
    "parental_level_of_education": "high school",
    "lunch": "standard",
    "test_preparation_course": "completed",
    "reading_score": 60,
    "writing_score": 58,
}


def test_a_pinned_tag_is_served_and_named_in_every_answer(pinned):
    tag = pinned.client.get("/metadata").json()["tag"]
    assert tag.startswith("scorecast:") and tag != "scorecast:latest"
    r = pinned.client.post("/predict", json=RECORD)
    assert r.json()["model"]["tag"] == tag == r.headers["X-Scorecast-Model"]


def test_an_unknown_tag_stops_start_up_with_a_clear_message(bento_env, root):
    env = {**bento_env, "SCORECAST_MODEL_TAG": "scorecast:doesnotexist"}
    proc = subprocess.run(["bentoml", "serve", "service:ScoreCast", "--host", "127.0.0.1", "--port", "1"], cwd=root,
                          env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert proc.returncode != 0
    output = proc.stdout + proc.stderr
    assert "scorecast service: error: model scorecast:doesnotexist is not in the BentoML store" in output
    assert "Traceback" not in output  # one line, not BentoML's import traceback


def test_the_server_log_names_the_model_served_and_each_client_error(packaged, serve_store, tmp_path):
    with serve_store(packaged, tmp_path) as server:
        tag = server.client.get("/metadata").json()["tag"]
        assert server.client.post("/predict", json={**RECORD, "gender": "x"}).status_code == 400
    log = (tmp_path / "server.log").read_text()  # complete once the server has stopped
    assert f"serving {tag} with the " in log
    assert "client error 400: field gender: expected one of 'female', 'male', got 'x'" in log
