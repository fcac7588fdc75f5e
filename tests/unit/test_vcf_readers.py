"""Caller VCF readers (metevo.io.vcf) on the real multi-caller VCFs and on synthetic dialects.

Expected depths and allele counts are computed here from the raw VCF text with each caller's
documented fields (vcf2maf FixAlleleDepths rules, written out plainly per caller), never from
metevo's own output. The bulk reader is also compared with the record-by-record reader.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metevo.errors import InputError
from metevo.io.vcf import (
    CALLS_COLUMNS,
    DIALECTS,
    _read_calls,
    read_caller_vcf,
    read_vcf_header_info,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "multicaller_vcfs"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "dev" / "multicaller_vcfs"

FILES = {
    "paired/MuTect2.vcf.gz": "mutect2",
    "paired/Strelka.snv.vcf.gz": "strelka2",
    "paired/Strelka.indel.vcf.gz": "strelka2",
    "paired/VarDict.vcf.gz": "vardict",
    "paired/MuSE.vcf.gz": "muse",
    "paired/SomaticSniper.vcf.gz": "somaticsniper",
    "paired/LoFreq.snv.vcf.gz": "lofreq",
    "paired/LoFreq.indel.vcf.gz": "lofreq",
    "paired/Scalpel.vcf.gz": "scalpel",
    "tumor_only/MuTect2.vcf.gz": "mutect2",
    "tumor_only/Strelka.vcf.gz": "strelka2",
    "tumor_only/VarDict.vcf.gz": "vardict",
}


# ----------------------------------------------------------------------------- raw text


def raw_records(path: Path):
    """(samples, header line count, records) straight from the text."""
    opener = gzip.open if path.suffix == ".gz" else open
    samples, records, n_header = [], [], 0
    with opener(path, "rt") as fh:
        for number, line in enumerate(fh, start=1):
            line = line.rstrip("\n")
            if line.startswith("##"):
                continue
            if line.startswith("#CHROM"):
                samples = line.split("\t")[9:]
                n_header = number
                continue
            f = line.split("\t")
            info = {}
            for item in f[7].split(";"):
                key, _, value = item.partition("=")
                info[key] = value
            rec = {"CHROM": f[0], "POS": int(f[1]), "REF": f[3], "ALT": f[4], "FILTER": f[6], "INFO": info, "line": number}
            if len(f) > 8:
                keys = f[8].split(":")
                rec["S"] = {s: dict(zip(keys, v.split(":"))) for s, v in zip(samples, f[9:])}
            records.append(rec)
    return samples, n_header, records


def vcf2maf_depth(ref_n, alt_n, dp, all_depths):
    """vcf2maf's depth: DP, unless a count (or the two together) exceeds it, or DP is missing."""
    total = sum(d for d in all_depths if d)
    if dp is None:
        return total
    if (ref_n and ref_n > dp) or (alt_n and alt_n > dp) or (ref_n and alt_n and ref_n + alt_n > dp):
        return total
    return dp


def expected_counts(caller: str, rec: dict, sample: str | None):
    """(depth, ref, alt) of a biallelic record for one sample, from the caller's own fields."""
    ref, alt = rec["REF"], rec["ALT"]
    if caller == "lofreq":
        dp4 = [int(x) for x in rec["INFO"]["DP4"].split(",")]
        r, a = dp4[0] + dp4[1], dp4[2] + dp4[3]
        return vcf2maf_depth(r, a, int(rec["INFO"]["DP"]), [r, a]), r, a
    s = rec["S"][sample]
    dp = int(s["DP"]) if "DP" in s else None
    if "AD" in s and "RD" in s and "," not in s["AD"]:  # VarScan2
        r, a = int(s["RD"]), int(s["AD"])
    elif "AD" in s:
        r, a = (int(x) for x in s["AD"].split(","))
    elif "BCOUNT" in s:
        counts = dict(zip("ACGT", (int(x) for x in s["BCOUNT"].split(","))))
        r, a = counts[ref], counts[alt]
    elif "TU" in s:
        r, a = int(s[ref + "U"].split(",")[0]), int(s[alt + "U"].split(",")[0])
    else:
        r, a = int(s["TAR"].split(",")[0]), int(s["TIR"].split(",")[0])
    return vcf2maf_depth(r, a, dp, [r, a]), r, a


