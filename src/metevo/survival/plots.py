"""Kaplan-Meier and forest plots as hand-written SVG (no plotting library).

Deterministic text: fixed sizes, coordinates rounded to 0.01 px, no ids or dates, text kept
as text. Colours follow the report's qualitative palette.
"""

from __future__ import annotations

import math
from html import escape

import numpy as np
import pandas as pd

PALETTE = ["#4C72B0", "#C44E52", "#55A868", "#8172B3", "#DD8452", "#937860", "#DA8BC3", "#8C8C8C", "#CCB974", "#64B5CD"]
FONT = 'font-family="Helvetica, Arial, sans-serif"'


def _n(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _text(x, y, s, *, size=11, anchor="start", fill="#222", weight=None) -> str:
    w = f' font-weight="{weight}"' if weight else ""
    return (f'<text x="{_n(x)}" y="{_n(y)}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{w}>'
            f"{escape(str(s))}</text>")


def _line(x1, y1, x2, y2, *, stroke="#222", width=1.0, extra="") -> str:
    return (f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{stroke}" '
            f'stroke-width="{_n(width)}"{extra}/>')


def nice_ticks(low: float, high: float, target: int = 6) -> list[float]:
    """Round tick values covering [low, high] (1, 2, 2.5, 5 x 10^k steps)."""
    if not math.isfinite(high) or high <= low:
        high = low + 1.0
    raw = (high - low) / max(target - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    start = math.floor(low / step) * step
    ticks = []
    v = start
    while v <= high + step * 1e-9:
        ticks.append(round(v, 10))
        v += step
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _label(v: float) -> str:
    return format(v, "g")


def km_svg(curves: pd.DataFrame, km: pd.DataFrame, *, title: str = "", time_label: str = "time",
           group_label: str = "") -> str:
    """Step curves of S(t) per group with censor ticks, median survival in the legend and the
    numbers at risk under the time axis (``curves``: km_curve.tsv rows; ``km``: km.tsv)."""
    groups = km["group"].astype(str).tolist()
    width, left, right, top = 700, 110, 20, 34
    plot_h = 300
    risk_row = 16
    risk_h = 28 + risk_row * len(groups)
    height = top + plot_h + 44 + risk_h
    plot_w = width - left - right
    tmax = float(curves["time"].max()) if len(curves) else 1.0
    ticks = nice_ticks(0.0, tmax if tmax > 0 else 1.0)
    xmax = ticks[-1]

    def X(t):
        return left + plot_w * (t / xmax)

    def Y(s):
        return top + plot_h * (1 - s)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" {FONT}>',
           f'<rect x="0" y="0" width="{width}" height="{height}" fill="white"/>']
    if title:
        out.append(_text(left, 20, title, size=13, weight="bold"))
    # axes and grid
    for s in (0, 0.25, 0.5, 0.75, 1.0):
        out.append(_line(left, Y(s), left + plot_w, Y(s), stroke="#e5e5e5", width=0.8))
        out.append(_text(left - 8, Y(s) + 4, _label(s), size=10, anchor="end"))
    out.append(_line(left, top, left, top + plot_h))
    out.append(_line(left, top + plot_h, left + plot_w, top + plot_h))
    for t in ticks:
        out.append(_line(X(t), top + plot_h, X(t), top + plot_h + 5))
        out.append(_text(X(t), top + plot_h + 17, _label(t), size=10, anchor="middle"))
    out.append(_text(left + plot_w / 2, top + plot_h + 34, time_label, size=11, anchor="middle"))
    out.append(f'<text x="18" y="{_n(top + plot_h / 2)}" font-size="11" text-anchor="middle" fill="#222" '
               f'transform="rotate(-90 18 {_n(top + plot_h / 2)})">survival probability</text>')
    # curves
    for i, g in enumerate(groups):
        colour = PALETTE[i % len(PALETTE)]
        c = curves[curves["group"].astype(str) == g]
        t = c["time"].to_numpy(dtype=float)
        s = c["surv"].to_numpy(dtype=float)
        points = [(0.0, 1.0)]
        level = 1.0
        for tt, ss in zip(t, s):
            if ss != level:
                points.append((tt, level))
                points.append((tt, ss))
                level = ss
        points.append((t[-1] if t.size else 0.0, level))
        path = " ".join(f"{'M' if k == 0 else 'L'}{_n(X(a))},{_n(Y(b))}" for k, (a, b) in enumerate(points))
        out.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="1.8"/>')
        cens = c[c["n_censor"] > 0]
        for tt, ss in zip(cens["time"].to_numpy(float), cens["surv"].to_numpy(float)):
            out.append(_line(X(tt), Y(ss) - 4, X(tt), Y(ss) + 4, stroke=colour, width=1.2))
    # legend (upper right) with medians
    ly = top + 8
    for i, row in enumerate(km.itertuples(index=False)):
        colour = PALETTE[i % len(PALETTE)]
        med = "NR" if pd.isna(row.median) else _label(row.median)
        name = f"{group_label}={row.group}" if group_label else str(row.group)
        label = f"{name} (n={row.n}, events={row.events}, median {med})"
        y = ly + 16 * i
        out.append(_line(left + plot_w - 290, y, left + plot_w - 270, y, stroke=colour, width=2))
        out.append(_text(left + plot_w - 264, y + 4, label, size=10))
    # numbers at risk
    ry = top + plot_h + 58
    out.append(_text(8, ry, "Number at risk", size=10, weight="bold"))
    for i, g in enumerate(groups):
        colour = PALETTE[i % len(PALETTE)]
        c = curves[curves["group"].astype(str) == g]
        t = c["time"].to_numpy(dtype=float)
        n_risk = c["n_risk"].to_numpy(dtype=float)
        y = ry + risk_row * (i + 1)
        name = f"{group_label}={g}" if group_label else g
        out.append(_text(left - 24, y, name if len(name) <= 14 else name[:13] + "…", size=10, anchor="end",
                         fill=colour))
        for tick in ticks:
            later = np.flatnonzero(t >= tick)
            at_risk = int(n_risk[later[0]]) if later.size else 0
            out.append(_text(X(tick), y, at_risk, size=10, anchor="middle", fill=colour))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def forest_svg(cox: pd.DataFrame, *, title: str = "Hazard ratios (95% CI)") -> str:
    """Hazard ratio and 95% interval of each Cox term on a log axis, univariable models first;
    terms without a hazard ratio are listed with their reason ('NA')."""
    rows = cox[cox["term"].astype(str) != ""].reset_index(drop=True)
    width, label_w, right = 680, 230, 150
    row_h, top = 22, 44
    height = top + row_h * (len(rows) + 2) + 40
    plot_w = width - label_w - right
    finite = rows[["hr", "hr_lcl", "hr_ucl"]].to_numpy(dtype=float)
    finite = finite[np.isfinite(finite) & (finite > 0)]
    lo = min(finite.min(), 1.0) if finite.size else 0.5
    hi = max(finite.max(), 1.0) if finite.size else 2.0
    llo, lhi = math.floor(math.log10(lo) * 2) / 2, math.ceil(math.log10(hi) * 2) / 2
    if lhi - llo < 0.5:
        llo, lhi = llo - 0.25, lhi + 0.25

    def X(hr):
        v = min(max(math.log10(hr), llo), lhi)
        return label_w + plot_w * (v - llo) / (lhi - llo)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" {FONT}>',
           f'<rect x="0" y="0" width="{width}" height="{height}" fill="white"/>',
           _text(10, 20, title, size=13, weight="bold"),
           _text(width - right + 10, top - 8, "HR [95% CI]", size=10, weight="bold")]
    bottom = top + row_h * (len(rows) + 1)
    out.append(_line(X(1.0), top - 4, X(1.0), bottom, stroke="#888", width=1, extra=' stroke-dasharray="4,3"'))
    previous = None
    y = top
    for i, row in rows.iterrows():
        if row["model"] != previous:
            y += row_h * (0.2 if previous is None else 0.6)
            out.append(_text(10, y + 4, str(row["model"]), size=10, weight="bold", fill="#555"))
            previous = row["model"]
            y += row_h * 0.8
        hr, lcl, ucl = (float(row[c]) if pd.notna(row[c]) else math.nan for c in ("hr", "hr_lcl", "hr_ucl"))
        out.append(_text(20, y + 4, row["term"], size=10))
        if math.isfinite(hr) and hr > 0:
            if math.isfinite(lcl) and math.isfinite(ucl) and lcl > 0:
                out.append(_line(X(lcl), y, X(ucl), y, stroke="#333", width=1.4))
            out.append(f'<rect x="{_n(X(hr) - 4)}" y="{_n(y - 4)}" width="8" height="8" fill="#4C72B0"/>')
            text = f"{hr:.2f} [{lcl:.2f}, {ucl:.2f}]"
        else:
            text = "NA"
        out.append(_text(width - right + 10, y + 4, text, size=10))
        y += row_h
    axis_y = y + 6
    out.append(_line(label_w, axis_y, label_w + plot_w, axis_y))
    for k in range(int(math.floor(llo)) - 1, int(math.ceil(lhi)) + 1):
        for m in (1, 2, 5):
            v = m * 10.0 ** k
            if llo - 1e-9 <= math.log10(v) <= lhi + 1e-9:
                out.append(_line(X(v), axis_y, X(v), axis_y + 4))
                out.append(_text(X(v), axis_y + 16, format(v, "g"), size=10, anchor="middle"))
    out.append(_text(label_w + plot_w / 2, axis_y + 32, "hazard ratio (log scale)", size=11, anchor="middle"))
    out[0] = out[0].replace(f'height="{height}"', f'height="{int(axis_y + 44)}"', 1).replace(
        f"0 0 {width} {height}", f"0 0 {width} {int(axis_y + 44)}", 1)
    out[1] = out[1].replace(f'height="{height}"', f'height="{int(axis_y + 44)}"')
    out.append("</svg>")
    return "\n".join(out) + "\n"
