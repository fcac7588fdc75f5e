"""The metevo command: one subcommand per pipeline step, plus validate, simulate and run.

The command line is thin. Each subcommand lives in ``metevo.steps.<module>`` and exposes
``add_arguments(parser)`` and ``run(args)``; ``run`` reads inputs, calls the pure functions
that hold the science, and writes outputs atomically. Modules are imported only for the
subcommand that is used, so ``metevo <step> --help`` is fast and a step's container only
needs that step's dependencies.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Sequence

from metevo import __version__
from metevo.errors import MetevoError

# subcommand -> (module under metevo.steps, one-line help). Order is the order of --help.
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("validate", "check a samplesheet and clinical table (and the files they name) before anything runs"),
    "ensemble-calls": ("ensemble_calls", "merge caller VCFs of one tumor into a consensus MAF"),
    "import-maf": ("import_maf", "take one sample's mutations from a MAF (GDC or cBioPortal) into metevo's MAF"),
    "germline": ("germline", "pathogenic germline variants in homologous-recombination genes"),
    "import-segments": ("import_segments", "take one sample's copy-number segments (any supported format) into metevo's segments table"),
    "hrd": ("hrd", "HRD scar scores (HRD-LOH, TAI, LST; scarHRD) from allele-specific segments"),
    "clonality": ("clonality", "cancer cell fraction, multiplicity and clonal call of each mutation of a sample"),
    "biallelic": ("biallelic", "biallelic inactivation of HR genes per tumour sample (mutations, germline variants, LOH)"),
    "merge-mafs": ("merge_mafs", "combine per-sample MAFs into one cohort MAF with sample annotations"),
    "pair-concordance": ("pair_concordance", "Jaccard concordance of every sample pair, burden and cohort rank tests"),
    "bin-annotation": ("bin_annotation", "QDNAseq bin annotation (bases, GC, mappability, blacklist) from a reference FASTA"),
    "bin-counts": ("bin_counts", "reads per bin of one BAM/CRAM, QDNAseq's binReadCounts rules"),
    "copy-number": ("copy_number", "shallow-WGS copy number of one sample the QDNAseq way: corrected bins, segments, calls, genes"),
    "segment": ("segment", "circular binary segmentation (DNAcopy) of every sample of a log2 bin table into an IGV .seg"),
    "cfdna": ("cfdna", "tumor fraction, ploidy and copy number of a plasma sample from ultra-low-pass WGS (ichorCNA)"),
    "oncogenic": ("oncogenic", "oncogenic alterations (OncoKB, hotspots, truncated suppressors, amplified oncogenes), pathway status, enrichment, co-alteration"),
    "associations": ("associations", "co-occurrence/mutual exclusivity of altered genes, alterations vs clinical features, continuous features by group"),
    "outcome": ("outcome", "survival by alteration and pathway status (Kaplan-Meier, log-rank, Cox)"),
    "survival": ("survival", "Kaplan-Meier, log-rank, Cox models and the proportional-hazards test of a patient table (R survival semantics)"),
    "report": ("report", "assemble the self-contained HTML report from the steps' outputs"),
    "tracked-regions": ("tracked_regions", "status of tracked copy-number regions, primary vs metastasis frequency tests, cfDNA timelines"),
    "compare-cohorts": ("compare_cohorts", "per-gene mutated fraction of two cohorts: Fisher exact tests (R fisher.test), BH q-values"),
    "enrichment": ("enrichment", "genes mutated more often in metastases: paired, vs all primaries, vs an external cohort, by subtype"),
    "simulate": ("simulate", "write a simulated cohort (inputs and planted truth)"),
    "run": ("run", "run the whole pipeline on one machine"),
}


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line (plus exit code 2), like every other error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _step_module(name: str):
    module, _ = SUBCOMMANDS[name]
    return importlib.import_module(f"metevo.steps.{module}")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = _Parser(prog="metevo", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"metevo {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, (_, help_text) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if only is None or name == only:
            _step_module(name).add_arguments(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    chosen = next((a for a in argv if not a.startswith("-")), None)
    only = chosen if chosen in SUBCOMMANDS else None
    parser = build_parser(only=only if only is not None else "__none__")
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    prog = f"metevo {args.command}"
    try:
        _step_module(args.command).run(args)
    except MetevoError as err:
        print(f"{prog}: error: {err.one_line()}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    except Exception as err:  # a bug, not a user error: still one line unless asked
        if os.environ.get("METEVO_DEBUG"):
            raise
        detail = " ".join(str(err).split())
        print(
            f"{prog}: internal error: {type(err).__name__}: {detail} "
            "(set METEVO_DEBUG=1 for a traceback and please report it)",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
