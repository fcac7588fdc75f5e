#!/usr/bin/env python3
"""Benchmark: ``metevo compare-cohorts`` on 10,000 samples and 1,000,000 mutations, against the
naive Python loop (scipy ``fisher_exact`` + ``contingency.odds_ratio`` per gene) in the same run.

Writes two MAFs (cohort A and B, 5,000 samples each, 500,000 mutations each, 18 columns as
GDC MAFs have, gzip-compressed) over 20,000 genes whose mutation rates are skewed as in real
tumours (log-normal gene rates times gene length; a few hundred genes planted at a different
rate in B), then times

* ``metevo compare-cohorts --maf-a A.maf.gz --maf-b B.maf.gz --min-mutated 1 --out OUT.tsv``
  (the installed command, wall time, peak memory of the process), and
* the peer: the same counting with pandas, then per gene ``scipy.stats.fisher_exact`` and
  ``scipy.stats.contingency.odds_ratio(kind="conditional")`` with its confidence interval,
  and statsmodels' BH (what one writes without metevo),

and prints both against the targets (< 60 s and < 4 GB on 2 cores). Not a test: nothing is
asserted. ``python bench/compare_cohorts.py [--samples 10000] [--mutations 1000000]``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

CLASSES = np.array(["Missense_Mutation", "Silent", "Nonsense_Mutation", "Frame_Shift_Del", "Frame_Shift_Ins",
                    "Splice_Site", "In_Frame_Del", "3'UTR", "Intron", "5'UTR"])
CLASS_P = np.array([0.60, 0.22, 0.05, 0.03, 0.015, 0.025, 0.01, 0.02, 0.02, 0.01])

# runs a command and prints its wall time and the peak RSS of its process tree (KiB)
WRAPPER = r"""
import resource, subprocess, sys, time
t = time.perf_counter()
rc = subprocess.run(sys.argv[1:]).returncode
wall = time.perf_counter() - t
print(f"{rc}\t{wall:.3f}\t{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}", file=sys.stderr)
"""

PEER = r"""
import sys
import numpy as np, pandas as pd
from scipy.stats import fisher_exact
from scipy.stats.contingency import odds_ratio
from statsmodels.stats.multitest import multipletests
NONSYN = {"Frame_Shift_Del", "Frame_Shift_Ins", "Splice_Site", "Translation_Start_Site", "Nonsense_Mutation",
          "Nonstop_Mutation", "In_Frame_Del", "In_Frame_Ins", "Missense_Mutation"}
counts, totals = [], []
for path in sys.argv[1:3]:
    maf = pd.read_csv(path, sep="\t", comment="#", usecols=["Hugo_Symbol", "Tumor_Sample_Barcode", "Variant_Classification"], dtype=str)
    totals.append(maf["Tumor_Sample_Barcode"].nunique())
    maf = maf[maf["Variant_Classification"].isin(NONSYN)].drop_duplicates(["Hugo_Symbol", "Tumor_Sample_Barcode"])
    counts.append(maf.groupby("Hugo_Symbol").size())
genes = sorted(set(counts[0].index) | set(counts[1].index))
a = counts[0].reindex(genes, fill_value=0).to_numpy(); b = counts[1].reindex(genes, fill_value=0).to_numpy()
rows = []
for g, x, y in zip(genes, a, b):
    table = [[int(x), int(totals[0] - x)], [int(y), int(totals[1] - y)]]
    p = fisher_exact(table).pvalue
    res = odds_ratio(table, kind="conditional")
    ci = res.confidence_interval(0.95)
    rows.append((g, x, y, res.statistic, ci.low, ci.high, p))
