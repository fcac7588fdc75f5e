"""``metevo copy-number``: QDNAseq's pipeline on one sample's bin counts.

The science is :func:`metevo.cn.qdnaseq.qdnaseq` (filters, GC/mappability LOESS, normalisation,
outlier smoothing, CBS, post-segmentation normalisation, calls) and
:func:`metevo.cn.qdnaseq.gene_values`; this module reads and checks the counts (and an
optional separate annotation and gene table), and writes the five outputs atomically:
``P.bins.tsv``, ``P.seg``, ``P.segments.tsv``, ``P.genes.tsv``, ``P.params.tsv``.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sample", required=True, metavar="ID", help="sample id; its column of --bins (or the only sample column)")
    parser.add_argument("--bins", required=True, metavar="COUNTS.tsv", help="bin counts (metevo bin-counts, or QDNAseq's exportBins of read counts)")
    parser.add_argument("--annotation", metavar="ANN.tsv",
                        help="bin annotation for the same bins, when --bins lacks gc/mappability/blacklist/residual (its columns win)")
    parser.add_argument("--genome", choices=("hg19", "hg38"), help="expected genome build of the bins; picks the package gene table")
    parser.add_argument("--purity", type=float, metavar="P", help="tumour purity in (0, 1]: purity-aware call cutoffs")
    parser.add_argument("--ploidy", type=float, metavar="Q", help="tumour ploidy (with --purity; default 2)")
    parser.add_argument("--no-estimate", action="store_true",
                        help="without --purity, use QDNAseq's fixed cutoffs instead of estimating purity and ploidy "
                             "with the cfdna step's HMM (ichorCNA)")
    parser.add_argument("--amplification-copies", type=float, default=5, metavar="C",
                        help="with --purity: copies from which a gain is an amplification [5]")
    parser.add_argument("--genes", metavar="GENES.tsv", help="genes to report: columns gene (or gene_name), chrom, start, end (1-based)")
    parser.add_argument("--include-sex-chromosomes", action="store_true",
                        help="keep X and Y bins (QDNAseq excludes X, Y and MT by default)")
    parser.add_argument("--span", type=float, default=0.65, metavar="F", help="LOESS span of the GC/mappability correction [0.65]")
    parser.add_argument("--alpha", type=float, default=1e-10, metavar="A", help="CBS significance level [1e-10]")
    parser.add_argument("--undo-sd", type=float, default=1.0, metavar="SD", help="CBS sdundo: merge segments closer than SD trimmed SDs [1.0]")
    parser.add_argument("--seed", type=int, default=0, metavar="N", help="seed of CBS's permutations [0]")
    parser.add_argument("--out-prefix", required=True, metavar="P", help="writes P.bins.tsv, P.seg, P.segments.tsv, P.genes.tsv, P.params.tsv")


def _check_options(args) -> None:
    from metevo.errors import ConfigError

    if args.purity is not None and not 0 < args.purity <= 1:
        raise ConfigError(f"--purity must be in (0, 1], not {args.purity}")
    if args.ploidy is not None:
        if args.purity is None:
            raise ConfigError("--ploidy needs --purity (without a purity QDNAseq's fixed cutoffs are used)")
        if not 0 < args.ploidy <= 8:
            raise ConfigError(f"--ploidy must be in (0, 8], not {args.ploidy}")
    if not args.amplification_copies >= 3.5:
        raise ConfigError(f"--amplification-copies must be at least 3.5, not {args.amplification_copies}")
    if not 0 < args.span <= 1:
        raise ConfigError(f"--span must be in (0, 1], not {args.span}")
    if not 0 < args.alpha < 1:
        raise ConfigError(f"--alpha must be in (0, 1), not {args.alpha}")
    if args.undo_sd < 0:
        raise ConfigError(f"--undo-sd must be >= 0, not {args.undo_sd}")


def _merge_annotation(counts, annotation, *, counts_path, annotation_path):
    """Annotation columns of ``annotation`` onto ``counts``; the bins must be the same."""
    import numpy as np

    from metevo.errors import InputError

    if len(annotation) != len(counts):
        raise InputError(
            f"expected the annotation to have the same bins as {counts_path} ({len(counts)} bins), found {len(annotation)}",
            file=annotation_path,
        )
    same = (
        (annotation["chromosome"].to_numpy(dtype=object) == counts["chromosome"].to_numpy(dtype=object))
        & (annotation["start"].to_numpy() == counts["start"].to_numpy())
        & (annotation["end"].to_numpy() == counts["end"].to_numpy())
    )
    if not same.all():
        i = int(np.flatnonzero(~same)[0])
        raise InputError(
            f"expected the bin {counts['chromosome'].iloc[i]}:{counts['start'].iloc[i]}-{counts['end'].iloc[i]} of {counts_path}, "
            f"found {annotation['chromosome'].iloc[i]}:{annotation['start'].iloc[i]}-{annotation['end'].iloc[i]}",
            file=annotation_path, line=i + 2,
        )
    merged = counts.copy()
    for column in annotation.attrs.get("annotation", []):
        merged[column] = annotation[column].to_numpy()
    merged.attrs = dict(counts.attrs)
    merged.attrs["annotation"] = sorted(set(counts.attrs.get("annotation", [])) | set(annotation.attrs.get("annotation", [])))
    return merged


def _read_genes(path):
    """gene chrom start end from a user table (``gene`` or ``gene_name``), rows as given."""
    import numpy as np
    import pandas as pd

    from metevo.errors import InputError
    from metevo.io.tables import read_table
    from metevo.variants import harmonise_chrom

    frame = read_table(path, what="gene table")
    gene_col = "gene" if "gene" in frame.columns else ("gene_name" if "gene_name" in frame.columns else None)
    if gene_col is None:
        raise InputError(f"missing required column 'gene' (or 'gene_name'); header has: {', '.join(c for c in frame.columns if c != '__line__')}",
                         file=path, line=frame.attrs.get("header_line", 1), column="gene")
    for column in ("chrom", "start", "end"):
        if column not in frame.columns:
            raise InputError(f"missing required column '{column}'", file=path, line=frame.attrs.get("header_line", 1), column=column)
    out = {"gene": frame[gene_col].to_numpy(dtype=object), "chrom": [harmonise_chrom(c) for c in frame["chrom"]]}
    for column in ("start", "end"):
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy(np.float64)
        bad = ~np.isfinite(values) | (values != np.floor(values)) | (values < 1)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(f"expected a whole-number 1-based {column}, found '{frame[column].iloc[i]}'",
                             file=path, line=int(frame["__line__"].iloc[i]), column=column)
        out[column] = values.astype(np.int64)
    genes = pd.DataFrame(out)
    bad = genes["end"].to_numpy() < genes["start"].to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise InputError("expected end >= start", file=path, line=int(frame["__line__"].iloc[i]), column="end")
    return genes


def _package_genes(genome):
    """Genes shipped with metevo for ``genome`` (metevo.cn.reference), or None."""
    if genome is None:
        return None
    try:
        from metevo.cn import reference
    except ImportError:
        return None
    try:
        return reference.genes(genome).loc[:, ["gene", "chrom", "start", "end"]]
    except (FileNotFoundError, KeyError, ValueError, AttributeError):
        return None


def _write_seg(segments, path) -> None:
    try:
        from metevo.io.segments import write_igv_seg
    except ImportError:  # the segments module is optional here: the .seg layout is fixed
        import pandas as pd

        from metevo.io.tables import write_tsv

        def write_igv_seg(seg, p):
            write_tsv(pd.DataFrame({
                "ID": seg["sample"].to_numpy(), "chrom": seg["chrom"].to_numpy(),
                "loc.start": seg["start"].to_numpy(), "loc.end": seg["end"].to_numpy(),
                "num.mark": seg["n_bins"].astype("Int64").array, "seg.mean": seg["log2"].to_numpy(),
            }), p)
    write_igv_seg(segments, path)


def _write_segments(segments, path) -> None:
    from metevo.cn.qdnaseq import SEGMENT_COLUMNS
    from metevo.io.tables import write_tsv

    write_tsv(segments, path, columns=SEGMENT_COLUMNS)


def _estimate_purity(bins, segments):
    """Purity and ploidy from the corrected profile by metevo cfdna's model (ichorCNA)."""
    from metevo.cn.ichor import estimate_purity_ploidy

    used = bins["use"].to_numpy(dtype=bool)
    return estimate_purity_ploidy(bins["chromosome"].to_numpy()[used], bins["start"].to_numpy()[used],
                                  bins["end"].to_numpy()[used], bins["copynumber"].to_numpy(dtype=float)[used])


