"""Every step of metevo.pipeline has its Nextflow module, bin/ entry, stub and contract test, and
the modules follow the house rules (docs/nextflow.md). Plain text checks: no Nextflow needed."""

from __future__ import annotations

import os
import re

import pytest

import metevo
from metevo.cli import SUBCOMMANDS
from metevo.pipeline import STEPS
from nf_harness import REPO

LABELS = ("process_single", "process_low", "process_medium", "process_high")
FAMILIES = {
    "metevo-variants": {"VALIDATE", "ENSEMBLE_CALLS", "IMPORT_MAF", "GERMLINE", "MERGE_MAFS"},
    "metevo-stats": {"PAIR_CONCORDANCE", "ONCOGENIC", "ASSOCIATIONS", "ENRICHMENT", "OUTCOME"},
    "metevo-copynumber": {"BIN_ANNOTATION", "BIN_COUNTS", "COPY_NUMBER", "CFDNA", "IMPORT_SEGMENTS", "HRD", "CLONALITY", "BIALLELIC",
                          "TRACKED_REGIONS"},
    "metevo-report": {"REPORT"},
}


def _module(step) -> str:
    return (REPO / step.module_dir / "main.nf").read_text(encoding="utf-8")


def _block(text: str, label: str) -> str:
    """The text of a process section (input:, output:, script:, stub:) up to the next one."""
    m = re.search(rf"^\s*{label}:\s*$(.*?)(?=^\s*(?:input|output|script|stub|exec|shell):\s*$|\Z)", text, re.M | re.S)
    return m.group(1) if m else ""


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.process)
def test_step_has_module_entry_and_stub(step):
    module = REPO / step.module_dir / "main.nf"
    assert module.is_file(), f"missing {step.module_dir}/main.nf"
    text = module.read_text(encoding="utf-8")
    assert re.search(rf"^process {step.process} \{{", text, re.M)
    assert _block(text, "stub").strip(), f"{step.process} has no stub: block"
    script = REPO / step.bin_script
    assert script.is_file() and os.access(script, os.X_OK), f"{step.bin_script} missing or not executable"
    assert f'main(["{step.command}", *sys.argv[1:]])' in script.read_text(encoding="utf-8")
    assert step.command in SUBCOMMANDS
    assert script.name in _block(text, "script"), f"{step.process}'s script does not call {script.name}"


def test_every_step_has_a_contract_test():
    from test_nf_contracts import CONTRACTS

    assert set(CONTRACTS) == {s.process for s in STEPS}


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.process)
def test_module_follows_house_rules(step):
    text = _module(step)
    labels = re.findall(r"^\s*label\s+'([^']+)'", text, re.M)
    assert len(labels) == 1 and labels[0] in LABELS, f"{step.process}: one resource label of {LABELS}, found {labels}"
    assert re.search(r"^\s*tuple val\(meta\),", _block(text, "input"), re.M), "inputs are tuple val(meta), path(...)"
    assert 'path "versions.yml", topic: versions' in _block(text, "output")
    for block in ("script", "stub"):
        assert "versions.yml" in _block(text, block), f"{step.process} {block} does not write versions.yml"
    assert "task.ext.args" in _block(text, "script")
    assert not re.search(r"^\s*when:\s*$", text, re.M), "no when: blocks (deprecated)"


@pytest.mark.parametrize("path", sorted(p.relative_to(REPO).as_posix() for p in [*REPO.glob("*.nf"), *REPO.glob("workflows/**/*.nf"), *REPO.glob("modules/**/*.nf")]))
def test_channel_factory_spelling(path):
    assert not re.search(r"\bChannel\.", (REPO / path).read_text(encoding="utf-8")), "use channel., not Channel."


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.process)
def test_container_is_the_family_image(step):
    (container,) = re.findall(r"^\s*container\s+'([^']+)'", _module(step), re.M)
    family = next(f for f, processes in FAMILIES.items() if step.process in processes)
    assert container == f"metevo/{family}:{metevo.__version__}"
    assert (REPO / "containers" / family / "Dockerfile").is_file()


def test_labels_are_sized_in_base_config():
    base = (REPO / "conf" / "base.config").read_text(encoding="utf-8")
    for label in LABELS:
        assert re.search(rf"withLabel:\s*'{label}'", base), f"conf/base.config does not size {label}"
    assert "resourceLimits" in base


def test_manifest_version_is_the_package_version():
    config = (REPO / "nextflow.config").read_text(encoding="utf-8")
    assert re.search(rf"^\s*version\s*=\s*'{re.escape(metevo.__version__)}'", config, re.M)
    assert re.search(r"^\s*nextflowVersion\s*=\s*'!>=\d+\.\d+\.\d+'", config, re.M)
    assert re.search(r"^\s*id\s+'nf-schema@\d+\.\d+\.\d+'", config, re.M), "pin the nf-schema plugin"
