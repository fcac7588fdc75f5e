"""The workflow's samplesheet logic (the functions of workflows/metevo.nf), run by Groovy on rows
shaped as nf-schema's samplesheetToList returns them, gives the tasks `metevo run` plans:
the same paths (resolved against the samplesheet's folder), the same routing to
ENSEMBLE_CALLS / IMPORT_MAF / GERMLINE, and the same files for VALIDATE."""

from __future__ import annotations

import csv
import json
import os

import pytest

from metevo.io.samplesheet import PATH_COLUMNS, read_samplesheet
from nf_harness import REPO

pytestmark = pytest.mark.nextflow_ls

SCHEMA = json.loads((REPO / "assets" / "schema_input.json").read_text(encoding="utf-8"))


def samplesheet_to_list(path) -> list:
    """nf-schema's samplesheetToList (SamplesheetConverter): [meta, non-meta fields in schema
    order], a missing value as [], numbers cast to the schema's type."""
    rows = []
    with open(path, newline="", encoding="utf-8") as fh:
        for record in csv.DictReader(fh):
            meta, fields = {}, []
            for name, spec in SCHEMA["items"]["properties"].items():
                value = record.get(name, "")
                if value == "":
                    value = []
                elif spec.get("type") == "integer":
                    value = int(value)
                elif spec.get("type") == "number":
                    value = float(value)
                if "meta" in spec:
                    for key in spec["meta"]:
                        meta[key] = value
                else:
                    fields.append(value)
            rows.append([meta, *fields])
    return rows


def run_workflow_functions(nfls, check, samplesheet) -> dict:
    functions = check["functions"]["workflows/metevo.nf"]
    code = "\n".join([
        # Nextflow's file() and Path.toUriString() for local files; the rest is the workflow's code
        "def file(path) { java.nio.file.Paths.get(path.toString()) }",
        *functions.values(),
        "ExpandoMetaClass.enableGlobally()",
        "java.nio.file.Path.metaClass.toUriString = { -> delegate.toString() }",
        "java.nio.file.Path.metaClass.exists = { -> java.nio.file.Files.exists(delegate) }",
        "def base = java.nio.file.Paths.get(__samplesheet).parent",
        "def records = __rows.collect { row -> sampleRecord(row, base) }",
        "[",
        "  samples: records.collect { r -> [",
        "    id: r.meta.id, patient: r.meta.patient, step: somaticStep(r), refs: r.refs,",
        "    ensemble: somaticStep(r) == 'ENSEMBLE_CALLS' ? ensembleInput(r) : null,",
        "    imported: somaticStep(r) == 'IMPORT_MAF' ? importInput(r) : null,",
        "    germline: r.germline ? germlineInput(r) : null,",
        "    cn: copyNumberStep(r), bam_index: r.bam_index?.toString(),",
        "  ] },",
        "  validate: filesToValidate(records.collectMany { r -> r.refs }),",
        "]",
    ])
    return nfls.eval(code, {"__rows": samplesheet_to_list(samplesheet), "__samplesheet": str(samplesheet)})


def _options(argv: list[str], flag: str) -> list[str]:
    return [argv[i + 1] for i, a in enumerate(argv) if a == flag]


def test_routing_and_inputs_are_those_of_metevo_run(nfls, check, cohort):
    result = run_workflow_functions(nfls, check, cohort.samplesheet)
    tasks = cohort.tasks
    planned = {tid.split(":", 1)[1]: t for tid, t in tasks.items() if t.process in ("ENSEMBLE_CALLS", "IMPORT_MAF")}
    routed = {s["id"]: s["step"] for s in result["samples"] if s["step"]}
    assert routed == {sample: t.process for sample, t in planned.items()}

    for sample in result["samples"]:
        if sample["ensemble"]:
            meta, callers, vcfs = sample["ensemble"]
            argv = planned[sample["id"]].argv
            assert [f"{c}={v}" for c, v in zip(callers, vcfs)] == _options(argv, "--vcf")
            assert meta["id"] == sample["id"]
            assert [meta["tumor_vcf_name"]] == (_options(argv, "--tumor-name") or [""])
            assert [meta["normal_vcf_name"]] == (_options(argv, "--normal-name") or [""])
        if sample["imported"]:
            meta, maf = sample["imported"]
            argv = planned[sample["id"]].argv
            assert [maf] == _options(argv, "--maf")
            assert [meta["maf_sample"]] == (_options(argv, "--maf-sample") or [""])

    # GERMLINE: the workflow keeps the first row of each patient that names a germline VCF
    first = {}
    for sample in result["samples"]:
        if sample["germline"]:
            first.setdefault(sample["patient"], sample["germline"])
    germline_tasks = {t.id.split(":", 1)[1]: t for t in tasks.values() if t.process == "GERMLINE"}
    assert set(first) == set(germline_tasks)
    for patient, (meta, vcf) in first.items():
        argv = germline_tasks[patient].argv
        assert meta["id"] == patient and _options(argv, "--patient") == [patient]
        assert _options(argv, "--vcf") == [vcf]
        assert _options(argv, "--sample-name") == [meta["vcf_sample"]]


