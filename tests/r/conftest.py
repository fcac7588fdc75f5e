"""Tests that compare metevo with R.

They need ``Rscript`` on PATH. Without it they are skipped, unless ``METEVO_REQUIRE_R=1`` (as
in CI and the containers that ship R), where a missing R is a failure rather than a silent
pass.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def _rscript_or_skip() -> str:
    path = shutil.which("Rscript")
    if path is None:
        if os.environ.get("METEVO_REQUIRE_R") == "1":
            pytest.fail("Rscript is not on PATH but METEVO_REQUIRE_R=1 requires the R comparisons to run")
        pytest.skip("Rscript is not on PATH (set METEVO_REQUIRE_R=1 to make this a failure)")
    return path


@pytest.fixture(scope="session")
def rscript() -> str:
    """Path of Rscript (skips or fails as described in the module docstring)."""
    return _rscript_or_skip()


@pytest.fixture(scope="session")
def run_r(rscript, tmp_path_factory):
    """``run_r(code, *args) -> stdout``: run an R script with ``Rscript --vanilla``.

    Extra ``args`` reach the script through ``commandArgs(trailingOnly = TRUE)``. A non-zero
    exit fails the test with R's stderr.
    """
    folder = tmp_path_factory.mktemp("rscripts")
    counter = iter(range(1_000_000))

    def run(code: str, *args: str | os.PathLike, timeout: float = 120) -> str:
        script = Path(folder) / f"script_{next(counter)}.R"
        script.write_text(code, encoding="utf-8")
        proc = subprocess.run(
            [rscript, "--vanilla", str(script), *map(str, args)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if proc.returncode != 0:
            pytest.fail(f"Rscript failed (exit {proc.returncode}):\n{proc.stderr}")
        return proc.stdout

    return run
