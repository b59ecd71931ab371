from __future__ import annotations

import pytest

from scorecast.candidates import Candidate
from scorecast.errors import ConfigError
from scorecast.parallel import parallel_backend
from scorecast.preprocess import build_preprocessor
from scorecast.tournament import cross_validate

RIDGE = Candidate("ridge", "sklearn.linear_model.Ridge", 2, {}, {"alpha": [0.1, 1.0, 10.0]})


def run(spec, frame, **backend):
    with parallel_backend(**backend) as n_jobs:
        result = cross_validate(RIDGE, build_preprocessor(spec), frame, target="math_score", folds=3, repeats=1,
                                seed=0, n_jobs=n_jobs)  # fmt: skip
    result.pop("fit_seconds")
    return result


def test_threads_give_the_same_result_as_sequential(spec, students):
    assert run(spec, students, backend="threading", n_jobs=2) == run(spec, students)


@pytest.mark.slow
def test_a_local_dask_cluster_gives_the_same_result(spec, students):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        on_dask = run(spec, students, backend="dask", n_jobs=2, address=cluster.scheduler_address)
    assert on_dask == run(spec, students)


def test_unknown_backend():
    with pytest.raises(ConfigError, match="tournament.parallel.backend is 'spark'"), parallel_backend("spark"):
        pass


def test_unreachable_dask_scheduler(monkeypatch):
    pytest.importorskip("dask.distributed")
    monkeypatch.setattr("scorecast.parallel.CONNECT_TIMEOUT_S", 1)
    with (
        pytest.raises(
            ConfigError, match=r"^params\.yaml: tournament\.parallel\.address is .*, and no Dask scheduler answers"
        ),
        parallel_backend("dask", 2, "tcp://127.0.0.1:9"),
    ):
        pass
