"""Process contracts: each module's ``script:`` and ``stub:`` block, rendered by Groovy (the
language server's runtime) with real staged inputs and the ext.args/ext.prefix of
conf/modules.config, run with bash in a task folder with bin/ on PATH.

Checked: every declared output pattern captures a file, the files are the results layout's
names, versions.yml names the process and metevo's version; for ``script:`` the outputs equal
(byte for byte) what `metevo run` writes for the same task, the run uses only the packages of
the module's container image, and publishDir puts each file where `metevo run` does.
"""

from __future__ import annotations

import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
import yaml

import metevo
from metevo.cli import build_parser
from nf_cohort import Cohort
from nf_harness import Pipeline, module_family, task_env

pytestmark = pytest.mark.nextflow_ls


@dataclass
class Contract:
    inputs: Callable[[Cohort, Callable[[str], Path]], dict]  # (cohort, upstream output by name) -> input values
    outputs: list[str]  # the files the task must write (docs/architecture.md, results layout)
    task: str  # the same task in `metevo run` (metevo.runner.plan task id)
    cohort: str = "cohort"  # the fixture: the mutation cohort, or "cn_cohort" (copy number)
    stub_outputs: list[str] | None = None  # what the stub writes, when not every output (optional ones)


def _validated(up) -> Path:
    return up("validate/inputs.tsv")


NO_COPY_NUMBER = {"cn_samples": [], "segments": [], "param_samples": [], "cn_params": [], "hrd": [], "clonality": [],
                  "biallelic": [], "regions": []}


def _cohort_steps(up) -> dict:
    """REPORT's inputs from the cohort steps (every file of each, sorted by name)."""
    return {
        "oncogenic": [up(f"oncogenic/{n}") for n in ("alterations.tsv", "pathway_coalteration.tsv", "pathway_enrichment.tsv", "pathway_status.tsv")],
        "associations": [up(f"associations/{n}") for n in ("clinical_associations.tsv", "continuous_by_group.tsv", "interactions.tsv")],
        "enrichment": [up(f"enrichment/{n}") for n in ("enriched.tsv", "paired.tsv", "summary.tsv", "unpaired.tsv")],
        "outcome": [up(f"outcome/{n}") for n in ("forest_os.svg", "km_os_MAPK-altered.svg", "outcome.tsv", "ph_test.tsv", "summary.tsv")],
    }


def _cn_meta(c, kind: str) -> dict:
    """The meta map the workflow gives a copy-number sample's tasks (samplesheet meta + genome)."""
    row = next(r for _, r in c.sheet.table.iterrows() if r["sample"] == c.names[kind])
    meta = {"id": row["sample"], "patient": row["patient"], "sample_type": row["sample_type"], "genome": "hg38"}
    for key in ("purity", "ploidy"):
        if row[key] == row[key] and row[key] is not None and row[key] != "":
            meta[key] = float(row[key])
    return meta


