"""Shared fixtures: a small simulated cohort, made once per test session."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


def metevo(*args: str, check: bool = True, cwd: str | Path | None = None) -> subprocess.CompletedProcess:
    """Run the real ``metevo`` command (same interpreter as the tests)."""
    proc = subprocess.run([sys.executable, "-m", "metevo", *map(str, args)], capture_output=True, text=True, cwd=cwd)
    if check and proc.returncode != 0:
        raise AssertionError(f"metevo {' '.join(map(str, args))} failed ({proc.returncode}): {proc.stderr}")
    return proc


@pytest.fixture(scope="session")
def small_cohort(tmp_path_factory) -> Path:
    """``metevo simulate --seed 11 --patients 8``: every kind of patient, fast to run."""
    out = tmp_path_factory.mktemp("cohort") / "cohort"
    metevo("simulate", "--outdir", out, "--seed", "11", "--patients", "8")
    return out
