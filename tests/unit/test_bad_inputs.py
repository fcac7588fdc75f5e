"""Bad inputs: each gives one line on stderr naming the file and the line/column, a non-zero
exit, and no output at all (the summary file and its folder do not appear).

Every case starts from a valid simulated cohort and breaks one thing, the way users do.
"""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import metevo


def _sheet(d: Path) -> pd.DataFrame:
    return pd.read_csv(d / "samplesheet.csv", dtype=str, keep_default_na=False)


def _write_sheet(d: Path, frame: pd.DataFrame) -> None:
    frame.to_csv(d / "samplesheet.csv", index=False)


def _clinical(d: Path) -> pd.DataFrame:
    return pd.read_csv(d / "clinical.csv", dtype=str, keep_default_na=False)


def _first(frame: pd.DataFrame, sample_type: str) -> int:
    return int(frame.index[frame["sample_type"] == sample_type][0])


def _rewrite_vcf(path: Path, edit) -> None:
    text = gzip.open(path, "rt").read()
    with gzip.open(path, "wt") as fh:
        fh.write(edit(text))
    Path(str(path) + ".tbi").unlink(missing_ok=True)


# Each case: (name, function(cohort_dir) -> extra CLI args, expected file named, expected where)
def missing_required_column(d):
    _write_sheet(d, _sheet(d).drop(columns="sample_type"))


def unknown_sample_type(d):
    s = _sheet(d)
    s.loc[_first(s, "metastasis"), "sample_type"] = "tumour"
    _write_sheet(d, s)


def duplicate_sample(d):
    s = _sheet(d)
    s.loc[3, "sample"] = s.loc[1, "sample"]
    _write_sheet(d, s)


def unsafe_identifier(d):
    s = _sheet(d)
    s.loc[2, "sample"] = "P01 T;rm -rf"
    _write_sheet(d, s)


def purity_out_of_range(d):
    s = _sheet(d)
    s.loc[_first(s, "primary"), "purity"] = "1.5"
    _write_sheet(d, s)


def negative_collection_time(d):
    s = _sheet(d)
    s.loc[_first(s, "metastasis"), "collection_time"] = "-30"
    _write_sheet(d, s)


def ragged_row(d):
    lines = (d / "samplesheet.csv").read_text().splitlines()
    lines[3] += ",extra"
    (d / "samplesheet.csv").write_text("\n".join(lines) + "\n")


def unknown_column(d):
    s = _sheet(d)
    s["tumour_purity"] = ""
    _write_sheet(d, s)


def header_only(d):
    (d / "samplesheet.csv").write_text((d / "samplesheet.csv").read_text().splitlines()[0] + "\n")


def binary_samplesheet(d):
    (d / "samplesheet.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")


def missing_file(d):
    s = _sheet(d)
    s.loc[_first(s, "primary"), "vcf_mutect2"] = "vcf/does_not_exist.vcf.gz"
    _write_sheet(d, s)


def not_a_vcf(d):
    s = _sheet(d)
    target = d / s.loc[_first(s, "primary"), "vcf_mutect2"]
    target.write_text("patient,age\nP01,50\n")


