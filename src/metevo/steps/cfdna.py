"""``metevo cfdna``: tumor fraction, ploidy and copy number of a plasma sample from
ultra-low-pass WGS read counts (ichorCNA; see docs/cfdna.md)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def _float_list(text: str) -> tuple[float, ...]:
    try:
        values = tuple(float(v) for v in text.replace(" ", "").split(",") if v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, found '{text}'") from None
    if not values:
        raise argparse.ArgumentTypeError("expected at least one number")
    return values


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--wig", required=True, help="read counts per bin (HMMcopy readCounter WIG, e.g. 1 Mb bins, MAPQ >= 20)")
    parser.add_argument("--gc", required=True, help="GC fraction per bin (HMMcopy gcCounter WIG of the same bins)")
    parser.add_argument("--map", required=True, help="mappability per bin (HMMcopy mapCounter WIG of the same bins)")
    parser.add_argument("--pon", help="panel of normals TSV (chrom/seqnames, start, end, ..., Median: median log2 ratio of healthy donors)")
    parser.add_argument("--genome", required=True, choices=("hg19", "hg38"), help="genome build of the bins (bins past a chromosome's end are an error)")
    parser.add_argument("--sample", help="sample id written into the tables (default: the WIG's file name without .wig[.gz])")
    parser.add_argument("--max-cn", type=int, default=5, help="largest clonal copy-number state (default: %(default)s)")
    parser.add_argument(
        "--subclonal", action=argparse.BooleanOptionalAction, default=False,
        help="also model subclonal states 1 and 3 (ichorCNA's cfDNA configuration; makes ploidy 3 unidentifiable, see docs/cfdna.md; default: off)",
    )
    parser.add_argument("--normal-restarts", type=_float_list, default=(0.5, 0.6, 0.7, 0.8, 0.9, 0.95), help="starting normal fractions (default: 0.5,0.6,0.7,0.8,0.9,0.95)")
    parser.add_argument("--ploidy-restarts", type=_float_list, default=(2.0, 3.0), help="starting tumor ploidies (default: 2,3)")
    parser.add_argument("--min-map-score", type=float, default=0.9, help="drop bins with lower mappability (default: %(default)s)")
    parser.add_argument("--sex", choices=("female", "male"), help="sample sex (default: from chrX and chrY)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the GC-loess subsample (used only above 50,000 bins; default: %(default)s)")
    parser.add_argument("--out-prefix", required=True, help="writes PREFIX.params.tsv, .restarts.tsv, .segments.tsv, .bins.tsv, .profile.svg")


def _sample_name(path: str) -> str:
    name = Path(path).name
    for suffix in (".gz", ".wig", ".reads", ".counts"):
        name = name.removesuffix(suffix)
    return name


def _check_values(frame, path, what: str, low: float, high: float | None, *, allow_minus_one: bool = False) -> None:
    """Values out of range name their line (GC given in percent, negative counts, ...)."""
    import numpy as np

    from metevo.errors import InputError

    v = frame["value"].to_numpy(dtype=float)
    ok = ~np.isfinite(v) | (v >= low)
    if high is not None:
        ok &= ~np.isfinite(v) | (v <= high)
    if allow_minus_one:
        ok |= v == -1
    if not ok.all():
        k = int(np.argmax(~ok))
        bound = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        extra = " (or -1 for unknown)" if allow_minus_one else ""
        raise InputError(f"expected {what} {bound}{extra}, found {v[k]:g}", file=path, line=int(frame["line"].iat[k]))


def _bin_width(frame) -> int | None:
    widths = (frame["end"] - frame["start"] + 1).unique()
    return int(widths[0]) if len(widths) == 1 else None


def _check_bins(counts, other, wig_path, other_path, what: str) -> None:
    from metevo.errors import InputError

    mine, theirs = _bin_width(counts), _bin_width(other)
    if mine is None:
        raise InputError("expected bins of one size (HMMcopy fixedStep with step = span), found several sizes", file=wig_path, line=counts.attrs.get("header_line"))
    if theirs != mine:
        found = f"{theirs} bp" if theirs is not None else "bins of several sizes"
        raise InputError(f"expected {what} bins of {mine} bp as in {wig_path}, found {found}", file=other_path, line=other.attrs.get("header_line"))


def run(args: argparse.Namespace) -> None:
    from metevo.cn import ichor
    from metevo.errors import ConfigError, InputError
    from metevo.io.atomic import Outputs
    from metevo.io.tables import write_tsv
    from metevo.io.wig import read_panel_of_normals, read_wig

    if args.max_cn < 3:
        raise ConfigError(f"--max-cn must be at least 3, found {args.max_cn}")
    if any(not 0 < n < 1 for n in args.normal_restarts):
        raise ConfigError("--normal-restarts must lie strictly between 0 and 1")
    if any(not 0 < p <= 10 for p in args.ploidy_restarts):
        raise ConfigError("--ploidy-restarts must lie in (0, 10]")
    if not 0 <= args.min_map_score <= 1:
        raise ConfigError("--min-map-score must lie between 0 and 1")
    sample = args.sample or _sample_name(args.wig)
    if not sample or any(ch in sample for ch in "\t\n\r"):
        raise ConfigError(f"--sample must be a non-empty name without tabs or newlines, found {sample!r}")

    counts = read_wig(args.wig, genome=args.genome)
    gc = read_wig(args.gc, genome=args.genome)
    mappability = read_wig(args.map, genome=args.genome)
    _check_bins(counts, gc, args.wig, args.gc, "GC")
    _check_bins(counts, mappability, args.wig, args.map, "mappability")
    _check_values(counts, args.wig, "a read count", 0, None)
    _check_values(gc, args.gc, "a GC fraction", 0, 1, allow_minus_one=True)
    _check_values(mappability, args.map, "a mappability score", 0, 1)
    panel = None
    if args.pon:
        panel = read_panel_of_normals(args.pon, genome=args.genome)
        width = _bin_width(panel)
        if width != _bin_width(counts):
            found = f"{width} bp" if width is not None else "bins of several sizes"
            raise InputError(f"expected panel bins of {_bin_width(counts)} bp as in {args.wig}, found {found}", file=args.pon, line=int(panel["line"].iat[0]))

    settings = ichor.Settings(
        max_cn=args.max_cn,
        subclonal_states=(1, 3) if args.subclonal else (),
        normal_restarts=tuple(args.normal_restarts),
        ploidy_restarts=tuple(args.ploidy_restarts),
        min_map_score=args.min_map_score,
        sex=args.sex,
    )
    # too few bins to fit the GC/mappability curves at all: the same error as below, before the fit
    # would fail on them
    n_given = int(((counts["value"] > 0) & counts["chrom"].isin(ichor.AUTOSOMES)).sum())
    if n_given < 100:
        raise InputError(f"expected at least 100 bins with reads on chromosomes 1-22, found {n_given}", file=args.wig)
    bins, sex, info = ichor.prepare_bins(counts, gc, mappability, genome=args.genome, panel=panel, settings=settings, seed=args.seed)
    if panel is not None and info["bins_pon_matched"] == 0:
        raise InputError(f"expected bins matching {args.wig} (same chromosome, start, end), found none", file=args.pon, line=int(panel["line"].iat[0]))
    n_train = int((bins["use"] & bins["chrom"].isin(ichor.AUTOSOMES)).sum())
    if n_train < 100:
        raise InputError(
            f"expected at least 100 usable bins on chromosomes 1-22 (reads > 0, known GC, mappability >= {args.min_map_score:g}, "
            f"shared with the GC and mappability files), found {n_train}",
            file=args.wig,
        )
    result = ichor.fit(bins, sex, info, settings)
    tables = ichor.output_tables(result, sample=sample, genome=args.genome, settings=settings)
    svg = profile_svg(tables["bins"], tables["segments"], sample=sample, genome=args.genome,
                      tumor_fraction=result.best.tumor_fraction, ploidy=result.best.em.phi)
    with Outputs() as out:
        prefix = os.fspath(args.out_prefix)
        write_tsv(tables["params"], out.path(prefix + ".params.tsv"))
        write_tsv(tables["restarts"], out.path(prefix + ".restarts.tsv"))
        write_tsv(tables["segments"], out.path(prefix + ".segments.tsv"))
        write_tsv(tables["bins"], out.path(prefix + ".bins.tsv"))
        with open(out.path(prefix + ".profile.svg"), "w", encoding="utf-8", newline="\n") as fh:
            fh.write(svg)


CALL_COLORS = {
    "deletion": "#08306B",
    "loss": "#2171B5",
    "neutral": "#9E9E9E",
    "gain": "#CB181D",
    "amplification": "#67000D",
}


def profile_svg(bins, segments, *, sample: str, genome: str, tumor_fraction: float, ploidy: float) -> str:
    """Genome-wide log2 ratios coloured by call, with segment medians (deterministic SVG)."""
    import io

    import numpy as np

    from metevo.genome import CHROM_LENGTHS
    from metevo.report.figures import _pyplot

    plt = _pyplot()
    chroms = [c for c in [str(i) for i in range(1, 23)] + ["X"] if (bins["chromosome"] == c).any()]
    lengths = CHROM_LENGTHS[genome]
    offsets, pos = {}, 0
    for c in chroms:
        offsets[c] = pos
        pos += lengths[c]
    fig, ax = plt.subplots(figsize=(11, 3.2))
    used = bins[bins["use"] == "TRUE"]
    x = (used["start"].to_numpy() + used["end"].to_numpy()) / 2 + used["chromosome"].map(offsets).to_numpy()
    y = np.clip(used["log2"].to_numpy(dtype=float), -2, 2)
    for call, colour in CALL_COLORS.items():
        on = (used["call"] == call).to_numpy()
        if on.any():
            ax.scatter(x[on], y[on], s=3, color=colour, linewidths=0, label=call, rasterized=False)
    for seg in segments.itertuples(index=False):
        if seg.chrom in offsets and np.isfinite(seg.log2):
            off = offsets[seg.chrom]
            ax.plot([seg.start + off, seg.end + off], [max(-2, min(2, seg.log2))] * 2, color="black", lw=1.2)
    for i, c in enumerate(chroms):
        if i % 2:
            ax.axvspan(offsets[c], offsets[c] + lengths[c], color="#F0F0F0", zorder=0, lw=0)
    ax.set_xticks([offsets[c] + lengths[c] / 2 for c in chroms], chroms, fontsize=7)
    ax.set_xlim(0, pos)
    ax.set_ylim(-2.05, 2.05)
    ax.axhline(0, color="#555555", lw=0.6, ls=":")
    ax.set_ylabel("log2 ratio")
    ax.set_title(f"{sample}: tumor fraction {tumor_fraction:.3f}, ploidy {ploidy:.2f}", fontsize=9)
    ax.legend(fontsize=7, frameon=False, markerscale=3, loc="upper right", ncol=5)
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return buf.getvalue()
