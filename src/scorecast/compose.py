"""Compose conf/ into params.yaml, so plain `dvc repro` never runs on a stale params.yaml."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any

import yaml

from scorecast.artifacts import write_text
from scorecast.errors import ConfigError
from scorecast.params import PARAMS_FILE, check_params, load_params

log = logging.getLogger(__name__)

CONF_DIR = Path("conf")
STAMP = Path(".scorecast/composed")
HEADER = "# Generated from conf/ by `scorecast compose`: edit conf/, not this file.\n"


def compose(conf_dir: str | Path = CONF_DIR, overrides: list[str] | None = None) -> dict[str, Any]:
    """Compose the Hydra config in `conf_dir` into a plain dict."""
    return compose_with_choices(conf_dir, overrides)[0]


def compose_with_choices(
    conf_dir: str | Path = CONF_DIR, overrides: list[str] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The composed dict, and which option of each config group it took (`{"data": "students", "split":
    "stratified", ...}`, Hydra's own groups included)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf import OmegaConf, open_dict
    from omegaconf.errors import OmegaConfBaseException

    conf_dir = Path(conf_dir).resolve()
    check_model_headers(conf_dir)
    try:
        with initialize_config_dir(config_dir=str(conf_dir), version_base=None):
            cfg = hydra_compose(config_name="config", overrides=overrides or [], return_hydra_config=True)
        choices = dict(cfg.hydra.runtime.choices)
        with open_dict(cfg):
            del cfg["hydra"]
        return OmegaConf.to_container(cfg, resolve=True), choices  # type: ignore[return-value]
    except (HydraException, OmegaConfBaseException, yaml.YAMLError) as err:
        raise ConfigError(
            missing_option(conf_dir, str(err)) or f"{conf_dir}: {' '.join(str(err).split())[:300]}"
        ) from err


def missing_option(conf_dir: Path, hydra_message: str) -> str | None:
    """Hydra's "Could not load 'model/rigde'" or "Could not find ..." (and its search path), said as which file
    is missing and which the group has. A group that is not a folder of conf/ (Hydra's own, such as
    hydra/job_logging) keeps Hydra's message, which lists that group's options."""
    found = re.search(r"Could not (?:load|find) '([^']+)/([^'/]+)'", hydra_message)
    if found is None or not (conf_dir / found[1]).is_dir():
        return None
    group, name = found.groups()
    options = sorted(p.stem for p in (conf_dir / group).glob("*.yaml"))
    return (
        f"{conf_dir / group / name}.yaml: no such {group} config (named in the defaults list or an override); "
        f"expected one of {', '.join(options) or '(none: the folder has no .yaml files)'}"
    )


def conf_file(message: str, choices: dict[str, Any], conf_dir: Path = CONF_DIR) -> str:
    """`message` (a check of the composed params, "params.yaml: data (diabetes).features...") said of the conf/
    file that sets the key, since params.yaml is not written yet: conf/config.yaml when it sets the key (it is
    composed last, so its value wins), else the chosen file of the key's group (conf/data/diabetes.yaml), else
    conf/config.yaml."""
    prefix = f"{PARAMS_FILE}: "
    if not message.startswith(prefix):
        return message  # a candidate's error already names its conf/model file
    rest = message.removeprefix(prefix)
    path = re.sub(r" \([^)]*\)", "", rest).split(" ", 1)[0].rstrip(":").split(".")  # data (x).a.b -> data, a, b
    config = conf_dir / "config.yaml"
    choice = choices.get(path[0])
    source = conf_dir / path[0] / f"{choice}.yaml" if isinstance(choice, str) else config
    if not source.is_file() or _sets(yaml.safe_load(config.read_text()), path):
        source = config
    return f"{source}: {rest}"


def _sets(config: Any, path: list[str]) -> bool:
    for key in path:
        if not isinstance(config, dict) or key not in config:
            return False
        config = config[key]
    return True


def check_model_headers(conf_dir: Path) -> None:
    """Each conf/model/<name>.yaml must be packaged as candidate <name>: a copied file whose header still
    names the original would silently replace that candidate, and one without a header would be no
    candidate at all."""
    for path in sorted((conf_dir / "model").glob("*.yaml")):
        expected = f"tournament.candidates.{path.stem}"
        if package_header(path.read_text()) != expected:
            raise ConfigError(
                f"{path}: expected '# @package {expected}' on its first line (the candidate is named after the file)"
            )


def package_header(text: str) -> str | None:
    """The `# @package` of a config file, read as Hydra reads it: only from the comment lines starting with
    '@' before anything else (an ordinary comment above it ends the header)."""
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if not re.match(r"#\s*@", line):
            return None
        key, _, value = line.lstrip("#").strip().partition(" ")
        if key == "@package":
            return value.strip()
    return None


def to_yaml(params: dict[str, Any]) -> str:
    return HEADER + yaml.safe_dump(params, sort_keys=False, allow_unicode=True, width=100)


def main(params_path: str | Path = "params.yaml") -> None:
    if os.environ.get("DVC_EXP_BASELINE_REV"):
        # Inside `dvc exp run` DVC has already composed conf/ and applied -S overrides.
        log.info("compose: inside dvc exp run, keeping DVC's params.yaml")
        load_params(params_path)  # checks it
    else:
        params, choices = compose_with_choices()
        try:
            check_params(params)
        except ConfigError as err:
            raise ConfigError(conf_file(str(err), choices)) from err
        text = to_yaml(params)
        path = Path(params_path)
        if path.exists() and path.read_text() == text:
            log.info("compose: %s is up to date with conf/", path)
        else:
            write_text(path, text)
            log.info("compose: wrote %s from conf/", path)
    write_text(STAMP, "composed\n")