def expected_pass(caller: str, rec: dict, tumor: str | None) -> bool:
    flt = rec["FILTER"]
    if caller == "somaticsniper":
        return flt in ("PASS", ".") and rec["S"][tumor]["SS"] == "2"
    if caller == "muse":
        return flt == "PASS" and rec["S"][tumor]["SS"] == "2"
    if caller == "vardict" and "STATUS" in rec["INFO"]:
        return flt == "PASS" and rec["INFO"]["STATUS"] in ("StrongSomatic", "LikelySomatic")
    if caller == "varscan2" and "SS" in rec["INFO"]:
        return flt == "PASS" and rec["INFO"]["SS"] == "2"
    return flt == "PASS"


# ----------------------------------------------------------------------------- the real VCFs


@pytest.mark.parametrize("name", sorted(FILES))
def test_real_vcf_counts_match_raw_text(name):
    path = DATA / name
    caller = FILES[name]
    calls = read_caller_vcf(path, caller)
    samples, n_header, records = raw_records(path)
    assert list(calls.columns) == list(CALLS_COLUMNS)
    biallelic = [r for r in records if "," not in r["ALT"]]
    n_alts = sum(len(r["ALT"].split(",")) for r in records)
    assert len(calls) == n_alts  # one row per ALT, nothing lost
    tumor = "TUMOR" if samples else None
    normal = "NORMAL" if "NORMAL" in samples else None
    by_line = calls.groupby("line")
    for rec in biallelic:
        row = by_line.get_group(rec["line"]).iloc[0]
        assert row["line"] == rec["line"]
        assert bool(row["is_pass"]) == expected_pass(caller, rec, tumor), rec
        assert row["filter"] == rec["FILTER"]
        depth, r, a = expected_counts(caller, rec, tumor)
        assert (row["t_depth"], row["t_ref_count"], row["t_alt_count"]) == (depth, r, a), rec
        if normal:
            depth, r, a = expected_counts(caller, rec, normal)
            assert (row["n_depth"], row["n_ref_count"], row["n_alt_count"]) == (depth, r, a), rec
        else:
            assert pd.isna(row["n_depth"]) and pd.isna(row["n_alt_count"])
    expected_pass_total = sum(expected_pass(caller, r, tumor) for r in biallelic)
    assert int(calls.loc[calls["line"].isin([r["line"] for r in biallelic]), "is_pass"].sum()) == expected_pass_total


@pytest.mark.parametrize("name", sorted(FILES))
def test_bulk_reader_equals_record_by_record_reader(name):
    path = DATA / name
    fast = _read_calls(path, FILES[name])
    slow = _read_calls(path, FILES[name], bulk=False)
    pd.testing.assert_frame_equal(fast, slow)


@pytest.mark.skipif(not SHARED.exists(), reason="shared dev data not present")
@pytest.mark.parametrize("name", sorted(FILES))
def test_shared_copies_read_the_same(name):
    pd.testing.assert_frame_equal(read_caller_vcf(SHARED / name, FILES[name]), read_caller_vcf(DATA / name, FILES[name]))


