"""metevo ensemble-calls: consensus MAF of one tumour from several callers' VCFs.

The science is :mod:`metevo.ensemble` (consensus, thresholds, caller priority) over calls
tables read by :mod:`metevo.io.vcf`; this module parses the command line, checks the inputs
agree (genome build, callers), reads the VCFs (in parallel when they are large) and writes
the MAF and the per-caller summary atomically.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from metevo.callers import CALLERS
from metevo.errors import ConfigError, InputError

_BUILD_NAME = {"hg19": "GRCh37", "hg38": "GRCh38"}
# below this much compressed input, forking workers costs more than it saves
_PARALLEL_MIN_BYTES = 4_000_000


def add_threshold_arguments(parser: argparse.ArgumentParser) -> None:
    """The read-count thresholds shared by ensemble-calls and import-maf."""
    from metevo.ensemble import Thresholds

    d = Thresholds()
    group = parser.add_argument_group("thresholds (a variant must meet all; normal ones apply when it has normal counts)")
    group.add_argument("--min-depth", type=int, default=d.min_depth, metavar="N", help=f"tumour depth >= N [{d.min_depth}]")
    group.add_argument("--min-alt", type=int, default=d.min_alt, metavar="N", help=f"tumour ALT reads >= N [{d.min_alt}]")
    group.add_argument("--min-vaf", type=float, default=d.min_vaf, metavar="F", help=f"tumour VAF (ALT / depth) >= F [{d.min_vaf}]")
    group.add_argument("--min-normal-depth", type=int, default=d.min_normal_depth, metavar="N", help=f"normal depth >= N [{d.min_normal_depth}]")
    group.add_argument("--max-normal-vaf", type=float, default=d.max_normal_vaf, metavar="F", help=f"normal VAF <= F [{d.max_normal_vaf}]")


def thresholds_from_args(args: argparse.Namespace):
    from metevo.ensemble import Thresholds

    thresholds = Thresholds(
        min_depth=args.min_depth, min_alt=args.min_alt, min_vaf=args.min_vaf,
        min_normal_depth=args.min_normal_depth, max_normal_vaf=args.max_normal_vaf,
    )
    try:
        thresholds.check()
    except ValueError as err:
        raise ConfigError(f"--{str(err).split(' ', 1)[0].replace('_', '-')} {str(err).split(' ', 1)[1]}") from None
    return thresholds


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sample", required=True, help="sample id (Tumor_Sample_Barcode of the MAF)")
    parser.add_argument(
        "--vcf", action="append", required=True, metavar="CALLER=PATH[,PATH]",
        help=f"a caller's VCF; repeat for each caller (several files of one caller count as one). Callers: {', '.join(CALLERS)}",
    )
    parser.add_argument("--fasta", metavar="REF", help="reference FASTA: check REF alleles and left-align indels")
    parser.add_argument("--tumor-name", metavar="NAME", help="tumour column of the VCFs (default: the sample id, else TUMOR)")
    parser.add_argument("--normal-name", metavar="NAME", help="normal column of the VCFs (default: ##normal_sample, else NORMAL)")
    parser.add_argument("--min-callers", type=int, default=2, metavar="K", help="keep variants PASSed by >= K callers [2]")
    add_threshold_arguments(parser)
    parser.add_argument("--genome", choices=sorted(_BUILD_NAME), help="expected genome build: a VCF of another build is an error")
    parser.add_argument("--jobs", type=int, default=0, metavar="N",
                        help="processes reading the VCFs (0: automatic, one per idle CPU when the VCFs are large) [0]")
    parser.add_argument("--out", required=True, metavar="OUT.maf", help="consensus MAF")
    parser.add_argument("--summary", metavar="OUT.tsv", help="per-caller counts: records, pass, after_thresholds, in_consensus")


def parse_vcf_options(values: list[str]) -> dict[str, list[str]]:
    """``CALLER=PATH[,PATH]`` options -> caller -> paths (a caller may be given several times)."""
    out: dict[str, list[str]] = {}
    owner: dict[str, str] = {}
    for value in values:
        caller, sep, paths = value.partition("=")
        caller = caller.strip().lower()
        if not sep or not paths.strip():
            raise ConfigError(f"--vcf '{value}': expected CALLER=PATH (e.g. --vcf mutect2=tumor.mutect2.vcf.gz)")
        if caller not in CALLERS:
            raise ConfigError(f"--vcf '{value}': unknown caller '{caller}'; expected one of: {', '.join(CALLERS)}")
        for path in paths.split(","):
            path = path.strip()
            if not path:
                raise ConfigError(f"--vcf '{value}': empty path in the comma-separated list")
            if owner.setdefault(path, caller) != caller:
                raise ConfigError(f"--vcf: '{path}' is given for two callers ({owner[path]} and {caller})")
            if path not in out.setdefault(caller, []):
                out[caller].append(path)
    return out


def _read_task(task: tuple) -> object:
    from metevo.io.vcf import read_caller_vcf

    path, caller, tumor_name, normal_name, sample_id, fasta = task
    return read_caller_vcf(path, caller, tumor_name=tumor_name, normal_name=normal_name, sample_id=sample_id, fasta=fasta)


def _read_all(tasks: list[tuple], jobs: int, genome=None) -> list:
    """Calls tables of the VCFs, read in ``jobs`` processes (0: decide automatically).

    ``genome`` is the opened reference, shared by the VCFs read in this process (worker
    processes open the FASTA path of their task themselves)."""
    total = 0
    for task in tasks:
        try:
            total += os.path.getsize(task[0])
        except OSError:
            pass
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if jobs > 0:
        workers = min(len(tasks), jobs)
    else:
        # automatic: only with a spare CPU (workers competing with other work for one CPU
        # were slower than reading in turn) and enough input to pay for starting them
        try:
            idle = cpus - os.getloadavg()[0]
        except OSError:
            idle = 0.0
        workers = min(len(tasks), cpus, max(1, int(idle + 0.5))) if total >= _PARALLEL_MIN_BYTES else 1
    if workers < 2 or os.name != "posix":
        return [_read_task(t[:5] + ((genome if genome is not None else t[5]),)) for t in tasks]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork: workers start with metevo and numpy/pandas already imported
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
        futures = [pool.submit(_read_task, t) for t in tasks]
        results = []
        error = None
        for future in futures:  # report the first failing file in command-line order
            try:
                results.append(future.result())
            except InputError as err:
                error = error or err
        if error is not None:
            raise error
        return results


def _reuse_freed_memory() -> None:
    """Ask glibc to keep freed memory for reuse instead of returning it to the system.

    Reading allocates and frees many large numpy arrays; by default each one is a fresh
    mmap whose pages fault in again, which showed as a third of the step's system time.
    This only changes allocator thresholds of this process, and does nothing off glibc.
    """
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    m_trim_threshold, m_top_pad, m_mmap_threshold = -1, -2, -3  # glibc malloc.h
    libc.mallopt(m_mmap_threshold, 256 << 20)
    libc.mallopt(m_trim_threshold, 512 << 20)
    libc.mallopt(m_top_pad, 64 << 20)


def run(args: argparse.Namespace) -> None:
    from metevo.io.vcf import read_vcf_header_info

    _reuse_freed_memory()
    vcfs = parse_vcf_options(args.vcf)
    if args.min_callers < 1:
        raise ConfigError(f"--min-callers must be >= 1, got {args.min_callers}")
    if len(vcfs) < args.min_callers:
        raise ConfigError(
            f"--min-callers {args.min_callers} needs VCFs of at least {args.min_callers} different callers, "
            f"got {len(vcfs)} ({', '.join(vcfs)})"
        )
    thresholds = thresholds_from_args(args)
    if args.jobs < 0:
        raise ConfigError(f"--jobs must be >= 0, got {args.jobs}")
    builds: dict[str, str] = {}
    headers = {}
    tasks = []
    for caller, paths in vcfs.items():
        for path in paths:
            header = headers[path] = read_vcf_header_info(path)
            if header.genome_build:
                if args.genome and header.genome_build != args.genome:
                    raise InputError(
                        f"this VCF is {header.genome_build} (from its contig lengths or ##reference) but --genome is {args.genome}",
                        file=path,
                    )
                builds[path] = header.genome_build
            tasks.append((path, caller, args.tumor_name, args.normal_name, args.sample, args.fasta))
    if len(set(builds.values())) > 1:
        listed = "; ".join(f"{Path(p).name}: {b}" for p, b in builds.items())
        raise InputError(f"the VCFs of sample '{args.sample}' mix genome builds ({listed})")
    genome = None
    if args.fasta:
        from metevo.io.fasta import open_fasta

        genome = open_fasta(args.fasta)  # fail early on a bad reference, before any VCF is read
    tables = _read_all(tasks, args.jobs, genome)

    import pandas as pd

    from metevo import ensemble
    from metevo.io.maf import write_maf
    from metevo.io.tables import write_tsv
    from metevo.io.atomic import Outputs
    from metevo.io.vcf import resolve_samples

    per_caller: dict[str, list] = {}
    normal_names: list[str] = []
    for task, table in zip(tasks, tables):
        per_caller.setdefault(task[1], []).append(table)
        if args.normal_name:
            continue
        header = headers[task[0]]
        _, normal = resolve_samples(header, tumor_name=args.tumor_name, sample_id=args.sample)
        if normal is not None and header.samples[normal] not in normal_names:
            normal_names.append(header.samples[normal])
    calls = {c: (t[0] if len(t) == 1 else pd.concat(t, ignore_index=True)) for c, t in per_caller.items()}
    result = ensemble.consensus(calls, min_callers=args.min_callers, thresholds=thresholds)
    build = args.genome or (next(iter(builds.values())) if builds else None)
    normal = args.normal_name or (normal_names[0] if normal_names else "")
    maf = ensemble.to_maf(result.variants, tumor_sample=args.sample, normal_sample=normal, ncbi_build=_BUILD_NAME.get(build, ""))
    with Outputs() as out:
        write_maf(maf, out.path(args.out))
        if args.summary:
            write_tsv(result.summary, out.path(args.summary))