out = pd.DataFrame(rows, columns=["gene", "a_mutated", "b_mutated", "odds_ratio", "ci_low", "ci_high", "p_value"])
out["q_value"] = multipletests(out["p_value"], method="fdr_bh")[1]
out.sort_values(["p_value", "gene"]).to_csv(sys.argv[3], sep="\t", index=False, float_format="%.10g")
"""


def write_mafs(folder: Path, n_samples: int, n_mutations: int, n_genes: int, seed: int) -> tuple[Path, Path]:
    rng = np.random.default_rng(seed)
    genes = np.array([f"GENE{i:05d}" for i in range(n_genes)])
    length = rng.lognormal(7.3, 0.7, n_genes)  # coding length, median ~1.5 kb, TTN-like tail
    rate = rng.lognormal(0.0, 1.0, n_genes) * length
    drivers = rng.choice(n_genes, 30, replace=False)
    rate[drivers] *= rng.uniform(50, 300, drivers.size)  # a few genes mutated in 10-50% of tumours
    planted = rng.choice(n_genes, 300, replace=False)
    paths = []
    for cohort, shift in (("A", 1.0), ("B", 0.0)):
        r = rate.copy()
        if shift:
            r[planted] *= rng.uniform(1.5, 4.0, planted.size)  # cohort A acquires mutations in 300 genes
        n = n_mutations // 2
        burden = rng.lognormal(0, 1.0, n_samples // 2)  # mutation burden varies between tumours
        sample = rng.choice(n_samples // 2, n, p=burden / burden.sum())
        gene = rng.choice(n_genes, n, p=r / r.sum())
        klass = CLASSES[rng.choice(CLASSES.size, n, p=CLASS_P)]
        start = rng.integers(1_000_000, 200_000_000, n)
        ref = np.array(list("ACGT"))[rng.integers(0, 4, n)]
        alt = np.array(list("CGTA"))[rng.integers(0, 4, n)]
        frame = pd.DataFrame({
            "Hugo_Symbol": genes[gene], "Entrez_Gene_Id": gene + 1, "Center": "bench", "NCBI_Build": "GRCh38",
            "Chromosome": rng.integers(1, 23, n), "Start_Position": start, "End_Position": start, "Strand": "+",
            "Variant_Classification": klass, "Variant_Type": "SNP", "Reference_Allele": ref,
            "Tumor_Seq_Allele1": ref, "Tumor_Seq_Allele2": alt,
            "Tumor_Sample_Barcode": np.char.add(f"{cohort}-", sample.astype(str)),
            "Matched_Norm_Sample_Barcode": "NORMAL", "HGVSp_Short": "p.X1Y",
            "t_depth": rng.integers(20, 200, n), "t_alt_count": rng.integers(3, 20, n),
        })
        path = folder / f"{cohort}.maf.gz"
        with subprocess.Popen(["gzip", "-1", "-c"], stdin=subprocess.PIPE, stdout=open(path, "wb")) as gz:
            gz.stdin.write(b"#version 2.4\n")
            gz.stdin.write(frame.to_csv(sep="\t", index=False).encode())
            gz.stdin.close()
        paths.append(path)
    return paths[0], paths[1]


def measure(cmd: list[str]) -> tuple[int, float, float]:
    proc = subprocess.run([sys.executable, "-c", WRAPPER, *cmd], capture_output=True, text=True)
    rc, wall, kib = proc.stderr.strip().splitlines()[-1].split("\t")
    if int(rc) != 0:
        print(proc.stderr, file=sys.stderr)
    return int(rc), float(wall), int(kib) / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--mutations", type=int, default=1_000_000)
    parser.add_argument("--genes", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-peer", action="store_true", help="time metevo only")
    parser.add_argument("--keep", help="write the inputs and outputs here and keep them")
    args = parser.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="metevo-bench-cohorts-"))
    folder.mkdir(parents=True, exist_ok=True)
    metevo = shutil.which("metevo") or str(Path(sys.executable).with_name("metevo"))
    try:
        t = time.perf_counter()
        maf_a, maf_b = write_mafs(folder, args.samples, args.mutations, args.genes, args.seed)
        print(f"inputs: {args.samples} samples, {args.mutations} mutations, {args.genes} genes, "
              f"{(maf_a.stat().st_size + maf_b.stat().st_size) / 1e6:.0f} MB gzipped ({time.perf_counter() - t:.1f} s)")
        out = folder / "metevo.tsv"
        rc, wall, gib = measure([metevo, "compare-cohorts", "--maf-a", str(maf_a), "--maf-b", str(maf_b),
                                 "--min-mutated", "1", "--out", str(out)])
        tested = sum(1 for _ in open(out)) - 1 if rc == 0 else 0
        print(f"metevo compare-cohorts: {wall:.2f} s wall, {gib:.2f} GiB peak RSS, {tested} genes tested "
              f"(targets: < 60 s, < 4 GB)")
        if args.no_peer:
            return
        peer_out = folder / "peer.tsv"
        prc, pwall, pgib = measure([sys.executable, "-c", PEER, str(maf_a), str(maf_b), str(peer_out)])
        print(f"peer (pandas + scipy fisher_exact/odds_ratio per gene): {pwall:.2f} s wall, {pgib:.2f} GiB peak RSS")
        if rc == 0 and prc == 0:
            ours = pd.read_csv(out, sep="\t").set_index("gene")
            peer = pd.read_csv(peer_out, sep="\t").set_index("gene").loc[ours.index]
            p_rel = ((ours["p_value"] - peer["p_value"]).abs() / peer["p_value"]).max()
            finite = np.isfinite(peer["odds_ratio"]) & (peer["odds_ratio"] > 0)
            or_rel = ((ours["odds_ratio"] - peer["odds_ratio"]).abs() / peer["odds_ratio"])[finite].max()
            print(f"speed-up {pwall / wall:.1f}x; same genes: {set(ours.index) == set(peer.index)}; max relative "
                  f"difference p {p_rel:.1e}, odds ratio {or_rel:.1e} (metevo reports R's uniroot "
                  f"iterate, tol 1.2e-4; scipy solves to the end)")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
