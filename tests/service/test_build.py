"""`bentoml build` packs the service and the packaged model from the committed bentofile.yaml."""

from __future__ import annotations

import json
import subprocess

import pytest

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
