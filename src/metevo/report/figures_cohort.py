"""Figures of the cohort slice as hand-written SVG (no plotting library).

The style of :mod:`metevo.survival.plots`: fixed sizes, coordinates rounded to 0.01 px, no ids
or dates, text kept as text, so the same tables give the same bytes. Drawn elements carry a
``class`` naming what they are (``op-missense``, ``freq-metastasis``, ``ix-cell`` ...) so the
report's tests can count them.
"""

from __future__ import annotations

import math
from html import escape
from typing import Sequence

import numpy as np
import pandas as pd

from metevo.report.figures import SAMPLE_TYPE_COLORS

FONT = 'font-family="Helvetica, Arial, sans-serif"'
EXTERNAL_COLOR = "#8C8C8C"
GROUP_COLORS = {"primary": SAMPLE_TYPE_COLORS["primary"], "metastasis": SAMPLE_TYPE_COLORS["metastasis"],
                "external": EXTERNAL_COLOR}

# oncoprint: copy number fills the cell, mutations are a bar in its middle (maftools' layout)
KIND_COLORS = {
    "amplification": "#D7301F",
    "deletion": "#2166AC",
    "missense": "#33A02C",
    "truncating": "#111111",
    "in_frame": "#8C510A",
    "other": "#984EA3",
}
CN_KINDS = ("amplification", "deletion")
MUTATION_KINDS = ("missense", "truncating", "in_frame", "other")
KIND_LABELS = {"amplification": "amplification", "deletion": "deep deletion", "missense": "missense",
               "truncating": "truncating", "in_frame": "in-frame indel", "other": "other"}


def _n(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _text(x, y, s, *, size=11, anchor="start", fill="#222", weight=None, cls=None, rotate=None) -> str:
    w = f' font-weight="{weight}"' if weight else ""
    c = f' class="{cls}"' if cls else ""
    r = f' transform="rotate({rotate} {_n(x)} {_n(y)})"' if rotate is not None else ""
    return (f'<text x="{_n(x)}" y="{_n(y)}" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{w}{c}{r}>'
            f"{escape(str(s))}</text>")


def _line(x1, y1, x2, y2, *, stroke="#222", width=1.0, extra="") -> str:
    return (f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{stroke}" '
            f'stroke-width="{_n(width)}"{extra}/>')


def _rect(x, y, w, h, fill, *, cls=None, title=None, extra="") -> str:
    c = f' class="{cls}"' if cls else ""
    attrs = f'x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" fill="{fill}"{c}{extra}'
    if title:
        return f"<rect {attrs}><title>{escape(title)}</title></rect>"
    return f"<rect {attrs}/>"


def _open(width: float, height: float) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(width)}" height="{_n(height)}" '
            f'viewBox="0 0 {_n(width)} {_n(height)}" {FONT}>',
            f'<rect x="0" y="0" width="{_n(width)}" height="{_n(height)}" fill="white"/>']