def truncated_gzip(d):
    s = _sheet(d)
    target = d / s.loc[_first(s, "metastasis"), "vcf_mutect2"]
    data = target.read_bytes()
    target.write_bytes(data[: len(data) // 2])


def vcf_of_another_sample(d):
    s = _sheet(d)
    prim = s[s["sample_type"] == "primary"].index
    s.loc[prim[0], "vcf_mutect2"] = s.loc[prim[1], "vcf_mutect2"]
    _write_sheet(d, s)


def germline_vcf_of_another_patient(d):
    s = _sheet(d)
    normals = s[s["sample_type"] == "normal"].index
    s.loc[normals[0], "germline_vcf"] = s.loc[normals[1], "germline_vcf"]
    _write_sheet(d, s)


def hg19_vcf_among_hg38(d):
    s = _sheet(d)
    target = d / s.loc[_first(s, "metastasis"), "vcf_mutect2"]
    # as a VCF from an hg19 run looks without contig lines: only its reference names the build
    _rewrite_vcf(target, lambda t: re.sub(r"##contig=<[^\n]*\n", "", t).replace("#CHROM", "##reference=file:///refs/ucsc.hg19.fasta\n#CHROM", 1))


def genome_option_mismatch(d):
    return ["--genome", "hg19"]


def normal_with_caller_vcf(d):
    s = _sheet(d)
    n, p = _first(s, "normal"), _first(s, "primary")
    s.loc[n, "vcf_mutect2"] = s.loc[p, "vcf_mutect2"]
    _write_sheet(d, s)


def two_normals(d):
    s = _sheet(d)
    extra = s.loc[[_first(s, "normal")]].copy()
    extra["sample"] = extra["sample"] + "2"
    extra["germline_vcf"] = ""
    _write_sheet(d, pd.concat([s, extra], ignore_index=True))


def vcfs_and_maf(d):
    s = _sheet(d)
    s["maf"] = ""
    s.loc[_first(s, "primary"), "maf"] = "cohort.maf"
    (d / "cohort.maf").write_text("Hugo_Symbol\tTumor_Sample_Barcode\n")
    _write_sheet(d, s)


def _maf_sample(d, maf_text: str, maf_sample: str = "") -> None:
    """Turn the first metastasis into a MAF-based sample (as a user with a GDC MAF would)."""
    s = _sheet(d)
    i = _first(s, "metastasis")
    for c in [c for c in s.columns if c.startswith("vcf_")] + ["tumor_vcf_name"]:
        if c in s.columns:
            s.loc[i, c] = ""
    s["maf"] = ""
    s["maf_sample"] = ""
    s.loc[i, "maf"] = "external.maf"
    s.loc[i, "maf_sample"] = maf_sample
    (d / "external.maf").write_text(maf_text)
    _write_sheet(d, s)


MAF_HEADER = "Hugo_Symbol\tChromosome\tStart_Position\tEnd_Position\tReference_Allele\tTumor_Seq_Allele2\tVariant_Classification\tVariant_Type\tTumor_Sample_Barcode\tNCBI_Build\n"


def maf_without_the_sample(d):
    _maf_sample(d, MAF_HEADER + "TP53\t17\t7675088\t7675088\tC\tT\tMissense_Mutation\tSNP\tTCGA-XX-0001\tGRCh38\n")


def maf_missing_column(d):
    _maf_sample(d, "Hugo_Symbol\tChromosome\tTumor_Sample_Barcode\nTP53\t17\tX\n", maf_sample="X")


def maf_of_another_build(d):
    _maf_sample(d, MAF_HEADER + "TP53\t17\t7577120\t7577120\tC\tT\tMissense_Mutation\tSNP\tTCGA-XX-0001\tGRCh37\n", maf_sample="TCGA-XX-0001")


def maf_bad_position(d):
    _maf_sample(d, MAF_HEADER + "TP53\t17\tseven\t7675088\tC\tT\tMissense_Mutation\tSNP\tTCGA-XX-0001\tGRCh38\n", maf_sample="TCGA-XX-0001")


def _first_with(frame: pd.DataFrame, column: str) -> int:
    return int(frame.index[frame[column] != ""][0])


def bam_without_index(d):
    """A shallow-WGS BAM that was never indexed (samtools index)."""
    import numpy as np

    from metevo.simulate import swgs

    reads = swgs.Reads(ref=np.array([0, 0], np.int32), pos=np.array([10, 500], np.int32),
                       flag=np.array([0, 0], np.uint16), mapq=np.array([60, 60], np.uint8))
    swgs.write_bam(d / "tumor.bam", reads, [("chr1", 248956422)], seed=1, index=False)
    s = _sheet(d)
    i = _first_with(s, "segments")
    s.loc[i, ["segments", "bam"]] = ["", "tumor.bam"]
    _write_sheet(d, s)


def bins_unsorted(d):
    s = _sheet(d)
    path = d / s.loc[_first_with(s, "bins"), "bins"]
    lines = path.read_text().splitlines(keepends=True)
    body = [i for i, line in enumerate(lines) if line[:1].isdigit() or line.startswith(("chr", "X"))]
    lines[body[3]], lines[body[4]] = lines[body[4]], lines[body[3]]
    path.write_text("".join(lines))


def bins_of_another_build(d):
    """Bin counts made on hg19 (their chromosomes end where hg19's do) in an hg38 cohort."""
    from metevo.genome import CHROM_LENGTHS

    s = _sheet(d)
    i = _first_with(s, "bins")
    rows = ["chromosome\tstart\tend\t" + s.loc[i, "sample"]]
    for chrom, length in CHROM_LENGTHS["hg19"].items():
        for start in range(1, length + 1, 1_000_000):
            rows.append(f"{chrom}\t{start}\t{min(start + 999_999, length)}\t100")
    (d / s.loc[i, "bins"]).write_text("\n".join(rows) + "\n")


def segments_overlapping(d):
    s = _sheet(d)
    path = d / s.loc[_first_with(s, "segments"), "segments"]
    lines = path.read_text().splitlines(keepends=True)
    lines.insert(3, lines[2])  # the same segment twice
    path.write_text("".join(lines))


def segments_missing_column(d):
    s = _sheet(d)
    path = d / s.loc[_first_with(s, "segments"), "segments"]
    lines = path.read_text().splitlines()
    header = lines[0].split("\t")
    drop = header.index("total_cn")
    path.write_text("\n".join("\t".join(f for j, f in enumerate(line.split("\t")) if j != drop) for line in lines) + "\n")


def two_copy_number_inputs(d):
    s = _sheet(d)
    i = _first_with(s, "segments")
    s.loc[i, "bins"] = s.loc[_first_with(s, "bins"), "bins"]
    _write_sheet(d, s)


def wig_not_numeric(d):
    s = _sheet(d)
    path = d / s.loc[_first_with(s, "wig"), "wig"]
    lines = path.read_text().splitlines(keepends=True)
    lines[5] = "many\n"
    path.write_text("".join(lines))


def clinical_missing_patient(d):
    c = _clinical(d)
    c.iloc[1:].to_csv(d / "clinical.csv", index=False)


def clinical_extra_patient(d):
    c = _clinical(d)
    extra = c.iloc[[0]].copy()
    extra["patient"] = "P99"
    pd.concat([c, extra]).to_csv(d / "clinical.csv", index=False)


def clinical_duplicate_patient(d):
    c = _clinical(d)
    pd.concat([c, c.iloc[[2]]]).to_csv(d / "clinical.csv", index=False)


def clinical_event_not_binary(d):
    c = _clinical(d)
    c.loc[1, "os_event"] = "2"
    c.to_csv(d / "clinical.csv", index=False)


def clinical_negative_time(d):
    c = _clinical(d)
    c.loc[0, "pfs_time"] = "-5"
    c.to_csv(d / "clinical.csv", index=False)


CASES = [
    (missing_required_column, "samplesheet.csv", r"column 'sample_type'"),
    (unknown_sample_type, "samplesheet.csv", r"line \d+, column 'sample_type'"),
    (duplicate_sample, "samplesheet.csv", r"line 5, column 'sample'"),
    (unsafe_identifier, "samplesheet.csv", r"line 4, column 'sample'"),
    (purity_out_of_range, "samplesheet.csv", r"line \d+, column 'purity'"),
    (negative_collection_time, "samplesheet.csv", r"line \d+, column 'collection_time'"),
    (ragged_row, "samplesheet.csv", r"line 4"),
    (unknown_column, "samplesheet.csv", r"line 1, column 'tumour_purity'"),
    (header_only, "samplesheet.csv", r"line 2"),
    (binary_samplesheet, "samplesheet.csv", r"UTF-8|line"),
    (missing_file, "samplesheet.csv", r"line \d+, column 'vcf_mutect2'"),
    (not_a_vcf, ".mutect2.vcf.gz", r"line \d+|VCF"),
    (truncated_gzip, ".mutect2.vcf.gz", r"line \d+|gzip|truncated"),
    (vcf_of_another_sample, ".mutect2.vcf.gz", r"line \d+, column 'vcf_mutect2'"),
    (germline_vcf_of_another_patient, ".germline.vcf.gz", r"line \d+, column 'germline_vcf'"),
    (hg19_vcf_among_hg38, "samplesheet.csv", r"line \d+, column 'vcf_mutect2'"),
    (genome_option_mismatch, "samplesheet.csv", r"line 2, column 'germline_vcf'.*hg38.*--genome hg19"),
    (normal_with_caller_vcf, "samplesheet.csv", r"line 2, column 'vcf_mutect2'"),
    (two_normals, "samplesheet.csv", r"line \d+, column 'sample_type'"),
    (vcfs_and_maf, "samplesheet.csv", r"line \d+, column 'maf'"),
    (maf_without_the_sample, "samplesheet.csv", r"line \d+, column 'sample'.*TCGA-XX-0001"),
    (maf_missing_column, "external.maf", r"line 1, column 'Start_Position'"),
    (maf_of_another_build, "samplesheet.csv", r"line \d+, column 'maf'.*hg19"),
    (maf_bad_position, "external.maf", r"line 2, column 'Start_Position'"),
    (bam_without_index, "tumor.bam", r"no index.*line \d+, column 'bam'"),
    (bins_unsorted, ".bins.tsv", r"line \d+"),
    (bins_of_another_build, "samplesheet.csv", r"line \d+, column 'bins'.*hg19.*one genome build"),
    (segments_overlapping, ".segments.tsv", r"line 4"),
    (segments_missing_column, ".segments.tsv", r"line 1|column"),
    (two_copy_number_inputs, "samplesheet.csv", r"line \d+, column '(bins|segments)'.*one copy-number input"),
    (wig_not_numeric, ".wig", r"line 6"),
    (clinical_missing_patient, "samplesheet.csv", r"line 2, column 'patient'"),
    (clinical_extra_patient, "clinical.csv", r"line \d+, column 'patient'"),
    (clinical_duplicate_patient, "clinical.csv", r"line \d+, column 'patient'"),
    (clinical_event_not_binary, "clinical.csv", r"line 3, column 'os_event'"),
    (clinical_negative_time, "clinical.csv", r"line 2, column 'pfs_time'"),
]


@pytest.mark.parametrize("breaker, names, where", CASES, ids=[c[0].__name__ for c in CASES])
def test_bad_input_gives_one_line_and_writes_nothing(small_cohort, tmp_path, breaker, names, where):
    d = tmp_path / "cohort"
    shutil.copytree(small_cohort, d)
    extra = breaker(d) or []
    out = tmp_path / "results" / "validate" / "inputs.tsv"
    proc = metevo(
        "validate", "--samplesheet", d / "samplesheet.csv", "--clinical", d / "clinical.csv", "--out-summary", out, *extra, check=False
    )
    assert proc.returncode != 0
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    message = lines[0]
    assert message.startswith("metevo validate: error: "), message
    assert "Traceback" not in message and "internal error" not in message, message
    assert names in message, message
    assert re.search(where, message), message
    assert not (tmp_path / "results").exists()


def test_the_unbroken_cohort_validates(small_cohort, tmp_path):
    out = tmp_path / "results" / "validate" / "inputs.tsv"
    metevo("validate", "--samplesheet", small_cohort / "samplesheet.csv", "--clinical", small_cohort / "clinical.csv", "--out-summary", out)
    summary = pd.read_csv(out, sep="\t", dtype=str, keep_default_na=False)
    sheet = _sheet(small_cohort)
    assert list(summary["sample"]) == list(sheet["sample"])
    assert set(summary["genome_build"]) == {"hg38"}
    tumors = summary[summary["sample_type"].isin(["primary", "metastasis", "recurrence"])]
    assert set(tumors["somatic_input"]) == {"mutect2+strelka2+varscan2"}
    plasma = summary[summary["sample_type"] == "cfdna"]
    assert len(plasma) > 0 and set(plasma["somatic_input"]) == {""}


def test_run_stops_at_validation_and_writes_nothing(small_cohort, tmp_path):
    d = tmp_path / "cohort"
    shutil.copytree(small_cohort, d)
    vcf_of_another_sample(d)
    results = tmp_path / "results"
    proc = metevo("run", "--samplesheet", d / "samplesheet.csv", "--clinical", d / "clinical.csv", "--outdir", results, "--quiet", check=False)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "VALIDATE" in lines[0] and "vcf_mutect2" in lines[0], proc.stderr
    assert not results.exists()
