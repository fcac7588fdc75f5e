"""``metevo simulate --outdir DIR --seed N [--patients N] [--external-samples N] [--force]``.

Writes a simulated metastatic breast cancer cohort (samplesheet, clinical table, caller and
germline VCFs, copy-number inputs, an external primary cohort) and its planted truth. The cohort is built in a hidden temporary folder next
to DIR and renamed onto DIR only when every file is written, so an interrupted or failed run
leaves no half-written DIR behind.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import tempfile
from pathlib import Path

from metevo.errors import ConfigError

MAX_PATIENTS = 999
MAX_EXTERNAL = 20000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--outdir", required=True, help="folder to create (must not exist or be empty, unless --force)")
    parser.add_argument("--seed", required=True, type=int, help="random seed; the same seed gives byte-identical files")
    parser.add_argument("--patients", type=int, default=24, help="number of patients (default: 24)")
    parser.add_argument("--external-samples", type=int, default=500,
                        help="primary tumors of the external cohort written to external/ (default: 500; 0: none)")
    parser.add_argument("--force", action="store_true", help="replace a non-empty --outdir")


def _check_outdir(outdir: Path, force: bool) -> None:
    if outdir.exists() and not outdir.is_dir():
        raise ConfigError(f"--outdir {outdir}: expected a folder to create, found an existing file")
    if outdir.is_dir() and any(outdir.iterdir()) and not force:
        raise ConfigError(f"--outdir {outdir}: folder exists and is not empty; choose another or pass --force to replace it")
    parent = outdir.parent if str(outdir.parent) else Path(".")
    existing = parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise ConfigError(f"--outdir {outdir}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK):
        raise ConfigError(f"--outdir {outdir}: folder {existing} is not writable")


def run(args: argparse.Namespace) -> None:
    from metevo.simulate import simulate_cohort
    from metevo.simulate.write import write_cohort

    if not 1 <= args.patients <= MAX_PATIENTS:
        raise ConfigError(f"--patients must be between 1 and {MAX_PATIENTS}, got {args.patients}")
    if not 0 <= args.external_samples <= MAX_EXTERNAL:
        raise ConfigError(f"--external-samples must be between 0 and {MAX_EXTERNAL}, got {args.external_samples}")
    if args.seed < 0:
        raise ConfigError(f"--seed must be a non-negative integer, got {args.seed}")
    outdir = Path(args.outdir)
    _check_outdir(outdir, args.force)
    cohort = simulate_cohort(args.seed, args.patients, args.external_samples)
    parent = outdir.parent if str(outdir.parent) else Path(".")
    created = []  # parent folders made here, removed again if writing fails (like mkdir -p)
    for folder in reversed([parent, *parent.parents]):
        if not folder.exists():
            folder.mkdir()
            created.append(folder)
    staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.", suffix=".part", dir=parent))
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(staging, 0o777 & ~umask)  # mkdtemp makes 0700; the result is an ordinary folder
        write_cohort(cohort, staging)
        if outdir.is_dir():
            # Either empty, or --force: move the old folder aside first so DIR is never partial.
            old = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.", suffix=".old", dir=parent))
            os.rmdir(old)
            os.replace(outdir, old)
            os.replace(staging, outdir)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, outdir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        for folder in reversed(created):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
