"""Expand the pipeline's steps into tasks for one samplesheet.

Each task is one invocation of a step's command line (exactly the command the Nextflow process
runs), with the files it reads and writes, and the tasks it waits for. A per-sample task waits
only for the same sample's upstream tasks; a cohort task for all tasks of its upstream steps.
The step-level edges of the tasks are ``metevo.pipeline.edges()`` restricted to the steps
that have tasks (``tests/unit/test_runner.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from metevo.errors import ConfigError
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
    bin_annotation: str | None = None  # QDNAseq-style bin annotation for BAM / bin-count samples
    bin_size: int | None = None  # bins built from --fasta (BIN_ANNOTATION) when no annotation is given
    mappability: str | None = None
    blacklist: str | None = None
    cfdna_gc: str | None = None
    cfdna_map: str | None = None
    cfdna_pon: str | None = None
    regions: str | None = None
    external_maf: str | None = None  # an external primary cohort for ENRICHMENT
    external_samples: str | None = None
    external_clinical: str | None = None


DEFAULT_BIN_SIZE = 100_000


def _opt(argv: list[str], flag: str, value) -> None:
    if value is not None:
        argv += [flag, str(value)]


def _file_opt(argv: list[str], inputs: list[str], flag: str, path: str | None) -> None:
    """``flag path`` on the command line and ``path`` among the task's inputs, when given."""
    if path:
        argv += [flag, path]
        inputs.append(path)


def _threshold_args(opts: RunOptions, *, normal: bool = True) -> list[str]:
    argv: list[str] = []
    _opt(argv, "--min-depth", opts.min_depth)
    _opt(argv, "--min-alt", opts.min_alt)
    _opt(argv, "--min-vaf", opts.min_vaf)
    if normal:
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


def validate_task(sheet: Samplesheet, outdir: str | Path, opts: RunOptions) -> Task:
    out = Path(outdir)
    summary = str(out / "validate" / "inputs.tsv")
    argv = ["validate", "--samplesheet", str(sheet.path)]
    _opt(argv, "--clinical", opts.clinical)
    _opt(argv, "--genome", opts.genome)
    argv += ["--out-summary", summary]
    inputs = [str(sheet.path)] + ([opts.clinical] if opts.clinical else [])
    for _, row in sheet.table.iterrows():
        for column in PATH_COLUMNS:
            inputs += sheet.paths(row, column)
    return Task("VALIDATE", "VALIDATE", argv, sorted(set(inputs)), [summary])


def genome_of(summary_path: str | Path) -> str | None:
    """The one genome build VALIDATE found across the inputs (None when no input shows it)."""
    summary = pd.read_csv(summary_path, sep="\t", dtype=str, keep_default_na=False)
    builds = sorted(set(summary["genome_build"]) - {"", "unknown"})
    return builds[0] if len(builds) == 1 else None


@dataclass
class _CopyNumber:
    """Where a sample's copy number comes from once its tasks have run."""

    task: str
    segments: str
    params: str | None  # estimated purity/ploidy (copy-number, cfdna); None for imported segments