def run(args: argparse.Namespace) -> None:
    import pandas as pd

    from metevo.cn.qdnaseq import DEFAULT_EXCLUDED, GENE_COLUMNS, gene_values, qdnaseq
    from metevo.errors import InputError
    from metevo.io.atomic import Outputs
    from metevo.io.bins import read_bins
    from metevo.io.tables import write_tsv

    _check_options(args)
    counts = read_bins(args.bins, genome=args.genome, values="counts", what="bin counts table")
    samples = counts.attrs["samples"]
    if args.sample in samples:
        column = args.sample
    elif len(samples) == 1:
        column = samples[0]
    else:
        found = ", ".join(samples) if samples else "none"
        raise InputError(f"expected a counts column named '{args.sample}' (or exactly one sample column), found: {found}", file=args.bins, line=1)
    genome = args.genome or counts.attrs.get("genome")
    if args.annotation:
        annotation = read_bins(args.annotation, genome=genome, values="counts", what="bin annotation")
        genome = genome or annotation.attrs.get("genome")
        counts = _merge_annotation(counts, annotation, counts_path=args.bins, annotation_path=args.annotation)
    if "gc" not in counts.columns:
        raise InputError("the bins have no 'gc' column, which the GC/mappability correction needs; give --annotation ANN.tsv",
                         file=args.annotation or args.bins, line=1, column="gc")
    genes = _read_genes(args.genes) if args.genes else _package_genes(genome)

    excluded = ("MT",) if args.include_sex_chromosomes else DEFAULT_EXCLUDED
    result = qdnaseq(counts, counts[column].to_numpy(), sample=args.sample, purity=args.purity, ploidy=args.ploidy,
                     seed=args.seed, span=args.span, alpha=args.alpha, undo_sd=args.undo_sd,
                     exclude_chromosomes=excluded, amplification_copies=args.amplification_copies,
                     estimate_purity=None if args.no_estimate else _estimate_purity)
    if result.params["bins_used"] == 0:
        raise InputError("no bin is left after QDNAseq's filters (residual, blacklist, sex chromosomes, missing GC)", file=args.bins)
    gene_table = gene_values(result.segments, genes) if genes is not None else pd.DataFrame(columns=list(GENE_COLUMNS))
    params = dict(result.params)
    params["genome"] = genome
    params["genes_source"] = "--genes" if args.genes else ("metevo" if genes is not None else "none")
    params["method"] = "QDNAseq"
    prefix = args.out_prefix
    with Outputs() as out:
        bins_out = result.bins.copy()
        bins_out["use"] = bins_out["use"].map({True: "TRUE", False: "FALSE"})
        write_tsv(bins_out, out.path(f"{prefix}.bins.tsv"))
        _write_seg(result.segments, out.path(f"{prefix}.seg"))
        _write_segments(result.segments, out.path(f"{prefix}.segments.tsv"))
        write_tsv(gene_table, out.path(f"{prefix}.genes.tsv"), columns=GENE_COLUMNS)
        write_tsv(pd.DataFrame([params]), out.path(f"{prefix}.params.tsv"))
