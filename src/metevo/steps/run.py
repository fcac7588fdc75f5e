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


# metevo run option -> Nextflow parameter of the same meaning (and key in --params-file)
PARAMS = {
    "samplesheet": "input", "clinical": "clinical", "genome": "genome", "fasta": "fasta",
    "min_callers": "min_callers", "min_depth": "min_depth", "min_alt": "min_alt", "min_vaf": "min_vaf",
    "max_normal_vaf": "max_normal_vaf", "min_normal_depth": "min_normal_depth", "germline_genes": "germline_genes",
    "bin_annotation": "bin_annotation", "bin_size": "bin_size", "mappability": "mappability", "blacklist": "blacklist",
    "cfdna_gc": "cfdna_gc", "cfdna_map": "cfdna_map", "cfdna_pon": "cfdna_pon", "regions": "regions",
    "external_maf": "external_maf", "external_samples": "external_samples", "external_clinical": "external_clinical",
}
# keys of a params file that metevo run reads but does not use
RESERVED_PARAMS: tuple[str, ...] = ()
PATH_PARAMS = ("samplesheet", "clinical", "fasta", "bin_annotation", "mappability", "blacklist", "cfdna_gc", "cfdna_map",
               "cfdna_pon", "regions", "external_maf", "external_samples", "external_clinical")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--params-file", metavar="PARAMS.yaml",
                        help="parameters as YAML, with the names Nextflow uses (input, clinical, genome, cfdna_gc, ...); "
                             "relative paths in it resolve against its folder; options given here win")
    parser.add_argument("--samplesheet", help="samplesheet CSV (see assets/schema_input.json); or 'input' in --params-file")
    parser.add_argument("--clinical", help="clinical CSV, one row per patient (see assets/schema_clinical.json)")
    parser.add_argument("--outdir", default="results", help="results folder (default: %(default)s)")
    parser.add_argument("--cpus", type=int, default=os.cpu_count() or 1, help="worker processes (default: all cores, %(default)s here)")
    parser.add_argument("--genome", choices=("hg19", "hg38"), help="genome build every input must use (default: inferred; inputs must agree)")
    parser.add_argument("--fasta", help="reference FASTA: indels are left-aligned against it; bins are built from it for BAMs")
    group = parser.add_argument_group("somatic calling (defaults: those of metevo ensemble-calls)")
    group.add_argument("--min-callers", type=int)
    group.add_argument("--min-depth", type=int)
    group.add_argument("--min-alt", type=int)
    group.add_argument("--min-vaf", type=float)
    group.add_argument("--max-normal-vaf", type=float)
    group.add_argument("--min-normal-depth", type=int)
    parser.add_argument("--germline-genes", help="comma-separated genes for the germline and biallelic steps (default: their own list)")
    cn = parser.add_argument_group("copy number")
    cn.add_argument("--bin-annotation", help="bin annotation (QDNAseq columns) for samples given as BAMs")
    cn.add_argument("--bin-size", type=int, help="bin size when the annotation is built from --fasta (default 100000)")
    cn.add_argument("--mappability", help="mappability WIG for the bins built from --fasta")
    cn.add_argument("--blacklist", help="BED of regions to leave out of the bins built from --fasta")
    cn.add_argument("--cfdna-gc", help="GC WIG of the cfDNA read-count bins (HMMcopy format)")
    cn.add_argument("--cfdna-map", help="mappability WIG of the cfDNA bins")
    cn.add_argument("--cfdna-pon", help="panel of normals for cfDNA (ichorCNA layout)")
    cn.add_argument("--regions", help="tracked regions TSV (default: metevo's list)")
    ext = parser.add_argument_group("external primary cohort (metastases are compared with it gene by gene)")
    ext.add_argument("--external-maf", help="MAF of an external primary cohort (e.g. TCGA-BRCA)")
    ext.add_argument("--external-samples", help="its samples, one per line (samples without calls count as unmutated)")
    ext.add_argument("--external-clinical", help="its clinical TSV with a subtype column (within-subtype and CMH tests)")
    parser.add_argument("--force", action="store_true", help="re-run every task even if its outputs are up to date")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")


def _apply_params_file(args: argparse.Namespace) -> None:
    """Fill options not given on the command line from --params-file."""
    import yaml

    from metevo.errors import ConfigError, InputError

    path = args.params_file
    try:
        with open(path, encoding="utf-8") as fh:
            values = yaml.safe_load(fh) or {}
    except FileNotFoundError:
        raise InputError("params file does not exist", file=path) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise InputError(f"expected YAML ({getattr(err, 'problem', err)})", file=path,
                         line=mark.line + 1 if mark else None) from None
    if not isinstance(values, dict):
        raise InputError("expected a YAML mapping of parameter names to values", file=path, line=1)
    by_param = {v: k for k, v in PARAMS.items()}
    base = os.path.dirname(os.path.abspath(path))
    for key, value in values.items():
        if key in ("outdir",) or key in RESERVED_PARAMS:
            continue
        if key not in by_param:
            raise InputError(f"unknown parameter '{key}'; known: {', '.join(sorted(by_param))}", file=path, column=key)
        option = by_param[key]
        if getattr(args, option) is not None or value is None:
            continue
        if option in PATH_PARAMS:
            value = str(value)
            if "://" not in value and not os.path.isabs(value):
                value = os.path.normpath(os.path.join(base, value))
        setattr(args, option, value)
    if getattr(args, "genome", None) not in (None, "hg19", "hg38"):
        raise ConfigError(f"genome must be hg19 or hg38, not '{args.genome}' ({path})")


def run(args: argparse.Namespace) -> None:
    import yaml

    from metevo.errors import ConfigError
    from metevo.io.atomic import Outputs
    from metevo.io.samplesheet import read_samplesheet
    from metevo.runner.execute import execute
    from metevo.runner.plan import RunOptions, genome_of, plan_tasks, validate_task

    if args.params_file:
        _apply_params_file(args)
    if not args.samplesheet:
        raise ConfigError("give the samplesheet: --samplesheet, or 'input' in --params-file")
    if args.cpus < 1:
        raise ConfigError(f"--cpus must be at least 1, got {args.cpus}")
    sheet = read_samplesheet(args.samplesheet)
    opts = RunOptions(**{k: getattr(args, k) for k in RunOptions.__dataclass_fields__})
    outdir = Path(args.outdir)
    # VALIDATE first: it finds the genome build that the copy-number steps need
    validate = validate_task(sheet, outdir, opts)
    status = execute([validate], outdir, cpus=1, force=args.force, quiet=True)
    tasks = plan_tasks(sheet, outdir, opts, genome=genome_of(validate.outputs[0]))
    status = execute(tasks, outdir, cpus=args.cpus, force=args.force, quiet=args.quiet, done=status)

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
