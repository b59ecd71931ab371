from __future__ import annotations

import shutil

import pytest
import yaml

from scorecast.compose import compose, to_yaml
from scorecast.errors import ConfigError


def test_committed_params_yaml_equals_composed_conf(root, params):
    committed = yaml.safe_load((root / "params.yaml").read_text())
    assert committed == params, "params.yaml is stale: run `scorecast compose` and commit it"


def test_yaml_round_trips(params):
    assert yaml.safe_load(to_yaml(params)) == params


def test_overrides_select_candidates(root):
    params = compose(root / "conf", ["model=[linear,ridge]"])
    assert list(params["tournament"]["candidates"]) == ["linear", "ridge"]


def test_unknown_model_is_a_config_error(root, tmp_path):
    conf = tmp_path / "conf"
    shutil.copytree(root / "conf", conf)
    text = (conf / "config.yaml").read_text().replace("      - ridge\n", "      - rigde\n")
    (conf / "config.yaml").write_text(text)
    with pytest.raises(ConfigError, match=r"conf/model/rigde.yaml: no such model config \(named in the defaults list "
                       r"or an override\); expected one of adaboost, catboost, .*, ridge, svr, xgboost$"):  # fmt: skip
        compose(conf)
    with pytest.raises(ConfigError, match=r"conf/data/diabets.yaml: no such data config .*expected one of diabetes, "
                       r"students$"):  # fmt: skip
        compose(root / "conf", ["data=diabets"])
    with pytest.raises(
        ConfigError,
        match=r"Could not find 'hydra/job_logging/nope' Available options in 'hydra/job_logging': default disabled",
    ):
        compose(root / "conf", ["hydra/job_logging=nope"])  # Hydra's own group: its message lists its options


@pytest.mark.parametrize(
    ("text", "package"),
    [
        ("# @package a.b   \nx: 1\n", "a.b"),
        ("\n#@package a.b\n", "a.b"),
        ("# @other x\n# @package a.b\n", "a.b"),
        ("# a comment\n# @package a.b\n", None),
        ("x: 1\n# @package a.b\n", None),
    ],
)
def test_package_header_is_read_as_hydra_reads_it(text, package):
    from scorecast.compose import package_header

    assert package_header(text) == package


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("data/students.yaml", "group E", "group A", r"^conf/data/students\.yaml: data \(students\)\.features\."
         r"race_ethnicity\.categories lists 'group A' twice"),
        ("config.yaml", "  min_cv_r2:", "  min_cv_2:", r"^conf/config\.yaml: select\.min_cv_2 is not a setting"),
        ("split/stratified.yaml", "test_size: 0.2", "test_size: 2", r"^conf/split/stratified\.yaml: split\.test_size "
         r"is 2; expected"),
        ("config.yaml", "_self_\n", "_self_\nsplit:\n  test_size: 2\n", r"^conf/config\.yaml: split\.test_size is 2"),
        ("config.yaml", "  - data: students\n", "", r"^conf/config\.yaml: no 'data' section; pick a conf/data/ file "
         r"in conf/config\.yaml's defaults list \(`- data: <file name>`\)"),
        ("config.yaml", "select:", "chosen:", r"^conf/config\.yaml: unknown section 'chosen'"),
    ],
)  # fmt: skip
def test_a_bad_conf_value_is_named_in_the_conf_file_that_sets_it(root, tmp_path, monkeypatch, file, old, new, message):
    from scorecast.compose import main

    shutil.copytree(root / "conf", tmp_path / "conf")
    path = tmp_path / "conf" / file
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new))
    (tmp_path / "params.yaml").write_text("the last good params.yaml\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DVC_EXP_BASELINE_REV", raising=False)
    with pytest.raises(ConfigError, match=message):
        main()
    assert (tmp_path / "params.yaml").read_text() == "the last good params.yaml\n"  # not written
