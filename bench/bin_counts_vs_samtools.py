#!/usr/bin/env python3
"""Benchmark: ``metevo bin-counts`` against ``samtools view -c`` and ``mosdepth`` on one BAM.

Builds (once; cached under ``/tmp/metevo-bench-bincounts-<seed>-<reads>/``) a coordinate-sorted,
indexed BAM of ``--reads`` simulated shallow-WGS reads (default 5 million, 50 bp, paired flags)
over the full hg19 chromosomes, with a planted copy-number profile and 5% reads QDNAseq must
drop (duplicates, QC failures, unmapped, MAPQ < 37), written by ``metevo.simulate.swgs``. Then
times, alternately so that all see the same machine load, best of ``--repeats``:

* ``metevo bin-counts --bam B --sample S --bin-size 100000 --genome hg19 --threads T`` (the
  installed command, wall time, Python start-up included);
* ``samtools view -c -q 37 -F 0x604 B`` (the same filters; it only counts, it does not bin),
  single-threaded and with ``-@ T`` decompression threads;
* ``mosdepth -n --fast-mode --by 100000 -Q 37 -t T`` (mean depth per 100 kb window: a
  different quantity, but the usual fast per-window tool),

checks that metevo's total equals samtools' count, and prints each command's best and median
time, alignments per second, and the ratios metevo / peer (target: at most 2): metevo with
``--threads T`` against every peer, and with ``--threads 1`` against single-threaded samtools,
as the ratio of the best times and the median of the per-round ratios (each round runs every
command once, so a round's ratio compares runs made under the same load). Not a test; run as
``python bench/bin_counts_vs_samtools.py [--reads N] [--threads T] [--repeats R] [--no-mosdepth]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

def build_bam(folder: Path, n_reads: int, seed: int) -> Path:
    """The simulated BAM (cached: rebuilt only when missing)."""
    from metevo.genome import CHROM_LENGTHS
    from metevo.simulate import swgs

    bam = folder / "sample.bam"
    if bam.exists() and Path(f"{bam}.bai").exists():
        return bam
    folder.mkdir(parents=True, exist_ok=True)
    lengths = CHROM_LENGTHS["hg19"]
    contigs = [(f"chr{c}", n) for c, n in lengths.items()]
    ann = swgs.synthetic_annotation(dict(lengths), 100_000, seed=seed)
    copies = swgs.planted_copies(ann, [
        swgs.PlantedSegment("7", 1, lengths["7"], 3),
        swgs.PlantedSegment("10", 1, lengths["10"], 1),
        swgs.PlantedSegment("8", 120_000_001, 135_000_000, 6),
    ])
    lam = swgs.expected_counts(ann, copies, purity=0.6, reads_per_bin=1.0)
    lam *= n_reads / 1.05 / lam.sum()  # 5% decoys come on top
    counts = swgs.simulate_counts(lam, seed=seed + 1)
    reads = swgs.simulate_reads(ann, counts, contigs, seed=seed + 2, decoys=0.05)
    t0 = time.perf_counter()
    tmp = folder / "sample.tmp.bam"
    swgs.write_bam(tmp, reads, contigs, seed=seed + 3, index=False)
    os.replace(tmp, bam)
    import pysam

    pysam.index(str(bam))
    print(f"built {bam} ({len(reads):,} alignments, {bam.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f} s")
    return bam


def timed(cmd: list[str], **kw) -> tuple[float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed: {proc.stderr.strip()}")
    return elapsed, proc.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=5_000_000, help="simulated reads [5,000,000]")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2, help="threads for metevo, samtools -@ and mosdepth -t [2]")
    parser.add_argument("--repeats", type=int, default=3, help="rounds (every command once per round) [3]")
    parser.add_argument("--no-mosdepth", action="store_true", help="skip mosdepth (about 25 s a run on 5 million reads)")
    args = parser.parse_args()
    if shutil.which("samtools") is None:
        sys.exit("samtools is not on PATH")
    folder = Path(f"/tmp/metevo-bench-bincounts-{args.seed}-{args.reads}")
    bam = build_bam(folder, args.reads, args.seed)
    metevo = [sys.executable, "-m", "metevo"]
    out = folder / "counts.tsv"
    runs = {
        f"metevo bin-counts --threads {args.threads}": metevo + ["bin-counts", "--bam", str(bam), "--sample", "S",
                                                                  "--bin-size", "100000", "--genome", "hg19",
                                                                  "--threads", str(args.threads), "--out", str(out)],
        "metevo bin-counts --threads 1": metevo + ["bin-counts", "--bam", str(bam), "--sample", "S", "--bin-size", "100000",
                                                   "--genome", "hg19", "--threads", "1", "--out", str(out)],
        "samtools view -c -q 37 -F 0x604": ["samtools", "view", "-c", "-q", "37", "-F", "0x604", str(bam)],
        f"samtools view -c -q 37 -F 0x604 -@ {args.threads}": ["samtools", "view", "-c", "-q", "37", "-F", "0x604",
                                                                "-@", str(args.threads), str(bam)],
    }
    if args.no_mosdepth:
        pass
    elif shutil.which("mosdepth"):
        runs[f"mosdepth -n --fast-mode --by 100000 -Q 37 -t {args.threads}"] = [
            "mosdepth", "-n", "--fast-mode", "--by", "100000", "-Q", "37", "-t", str(args.threads), str(folder / "md"), str(bam)]
    else:
        print("mosdepth not on PATH: skipped (apt-get install mosdepth)")
    times: dict[str, list[float]] = {name: [] for name in runs}
    samtools_count = None
    timed(runs["metevo bin-counts --threads 1"])  # untimed: numba's cache, the BAM in the page cache
    print("rounds (seconds): " + " | ".join(runs), flush=True)
    for round_ in range(args.repeats):
        for name, cmd in runs.items():  # alternate: every tool sees the same load
            elapsed, stdout = timed(cmd)
            times[name].append(elapsed)
            if name.startswith("samtools") and samtools_count is None:
                samtools_count = int(stdout.strip())
        print(f"round {round_ + 1}: " + " | ".join(f"{t[-1]:.2f}" for t in times.values()), flush=True)
    from metevo.io.bins import read_bins

    total = int(read_bins(out)["S"].sum())
    print(f"\nBAM: {bam} ({bam.stat().st_size / 1e6:.0f} MB); reads counted by metevo: {total:,}, by samtools -c: {samtools_count:,} "
          f"({'equal' if total == samtools_count else 'DIFFERENT'})")
    idxstats = subprocess.run(["samtools", "idxstats", str(bam)], capture_output=True, text=True, check=True).stdout
    n_alignments = sum(int(f[2]) + int(f[3]) for f in (line.split("\t") for line in idxstats.splitlines()))
    print(f"{'command':58s} {'best s':>7s} {'median':>7s} {'M aln/s':>8s}")
    for name, values in times.items():
        print(f"{name:58s} {min(values):7.2f} {statistics.median(values):7.2f} {n_alignments / min(values) / 1e6:8.2f}")
    print(f"\n{'ratio':82s} {'best':>5s} {'median':>6s}")
    ours_t, ours_1 = f"metevo bin-counts --threads {args.threads}", "metevo bin-counts --threads 1"
    pairs = [(ours_t, name) for name in runs if not name.startswith("metevo")]
    pairs.append((ours_1, "samtools view -c -q 37 -F 0x604"))
    for ours, peer in pairs:
        per_round = [a / b for a, b in zip(times[ours], times[peer])]
        label = f"{ours.replace('metevo bin-counts ', 'metevo ')} / {peer}"
        print(f"{label:82s} {min(times[ours]) / min(times[peer]):5.2f} {statistics.median(per_round):6.2f}")
    print("target: <= 2")


if __name__ == "__main__":
    main()
