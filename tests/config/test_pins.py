"""The bento installs what `make setup` installs: every pin in pyproject.toml and bentofile.yaml is the lock's."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def pins(lines: list[str]) -> dict[str, str]:
    return dict(line.split("#")[0].strip().split("==") for line in lines if line.split("#")[0].strip())


LOCK = pins((ROOT / "requirements.lock").read_text().splitlines())
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
EXTRAS = [pin for group in PROJECT["optional-dependencies"].values() for pin in group]
DECLARED = {
    "pyproject.toml": pins(PROJECT["dependencies"] + EXTRAS),
    "bentofile.yaml": pins(yaml.safe_load((ROOT / "bentofile.yaml").read_text())["python"]["packages"]),
}


def test_pins_parses_a_requirements_line():
    assert pins(["scipy==1.15.3  # why", "", "# comment"]) == {"scipy": "1.15.3"}


@pytest.mark.parametrize("source", sorted(DECLARED))
def test_every_declared_pin_is_the_locked_version(source):
    declared = DECLARED[source]
    differ = {name: (version, LOCK.get(name)) for name, version in declared.items() if LOCK.get(name) != version}
    assert not differ, f"{source} pins differ from requirements.lock (declared, locked): {differ}"
