"""Time ``metevo segment`` against R DNAcopy's ``segment`` on the same bin tables.

Usage (from the repository root)::

    .venv/bin/python bench/cbs_vs_dnacopy.py [--repeats 3] [--bins 30000] [--samples 10] [--keep DIR]

Data: the real LGG150 shallow-WGS counts (if ../shared/data is present; log2 of counts over
the median of the used bins with counts > 0) and a simulated table of ``--bins`` bins x
``--samples`` samples (22 autosomes, arm-level and focal gains and losses, Gaussian noise with
a few outliers and NAs). Each table is segmented with DNAcopy's defaults (alpha 0.01) and with
QDNAseq's settings (alpha 1e-10, sdundo, undo.SD 1).

Times (best of ``--repeats``, metevo and R run alternately so that both see the same load):

* metevo: wall time of the ``metevo segment`` command (Python start-up, reading the table,
  segmenting every sample, writing the .seg);
* R raw: wall time of an ``Rscript`` that reads the same table, builds the CNA object, runs
  ``segment`` and writes the segments;
* R segment: R raw minus the same script run without the ``segment`` call (R start-up,
  ``library(DNAcopy)``, reading and writing), i.e. DNAcopy's own time.

* metevo seg: the segmentation alone, like R segment: in one Python process the table is read
  and the kernels loaded (a small table segmented first: numba's cached machine code, the
  equivalent of ``library(DNAcopy)``), then ``segment_table`` is timed.

The ratios are like for like: metevo seg / R segment (DNAcopy's own time) and metevo / R raw
(the whole command against the whole script); both are targets (<= 1: not slower than
DNAcopy). The bins on which
both agree (same segment start and end) are printed as a check; metevo uses its default numpy
random stream, so permutation-decided short segments may differ from R's (docs/segment.md).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
LGG = ROOT.parent / "shared" / "data" / "dev" / "qdnaseq_lgg150" / "LGG150_15kbp_readcounts.tsv.gz"

R_SCRIPT = r"""
args <- commandArgs(trailingOnly = TRUE)
suppressMessages(library(DNAcopy))
d <- read.delim(args[1], check.names = FALSE)
samples <- setdiff(colnames(d), c("chromosome", "start", "end"))
cna <- CNA(as.matrix(d[, samples, drop = FALSE]), d$chromosome, d$start, sampleid = samples, presorted = TRUE)
alpha <- as.numeric(args[3])
if (args[4] == "segment") {
  set.seed(1)
  if (args[5] == "sdundo") {
    s <- segment(cna, alpha = alpha, undo.splits = "sdundo", undo.SD = as.numeric(args[6]), verbose = 0)
  } else {
    s <- segment(cna, alpha = alpha, verbose = 0)
  }
  out <- s$output
  out$loc.end <- d$end[s$segRows$endRow]
  write.table(out, args[2], sep = "\t", quote = FALSE, row.names = FALSE)
} else {
  write.table(d[1:2, ], args[2], sep = "\t", quote = FALSE, row.names = FALSE)
}
"""

IN_PROCESS = r"""
import sys, time
import numpy as np
from metevo.steps.segment import _NumbaWithoutBlas, read_log2_bins, segment_table
path, alpha, undo = sys.argv[1], float(sys.argv[2]), (float(sys.argv[3]) if sys.argv[3] != "none" else None)
kw = dict(alpha=alpha, nperm=10000, min_width=2, undo_sd=undo, seed=0, rng_kind="numpy", jobs=len(__import__("os").sched_getaffinity(0)))
chrom, start, end, samples = read_log2_bins(path)
with _NumbaWithoutBlas():
    x = np.r_[np.random.default_rng(0).normal(size=400), np.random.default_rng(1).normal(size=400) + 1]
    segment_table(np.array(["1"] * 800, dtype=object), np.arange(800), np.arange(800), {"w": x}, **kw)
    t0 = time.perf_counter()
    segment_table(chrom, start, end, samples, **kw)
    print(time.perf_counter() - t0)
