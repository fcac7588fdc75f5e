"""``metevo segment``: DNAcopy circular binary segmentation of every sample of a bin table.

Reads a bin table (``chromosome start end`` [QDNAseq annotation columns, ignored] and one
column of log2 ratios per sample, NA allowed; an optional leading ``bin`` column is ignored;
:mod:`metevo.io.bins` reads it)
and writes an IGV ``.seg`` file (``ID chrom loc.start loc.end num.mark seg.mean``) with the
segments of all samples. The science is :func:`metevo.cn.cbs.segment`; see docs/segment.md.
"""

from __future__ import annotations

import argparse
import os

SEG_COLUMNS = ["ID", "chrom", "loc.start", "loc.end", "num.mark", "seg.mean"]


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
    parser.add_argument("--jobs", type=int, default=0, metavar="N", help="threads (0: one per available CPU); results do not depend on it [0]")
    parser.add_argument("--out", required=True, metavar="OUT.seg", help="IGV segment file to write")


def read_log2_bins(path):
    """Read a bin table of log2 values with :func:`metevo.io.bins.read_bins` (QDNAseq's layout,
    ``1e+05``-style coordinates and NA included; line-numbered errors for missing columns,
    non-numbers, bins out of order or overlapping) and require at least one sample column.

    Returns (chrom: object array of harmonised names, start, end: int64 arrays, samples: dict
    name -> float array), rows in the file's (chromosome, start) order.
    """
    from metevo.errors import InputError
    from metevo.io.bins import read_bins

    bins = read_bins(path, values="log2")
    samples = bins.attrs["samples"]
    if not samples:
        raise InputError(
            "expected at least one sample column of log2 values after chromosome, start, end (and the QDNAseq annotation columns), found none",
            file=path,
            line=1,
        )
    return (
        bins["chromosome"].to_numpy(dtype=object),
        bins["start"].to_numpy(),
        bins["end"].to_numpy(),
        {name: bins[name].to_numpy(dtype=float) for name in samples},
    )


def segment_table(chrom, start, end, samples: dict, *, alpha, nperm, min_width, undo_sd, seed, rng_kind, jobs=1):
    """Segments of every sample as a ``.seg`` frame (columns :data:`SEG_COLUMNS`).

    Bins are in genome order (chromosomes contiguous, as :func:`read_log2_bins` guarantees).
    ``loc.start`` is the start of a segment's first bin and ``loc.end`` the end of its last
    bin (DNAcopy with ``maploc`` = bin start would give the start of the last bin). Random
    streams as :func:`metevo.cn.cbs.segment_samples`: with ``rng_kind="numpy"`` sample k uses
    seeds [seed, k]; with ``"R"`` one stream from ``set.seed(seed)`` runs through the samples
    in column order, as R's ``segment`` of a multi-sample CNA object.
    """
    import pandas as pd

    from metevo.cn.cbs import segment_samples

    segs = segment_samples(
        list(samples.values()),
        chrom,
        seed=seed,
        rng_kind=rng_kind,
        jobs=jobs,
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
    frames = [
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
        for name, seg in zip(samples, segs)
    ]
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=SEG_COLUMNS)
    return out[SEG_COLUMNS]


class _NumbaWithoutBlas:
    """Within the block, ``import scipy.linalg.cython_blas`` fails, unless scipy.linalg or
    numba's array functions are loaded already.

    numba's first compilation or cache load loads ``numba.np.arraymath``, which imports
    scipy.linalg to see whether ``np.dot`` can use a BLAS. That costs about 0.2 s (scipy.linalg
    and, through scipy's array API layer, numpy.f2py): a sixth of a one-sample ``segment`` run.
    The CBS kernels use no BLAS, so numba is let believe there is none. The entry is removed on
    exit, so later imports of scipy.linalg work. If numba stops checking this way, the block
    does nothing."""

    _NAME = "scipy.linalg.cython_blas"

    def __enter__(self):
        import sys

        self.active = not ({"numba.np.arraymath", "scipy.linalg", self._NAME} & sys.modules.keys())
        if self.active:
            sys.modules[self._NAME] = None  # type: ignore[assignment]
        return self

    def __exit__(self, *exc):
        import sys

        if self.active and sys.modules.get(self._NAME, 0) is None:
            del sys.modules[self._NAME]
        return False


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
    if args.jobs < 0:
        raise ConfigError(f"--jobs must be >= 0, got {args.jobs}")
    jobs = args.jobs
    if jobs == 0:
        jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)

    chrom, start, end, samples = read_log2_bins(args.input)
    with _NumbaWithoutBlas():
        table = segment_table(chrom, start, end, samples, alpha=args.alpha, nperm=args.nperm, min_width=args.min_width,
                              undo_sd=args.undo_sd, seed=args.seed, rng_kind=args.rng, jobs=jobs)
    with Outputs() as out:
        write_tsv(table, out.path(args.out), columns=SEG_COLUMNS)
