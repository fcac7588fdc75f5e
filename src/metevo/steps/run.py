"""``metevo run``: the whole pipeline on one machine (the embedded executor).

Runs the same step commands as ``main.nf``, in the order of ``metevo.pipeline``: samples in
parallel worker processes, a progress line per task, and re-runs that skip tasks whose inputs,
parameters and code have not changed (``--force`` re-runs everything).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from metevo import __version__


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--samplesheet", required=True, help="samplesheet CSV (see assets/schema_input.json)")
    parser.add_argument("--clinical", help="clinical CSV, one row per patient (see assets/schema_clinical.json)")
    parser.add_argument("--outdir", default="results", help="results folder (default: %(default)s)")
    parser.add_argument("--cpus", type=int, default=os.cpu_count() or 1, help="worker processes (default: all cores, %(default)s here)")
    parser.add_argument("--genome", choices=("hg19", "hg38"), help="genome build every input must use (default: inferred; inputs must agree)")
    parser.add_argument("--fasta", help="reference FASTA; indels are left-aligned against it")
    group = parser.add_argument_group("somatic calling (defaults: those of metevo ensemble-calls)")
    group.add_argument("--min-callers", type=int)
    group.add_argument("--min-depth", type=int)
    group.add_argument("--min-alt", type=int)
    group.add_argument("--min-vaf", type=float)
    group.add_argument("--max-normal-vaf", type=float)
    group.add_argument("--min-normal-depth", type=int)
    parser.add_argument("--germline-genes", help="comma-separated genes for the germline step (default: its own list)")
    parser.add_argument("--force", action="store_true", help="re-run every task even if its outputs are up to date")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")


def run(args: argparse.Namespace) -> None:
    import yaml

    from metevo.errors import ConfigError
    from metevo.io.atomic import Outputs
    from metevo.io.samplesheet import read_samplesheet
    from metevo.runner.execute import execute
    from metevo.runner.plan import RunOptions, plan_tasks

    if args.cpus < 1:
        raise ConfigError(f"--cpus must be at least 1, got {args.cpus}")
    sheet = read_samplesheet(args.samplesheet)
    opts = RunOptions(
        clinical=args.clinical,
        genome=args.genome,
        fasta=args.fasta,
        min_callers=args.min_callers,
        min_depth=args.min_depth,
        min_alt=args.min_alt,
        min_vaf=args.min_vaf,
        max_normal_vaf=args.max_normal_vaf,
        min_normal_depth=args.min_normal_depth,
        germline_genes=args.germline_genes,
    )
    outdir = Path(args.outdir)
    tasks = plan_tasks(sheet, outdir, opts)
    status = execute(tasks, outdir, cpus=args.cpus, force=args.force, quiet=args.quiet)

    params = {k: v for k, v in vars(args).items() if k not in ("command", "quiet", "force", "cpus") and v is not None}
    with Outputs() as out:
        info = outdir / "pipeline_info"
        with open(out.path(info / "versions.yml"), "w") as fh:
            yaml.safe_dump({t.process: {"metevo": __version__} for t in tasks}, fh, sort_keys=True)
        with open(out.path(info / "params.json"), "w") as fh:
            json.dump(params, fh, indent=2, sort_keys=True)
            fh.write("\n")
    if not args.quiet:
        ran = sum(1 for s in status.values() if s == "done")
        print(f"metevo run: {len(tasks)} tasks ({ran} run, {len(tasks) - ran} up to date); report: {outdir / 'report.html'}")