def test_known_values_by_hand():
    """Values read off the VCF text by eye (first PASS SNV of each file, 1:8450 T>G)."""
    m = read_caller_vcf(DATA / "paired/MuTect2.vcf.gz", "mutect2").set_index("pos")
    assert m.loc[8450, ["t_depth", "t_ref_count", "t_alt_count", "n_depth", "n_ref_count", "n_alt_count"]].tolist() == [44, 0, 44, 29, 28, 1]
    s = read_caller_vcf(DATA / "paired/Strelka.snv.vcf.gz", "strelka2").set_index("pos")
    # TUMOR DP 44, TU=0,0 GU=44,44; NORMAL DP 30 GU=1,1 TU=29,29
    assert s.loc[8450, ["t_depth", "t_ref_count", "t_alt_count", "n_depth", "n_ref_count", "n_alt_count"]].tolist() == [44, 0, 44, 30, 29, 1]
    ss = read_caller_vcf(DATA / "paired/SomaticSniper.vcf.gz", "somaticsniper").set_index("pos")
    # 1:8492 G>A, TUMOR BCOUNT 45,0,0,0 (A=45, G=0), DP 45, FILTER '.'
    assert ss.loc[8492, ["t_depth", "t_ref_count", "t_alt_count"]].tolist() == [45, 0, 45]
    assert bool(ss.loc[8492, "is_pass"]) and ss.loc[8492, "filter"] == "."
    lf = read_caller_vcf(DATA / "paired/LoFreq.snv.vcf.gz", "lofreq").set_index("pos")
    # DP=63;DP4=17,14,16,16
    assert lf.loc[9113, ["t_depth", "t_ref_count", "t_alt_count"]].tolist() == [63, 31, 32]
    si = read_caller_vcf(DATA / "paired/Strelka.indel.vcf.gz", "strelka2").set_index("pos")
    # 1:22129 A>ATAGCTGAC TUMOR DP 54 TAR 23,23 TIR 27,27
    assert si.loc[22129, ["t_depth", "t_ref_count", "t_alt_count"]].tolist() == [54, 23, 27]
    vd = read_caller_vcf(DATA / "paired/VarDict.vcf.gz", "vardict").set_index("pos")
    assert not vd.loc[4998, "is_pass"]  # STATUS=StrongLOH and filtered


def test_multiallelic_record_is_split_with_each_alts_counts():
    calls = read_caller_vcf(DATA / "paired/MuTect2.vcf.gz", "mutect2")
    rows = calls[calls["line"] == calls.loc[calls["pos"] == 92705, "line"].iloc[0]]
    # 1 92705 G C,GC multiallelic; TUMOR AD 0,21,27 DP 48 GT 0/1/2; NORMAL AD 27,0,0 DP 27
    assert rows[["ref", "alt"]].values.tolist() == [["G", "C"], ["G", "GC"]]
    assert rows["t_alt_count"].tolist() == [21, 27]
    assert rows["t_ref_count"].tolist() == [0, 0]
    assert rows["t_depth"].tolist() == [48, 48]
    assert rows["n_alt_count"].tolist() == [0, 0]
    assert rows["genotype"].tolist() == ["0/1/.", "0/./1"]
    assert not rows["is_pass"].any()


def test_tumor_only_mutect2_without_dp_sums_allele_depths():
    calls = read_caller_vcf(DATA / "tumor_only/MuTect2.vcf.gz", "mutect2").set_index("pos")
    # FORMAT has no DP: depth = sum of AD (vcf2maf); 1:9113 AD 31,32
    assert calls.loc[9113, ["t_depth", "t_ref_count", "t_alt_count"]].tolist() == [63, 31, 32]


def test_left_alignment_with_reference_agrees_across_callers():
    """With the FASTA, the same indels from Scalpel and Strelka2 get the same key."""
    fasta = DATA / "tiny.fa.gz"
    keys = {}
    for name, caller in (("paired/Scalpel.vcf.gz", "scalpel"), ("paired/Strelka.indel.vcf.gz", "strelka2"), ("paired/MuTect2.vcf.gz", "mutect2")):
        calls = read_caller_vcf(DATA / name, caller, fasta=fasta)
        indels = calls[(calls["ref"].str.len() != calls["alt"].str.len()) & calls["is_pass"]]
        keys[caller] = set(zip(indels["pos"], indels["ref"], indels["alt"]))
    shared = keys["scalpel"] & keys["strelka2"] & keys["mutect2"]
    assert len(shared) >= 0.8 * len(keys["scalpel"])


# ----------------------------------------------------------------------------- synthetic dialects


def write_vcf(path: Path, samples: list[str], records: list[str], extra_header: str = "", *, gz: bool = False) -> Path:
    header = "##fileformat=VCFv4.2\n##contig=<ID=chr1,length=248956422>\n" + extra_header
    columns = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO" + ("\tFORMAT\t" + "\t".join(samples) if samples else "")
    text = header + columns + "\n" + "".join(r + "\n" for r in records)
    if gz:
        with gzip.open(path, "wt") as fh:
            fh.write(text)
    else:
        path.write_text(text)
    return path


