"""Audit the pinned dependencies with pip-audit and say plainly what was and was not checked.

pip-audit alone prints "No known vulnerabilities found" even when it could look up nothing (as on
a machine whose package index mirror has no vulnerability data), so this counts the packages it
actually audited. Exit code: 1 when a vulnerability is found, else 0 (a report, not a gate, when
nothing could be checked).
Usage: python scripts/audit.py requirements.lock
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path


def summarize(report: dict) -> tuple[str, int]:
    """pip-audit's JSON report -> (text for the CI log, exit code)."""
    deps = report["dependencies"]
    skipped = [d for d in deps if "skip_reason" in d]
    findings = [(d["name"], d["version"], v) for d in deps for v in d.get("vulns", [])]
    noun = "vulnerability" if len(findings) == 1 else "vulnerabilities"
    lines = [f"audit: {len(deps) - len(skipped)} of {len(deps)} pinned packages checked against PyPI's "
             f"vulnerability data; {len(findings)} known {noun}"]  # fmt: skip
    if findings:
        lines += ["| package | version | advisory | fixed in |", "|---|---|---|---|"]
        lines += [f"| {name} | {version} | {vuln['id']} | {', '.join(vuln.get('fix_versions') or []) or '-'} |"
                  for name, version, vuln in findings]  # fmt: skip
    if skipped:
        reasons = sorted({d["skip_reason"].split(":")[0] for d in skipped})
        lines.append(f"audit: NOT CHECKED: {len(skipped)} package(s) ({'; '.join(reasons)}), e.g. "
                     f"{', '.join(d['name'] for d in skipped[:5])}")  # fmt: skip
    return "\n".join(lines) + "\n", 1 if findings else 0


def main(lock: str) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "audit.json"
        command = [sys.executable, "-m", "pip_audit", "--disable-pip", "--no-deps", "-r", lock, "-f", "json",
                   "-o", str(out), "--progress-spinner", "off"]  # fmt: skip
        proc = subprocess.run(command, capture_output=True, text=True)
        if not out.exists():
            sys.stdout.write(f"audit: pip-audit failed (exit {proc.returncode}):\n{proc.stderr}")
            return 0
        text, code = summarize(json.loads(out.read_text()))
    sys.stdout.write(text)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "requirements.lock"))
