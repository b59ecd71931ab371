"""Drift statistics: how far a live sample of one feature has moved from its training values.

Numerics: population stability index on the training deciles plus a two-sample Kolmogorov-Smirnov
p-value; categoricals: PSI over the categories plus total variation distance. A feature is flagged
when its PSI passes the threshold (0.2 is the usual "significant shift" line).
"""

from __future__ import annotations

import logging
import math
from typing import Any

import numpy as np
import pandas as pd

from scorecast.dataset import Column

log = logging.getLogger(__name__)

EPS = 1e-4
MISSING = "(missing)"
BINS = 10  # training deciles
MIN_LIVE_ROWS = 100  # fewer logged inputs get a warning: PSI's sampling noise nears the usual 0.2 threshold


def _psi(expected: np.ndarray, actual: np.ndarray) -> float:
    e = np.clip(expected, EPS, None)
    a = np.clip(actual, EPS, None)
    return float(np.sum((a - e) * np.log(a / e)))


def numeric_shares(train: pd.Series, live: pd.Series, edges: Any) -> tuple[np.ndarray, np.ndarray]:
    """Each sample's share of values in each bin, plus a last share of blanks when either sample has any:
    as for categories, a column going blank is drift too. The shares of each sample sum to 1."""
    blanks = bool(train.isna().any() or live.isna().any())

    def shares(values: pd.Series) -> np.ndarray:
        counts = np.histogram(values.dropna().astype(float), edges)[0]
        return np.append(counts, values.isna().sum()) / max(len(values), 1) if blanks else counts / max(len(values), 1)

    return shares(train), shares(live)


def category_shares(train: pd.Series, live: pd.Series) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Each sample's share of each level, a blank counting as a level of its own: a change in how often a
    value is missing is drift too. The shares of each sample sum to 1."""
    train, live = (s.astype(object).where(s.notna(), MISSING).astype(str) for s in (train, live))
    levels = sorted(set(train) | set(live))
    expected, actual = (s.value_counts(normalize=True).reindex(levels, fill_value=0).to_numpy() for s in (train, live))
    return levels, expected, actual


def range_scale(lo: float, hi: float) -> float:
    """2 when hi - lo is past the largest float (-1e308 to 1e308): bins are then computed in halves."""
    return 1.0 if math.isfinite(float(hi) - float(lo)) else 2.0


def decile_edges(values: pd.Series) -> np.ndarray:
    """Bin edges at the training quantiles, the outer bins open-ended so every finite or infinite live value
    lands in one. A column with at most BINS distinct training values gets a bin per value plus one below
    and one above: interpolated quantiles would put edges between values (a 50/50 binary column would get
    one edge at 0.5, so a shift from 1 to 7 would stay in the top bin with a PSI of 0). A column with no
    values gets a single bin (its drift is then in the blank share alone)."""
    values = values[np.isfinite(values)]
    if values.empty:
        return np.array([-np.inf, np.inf])
    edges = np.unique(values)
    few = len(edges) <= BINS
    if not few:
        scale = range_scale(edges[0], edges[-1])
        edges = np.unique(np.quantile(values / scale, np.linspace(0, 1, BINS + 1)) * scale)
    if few or len(edges) < 3:  # (< 3: most of the mass on one value) a bin per edge, plus below and above
        return np.r_[-np.inf, edges, np.nextafter(edges[-1], np.inf), np.inf]
    edges[0], edges[-1] = -np.inf, np.inf
    return edges


def numeric_drift(train: pd.Series, live: pd.Series) -> dict[str, float]:
    from scipy.stats import ks_2samp

    edges = decile_edges(train.dropna().astype(float))
    expected, actual = numeric_shares(train, live, edges)
    present = [s.dropna().astype(float) for s in (train, live)]
    pvalue = round(float(ks_2samp(*present).pvalue), 6) if all(len(s) for s in present) else None  # all blank
    return {"psi": round(_psi(expected, actual), 6), "ks_pvalue": pvalue}


def categorical_drift(train: pd.Series, live: pd.Series) -> dict[str, float]:
    _, expected, actual = category_shares(train, live)
    return {"psi": round(_psi(expected, actual), 6), "tvd": round(float(0.5 * np.abs(expected - actual).sum()), 6)}


def drift(train: pd.DataFrame, live: pd.DataFrame, features: list[Column], *, psi_threshold: float) -> dict[str, Any]:
    """Per-feature drift statistics and flags for `live` against `train`."""
    if live.empty:
        raise ValueError("no live rows: PSI and the KS test need at least one")  # main() says so for a log
    rows = []
    for col in features:
        if col.name not in live.columns:
            continue
        stats = (
            numeric_drift(train[col.name], live[col.name])
            if col.is_numeric
            else categorical_drift(train[col.name], live[col.name])
        )
        rows.append({"feature": col.name, "kind": "numeric" if col.is_numeric else "categorical", **stats,
                     "drifted": stats["psi"] > psi_threshold})  # fmt: skip
    summary = {
        "train_rows": int(len(train)),
        "live_rows": int(len(live)),
        "psi_threshold": psi_threshold,
        "drifted": [r["feature"] for r in rows if r["drifted"]],
        "features": rows,
    }
    if len(live) < MIN_LIVE_ROWS:
        noise = (BINS - 1) * (1 / len(live) + 1 / max(len(train), 1))
        summary["warning"] = (
            f"only {len(live)} logged input(s): sampling alone gives a numeric feature a PSI of about {noise:.2f} "
            f"on average ({BINS} bins), so flags are unreliable below {MIN_LIVE_ROWS} inputs"
        )
        log.warning("drift: %s", summary["warning"])
    return summary