def test_varscan2_somatic_status_and_rd_ad(tmp_path):
    recs = [
        "chr1\t100\t.\tC\tT\t.\tPASS\tDP=80;SOMATIC;SS=2;SSC=40;GPV=1;SPV=1e-05\tGT:GQ:DP:RD:AD:FREQ:DP4\t0/0:.:40:40:0:0%:20,20,0,0\t0/1:.:40:30:10:25%:15,15,5,5",
        "chr1\t200\t.\tG\tA\t.\tPASS\tDP=80;SS=1;SSC=5;GPV=1e-9;SPV=1\tGT:GQ:DP:RD:AD:FREQ:DP4\t0/1:.:40:20:20:50%:10,10,10,10\t0/1:.:40:21:19:47.5%:10,11,9,10",
        "chr1\t300\t.\tA\tAT\t.\tPASS\tDP=60;SOMATIC;SS=2\tGT:GQ:DP:RD:AD:FREQ:DP4\t0/0:.:30:30:0:0%:15,15,0,0\t0/1:.:30:22:8:26.67%:11,11,4,4",
    ]
    path = write_vcf(tmp_path / "vs.vcf", ["NORMAL", "TUMOR"], recs)
    calls = read_caller_vcf(path, "varscan2")
    assert calls["is_pass"].tolist() == [True, False, True]
    assert calls[["t_depth", "t_ref_count", "t_alt_count"]].values.tolist() == [[40, 30, 10], [40, 21, 19], [30, 22, 8]]
    assert calls[["n_depth", "n_ref_count", "n_alt_count"]].values.tolist() == [[40, 40, 0], [40, 20, 20], [30, 30, 0]]
    assert calls["chrom"].tolist() == ["1", "1", "1"]
    pd.testing.assert_frame_equal(calls, _read_calls(path, "varscan2", bulk=False))


def test_germline_dialect_with_info_fields_and_vep(tmp_path):
    csq = ("##INFO=<ID=CSQ,Number=.,Type=String,Description=\"Consequence annotations from Ensembl VEP. "
           "Format: Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|INTRON|HGVSc|HGVSp|"
           "cDNA_position|CDS_position|Protein_position|Amino_acids|Codons|Existing_variation|ALLELE_NUM|DISTANCE|"
           "STRAND|FLAGS|SYMBOL_SOURCE|HGNC_ID|CANONICAL\">\n"
           "##INFO=<ID=CLNSIG,Number=.,Type=String,Description=\"ClinVar significance\">\n"
           "##INFO=<ID=gnomAD_AF,Number=A,Type=Float,Description=\"AF\">\n")
    brca2 = ("T|stop_gained|HIGH|BRCA2|ENSG00000139618|Transcript|ENST00000380152|protein_coding|11/27||"
             "ENST00000380152.8:c.5946C>T|ENSP00000369497.3:p.Ser1982Ter|6172/11954|5946/10257|1982/3418|S/*|tCa/tGa||1||1||HGNC|HGNC:1101|YES")
    recs = [
        f"chr1\t1000\t.\tC\tT\t50\tPASS\tCSQ={brca2};CLNSIG=Pathogenic;gnomAD_AF=0.0001\tGT:AD:DP\t0/1:20,18:38",
        "chr1\t2000\t.\tG\tA,C\t50\t.\tCLNSIG=Benign;gnomAD_AF=0.3,0.01\tGT:AD:DP\t1/2:0,12,10:22",
    ]
    path = write_vcf(tmp_path / "g.vcf.gz", ["SAMPLE1"], recs, csq, gz=True)
    calls = read_caller_vcf(path, "germline", info_fields=("CLNSIG", "gnomAD_AF"))
    assert calls["Hugo_Symbol"].tolist() == ["BRCA2", "", ""]
    assert calls["Variant_Classification"].tolist() == ["Nonsense_Mutation", "", ""]
    assert calls["HGVSp_Short"].iat[0] == "p.S1982*"
    assert calls["CLNSIG"].tolist() == ["Pathogenic", "Benign", "Benign"]
    assert calls["gnomAD_AF"].tolist() == ["0.0001", "0.3", "0.01"]  # Number=A: each ALT its own value
    assert calls["is_pass"].tolist() == [True, True, True]  # FILTER '.' is unfiltered germline output
    assert calls["genotype"].tolist() == ["0/1", "1/.", "./1"]
    assert calls[["t_ref_count", "t_alt_count", "t_depth"]].values.tolist() == [[20, 18, 38], [0, 12, 22], [0, 10, 22]]
    info = read_vcf_header_info(path)
    assert info.annotation == "vep" and info.samples == ("SAMPLE1",) and info.genome_build == "hg38"


