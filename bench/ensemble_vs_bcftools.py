#!/usr/bin/env python3
"""Benchmark: ``metevo ensemble-calls`` against ``bcftools isec -n+2`` on the same three VCFs.

Writes three caller VCFs of 100,000 records each (Mutect2-, Strelka2- and VarScan2-like
dialects, bgzipped and tabix-indexed, drawn from one pool of variants so that the sets
overlap), then times, in the same run and on the same files:

* ``metevo ensemble-calls --vcf mutect2=... --vcf strelka2=... --vcf varscan2=... --out X.maf``
  (the installed command, wall time, best of 3; the two commands are run alternately so
  that both see the same load on the machine), and
* ``bcftools isec -n+2 -c none -o sites.txt`` (the closest peer: which sites are in >= 2
  files; it does not read allele counts, apply thresholds or write a MAF).

and prints both times and their ratio (target: metevo within 3x of bcftools). This is not a
test: nothing is asserted; run it as ``python bench/ensemble_vs_bcftools.py [--records N]``.
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
import pysam

# GRCh38 primary assembly lengths: the generated VCFs look like real hg38 calls.
HG38 = {
    "chr1": 248956422, "chr2": 242193529, "chr3": 198295559, "chr4": 190214555, "chr5": 181538259,
    "chr6": 170805979, "chr7": 159345973, "chr8": 145138636, "chr9": 138394717, "chr10": 133797422,
    "chr11": 135086622, "chr12": 133275309, "chr13": 114364328, "chr14": 107043718, "chr15": 101991189,
    "chr16": 90338345, "chr17": 83257441, "chr18": 80373285, "chr19": 58617616, "chr20": 64444167,
    "chr21": 46709983, "chr22": 50818468, "chrX": 156040895, "chrY": 57227415,
}
BASES = np.array(list("ACGT"))


def variant_pool(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """``n`` distinct sorted sites with alleles; about 8% are short indels."""
    names = list(HG38)
    lengths = np.array([HG38[c] for c in names], dtype=np.int64)
    chrom_idx = rng.choice(len(names), size=n, p=lengths / lengths.sum())
    pos = (rng.random(n) * (lengths[chrom_idx] - 100)).astype(np.int64) + 50
    order = np.lexsort((pos, chrom_idx))
    chrom_idx, pos = chrom_idx[order], pos[order]
    keep = np.ones(n, bool)
    keep[1:] = (chrom_idx[1:] != chrom_idx[:-1]) | (pos[1:] - pos[:-1] > 5)
    chrom_idx, pos = chrom_idx[keep], pos[keep]
    m = len(pos)
    ref = BASES[rng.integers(0, 4, m)]
    alt = BASES[(np.searchsorted(BASES, ref) + rng.integers(1, 4, m)) % 4]
    kind = rng.random(m)
    ref = ref.astype(object)
    alt = alt.astype(object)
    for i in np.flatnonzero(kind < 0.04):  # deletions of 1-3 bases
        ref[i] = ref[i] + "".join(BASES[rng.integers(0, 4, rng.integers(1, 4))])
        alt[i] = ref[i][0]
    for i in np.flatnonzero((kind >= 0.04) & (kind < 0.08)):  # insertions of 1-4 bases
        alt[i] = ref[i] + "".join(BASES[rng.integers(0, 4, rng.integers(1, 5))])
    return {"chrom": np.array(names, dtype=object)[chrom_idx], "pos": pos, "ref": ref, "alt": alt}


def _header(contig_lines: str, formats: str, infos: str, samples: str, extra: str = "") -> str:
    return (
        "##fileformat=VCFv4.2\n"
        "##FILTER=<ID=PASS,Description=\"All filters passed\">\n"
        "##FILTER=<ID=LowQual,Description=\"Low quality\">\n"
        + extra + infos + formats + contig_lines
        + "##reference=file:///ref/GRCh38.fa\n"
        + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + samples + "\n"
    )


def write_caller_vcfs(outdir: Path, n_records: int, seed: int = 1) -> dict[str, Path]:
    """Three bgzipped, tabix-indexed VCFs of ``n_records`` each; returns caller -> path."""
    rng = np.random.default_rng(seed)
    pool = variant_pool(int(n_records * 1.45), rng)
    m = len(pool["pos"])
    contigs = "".join(f"##contig=<ID={c},length={n}>\n" for c, n in HG38.items())
    paths = {}
    for caller in ("mutect2", "strelka2", "varscan2"):
        pick = np.sort(rng.choice(m, size=min(n_records, m), replace=False))
        depth = rng.integers(20, 200, len(pick))
        alt_n = np.maximum(1, (depth * rng.uniform(0.02, 0.6, len(pick))).astype(int))
        ndepth = rng.integers(10, 80, len(pick))
        nalt = (rng.random(len(pick)) < 0.03).astype(int)
        passed = rng.random(len(pick)) < 0.9
        lines = []
        if caller == "mutect2":
            head = _header(
                contigs,
                "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
                "##FORMAT=<ID=AD,Number=R,Type=Integer,Description=\"Allelic depths\">\n"
                "##FORMAT=<ID=AF,Number=A,Type=Float,Description=\"Allele fraction\">\n"
                "##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n"
                "##FORMAT=<ID=F1R2,Number=R,Type=Integer,Description=\"F1R2\">\n"
                "##FORMAT=<ID=F2R1,Number=R,Type=Integer,Description=\"F2R1\">\n"
                "##FORMAT=<ID=SB,Number=4,Type=Integer,Description=\"Strand bias\">\n",
                "##INFO=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n"
                "##INFO=<ID=TLOD,Number=A,Type=Float,Description=\"Tumor LOD\">\n",
                "NORMAL\tTUMOR",
                "##normal_sample=NORMAL\n##tumor_sample=TUMOR\n",
            )
            for j, i in enumerate(pick):
                d, a, nd, na = int(depth[j]), int(alt_n[j]), int(ndepth[j]), int(nalt[j])
                r = d - a
                lines.append(
                    f"{pool['chrom'][i]}\t{pool['pos'][i]}\t.\t{pool['ref'][i]}\t{pool['alt'][i]}\t.\t"
                    f"{'PASS' if passed[j] else 'weak_evidence'}\tDP={d + nd};TLOD={a * 3.1:.2f}\t"
                    f"GT:AD:AF:DP:F1R2:F2R1:SB\t0/0:{nd - na},{na}:{(na + 1) / (nd + 2):.3f}:{nd}:{nd // 2},{na}:{nd - nd // 2 - na},0:1,2,0,0"
                    f"\t0/1:{r},{a}:{a / d:.3f}:{d}:{r // 2},{a // 2}:{r - r // 2},{a - a // 2}:3,4,5,6"
                )
        elif caller == "strelka2":
            head = _header(
                contigs,
                "".join(f"##FORMAT=<ID={k},Number=2,Type=Integer,Description=\"{k}\">\n" for k in ("AU", "CU", "GU", "TU", "TAR", "TIR", "TOR"))
                + "##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Depth\">\n"
                "##FORMAT=<ID=FDP,Number=1,Type=Integer,Description=\"Filtered depth\">\n"
                "##FORMAT=<ID=SDP,Number=1,Type=Integer,Description=\"Spanning deletions\">\n"
                "##FORMAT=<ID=SUBDP,Number=1,Type=Integer,Description=\"Sub-threshold depth\">\n"
                "##FORMAT=<ID=DP2,Number=1,Type=Integer,Description=\"Depth tier 2\">\n",
                "##INFO=<ID=SOMATIC,Number=0,Type=Flag,Description=\"Somatic\">\n"
                "##INFO=<ID=QSS,Number=1,Type=Integer,Description=\"Quality\">\n"
                "##INFO=<ID=QSI,Number=1,Type=Integer,Description=\"Quality\">\n",
                "NORMAL\tTUMOR",
                "##source=strelka\n##content=strelka somatic calls\n",
            )
            for j, i in enumerate(pick):
                ref, alt = pool["ref"][i], pool["alt"][i]
                d, a, nd, na = int(depth[j]), int(alt_n[j]), int(ndepth[j]), int(nalt[j])
                flt = "PASS" if passed[j] else "LowEVS"
                head_cols = f"{pool['chrom'][i]}\t{pool['pos'][i]}\t.\t{ref}\t{alt}\t.\t{flt}"
                if len(ref) == 1 and len(alt) == 1:
                    def tiers(depth_, alt_n_):
                        counts = {b: 0 for b in "ACGT"}
                        counts[ref] = depth_ - alt_n_
                        counts[alt] = alt_n_
                        return ":".join(f"{counts[b]},{counts[b]}" for b in "ACGT")
                    lines.append(
                        f"{head_cols}\tSOMATIC;QSS={min(a * 4, 200)}\tDP:FDP:SDP:SUBDP:AU:CU:GU:TU\t"
                        f"{nd}:0:0:0:{tiers(nd, na)}\t{d}:0:0:0:{tiers(d, a)}"
                    )
                else:
                    lines.append(
                        f"{head_cols}\tSOMATIC;QSI={min(a * 4, 200)}\tDP:DP2:TAR:TIR:TOR\t"
                        f"{nd}:{nd}:{nd - na},{nd - na}:{na},{na}:0,0\t{d}:{d}:{d - a},{d - a}:{a},{a}:1,1"
                    )
        else:
            head = _header(
                contigs,
                "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
                "##FORMAT=<ID=GQ,Number=1,Type=Integer,Description=\"Genotype quality\">\n"
                "##FORMAT=<ID=DP,Number=1,Type=Integer,Description=\"Read depth\">\n"
                "##FORMAT=<ID=RD,Number=1,Type=Integer,Description=\"Depth of reference-supporting bases\">\n"
                "##FORMAT=<ID=AD,Number=1,Type=Integer,Description=\"Depth of variant-supporting bases\">\n"
                "##FORMAT=<ID=FREQ,Number=1,Type=String,Description=\"Variant allele frequency\">\n"
                "##FORMAT=<ID=DP4,Number=1,Type=String,Description=\"Strand read counts\">\n",
                "##INFO=<ID=DP,Number=1,Type=Integer,Description=\"Total depth\">\n"
                "##INFO=<ID=SOMATIC,Number=0,Type=Flag,Description=\"Somatic\">\n"
                "##INFO=<ID=SS,Number=1,Type=String,Description=\"Somatic status\">\n"
                "##INFO=<ID=SSC,Number=1,Type=String,Description=\"Somatic score\">\n"
                "##INFO=<ID=GPV,Number=1,Type=Float,Description=\"Germline p\">\n"
                "##INFO=<ID=SPV,Number=1,Type=Float,Description=\"Somatic p\">\n",
                "NORMAL\tTUMOR",
                "##source=VarScan2\n",
            )
            somatic = rng.random(len(pick)) < 0.95
            for j, i in enumerate(pick):
                d, a, nd, na = int(depth[j]), int(alt_n[j]), int(ndepth[j]), int(nalt[j])
                ss = 2 if somatic[j] else 1
                lines.append(
                    f"{pool['chrom'][i]}\t{pool['pos'][i]}\t.\t{pool['ref'][i]}\t{pool['alt'][i]}\t.\t"
                    f"{'PASS' if passed[j] else 'LowQual'}\tDP={d + nd};SOMATIC;SS={ss};SSC={min(a * 2, 255)};GPV=1;SPV=1e-05\t"
                    f"GT:GQ:DP:RD:AD:FREQ:DP4\t0/0:.:{nd}:{nd - na}:{na}:{100 * na / nd:.2f}%:{nd - na},0,{na},0"
                    f"\t0/1:.:{d}:{d - a}:{a}:{100 * a / d:.2f}%:{d - a},0,{a},0"
                )
        plain = outdir / f"{caller}.vcf"
        plain.write_text(head + "\n".join(lines) + "\n")
        gz = pysam.tabix_index(str(plain), preset="vcf", force=True)  # bgzips, removes plain
        paths[caller] = Path(gz)
    return paths


def run_timed(argv: list[str]) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    if done.returncode != 0:
        sys.exit(f"command failed ({done.returncode}): {' '.join(argv)}\n{done.stderr}")
    return elapsed


def best_of_interleaved(n: int, first: list[str], second: list[str]) -> tuple[float, float]:
    """Best wall time of each command over ``n`` rounds, alternating them so that both see
    the same conditions (other load on the machine changes from second to second)."""
    a, b = [], []
    for _ in range(n):
        a.append(run_timed(first))
        b.append(run_timed(second))
    return min(a), min(b)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=100_000, help="records per caller VCF [100000]")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs of each tool; the best counts [3]")
    ap.add_argument("--keep", metavar="DIR", help="write the VCFs and outputs here and keep them")
    args = ap.parse_args()

    metevo = shutil.which("metevo") or str(Path(sys.executable).with_name("metevo"))
    bcftools = shutil.which("bcftools")
    if not Path(metevo).exists():
        sys.exit("the metevo command is not installed (pip install -e .)")
    if bcftools is None:
        sys.exit("bcftools is not on PATH")

    workdir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="metevo-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        vcfs = write_caller_vcfs(workdir, args.records)
        print(f"wrote 3 x {args.records:,} records in {time.perf_counter() - t0:.1f} s to {workdir}")

        metevo_cmd = [metevo, "ensemble-calls", "--sample", "BENCH"]
        for caller, path in vcfs.items():
            metevo_cmd += ["--vcf", f"{caller}={path}"]
        metevo_cmd += ["--min-callers", "2", "--out", str(workdir / "BENCH.maf"), "--summary", str(workdir / "BENCH.callers.tsv")]
        bcftools_cmd = [bcftools, "isec", "-n+2", "-c", "none", "-o", str(workdir / "isec_sites.txt"), *map(str, vcfs.values())]

        t_bcftools, t_metevo = best_of_interleaved(args.repeats, bcftools_cmd, metevo_cmd)
        n_maf = sum(1 for line in open(workdir / "BENCH.maf") if not line.startswith(("#", "Hugo_Symbol")))
        n_isec = sum(1 for _ in open(workdir / "isec_sites.txt"))
        print(f"bcftools isec -n+2      : {t_bcftools:6.2f} s  ({n_isec:,} sites in >= 2 files, any FILTER)")
        print(f"metevo ensemble-calls   : {t_metevo:6.2f} s  ({n_maf:,} consensus variants after PASS and thresholds)")
        ratio = t_metevo / t_bcftools
        print(f"ratio metevo / bcftools : {ratio:6.2f}x  (target <= 3x: {'met' if ratio <= 3 else 'NOT met'})")
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