def plan_tasks(sheet: Samplesheet, outdir: str | Path, opts: RunOptions, *, genome: str | None = None) -> list[Task]:
    """All tasks. ``genome``: the build of the inputs (``--genome``, else VALIDATE's finding);
    the copy-number steps need it."""
    out = Path(outdir)
    table = sheet.table
    samplesheet = str(sheet.path)
    genome = opts.genome or genome
    tasks: list[Task] = []

    validate = validate_task(sheet, out, opts)
    validate_out = validate.outputs[0]
    tasks.append(validate)

    # ------------------------------------------------------------------ mutations
    sample_mafs: dict[str, tuple[str, str]] = {}  # sample -> (task id, MAF)
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
        sample_mafs[sample] = (task.id, maf)

    germline: dict[str, tuple[str, str]] = {}  # patient -> (task id, table)
    for patient, (vcf, sample) in sorted(germline_sources(sheet).items()):
        result = str(out / "germline" / f"{patient}.germline.tsv")
        row = table.loc[table["sample"] == sample].iloc[0]
        argv = ["germline", "--patient", patient, "--vcf", vcf, "--sample-name", row["normal_vcf_name"] or sample]
        _opt(argv, "--genes", opts.germline_genes)
        _opt(argv, "--genome", opts.genome)
        argv += ["--out", result]
        tasks.append(Task(f"GERMLINE:{patient}", "GERMLINE", argv, [vcf], [result], ["VALIDATE"]))
        germline[patient] = (f"GERMLINE:{patient}", result)

    cohort_maf = str(out / "merge_mafs" / "cohort.maf")
    argv = ["merge-mafs", "--samplesheet", samplesheet]
    for _, maf in sample_mafs.values():
        argv += ["--maf", maf]
    argv += ["--out", cohort_maf]
    tasks.append(Task("MERGE_MAFS", "MERGE_MAFS", argv, [samplesheet] + [m for _, m in sample_mafs.values()], [cohort_maf],
                      [t for t, _ in sample_mafs.values()]))

    # ------------------------------------------------------------------ copy number
    # sorted by sample: the order of the cohort lists in workflows/metevo.nf too
    copy_number = dict(sorted(_plan_copy_number(sheet, out, opts, genome, tasks).items()))

    hrd: dict[str, tuple[str, str]] = {}
    for sample, cn in copy_number.items():
        result = str(out / "hrd" / f"{sample}.hrd.tsv")
        argv = ["hrd", "--segments", cn.segments, "--genome", str(genome), "--sample", sample, "--out", result]
        tasks.append(Task(f"HRD:{sample}", "HRD", argv, [cn.segments], [result], [cn.task]))
        hrd[sample] = (f"HRD:{sample}", result)

    clonality: dict[str, str] = {}
    purity = dict(zip(table["sample"], table["purity"]))
    ploidy = dict(zip(table["sample"], table["ploidy"]))
    for sample, (maf_task, maf) in sample_mafs.items():
        cn = copy_number.get(sample)
        if cn is None:
            continue
        result = str(out / "clonality" / f"{sample}.clonality.maf")
        argv = ["clonality", "--sample", sample, "--maf", maf, "--segments", cn.segments]
        inputs = [maf, cn.segments]
        if pd.notna(purity[sample]):
            argv += ["--purity", str(purity[sample])]
            if pd.notna(ploidy[sample]):
                argv += ["--ploidy", str(ploidy[sample])]
        elif cn.params:
            argv += ["--params", cn.params]
            inputs.append(cn.params)
        argv += ["--out", result]
        tasks.append(Task(f"CLONALITY:{sample}", "CLONALITY", argv, inputs, [result], [maf_task, cn.task]))
        clonality[sample] = result

    biallelic: list[str] = []
    biallelic_tasks: list[str] = []
    patients = [p for p in pd.unique(table["patient"])]
    for patient in sorted(patients):
        rows = table[(table["patient"] == patient) & table["sample"].isin(list(copy_number))].sort_values("sample")
        if rows.empty:
            continue
        result = str(out / "biallelic" / f"{patient}.biallelic.tsv")
        argv = ["biallelic", "--patient", patient, "--maf", cohort_maf, "--segments"]
        argv += [copy_number[s].segments for s in rows["sample"]]
        inputs = [cohort_maf] + [copy_number[s].segments for s in rows["sample"]]
        deps = ["MERGE_MAFS"] + [copy_number[s].task for s in rows["sample"]]
        if patient in germline:
            argv += ["--germline", germline[patient][1]]
            inputs.append(germline[patient][1])
            deps.append(germline[patient][0])
        _opt(argv, "--genes", opts.germline_genes)
        _opt(argv, "--genome", genome)
        argv += ["--out", result]
        tasks.append(Task(f"BIALLELIC:{patient}", "BIALLELIC", argv, inputs, [result], deps))
        biallelic.append(result)
        biallelic_tasks.append(f"BIALLELIC:{patient}")

    regions_dir = out / "tracked_regions"
    region_outputs = [str(regions_dir / n) for n in ("region_status.tsv", "region_frequency.tsv", "cfdna_timeline.tsv")]
    if copy_number:
        argv = ["tracked-regions", "--samplesheet", samplesheet]
        for sample, cn in copy_number.items():
            argv += ["--segments", f"{sample}={cn.segments}"]
        cfdna_params = [cn.params for cn in copy_number.values() if cn.task.startswith("CFDNA:")]
        for params in cfdna_params:
            argv += ["--cfdna-params", params]
        _opt(argv, "--regions", opts.regions)
        argv += ["--genome", str(genome), "--outdir", str(regions_dir)]
        inputs = [samplesheet] + [cn.segments for cn in copy_number.values()] + cfdna_params + ([opts.regions] if opts.regions else [])
        tasks.append(Task("TRACKED_REGIONS", "TRACKED_REGIONS", argv, inputs, region_outputs,
                          [cn.task for cn in copy_number.values()]))

    # ------------------------------------------------------------------ cohort tables and report
    conc_dir = out / "pair_concordance"
    conc = [str(conc_dir / n) for n in ("pairs.tsv", "burden.tsv", "tests.tsv")]
    argv = ["pair-concordance", "--samplesheet", samplesheet, "--maf", cohort_maf]
    inputs = [samplesheet, cohort_maf]
    deps = ["MERGE_MAFS"]
    for sample, cn in copy_number.items():
        argv += ["--segments", f"{sample}={cn.segments}"]
        inputs.append(cn.segments)
        deps.append(cn.task)
    for task_id, result in hrd.values():
        argv += ["--hrd", result]
        inputs.append(result)
        deps.append(task_id)
    argv += ["--outdir", str(conc_dir)]
    tasks.append(Task("PAIR_CONCORDANCE", "PAIR_CONCORDANCE", argv, inputs, conc, deps))

    # ------------------------------------------------------------------ cohort comparisons
    onco_dir = out / "oncogenic"
    onco = [str(onco_dir / n) for n in ("alterations.tsv", "pathway_status.tsv", "pathway_enrichment.tsv", "pathway_coalteration.tsv")]
    argv = ["oncogenic", "--maf", cohort_maf, "--samplesheet", samplesheet]
    inputs = [cohort_maf, samplesheet]
    _file_opt(argv, inputs, "--clinical", opts.clinical)
    deps = ["MERGE_MAFS"]
    from_segments = False
    for sample, cn in copy_number.items():
        if cn.task.startswith("COPY_NUMBER:"):
            genes = cn.segments.removesuffix(".segments.tsv") + ".genes.tsv"
            argv += ["--cn-genes", f"{sample}={genes}"]
            inputs.append(genes)
        else:  # cfDNA and imported segments: genes take the status of their segment
            argv += ["--cn-segments", f"{sample}={cn.segments}"]
            inputs.append(cn.segments)
            from_segments = True
        deps.append(cn.task)
    if from_segments:
        argv += ["--genome", str(genome)]
    argv += ["--outdir", str(onco_dir)]
    tasks.append(Task("ONCOGENIC", "ONCOGENIC", argv, inputs, onco, deps))

    assoc_dir = out / "associations"
    assoc = [str(assoc_dir / n) for n in ("interactions.tsv", "clinical_associations.tsv", "continuous_by_group.tsv")]
    argv = ["associations", "--alterations", onco[0], "--samplesheet", samplesheet]
    inputs = [onco[0], samplesheet]
    _file_opt(argv, inputs, "--clinical", opts.clinical)
    for _, result in hrd.values():
        argv += ["--features", result]
        inputs.append(result)
    argv += ["--outdir", str(assoc_dir)]
    tasks.append(Task("ASSOCIATIONS", "ASSOCIATIONS", argv, inputs, assoc, ["ONCOGENIC", *(t for t, _ in hrd.values())]))

    enrich_dir = out / "enrichment"
    enrich = [str(enrich_dir / n) for n in ("paired.tsv", "unpaired.tsv", "enriched.tsv", "summary.tsv")]
    argv = ["enrichment", "--maf", cohort_maf, "--samplesheet", samplesheet]
    inputs = [cohort_maf, samplesheet]
    _file_opt(argv, inputs, "--clinical", opts.clinical)
    for flag, value in (("--external-maf", opts.external_maf), ("--external-samples", opts.external_samples),
                        ("--external-clinical", opts.external_clinical)):
        _file_opt(argv, inputs, flag, value)
    if opts.external_maf:
        enrich += [str(enrich_dir / n) for n in ("external.tsv", "external_by_subtype.tsv")]
    argv += _threshold_args(opts, normal=False)
    argv += ["--outdir", str(enrich_dir)]
    tasks.append(Task("ENRICHMENT", "ENRICHMENT", argv, inputs, enrich, ["MERGE_MAFS"]))

    if opts.clinical:  # outcomes are in the clinical table
        outcome_dir = out / "outcome"
        outcome = [str(outcome_dir / n) for n in ("outcome.tsv", "ph_test.tsv", "summary.tsv")]
        argv = ["outcome", "--clinical", opts.clinical, "--samplesheet", samplesheet, "--alterations", onco[0],
                "--pathway-status", onco[1], "--enriched", enrich[2]]
        inputs = [opts.clinical, samplesheet, onco[0], onco[1], enrich[2]]
        for flag, value in (("--external-maf", opts.external_maf), ("--external-samples", opts.external_samples),
                            ("--external-clinical", opts.external_clinical)):
            _file_opt(argv, inputs, flag, value)
        if opts.external_maf:
            outcome.append(str(outcome_dir / "external_outcome.tsv"))
        argv += ["--outdir", str(outcome_dir)]
        tasks.append(Task("OUTCOME", "OUTCOME", argv, inputs, outcome, ["ONCOGENIC", "ENRICHMENT"]))

    report = str(out / "report.html")
    argv = ["report", "--samplesheet", samplesheet, "--inputs", validate_out, "--maf", cohort_maf]
    inputs = [samplesheet, validate_out, cohort_maf]
    for _, g in germline.values():
        argv += ["--germline", g]
    argv += ["--pairs", conc[0], "--burden", conc[1], "--tests", conc[2]]
    inputs += [g for _, g in germline.values()] + conc
    for sample, cn in copy_number.items():
        argv += ["--segments", f"{sample}={cn.segments}"]
        inputs.append(cn.segments)
        if cn.params:
            argv += ["--cn-params", f"{sample}={cn.params}"]
            inputs.append(cn.params)
    for _, result in hrd.values():
        argv += ["--hrd", result]
        inputs.append(result)
    for result in clonality.values():
        argv += ["--clonality", result]
        inputs.append(result)
    for result in biallelic:
        argv += ["--biallelic", result]
        inputs.append(result)
    if copy_number:
        argv += ["--regions-dir", str(regions_dir)]
        inputs += region_outputs
    argv += ["--oncogenic", str(onco_dir), "--associations", str(assoc_dir), "--enrichment", str(enrich_dir)]
    inputs += onco + assoc + enrich
    if opts.clinical:
        argv += ["--outcome", str(outcome_dir)]
        inputs += outcome
    argv += ["--out", report]
    deps = ["VALIDATE", "MERGE_MAFS", "PAIR_CONCORDANCE", *(t for t, _ in germline.values()),
            *(cn.task for cn in copy_number.values()), *(t for t, _ in hrd.values()),
            *(f"CLONALITY:{s}" for s in clonality), *biallelic_tasks] + (["TRACKED_REGIONS"] if copy_number else []) \
        + ["ONCOGENIC", "ASSOCIATIONS", "ENRICHMENT"] + (["OUTCOME"] if opts.clinical else [])
    tasks.append(Task("REPORT", "REPORT", argv, inputs, [report], deps))

    _check_against_pipeline(tasks)
    return tasks


