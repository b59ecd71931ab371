"""The drift stage: compare the inputs the service logged with the training split, and write the report
(reports/drift.json, and reports/drift.html with a train-vs-logged chart per feature)."""

from __future__ import annotations

import html
import logging
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scorecast.artifacts import read_parquet, write_json, write_text
from scorecast.dataset import DatasetSpec
from scorecast.drift_stats import BINS, EPS, MISSING, category_shares, drift, numeric_shares, range_scale
from scorecast.errors import DataValidationError, MissingArtifactError
from scorecast.params import DriftParams
from scorecast.paths import REPORT_HTML, REPORT_JSON, TRAIN_PATH
from scorecast.predlog import read_model_tags, read_records

log = logging.getLogger(__name__)

LABEL_CHARS = 24  # longest chart label drawn whole


def chart_bins(train: pd.Series, live: pd.Series) -> tuple[np.ndarray, list[str]]:
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
    scale = range_scale(lo, hi)
    inner = np.unique(np.linspace(lo / scale, hi / scale, BINS + 1) * scale)  # one edge when lo == hi (or nearly)
    starts = inner[:-1] if len(inner) > 1 else inner
    digits = next((d for d in range(3, 18) if len({f"{e:.{d}g}" for e in inner}) == len(inner)), 17)
    labels = [f"<{lo:.{digits}g}", *(f"{edge:.{digits}g}" for edge in starts), f">{hi:.{digits}g}"]
    return np.r_[-np.inf, starts, np.nextafter(hi, np.inf), np.inf], labels


def _label(text: str) -> str:
    """A category name past LABEL_CHARS characters shortened with an ellipsis (the tooltip has it whole); numeric
    labels are at most 24 characters ("<-1.0000000000000004e+16"), so never shortened."""
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


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
            f"{path}: none of its {len(records)} logged input(s) has the fields of dataset {spec.name} "
            f"({', '.join(spec.feature_names)}); its predictions came from models of another dataset"
        )
    if len(ours) < len(records):
        log.warning("drift: %d of %d logged input(s) in %s have other fields than those of dataset %s, left out",
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
    if live.empty:
        raise MissingArtifactError(f"{path}: no logged predictions yet (the service appends one per prediction)")
    train = read_parquet(TRAIN_PATH)
    summary = drift(train, live, list(spec.features), psi_threshold=opts.psi_threshold)
    write_json(REPORT_JSON, summary)
    write_text(REPORT_HTML, render_html(summary, train, live))
    log.info("drift: %d logged inputs; drifted: %s; report %s", summary["live_rows"],
             ", ".join(summary["drifted"]) or "none", REPORT_HTML)  # fmt: skip
    return summary
