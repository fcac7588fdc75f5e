"""Nextflow's parameters agree with the step command lines (and so with `metevo run`), with
nextflow_schema.json, and the workflow reads samplesheetToList rows in the schema's order."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from metevo.cli import build_parser
from nf_harness import REPO

# Nextflow parameter -> the (command, argparse dest) it sets; the modules pass it there.
PARAM_OPTIONS = {
    "clinical": [("validate", "clinical")],
    "genome": [("validate", "genome"), ("ensemble-calls", "genome"), ("germline", "genome"), ("bin-annotation", "genome"),
               ("copy-number", "genome"), ("cfdna", "genome"), ("import-segments", "genome"), ("hrd", "genome"),
               ("biallelic", "genome"), ("tracked-regions", "genome")],
    "fasta": [("ensemble-calls", "fasta")],
    "min_callers": [("ensemble-calls", "min_callers")],
    "min_depth": [("ensemble-calls", "min_depth"), ("import-maf", "min_depth"), ("enrichment", "min_depth")],
    "min_alt": [("ensemble-calls", "min_alt"), ("import-maf", "min_alt"), ("enrichment", "min_alt")],
    "min_vaf": [("ensemble-calls", "min_vaf"), ("import-maf", "min_vaf"), ("enrichment", "min_vaf")],
    "max_normal_vaf": [("ensemble-calls", "max_normal_vaf"), ("import-maf", "max_normal_vaf")],
    "min_normal_depth": [("ensemble-calls", "min_normal_depth"), ("import-maf", "min_normal_depth")],
    "germline_genes": [("germline", "genes"), ("biallelic", "genes")],
    "bin_annotation": [("bin-counts", "annotation"), ("copy-number", "annotation")],
    "bin_size": [("bin-annotation", "bin_size")],
    "mappability": [("bin-annotation", "mappability")],
    "blacklist": [("bin-annotation", "blacklist")],
    "cfdna_gc": [("cfdna", "gc")],
    "cfdna_map": [("cfdna", "map")],
    "cfdna_pon": [("cfdna", "pon")],
    "regions": [("tracked-regions", "regions")],
    "external_maf": [("enrichment", "external_maf")],
    "external_samples": [("enrichment", "external_samples")],
    "external_clinical": [("enrichment", "external_clinical")],
}
# Step options spelled like a parameter that the parameter does not set (the modules do not pass it).
UNRELATED_OPTIONS = {
    ("bin-counts", "bin_size"),  # fixed-width bins without an annotation; the pipeline always gives one
}
# Parameters of the Nextflow run itself, not of any step.
RUN_PARAMS = {"input", "outdir", "publish_dir_mode", "slurm_queue", "awsbatch_queue", "aws_region", "aws_workdir", "aws_cli_path"}

_LITERAL = re.compile(r"""^(?P<name>\w+)\s*=\s*(?P<value>null|true|false|-?\d+|-?\d*\.\d+|'[^'$]*'|"[^"$]*")\s*(?://.*)?$""")


def nextflow_params(path: Path = REPO / "nextflow.config") -> dict:
    """The params block of nextflow.config; only literal values are allowed there."""
    text = path.read_text(encoding="utf-8")
    m = re.search(r"^params\s*\{\n(.*?)^\}", text, re.M | re.S)
    assert m, "nextflow.config has no top-level params block"
    values = {}
    for line in m.group(1).splitlines():
        line = line.strip()
        if not line or line.startswith("//"):
            continue
        lit = _LITERAL.match(line)
        assert lit, f"nextflow.config params: expected `name = literal`, found {line!r}"
        raw = lit.group("value")
        values[lit.group("name")] = json.loads({"null": "null", "true": "true", "false": "false"}.get(raw, raw.replace("'", '"')))
    return values


def step_actions(command: str) -> dict[str, argparse.Action]:
    parser = build_parser(only=command)
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {a.dest: a for a in sub.choices[command]._actions if a.dest != "help"}


def step_defaults(command: str) -> dict:
    return {dest: action.default for dest, action in step_actions(command).items()}