def test_odd_but_valid_records(tmp_path):
    recs = [
        "chr1\t10\t.\ta\tg\t.\tPASS\t.\tGT:AD:DP\t0/1:5,5:10",  # lower case
        "chr1\t20\t.\tA\t<DEL>\t.\tPASS\tSVTYPE=DEL;END=90\tGT:AD:DP\t0/1:5,5:10",  # symbolic: skipped
        "chr1\t30\t.\tA\tG,*\t.\tPASS\t.\tGT:AD:DP\t1/2:0,6,4:10",  # '*' skipped, G kept
        "",  # a blank line keeps the numbering
        "chr1\t40\t.\tC\t.\t.\tPASS\t.\tGT:AD:DP\t0/0:10:10",  # no ALT
        "chr1\t50\t.\tCAT\tCGT\t.\tPASS\t.\tGT:AD:DP\t0/1:.:.",  # MNP-looking SNV, missing counts
        "chr1\t60\t.\tC\tT\t.\tPASS\t.\tGT:AD\t0/1:7,3",  # trailing FORMAT fields may be dropped
    ]
    path = write_vcf(tmp_path / "odd.vcf", ["TUMOR"], recs)
    calls = read_caller_vcf(path, "mutect2")
    assert calls[["pos", "ref", "alt"]].values.tolist() == [[10, "A", "G"], [30, "A", "G"], [51, "A", "G"], [60, "C", "T"]]
    assert calls["line"].tolist() == [4, 6, 9, 10]
    assert calls["t_alt_count"].tolist()[:2] == [5, 6]
    assert pd.isna(calls["t_alt_count"].iat[2]) and pd.isna(calls["t_depth"].iat[2])
    assert calls[["t_depth", "t_ref_count", "t_alt_count"]].iloc[3].tolist() == [10, 7, 3]
    pd.testing.assert_frame_equal(calls, _read_calls(path, "mutect2", bulk=False))


def test_crlf_and_sites_only(tmp_path):
    path = tmp_path / "crlf.vcf"
    path.write_bytes(b"##fileformat=VCFv4.2\r\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\r\nchr2\t5\t.\tA\tC\t.\tPASS\t.\r\n")
    calls = read_caller_vcf(path, "mutect2")
    assert calls[["chrom", "pos", "ref", "alt"]].values.tolist() == [["2", 5, "A", "C"]]
    assert pd.isna(calls["t_depth"].iat[0])


