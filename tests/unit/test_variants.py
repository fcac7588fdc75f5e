"""Allele normalisation and VCF -> MAF coordinates (metevo.variants).

Left-alignment is checked against ``bcftools norm -f`` (the reference implementation of the
same algorithm) on indels placed in the repeats of the committed test reference; MAF
coordinates against vcf2maf's documented examples.
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
from pathlib import Path

import pytest

from metevo.variants import (
    chrom_sort_key,
    chrom_style,
    harmonise_chrom,
    is_inframe,
    left_align,
    trim_alleles,
    variant_type,
    vcf_to_maf,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "multicaller_vcfs"


@pytest.fixture(scope="module")
def tiny_sequence() -> str:
    with gzip.open(DATA / "tiny.fa.gz", "rt") as fh:
        return "".join(line.strip() for line in fh if not line.startswith(">")).upper()


@pytest.mark.parametrize(
    "name, expected",
    [("chr1", "1"), ("1", "1"), ("chrX", "X"), ("chrM", "MT"), ("M", "MT"), ("MT", "MT"), ("chrMT", "MT"),
     ("Chr7", "7"), ("chrUn_gl000220", "Un_gl000220"), ("GL000220.1", "GL000220.1")],
)
def test_harmonise_chrom(name, expected):
    assert harmonise_chrom(name) == expected


def test_chrom_style_and_order():
    assert chrom_style(["chr1", "chr2", "chrM"]) == "chr"
    assert chrom_style(["1", "2", "MT"]) == "plain"
    assert chrom_style(["chr1", "2"]) is None
    assert chrom_style(["scaffold_1"]) is None
    names = ["chrUn", "X", "10", "2", "MT", "1", "Y", "chr22", "GL1"]
    assert sorted(names, key=chrom_sort_key) == ["1", "2", "10", "chr22", "X", "Y", "MT", "GL1", "chrUn"]


@pytest.mark.parametrize(
    "record, expected",
    [
        ((100, "A", "G"), (100, "A", "G")),
        ((100, "CAT", "CGT"), (101, "A", "G")),  # MNP-looking SNV: both sides trimmed
        ((100, "GTT", "GT"), (100, "GT", "G")),  # deletion keeps its anchor
        ((100, "G", "GTT"), (100, "G", "GTT")),
        ((100, "ACGT", "ATGT"), (101, "C", "T")),
        ((100, "TTAT", "TTTT"), (102, "A", "T")),
    ],
)
def test_trim_alleles(record, expected):
    assert trim_alleles(*record) == expected


def test_left_align_in_homopolymer(tiny_sequence):
    # tiny.fa 1:9975-9980 is G TTTT A: inserting or deleting a T anywhere in the run is one variant
    assert tiny_sequence[9974:9980] == "GTTTTA"
    fetch = lambda s, e: tiny_sequence[s:e]  # noqa: E731
    for pos, ref, alt in [(9978, "T", "TT"), (9979, "T", "TT"), (9976, "TT", "TTT")]:
        assert left_align(pos, ref, alt, fetch) == (9975, "G", "GT")
    for pos, ref, alt in [(9978, "TT", "T"), (9976, "TTTTA", "TTTA"), (9975, "GTTTT", "GTTT")]:
        assert left_align(pos, ref, alt, fetch) == (9975, "GT", "G")
    # substitutions are only trimmed
    assert left_align(9976, "TT", "AT", fetch) == (9976, "T", "A")


def test_left_align_at_contig_start():
    seq = "AAAAC"
    fetch = lambda s, e: seq[max(s, 0):e]  # noqa: E731
    # deleting one A of the leading run cannot move left of position 1
    assert left_align(3, "AA", "A", fetch) == (1, "AA", "A")


@pytest.mark.skipif(shutil.which("bcftools") is None, reason="bcftools is not installed")
def test_left_align_matches_bcftools_norm(tmp_path, tiny_sequence):
    """Indels shifted to every position of several repeats of tiny.fa agree with bcftools norm -f."""
    import pysam

    fasta = tmp_path / "tiny.fa"
    fasta.write_text(">1\n" + "\n".join(tiny_sequence[i:i + 60] for i in range(0, len(tiny_sequence), 60)) + "\n")
    pysam.faidx(str(fasta))
    records = []
    # repeats of units of 1-4 bases in the first 60 kb, each as a deletion and an insertion
    # written at the right end of the repeat (the most 3' representation)
    for unit_len in (1, 2, 3, 4):
        seen = 0
        i = 100
        while i < 60000 and seen < 40:
            unit = tiny_sequence[i:i + unit_len]
            j = i + unit_len
            while tiny_sequence[j:j + unit_len] == unit:
                j += unit_len
            copies = (j - i) // unit_len
            if copies >= 3 and "N" not in unit:
                last = j - unit_len  # 0-based start of the last copy
                anchor = tiny_sequence[last - 1]
                records.append((last, anchor + unit, anchor))  # delete the last copy (VCF pos = last, 1-based anchor)
                records.append((j, tiny_sequence[j - 1], tiny_sequence[j - 1] + unit))  # insert one more copy at the end
                seen += 1
                i = j
            else:
                i += 1
    records.sort()
    vcf = tmp_path / "indels.vcf"
    lines = ["##fileformat=VCFv4.2", "##contig=<ID=1,length=300000>", "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]
    lines += [f"1\t{p}\t.\t{r}\t{a}\t.\tPASS\t." for p, r, a in records]
    vcf.write_text("\n".join(lines) + "\n")
    done = subprocess.run(["bcftools", "norm", "-f", str(fasta), "-m", "-any", str(vcf)], capture_output=True, text=True, check=True)
    expected = []
    for line in done.stdout.splitlines():
        if not line.startswith("#"):
            fields = line.split("\t")
            expected.append((int(fields[1]), fields[3], fields[4]))
    fetch = lambda s, e: tiny_sequence[s:e]  # noqa: E731
    ours = [left_align(p, r, a, fetch) for p, r, a in records]
    assert len(records) >= 200
    assert sorted(ours) == sorted(expected)
    assert any(o != r for o, r in zip(ours, records)), "the test must contain indels that move"


@pytest.mark.parametrize(
    "record, expected",
    [
        ((100, "A", "G"), (100, 100, "A", "G", "SNP")),
        ((100, "AC", "GT"), (100, 101, "AC", "GT", "DNP")),
        ((100, "ACG", "GTA"), (100, 102, "ACG", "GTA", "TNP")),
        ((100, "ACGT", "GTAC"), (100, 103, "ACGT", "GTAC", "ONP")),
        ((100, "A", "AT"), (100, 101, "-", "T", "INS")),  # insertion spans the flanking bases
        ((100, "ATG", "A"), (101, 102, "TG", "-", "DEL")),
        ((100, "A", "TC"), (100, 100, "A", "TC", "INS")),  # complex insertion keeps the REF span
        ((100, "ATG", "C"), (100, 102, "ATG", "C", "DEL")),
    ],
)
def test_vcf_to_maf(record, expected):
    assert vcf_to_maf(*record) == expected
    assert variant_type(record[1], record[2]) == expected[4]


def test_is_inframe():
    assert is_inframe("A", "ATTT")
    assert not is_inframe("A", "AT")
    assert is_inframe("ACGT", "A")
