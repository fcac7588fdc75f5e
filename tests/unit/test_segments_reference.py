"""Reference package data (centromeres, cytobands, genes) and region parsing.

Expected coordinates are published ones: scarHRD's centromere table (R/sysdata.rda), UCSC
cytobands (hg38 1q21.3 = chr1:150,600,001-155,100,000 and 17q12 = chr17:33,500,001-39,800,000
in UCSC's 1-based display), Ensembl/GENCODE gene spans (BRCA1 GRCh38 17:43,044,295-43,170,245;
BRCA2 GRCh38 13:32,315,086-32,400,268; TP53 GRCh37 17:7,565,097-7,590,856).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from metevo.cn import reference
from metevo.errors import ConfigError
from tests.conftest import SHARED

PACKAGE_DATA = Path(reference.__file__).resolve().parents[1] / "data"


def test_centromeres_are_scarhrds():
    hg38 = reference.centromeres("hg38").set_index("chrom")
    hg19 = reference.centromeres("hg19").set_index("chrom")
    assert list(hg38.index) == [str(i) for i in range(1, 23)] + ["X", "Y"]
    assert tuple(hg38.loc["1"]) == (121_700_000, 125_100_000)
    assert tuple(hg38.loc["17"]) == (22_700_000, 27_400_000)
    assert tuple(hg19.loc["1"]) == (121_500_000, 128_900_000)
    assert tuple(hg19.loc["9"]) == (47_300_000, 50_700_000)


def test_cytoband_regions():
    assert reference.region_from_cytoband("hg38", "1q21.3") == ("1", 150_600_001, 155_100_000)
    assert reference.region_from_cytoband("hg38", "chr17q12") == ("17", 33_500_001, 39_800_000)
    # a band names its sub-bands; a range joins bands
    q21 = reference.region_from_cytoband("hg38", "1q21")
    assert q21.end == 155_100_000 and q21.start < 150_600_001
    assert reference.region_from_cytoband("hg38", "1q21.1-q21.3") == ("1", q21.start, 155_100_000)
    p_arm = reference.region_from_cytoband("hg19", "17p")
    assert p_arm == ("17", 1, 24_000_000)  # hg19 17p11.1 (acen) ends at 24.0 Mb, where q11.1 starts
    with pytest.raises(ConfigError):
        reference.region_from_cytoband("hg38", "1q99")
    with pytest.raises(ConfigError):
        reference.region_from_cytoband("hg38", "banana")


def test_gene_spans():
    hg38 = reference.genes("hg38").set_index("gene")
    hg19 = reference.genes("hg19").set_index("gene")
    assert tuple(hg38.loc["BRCA1"]) == ("17", 43_044_295, 43_170_245)
    assert tuple(hg38.loc["BRCA2"]) == ("13", 32_315_086, 32_400_268)
    assert tuple(hg19.loc["TP53"]) == ("17", 7_565_097, 7_590_856)
    assert hg38.index.is_unique and hg19.index.is_unique
    assert hg38.loc["SHOX", "chrom"] == "X"  # pseudo-autosomal: the X copy
    assert hg19.loc["CKS1B", "chrom"] == "1"  # also annotated on chromosome 5 in that GENCODE release
    assert 19_000 < len(hg38) < 21_000


@pytest.mark.parametrize("text, expected", [
    ("chr17:39.6-39.8Mb", ("17", 39_600_000, 39_800_000)),
    ("17:39600000-39800000", ("17", 39_600_000, 39_800_000)),
    ("17:39,600,000-39,800,000", ("17", 39_600_000, 39_800_000)),
    ("X:1.5kb-2kb", ("X", 1_500, 2_000)),
    ("chrM:10-20", ("MT", 10, 20)),
])
def test_parse_region(text, expected):
    assert reference.parse_region(text) == expected


@pytest.mark.parametrize("text", ["17", "17:200-100", "17:1.00005-2Kb", "17:a-b", "17:0-10"])
def test_parse_region_errors(text):
    with pytest.raises(ConfigError):
        reference.parse_region(text)


def test_chromosome_lengths():
    assert reference.chromosome_lengths("hg38")["1"] == 248_956_422
    assert reference.chromosome_lengths("hg19")["1"] == 249_250_621


@pytest.mark.skipif(not (SHARED / "reference" / "hg38" / "genes.tsv.gz").exists(), reason="shared reference data absent")
def test_package_data_is_reproducible(tmp_path):
    written = reference.derive_package_data(SHARED / "reference", tmp_path)
    assert len(written) == 6
    for path in written:
        assert path.read_bytes() == (PACKAGE_DATA / path.name).read_bytes(), path.name