def _plan_copy_number(sheet: Samplesheet, out: Path, opts: RunOptions, genome: str | None, tasks: list[Task]) -> dict[str, _CopyNumber]:
    """BIN_ANNOTATION, BIN_COUNTS, COPY_NUMBER, CFDNA and IMPORT_SEGMENTS tasks; returns each
    sample's copy-number source."""
    table = sheet.table
    sources: dict[str, _CopyNumber] = {}
    has = {c: table[c] != "" for c in ("bam", "bins", "wig", "segments")}
    if not any(mask.any() for mask in has.values()):
        return sources
    if genome is None:
        raise ConfigError("copy-number inputs need the genome build and no input shows it; pass --genome hg19 or hg38")

    annotation = opts.bin_annotation
    annotation_task: str | None = None
    if has["bam"].any() and annotation is None:
        if opts.fasta is None:
            first = table[has["bam"]].iloc[0]
            raise ConfigError(
                f"sample '{first['sample']}' has a BAM: give a bin annotation (--bin-annotation, QDNAseq columns) "
                "or a reference FASTA (--fasta) to build one"
            )
        annotation = str(out / "bin_annotation" / "bins.annotation.tsv")
        argv = ["bin-annotation", "--fasta", opts.fasta, "--bin-size", str(opts.bin_size or DEFAULT_BIN_SIZE), "--genome", genome]
        inputs = [opts.fasta]
        _file_opt(argv, inputs, "--mappability", opts.mappability)
        _file_opt(argv, inputs, "--blacklist", opts.blacklist)
        argv += ["--out", annotation]
        tasks.append(Task("BIN_ANNOTATION", "BIN_ANNOTATION", argv, inputs, [annotation], ["VALIDATE"]))
        annotation_task = "BIN_ANNOTATION"
    annotation_deps = [annotation_task] if annotation_task else []
    annotation_inputs = [annotation] if annotation else []

    if has["wig"].any() and not (opts.cfdna_gc and opts.cfdna_map):
        first = table[has["wig"]].iloc[0]
        raise ConfigError(
            f"sample '{first['sample']}' has a read-count WIG: give the GC and mappability WIGs of its bins "
            "(--cfdna-gc, --cfdna-map; HMMcopy/ichorCNA format)"
        )

    for _, row in table.iterrows():
        sample = row["sample"]
        purity, ploidy = row["purity"], row["ploidy"]
        if row["bam"] or row["bins"]:
            prefix = out / "copy_number" / sample
            deps = ["VALIDATE"] + annotation_deps
            if row["bam"]:
                bam = sheet.paths(row, "bam")[0]
                counts = str(out / "bin_counts" / f"{sample}.counts.tsv")
                argv = ["bin-counts", "--bam", bam, "--sample", sample, "--annotation", annotation, "--out", counts]
                tasks.append(Task(f"BIN_COUNTS:{sample}", "BIN_COUNTS", argv, [bam, *annotation_inputs], [counts], ["VALIDATE", *annotation_deps]))
                deps = annotation_deps + [f"BIN_COUNTS:{sample}"]
            else:
                counts = sheet.paths(row, "bins")[0]
            argv = ["copy-number", "--sample", sample, "--bins", counts, "--genome", genome]
            inputs = [counts]
            if annotation and row["bam"]:
                argv += ["--annotation", annotation]
                inputs.append(annotation)
            if pd.notna(purity):
                argv += ["--purity", str(purity)]
                if pd.notna(ploidy):
                    argv += ["--ploidy", str(ploidy)]
            argv += ["--out-prefix", str(prefix)]
            outputs = [f"{prefix}.{s}" for s in ("bins.tsv", "seg", "segments.tsv", "genes.tsv", "params.tsv")]
            tasks.append(Task(f"COPY_NUMBER:{sample}", "COPY_NUMBER", argv, inputs, outputs, deps if row["bam"] else ["VALIDATE"]))
            sources[sample] = _CopyNumber(f"COPY_NUMBER:{sample}", f"{prefix}.segments.tsv", f"{prefix}.params.tsv")
        elif row["wig"]:
            prefix = out / "cfdna" / sample
            wig = sheet.paths(row, "wig")[0]
            argv = ["cfdna", "--wig", wig, "--gc", opts.cfdna_gc, "--map", opts.cfdna_map]
            inputs = [wig, opts.cfdna_gc, opts.cfdna_map]
            _file_opt(argv, inputs, "--pon", opts.cfdna_pon)
            argv += ["--genome", genome, "--sample", sample, "--out-prefix", str(prefix)]
            outputs = [f"{prefix}.{s}" for s in ("params.tsv", "restarts.tsv", "segments.tsv", "bins.tsv", "profile.svg")]
            tasks.append(Task(f"CFDNA:{sample}", "CFDNA", argv, inputs, outputs, ["VALIDATE"]))
            sources[sample] = _CopyNumber(f"CFDNA:{sample}", f"{prefix}.segments.tsv", f"{prefix}.params.tsv")
        elif row["segments"]:
            source = sheet.paths(row, "segments")[0]
            result = str(out / "import_segments" / f"{sample}.segments.tsv")
            argv = ["import-segments", "--sample", sample, "--segments", source]
            if row["segments_format"] and row["segments_format"] != "auto":
                argv += ["--format", row["segments_format"]]
            argv += ["--genome", genome, "--out", result]
            tasks.append(Task(f"IMPORT_SEGMENTS:{sample}", "IMPORT_SEGMENTS", argv, [source], [result], ["VALIDATE"]))
            sources[sample] = _CopyNumber(f"IMPORT_SEGMENTS:{sample}", result, None)
    return sources


def _check_against_pipeline(tasks: list[Task]) -> None:
    """Every task waits only for tasks of the steps its step is declared to follow."""
    process_of = {t.id: t.process for t in tasks}
    for t in tasks:
        allowed = set(STEP_BY_PROCESS[t.process].after)
        for dep in t.deps:
            if dep not in process_of:
                raise RuntimeError(f"task {t.id} waits for {dep}, which is not planned")
            if process_of[dep] not in allowed:
                raise RuntimeError(f"task {t.id} waits for {dep}, but {t.process} does not follow {process_of[dep]}")
