"""``metevo segment``: DNAcopy circular binary segmentation of every sample of a bin table.

Reads a bin table (``chromosome start end`` [QDNAseq annotation columns, ignored] and one
column of log2 ratios per sample, NA allowed; an optional leading ``bin`` column is ignored)
and writes an IGV ``.seg`` file (``ID chrom loc.start loc.end num.mark seg.mean``) with the
segments of all samples. The science is :func:`metevo.cn.cbs.segment`; see docs/segment.md.
"""

from __future__ import annotations

import argparse

# Columns of a QDNAseq bin table that are not samples (copynumber-contracts.md, bin table).
ANNOTATION_COLUMNS = ("bin", "bases", "gc", "mappability", "blacklist", "residual", "use")
SEG_COLUMNS = ["ID", "chrom", "loc.start", "loc.end", "num.mark", "seg.mean"]
_NA_TOKENS = {"", "NA", "NaN", "nan", "NAN", "Inf", "-Inf", "inf", "-inf"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--input", required=True, metavar="BINS.tsv", help="bin table: chromosome, start, end (1-based) and one log2 column per sample (NA allowed)")
    parser.add_argument("--alpha", type=float, default=0.01, help="significance level to accept a change point (default: %(default)s; QDNAseq uses 1e-10)")
    parser.add_argument("--undo-sd", type=float, metavar="SD", help="undo change points between segments whose medians differ by less than SD trimmed SDs (DNAcopy undo.splits='sdundo'; QDNAseq uses 1)")
    parser.add_argument("--min-width", type=int, default=2, help="minimum number of bins of a segment, 2 to 5 (default: %(default)s)")
    parser.add_argument("--nperm", type=int, default=10000, help="permutations for p-values (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the permutations (default: %(default)s)")
    parser.add_argument(
        "--rng",
        choices=("numpy", "R"),
        default="numpy",
        help="random stream of the permutations: numpy (default), or R's Mersenne-Twister after set.seed(SEED), "
        "which reproduces R's set.seed(SEED); segment(CNA(<all samples>), ...) exactly",
    )
    parser.add_argument("--out", required=True, metavar="OUT.seg", help="IGV segment file to write")


def _fail(message: str, path, line=None, column=None):
    from metevo.errors import InputError

    return InputError(message, file=path, line=line, column=column)


def read_log2_bins(path):
    """Read and check a bin table of log2 values.

    Returns (chrom: ndarray of harmonised names, start, end: int64 arrays, samples: dict name ->
    float array, lines: int64 array of file lines), rows as in the file. Raises InputError
    (file, line, column) for missing columns, non-integer or inverted coordinates, a value that
    is neither a number nor NA, bins out of order or overlapping within a chromosome, and a
    chromosome that appears in two separate runs.
    """
    import numpy as np
    import pandas as pd

    from metevo.io.tables import read_table
    from metevo.variants import harmonise_chrom

    table = read_table(path, required=("chromosome", "start", "end"), what="bin table")
    lines = table["__line__"].to_numpy()
    samples = [c for c in table.columns if c not in ("chromosome", "start", "end", "__line__") and c not in ANNOTATION_COLUMNS]
    if not samples:
        raise _fail(
            "expected at least one sample column of log2 values after chromosome, start, end (and the QDNAseq annotation columns), found none",
            path,
            line=table.attrs["header_line"],
        )
    if len(table) == 0:
        raise _fail("expected at least one bin, found only the header", path, line=table.attrs["header_line"])

    chrom_raw = table["chromosome"].to_numpy(dtype=object)
    empty = np.flatnonzero(chrom_raw == "")
    if empty.size:
        raise _fail("expected a chromosome name, found an empty cell", path, line=int(lines[empty[0]]), column="chromosome")
    chrom = np.array([harmonise_chrom(c) for c in chrom_raw], dtype=object)

    coords = {}
    for col in ("start", "end"):
        text = table[col].astype(str)
        ok = text.str.fullmatch(r"\+?\d+")
        if not ok.all():
            i = int(np.flatnonzero(~ok.to_numpy())[0])
            raise _fail(f"expected a positive integer position, found '{text.iloc[i]}'", path, line=int(lines[i]), column=col)
        coords[col] = text.astype("int64").to_numpy()
    start, end = coords["start"], coords["end"]
    bad = np.flatnonzero((start < 1) | (end < start))
    if bad.size:
        i = int(bad[0])
        raise _fail(f"expected 1 <= start <= end (1-based, inclusive), found start {start[i]} and end {end[i]}", path, line=int(lines[i]), column="start")

    # within a chromosome bins must be sorted and must not overlap; chromosomes contiguous
    same = chrom[1:] == chrom[:-1]
    overlap = np.flatnonzero(same & (start[1:] <= end[:-1]))
    if overlap.size:
        i = int(overlap[0]) + 1
        what = "overlaps" if start[i] >= start[i - 1] else "comes before"
        raise _fail(
            f"bins must be sorted by start and must not overlap within a chromosome: bin {chrom[i]}:{start[i]}-{end[i]} {what} "
            f"the previous bin {chrom[i - 1]}:{start[i - 1]}-{end[i - 1]} (line {int(lines[i - 1])})",
            path,
            line=int(lines[i]),
            column="start",
        )
    run_starts = np.concatenate([[0], np.flatnonzero(~same) + 1])
    seen: dict[str, int] = {}
    for r in run_starts.tolist():
        name = chrom[r]
        if name in seen:
            raise _fail(
                f"chromosome {name} appears again after other chromosomes (its first bins are at line {seen[name]}); sort the bins by chromosome, then start",
                path,
                line=int(lines[r]),
                column="chromosome",
            )
        seen[name] = int(lines[r])

    values = {}
    for name in samples:
        text = table[name].astype(str)
        num = pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)
        nan = np.isnan(num)
        if nan.any():
            bad_cells = nan & ~text.isin(_NA_TOKENS).to_numpy()
            if bad_cells.any():
                i = int(np.flatnonzero(bad_cells)[0])
                raise _fail(f"expected a log2 value (a number) or NA, found '{text.iloc[i]}'", path, line=int(lines[i]), column=name)
        values[name] = num
    return chrom, start, end, values, lines


