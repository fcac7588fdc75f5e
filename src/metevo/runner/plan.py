"""Expand the pipeline's steps into tasks for one samplesheet.

Each task is one invocation of a step's command line (exactly the command the Nextflow process
runs), with the files it reads and writes, and the tasks it waits for. The step-level edges of
the tasks are, by construction, ``metevo.pipeline.edges()`` restricted to the steps that have
tasks; ``tests/unit/test_runner.py`` checks it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from metevo.io.samplesheet import CALLERS, PATH_COLUMNS, TUMOR_TYPES, Samplesheet
from metevo.pipeline import STEP_BY_PROCESS


@dataclass
class Task:
    id: str  # "<PROCESS>" or "<PROCESS>:<sample or patient>"
    process: str
    argv: list[str]
    inputs: list[str]
    outputs: list[str]
    deps: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.id.replace(":", " ")


@dataclass(frozen=True)
class RunOptions:
    """Pipeline parameters; None means "the step's own default"."""

    clinical: str | None = None
    genome: str | None = None
    fasta: str | None = None
    min_callers: int | None = None
    min_depth: int | None = None
    min_alt: int | None = None
    min_vaf: float | None = None
    max_normal_vaf: float | None = None
    min_normal_depth: int | None = None
    germline_genes: str | None = None


def _opt(argv: list[str], flag: str, value) -> None:
    if value is not None:
        argv += [flag, str(value)]


def _threshold_args(opts: RunOptions) -> list[str]:
    argv: list[str] = []
    _opt(argv, "--min-depth", opts.min_depth)
    _opt(argv, "--min-alt", opts.min_alt)
    _opt(argv, "--min-vaf", opts.min_vaf)
    _opt(argv, "--max-normal-vaf", opts.max_normal_vaf)
    _opt(argv, "--min-normal-depth", opts.min_normal_depth)
    return argv


def germline_sources(sheet: Samplesheet) -> dict[str, tuple[str, str]]:
    """patient -> (germline VCF path, the row's sample id), from the first row that names one."""
    found: dict[str, tuple[str, str]] = {}
    for _, row in sheet.table.iterrows():
        paths = sheet.paths(row, "germline_vcf")
        if paths and row["patient"] not in found:
            found[row["patient"]] = (paths[0], row["sample"])
    return found


def plan_tasks(sheet: Samplesheet, outdir: str | Path, opts: RunOptions) -> list[Task]:
    out = Path(outdir)
    table = sheet.table
    samplesheet = str(sheet.path)
    tasks: list[Task] = []

    validate_out = str(out / "validate" / "inputs.tsv")
    argv = ["validate", "--samplesheet", samplesheet]
    _opt(argv, "--clinical", opts.clinical)
    _opt(argv, "--genome", opts.genome)
    argv += ["--out-summary", validate_out]
    all_inputs = [samplesheet] + ([opts.clinical] if opts.clinical else [])
    for _, row in table.iterrows():
        for column in PATH_COLUMNS:
            all_inputs += sheet.paths(row, column)
    validate = Task("VALIDATE", "VALIDATE", argv, sorted(set(all_inputs)), [validate_out])
    tasks.append(validate)

    sample_mafs: list[str] = []
    sample_maf_tasks: list[str] = []
    for _, row in table.iterrows():
        sample = row["sample"]
        if row["sample_type"] not in TUMOR_TYPES + ("cfdna",):
            continue
        vcfs = [(c, p) for c in CALLERS for p in sheet.paths(row, f"vcf_{c}")]
        if vcfs:
            maf = str(out / "ensemble_calls" / f"{sample}.maf")
            summary = str(out / "ensemble_calls" / f"{sample}.callers.tsv")
            argv = ["ensemble-calls", "--sample", sample]
            for caller, path in vcfs:
                argv += ["--vcf", f"{caller}={path}"]
            _opt(argv, "--fasta", opts.fasta)
            _opt(argv, "--genome", opts.genome)
            if row["tumor_vcf_name"]:
                argv += ["--tumor-name", row["tumor_vcf_name"]]
            if row["normal_vcf_name"]:
                argv += ["--normal-name", row["normal_vcf_name"]]
            _opt(argv, "--min-callers", opts.min_callers)
            argv += _threshold_args(opts)
            argv += ["--out", maf, "--summary", summary]
            inputs = [p for _, p in vcfs] + ([opts.fasta] if opts.fasta else [])
            task = Task(f"ENSEMBLE_CALLS:{sample}", "ENSEMBLE_CALLS", argv, inputs, [maf, summary], ["VALIDATE"])
        elif row["maf"]:
            maf = str(out / "import_maf" / f"{sample}.maf")
            source = sheet.paths(row, "maf")[0]
            argv = ["import-maf", "--sample", sample, "--maf", source]
            if row["maf_sample"]:
                argv += ["--maf-sample", row["maf_sample"]]
            argv += _threshold_args(opts)
            argv += ["--out", maf]
            task = Task(f"IMPORT_MAF:{sample}", "IMPORT_MAF", argv, [source], [maf], ["VALIDATE"])
        else:
            continue
        tasks.append(task)
        sample_mafs.append(maf)
        sample_maf_tasks.append(task.id)

    germline_outputs: list[str] = []
    germline_tasks: list[str] = []
    for patient, (vcf, sample) in sorted(germline_sources(sheet).items()):
        result = str(out / "germline" / f"{patient}.germline.tsv")
        row = table.loc[table["sample"] == sample].iloc[0]
        argv = ["germline", "--patient", patient, "--vcf", vcf, "--sample-name", row["normal_vcf_name"] or sample]
        _opt(argv, "--genes", opts.germline_genes)
        _opt(argv, "--genome", opts.genome)
        argv += ["--out", result]
        tasks.append(Task(f"GERMLINE:{patient}", "GERMLINE", argv, [vcf], [result], ["VALIDATE"]))
        germline_outputs.append(result)
        germline_tasks.append(f"GERMLINE:{patient}")

    cohort_maf = str(out / "merge_mafs" / "cohort.maf")
    argv = ["merge-mafs", "--samplesheet", samplesheet]
    for maf in sample_mafs:
        argv += ["--maf", maf]
    argv += ["--out", cohort_maf]
    tasks.append(Task("MERGE_MAFS", "MERGE_MAFS", argv, [samplesheet] + sample_mafs, [cohort_maf], list(sample_maf_tasks)))

    conc_dir = out / "pair_concordance"
    conc = [str(conc_dir / n) for n in ("pairs.tsv", "burden.tsv", "tests.tsv")]
    argv = ["pair-concordance", "--samplesheet", samplesheet, "--maf", cohort_maf, "--outdir", str(conc_dir)]
    tasks.append(Task("PAIR_CONCORDANCE", "PAIR_CONCORDANCE", argv, [samplesheet, cohort_maf], conc, ["MERGE_MAFS"]))

    report = str(out / "report.html")
    argv = ["report", "--samplesheet", samplesheet, "--inputs", validate_out, "--maf", cohort_maf]
    for g in germline_outputs:
        argv += ["--germline", g]
    argv += ["--pairs", conc[0], "--burden", conc[1], "--tests", conc[2], "--out", report]
    inputs = [samplesheet, validate_out, cohort_maf, *germline_outputs, *conc]
    tasks.append(Task("REPORT", "REPORT", argv, inputs, [report], ["VALIDATE", "MERGE_MAFS", *germline_tasks, "PAIR_CONCORDANCE"]))

    _check_against_pipeline(tasks)
    return tasks


def _check_against_pipeline(tasks: list[Task]) -> None:
    """Every task waits for exactly the tasks of the steps its step is declared to follow."""
    by_process: dict[str, list[str]] = {}
    for t in tasks:
        by_process.setdefault(t.process, []).append(t.id)
    for t in tasks:
        expected = {tid for up in STEP_BY_PROCESS[t.process].after for tid in by_process.get(up, [])}
        if set(t.deps) != expected:
            raise RuntimeError(f"task {t.id} waits for {sorted(t.deps)}, the DAG says {sorted(expected)}")
