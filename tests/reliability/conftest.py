"""Budgets for the reliability tier: short inside `make test`, full with SCORECAST_RELIABILITY=full."""

from __future__ import annotations

import os

import pytest

FULL = os.environ.get("SCORECAST_RELIABILITY") == "full"


@pytest.fixture(scope="session")
def budget() -> dict[str, float]:
    if FULL:
        return {
            "examples": 3000,
            "load_seconds": 60.0,
            "warmup_seconds": 20.0,
            "check_memory": True,
            "derandomize": False,
        }
    return {"examples": 150, "load_seconds": 5.0, "warmup_seconds": 3.0, "check_memory": False, "derandomize": True}
