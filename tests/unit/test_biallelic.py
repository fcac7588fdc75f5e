"""Biallelic inactivation: each rule on hand-built cases, then the command on a hand-built patient
(three tumour samples, germline table, cohort MAF with another patient) with hg38 gene spans
(BRCA1 17:43,044,295-43,170,245; BRCA2 13:32,315,086-32,400,268; PALB2 16:23,603,160-23,641,321)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from metevo.cn.loh import classify_gene
from tests.conftest import metevo

NONE = pd.DataFrame(columns=["Chromosome", "Start_Position", "Reference_Allele", "Tumor_Seq_Allele2", "Variant_Classification"])
GERMLINE = pd.DataFrame([{"patient": "P1", "gene": "BRCA2", "chrom": "13", "pos": 32338000, "ref": "A", "alt": "T",
                          "Variant_Classification": "Nonsense_Mutation", "HGVSp_Short": "p.K3326*", "evidence": "clinvar_pathogenic"}])


def _somatic(*classes) -> pd.DataFrame:
    return pd.DataFrame([
        {"Chromosome": "13", "Start_Position": 32340000 + i, "Reference_Allele": "C", "Tumor_Seq_Allele2": "T",
         "Variant_Classification": c, "HGVSp_Short": f"p.X{i}"}
        for i, c in enumerate(classes)
    ])


@pytest.mark.parametrize("germline, somatic, loh, homdel, status, mechanism", [
    (NONE.iloc[0:0], NONE, False, True, "biallelic", "homozygous_deletion"),
    (GERMLINE, NONE, True, False, "biallelic", "germline+LOH"),
    (None, _somatic("Frame_Shift_Del"), True, False, "biallelic", "somatic_truncating+LOH"),
    (GERMLINE, _somatic("Missense_Mutation"), False, False, "biallelic", "germline+somatic_mutation"),
    (None, _somatic("Missense_Mutation", "In_Frame_Del"), False, False, "likely_biallelic", "two_somatic_mutations"),
    (GERMLINE, NONE, False, False, "monoallelic", "germline"),
    (None, _somatic("Nonsense_Mutation"), False, False, "monoallelic", "somatic_mutation"),
    (None, NONE, True, False, "monoallelic", "LOH"),
    # a missense mutation with LOH: its effect is unknown, so not called biallelic
    (None, _somatic("Missense_Mutation"), True, False, "monoallelic", "somatic_mutation;LOH"),
    # silent and intronic mutations are not damaging
    (None, _somatic("Silent", "Intron"), False, False, "wild_type", ""),
    (None, NONE, False, False, "wild_type", ""),
    # unknown copy state is never evidence
    (GERMLINE, NONE, pd.NA, pd.NA, "monoallelic", "germline"),
])
def test_rules(germline, somatic, loh, homdel, status, mechanism):
    germline = GERMLINE.iloc[0:0] if germline is None else germline
    got = classify_gene(germline=germline, somatic=somatic, loh=loh, homdel=homdel, total_cn=1, minor_cn=0)
    assert got[:2] == (status, mechanism)


def test_every_rule_met_is_listed_and_the_same_variant_counts_once():
    # homozygous deletion and a germline variant with a somatic mutation: both biallelic rules listed
    status, mechanism, evidence = classify_gene(germline=GERMLINE, somatic=_somatic("Nonsense_Mutation"), loh=False, homdel=True)
    assert (status, mechanism) == ("biallelic", "homozygous_deletion;germline+somatic_mutation")
    assert evidence.startswith("homozygous deletion (total_cn 0); germline Nonsense_Mutation p.K3326* (13:32338000 A>T, clinvar_pathogenic)")
    twice = pd.concat([_somatic("Missense_Mutation")] * 2)  # one variant listed twice (two callers, two rows)
    assert classify_gene(germline=GERMLINE.iloc[0:0], somatic=twice, loh=False, homdel=False)[0] == "monoallelic"


# --- command line ----------------------------------------------------------------------------

MAF_HEADER = ("Hugo_Symbol\tNCBI_Build\tChromosome\tStart_Position\tEnd_Position\tReference_Allele\tTumor_Seq_Allele2\t"
              "Variant_Classification\tVariant_Type\tTumor_Sample_Barcode\tHGVSp_Short\tt_depth\tt_alt_count\tt_vaf\tpatient\n")


def _maf_row(gene, chrom, pos, cls, sample, patient="P1", change="p.X1"):
    return f"{gene}\tGRCh38\t{chrom}\t{pos}\t{pos}\tC\tT\t{cls}\tSNP\t{sample}\t{change}\t100\t40\t0.4\t{patient}\n"


def _patient(tmp_path: Path) -> dict[str, Path]:
    maf = tmp_path / "cohort.maf"
    maf.write_text(
        "#version 2.4\n" + MAF_HEADER
        # T2: BRCA2 frameshift beside the germline variant; two BRCA1 missense; PALB2 nonsense on LOH
        + _maf_row("BRCA2", "13", 32340100, "Frame_Shift_Del", "P1-T2", change="p.S1982fs")
        + _maf_row("BRCA1", "17", 43050000, "Missense_Mutation", "P1-T2", change="p.R1699W")
        + _maf_row("BRCA1", "17", 43060000, "Missense_Mutation", "P1-T2", change="p.C61G")
        + _maf_row("PALB2", "16", 23610000, "Nonsense_Mutation", "P1-T2", change="p.Q775*")
        # T1: a silent BRCA1 mutation (not damaging)
        + _maf_row("BRCA1", "17", 43070000, "Silent", "P1-T1")
        # T3: PALB2 missense on LOH
        + _maf_row("PALB2", "16", 23620000, "Missense_Mutation", "P1-T3")
        # another patient's sample: not reported
        + _maf_row("BRCA1", "17", 43050000, "Nonsense_Mutation", "P2-T1", patient="P2")
    )
    seg_header = "sample\tchrom\tstart\tend\tn_bins\tlog2\ttotal_cn\tmajor_cn\tminor_cn\tploidy\tcall\n"
    files = {}
    layouts = {
        # BRCA2 (chr13) LOH, BRCA1 (chr17) homozygous deletion inside a 1+1 region, PALB2 1+1
        "P1-T1": ["13\t1\t114000000\t\t\t1\t1\t0", "16\t1\t90000000\t\t\t2\t1\t1",
                  "17\t1\t43000000\t\t\t2\t1\t1", "17\t43000001\t43100000\t\t\t0\t0\t0", "17\t43100001\t83000000\t\t\t2\t1\t1"],
        # BRCA2 1+1 (second hit is the frameshift), BRCA1 1+1, PALB2 copy-neutral LOH
        "P1-T2": ["13\t1\t114000000\t\t\t2\t1\t1", "16\t1\t90000000\t\t\t2\t2\t0", "17\t1\t83000000\t\t\t2\t1\t1"],
        # germline BRCA2 only (1+1), BRCA1 LOH only, PALB2 missense + LOH
        "P1-T3": ["13\t1\t114000000\t\t\t2\t1\t1", "16\t1\t90000000\t\t\t1\t1\t0", "17\t1\t83000000\t\t\t1\t1\t0"],
    }
    for sample, rows in layouts.items():
        path = tmp_path / f"{sample}.segments.tsv"
        path.write_text(seg_header + "".join(f"{sample}\t{r}\t\t\n" for r in rows))
        files[sample] = path
    germline = tmp_path / "P1.germline.tsv"
    germline.write_text(
        "patient\tsample\tgene\tchrom\tpos\tref\talt\tgenotype\tVariant_Classification\tHGVSp_Short\tclinvar_significance\t"
        "evidence\tdepth\talt_count\tvaf\n"
        "P1\tP1-N\tBRCA2\t13\t32338000\tA\tT\t0/1\tNonsense_Mutation\tp.K3326*\tPathogenic\tclinvar_pathogenic\t40\t20\t0.5\n"
        "P2\tP2-N\tPALB2\t16\t23615000\tG\tA\t0/1\tNonsense_Mutation\tp.R170*\t\ttruncating\t40\t20\t0.5\n"
    )
    return {"maf": maf, "germline": germline, **files}


def test_biallelic_command(tmp_path):
    f = _patient(tmp_path)
    out = tmp_path / "P1.biallelic.tsv"
    metevo("biallelic", "--patient", "P1", "--maf", f["maf"], "--segments", f["P1-T1"], f["P1-T2"], f["P1-T3"],
           "--germline", f["germline"], "--genes", "BRCA1,BRCA2,PALB2", "--out", out)
    table = pd.read_csv(out, sep="\t", dtype=str, keep_default_na=False)
    got = {(r["sample"], r["gene"]): (r["status"], r["mechanism"]) for r in table.to_dict("records")}
    assert got == {
        ("P1-T2", "BRCA1"): ("likely_biallelic", "two_somatic_mutations"),
        ("P1-T2", "BRCA2"): ("biallelic", "germline+somatic_mutation"),
        ("P1-T2", "PALB2"): ("biallelic", "somatic_truncating+LOH"),
        ("P1-T1", "BRCA1"): ("biallelic", "homozygous_deletion"),
        ("P1-T1", "BRCA2"): ("biallelic", "germline+LOH"),
        ("P1-T1", "PALB2"): ("wild_type", ""),
        ("P1-T3", "BRCA1"): ("monoallelic", "LOH"),
        ("P1-T3", "BRCA2"): ("monoallelic", "germline"),
        ("P1-T3", "PALB2"): ("monoallelic", "somatic_mutation;LOH"),
    }
    # samples sorted by name (T3 has no mutation: found through its segments); genes in the order given; P2 absent
    assert table["sample"].tolist() == ["P1-T1"] * 3 + ["P1-T2"] * 3 + ["P1-T3"] * 3
    assert table["gene"].tolist()[:3] == ["BRCA1", "BRCA2", "PALB2"]
    row = table[(table["sample"] == "P1-T2") & (table["gene"] == "PALB2")].iloc[0]
    assert row["evidence"] == "LOH (total_cn 2, minor_cn 0); somatic Nonsense_Mutation p.Q775* (16:23610000 C>T, VAF 0.40)"
    assert (row["loh"], row["cn_loh"], row["n_somatic"], row["n_germline"]) == ("TRUE", "TRUE", "1", "0")
    # same inputs, same bytes
    again = tmp_path / "again.tsv"
    metevo("biallelic", "--patient", "P1", "--maf", f["maf"], "--segments", f["P1-T1"], f["P1-T2"], f["P1-T3"],
           "--germline", f["germline"], "--genes", "BRCA1,BRCA2,PALB2", "--out", again)
    assert again.read_bytes() == out.read_bytes()


def test_default_genes_and_missing_copy_state(tmp_path):
    # only T1's segments: T2 and T3 (MAF samples) have an unknown copy state, which is not evidence
    f = _patient(tmp_path)
    out = tmp_path / "o.tsv"
    metevo("biallelic", "--patient", "P1", "--maf", f["maf"], "--segments", f["P1-T1"], "--out", out)
    table = pd.read_csv(out, sep="\t", dtype=str, keep_default_na=False)
    assert sorted(set(table["gene"])) == ["ATM", "BRCA1", "BRCA2", "CHEK2", "PALB2"]  # germline step's default list
    palb2 = table[(table["sample"] == "P1-T2") & (table["gene"] == "PALB2")].iloc[0]
    assert (palb2["status"], palb2["mechanism"], palb2["loh"]) == ("monoallelic", "somatic_mutation", "")
    assert palb2["evidence"].startswith("copy state unknown; somatic Nonsense_Mutation")


def test_bad_inputs(tmp_path):
    f = _patient(tmp_path)
    out = tmp_path / "o.tsv"
    bad_germline = tmp_path / "g.tsv"
    bad_germline.write_text("sample\tgene\nX\tBRCA2\n")
    proc = metevo("biallelic", "--patient", "P1", "--maf", f["maf"], "--segments", f["P1-T1"], "--germline", bad_germline,
                  "--out", out, check=False)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert "column 'patient'" in proc.stderr and "line 1" in proc.stderr and not out.exists()
    proc = metevo("biallelic", "--patient", "P1", "--maf", f["maf"], "--segments", f["P1-T1"], "--genome", "hg19",
                  "--out", out, check=False)
    assert proc.returncode == 2 and "NCBI_Build is hg38" in proc.stderr and not out.exists()
    proc = metevo("biallelic", "--patient", "P1", "--maf", f["maf"], "--segments", f["P1-T1"], f["P1-T1"],
                  "--out", out, check=False)
    assert proc.returncode == 2 and "already has segments" in proc.stderr and not out.exists()