"""

SETTINGS = {
    "default": {"metevo": [], "r": ["0.01", "none", "3"]},
    "qdnaseq": {"metevo": ["--alpha", "1e-10", "--undo-sd", "1"], "r": ["1e-10", "sdundo", "1"]},
}


def lgg_table(path: Path) -> bool:
    if not LGG.exists():
        return False
    raw = pd.read_csv(LGG, sep="\t", dtype=str, keep_default_na=False)
    counts = raw["LGG150"].astype(float)
    keep = (raw["use"] == "TRUE") & (counts > 0)
    table = raw.loc[keep, ["chromosome", "start", "end"]].copy()
    kept = counts[keep].to_numpy()
    table["LGG150"] = np.log2(kept / np.median(kept))
    table.to_csv(path, sep="\t", index=False, float_format="%.10g")
    return True


def simulated_table(path: Path, bins: int, samples: int, seed: int = 1) -> None:
    """``bins`` 100 kb-like bins over 22 autosomes (sizes as hg19), one column per sample."""
    from metevo.genome import CHROM_LENGTHS

    lengths = np.array([CHROM_LENGTHS["hg19"][str(c)] for c in range(1, 23)], dtype=float)
    per_chrom = np.maximum(20, np.round(bins * lengths / lengths.sum()).astype(int))
    per_chrom[-1] += bins - per_chrom.sum()
    chrom = np.repeat(np.arange(1, 23), per_chrom)
    width = 100_000
    start = np.concatenate([np.arange(k) * width + 1 for k in per_chrom])
    rng = np.random.default_rng(seed)
    table = pd.DataFrame({"chromosome": chrom, "start": start, "end": start + width - 1})
    for s in range(samples):
        level = np.zeros(bins)
        offset = 0
        for k in per_chrom:
            arm = k // 2
            for lo, hi in ((0, arm), (arm, k)):  # arm-level changes
                if rng.random() < 0.3:
                    level[offset + lo : offset + hi] += rng.choice([-1.0, -0.5, 0.4, 0.6])
            for _ in range(rng.poisson(1.0)):  # focal changes
                a = int(rng.integers(0, k))
                b = min(k, a + int(rng.integers(3, 60)))
                level[offset + a : offset + b] += rng.choice([-1.5, -0.6, 0.5, 1.2])
            offset += k
        x = level * 0.8 + rng.normal(0, 0.25, bins)
        x[rng.random(bins) < 0.002] += rng.normal(0, 2, 1)[0]  # a few outliers
        x[rng.random(bins) < 0.005] = np.nan
        table[f"S{s + 1}"] = x
    table.to_csv(path, sep="\t", index=False, float_format="%.10g", na_rep="NA")


def wall(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stderr}")
    return elapsed


def inside(cmd: list[str]) -> float:
    """The seconds a command prints (its own timing of the part measured)."""
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd[:3])}\n{proc.stderr}")
    return float(proc.stdout.strip().splitlines()[-1])


def agreement(ours: Path, theirs: Path, table: Path) -> float:
    """Fraction of (sample, bin) pairs whose segment has the same first and last bin."""
    bins = pd.read_csv(table, sep="\t", usecols=["chromosome", "start", "end"])
    a = pd.read_csv(ours, sep="\t")
    b = pd.read_csv(theirs, sep="\t")
    key = bins["chromosome"].astype(str).to_numpy()
    pos = bins["start"].to_numpy()
    total = agree = 0
    for sample in a["ID"].unique():
        labels = []
        for seg in (a[a["ID"] == sample], b[b["ID"].astype(str) == str(sample)]):
            lab = np.full(len(bins), -1, np.int64)
            for i, r in enumerate(seg.itertuples(index=False)):
                inside = (key == str(r.chrom)) & (pos >= r[2]) & (pos <= r[3])
                lab[inside] = hash((r[2], r[3])) & 0x7FFFFFFF
            labels.append(lab)
        known = labels[1] >= 0
        total += known.sum()
        agree += (labels[0] == labels[1])[known].sum()
    return agree / total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--bins", type=int, default=30000)
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--keep", type=Path, help="keep the tables and outputs in this folder")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="cbs_bench_"))
    work.mkdir(parents=True, exist_ok=True)
    rscript = work / "segment.R"
    rscript.write_text(R_SCRIPT)

    tables = {}
    if lgg_table(work / "lgg150.tsv"):
        tables["LGG150 (35,698 bins x 1)"] = work / "lgg150.tsv"
    else:
        print("LGG150 not found (../shared/data): simulated table only")
    simulated_table(work / "simulated.tsv", args.bins, args.samples)
    tables[f"simulated ({args.bins:,} bins x {args.samples})"] = work / "simulated.tsv"

    metevo = [sys.executable, "-m", "metevo", "segment"]
    # compile/load numba's cache once, outside the timings
    subprocess.run([*metevo, "--input", str(tables[next(iter(tables))]), "--out", str(work / "warm.seg")], check=True)
    print(f"machine: {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; best of {args.repeats}\n")
    print(f"{'data':32} {'setting':8} {'metevo':>8} {'R raw':>8} {'metevo seg':>10} {'R seg':>8} {'ratio seg':>10} {'ratio raw':>10} "
          f"{'bins agree':>11}")
    for label, table in tables.items():
        for setting, opts in SETTINGS.items():
            ours_out = work / f"{table.stem}.{setting}.metevo.seg"
            r_out = work / f"{table.stem}.{setting}.R.seg"
            t_ours, t_raw, t_start, t_inside = [], [], [], []
            undo = opts["r"][2] if opts["r"][1] == "sdundo" else "none"
            for _ in range(args.repeats):
                t_ours.append(wall([*metevo, "--input", str(table), *opts["metevo"], "--out", str(ours_out)]))
                t_inside.append(inside([sys.executable, "-c", IN_PROCESS, str(table), opts["r"][0], undo]))
                t_raw.append(wall(["Rscript", "--vanilla", str(rscript), str(table), str(r_out), opts["r"][0], "segment", *opts["r"][1:]]))
                t_start.append(wall(["Rscript", "--vanilla", str(rscript), str(table), str(work / "startup.tsv"), opts["r"][0], "startup", *opts["r"][1:]]))
            ours, raw, start, ours_seg = min(t_ours), min(t_raw), min(t_start), min(t_inside)
            seg = max(raw - start, 1e-9)
            print(
                f"{label:32} {setting:8} {ours:7.2f}s {raw:7.2f}s {ours_seg:9.2f}s {seg:7.2f}s {ours_seg / seg:10.2f} {ours / raw:10.2f} "
                f"{agreement(ours_out, r_out, table):10.2%}"
            )
    if not args.keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
