"""Serving knobs from environment variables, checked once at start-up with messages naming the variable."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from scorecast.errors import ConfigError
from scorecast.paths import PREDICTION_LOG


@dataclass(frozen=True)
class Settings:
    model_tag: str | None = None  # None: the workspace's packaged model (see store.ensure_in_store)
    api_key: str | None = None
    rate_limit: int = 0  # requests per minute per client; 0 = off
    rate_limit_db: str | None = None  # shared by the workers; default: a file in the temp dir
    max_bytes: int = 16 * 1024 * 1024
    max_rows: int = 50_000
    workers: int = 2
    log_path: str | None = str(PREDICTION_LOG)  # SQLite prediction log; None = off

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        return cls(
            model_tag=env.get("SCORECAST_MODEL_TAG") or None,
            api_key=env.get("SCORECAST_API_KEY") or None,
            rate_limit=_int(env, "SCORECAST_RATE_LIMIT", 0, minimum=0),
            rate_limit_db=env.get("SCORECAST_RATE_LIMIT_DB") or None,
            max_bytes=_int(env, "SCORECAST_MAX_BYTES", cls.max_bytes, minimum=1),
            max_rows=_int(env, "SCORECAST_MAX_ROWS", cls.max_rows, minimum=1),
            workers=_int(env, "SCORECAST_WORKERS", cls.workers, minimum=1),
            log_path=_log_path(env.get("SCORECAST_LOG_PATH")),
        )


def _int(env: Mapping[str, str], name: str, default: int, *, minimum: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as err:
        raise ConfigError(f"environment variable {name}={raw!r}: expected an integer >= {minimum}") from err
    if value < minimum:
        raise ConfigError(f"environment variable {name}={raw!r}: expected an integer >= {minimum}")
    return value


def _log_path(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return Settings.log_path
    return None if raw.strip().lower() in ("off", "none", "0") else raw.strip()
