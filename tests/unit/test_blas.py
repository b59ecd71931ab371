"""Stages pin OpenBLAS's kernels, so a fit's bits (and dvc.lock) do not depend on which x86-64 CPU ran it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from scorecast.cli import blas_kernel, machine_kernel, pin_blas_kernel

ROOT = Path(__file__).resolve().parents[2]
AVX2 = "processor\t: 0\nflags\t\t: fpu sse2 avx fma avx2 bmi2\n"
AVX512 = "flags\t\t: fpu sse2 avx fma avx2 avx512f avx512dq\n"


@pytest.mark.parametrize("cpuinfo", [AVX2, AVX512])
def test_every_avx2_cpu_gets_the_same_kernels(cpuinfo):
    assert blas_kernel("x86_64", cpuinfo) == "Haswell"


@pytest.mark.parametrize(
    ("machine", "cpuinfo"),
    [
        ("x86_64", "flags\t\t: fpu sse2 avx\n"),  # no AVX2: Haswell kernels would not run
        ("x86_64", "flags\t\t: fpu sse2 avx2\n"),  # AVX2 without FMA
        ("aarch64", "Features\t: fp asimd\n"),
        ("x86_64", ""),
    ],
)
def test_other_cpus_are_left_to_openblas(machine, cpuinfo):
    assert blas_kernel(machine, cpuinfo) is None


def openblas_kernels(env: dict[str, str]) -> list[str]:
    """What numpy's and scipy's OpenBLAS report after `scorecast` pinned (or not) in a fresh process."""
    code = (
        "from scorecast.cli import pin_blas_kernel; pin_blas_kernel()\n"
        "import scipy.linalg\n"
        "from threadpoolctl import threadpool_info\n"
        "print(' '.join(i['architecture'] for i in threadpool_info() if i['internal_api'] == 'openblas'))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_the_pin_reaches_numpy_and_scipy_and_a_users_choice_wins(monkeypatch):
    expected = machine_kernel()
    if expected is None:
        pytest.skip("not a Linux x86-64 CPU with AVX2: nothing is pinned")
    monkeypatch.setenv("OPENBLAS_CORETYPE", "placeholder")  # so monkeypatch restores the variable's absence
    monkeypatch.delenv("OPENBLAS_CORETYPE")
    pin_blas_kernel()
    assert os.environ["OPENBLAS_CORETYPE"] == expected
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    env["PYTHONPATH"] = str(ROOT / "src")
    assert openblas_kernels(env) == [expected, expected]
    assert openblas_kernels({**env, "OPENBLAS_CORETYPE": "Sandybridge"}) == ["Sandybridge", "Sandybridge"]
