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


STATUS_CODE = {"deletion": -2, "loss": -1, "neutral": 0, "gain": 1, "amplification": 2}


def _chrom_axis(ax, grid: pd.DataFrame) -> None:
    """Chromosome boundaries and labels along the x axis of a genome-wide plot."""
    chrom = grid["chrom"].to_numpy()
    starts = np.flatnonzero(np.r_[True, chrom[1:] != chrom[:-1]])
    ends = np.r_[starts[1:], len(chrom)]
    for s in starts[1:]:
        ax.axvline(s - 0.5, color="#999999", lw=0.4)
    ax.set_xticks((starts + ends - 1) / 2, [str(c) for c in chrom[starts]], fontsize=6)
    ax.set_xlim(-0.5, len(chrom) - 0.5)


def genome_heatmap(matrix: np.ndarray, samples: list[str], grid: pd.DataFrame, *, row_colors: list[str]) -> str:
    """Samples x genome-bins copy-number status (-2..2), NaN blank; a coloured strip per row
    marks the sample type."""
    plt = _pyplot()
    from matplotlib.colors import BoundaryNorm, ListedColormap

    n = len(samples)
    fig, ax = plt.subplots(figsize=(11, max(2.0, 0.13 * n + 1.0)))
    cmap = ListedColormap(["#08306B", "#6BAED6", "#F7F7F7", "#FC9272", "#A50F15"])
    cmap.set_bad("#FFFFFF")
    norm = BoundaryNorm([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5], cmap.N)
    ax.imshow(np.ma.masked_invalid(matrix), aspect="auto", interpolation="nearest", cmap=cmap, norm=norm)
    for i, colour in enumerate(row_colors):
        ax.add_patch(plt.Rectangle((-0.5 - 0.012 * matrix.shape[1], i - 0.5), 0.01 * matrix.shape[1], 1, color=colour, clip_on=False))
    _chrom_axis(ax, grid)
    ax.set_yticks(range(n), samples, fontsize=5 if n > 40 else 6)
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in ("#08306B", "#6BAED6", "#FC9272", "#A50F15")]
    ax.legend(handles, ["deletion", "loss", "gain", "amplification"], fontsize=6, frameon=False, ncol=4,
              bbox_to_anchor=(0.0, 1.0), loc="lower left")
    return to_svg(fig)


def cn_frequency(grid: pd.DataFrame, groups: dict[str, tuple[np.ndarray, np.ndarray]]) -> str:
    """Fraction of samples with a gain (up) and a loss (down) along the genome, one line per
    group (name -> (gain fraction, loss fraction) per grid bin)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(11, 2.8))
    colours = {"primary": SAMPLE_TYPE_COLORS["primary"], "metastasis / recurrence": SAMPLE_TYPE_COLORS["metastasis"]}
    x = np.arange(len(grid))
    for name, (gain, loss) in groups.items():
        colour = colours.get(name, "#555555")
        ax.step(x, gain, where="mid", color=colour, lw=0.9, label=name)
        ax.step(x, -loss, where="mid", color=colour, lw=0.9)
    ax.axhline(0, color="black", lw=0.5)
    _chrom_axis(ax, grid)
    ax.set_ylabel("fraction of samples\n(gains up, losses down)")
    ax.set_ylim(-1, 1)
    ax.legend(fontsize=7, frameon=False, loc="upper right")
    return to_svg(fig)


def cfdna_timelines(timeline: pd.DataFrame, region: str) -> str:
    """Tumor fraction over collection time, one line per patient; points filled when the
    region is gained or amplified in that plasma sample; the relapse marked per patient."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    samples = timeline.drop_duplicates("sample")
    status = timeline[timeline["region"] == region].set_index("sample")["status"]
    palette = ["#1B9E77", "#D95F02", "#7570B3", "#E7298A", "#66A61E", "#E6AB02", "#A6761D", "#666666"]
    for i, (patient, rows) in enumerate(samples.groupby("patient", sort=True)):
        rows = rows.sort_values("collection_time")
        colour = palette[i % len(palette)]
        t = rows["collection_time"].astype(float).to_numpy()
        tf = rows["tumor_fraction"].astype(float).to_numpy()
        ax.plot(t, tf, color=colour, lw=1, label=patient)
        gained = np.array([status.get(s, "") in ("gain", "amplification") for s in rows["sample"]])
        ax.scatter(t[gained], tf[gained], color=colour, s=24, zorder=3)
        ax.scatter(t[~gained], tf[~gained], facecolors="white", edgecolors=colour, s=24, zorder=3)
        relapse = pd.to_numeric(rows["relapse_time"], errors="coerce").dropna()
        if len(relapse):
            ax.axvline(float(relapse.iloc[0]), color=colour, lw=0.6, ls=":")
    ax.set_xlabel("days since primary diagnosis")
    ax.set_ylabel("cfDNA tumor fraction")
    ax.legend(fontsize=6, frameon=False, bbox_to_anchor=(1.0, 1.0), loc="upper left")
    ax.set_title(f"filled: {region} gained; dotted: relapse", fontsize=8)
    return to_svg(fig)