def segment_table(chrom, start, end, samples: dict, *, alpha, nperm, min_width, undo_sd, seed, rng_kind):
    """Segments of every sample as a ``.seg`` frame (columns :data:`SEG_COLUMNS`).

    Chromosome blocks are put in :func:`metevo.variants.chrom_sort_key` order first (stable),
    so the result does not depend on the order of chromosomes in the file. ``loc.start`` is the
    start of a segment's first bin and ``loc.end`` the end of its last bin (DNAcopy with
    ``maploc`` = bin start would give the start of the last bin). Random streams: with
    ``rng_kind="numpy"`` sample k uses seeds [seed, k] (per chromosome [seed, k, c]); with
    ``"R"`` one R stream from ``set.seed(seed)`` runs through the samples in column order.
    """
    import numpy as np
    import pandas as pd

    from metevo.cn import cbs
    from metevo.variants import chrom_sort_key

    names = list(dict.fromkeys(chrom.tolist()))
    order_names = sorted(names, key=chrom_sort_key)
    if order_names != names:
        rank = {c: i for i, c in enumerate(order_names)}
        order = np.argsort(np.array([rank[c] for c in chrom]), kind="stable")
        chrom, start, end = chrom[order], start[order], end[order]
        samples = {k: v[order] for k, v in samples.items()}

    params = dict(
        alpha=alpha,
        nperm=nperm,
        p_method="hybrid",
        min_width=min_width,
        kmax=25,
        nmin=200,
        eta=0.05,
        trim=0.025,
        undo_splits="sdundo" if undo_sd is not None else "none",
        undo_prune=0.05,
        undo_sd=undo_sd if undo_sd is not None else 3.0,
    )
    mt = None
    if rng_kind == "R":
        from metevo.cn._cbs_kernels import r_mt_state

        mt = r_mt_state(seed)
    frames = []
    for k, (name, vals) in enumerate(samples.items()):
        seg = cbs._segment_sample(vals, chrom, seed=[seed, k], mt=mt, **params)
        frames.append(
            pd.DataFrame(
                {
                    "ID": name,
                    "chrom": seg["chrom"].to_numpy(dtype=object),
                    "loc.start": start[seg["start_index"].to_numpy()],
                    "loc.end": end[seg["end_index"].to_numpy()],
                    "num.mark": seg["n"].to_numpy(),
                    "seg.mean": seg["mean"].to_numpy(),
                }
            )
        )
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=SEG_COLUMNS)
    return out[SEG_COLUMNS]


def run(args: argparse.Namespace) -> None:
    from metevo.errors import ConfigError
    from metevo.io.atomic import Outputs
    from metevo.io.tables import write_tsv

    if not 0 < args.alpha < 1:
        raise ConfigError(f"--alpha must be between 0 and 1, got {args.alpha}")
    if not 2 <= args.min_width <= 5:
        raise ConfigError(f"--min-width must be between 2 and 5 (as DNAcopy), got {args.min_width}")
    if args.nperm < 1:
        raise ConfigError(f"--nperm must be at least 1, got {args.nperm}")
    if args.undo_sd is not None and not args.undo_sd >= 0:
        raise ConfigError(f"--undo-sd must be a non-negative number, got {args.undo_sd}")
    if args.rng == "R" and not -(2**31) <= args.seed < 2**31:
        raise ConfigError(f"--seed must be a 32-bit integer with --rng R (as R's set.seed), got {args.seed}")
    if args.seed < 0 and args.rng == "numpy":
        raise ConfigError(f"--seed must be non-negative, got {args.seed}")

    chrom, start, end, samples, _ = read_log2_bins(args.input)
    table = segment_table(
        chrom,
        start,
        end,
        samples,
        alpha=args.alpha,
        nperm=args.nperm,
        min_width=args.min_width,
        undo_sd=args.undo_sd,
        seed=args.seed,
        rng_kind=args.rng,
    )
    with Outputs() as out:
        write_tsv(table, out.path(args.out), columns=SEG_COLUMNS)
