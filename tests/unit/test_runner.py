"""metevo run: the DAG it executes, caching, determinism and failure handling."""

from __future__ import annotations

import filecmp
import gzip
import shutil
from pathlib import Path

import pandas as pd
import pytest

from metevo.errors import ConfigError
from metevo.io.samplesheet import read_samplesheet
from metevo.pipeline import STEPS, edges
from metevo.runner.execute import execute
from metevo.runner.plan import RunOptions, plan_tasks
from tests.conftest import metevo


def _with_maf_sample(cohort: Path, dest: Path) -> Path:
    """The cohort with one metastasis given as a MAF (as from another centre) instead of VCFs."""
    shutil.copytree(cohort, dest)
    sheet = pd.read_csv(dest / "samplesheet.csv", dtype=str, keep_default_na=False)
    i = int(sheet.index[sheet["sample_type"] == "metastasis"][-1])
    sample = sheet.loc[i, "sample"]
    out = dest / "maf_source"
    vcfs = []
    for caller in ("mutect2", "strelka2", "varscan2"):
        for p in sheet.loc[i, f"vcf_{caller}"].split(";"):
            vcfs += ["--vcf", f"{caller}={dest / p}"]
    metevo("ensemble-calls", "--sample", sample, *vcfs, "--out", out / "external.maf")
    maf = out / "external.maf"
    maf.write_text(maf.read_text().replace(f"\t{sample}\t", "\tEXTERNAL-BARCODE-1\t"))
    for c in [c for c in sheet.columns if c.startswith("vcf_")]:
        sheet.loc[i, c] = ""
    sheet["maf"] = ""
    sheet["maf_sample"] = ""
    sheet.loc[i, "maf"] = "maf_source/external.maf"
    sheet.loc[i, "maf_sample"] = "EXTERNAL-BARCODE-1"
    sheet.to_csv(dest / "samplesheet.csv", index=False)
    return dest


@pytest.fixture(scope="module")
def cohort_with_maf(small_cohort, tmp_path_factory) -> Path:
    return _with_maf_sample(small_cohort, tmp_path_factory.mktemp("maf") / "cohort")


def test_planned_tasks_follow_the_pipeline_dag(cohort_with_maf, tmp_path):
    """With every kind of input (caller VCFs, a MAF, germline VCFs, allele-specific segments,
    sWGS bin counts, a sWGS BAM with a FASTA to build bins from, cfDNA WIGs) the tasks' step
    edges are exactly the pipeline's. Planning reads no data file, so the BAM and FASTA named
    here need not exist."""
    sheet_path = tmp_path / "samplesheet.csv"
    sheet = pd.read_csv(cohort_with_maf / "samplesheet.csv", dtype=str, keep_default_na=False)
    segs = sheet.index[sheet["segments"] != ""]
    sheet.loc[segs[0], ["segments", "bam"]] = ["", str(tmp_path / "tumor.bam")]
    plasma = sheet.index[sheet["wig"] != ""]
    sheet.loc[plasma[0], ["maf", "maf_sample"]] = ["panel.maf", "PLASMA-1"]  # cfDNA panel mutations
    sheet.to_csv(sheet_path, index=False)
    sheet = read_samplesheet(sheet_path)
    assert {c for c in ("bam", "bins", "wig", "segments", "maf") if (sheet.table[c] != "").any()} == {"bam", "bins", "wig", "segments", "maf"}
    opts = RunOptions(clinical=str(cohort_with_maf / "clinical.csv"), fasta=str(tmp_path / "ref.fa"),
                      cfdna_gc="gc.wig", cfdna_map="map.wig")
    tasks = plan_tasks(sheet, tmp_path / "results", opts, genome="hg38")
    by_id = {t.id: t for t in tasks}
    step_edges = {(by_id[d].process, t.process) for t in tasks for d in t.deps}
    assert step_edges == edges()
    assert {t.process for t in tasks} == {s.process for s in STEPS}
    n_tumors_with_vcfs = int(((sheet.table["sample_type"] != "normal") & (sheet.table["vcf_mutect2"] != "")).sum())
    assert sum(t.process == "ENSEMBLE_CALLS" for t in tasks) == n_tumors_with_vcfs
    assert sum(t.process == "IMPORT_MAF" for t in tasks) == 2  # the external MAF and the plasma panel
    assert sum(t.process == "GERMLINE" for t in tasks) == sheet.table["patient"].nunique()
    assert sum(t.process == "CFDNA" for t in tasks) == int((sheet.table["wig"] != "").sum())
    # a per-sample task waits only for its own sample's upstream tasks
    hrd = next(t for t in tasks if t.process == "HRD")
    assert len(hrd.deps) == 1 and hrd.deps[0].split(":")[1] == hrd.id.split(":")[1]