def test_validate_gets_every_file_once_with_its_spellings(nfls, check, cohort):
    keys, files, indexes = run_workflow_functions(nfls, check, cohort.samplesheet)["validate"]
    assert indexes == []
    expected = cohort.data_files()
    assert files == [str(path) for _, path in expected]
    assert keys == [[str(path), *texts] for texts, path in expected]
    validate = cohort.tasks["VALIDATE"]
    assert set(files) == set(validate.inputs) - {str(cohort.samplesheet), str(cohort.clinical)}


def test_path_cells_resolve_as_in_metevo_run(nfls, check, tmp_path):
    """Relative cells (with ./ and ..), absolute cells and ';' lists resolve as Samplesheet.paths."""
    sheet_dir = tmp_path / "sheets" / "batch1"
    sheet_dir.mkdir(parents=True)
    absolute = tmp_path / "elsewhere" / "P3-T.strelka.indel.vcf.gz"
    sheet = sheet_dir / "samplesheet.csv"
    sheet.write_text(
        "patient,sample,sample_type,vcf_mutect2,vcf_strelka2,germline_vcf\n"
        f"P3,P3-N,normal,,,./germline/../germline/P3.vcf.gz\n"
        f"P3,P3-T,primary,../calls/P3-T.mutect2.vcf.gz, calls/P3-T.strelka.snv.vcf.gz ;{absolute},\n"
    )
    result = run_workflow_functions(nfls, check, sheet)
    python = read_samplesheet(sheet)
    for sample, row in zip(result["samples"], (r for _, r in python.table.iterrows())):
        expected = [(p.strip(), python.resolve(p.strip())) for column in PATH_COLUMNS for p in (row[column].split(";") if row[column] else []) if p.strip()]
        assert sorted(map(tuple, sample["refs"])) == sorted(expected)
    tumor = next(s for s in result["samples"] if s["id"] == "P3-T")
    _, callers, vcfs = tumor["ensemble"]
    assert callers == ["mutect2", "strelka2", "strelka2"]
    assert vcfs == [os.path.normpath(sheet_dir / "../calls/P3-T.mutect2.vcf.gz"), str(sheet_dir / "calls/P3-T.strelka.snv.vcf.gz"), str(absolute)]


def test_copy_number_routing_is_that_of_metevo_run(nfls, check, cn_cohort):
    """BAM -> COPY_NUMBER (through BIN_COUNTS), WIG -> CFDNA, segments -> IMPORT_SEGMENTS; the
    BAM's index is found beside it and VALIDATE gets it in the BAM's folder slot."""
    result = run_workflow_functions(nfls, check, cn_cohort.samplesheet)
    sources = {t.id.split(":", 1)[1]: t.process for t in cn_cohort.tasks.values()
               if t.process in ("COPY_NUMBER", "CFDNA", "IMPORT_SEGMENTS")}
    assert {s["id"]: s["cn"] for s in result["samples"] if s["cn"]} == sources
    bam = cn_cohort.root / "bam" / f"{cn_cohort.names['primary']}.bam"
    primary = next(s for s in result["samples"] if s["id"] == cn_cohort.names["primary"])
    assert primary["bam_index"] == f"{bam}.bai"
    assert {t.id for t in cn_cohort.tasks.values() if t.process == "BIN_COUNTS"} == {f"BIN_COUNTS:{primary['id']}"}

    keys, files, indexes = result["validate"]
    assert files[0] == str(bam) and indexes == [f"{bam}.bai"]  # indexed BAMs first, each with its index
    assert sorted(files) == sorted(set(cn_cohort.tasks["VALIDATE"].inputs) - {str(cn_cohort.samplesheet), str(cn_cohort.clinical)})