def _finite(value) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _float(value) -> float:
    """A number (infinities kept), NaN for anything else."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def sig_mark(q) -> str:
    """``**`` for q <= 0.01, ``*`` for q <= 0.1, else empty (missing q: empty)."""
    if not _finite(q):
        return ""
    q = float(q)
    return "**" if q <= 0.01 else "*" if q <= 0.1 else ""


def burden_mark(q, burden_q) -> str:
    """:func:`sig_mark` of the burden-aware q when there is one, else of the plain q."""
    return sig_mark(burden_q if _finite(burden_q) else q)


def percent(value) -> str:
    return f"{100 * float(value):.0f}%" if _finite(value) else "NA"


# ------------------------------------------------------------------------------ frequency comparison

def frequency_bars(rows: pd.DataFrame, *, groups: Sequence[tuple[str, str, str]],
                   marks: Sequence[tuple[str, str]], title: str = "") -> str:
    """Horizontal grouped bars: per gene (a row of ``rows``, top to bottom), the fraction mutated
    in each group, and a column of significance marks per comparison.

    ``groups``: (column of fractions, legend label, colour key of GROUP_COLORS); ``marks``:
    (column of q-values, header). A missing fraction draws no bar.
    """
    genes = rows["gene"].astype(str).tolist()
    n_groups = len(groups)
    bar_h = 7.0
    row_h = bar_h * n_groups + 6
    label_w = 16 + 6.2 * max([len(g) for g in genes] + [6])
    plot_w, mark_w = 300, 62
    top = 64 if title else 46
    width = max(label_w + plot_w + 16 + mark_w * len(marks) + 10, label_w + sum(24 + 6.2 * len(g[1]) for g in groups))
    height = top + row_h * len(genes) + 40

    def X(f):
        return label_w + plot_w * min(max(f, 0.0), 1.0)

    out = _open(width, height)
    if title:
        out.append(_text(10, 18, title, size=13, weight="bold"))
    # legend
    lx = label_w
    for column, label, key in groups:
        out.append(_rect(lx, top - 36, 10, 8, GROUP_COLORS.get(key, EXTERNAL_COLOR)))
        out.append(_text(lx + 14, top - 28, label, size=10))
        lx += 24 + 6.2 * len(label)
    for k, (_, header) in enumerate(marks):
        out.append(_text(label_w + plot_w + 16 + mark_w * k + mark_w / 2, top - 6, header, size=9, anchor="middle",
                         weight="bold"))
    for f in (0.25, 0.5, 0.75, 1.0):
        out.append(_line(X(f), top, X(f), top + row_h * len(genes), stroke="#e5e5e5", width=0.8))
    for i, record in enumerate(rows.to_dict("records")):
        y0 = top + row_h * i + 3
        out.append(_text(label_w - 6, y0 + row_h / 2 + 1, record["gene"], size=10, anchor="end"))
        for g, (column, label, key) in enumerate(groups):
            value = record.get(column)
            if _finite(value):
                w = X(float(value)) - label_w
                out.append(_rect(label_w, y0 + bar_h * g, w, bar_h - 1, GROUP_COLORS.get(key, EXTERNAL_COLOR),
                                 cls=f"freq-{key}", title=f"{record['gene']} {label}: {percent(value)}"))
        for k, (column, _) in enumerate(marks):
            mark = sig_mark(record.get(column))
            if mark:
                out.append(_text(label_w + plot_w + 16 + mark_w * k + mark_w / 2, y0 + row_h / 2 + 3, mark, size=12,
                                 anchor="middle", fill="#B00020", weight="bold", cls="sigmark"))
    axis_y = top + row_h * len(genes)
    out.append(_line(label_w, top, label_w, axis_y))
    out.append(_line(label_w, axis_y, label_w + plot_w, axis_y))
    for f in (0, 0.25, 0.5, 0.75, 1.0):
        out.append(_line(X(f), axis_y, X(f), axis_y + 4))
        out.append(_text(X(f), axis_y + 15, f"{f:g}", size=10, anchor="middle"))
    out.append(_text(label_w + plot_w / 2, axis_y + 30, "fraction of units mutated", size=11, anchor="middle"))
    out.append("</svg>")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------ oncoprint

def oncoprint(cells: pd.DataFrame, genes: Sequence[str], columns: Sequence[tuple[str, str]], *,
              group_labels: dict[str, str], gene_notes: dict[str, str] | None = None) -> str:
    """Genes (rows) x samples (columns, in ``columns`` order, as (sample, group)); ``cells``
    has one row per (sample, gene, kind) with kind in KIND_COLORS. Columns of consecutive
    groups are separated by a gap and headed by ``group_labels[group]``."""
    n = len(columns)
    cell_w = max(3.0, min(14.0, 760.0 / max(n, 1)))
    cell_h = 16.0
    gap = 10.0
    label_w = 80.0
    note_w = 150.0
    top = 40.0
    groups = [g for _, g in columns]
    xs = []
    x = label_w
    for j, g in enumerate(groups):
        if j and g != groups[j - 1]:
            x += gap
        xs.append(x)
        x += cell_w
    plot_right = x
    show_names = cell_w >= 9
    names_h = 70.0 if show_names else 0.0
    legend_y = top + cell_h * len(genes) + names_h + 22
    width = plot_right + note_w + 10
    height = legend_y + 24
    out = _open(max(width, 560), height)
    gene_row = {g: i for i, g in enumerate(genes)}
    col_of = {s: j for j, (s, _) in enumerate(columns)}
    # group headers and the background of every cell (unaltered)
    start = 0
    for j in range(1, n + 1):
        if j == n or groups[j] != groups[start]:
            g = groups[start]
            x0, x1 = xs[start], xs[j - 1] + cell_w
            out.append(_rect(x0, top - 12, x1 - x0, 5, GROUP_COLORS.get(g, EXTERNAL_COLOR)))
            out.append(_text((x0 + x1) / 2, top - 17, group_labels.get(g, g), size=10, anchor="middle", weight="bold"))
            start = j
    for i, gene in enumerate(genes):
        y = top + cell_h * i
        out.append(_text(label_w - 6, y + cell_h / 2 + 4, gene, size=10, anchor="end", weight="bold"))
        for j in range(n):
            out.append(_rect(xs[j] + 0.5, y + 0.5, cell_w - 1, cell_h - 1, "#E8E8E8"))
        if gene_notes and gene in gene_notes:
            out.append(_text(plot_right + 8, y + cell_h / 2 + 4, gene_notes[gene], size=9, fill="#444"))
    # copy number fills the cell, mutations share the middle third
    present = cells[cells["gene"].isin(gene_row) & cells["sample"].isin(col_of)]
    for (sample, gene), sub in present.groupby(["sample", "gene"], sort=True):
        kinds = set(sub["kind"])
        x0, y0 = xs[col_of[sample]] + 0.5, top + cell_h * gene_row[gene] + 0.5
        for kind in CN_KINDS:
            if kind in kinds:
                out.append(_rect(x0, y0, cell_w - 1, cell_h - 1, KIND_COLORS[kind], cls=f"op-{kind}",
                                 title=f"{sample} {gene}: {KIND_LABELS[kind]}"))
        mutations = [k for k in MUTATION_KINDS if k in kinds]
        if mutations:
            h = (cell_h - 1) / 3 / len(mutations)
            for m, kind in enumerate(mutations):
                out.append(_rect(x0, y0 + (cell_h - 1) / 3 + h * m, cell_w - 1, h, KIND_COLORS[kind], cls=f"op-{kind}",
                                 title=f"{sample} {gene}: {KIND_LABELS[kind]}"))
    if show_names:
        y = top + cell_h * len(genes) + 6
        for j, (sample, _) in enumerate(columns):
            out.append(_text(xs[j] + cell_w / 2 + 3, y, sample, size=8, anchor="end", rotate=-90))
    lx = label_w
    for kind in (*CN_KINDS, *MUTATION_KINDS):
        if kind in set(present["kind"]) or kind in ("amplification", "deletion", "missense", "truncating"):
            out.append(_rect(lx, legend_y - 9, 12, 10, KIND_COLORS[kind]))
            out.append(_text(lx + 16, legend_y, KIND_LABELS[kind], size=10))
            lx += 30 + 6.0 * len(KIND_LABELS[kind])
    out.append("</svg>")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------ co-occurrence

def interaction_heatmap(genes: Sequence[str], pairs: pd.DataFrame, *, clip: float = 3.0) -> str:
    """maftools somaticInteractions' plot: the upper triangle of genes x genes, each pair
    coloured by -log10(p), positive (teal) for co-occurrence and negative (brown) for mutual
    exclusivity, clipped at ``clip``; ``*`` marks p < 0.05 and ``.`` p < 0.1 (maftools' marks).
    ``pairs``: gene1, gene2, pValue, Event."""
    k = len(genes)
    cell = max(10.0, min(26.0, 520.0 / max(k, 1)))
    label_w = 90.0
    top = 20.0
    width = label_w + cell * k + 150
    height = top + cell * k + 90
    index = {g: i for i, g in enumerate(genes)}
    out = _open(width, height)
    for i, g in enumerate(genes):
        y = top + cell * i
        out.append(_text(label_w - 5, y + cell / 2 + 4, g, size=10, anchor="end"))
        x = label_w + cell * i + cell / 2
        out.append(_text(x + 3, top + cell * k + 6, g, size=10, anchor="end", rotate=-90))
    for i in range(k):
        for j in range(i + 1, k):
            out.append(_rect(label_w + cell * j + 0.5, top + cell * i + 0.5, cell - 1, cell - 1, "#F4F4F4"))
    for record in pairs.to_dict("records"):
        a, b = str(record["gene1"]), str(record["gene2"])
        if a not in index or b not in index or a == b:
            continue
        i, j = sorted((index[a], index[b]))
        p = record.get("pValue")
        if not _finite(p):
            continue
        p = float(p)
        value = min(-math.log10(max(p, 1e-300)), clip)
        sign = 1.0 if str(record.get("Event")) == "Co_Occurence" else -1.0
        x0, y0 = label_w + cell * j + 0.5, top + cell * i + 0.5
        out.append(_rect(x0, y0, cell - 1, cell - 1, _diverging(sign * value / clip), cls="ix-cell",
                         title=f"{a} - {b}: {record.get('Event')}, p = {p:.3g}",
                         extra=f' data-value="{_n(sign * value)}"'))
        mark = "*" if p < 0.05 else "." if p < 0.1 else ""
        if mark:
            out.append(_text(x0 + cell / 2 - 0.5, y0 + cell / 2 + (4 if mark == "*" else 1), mark, size=11,
                             anchor="middle", fill="#111", weight="bold", cls="ixmark"))
    # colour bar
    bx, by, bh = label_w + cell * k + 40, top + 10, 120.0
    steps = 24
    for s in range(steps):
        v = 1 - 2 * (s + 0.5) / steps
        out.append(_rect(bx, by + bh * s / steps, 12, bh / steps + 0.3, _diverging(v)))
    out.append(_text(bx + 16, by + 4, f"{clip:g} co-occurrence", size=9))
    out.append(_text(bx + 16, by + bh / 2 + 3, "0", size=9))
    out.append(_text(bx + 16, by + bh + 3, f"{clip:g} exclusivity", size=9))
    out.append(_text(bx - 4, by + bh + 22, "-log10(p)", size=9))
    out.append(_text(bx - 4, by + bh + 36, "* p < 0.05, . p < 0.1", size=9))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _diverging(v: float) -> str:
    """-1 (brown, mutual exclusivity) .. 0 (white) .. 1 (teal, co-occurrence): ColorBrewer BrBG ends."""
    v = min(max(v, -1.0), 1.0)
    end = (1, 133, 113) if v >= 0 else (166, 97, 26)
    t = abs(v)
    rgb = [round(255 + (c - 255) * t) for c in end]
    return "#{:02X}{:02X}{:02X}".format(*rgb)


# ------------------------------------------------------------------------------ pathways

def pathway_forest(rows: pd.DataFrame) -> str:
    """Per pathway (a row: label, primary_fraction, later_fraction, odds_ratio, ci_low,
    ci_high, q_value, paired_text): the two fractions as dots on [0, 1] and the odds ratio
    with its 95% interval on a log axis (arrows where the interval is unbounded)."""
    k = len(rows)
    row_h, top = 22.0, 50.0
    label_w, frac_w, gap, or_w, text_w = 170.0, 170.0, 30.0, 220.0, 200.0
    width = label_w + frac_w + gap + or_w + text_w
    height = top + row_h * k + 50
    fx0 = label_w
    ox0 = label_w + frac_w + gap
    ors = rows[["odds_ratio", "ci_low", "ci_high"]].to_numpy(dtype=float)
    finite = ors[np.isfinite(ors) & (ors > 0)]
    lo = min(finite.min(), 0.5) if finite.size else 0.5
    hi = max(finite.max(), 2.0) if finite.size else 2.0
    llo, lhi = max(math.floor(math.log10(lo)), -3), min(math.ceil(math.log10(hi)), 3)
    if lhi <= llo:
        lhi = llo + 1

    def FX(f):
        return fx0 + frac_w * min(max(f, 0.0), 1.0)

    def OX(v):
        return ox0 + or_w * (min(max(math.log10(v), llo), lhi) - llo) / (lhi - llo)

    out = _open(width, height)
    out.append(_text(fx0 + frac_w / 2, 16, "fraction of tumours altered", size=10, anchor="middle", weight="bold"))
    out.append(_rect(fx0, 24, 9, 9, GROUP_COLORS["primary"]))
    out.append(_text(fx0 + 12, 32, "primary", size=9))
    out.append(_rect(fx0 + 62, 24, 9, 9, GROUP_COLORS["metastasis"]))
    out.append(_text(fx0 + 74, 32, "metastasis / recurrence", size=9))
    out.append(_text(ox0 + or_w / 2, 16, "odds ratio, later vs primary (95% CI)", size=10, anchor="middle", weight="bold"))
    out.append(_text(ox0 + or_w + 10, 16, "OR [95% CI] q; paired", size=10, weight="bold"))
    bottom = top + row_h * k
    out.append(_line(OX(1.0), top - 6, OX(1.0), bottom, stroke="#888", extra=' stroke-dasharray="4,3"'))
    for f in (0.25, 0.5, 0.75, 1.0):
        out.append(_line(FX(f), top - 6, FX(f), bottom, stroke="#eeeeee", width=0.8))
    for i, record in enumerate(rows.to_dict("records")):
        y = top + row_h * i + row_h / 2
        out.append(_text(label_w - 8, y + 4, record["label"], size=10, anchor="end"))
        p, m = record.get("primary_fraction"), record.get("later_fraction")
        if _finite(p) and _finite(m):
            out.append(_line(FX(float(p)), y, FX(float(m)), y, stroke="#999", width=1.2))
        for value, key in ((p, "primary"), (m, "metastasis")):
            if _finite(value):
                out.append(f'<circle cx="{_n(FX(float(value)))}" cy="{_n(y)}" r="4" fill="{GROUP_COLORS[key]}" '
                           f'class="pw-{key}"/>')
        oratio, lcl, ucl = (_float(record.get(c)) for c in ("odds_ratio", "ci_low", "ci_high"))
        if math.isfinite(lcl) and (math.isfinite(ucl) or ucl == math.inf):
            lx = OX(lcl) if lcl > 0 else ox0
            ux = OX(ucl) if math.isfinite(ucl) else ox0 + or_w
            out.append(_line(lx, y, ux, y, stroke="#333", width=1.4))
            if lcl <= 0:  # an interval down to 0: an arrow at the axis' end
                out.append(f'<path d="M{_n(lx + 5)},{_n(y - 3)} L{_n(lx)},{_n(y)} L{_n(lx + 5)},{_n(y + 3)}" '
                           f'fill="none" stroke="#333"/>')
            if not math.isfinite(ucl):
                out.append(f'<path d="M{_n(ux - 5)},{_n(y - 3)} L{_n(ux)},{_n(y)} L{_n(ux - 5)},{_n(y + 3)}" '
                           f'fill="none" stroke="#333"/>')
        if math.isfinite(oratio) and oratio > 0:
            out.append(_rect(OX(oratio) - 4, y - 4, 8, 8, "#23395B", cls="pw-or"))
        burden_q = record.get("burden_q")  # burden-aware, one-sided: the marks follow it when present
        mark = burden_mark(record.get("q_value"), burden_q)
        text = (f"{_fmt(oratio)} [{_fmt(lcl)}, {_fmt(ucl)}] q {_fmt(record.get('q_value'))}"
                + (f"; burden q {_fmt(burden_q)}" if _finite(burden_q) else "")
                + f"{' ' + mark if mark else ''}")
        out.append(_text(ox0 + or_w + 10, y + 4, text, size=9, cls="pw-text"))
        if record.get("paired_text"):
            out.append(_text(ox0 + or_w + 10, y + 14, record["paired_text"], size=8, fill="#666"))
    out.append(_line(fx0, bottom, fx0 + frac_w, bottom))
    for f in (0, 0.5, 1.0):
        out.append(_line(FX(f), bottom, FX(f), bottom + 4))
        out.append(_text(FX(f), bottom + 15, f"{f:g}", size=9, anchor="middle"))
    out.append(_line(ox0, bottom, ox0 + or_w, bottom))
    for e in range(llo, lhi + 1):
        v = 10.0 ** e
        out.append(_line(OX(v), bottom, OX(v), bottom + 4))
        out.append(_text(OX(v), bottom + 15, format(v, "g"), size=9, anchor="middle"))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _fmt(value) -> str:
    if value is None:
        return "NA"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "NA"
    if v != v:
        return "NA"
    if v in (math.inf, -math.inf):
        return "Inf" if v > 0 else "-Inf"
    return f"{v:.3g}"