def test_copy_number_inputs_need_their_references(cohort_with_maf, tmp_path):
    sheet = read_samplesheet(cohort_with_maf / "samplesheet.csv")
    with pytest.raises(ConfigError, match="genome build"):
        plan_tasks(sheet, tmp_path, RunOptions())
    with pytest.raises(ConfigError, match="--cfdna-gc"):
        plan_tasks(sheet, tmp_path, RunOptions(), genome="hg38")


def _files(root: Path) -> list[Path]:
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file() and ".metevo" not in p.parts)


def test_run_end_to_end_is_deterministic_and_resumes(cohort_with_maf, tmp_path):
    sheet = read_samplesheet(cohort_with_maf / "samplesheet.csv")
    opts = RunOptions(clinical=str(cohort_with_maf / "clinical.csv"), cfdna_gc=str(cohort_with_maf / "cfdna/gc_1000kb.wig"),
                      cfdna_map=str(cohort_with_maf / "cfdna/map_1000kb.wig"), cfdna_pon=str(cohort_with_maf / "cfdna/pon_1000kb.tsv"))
    out1, out2 = tmp_path / "r1", tmp_path / "r2"
    status = execute(plan_tasks(sheet, out1, opts, genome="hg38"), out1, cpus=2, quiet=True)
    assert set(status.values()) == {"done"}
    report = (out1 / "report.html").read_text()
    for section in ("Cohort and inputs", "Somatic mutations", "Mutation burden", "Primary-metastasis concordance", "Germline"):
        assert section in report
    # self-contained: nothing fetched from the network when the report is opened
    assert "src=\"http" not in report and "href=\"http" not in report and "@import" not in report
    cohort = pd.read_csv(out1 / "merge_mafs" / "cohort.maf", sep="\t", comment="#", dtype=str)
    assert "EXTERNAL-BARCODE-1" not in set(cohort["Tumor_Sample_Barcode"])  # renamed to the sample id
    assert len(cohort[cohort["sample_type"] == "metastasis"]) > 0

    # a second cohort folder run: byte-identical results
    execute(plan_tasks(sheet, out2, opts, genome="hg38"), out2, cpus=1, quiet=True)
    assert _files(out1) == _files(out2)
    for rel in _files(out1):
        assert filecmp.cmp(out1 / rel, out2 / rel, shallow=False), rel

    # re-run: nothing to do
    again = execute(plan_tasks(sheet, out1, opts, genome="hg38"), out1, cpus=2, quiet=True)
    assert set(again.values()) == {"cached"}

    # change one tumor's Mutect2 VCF: that tumor and the cohort steps re-run, nothing else
    row = sheet.table[sheet.table["vcf_mutect2"] != ""].iloc[0]
    vcf = Path(sheet.paths(row, "vcf_mutect2")[0])
    text = gzip.open(vcf, "rt").read().splitlines(keepends=True)
    body = [i for i, line in enumerate(text) if not line.startswith("#")]
    del text[body[0]]
    with gzip.open(vcf, "wt") as fh:
        fh.writelines(text)
    third = execute(plan_tasks(sheet, out1, opts, genome="hg38"), out1, cpus=2, quiet=True)
    rerun = {k for k, v in third.items() if v == "done"}
    assert f"ENSEMBLE_CALLS:{row['sample']}" in rerun
    assert "VALIDATE" in rerun  # it reads every input file
    assert not any(k.startswith("GERMLINE:") for k in rerun)
    assert not any(k.startswith("ENSEMBLE_CALLS:") and k != f"ENSEMBLE_CALLS:{row['sample']}" for k in rerun)


def test_a_failing_task_stops_the_run_with_its_one_line_error(small_cohort, tmp_path):
    d = tmp_path / "cohort"
    shutil.copytree(small_cohort, d)
    sheet = pd.read_csv(d / "samplesheet.csv", dtype=str, keep_default_na=False)
    # a VCF whose header validates but whose records are broken: only the step that reads
    # the records can find it
    row = sheet[sheet["vcf_mutect2"] != ""].iloc[0]
    vcf = d / row["vcf_mutect2"]
    lines = gzip.open(vcf, "rt").read().splitlines(keepends=True)
    first = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    fields = lines[first].split("\t")
    fields[1] = "12x4"
    lines[first] = "\t".join(fields)
    with gzip.open(vcf, "wt") as fh:
        fh.writelines(lines)
    proc = metevo("run", "--params-file", d / "params.yaml", "--outdir", tmp_path / "results", "--quiet", check=False)
    assert proc.returncode != 0
    errors = proc.stderr.strip().splitlines()
    assert len(errors) == 1, proc.stderr
    assert f"ENSEMBLE_CALLS {row['sample']}" in errors[0] and f"line {first + 1}" in errors[0] and "POS" in errors[0], errors[0]
    assert not (tmp_path / "results" / "report.html").exists()
    assert not (tmp_path / "results" / "ensemble_calls" / f"{row['sample']}.maf").exists()
