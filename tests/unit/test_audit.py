"""scripts/audit.py: counts what pip-audit really checked, and fails only on a finding."""

from __future__ import annotations

import importlib.util
from pathlib import Path

spec = importlib.util.spec_from_file_location("audit", Path(__file__).resolve().parents[2] / "scripts/audit.py")
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)


def test_nothing_checked_is_said_plainly_and_does_not_fail():
    report = {
        "dependencies": [{"name": "a", "skip_reason": "Dependency not found on PyPI and could not be audited: a"}]
    }
    text, code = audit.summarize(report)
    assert "0 of 1 pinned packages checked" in text and "NOT CHECKED: 1 package(s)" in text
    assert code == 0


def test_a_finding_is_listed_with_its_fix_and_fails():
    report = {"dependencies": [
        {"name": "jinja2", "version": "3.1.2", "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"]}]},
        {"name": "numpy", "version": "2.4.6", "vulns": []},
    ]}  # fmt: skip
    text, code = audit.summarize(report)
    assert "2 of 2 pinned packages checked" in text and "1 known vulnerability" in text
    assert "| jinja2 | 3.1.2 | GHSA-h5c8-rqwp-cp95 | 3.1.3 |" in text
    assert code == 1