CN_CONTRACTS: dict[str, Contract] = {
    "BIN_ANNOTATION": Contract(
        lambda c, up: {"meta": {"id": "bins", "genome": "hg38"}, "reference": [c.fasta], "mappability": [], "blacklist": []},
        ["bins.annotation.tsv"],
        "BIN_ANNOTATION",
        "cn_cohort",
    ),
    "BIN_COUNTS": Contract(
        lambda c, up: {
            "meta": _cn_meta(c, "primary"),
            "bam": c.root / "bam" / f"{c.names['primary']}.bam",
            "bam_index": [c.root / "bam" / f"{c.names['primary']}.bam.bai"],
            "annotation": up("bin_annotation/bins.annotation.tsv"),
            "validated": _validated(up),
        },
        ["{primary}.counts.tsv"],
        "BIN_COUNTS:{primary}",
        "cn_cohort",
    ),
    "COPY_NUMBER": Contract(
        lambda c, up: {
            "meta": _cn_meta(c, "primary"),
            "bins": up(f"bin_counts/{c.names['primary']}.counts.tsv"),
            "annotation": [up("bin_annotation/bins.annotation.tsv")],
        },
        [f"{{primary}}.{s}" for s in ("bins.tsv", "seg", "segments.tsv", "genes.tsv", "params.tsv")],
        "COPY_NUMBER:{primary}",
        "cn_cohort",
    ),
    "CFDNA": Contract(
        lambda c, up: {
            "meta": _cn_meta(c, "cfdna"),
            "wig": next((c.root / "cfdna").glob(f"{c.names['cfdna']}.wig")),
            "gc_wig": c.root / "cfdna" / "gc_1000kb.wig",
            "map_wig": c.root / "cfdna" / "map_1000kb.wig",
            "pon": [c.root / "cfdna" / "pon_1000kb.tsv"],
        },
        [f"{{cfdna}}.{s}" for s in ("params.tsv", "restarts.tsv", "segments.tsv", "bins.tsv", "profile.svg")],
        "CFDNA:{cfdna}",
        "cn_cohort",
    ),
    "IMPORT_SEGMENTS": Contract(
        lambda c, up: {
            "meta": {**_cn_meta(c, "metastasis"), "segments_format": ""},
            "segments": next((c.root / "cn").iterdir()),
        },
        ["{metastasis}.segments.tsv"],
        "IMPORT_SEGMENTS:{metastasis}",
        "cn_cohort",
    ),
    "HRD": Contract(
        lambda c, up: {"meta": _cn_meta(c, "primary"), "segments": up(f"copy_number/{c.names['primary']}.segments.tsv")},
        ["{primary}.hrd.tsv"],
        "HRD:{primary}",
        "cn_cohort",
    ),
    "CLONALITY": Contract(
        lambda c, up: {
            "meta": _cn_meta(c, "primary"),
            "maf": up(f"import_maf/{c.names['primary']}.maf"),
            "segments": up(f"copy_number/{c.names['primary']}.segments.tsv"),
            "cn_params": [up(f"copy_number/{c.names['primary']}.params.tsv")],
        },
        ["{primary}.clonality.maf"],
        "CLONALITY:{primary}",
        "cn_cohort",
    ),
    "BIALLELIC": Contract(
        lambda c, up: {
            "meta": {"id": c.patient, "genome": "hg38"},
            "maf": up("merge_mafs/cohort.maf"),
            "segments": [up(name) for _, name in sorted(_cn_segments(c).items())],
            "germline": [up(f"germline/{c.patient}.germline.tsv")],
        },
        ["{patient}.biallelic.tsv"],
        "BIALLELIC:{patient}",
        "cn_cohort",
    ),
    "TRACKED_REGIONS": Contract(
        lambda c, up: {
            "meta": {"id": "cohort", "genome": "hg38"},
            "samplesheet": c.samplesheet,
            "samples": sorted(_cn_segments(c)),
            "segments": [up(name) for _, name in sorted(_cn_segments(c).items())],
            "cfdna_params": [up(f"cfdna/{c.names['cfdna']}.params.tsv")],
            "regions": [],
        },
        ["region_status.tsv", "region_frequency.tsv", "cfdna_timeline.tsv"],
        "TRACKED_REGIONS",
        "cn_cohort",
    ),
}


def _cn_segments(c) -> dict[str, str]:
    """sample -> its segments table, relative to the results folder."""
    n = c.names
    return {n["primary"]: f"copy_number/{n['primary']}.segments.tsv", n["metastasis"]: f"import_segments/{n['metastasis']}.segments.tsv",
            n["cfdna"]: f"cfdna/{n['cfdna']}.segments.tsv"}


def _named(contract: Contract, c) -> tuple[list[str], str]:
    """The contract's outputs and task id with the cohort's sample names filled in."""
    names = {**getattr(c, "names", {}), "patient": getattr(c, "patient", "")}
    return [o.format(**names) for o in contract.outputs], contract.task.format(**names)