def schema_properties() -> dict:
    schema = json.loads((REPO / "nextflow_schema.json").read_text(encoding="utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    refs = [ref["$ref"].rsplit("/", 1)[-1] for ref in schema["allOf"]]
    assert sorted(refs) == sorted(schema["$defs"]), "every $defs group is referenced by allOf"
    props = {}
    for group in refs:
        for name, spec in schema["$defs"][group]["properties"].items():
            assert name not in props, f"parameter {name} is in two schema groups"
            props[name] = spec
    return props


def test_every_parameter_is_a_step_option_or_a_run_setting():
    assert set(nextflow_params()) == set(PARAM_OPTIONS) | RUN_PARAMS


@pytest.mark.parametrize(
    "param,command,dest",
    [(p, c, d) for p, targets in PARAM_OPTIONS.items() for c, d in targets],
    ids=lambda v: str(v),
)
def test_default_is_the_step_default(param, command, dest):
    defaults = step_defaults(command)
    assert dest in defaults, f"`metevo {command}` has no option with dest {dest!r}"
    assert nextflow_params()[param] == defaults[dest], f"params.{param} vs `metevo {command}` default"


@pytest.mark.parametrize("command", sorted({c for targets in PARAM_OPTIONS.values() for c, _ in targets}))
def test_step_options_named_like_parameters_agree(command):
    """A step option spelled like a Nextflow parameter must have its default."""
    params = nextflow_params()
    actions = step_actions(command)
    clashes = {d: a.default for d, a in actions.items()
               if d in params and not a.required and (command, d) not in UNRELATED_OPTIONS and a.default != params[d]}
    assert not clashes, f"`metevo {command}` defaults differ from nextflow.config: {clashes}"


def test_metevo_run_defaults_are_the_step_defaults():
    """`metevo run` leaves an option unset (None: the step's default) or uses the same value."""
    params = nextflow_params()
    wrong = {d: v for d, v in step_defaults("run").items() if d in params and v is not None and v != params[d]}
    assert not wrong


def test_schema_describes_every_parameter_with_its_default():
    props = schema_properties()
    params = nextflow_params()
    assert set(props) == set(params)
    types = {bool: "boolean", int: "integer", float: "number", str: "string"}
    for name, value in params.items():
        spec = props[name]
        assert spec.get("description"), f"{name} has no description"
        if value is None:
            assert "default" not in spec, f"{name} defaults to null in nextflow.config but not in the schema"
            continue
        assert spec.get("default") == value, f"schema default of {name}"
        assert spec["type"] == types[type(value)], f"schema type of {name}"
    assert props["input"]["schema"] == "assets/schema_input.json"


def test_schema_enums_match_the_steps():
    props = schema_properties()
    for command in ("validate", "ensemble-calls", "germline", "bin-annotation", "copy-number", "cfdna", "import-segments", "hrd",
                    "biallelic", "tracked-regions"):
        assert props["genome"]["enum"] == list(step_actions(command)["genome"].choices)


def test_workflow_reads_samplesheet_rows_in_schema_order():
    """samplesheetToList returns [meta, non-meta columns in schema order]: the workflow names them."""
    schema = json.loads((REPO / "assets" / "schema_input.json").read_text(encoding="utf-8"))
    expected = [k for k, v in schema["items"]["properties"].items() if "meta" not in v]
    text = (REPO / "workflows" / "metevo.nf").read_text(encoding="utf-8")
    m = re.search(r"def samplesheetFields\(\)\s*\{\s*return\s*\[(.*?)\]", text, re.S)
    assert m, "workflows/metevo.nf has no samplesheetFields()"
    assert re.findall(r"'([^']+)'", m.group(1)) == expected
    meta_keys = {k for v in schema["items"]["properties"].values() for k in v.get("meta", [])}
    assert {"id", "patient", "sample_type"} <= meta_keys


def test_test_profile_uses_the_committed_cohort():
    text = (REPO / "conf" / "test.config").read_text(encoding="utf-8")
    assert '"${projectDir}/tests/data/cohort/samplesheet.csv"' in text
    assert '"${projectDir}/tests/data/cohort/clinical.csv"' in text
    sheet = REPO / "tests" / "data" / "cohort" / "samplesheet.csv"
    if not sheet.is_file():
        pytest.skip("tests/data/cohort is not committed yet")
    done = subprocess.run(
        [sys.executable, "-m", "metevo", "validate", "--samplesheet", str(sheet), "--clinical", str(sheet.with_name("clinical.csv"))],
        capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr
