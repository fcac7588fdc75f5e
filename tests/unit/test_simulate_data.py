"""The simulator's package data: reproducible from the shared GENCODE/hotspot tables, and sane."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from metevo.simulate.derive_data import write_tables
from metevo.simulate.reference import HG38_CONTIGS, gene_by_name, load_genes, load_hotspots

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "data" / "reference" / "hg38"


@pytest.mark.skipif(not (REFERENCE / "genes.tsv.gz").exists(), reason="shared reference data not available")
def test_package_tables_are_reproduced_from_the_reference(tmp_path):
    write_tables(REFERENCE, tmp_path)
    data = resources.files("metevo.data")
    for name in ("sim_genes_hg38.tsv", "sim_hotspots_hg38.tsv"):
        assert (tmp_path / name).read_bytes() == data.joinpath(name).read_bytes(), name


def test_gene_table_holds_real_genes_at_their_hg38_places():
    genes = load_genes()
    assert 300 <= len(genes) <= 500
    lengths = dict(HG38_CONTIGS)
    for g in genes:
        assert g.gene_start <= g.cds_start < g.cds_end <= g.gene_end <= lengths[g.chrom]
        assert g.cds_length <= g.cds_end - g.cds_start + 1 and g.strand in "+-"
    by_name = gene_by_name()
    # GENCODE: TP53 on the minus strand of chr17 around 7.67 Mb, ESR1 on plus of chr6 ~152 Mb.
    assert by_name["TP53"].chrom == "17" and by_name["TP53"].strand == "-" and 7_660_000 < by_name["TP53"].cds_start < 7_680_000
    assert by_name["ESR1"].chrom == "6" and by_name["ESR1"].strand == "+"
    assert {"BRCA1", "BRCA2", "PALB2", "ATM", "CHEK2", "PIK3CA", "GATA3", "CDH1"} <= set(by_name)


def test_hotspots_lie_in_their_genes():
    by_name = gene_by_name()
    spots = {(h.gene, h.protein_change): h for h in load_hotspots()}
    assert spots[("ESR1", "D538G")].pos == 152098791 and spots[("PIK3CA", "H1047R")].pos == 179234297
    for h in spots.values():
        g = by_name[h.gene]
        assert h.chrom == g.chrom and g.cds_start <= h.pos <= g.cds_end
