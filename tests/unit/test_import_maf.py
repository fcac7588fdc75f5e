"""metevo import-maf: one sample of a GDC / cBioPortal / maftools MAF into metevo's MAF."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from metevo.cli import main
from metevo.io.maf import MAF_COLUMNS, read_maf

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "dev"

HEADER = ("Hugo_Symbol\tChromosome\tStart_Position\tEnd_Position\tVariant_Classification\tVariant_Type\tReference_Allele\t"
          "Tumor_Seq_Allele1\tTumor_Seq_Allele2\tTumor_Sample_Barcode\tt_depth\tt_alt_count\tn_depth\tn_alt_count\n")


def run(argv, capsys):
    code = main(["import-maf", *argv])
    return code, capsys.readouterr().err


def test_sample_rows_thresholds_and_metevo_columns(tmp_path, capsys):
    rows = [
        "TP53\tchr17\t7675088\t7675088\tMissense_Mutation\tSNP\tC\tC\tT\tBRCA-9\t60\t20\t40\t0\n",  # kept
        "TP53\tchr17\t7675088\t7675088\tMissense_Mutation\tSNP\tC\tC\tT\tBRCA-9\t60\t20\t40\t0\n",  # duplicate: dropped
        "KRAS\tchr12\t25245350\t25245350\tMissense_Mutation\tSNP\tC\tC\tA\tBRCA-9\t9\t5\t40\t0\n",  # depth 9 < 10
        "EGFR\tchr7\t55191822\t55191822\tMissense_Mutation\tSNP\tT\tT\tG\tBRCA-9\t100\t2\t40\t0\n",  # 2 ALT reads < 3
        "PTEN\tchr10\t87864470\t87864470\tNonsense_Mutation\tSNP\tC\tC\tT\tBRCA-9\t100\t10\t49\t1\n",  # normal VAF 0.0204
        "GATA3\tchr10\t8069470\t8069471\tFrame_Shift_Ins\tINS\t-\t-\tA\tBRCA-9\t\t\t\t\n",  # no counts: not judged
        "CDH1\tchr16\t68737292\t68737292\tSilent\tSNP\tG\tG\tA\tOTHER-1\t50\t25\t30\t0\n",  # another sample
    ]
    maf_in = tmp_path / "cohort.maf.gz"
    with gzip.open(maf_in, "wt") as fh:
        fh.write("#version 2.4\n" + HEADER + "".join(rows))
    code, err = run(["--sample", "P9_primary", "--maf", str(maf_in), "--maf-sample", "BRCA-9", "--out", str(tmp_path / "o.maf")], capsys)
    assert code == 0, err
    text = (tmp_path / "o.maf").read_text().splitlines()
    assert text[0] == "#version 2.4" and text[1].split("\t") == list(MAF_COLUMNS)
    out = read_maf(tmp_path / "o.maf")
    assert out["Hugo_Symbol"].tolist() == ["GATA3", "TP53"]  # chromosome order: 10 before 17
    assert set(out["Tumor_Sample_Barcode"]) == {"P9_primary"}
    assert out["callers"].tolist() == ["maf", "maf"] and out["n_callers"].tolist() == ["1", "1"]
    tp53 = out.set_index("Hugo_Symbol").loc["TP53"]
    assert (tp53["t_depth"], tp53["t_alt_count"], tp53["t_vaf"]) == ("60", "20", "0.3333333333")
    assert out.set_index("Hugo_Symbol").loc["GATA3", "t_depth"] == ""


def test_unknown_barcode_lists_what_is_there(tmp_path, capsys):
    maf_in = tmp_path / "m.maf"
    maf_in.write_text(HEADER + "".join(f"G\t1\t{i}\t{i}\tSilent\tSNP\tA\tA\tC\tS{i}\t\t\t\t\n" for i in range(1, 9)))
    out = tmp_path / "o.maf"
    code, err = run(["--sample", "P1", "--maf", str(maf_in), "--out", str(out)], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "no rows with Tumor_Sample_Barcode 'P1'" in err and "S1, S2, S3, S4, S5, ... (8 in all)" in err and "maf_sample" in err
    assert not out.exists()


def test_vaf_only_maf_and_protein_change(tmp_path, capsys):
    """A maftools-style MAF with t_vaf and t_depth but no ALT counts (like TCGA Firehose)."""
    maf_in = tmp_path / "f.maf"
    maf_in.write_text(
        "Hugo_Symbol\tChromosome\tStart_Position\tEnd_Position\tReference_Allele\tTumor_Seq_Allele2\tVariant_Classification\tVariant_Type\tTumor_Sample_Barcode\tProtein_Change\tt_vaf\tt_depth\n"
        "PIK3CA\t3\t178936091\t178936091\tG\tA\tMissense_Mutation\tSNP\tT1\tp.E545K\t0.338\t133\n"
        "TTN\t2\t179000000\t179000000\tC\tT\tMissense_Mutation\tSNP\tT1\tp.X1Y\t0.04\t200\n"
    )
    code, err = run(["--sample", "T1", "--maf", str(maf_in), "--out", str(tmp_path / "o.maf")], capsys)
    assert code == 0, err
    out = read_maf(tmp_path / "o.maf")
    assert out["Hugo_Symbol"].tolist() == ["PIK3CA"]  # VAF 0.04 < 0.05
    assert out["HGVSp_Short"].tolist() == ["p.E545K"] and out["t_vaf"].tolist() == ["0.338"]


def test_bad_count_cell_names_line_and_column(tmp_path, capsys):
    maf_in = tmp_path / "m.maf"
    maf_in.write_text(HEADER + "G\t1\t5\t5\tSilent\tSNP\tA\tA\tC\tS1\tmany\t3\t\t\n")
    code, err = run(["--sample", "S1", "--maf", str(maf_in), "--out", str(tmp_path / "o.maf")], capsys)
    assert code == 2 and f"{maf_in}: line 2, column 't_depth'" in err and "'many'" in err
    maf_in.write_text(HEADER + "G\t1\t5\t5\tSilent\tSNP\tA\tA\tC\tS1\t10\t30\t\t\n")
    code, err = run(["--sample", "S1", "--maf", str(maf_in), "--out", str(tmp_path / "o.maf")], capsys)
    assert code == 2 and "above 1" in err and "line 2" in err
    assert not (tmp_path / "o.maf").exists()


@pytest.mark.skipif(not (SHARED / "tcga_laml" / "tcga_laml.maf.gz").exists(), reason="shared dev data not present")
def test_real_tcga_laml_sample(tmp_path, capsys):
    path = SHARED / "tcga_laml" / "tcga_laml.maf.gz"
    with gzip.open(path, "rt") as fh:
        lines = [line.rstrip("\n").split("\t") for line in fh if not line.startswith("#")]
    col = {name: i for i, name in enumerate(lines[0])}
    mine = {(r[col["Chromosome"]], int(r[col["Start_Position"]]), r[col["Reference_Allele"]], r[col["Tumor_Seq_Allele2"]])
            for r in lines[1:] if r[col["Tumor_Sample_Barcode"]] == "TCGA-AB-2988"}
    code, err = run(["--sample", "AB2988", "--maf", str(path), "--maf-sample", "TCGA-AB-2988", "--out", str(tmp_path / "o.maf")], capsys)
    assert code == 0, err
    out = read_maf(tmp_path / "o.maf")
    got = {(c, int(s), r, a) for c, s, r, a in zip(out["Chromosome"], out["Start_Position"], out["Reference_Allele"], out["Tumor_Seq_Allele2"])}
    assert got == mine  # no count columns in this MAF: nothing is filtered
