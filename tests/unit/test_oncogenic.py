"""metevo.oncogenic and ``metevo oncogenic``: hand-built MAFs whose answers follow from the rules
(hotspot residues of cancerhotspots v2, truncated suppressors, OncoKB precedence, copy number),
the shipped tables against the public reference copies, and TCGA-BRCA PIK3CA hotspots."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from metevo.io.maf import read_maf
from metevo.oncogenic import (
    build_alterations, classify_copy_number, gene_roles, protein_range, read_gene_roles, read_hotspots, read_pathways,
)

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
HEADER = ["Hugo_Symbol", "Chromosome", "Start_Position", "End_Position", "Reference_Allele", "Tumor_Seq_Allele2",
          "Variant_Classification", "Variant_Type", "Tumor_Sample_Barcode", "HGVSp_Short", "Protein_position", "patient", "sample_type"]

# (gene, chrom, start, ref, alt, class, HGVSp_Short, Protein_position, sample) -> expected (oncogenic, evidence)
ROWS = [
    (("PIK3CA", "3", 179218303, "G", "A", "Missense_Mutation", "p.E545K", "", "P1_prim"), (1, "hotspot")),
    (("PIK3CA", "3", 179218304, "A", "C", "Missense_Mutation", "p.E545A", "", "P1_met"), (1, "hotspot")),  # any aa at the residue
    (("PIK3CA", "3", 179218310, "G", "A", "Missense_Mutation", "p.D547N", "", "P1_met"), (0, "none")),  # next residue
    (("KRAS", "12", 25245350, "C", "T", "Missense_Mutation", "", "12/189", "P1_met"), (1, "hotspot")),  # Protein_position only
    (("EGFR", "7", 55174772, "GGAATTAAGAGAAGC", "-", "In_Frame_Del", "p.E746_A750del", "", "P2_prim"), (1, "hotspot")),
    (("TP53", "17", 7675994, "C", "A", "Nonsense_Mutation", "p.Q100*", "", "P2_prim"), (1, "truncating_tsg")),
    (("PTEN", "10", 87925550, "A", "-", "Frame_Shift_Del", "p.K267fs", "", "P2_met"), (1, "truncating_tsg")),
    (("BRCA2", "13", 32340300, "G", "T", "Splice_Site", "p.X1000_splice", "", "P2_met"), (1, "truncating_tsg")),  # shipped role list
    (("PIK3CA", "3", 179203765, "C", "T", "Nonsense_Mutation", "p.Q60*", "", "P2_met"), (0, "none")),  # truncated oncogene
    (("TTN", "2", 178527000, "C", "T", "Missense_Mutation", "p.R100C", "", "P2_met"), (0, "none")),
]
SILENT = ("PIK3CA", "3", 179218300, "G", "A", "Silent", "p.E544=", "", "P1_prim")
TYPES = {"P1_prim": ("P1", "primary"), "P1_met": ("P1", "metastasis"), "P2_prim": ("P2", "primary"), "P2_met": ("P2", "recurrence")}


def _write_maf(path: Path, rows, extra: dict[str, list[str]] | None = None) -> Path:
    lines = ["#version 2.4", "\t".join(HEADER + list(extra or {}))]
    for k, r in enumerate(rows):
        gene, chrom, start, ref, alt, cls, hgvsp, ppos, sample = r
        end = start + max(len(ref), 1) - 1
        vtype = "DEL" if alt == "-" else "SNP"
        cells = [gene, chrom, str(start), str(end), ref, alt, cls, vtype, sample, hgvsp, ppos, *TYPES[sample]]
        cells += [extra[c][k] for c in (extra or {})]
        lines.append("\t".join(cells))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_protein_range_parses_hgvsp_forms():
    assert protein_range("p.E545K") == (545, 545, "E")
    assert protein_range("p.E746_A750del") == (746, 750, "E")
    assert protein_range("p.X125_splice") == (125, 125, "X")
    assert protein_range("R1335*") == (1335, 1335, "R")
    assert protein_range("p.=") is None and protein_range("") is None


def test_rules_on_a_hand_built_maf(tmp_path):
    rows = [r for r, _ in ROWS] + [SILENT, ROWS[0][0]]  # a silent row and a duplicated variant
    maf = read_maf(_write_maf(tmp_path / "c.maf", rows))
    table = build_alterations(maf, None)
    assert len(table) == len(ROWS)  # silent dropped, duplicate once
    got = {(r.sample, r.gene, r.detail): (r.oncogenic, r.evidence) for r in table.itertuples()}
    for r, expected in ROWS:
        detail = r[6] or ""
        assert got[(r[8], r[0], detail)] == expected, r
    assert set(table["alteration"]) == {"mutation"}
    kras = table.loc[table["gene"] == "KRAS"].iloc[0]
    assert (kras.patient, kras.sample_type, kras.start_position) == ("P1", "metastasis", 25245350)


def test_oncokb_columns_take_precedence(tmp_path):
    rows = [r for r, _ in ROWS]
    oncogenic = ["Likely Neutral", "", "Oncogenic", "", "Unknown", "Inconclusive", "", "", "Unknown", "Likely Oncogenic"]
    level = ["", "", "", "", "", "", "", "", "LEVEL_1", ""]
    maf = read_maf(_write_maf(tmp_path / "k.maf", rows, {"ONCOGENIC": oncogenic, "HIGHEST_LEVEL": level}))
    table = build_alterations(maf, None)
    got = {(r.sample, r.gene, r.detail): (r.oncogenic, r.evidence, r.oncokb_oncogenic) for r in table.itertuples()}
    key = lambda i: (ROWS[i][0][8], ROWS[i][0][0], ROWS[i][0][6])
    assert got[key(0)] == (0, "oncokb", "Likely Neutral")  # a hotspot OncoKB calls neutral stays neutral
    assert got[key(1)] == (1, "hotspot", "")  # no OncoKB call: rules apply
    assert got[key(2)] == (1, "oncokb", "Oncogenic")  # not a hotspot, OncoKB says oncogenic
    assert got[key(4)][:2] == (1, "hotspot")  # Unknown falls through
    assert got[key(5)][:2] == (0, "oncokb")  # Inconclusive is OncoKB's call
    assert got[key(8)][:2] == (1, "oncokb")  # Unknown but a therapeutic level
    assert got[key(9)][:2] == (1, "oncokb")


def test_copy_number_rules():
    roles = gene_roles(read_pathways(), read_gene_roles())
    calls = pd.DataFrame([
        ("P1", "S1", "primary", "ERBB2", "amplification"), ("P1", "S1", "primary", "CDKN2A", "deletion"),
        ("P1", "S1", "primary", "PTEN", "amplification"), ("P1", "S1", "primary", "MYC", "gain"),
        ("P1", "S1", "primary", "TTN", "deletion"), ("P1", "S1", "primary", "KRAS", "deletion"),
        ("P1", "S1", "primary", "ERBB2", "amplification"),
    ], columns=["patient", "sample", "sample_type", "gene", "call"])
    table = classify_copy_number(calls, roles)
    got = {(r.gene, r.alteration): (r.oncogenic, r.evidence) for r in table.itertuples()}
    assert got == {("ERBB2", "amplification"): (1, "amp_og"), ("CDKN2A", "deletion"): (1, "del_tsg"),
                   ("PTEN", "amplification"): (0, "none"), ("KRAS", "deletion"): (0, "none")}


def test_pathway_table_roles_win_over_shipped_list():
    pathways = pd.DataFrame({"pathway": ["X"], "gene": ["BRCA2"], "role": ["OG"]})
    roles = gene_roles(pathways, read_gene_roles())
    assert roles["BRCA2"] == "OG" and roles["PTEN"] == "TSG"


def test_shipped_tables_match_public_sources():
    shipped = read_hotspots()
    assert len(shipped) > 1000 and set(shipped["type"]) == {"single_residue", "inframe_indel", "truncating"}
    pik3ca = shipped.loc[(shipped["gene"] == "PIK3CA") & (shipped["type"] == "single_residue"), "residue_start"].tolist()
    assert {88, 345, 420, 542, 545, 546, 1043, 1047} <= set(pik3ca)  # Chang et al. 2018 PIK3CA hotspots
    pathways = read_pathways()
    assert sorted(pathways["pathway"].unique()) == sorted(
        ["Cell_Cycle", "Hippo", "MYC", "NOTCH", "NRF2", "PI3K", "RTK-RAS", "TGF-Beta", "TP53", "WNT"])
    assert len(pathways) == 335
    ref = SHARED / "reference"
    if not (ref / "hg38" / "cancerhotspots_v2.tsv").exists():
        pytest.skip("shared reference data not available")
    derived = read_hotspots(ref / "hg38" / "cancerhotspots_v2.tsv")
    pd.testing.assert_frame_equal(derived.reset_index(drop=True), shipped.reset_index(drop=True), check_dtype=False)
    public = read_pathways(ref / "genesets" / "oncogenic_signaling_pathways.tsv")
    pd.testing.assert_frame_equal(public, pathways)


def test_cancerhotspots_org_table_format(tmp_path):
    path = tmp_path / "hs.tsv"
    path.write_text("Hugo_Symbol\tAmino_Acid_Position\tReference_Amino_Acid\tVariant_Amino_Acid\tType\n"
                    "PIK3CA\t545\tE\tK,A\tsingle residue\nEGFR\t746-750\tE\t\tin-frame indel\n")
    table = read_hotspots(path)
    assert table[["gene", "residue_start", "residue_end", "type"]].values.tolist() == [
        ["EGFR", 746, 750, "inframe_indel"], ["PIK3CA", 545, 545, "single_residue"]]


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "metevo", *map(str, args)], capture_output=True, text=True)


def _sheet(path: Path) -> Path:
    """Samplesheet of the hand-built cohort plus P3_prim, a primary with a MAF but no mutation."""
    lines = ["patient,sample,sample_type,maf"] + [f"{p},{s},{t},c.maf" for s, (p, t) in TYPES.items()] + ["P3,P3_prim,primary,c.maf"]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_cli_outputs_deterministic_and_bad_inputs(tmp_path):
    maf = _write_maf(tmp_path / "c.maf", [r for r, _ in ROWS])
    genes = tmp_path / "g.tsv"
    genes.write_text("gene\tchrom\tstart\tend\tlog2\tcall\nERBB2\t17\t39688094\t39728658\t2.5\tamplification\n")
    outs = []
    for k in range(2):
        out = tmp_path / f"out{k}"
        r = _cli("oncogenic", "--maf", maf, "--cn-genes", f"P1_prim={genes}", "--outdir", out)
        assert r.returncode == 0, r.stderr
        outs.append(out)
    for name in ("alterations.tsv", "pathway_status.tsv", "pathway_enrichment.tsv", "pathway_coalteration.tsv"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes()
    alt = pd.read_csv(outs[0] / "alterations.tsv", sep="\t", dtype=str, keep_default_na=False)
    assert alt.columns.tolist()[:8] == ["patient", "sample", "sample_type", "gene", "alteration", "detail", "oncogenic", "evidence"]
    assert alt.loc[alt["gene"] == "ERBB2", ["sample", "alteration", "evidence"]].values.tolist() == [["P1_prim", "amplification", "amp_og"]]
    status = pd.read_csv(outs[0] / "pathway_status.tsv", sep="\t", keep_default_na=False)
    assert len(status) == 4 * 10
    mapk = status.loc[status["pathway"] == "RTK-RAS"].set_index("sample")
    assert set(mapk["label"]) == {"MAPK-altered"}
    assert mapk["altered"].to_dict() == {"P1_met": 1, "P1_prim": 1, "P2_met": 0, "P2_prim": 1}  # KRAS; ERBB2 amp; EGFR
    assert mapk.loc["P1_prim", "altered_genes"] == "ERBB2"

    # a samplesheet adds a profiled tumour without mutations; a MAF without patient needs it
    sheet = _sheet(tmp_path / "s.csv")
    bare = tmp_path / "bare.maf"
    frame = pd.read_csv(maf, sep="\t", comment="#", dtype=str, keep_default_na=False).drop(columns=["patient", "sample_type"])
    frame.to_csv(bare, sep="\t", index=False)
    r = _cli("oncogenic", "--maf", bare, "--outdir", tmp_path / "bad")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "'patient'" in r.stderr
    assert not (tmp_path / "bad").exists()
    r = _cli("oncogenic", "--maf", bare, "--samplesheet", sheet, "--outdir", tmp_path / "ok")
    assert r.returncode == 0, r.stderr
    status = pd.read_csv(tmp_path / "ok" / "pathway_status.tsv", sep="\t", keep_default_na=False)
    assert "P3_prim" in set(status["sample"]) and status.loc[status["sample"] == "P3_prim", "altered"].sum() == 0

    genes.write_text("gene\tcall\nERBB2\tamplified\n")
    r = _cli("oncogenic", "--maf", maf, "--cn-genes", f"P1_prim={genes}", "--outdir", tmp_path / "bad2")
    assert r.returncode == 2 and f"{genes}: line 2, column 'call'" in r.stderr
    assert not (tmp_path / "bad2").exists()


TCGA = SHARED / "dev" / "tcga_brca" / "tcga_brca_firehose.maf.gz"


@pytest.mark.skipif(not TCGA.exists(), reason="TCGA-BRCA MAF not available")
def test_tcga_brca_pik3ca_hotspots_are_oncogenic():
    maf = read_maf(TCGA)
    maf["patient"] = maf["Tumor_Sample_Barcode"]
    maf["sample_type"] = "primary"
    table = build_alterations(maf, None)
    pik3ca = table.loc[(table["gene"] == "PIK3CA") & table["detail"].isin(["p.E545K", "p.H1047R"])]
    # the Firehose MAF carries 62 E545K and 126 H1047R calls: every one is a hotspot
    assert pik3ca["detail"].value_counts().to_dict() == {"p.H1047R": 126, "p.E545K": 62}
    assert (pik3ca["oncogenic"] == 1).all() and set(pik3ca["evidence"]) == {"hotspot"}
    tp53_trunc = table.loc[(table["gene"] == "TP53") & (table["variant_classification"] == "Nonsense_Mutation")]
    assert len(tp53_trunc) > 20 and (tp53_trunc["oncogenic"] == 1).all()


def test_cli_gene_calls_from_segments_of_another_caller(tmp_path):
    # an ASCAT profile of P2_met: diploid, ERBB2 amplified (9 copies), CDKN2A homozygously deleted
    maf = _write_maf(tmp_path / "c.maf", [r for r, _ in ROWS])
    ascat = tmp_path / "P2_met.ascat.txt"
    rows = ["sample\tchr\tstartpos\tendpos\tnMajor\tnMinor"]
    rows += [f"P2_met\t{c}\t1\t40000000\t1\t1" for c in range(1, 23) if c not in (9, 17)]
    rows += ["P2_met\t9\t1\t21900000\t1\t1", "P2_met\t9\t21900001\t22100000\t0\t0", "P2_met\t9\t22100001\t40000000\t1\t1",
             "P2_met\t17\t1\t39000000\t1\t1", "P2_met\t17\t39000001\t40000000\t8\t1", "P2_met\t17\t40000001\t80000000\t1\t1"]
    ascat.write_text("\n".join(rows) + "\n")
    out = tmp_path / "out"
    r = _cli("oncogenic", "--maf", maf, "--cn-segments", f"P2_met={ascat}", "--genome", "hg38", "--outdir", out)
    assert r.returncode == 0, r.stderr
    alt = pd.read_csv(out / "alterations.tsv", sep="\t", dtype=str, keep_default_na=False)
    cn = alt.loc[alt["alteration"] != "mutation"]
    got = cn.loc[cn["gene"].isin(["ERBB2", "CDKN2A"]), ["sample", "gene", "alteration", "evidence"]].values.tolist()
    assert sorted(got) == [["P2_met", "CDKN2A", "deletion", "del_tsg"], ["P2_met", "ERBB2", "amplification", "amp_og"]]
    assert set(cn["sample"]) == {"P2_met"}
    status = pd.read_csv(out / "pathway_status.tsv", sep="\t", keep_default_na=False).set_index(["sample", "pathway"])
    assert status.loc[("P2_met", "Cell_Cycle"), "altered_genes"] == "CDKN2A,CDKN2B"  # the 200 kb deletion holds both
    assert "ERBB2" in status.loc[("P2_met", "RTK-RAS"), "altered_genes"].split(",")

    r = _cli("oncogenic", "--maf", maf, "--cn-segments", f"P2_met={ascat}", "--outdir", tmp_path / "bad")
    assert r.returncode == 2 and "--genome" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = _cli("oncogenic", "--maf", maf, "--cn-segments", f"P9={ascat}", "--genome", "hg38", "--outdir", tmp_path / "bad")
    assert r.returncode == 2 and "'P9'" in r.stderr
    assert not (tmp_path / "bad").exists()