CONTRACTS: dict[str, Contract] = {
    "VALIDATE": Contract(
        lambda c, up: {
            "meta": {"id": "cohort"},
            "samplesheet": c.samplesheet,
            "clinical": c.clinical,
            "file_keys": [[str(path), *texts] for texts, path in c.data_files()],
            "inputs": [path for _, path in c.data_files()],
            "indexes": [],
        },
        ["inputs.tsv"],
        "VALIDATE",
    ),
    "ENSEMBLE_CALLS": Contract(
        lambda c, up: {
            "meta": {"id": "P1-T", "patient": "P1", "sample_type": "primary", "tumor_vcf_name": "TUMOR", "normal_vcf_name": "NORMAL"},
            "callers": [caller for caller, _ in c.vcfs("P1-T")],
            "vcfs": [path for _, path in c.vcfs("P1-T")],
            "validated": _validated(up),
            "reference": [c.fasta],
        },
        ["P1-T.maf", "P1-T.callers.tsv"],
        "ENSEMBLE_CALLS:P1-T",
    ),
    "IMPORT_MAF": Contract(
        lambda c, up: {
            "meta": {"id": "P2-T", "patient": "P2", "sample_type": "primary", "maf_sample": "P2-T"},
            "maf": c.root / "maf" / "P2.maf",
            "validated": _validated(up),
        },
        ["P2-T.maf"],
        "IMPORT_MAF:P2-T",
    ),
    "GERMLINE": Contract(
        lambda c, up: {
            "meta": {"id": "P1", "vcf_sample": "P1-N"},
            "vcf": c.root / "germline" / "P1.vcf",
            "validated": _validated(up),
        },
        ["P1.germline.tsv"],
        "GERMLINE:P1",
    ),
    "MERGE_MAFS": Contract(
        lambda c, up: {
            "meta": {"id": "cohort"},
            "samplesheet": c.samplesheet,
            # sorted by file name, as the workflow sorts them
            "mafs": [up(f"{d}/{s}.maf") for d, s in sorted(
                [("ensemble_calls", "P1-M"), ("ensemble_calls", "P1-T"), ("import_maf", "P2-M"), ("import_maf", "P2-T")],
                key=lambda item: item[1],
            )],
        },
        ["cohort.maf"],
        "MERGE_MAFS",
    ),
    "PAIR_CONCORDANCE": Contract(
        lambda c, up: {"meta": {"id": "cohort"}, "samplesheet": c.samplesheet, "maf": up("merge_mafs/cohort.maf"),
                       "cn_samples": [], "segments": [], "hrd": []},
        ["pairs.tsv", "burden.tsv", "tests.tsv"],
        "PAIR_CONCORDANCE",
    ),
    "REPORT": Contract(
        lambda c, up: {
            "meta": {"id": "cohort"},
            "samplesheet": c.samplesheet,
            "summary": up("validate/inputs.tsv"),
            "maf": up("merge_mafs/cohort.maf"),
            "germline": [up("germline/P1.germline.tsv")],
            "pairs": up("pair_concordance/pairs.tsv"),
            "burden": up("pair_concordance/burden.tsv"),
            "tests": up("pair_concordance/tests.tsv"),
            **NO_COPY_NUMBER,
            **_cohort_steps(up),
        },
        ["report.html"],
        "REPORT",
    ),
    **CN_CONTRACTS,
    "ONCOGENIC": Contract(
        lambda c, up: {"meta": {"id": "cohort"}, "samplesheet": c.samplesheet, "maf": up("merge_mafs/cohort.maf"),
                       "clinical": [c.clinical], "cn_samples": [c.names["primary"]], "cn_genes": [up(f"copy_number/{c.names['primary']}.genes.tsv")],
                       "seg_samples": sorted(s for s in _cn_segments(c) if s != c.names["primary"]),
                       "cn_segments": [up(_cn_segments(c)[s]) for s in sorted(s for s in _cn_segments(c) if s != c.names["primary"])],
                       "genome": c.genome},
        ["alterations.tsv", "pathway_status.tsv", "pathway_enrichment.tsv", "pathway_coalteration.tsv"],
        "ONCOGENIC",
        "cn_cohort",
    ),
    "ENRICHMENT": Contract(
        lambda c, up: {"meta": {"id": "cohort"}, "samplesheet": c.samplesheet, "maf": up("merge_mafs/cohort.maf"),
                       "clinical": [c.clinical], "external_maf": [], "external_samples": [], "external_clinical": []},
        ["paired.tsv", "unpaired.tsv", "enriched.tsv", "summary.tsv"],
        "ENRICHMENT",
    ),
    "OUTCOME": Contract(
        lambda c, up: {"meta": {"id": "cohort"}, "samplesheet": c.samplesheet, "clinical": c.clinical,
                       "alterations": up("oncogenic/alterations.tsv"), "pathway_status": up("oncogenic/pathway_status.tsv"),
                       "enriched": up("enrichment/enriched.tsv"), "external_maf": [], "external_samples": [], "external_clinical": []},
        # the figures of the most significant feature (MAPK-altered here) per endpoint (OS only)
        ["outcome.tsv", "ph_test.tsv", "summary.tsv", "km_os_MAPK-altered.svg", "forest_os.svg"],
        "OUTCOME",
        stub_outputs=["outcome.tsv", "ph_test.tsv", "summary.tsv"],
    ),
    "ASSOCIATIONS": Contract(
        lambda c, up: {"meta": {"id": "cohort"}, "samplesheet": c.samplesheet, "alterations": up("oncogenic/alterations.tsv"),
                       "clinical": [c.clinical],
                       "features": [up(f"hrd/{s}.hrd.tsv") for s in sorted(_cn_segments(c))]},
        ["interactions.tsv", "clinical_associations.tsv", "continuous_by_group.tsv"],
        "ASSOCIATIONS",
        "cn_cohort",
    ),
}


