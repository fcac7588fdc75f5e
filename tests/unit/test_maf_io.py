"""MAF reading (GDC, cBioPortal, maftools conventions) and metevo's MAF writer (metevo.io.maf)."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metevo.errors import InputError
from metevo.io.maf import MAF_COLUMNS, ncbi_build, read_maf, write_maf

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "dev"

GDC = """#version gdc-1.0.0
#annotation.spec gdc-2.0.0
Hugo_Symbol\tEntrez_Gene_Id\tCenter\tNCBI_Build\tChromosome\tStart_Position\tEnd_Position\tStrand\tVariant_Classification\tVariant_Type\tReference_Allele\tTumor_Seq_Allele1\tTumor_Seq_Allele2\tTumor_Sample_Barcode\tt_depth\tt_ref_count\tt_alt_count
TP53\t7157\tBI\tGRCh38\tchr17\t7675088\t7675088\t+\tMissense_Mutation\tSNP\tC\tC\tT\tTCGA-01\t60\t40\t20
PIK3CA\t5290\tBI\tGRCh38\tchr3\t179234297\t179234297\t+\tMissense_Mutation\tSNP\tA\tA\tG\tTCGA-01\t80\t60\t20
GATA3\t2625\tBI\tGRCh38\tchr10\t8069470\t8069471\t+\tFrame_Shift_Ins\tINS\t-\t-\tA\tTCGA-02\t50\t45\t5
"""


def write(path: Path, text: str, gz: bool = False) -> Path:
    if gz:
        with gzip.open(path, "wt") as fh:
            fh.write(text)
    else:
        path.write_text(text)
    return path


def test_read_gdc_maf(tmp_path):
    maf = read_maf(write(tmp_path / "gdc.maf.gz", GDC, gz=True))
    assert maf["Chromosome"].tolist() == ["17", "3", "10"]
    assert maf["Start_Position"].dtype == np.int64 and maf["Start_Position"].tolist() == [7675088, 179234297, 8069470]
    assert maf["Tumor_Seq_Allele2"].tolist() == ["T", "G", "A"]
    assert maf["__line__"].tolist() == [4, 5, 6]
    assert set(MAF_COLUMNS) <= set(maf.columns)
    assert maf["HGVSp_Short"].tolist() == ["", "", ""]


def test_case_variants_and_cbioportal_allele1(tmp_path):
    text = (
        "Hugo_Symbol\tChromosome\tStart_position\tReference_Allele\tTumor_Seq_Allele1\tTumor_Seq_Allele2\ttumor_sample_barcode\n"
        "KRAS\t12\t25245350\tC\tA\tC\tS1\n"  # Allele2 is the reference: the mutation is in Allele1
        "EGFR\tchr7\t55191822\tT\tG\t\tS1\n"  # Allele2 empty
        "BRCA1\t17\t43045712\tAT\tAT\t-\tS1\n"
    )
    maf = read_maf(write(tmp_path / "cbio.maf", text))
    assert maf["Tumor_Seq_Allele2"].tolist() == ["A", "G", "-"]
    assert maf["Start_Position"].tolist() == [25245350, 55191822, 43045712]
    assert maf["Tumor_Sample_Barcode"].tolist() == ["S1"] * 3
    # derived when absent: End_Position and Variant_Type (deletion spans the deleted bases)
    assert maf["End_Position"].tolist() == [25245350, 55191822, 43045713]
    assert maf["Variant_Type"].tolist() == ["SNP", "SNP", "DEL"]


@pytest.mark.parametrize(
    "text, line, column, words",
    [
        ("#c\nHugo_Symbol\tStart_Position\tReference_Allele\tTumor_Seq_Allele2\tTumor_Sample_Barcode\n", 2, "Chromosome", "missing required MAF column"),
        ("Chromosome\tStart_Position\tReference_Allele\tTumor_Seq_Allele2\tTumor_Sample_Barcode\n1\t12.5\tA\tC\tS\n", 2, "Start_Position", "positive integer"),
        ("Chromosome\tStart_Position\tReference_Allele\tTumor_Seq_Allele2\tTumor_Sample_Barcode\n1\t5\tA\tC\tS\n1\t0\tA\tC\tS\n", 3, "Start_Position", "positive integer"),
        ("Chromosome\tStart_Position\tReference_Allele\tTumor_Seq_Allele1\tTumor_Seq_Allele2\tTumor_Sample_Barcode\n1\t5\tA\tA\tA\tS\n", 2, "Tumor_Seq_Allele2", "no mutated allele"),
        ("Chromosome\tStart_Position\tReference_Allele\tTumor_Seq_Allele2\tTumor_Sample_Barcode\n1\t5\tA\tcat?\tS\n", 2, "Tumor_Seq_Allele2", "expected an allele"),
        ("Chromosome\tStart_Position\tEnd_Position\tReference_Allele\tTumor_Seq_Allele2\tTumor_Sample_Barcode\n1\t5\t4\tA\tC\tS\n", 2, "End_Position", "before Start_Position"),
        ("Chromosome\tStart_Position\tReference_Allele\tTumor_Seq_Allele2\tTumor_Sample_Barcode\n\t5\tA\tC\tS\n", 2, "Chromosome", "chromosome name"),
    ],
)
def test_bad_maf(tmp_path, text, line, column, words):
    path = write(tmp_path / "bad.maf", text)
    with pytest.raises(InputError) as err:
        read_maf(path)
    assert (err.value.file, err.value.line, err.value.column) == (str(path), line, column)
    assert words in str(err.value)


def test_ragged_maf_row_names_its_line(tmp_path):
    path = write(tmp_path / "ragged.maf", "Chromosome\tStart_Position\tReference_Allele\tTumor_Seq_Allele2\tTumor_Sample_Barcode\n1\t5\tA\tC\n")
    with pytest.raises(InputError, match="expected 5 fields") as err:
        read_maf(path)
    assert err.value.line == 2


def _variants() -> pd.DataFrame:
    return pd.DataFrame({
        "Hugo_Symbol": ["B", "A", "C", "D", "E"],
        "Chromosome": ["X", "10", "2", "MT", "GL000220.1"],
        "Start_Position": [5, 100, 100, 7, 1],
        "End_Position": [5, 100, 101, 7, 1],
        "Reference_Allele": ["A", "C", "-", "G", "T"],
        "Tumor_Seq_Allele2": ["G", "T", "AA", "C", "A"],
        "Tumor_Sample_Barcode": "S1",
        "t_depth": pd.array([10, None, 30, 40, 12], dtype="Int64"),
        "t_vaf": [0.1, np.nan, 1 / 3, 0.25, 0.5],
        "n_callers": np.array([2, 3, 2, 2, 1]),
    })


def test_write_maf_layout_and_order(tmp_path):
    out = tmp_path / "x.maf"
    write_maf(_variants(), out)
    lines = out.read_text().splitlines()
    assert lines[0] == "#version 2.4"
    assert lines[1].split("\t") == list(MAF_COLUMNS)
    rows = [line.split("\t") for line in lines[2:]]
    col = {name: i for i, name in enumerate(MAF_COLUMNS)}
    assert [r[col["Chromosome"]] for r in rows] == ["2", "10", "X", "MT", "GL000220.1"]
    assert [r[col["t_depth"]] for r in rows] == ["30", "", "10", "40", "12"]
    assert [r[col["t_vaf"]] for r in rows] == ["0.3333333333", "", "0.1", "0.25", "0.5"]
    assert [r[col["n_callers"]] for r in rows] == ["2", "3", "2", "2", "1"]
    assert rows[0][col["Strand"]] == ""  # absent columns are written empty


def test_write_maf_is_deterministic_and_round_trips(tmp_path):
    a, b = tmp_path / "a.maf", tmp_path / "b.maf"
    frame = _variants()
    write_maf(frame, a)
    write_maf(frame.sample(frac=1, random_state=3), b)  # input order does not matter
    assert a.read_bytes() == b.read_bytes()
    back = read_maf(a)
    assert back["Chromosome"].tolist() == ["2", "10", "X", "MT", "GL000220.1"]
    assert back["Tumor_Seq_Allele2"].tolist() == ["AA", "T", "G", "C", "A"]
    c = tmp_path / "c.maf"
    write_maf(back, c)
    assert c.read_bytes() == a.read_bytes()


def test_build_from_ncbi_build(tmp_path):
    path = write(tmp_path / "gdc.maf", GDC)
    assert ncbi_build(read_maf(path), path=path) == "hg38"
    mixed = write(tmp_path / "mixed.maf", GDC.replace("GRCh38\tchr10", "37\tchr10"))
    with pytest.raises(InputError, match="mixes genome builds") as err:
        ncbi_build(read_maf(mixed), path="in/mixed.maf")
    assert err.value.file == "in/mixed.maf" and err.value.line == 6


@pytest.mark.skipif(not (SHARED / "tcga_laml" / "tcga_laml.maf.gz").exists(), reason="shared dev data not present")
def test_real_maftools_maf():
    """TCGA-LAML from maftools: 'End_position' (lower-case p) is read as End_Position."""
    maf = read_maf(SHARED / "tcga_laml" / "tcga_laml.maf.gz")
    with gzip.open(SHARED / "tcga_laml" / "tcga_laml.maf.gz", "rt") as fh:
        n_rows = sum(1 for line in fh if line.strip() and not line.startswith("#")) - 1
    assert len(maf) == n_rows
    assert "End_Position" in maf.columns and "End_position" not in maf.columns
    assert (maf["End_Position"] >= maf["Start_Position"]).all()
    assert ncbi_build(maf, path="tcga_laml.maf.gz") == "hg19"
