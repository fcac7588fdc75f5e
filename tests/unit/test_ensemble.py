"""Consensus calling (metevo.ensemble) and the ensemble-calls command."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metevo import ensemble
from metevo.cli import main
from metevo.ensemble import Thresholds, consensus, threshold_mask, to_maf
from metevo.io.maf import MAF_COLUMNS, read_maf
from metevo.io.vcf import CALLS_COLUMNS

DATA = Path(__file__).resolve().parents[1] / "data" / "multicaller_vcfs"
PAIRED = DATA / "paired"


def calls_table(caller: str, rows: list[dict]) -> pd.DataFrame:
    """A calls table with defaults: PASS SNV on 1 with 50/25 tumour and 30/0 normal counts."""
    base = {"chrom": "1", "pos": 100, "ref": "C", "alt": "T", "filter": "PASS", "is_pass": True,
            "t_depth": 50, "t_ref_count": 25, "t_alt_count": 25, "n_depth": 30, "n_ref_count": 30, "n_alt_count": 0,
            "Hugo_Symbol": "", "Variant_Classification": "", "HGVSp_Short": "", "Transcript_ID": "", "Consequence": "",
            "caller": caller, "line": 10, "genotype": "0/1"}
    frame = pd.DataFrame([{**base, **r} for r in rows], columns=list(CALLS_COLUMNS))
    for c in ("t_depth", "t_ref_count", "t_alt_count", "n_depth", "n_ref_count", "n_alt_count"):
        frame[c] = frame[c].astype("Int64")
    frame["pos"] = frame["pos"].astype(np.int64)
    return frame


def counts_frame(t_depth, t_alt, n_depth=None, n_alt=None) -> pd.DataFrame:
    return pd.DataFrame({
        "t_depth": pd.array([t_depth], dtype="Int64"), "t_alt_count": pd.array([t_alt], dtype="Int64"),
        "n_depth": pd.array([n_depth], dtype="Int64"), "n_alt_count": pd.array([n_alt], dtype="Int64"),
    })


@pytest.mark.parametrize(
    "t_depth, t_alt, n_depth, n_alt, passes",
    [
        (10, 3, None, None, True),  # every tumour threshold exactly met
        (9, 3, None, None, False),  # depth 9 < 10
        (20, 2, None, None, False),  # 2 ALT reads < 3
        (60, 3, None, None, True),  # VAF 3/60 = 0.05 exactly
        (61, 3, None, None, False),  # VAF 0.0492 < 0.05
        (None, 3, None, None, False),  # unknown tumour depth fails
        (40, 10, 6, 0, True),  # normal depth 6 exactly
        (40, 10, 5, 0, False),  # normal depth 5 < 6
        (40, 10, 50, 1, True),  # normal VAF 1/50 = 0.02 exactly
        (40, 10, 49, 1, False),  # normal VAF 0.0204 > 0.02
    ],
)
def test_threshold_boundaries(t_depth, t_alt, n_depth, n_alt, passes):
    assert threshold_mask(counts_frame(t_depth, t_alt, n_depth, n_alt), Thresholds()).tolist() == [passes]


def test_thresholds_can_be_switched_off():
    loose = Thresholds(min_depth=0, min_alt=0, min_vaf=0, min_normal_depth=0, max_normal_vaf=1)
    assert threshold_mask(counts_frame(None, None, 3, 3), loose).tolist() == [True]
    with pytest.raises(ValueError, match="min_vaf"):
        Thresholds(min_vaf=5).check()


def test_consensus_counts_callers_and_takes_priority_counts():
    mutect = calls_table("mutect2", [{"pos": 100}, {"pos": 200, "t_depth": 40, "t_alt_count": 8, "t_ref_count": 32},
                                     {"pos": 300, "is_pass": False, "filter": "weak_evidence"}])
    strelka = calls_table("strelka2", [{"pos": 100, "t_depth": 99}, {"pos": 200, "t_depth": 55},
                                       {"pos": 300}, {"pos": 400}])
    varscan = calls_table("varscan2", [{"pos": 300, "t_depth": 31, "t_alt_count": 11}, {"pos": 400}, {"pos": 500}])
    result = consensus({"varscan2": varscan, "strelka2": strelka, "mutect2": mutect}, min_callers=2)
    v = result.variants.set_index("pos")
    assert v.index.tolist() == [100, 200, 300, 400]  # 500: one caller; 300: mutect2 did not PASS it
    assert v["callers"].tolist() == ["mutect2,strelka2", "mutect2,strelka2", "strelka2,varscan2", "strelka2,varscan2"]
    assert v["n_callers"].tolist() == [2, 2, 2, 2]
    # counts of the highest-priority caller that called it: mutect2 > strelka2 > varscan2
    assert v["t_depth"].tolist() == [50, 40, 50, 50]
    assert v["counts_caller"].tolist() == ["mutect2", "mutect2", "strelka2", "strelka2"]
    assert v.loc[200, "t_vaf"] == pytest.approx(8 / 40)
    s = result.summary.set_index("caller")
    assert s.index.tolist() == ["mutect2", "strelka2", "varscan2"]
    assert s.loc["mutect2", ["records", "pass", "after_thresholds", "in_consensus"]].tolist() == [3, 2, 2, 2]
    assert s.loc["strelka2", ["records", "pass", "after_thresholds", "in_consensus"]].tolist() == [4, 4, 4, 4]
    assert s.loc["varscan2", ["records", "pass", "after_thresholds", "in_consensus"]].tolist() == [3, 3, 3, 2]


def test_missing_counts_fall_through_to_next_caller_and_annotation_source():
    mutect = calls_table("mutect2", [{"t_depth": None, "t_ref_count": None, "t_alt_count": None, "n_depth": None, "n_ref_count": None, "n_alt_count": None}])
    lofreq = calls_table("lofreq", [{"t_depth": 70, "t_alt_count": 14, "n_depth": None, "n_ref_count": None, "n_alt_count": None,
                                     "Hugo_Symbol": "TP53", "Variant_Classification": "Missense_Mutation", "HGVSp_Short": "p.R175H"}])
    scalpel = calls_table("scalpel", [{"n_depth": 12, "n_alt_count": 0}])
    v = consensus({"mutect2": mutect, "lofreq": lofreq, "scalpel": scalpel}).variants
    assert (v["t_depth"].iat[0], v["t_alt_count"].iat[0], v["counts_caller"].iat[0]) == (70, 14, "lofreq")
    assert v["n_depth"].iat[0] == 12  # tumour and normal counts may come from different callers
    assert (v["Hugo_Symbol"].iat[0], v["HGVSp_Short"].iat[0]) == ("TP53", "p.R175H")


def test_a_caller_reporting_a_variant_twice_counts_once():
    strelka = calls_table("strelka2", [{"pos": 100, "line": 5}, {"pos": 100, "line": 9, "t_depth": 77}])
    result = consensus({"strelka2": strelka, "mutect2": calls_table("mutect2", [{"pos": 200}])}, min_callers=2)
    assert result.variants.empty
    one = consensus({"strelka2": strelka}, min_callers=1).variants
    assert one["n_callers"].tolist() == [1] and one["t_depth"].tolist() == [50]  # the first record


def test_no_consensus_gives_empty_tables():
    result = consensus({"mutect2": calls_table("mutect2", [{"pos": 1}]), "strelka2": calls_table("strelka2", [{"pos": 2}])})
    assert result.variants.empty and list(result.variants.columns) == list(ensemble.VARIANT_COLUMNS)
    maf = to_maf(result.variants, tumor_sample="S")
    assert list(maf.columns) == list(MAF_COLUMNS) and maf.empty


def test_to_maf_follows_vcf2maf():
    v = consensus({
        "mutect2": calls_table("mutect2", [{"pos": 100, "ref": "A", "alt": "AT"}, {"pos": 200, "ref": "CGA", "alt": "C", "genotype": "1/1"}]),
        "strelka2": calls_table("strelka2", [{"pos": 100, "ref": "A", "alt": "AT"}, {"pos": 200, "ref": "CGA", "alt": "C"}]),
    }).variants
    maf = to_maf(v, tumor_sample="P1_met", normal_sample="P1_blood", ncbi_build="GRCh38").set_index("Start_Position")
    assert maf.loc[100, ["End_Position", "Reference_Allele", "Tumor_Seq_Allele2", "Variant_Type"]].tolist() == [101, "-", "T", "INS"]
    assert maf.loc[201, ["End_Position", "Reference_Allele", "Tumor_Seq_Allele2", "Variant_Type"]].tolist() == [202, "GA", "-", "DEL"]
    assert maf.loc[201, "Tumor_Seq_Allele1"] == "-"  # homozygous ALT genotype
    assert maf.loc[100, "Tumor_Seq_Allele1"] == "-"  # heterozygous: the reference allele ('-' for an insertion)
    assert maf.loc[100, ["Hugo_Symbol", "Variant_Classification", "Entrez_Gene_Id", "Center", "Strand"]].tolist() == ["Unknown", "Targeted_Region", 0, ".", "+"]
    assert maf.loc[100, ["Tumor_Sample_Barcode", "Matched_Norm_Sample_Barcode", "NCBI_Build"]].tolist() == ["P1_met", "P1_blood", "GRCh38"]


# ----------------------------------------------------------------------------- the command


def run_cli(argv, capsys):
    code = main(["ensemble-calls", *argv])
    captured = capsys.readouterr()
    return code, captured.err


def raw_snvs(path: Path, caller: str):
    """PASS SNVs of a real VCF from its text: key -> (t_depth, t_alt, n_depth, n_alt) by vcf2maf rules."""
    out = {}
    with gzip.open(path, "rt") as fh:
        samples = []
        for line in fh:
            if line.startswith("##"):
                continue
            f = line.rstrip("\n").split("\t")
            if line.startswith("#CHROM"):
                samples = f[9:]
                continue
            ref, alt, flt = f[3], f[4], f[6]
            if len(ref) != 1 or len(alt) != 1:
                continue
            info = dict(item.partition("=")[::2] for item in f[7].split(";"))
            if caller == "lofreq":
                dp4 = [int(x) for x in info["DP4"].split(",")]
                if flt == "PASS":
                    out[(int(f[1]), ref, alt)] = (int(info["DP"]), dp4[2] + dp4[3], None, None)
                continue
            keys = f[8].split(":")
            s = {name: dict(zip(keys, v.split(":"))) for name, v in zip(samples, f[9:])}
            t, n = s["TUMOR"], s["NORMAL"]
            ok = flt == "PASS" or (caller == "somaticsniper" and flt == ".")
            if caller in ("somaticsniper", "muse"):
                ok &= t["SS"] == "2"
            if caller == "vardict":
                ok &= info.get("STATUS") in ("StrongSomatic", "LikelySomatic")
            if not ok:
                continue

            def alt_count(x):
                if "BCOUNT" in x:
                    return int(x["BCOUNT"].split(",")["ACGT".index(alt)])
                if "TU" in x:
                    return int(x[alt + "U"].split(",")[0])
                return int(x["AD"].split(",")[1])

            out[(int(f[1]), ref, alt)] = (int(t["DP"]), alt_count(t), int(n["DP"]), alt_count(n))
    return out


def test_cli_on_real_paired_vcfs_snvs_match_an_independent_consensus(tmp_path, capsys):
    files = {"mutect2": ["MuTect2.vcf.gz"], "strelka2": ["Strelka.snv.vcf.gz", "Strelka.indel.vcf.gz"], "vardict": ["VarDict.vcf.gz"],
             "muse": ["MuSE.vcf.gz"], "lofreq": ["LoFreq.snv.vcf.gz"], "somaticsniper": ["SomaticSniper.vcf.gz"]}
    argv = ["--sample", "S1", "--out", str(tmp_path / "S1.maf"), "--summary", str(tmp_path / "S1.tsv"), "--min-callers", "3"]
    for caller, names in files.items():
        argv += ["--vcf", f"{caller}=" + ",".join(str(PAIRED / n) for n in names)]
    code, err = run_cli(argv, capsys)
    assert code == 0, err
    maf = read_maf(tmp_path / "S1.maf")
    snv = maf[maf["Variant_Type"] == "SNP"]
    got = {(int(r.Start_Position), r.Reference_Allele, r.Tumor_Seq_Allele2): (int(r.t_depth), int(r.t_alt_count), int(r.n_depth), int(r.n_alt_count))
           for r in snv.itertuples()}
    # the oracle: SNVs PASSed by >= 3 callers; tumour counts of the first caller in the priority
    # order, normal counts of the first that has a normal; default thresholds
    per_caller = {c: raw_snvs(PAIRED / names[0], c) for c, names in files.items()}
    order = ["mutect2", "strelka2", "vardict", "muse", "lofreq", "somaticsniper"]
    expected = {}
    for key in set().union(*per_caller.values()):
        callers = [c for c in order if key in per_caller[c]]
        if len(callers) < 3:
            continue
        t_depth, t_alt = per_caller[callers[0]][key][:2]
        n_depth, n_alt = next(per_caller[c][key][2:] for c in callers if per_caller[c][key][2] is not None)
        if t_depth >= 10 and t_alt >= 3 and t_alt / t_depth >= 0.05 and n_depth >= 6 and n_alt / n_depth <= 0.02:
            expected[key] = (t_depth, t_alt, n_depth, n_alt)
    assert got == expected
    assert len(got) > 30
    assert (snv["n_callers"].astype(int) >= 3).all()
    assert (snv["t_vaf"].astype(float) >= 0.05).all()
    assert (snv["n_alt_count"].astype(int) / snv["n_depth"].astype(int) <= 0.02).all()
    summary = pd.read_csv(tmp_path / "S1.tsv", sep="\t").set_index("caller")
    assert summary.loc["strelka2", "records"] == 83 + 52  # SNV + indel files: one caller
    assert summary.loc["strelka2", "pass"] == 70 + 52
    assert summary.loc["somaticsniper", "pass"] == 73


def test_strelka_files_given_together_or_apart_are_one_caller(tmp_path, capsys):
    common = ["--sample", "S", "--vcf", f"mutect2={PAIRED / 'MuTect2.vcf.gz'}", "--min-callers", "2"]
    together = common + ["--vcf", f"strelka2={PAIRED / 'Strelka.snv.vcf.gz'},{PAIRED / 'Strelka.indel.vcf.gz'}", "--out", str(tmp_path / "a.maf")]
    apart = common + ["--vcf", f"strelka2={PAIRED / 'Strelka.snv.vcf.gz'}", "--vcf", f"strelka2={PAIRED / 'Strelka.indel.vcf.gz'}", "--out", str(tmp_path / "b.maf")]
    assert run_cli(together, capsys)[0] == 0 and run_cli(apart, capsys)[0] == 0
    assert (tmp_path / "a.maf").read_bytes() == (tmp_path / "b.maf").read_bytes()
    maf = read_maf(tmp_path / "a.maf")
    assert set(maf["callers"]) == {"mutect2,strelka2"} and (maf["n_callers"] == "2").all()
    assert (maf["Variant_Type"] != "SNP").any()  # indels from the second Strelka file are in


def test_tumor_name_applies_only_to_vcfs_with_sample_columns(tmp_path, capsys):
    """A sample whose Mutect2 VCF needs --tumor-name may also have LoFreq calls (no sample
    columns); the name must not make the LoFreq file fail."""
    argv = ["--sample", "S", "--tumor-name", "TUMOR", "--normal-name", "NORMAL", "--min-callers", "2",
            "--vcf", f"mutect2={PAIRED / 'MuTect2.vcf.gz'}", "--vcf", f"lofreq={PAIRED / 'LoFreq.snv.vcf.gz'}",
            "--out", str(tmp_path / "a.maf")]
    code, err = run_cli(argv, capsys)
    assert code == 0, err
    maf = read_maf(tmp_path / "a.maf")
    assert len(maf) > 0 and set(maf["callers"]) == {"lofreq,mutect2"}


def test_rerun_is_byte_identical(tmp_path, capsys):
    argv = ["--sample", "S", "--vcf", f"mutect2={PAIRED / 'MuTect2.vcf.gz'}", "--vcf", f"vardict={PAIRED / 'VarDict.vcf.gz'}",
            "--fasta", str(DATA / "tiny.fa.gz")]
    assert run_cli(argv + ["--out", str(tmp_path / "1.maf"), "--summary", str(tmp_path / "1.tsv")], capsys)[0] == 0
    assert run_cli(argv + ["--out", str(tmp_path / "2.maf"), "--summary", str(tmp_path / "2.tsv"), "--jobs", "2"], capsys)[0] == 0
    assert (tmp_path / "1.maf").read_bytes() == (tmp_path / "2.maf").read_bytes()
    assert (tmp_path / "1.tsv").read_bytes() == (tmp_path / "2.tsv").read_bytes()


HEAD = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tNORMAL\tTUMOR\n"
REC = "1\t9975\t.\tG\tT\t.\tPASS\t.\tGT:AD:DP\t0/0:30,0:30\t0/1:20,10:30\n"


def bad_input(tmp_path: Path, kind: str):
    """(extra command-line words, what the error must mention) for one kind of bad input."""
    good = f"strelka2={PAIRED / 'Strelka.snv.vcf.gz'}"
    vcf = tmp_path / "m.vcf"
    if kind == "missing file":
        return ["--vcf", f"mutect2={tmp_path / 'nope.vcf.gz'}", "--vcf", good], ["nope.vcf.gz", "does not exist"]
    if kind == "not a VCF":
        vcf.write_text("sample\tgene\nS1\tTP53\n")
        return ["--vcf", f"mutect2={vcf}", "--vcf", good], ["m.vcf", "line 1", "##fileformat"]
    if kind == "truncated gzip":
        raw = (PAIRED / "MuTect2.vcf.gz").read_bytes()
        cut = tmp_path / "cut.vcf.gz"
        cut.write_bytes(raw[: len(raw) // 2])
        return ["--vcf", f"mutect2={cut}", "--vcf", good], ["cut.vcf.gz", "truncated or corrupt", "line "]
    if kind == "no #CHROM line":
        vcf.write_text("##fileformat=VCFv4.2\n" + REC)
        return ["--vcf", f"mutect2={vcf}", "--vcf", good], ["m.vcf", "line 2", "#CHROM"]
    if kind == "field count":
        vcf.write_text(HEAD + REC + "1\t9980\t.\tA\tT\t.\tPASS\t.\tGT:AD:DP\t0/0:30,0:30\n")
        return ["--vcf", f"mutect2={vcf}", "--vcf", good], ["m.vcf", "line 4", "expected 11 tab-separated fields"]
    if kind == "POS":
        vcf.write_text(HEAD + REC.replace("9975", "99x5"))
        return ["--vcf", f"mutect2={vcf}", "--vcf", good], ["m.vcf", "line 3", "column 'POS'"]
    if kind == "AD":
        vcf.write_text(HEAD + REC.replace("20,10", "20,ten"))
        return ["--vcf", f"mutect2={vcf}", "--vcf", good], ["m.vcf", "line 3", "column 'AD'", "sample 'TUMOR'"]
    if kind == "unknown caller":
        return ["--vcf", f"gatk4={PAIRED / 'MuTect2.vcf.gz'}", "--vcf", good], ["unknown caller 'gatk4'"]
    if kind == "tumor column":
        vcf.write_text(HEAD.replace("NORMAL\tTUMOR", "S_A\tS_B") + REC)
        return ["--vcf", f"mutect2={vcf}", "--vcf", good], ["m.vcf", "S_A, S_B", "tumor_vcf_name"]
    if kind == "REF vs FASTA":
        vcf.write_text(HEAD + REC.replace("\tG\tT\t", "\tA\tT\t"))
        return ["--vcf", f"mutect2={vcf}", "--vcf", good, "--fasta", str(DATA / "tiny.fa.gz")], ["m.vcf", "line 3", "does not match"]
    if kind == "too few callers":
        return ["--vcf", good, "--min-callers", "2"], ["--min-callers 2", "got 1"]
    if kind == "genome":
        vcf.write_text(HEAD.replace("#CHROM", "##contig=<ID=1,length=249250621>\n#CHROM") + REC)
        return ["--vcf", f"mutect2={vcf}", "--vcf", good, "--genome", "hg38"], ["m.vcf", "hg19", "--genome is hg38"]
    if kind == "mixed builds":
        vcf.write_text(HEAD.replace("#CHROM", "##contig=<ID=1,length=249250621>\n#CHROM") + REC)
        other = tmp_path / "o.vcf"
        other.write_text(HEAD.replace("#CHROM", "##contig=<ID=1,length=248956422>\n#CHROM") + REC)
        return ["--vcf", f"mutect2={vcf}", "--vcf", f"vardict={other}"], ["mix genome builds", "m.vcf: hg19", "o.vcf: hg38"]
    if kind == "bad threshold":
        return ["--vcf", good, "--vcf", f"mutect2={PAIRED / 'MuTect2.vcf.gz'}", "--min-vaf", "5"], ["--min-vaf", "[0, 1]"]
    raise AssertionError(kind)


BAD_KINDS = ["missing file", "not a VCF", "truncated gzip", "no #CHROM line", "field count", "POS", "AD", "unknown caller",
             "tumor column", "REF vs FASTA", "too few callers", "genome", "mixed builds", "bad threshold"]


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_bad_input_is_one_line_error_and_no_output(tmp_path, capsys, kind):
    extra, mentions = bad_input(tmp_path, kind)
    out = tmp_path / "out" / "S.maf"
    summary = tmp_path / "out" / "S.tsv"
    code, err = run_cli(["--sample", "S", *extra, "--out", str(out), "--summary", str(summary)], capsys)
    assert code != 0
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("metevo ensemble-calls: error: ")
    for words in mentions:
        assert words in err, (words, err)
    assert not out.exists() and not summary.exists()
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_parallel_reading_gives_the_same_output_and_errors(tmp_path, capsys, monkeypatch):
    from metevo.steps import ensemble_calls

    argv = ["--sample", "S", "--vcf", f"mutect2={PAIRED / 'MuTect2.vcf.gz'}", "--vcf", f"vardict={PAIRED / 'VarDict.vcf.gz'}",
            "--vcf", f"muse={PAIRED / 'MuSE.vcf.gz'}"]
    assert run_cli(argv + ["--out", str(tmp_path / "seq.maf"), "--jobs", "1"], capsys)[0] == 0
    monkeypatch.setattr(ensemble_calls, "_PARALLEL_MIN_BYTES", 0)  # small test files: force the process pool
    assert run_cli(argv + ["--out", str(tmp_path / "par.maf"), "--jobs", "2"], capsys)[0] == 0
    assert (tmp_path / "seq.maf").read_bytes() == (tmp_path / "par.maf").read_bytes()
    bad = tmp_path / "bad.vcf"
    bad.write_text(HEAD + REC.replace("9975", "99x5"))
    code, err = run_cli(argv + ["--vcf", f"scalpel={bad}", "--out", str(tmp_path / "bad.maf"), "--jobs", "2"], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "bad.vcf: line 3, column 'POS'" in err
    assert not (tmp_path / "bad.maf").exists()


SHARED_MULTICALLER = Path(__file__).resolve().parents[3] / "shared" / "data" / "dev" / "multicaller_vcfs"
EVERY_VCF = {
    "paired/MuTect2.vcf.gz": "mutect2", "paired/Strelka.snv.vcf.gz": "strelka2", "paired/Strelka.indel.vcf.gz": "strelka2",
    "paired/VarDict.vcf.gz": "vardict", "paired/MuSE.vcf.gz": "muse", "paired/SomaticSniper.vcf.gz": "somaticsniper",
    "paired/LoFreq.snv.vcf.gz": "lofreq", "paired/LoFreq.indel.vcf.gz": "lofreq", "paired/Scalpel.vcf.gz": "scalpel",
    "tumor_only/MuTect2.vcf.gz": "mutect2", "tumor_only/Strelka.vcf.gz": "strelka2", "tumor_only/VarDict.vcf.gz": "vardict",
}


@pytest.mark.parametrize("root", [DATA, SHARED_MULTICALLER], ids=["committed", "shared"])
def test_ensemble_calls_reads_every_multicaller_vcf(root, tmp_path, capsys):
    """Acceptance: `ensemble-calls` reads every VCF of multicaller_vcfs without error (each on
    its own, left-aligned against tiny.fa), and every record it keeps is in the MAF."""
    if not root.exists():
        pytest.skip("shared dev data not present")
    on_disk = {str(p.relative_to(root)) for p in root.glob("*/*.vcf.gz")}
    assert on_disk == set(EVERY_VCF)  # a new file in the folder must be added here
    for name, caller in EVERY_VCF.items():
        out, summary = tmp_path / "o.maf", tmp_path / "o.tsv"
        code, err = run_cli(["--sample", "TUMOR", "--min-callers", "1", "--fasta", str(root / "tiny.fa.gz"),
                             "--vcf", f"{caller}={root / name}", "--out", str(out), "--summary", str(summary)], capsys)
        assert code == 0, (name, err)
        table = pd.read_csv(summary, sep="\t")
        with gzip.open(root / name, "rt") as fh:
            records = sum(1 for line in fh if not line.startswith("#"))
        assert table.loc[0, "records"] >= records  # multi-allelic records count once per ALT
        assert len(read_maf(out)) == table.loc[0, "in_consensus"]
