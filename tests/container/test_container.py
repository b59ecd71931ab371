"""`make container`: the bento as a podman image, smoke-tested on 127.0.0.1 (skipped where podman can't be had)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.slow


def test_container_builds_and_answers(bento_env, root):
    if shutil.which("podman") is None and (os.geteuid() != 0 or shutil.which("apt-get") is None):
        pytest.skip("podman is not installed and cannot be installed here (needs root and apt-get)")
    proc = subprocess.run(["bash", "scripts/container.sh"], cwd=root, env=bento_env, capture_output=True, text=True,
                          timeout=900)  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "ok: container (uid" in proc.stdout
    assert "(uid 0)" not in proc.stdout