def test_header_info_build_style_annotation(tmp_path):
    hg19 = "##contig=<ID=1,length=249250621>\n##contig=<ID=2,length=243199373>\n"
    p = tmp_path / "a.vcf"
    p.write_text("##fileformat=VCFv4.2\n" + hg19 + "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n1\t1\t.\tA\tC\t.\tPASS\t.\n")
    info = read_vcf_header_info(p)
    assert (info.genome_build, info.contig_style, info.annotation) == ("hg19", "plain", None)
    assert info.contigs == {"1": 249250621, "2": 243199373}
    p.write_text("##fileformat=VCFv4.2\n##reference=file:///refs/Homo_sapiens_assembly38.fasta\n"
                 "##INFO=<ID=ANN,Number=.,Type=String,Description=\"Functional annotations: 'Allele | Annotation | Annotation_Impact | Gene_Name'\">\n"
                 "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\nchr1\t1\t.\tA\tC\t.\tPASS\t.\n")
    info = read_vcf_header_info(p)
    assert (info.genome_build, info.contig_style, info.annotation) == ("hg38", "chr", "snpeff")
    assert info.reference == "file:///refs/Homo_sapiens_assembly38.fasta"
    p.write_text("##fileformat=VCFv4.2\n##reference=/data/hs37d5.fa\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
    assert read_vcf_header_info(p).genome_build == "hg19"
    real = read_vcf_header_info(DATA / "paired/MuTect2.vcf.gz")
    assert real.samples == ("NORMAL", "TUMOR") and real.normal_sample == "NORMAL" and real.genome_build is None
    assert real.contigs == {"1": 300000}


# ----------------------------------------------------------------------------- sample columns


def _two_samples(tmp_path, names, extra=""):
    rec = "chr1\t100\t.\tC\tT\t.\tPASS\t.\tGT:AD:DP\t0/0:30,0:30\t0/1:20,10:30"
    return write_vcf(tmp_path / "two.vcf", names, [rec], extra)


def test_sample_resolution(tmp_path):
    p = _two_samples(tmp_path, ["N1", "T1"])
    calls = read_caller_vcf(p, "mutect2", tumor_name="T1", normal_name="N1")
    assert calls["t_alt_count"].iat[0] == 10 and calls["n_alt_count"].iat[0] == 0
    # the sample id names the tumour column; the normal is then the other column
    calls = read_caller_vcf(p, "mutect2", sample_id="T1")
    assert calls["t_alt_count"].iat[0] == 10 and calls["n_depth"].iat[0] == 30
    # ##normal_sample names the normal; the tumour is the other column
    p = _two_samples(tmp_path, ["N1", "T1"], "##normal_sample=N1\n")
    assert read_caller_vcf(p, "mutect2")["t_alt_count"].iat[0] == 10
    # TUMOR / NORMAL defaults, in either order
    p = _two_samples(tmp_path, ["TUMOR", "NORMAL"])
    assert read_caller_vcf(p, "vardict")["t_alt_count"].iat[0] == 0


def test_unresolvable_tumor_column_lists_samples(tmp_path):
    p = _two_samples(tmp_path, ["S_A", "S_B"])
    with pytest.raises(InputError) as err:
        read_caller_vcf(p, "mutect2", sample_id="P1_met")
    message = str(err.value)
    assert "S_A, S_B" in message and "tumor_vcf_name" in message and str(p) in message
    with pytest.raises(InputError, match="'X' is not a column"):
        read_caller_vcf(p, "mutect2", tumor_name="X")
    with pytest.raises(InputError, match="normal sample 'Y'"):
        read_caller_vcf(p, "mutect2", tumor_name="S_A", normal_name="Y")


# ----------------------------------------------------------------------------- bad input


GOOD_HEAD = "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR\n"


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("", 1, "empty file"),
        ("chr1\t1\t.\tA\tC\t.\tPASS\t.\n", 1, "##fileformat"),
        ("##fileformat=VCFv4.2\n##INFO=<ID=DP>\nchr1\t1\t.\tA\tC\t.\tPASS\t.\n", 3, "#CHROM"),
        ("##fileformat=VCFv4.2\n#CHROM\tPOS\tREF\tALT\n", 2, "expected the columns"),
        ("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tT\tT\n", 2, "appears twice"),
        (GOOD_HEAD + "chr1\t1\t.\tA\tC\t.\tPASS\t.\tGT\n", 3, "expected 10 tab-separated fields"),
        (GOOD_HEAD + "chr1\t1\t.\tA\tC\t.\tPASS\t.\tGT:AD\t0/1:3,1\nchr1\tx12\t.\tA\tC\t.\tPASS\t.\tGT\t0/1\n", 4, "POS"),
        (GOOD_HEAD + "chr1\t5\t.\tAXZ\tC\t.\tPASS\t.\tGT\t0/1\n", 3, "REF"),
        (GOOD_HEAD + "chr1\t5\t.\tA\tC\t.\tPASS\t.\tGT:AD:DP\t0/1:3,x:9\n", 3, "AD of sample 'TUMOR'"),
        (GOOD_HEAD + "chr1\t5\t.\tA\tC\t.\tPASS\t.\tGT:AD:DP\t0/1:3,1,1:9\n", 3, "expected 2 values in AD"),
        (GOOD_HEAD + "chr1\t5\t.\tA\tC\t.\tPASS\t.\tGT:DP\t0/1:-4\n", 3, "DP of sample"),
        (GOOD_HEAD + "chr1\t5\t.\tA\tC\t.\tPASS\t.\tGT\t0/1:9\n", 3, "FORMAT has only 1 keys"),
        (GOOD_HEAD + "chr1\t5\t.\tA\tC\t.\tPASS\t.\tGT\t0/1\n#late header\n", 4, "unexpected header line"),
    ],
)
def test_bad_vcf_text_is_one_line_input_error(tmp_path, text, line, words):
    path = tmp_path / "bad.vcf"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        read_caller_vcf(path, "mutect2")
    assert err.value.file == str(path)
    assert err.value.line == line
    assert words in str(err.value)
    assert "\n" not in err.value.one_line()