@pytest.fixture(scope="module")
def pipeline(nfls) -> Pipeline:
    return Pipeline(nfls)


def _upstream_real(cohort: Cohort) -> Callable[[str], Path]:
    """A results file of `metevo run` on the cohort, made by running its task (and upstream)."""
    by_output = {Path(out).relative_to(cohort.results).as_posix(): task_id for task_id, t in cohort.tasks.items() for out in t.outputs}

    def get(name: str) -> Path:
        if name not in by_output:  # a file a task writes beside its planned outputs (OUTCOME's figures)
            folder = Path(name).parent
            by_output[name] = next(task for out, task in by_output.items() if Path(out).parent == folder)
        cohort.result(by_output[name])
        assert (cohort.results / name).is_file(), f"`metevo run` wrote no {name}"
        return cohort.results / name

    return get


def _upstream_placeholder(folder: Path) -> Callable[[str], Path]:
    """Empty stand-ins with the results' names: a stub never reads its inputs."""

    def get(name: str) -> Path:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
        return path

    return get


def _run(pipeline: Pipeline, process: str, block: str, values: dict, workdir: Path):
    script, binding, staged = pipeline.render(process, block, values, workdir)
    (workdir / ".command.sh").write_text(script)
    done = subprocess.run(
        [*pipeline.shell(), ".command.sh"],
        cwd=workdir, env=task_env(module_family(process)), capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, f"{process} {block} failed ({done.returncode}):\n{done.stderr[-3000:]}\n--- .command.sh ---\n{script}"
    return script, binding, staged


def _check_outputs(pipeline: Pipeline, process: str, binding: dict, workdir: Path, staged: set, outputs: list[str]):
    captured = pipeline.output_files(process, binding, workdir, staged)
    empty = [pattern for pattern, files in captured.items() if not files]
    assert not empty, f"{process}: declared outputs matched nothing: {empty}; task folder has {sorted(p.name for p in workdir.iterdir())}"
    produced = {p.name for files in captured.values() for p in files}
    assert set(outputs) | {"versions.yml"} == produced
    versions = yaml.safe_load((workdir / "versions.yml").read_text())
    assert versions == {f"METEVO:{process}": {"metevo": metevo.__version__}}


@pytest.mark.parametrize("process", sorted(CONTRACTS))
def test_stub(pipeline, process, request, tmp_path):
    contract = CONTRACTS[process]
    cohort = request.getfixturevalue(contract.cohort)
    outputs, _ = _named(contract, cohort)
    outputs = contract.stub_outputs or outputs
    values = contract.inputs(cohort, _upstream_placeholder(tmp_path / "upstream"))
    workdir = tmp_path / "task"
    workdir.mkdir()
    _, binding, staged = _run(pipeline, process, "stub", values, workdir)
    _check_outputs(pipeline, process, binding, workdir, staged, outputs)


@pytest.mark.parametrize("process", sorted(CONTRACTS))
def test_script(pipeline, process, request, tmp_path):
    contract = CONTRACTS[process]
    cohort = request.getfixturevalue(contract.cohort)
    outputs, task_id = _named(contract, cohort)
    values = contract.inputs(cohort, _upstream_real(cohort))
    workdir = tmp_path / "task"
    workdir.mkdir()
    _, binding, staged = _run(pipeline, process, "script", values, workdir)
    _check_outputs(pipeline, process, binding, workdir, staged, outputs)

    # The same task in `metevo run` writes the same tables (the HTML report names its inputs);
    # files a step writes beside its planned outputs (OUTCOME's figures) are compared too.
    planned = [Path(p) for p in cohort.result(task_id)]
    reference = {p.name: p for p in planned} | {name: planned[0].parent / name for name in outputs}
    for name in outputs:
        if not name.endswith(".html"):
            assert (workdir / name).read_bytes() == reference[name].read_bytes(), f"{name} differs from `metevo run`'s"
        assert (workdir / name).stat().st_size > 0

    # publishDir puts each output where `metevo run` does; versions.yml stays in the work folder.
    params = pipeline.params({"outdir": "results"})
    published = _published(pipeline, process, binding, params, [*outputs, "versions.yml"])
    expected = {Path(p).relative_to(cohort.results).as_posix() for p in cohort.tasks[task_id].outputs}
    expected |= {(planned[0].parent / name).relative_to(cohort.results).as_posix() for name in outputs}
    assert published.pop("versions.yml") is None
    assert {f"{v}".removeprefix("results/") for v in published.values()} == expected


def _published(pipeline: Pipeline, process: str, binding: dict, params: dict, names: list[str]) -> dict:
    """Where publishDir (path + saveAs) puts each file name; None when not published."""
    entry = None
    for candidate in pipeline.process_entries(process):
        if candidate["names"] == ["publishDir"]:
            entry = candidate
    assert entry and "source" in entry, f"{process}: publishDir is not a map"
    code = (
        f"def __publish = ({entry['source']})\n"
        "def __path = (__publish.path instanceof Closure) ? __publish.path.call() : __publish.path\n"
        "__names.collectEntries { n ->\n"
        "    def saved = __publish.saveAs ? __publish.saveAs.call(n) : n\n"
        "    [(n): saved == null ? null : \"${__path}/${saved}\".toString()]\n"
        "}"
    )
    return pipeline.ls.eval(code, {**binding, "params": params, "__names": names})


# Parameters set to values other than their defaults, to see them reach the command lines.
CUSTOM_PARAMS = {
    "genome": "hg38", "min_callers": 3, "min_depth": 12, "min_alt": 4, "min_vaf": 0.07,
    "max_normal_vaf": 0.01, "min_normal_depth": 8, "germline_genes": "BRCA1,PALB2", "bin_size": 50000,
}
ARG_DESTS = {
    "VALIDATE": {"genome": "genome"},
    "ENSEMBLE_CALLS": {"genome": "genome", "min_callers": "min_callers", "min_depth": "min_depth", "min_alt": "min_alt",
                       "min_vaf": "min_vaf", "max_normal_vaf": "max_normal_vaf", "min_normal_depth": "min_normal_depth"},
    "IMPORT_MAF": {"min_depth": "min_depth", "min_alt": "min_alt", "min_vaf": "min_vaf",
                   "max_normal_vaf": "max_normal_vaf", "min_normal_depth": "min_normal_depth"},
    "GERMLINE": {"genome": "genome", "germline_genes": "genes"},
    "MERGE_MAFS": {},
    "PAIR_CONCORDANCE": {},
    "REPORT": {},
    "BIN_ANNOTATION": {"bin_size": "bin_size"},
    "BIN_COUNTS": {}, "COPY_NUMBER": {}, "CFDNA": {}, "IMPORT_SEGMENTS": {}, "HRD": {}, "CLONALITY": {}, "TRACKED_REGIONS": {},
    "BIALLELIC": {"germline_genes": "genes"},
    "ONCOGENIC": {}, "ASSOCIATIONS": {},
    "ENRICHMENT": {"min_depth": "min_depth", "min_alt": "min_alt", "min_vaf": "min_vaf"},
    "OUTCOME": {},
}


@pytest.mark.parametrize("process", sorted(ARG_DESTS))
def test_ext_args_carry_the_parameters(pipeline, process):
    """ext.args, rendered with non-default params, parse with the step's own parser to them."""
    from metevo.pipeline import STEP_BY_PROCESS

    command = STEP_BY_PROCESS[process].command
    params = pipeline.params(CUSTOM_PARAMS)
    meta = {"id": "S1", "patient": "P1"}
    task = pipeline.task_map(process, params, {"meta": meta})
    args = shlex.split(task["ext"].get("args") or "")
    parser = build_parser(only=command)
    sub = next(a for a in parser._actions if a.dest == "command").choices[command]
    required = []
    for action in sub._actions:
        if action.required:
            required += [action.option_strings[0], action.choices[0] if action.choices else "x"]
    for group in sub._mutually_exclusive_groups:  # one option of a required group
        if group.required:
            required += [group._group_actions[0].option_strings[0], "x"]
    parsed = vars(parser.parse_args([command, *required, *args]))
    for param, dest in ARG_DESTS[process].items():
        assert parsed[dest] == CUSTOM_PARAMS[param], f"params.{param} does not reach `metevo {command}` --{dest}"
    assert set(ARG_DESTS) == set(CONTRACTS)


@pytest.mark.parametrize("block", ["stub", "script"])
def test_report_without_germline_tables(pipeline, cohort, tmp_path, block):
    """No patient has a germline VCF: GERMLINE ran zero times and REPORT gets [] (nf-core way)."""
    contract = CONTRACTS["REPORT"]
    up = _upstream_real(cohort) if block == "script" else _upstream_placeholder(tmp_path / "upstream")
    values = {**contract.inputs(cohort, up), "germline": []}
    workdir = tmp_path / "task"
    workdir.mkdir()
    script, binding, staged = _run(pipeline, "REPORT", block, values, workdir)
    assert "--germline" not in script
    _check_outputs(pipeline, "REPORT", binding, workdir, staged, contract.outputs)


@pytest.mark.parametrize("block", ["stub", "script"])
def test_enrichment_with_an_external_cohort(pipeline, cn_cohort, tmp_path, block):
    """--external_maf/_samples/_clinical staged: external.tsv and external_by_subtype.tsv too,
    equal to `metevo run`'s with the same external cohort."""
    c = cn_cohort
    up = _upstream_real(c) if block == "script" else _upstream_placeholder(tmp_path / "upstream")
    external = c.root / "sim" / "external"
    values = {"meta": {"id": "cohort"}, "samplesheet": c.samplesheet, "maf": up("merge_mafs/cohort.maf"), "clinical": [c.clinical],
              "external_maf": [external / "primary.maf"], "external_samples": [external / "samples.txt"],
              "external_clinical": [external / "clinical.tsv"]}
    workdir = tmp_path / "task"
    workdir.mkdir()
    script, binding, staged = _run(pipeline, "ENRICHMENT", block, values, workdir)
    if block == "script":
        assert "--external-maf external/maf/primary.maf" in script and "--external-clinical external/clinical/clinical.tsv" in script
    outputs = ["paired.tsv", "unpaired.tsv", "enriched.tsv", "summary.tsv", "external.tsv", "external_by_subtype.tsv"]
    _check_outputs(pipeline, "ENRICHMENT", binding, workdir, staged, outputs)
    if block == "script":
        reference = {Path(p).name: Path(p) for p in c.result("ENRICHMENT")}
        assert set(reference) == set(outputs)
        for name in outputs:
            assert (workdir / name).read_bytes() == reference[name].read_bytes(), f"{name} differs from `metevo run`'s"
