"""`make setup` builds .venv with a Python 3.11 that can make one, the system's own when it can."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SYSTEM_PYTHON = "/usr/bin/python3.11"


def chosen_python(tmp_path: Path) -> str:
    printer = tmp_path / "print.mk"
    printer.write_text("print-python:\n\t@echo $(PYTHON)\n")
    return subprocess.run(
        ["make", "-s", "-f", "Makefile", "-f", str(printer), "print-python"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def can_make_venv(python: str) -> bool:
    probe = "import ensurepip, sys, venv; assert sys.version_info[:2] == (3, 11)"
    return subprocess.run([python, "-c", probe], capture_output=True).returncode == 0


def test_setup_uses_a_python_3_11_that_can_make_a_venv(tmp_path):
    python = chosen_python(tmp_path)
    assert can_make_venv(python), f"make would build .venv with {python!r}"
    if can_make_venv(SYSTEM_PYTHON):
        assert python == SYSTEM_PYTHON, "the system's python3.11 can make a venv, so make should prefer it"
