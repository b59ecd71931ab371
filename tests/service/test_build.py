"""`bentoml build` packs the service and the packaged model from the committed bentofile.yaml."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow


def test_bentoml_build(bento_env, root):
    proc = subprocess.run(["bentoml", "build", "--output", "tag"], cwd=root, env=bento_env, capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    tag = proc.stdout.strip().splitlines()[-1].removeprefix("__tag__:")
    assert tag.startswith("scorecast:")
    info = subprocess.run(["bentoml", "get", tag, "-o", "json"], env=bento_env, capture_output=True, text=True)
    bento = json.loads(info.stdout)
    (service,) = bento["services"]
    assert [m["tag"].split(":")[0] for m in service["models"]] == ["scorecast"]
    assert bento["service"] == "service:ScoreCast"


DECOY = """
from scorecast.store import content_tag, save_to_store
meta = {"schema": {"dataset": "toy"}, "metrics": {}}
tag = content_tag("decoy", b"not a model", meta)
save_to_store(tag, b"not a model", meta)
print(tag)
"""


def test_a_bento_serves_its_own_model_not_the_stores_newest(bento_env, root, packaged, serve_store, tmp_path):
    proc = subprocess.run(["bentoml", "build", "--output", "tag"], cwd=root, env=bento_env, capture_output=True,
                          text=True, timeout=300, check=True)  # fmt: skip
    name, version = proc.stdout.strip().splitlines()[-1].removeprefix("__tag__:").split(":")
    bento = Path(bento_env["BENTOML_HOME"]) / "bentos" / name / version
    (built_with,) = [m["tag"] for m in yaml.safe_load((bento / "bento.yaml").read_text())["services"][0]["models"]]
    decoy = subprocess.run([sys.executable, "-c", DECOY], env=bento_env, capture_output=True, text=True,
                           check=True).stdout.strip()  # fmt: skip
    try:  # the decoy is now the newest packaged model; served from the bento's src/, the bento's own must win
        with serve_store(packaged, tmp_path, cwd=bento / "src") as server:
            assert server.client.get("/metadata").json()["tag"] == built_with
    finally:
        subprocess.run(["bentoml", "models", "delete", "-y", decoy], env=bento_env, check=True, capture_output=True)
