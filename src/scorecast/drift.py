"""Input drift: compare logged prediction inputs with the training split, feature by feature.

Numerics: population stability index on the training deciles plus a two-sample Kolmogorov-Smirnov
p-value; categoricals: PSI over the categories plus total variation distance. A feature is flagged
when its PSI passes `drift.psi_threshold` (0.2 is the usual "significant shift" line).
"""

from __future__ import annotations

import html
import logging
import math
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scorecast.artifacts import read_parquet, write_json, write_text
from scorecast.dataset import Column, DatasetSpec
from scorecast.errors import DataValidationError, MissingArtifactError
from scorecast.params import DriftParams
from scorecast.paths import REPORT_HTML, REPORT_JSON, TRAIN_PATH
from scorecast.predlog import read_model_tags, read_records

log = logging.getLogger(__name__)

EPS = 1e-4
MISSING = "(missing)"
BINS = 10  # training deciles
LABEL_CHARS = 24  # longest chart label drawn whole
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


def _scale(lo: float, hi: float) -> float:
    """2 when hi - lo is past the largest float (-1e308 to 1e308): bins are then computed in halves."""
    return 1.0 if math.isfinite(float(hi) - float(lo)) else 2.0


def decile_edges(values: pd.Series, bins: int = BINS) -> np.ndarray:
    """Bin edges at the training quantiles, the outer bins open-ended so every finite or infinite live value
    lands in one. A column with at most `bins` distinct training values gets a bin per value plus one below
    and one above: interpolated quantiles would put edges between values (a 50/50 binary column would get
    one edge at 0.5, so a shift from 1 to 7 would stay in the top bin with a PSI of 0). A column with no
    values gets a single bin (its drift is then in the blank share alone)."""
    values = values[np.isfinite(values)]
    if values.empty:
        return np.array([-np.inf, np.inf])
    edges = np.unique(values)
    few = len(edges) <= bins
    if not few:
        scale = _scale(edges[0], edges[-1])
        edges = np.unique(np.quantile(values / scale, np.linspace(0, 1, bins + 1)) * scale)
    if few or len(edges) < 3:  # (< 3: most of the mass on one value) a bin per edge, plus below and above
        return np.r_[-np.inf, edges, np.nextafter(edges[-1], np.inf), np.inf]
    edges[0], edges[-1] = -np.inf, np.inf
    return edges


def numeric_drift(train: pd.Series, live: pd.Series, bins: int = BINS) -> dict[str, float]:
    from scipy.stats import ks_2samp

    edges = decile_edges(train.dropna().astype(float), bins)
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
        raise MissingArtifactError("drift: the prediction log has no rows to compare yet")
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


def chart_bins(train: pd.Series, live: pd.Series, bins: int = BINS) -> tuple[np.ndarray, list[str]]:
    """Equal-width bins over the training range (over the live one when training has no values), plus a bin
    each for values below and above it: one live value of 1e308 shows as a bar of its own, not as a range so
    wide that every other value shares one bar. Labels get as many digits as it takes to tell them apart."""
    values = train.dropna().astype(float)
    values = values[np.isfinite(values)]
    if values.empty:
        values = live.dropna().astype(float)
        values = values[np.isfinite(values)]
    if values.empty:
        return np.array([-np.inf, np.inf]), ["all"]
    lo, hi = float(values.min()), float(values.max())
    scale = _scale(lo, hi)
    inner = np.unique(np.linspace(lo / scale, hi / scale, bins + 1) * scale)  # one edge when lo == hi (or nearly)
    starts = inner[:-1] if len(inner) > 1 else inner
    digits = next((d for d in range(3, 18) if len({f"{e:.{d}g}" for e in inner}) == len(inner)), 17)
    labels = [f"<{lo:.{digits}g}", *(f"{edge:.{digits}g}" for edge in starts), f">{hi:.{digits}g}"]
    return np.r_[-np.inf, starts, np.nextafter(hi, np.inf), np.inf], labels


