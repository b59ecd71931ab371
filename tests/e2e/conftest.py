"""Module-scoped environment for end-to-end tests (each module builds one repo)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def env_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()
