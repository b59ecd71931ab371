"""Where a candidate's fits run: in process, on local cores, or on an existing Dask or Ray cluster.

DVC runs the tournament's foreach entries one after another; inside an entry, the grid points x
folds go through joblib, so the backend chosen here spreads them over cores or a cluster. The
results are identical whichever backend runs them, so this config is not a DVC param.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from scorecast.errors import ConfigError
from scorecast.params import check_setting

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 10


@contextmanager
def parallel_backend(backend: str = "sequential", n_jobs: int = 1, address: str | None = None) -> Iterator[int]:
    """Point joblib at the chosen engine; yield the n_jobs to hand to GridSearchCV."""
    import joblib

    check_setting("tournament.parallel.backend", backend)
    if backend == "sequential":
        yield 1
        return
    with ExitStack() as stack:
        if backend == "dask":
            stack.enter_context(_dask_client(address))
        elif backend == "ray":
            _ray_init(address)
        stack.enter_context(joblib.parallel_config(backend=backend, n_jobs=n_jobs))
        log.info("tournament: fits run on %s (n_jobs=%s%s)", backend, n_jobs, f", {address}" if address else "")
        yield n_jobs


@contextmanager
def _dask_client(address: str | None) -> Iterator[object]:
    try:
        from dask.distributed import Client
    except ImportError as err:
        raise ConfigError("params.yaml: tournament.parallel.backend is 'dask' but dask is not installed: "
                          "pip install 'scorecast[dask]'") from err  # fmt: skip
    try:
        # No address: a throwaway local cluster, bound to loopback only.
        client = (
            Client(address, timeout=CONNECT_TIMEOUT_S) if address else Client(host="127.0.0.1", dashboard_address=None)
        )
    except OSError as err:
        raise ConfigError(
            f"params.yaml: tournament.parallel.address is {address!r}, and no Dask scheduler answers there ({err})"
        ) from err
    try:
        yield client
    finally:
        client.close()


def _ray_init(address: str | None) -> None:
    try:
        import ray
        from ray.util.joblib import register_ray
    except ImportError as err:
        raise ConfigError(
            "params.yaml: tournament.parallel.backend is 'ray' but ray is not installed: pip install ray"
        ) from err
    register_ray()
    ray.init(address=address, ignore_reinit_error=True)