def _label(text: str, limit: int = LABEL_CHARS) -> str:
    """A category name past `limit` characters shortened with an ellipsis (the tooltip has it whole); numeric
    labels are at most 24 characters ("<-1.0000000000000004e+16"), so never shortened."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _bars(train: pd.Series, live: pd.Series, numeric: bool) -> str:
    """A small inline SVG of train vs live distributions (no scripts, no CDN)."""
    if numeric:
        edges, labels = chart_bins(train, live)
        t, lv = numeric_shares(train, live, edges)
        labels += [MISSING] * (len(t) - len(labels))
    else:
        labels, t, lv = category_shares(train, live)
    width, height, top = 40 * len(t) + 20, 150, max(t.max(), lv.max(), EPS)
    shown = [_label(str(label)) for label in labels]  # run downwards, 10 px a character at most (font-size 10)
    below = 12 + 10 * max(len(label) for label in shown)
    parts = [f'<svg width="{width}" height="{height + below}" role="img">']
    for i, (a, b) in enumerate(zip(t, lv, strict=True)):
        x = 10 + 40 * i
        for dx, value, colour in ((0, a, "#8da0cb"), (17, b, "#fc8d62")):
            h = height * value / top
            parts.append(f'<rect x="{x + dx}" y="{height - h:.1f}" width="16" height="{h:.1f}" fill="{colour}"/>')
        title, label = html.escape(str(labels[i])), html.escape(shown[i])
        parts.append(f'<text transform="translate({x + 20},{height + 6}) rotate(-90)" text-anchor="end" '
                     f'font-size="10"><title>{title}</title>{label}</text>')  # fmt: skip
    parts.append("</svg>")
    return "".join(parts)


def render_html(summary: dict[str, Any], train: pd.DataFrame, live: pd.DataFrame) -> str:
    rows = []
    for f in summary["features"]:
        if f["kind"] == "numeric":
            stat = "KS: no values" if f["ks_pvalue"] is None else f"KS p = {f['ks_pvalue']:.3g}"
        else:
            stat = f"TVD = {f['tvd']:.3f}"
        flag = '<b style="color:#c0392b">drifted</b>' if f["drifted"] else "ok"
        chart = _bars(train[f["feature"]], live[f["feature"]], f["kind"] == "numeric")
        rows.append(f"<tr><td>{html.escape(f['feature'])}</td><td>{f['psi']:.3f}</td><td>{stat}</td>"
                    f"<td>{flag}</td><td>{chart}</td></tr>")  # fmt: skip
    warning = summary.get("warning", "")
    warning = f'<b style="color:#c0392b">{html.escape(warning[:1].upper() + warning[1:])}</b>.<br>' if warning else ""
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>scorecast drift report</title>
<style>body{{font-family:sans-serif;margin:2em}}td,th{{padding:4px 10px;border-bottom:1px solid #ddd}}</style>
</head><body><h1>Input drift</h1>
<p>{summary["live_rows"]} logged inputs against {summary["train_rows"]} training rows; PSI threshold
{summary["psi_threshold"]}. Drifted: <b>{html.escape(", ".join(summary["drifted"]) or "none")}</b>.
{warning}Bars: <span style="color:#8da0cb">training</span> vs <span style="color:#fc8d62">logged</span>.</p>
<table><tr><th>feature</th><th>PSI</th><th>test</th><th>flag</th><th>distribution</th></tr>
{"".join(rows)}</table></body></html>
"""


def this_dataset(records: list[dict[str, Any]], spec: DatasetSpec, path: Path) -> pd.DataFrame:
    """The logged inputs made for this dataset (records with exactly its fields): one log can hold the
    predictions of models trained on other datasets, whose inputs say nothing about this one's drift."""
    names = set(spec.feature_names)
    ours = [r for r in records if r.keys() == names]
    if records and not ours:
        raise MissingArtifactError(
            f"{path}: none of its {len(records)} logged input(s) has {spec.name}'s fields "
            f"({', '.join(spec.feature_names)}); its predictions came from models of another dataset"
        )
    if len(ours) < len(records):
        log.warning("drift: %d of %d logged input(s) in %s have other fields than %s's, left out",
                    len(records) - len(ours), len(records), path, spec.name)  # fmt: skip
    return pd.DataFrame(ours, columns=spec.feature_names)


def main(params: dict, log_path: str | None = None, model_tag: str | None = None) -> dict[str, Any]:
    opts = DriftParams.of(params)
    path = Path(log_path or opts.log_path)
    if not path.is_file():
        raise MissingArtifactError(f"{path}: no prediction log yet (the service writes it; see SCORECAST_LOG_PATH)")
    spec = DatasetSpec.from_params(params["data"])
    try:
        records = read_records(path, model_tag)
        if model_tag and not records and (tags := read_model_tags(path)):
            raise MissingArtifactError(
                f"{path}: no predictions from model {model_tag!r}; it holds predictions of {', '.join(tags)}"
            )
    except sqlite3.OperationalError as err:
        raise MissingArtifactError(f"{path}: cannot read the prediction log ({err})") from err
    except sqlite3.DatabaseError as err:
        raise DataValidationError(
            f"{path}: not a prediction log ({err}); expected the SQLite file the service writes"
        ) from err
    live = this_dataset(records, spec, path)
    train = read_parquet(TRAIN_PATH)
    summary = drift(train, live, list(spec.features), psi_threshold=opts.psi_threshold)
    write_json(REPORT_JSON, summary)
    write_text(REPORT_HTML, render_html(summary, train, live))
    log.info("drift: %d logged inputs; drifted: %s; report %s", summary["live_rows"],
             ", ".join(summary["drifted"]) or "none", REPORT_HTML)  # fmt: skip
    return summary