def test_bad_files(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read_caller_vcf(tmp_path / "missing.vcf", "mutect2")
    raw = (DATA / "paired/MuTect2.vcf.gz").read_bytes()
    truncated = tmp_path / "trunc.vcf.gz"
    truncated.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(InputError, match="truncated or corrupt") as err:
        read_caller_vcf(truncated, "mutect2")
    assert err.value.line and err.value.line > 1
    bcf = tmp_path / "x.bcf"
    bcf.write_bytes(b"BCF\x02\x02rest")
    with pytest.raises(InputError, match="BCF"):
        read_caller_vcf(bcf, "mutect2")
    binary = tmp_path / "bin.vcf"
    binary.write_bytes(GOOD_HEAD.encode() + b"chr1\t5\t.\tA\tC\t.\tPASS\t\xff\xfe\tGT\t0/1\n")
    with pytest.raises(InputError, match="non-UTF-8") as err:
        read_caller_vcf(binary, "mutect2")
    assert err.value.line == 3
    with pytest.raises(InputError, match="unknown caller 'gatk'"):
        read_caller_vcf(DATA / "paired/MuTect2.vcf.gz", "gatk")


def test_reference_checks(tmp_path):
    fasta = DATA / "tiny.fa.gz"
    # tiny.fa 1:9975 is G
    p = tmp_path / "ref.vcf"
    p.write_text(GOOD_HEAD + "1\t9975\t.\tG\tGT\t.\tPASS\t.\tGT:AD:DP\t0/1:3,3:6\n1\t9980\t.\tC\tT\t.\tPASS\t.\tGT:AD:DP\t0/1:3,3:6\n")
    with pytest.raises(InputError) as err:
        read_caller_vcf(p, "mutect2", fasta=fasta)
    assert err.value.line == 4 and err.value.column == "REF" and "does not match" in str(err.value)
    p.write_text(GOOD_HEAD + "chr5\t10\t.\tA\tT\t.\tPASS\t.\tGT:AD:DP\t0/1:3,3:6\n")
    with pytest.raises(InputError, match="chromosome 'chr5' is not in the reference") as err:
        read_caller_vcf(p, "mutect2", fasta=fasta)
    assert err.value.line == 3
    # chr-prefixed VCF against an unprefixed FASTA works, and the indel is left-aligned
    p.write_text(GOOD_HEAD + "chr1\t9978\t.\tT\tTT\t.\tPASS\t.\tGT:AD:DP\t0/1:3,3:6\n")
    calls = read_caller_vcf(p, "mutect2", fasta=fasta)
    assert calls[["chrom", "pos", "ref", "alt"]].values.tolist() == [["1", 9975, "G", "GT"]]


def test_dialect_list():
    assert DIALECTS == ("mutect2", "strelka2", "varscan2", "muse", "vardict", "somaticsniper", "lofreq", "scalpel", "germline")
    assert np.dtype(read_caller_vcf(DATA / "paired/MuSE.vcf.gz", "muse")["pos"].dtype) == np.int64


@pytest.mark.parametrize("name", ["paired/MuTect2.vcf.gz", "paired/VarDict.vcf.gz", "paired/Strelka.snv.vcf.gz", "paired/LoFreq.snv.vcf.gz"])
def test_small_chunks_give_the_same_table(name):
    """Large VCFs are parsed in chunks; chunk edges must not change anything (line numbers included)."""
    whole = _read_calls(DATA / name, FILES[name])
    chunked = _read_calls(DATA / name, FILES[name], chunk_size=3000)
    pd.testing.assert_frame_equal(whole, chunked)


def test_annotation_survives_chunking(tmp_path):
    csq = ("##INFO=<ID=CSQ,Number=.,Type=String,Description=\"Consequence annotations from Ensembl VEP. "
           "Format: Allele|Consequence|IMPACT|SYMBOL|Feature|BIOTYPE|HGVSp|CANONICAL\">\n")
    recs = [f"chr1\t{100 + i}\t.\tC\tT\t.\tPASS\tCSQ=T|missense_variant|MODERATE|G{i}|ENST{i}|protein_coding|ENSP{i}:p.Arg{i}Cys|YES\tGT:AD:DP\t0/1:5,5:10"
            for i in range(1, 200)]
    path = write_vcf(tmp_path / "a.vcf.gz", ["TUMOR"], recs, csq, gz=True)
    whole = _read_calls(path, "mutect2")
    chunked = _read_calls(path, "mutect2", chunk_size=500)
    pd.testing.assert_frame_equal(whole, chunked)
    assert whole["Hugo_Symbol"].tolist()[:2] == ["G1", "G2"] and whole["HGVSp_Short"].iat[1] == "p.R2C"


def test_bgzf_cut_between_blocks_is_an_error(tmp_path):
    import pysam

    plain = tmp_path / "big.vcf"
    write_vcf(plain, ["TUMOR"], [f"chr1\t{i}\t.\tC\tT\t.\tPASS\t.\tGT:AD:DP\t0/1:5,5:10" for i in range(1, 20000)])
    pysam.tabix_compress(str(plain), str(tmp_path / "big.vcf.gz"))
    raw = (tmp_path / "big.vcf.gz").read_bytes()
    first_block = (raw[16] | raw[17] << 8) + 1  # BSIZE + 1: a cut exactly after the first block
    cut = tmp_path / "cut.vcf.gz"
    cut.write_bytes(raw[:first_block])
    with pytest.raises(InputError, match="truncated or corrupt") as err:
        read_caller_vcf(cut, "mutect2")
    assert err.value.line > 100  # the lines of the first block were readable
    assert len(read_caller_vcf(tmp_path / "big.vcf.gz", "mutect2")) == 19999


def test_missing_somatic_status_does_not_fail_a_call(tmp_path):
    recs = ["chr1\t100\t.\tC\tT\t.\tPASS\tDP=80;SS=.\tGT:DP:RD:AD\t0/0:40:40:0\t0/1:40:30:10",
            "chr1\t200\t.\tC\tT\t.\tPASS\tDP=80\tGT:DP:RD:AD\t0/0:40:40:0\t0/1:40:30:10",
            "chr1\t300\t.\tC\tT\t.\tPASS\tDP=80;SS=3\tGT:DP:RD:AD\t0/0:40:40:0\t0/1:40:30:10"]
    path = write_vcf(tmp_path / "vs.vcf", ["NORMAL", "TUMOR"], recs)
    assert read_caller_vcf(path, "varscan2")["is_pass"].tolist() == [True, True, False]
    pd.testing.assert_frame_equal(_read_calls(path, "varscan2"), _read_calls(path, "varscan2", bulk=False))
    sniper = ["chr1\t100\t.\tC\tT\t.\t.\t.\tGT:DP:BCOUNT:SS\t0/0:30:0,30,0,0:0\t0/1:30:0,20,0,10:.",
              "chr1\t200\t.\tC\tT\t.\t.\t.\tGT:DP:BCOUNT:SS\t0/0:30:0,30,0,0:0\t0/1:30:0,20,0,10:1"]
    path = write_vcf(tmp_path / "ss.vcf", ["NORMAL", "TUMOR"], sniper)
    calls = read_caller_vcf(path, "somaticsniper")
    assert calls["is_pass"].tolist() == [True, False]
    assert calls[["t_depth", "t_ref_count", "t_alt_count"]].values.tolist() == [[30, 20, 10], [30, 20, 10]]
    pd.testing.assert_frame_equal(calls, _read_calls(path, "somaticsniper", bulk=False))


def test_csq_header_without_field_list(tmp_path):
    path = write_vcf(tmp_path / "c.vcf", ["TUMOR"], [], "##INFO=<ID=CSQ,Number=.,Type=String,Description=\"VEP annotations\">\n")
    with pytest.raises(InputError, match="no 'Format: Allele") as err:
        read_caller_vcf(path, "mutect2")
    assert err.value.line == 3 and err.value.column == "CSQ"
