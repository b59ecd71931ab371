"""Read params.yaml, the composed config every stage takes its keys from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from scorecast.errors import ConfigError

PARAMS_FILE = Path("params.yaml")


def load_params(path: str | Path = PARAMS_FILE) -> dict[str, Any]:
    path = Path(path)
    try:
        params = yaml.safe_load(path.read_text())
    except FileNotFoundError as err:
        raise ConfigError(f"{path} not found: run `scorecast compose` (or `make run`) first") from err
    except yaml.YAMLError as err:
        raise ConfigError(f"{path} is not valid YAML: {err}") from err
    if not isinstance(params, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    return params
