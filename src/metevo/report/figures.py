"""Figures for the report, rendered by matplotlib as inline SVG.

SVG keeps the report one self-contained file and text searchable. Output is deterministic:
no date metadata, a fixed hash salt for element ids, text kept as text (no embedded glyphs).
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

SAMPLE_TYPE_COLORS = {
    "primary": "#4C72B0",
    "metastasis": "#C44E52",
    "recurrence": "#DD8452",
    "cfdna": "#8172B3",
    "normal": "#937860",
}

CLASS_COLORS = {
    "Missense_Mutation": "#33A02C",
    "Nonsense_Mutation": "#E31A1C",
    "Frame_Shift_Del": "#1F78B4",
    "Frame_Shift_Ins": "#A6CEE3",
    "In_Frame_Del": "#FB9A99",
    "In_Frame_Ins": "#CAB2D6",
    "Splice_Site": "#FF7F00",
    "Translation_Start_Site": "#6A3D9A",
    "Nonstop_Mutation": "#B15928",
}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matplotlib.rcParams.update(
        {
            "svg.hashsalt": "metevo",
            "svg.fonttype": "none",
            "font.size": 9,
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    return plt


def to_svg(fig) -> str:
    plt = _pyplot()
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]


def paired_burden(paired: pd.DataFrame, *, ylabel: str = "coding mutations") -> str:
    """One line per patient from its primary's burden to its metastasis' burden."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(3.6, 3.6))
    for _, row in paired.iterrows():
        up = row["metastasis_n_coding"] > row["primary_n_coding"]
        ax.plot([0, 1], [row["primary_n_coding"], row["metastasis_n_coding"]], color="#C44E52" if up else "#4C72B0", alpha=0.7, lw=1.2, marker="o", ms=3)
    ax.set_xticks([0, 1], ["primary", "metastasis /\nrecurrence"])
    ax.set_xlim(-0.3, 1.3)
    ax.set_ylabel(ylabel)
    ax.set_title(f"{len(paired)} patients", fontsize=9)
    return to_svg(fig)


def strip_by_group(values: pd.DataFrame, group: str, value: str, order: list[str], *, ylabel: str, colors: dict | None = None) -> str:
    """Points per group with a median bar; groups in ``order`` (empty groups are skipped)."""
    plt = _pyplot()
    present = [g for g in order if (values[group] == g).any()]
    fig, ax = plt.subplots(figsize=(max(3.0, 1.1 * len(present) + 1.0), 3.4))
    rng = np.random.default_rng(0)  # fixed jitter: same figure on every run
    for i, g in enumerate(present):
        y = values.loc[values[group] == g, value].dropna().to_numpy(dtype=float)
        x = i + rng.uniform(-0.18, 0.18, size=len(y))
        ax.scatter(x, y, s=10, alpha=0.7, color=(colors or {}).get(g, "#4C72B0"), linewidths=0)
        if len(y):
            med = float(np.median(y))
            ax.plot([i - 0.3, i + 0.3], [med, med], color="black", lw=1.5)
    ax.set_xticks(range(len(present)), [g.replace("_", "\n") for g in present])
    ax.set_ylabel(ylabel)
    return to_svg(fig)


def classification_bars(counts: pd.DataFrame) -> str:
    """Stacked bars: non-synonymous mutations per sample by Variant_Classification."""
    plt = _pyplot()
    classes = [c for c in CLASS_COLORS if c in counts.columns]
    n = len(counts)
    fig, ax = plt.subplots(figsize=(min(12, max(4, 0.16 * n + 1.5)), 3.2))
    bottom = np.zeros(n)
    for c in classes:
        ax.bar(range(n), counts[c].to_numpy(), bottom=bottom, color=CLASS_COLORS[c], width=0.85, label=c.replace("_", " "))
        bottom += counts[c].to_numpy()
    ax.set_xticks(range(n), counts.index, rotation=90, fontsize=6)
    ax.set_ylabel("non-synonymous mutations")
    ax.set_xlim(-0.6, n - 0.4)
    ax.legend(fontsize=7, frameon=False, bbox_to_anchor=(1.0, 1.0), loc="upper left")
    return to_svg(fig)
