"""Serving settings come from SCORECAST_* variables; a bad one stops start-up naming the variable."""

from __future__ import annotations

import pytest

from scorecast.errors import ConfigError
from scorecast.serving.settings import Settings


def test_unset_or_blank_variables_take_the_defaults():
    blank = {"SCORECAST_MAX_ROWS": " ", "SCORECAST_LOG_PATH": ""}
    assert Settings.from_env({}) == Settings.from_env(blank) == Settings()


def test_variables_are_read():
    env = {"SCORECAST_MODEL_TAG": "scorecast:abc", "SCORECAST_API_KEY": "k", "SCORECAST_RATE_LIMIT": "60",
           "SCORECAST_MAX_BYTES": "1024", "SCORECAST_MAX_ROWS": " 10 ", "SCORECAST_WORKERS": "4",
           "SCORECAST_LOG_PATH": "/tmp/p.sqlite"}  # fmt: skip
    assert Settings.from_env(env) == Settings(
        model_tag="scorecast:abc", api_key="k", rate_limit=60, max_bytes=1024, max_rows=10, workers=4,
        log_path="/tmp/p.sqlite",
    )  # fmt: skip


@pytest.mark.parametrize("off", ["off", "OFF", "none", "0"])
def test_the_prediction_log_can_be_turned_off(off):
    assert Settings.from_env({"SCORECAST_LOG_PATH": off}).log_path is None


@pytest.mark.parametrize(
    ("name", "raw"),
    [("SCORECAST_MAX_ROWS", "many"), ("SCORECAST_MAX_ROWS", "0"), ("SCORECAST_WORKERS", "1.5"),
     ("SCORECAST_RATE_LIMIT", "-1")],
)  # fmt: skip
def test_a_bad_value_names_the_variable(name, raw):
    with pytest.raises(ConfigError, match=rf"environment variable {name}='{raw}': expected an integer >= \d"):
        Settings.from_env({name: raw})
