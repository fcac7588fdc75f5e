"""``metevo clonality``: cancer cell fraction, multiplicity and clonal call of each mutation of a
sample (:mod:`metevo.clonality`; docs/clonality-loh.md). The output is the sample's MAF rows
with the columns of :data:`metevo.clonality.CLONALITY_COLUMNS` added."""

from __future__ import annotations

import argparse

from metevo.io.segments import FORMATS


def _purity(text: str) -> float:
    if text.strip() in ("", "NA", "na", "NaN", "unknown"):
        return float("nan")
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a purity in (0, 1] or NA, found '{text}'") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"expected a purity in (0, 1] or NA, found '{text}'")
    return value


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, found '{text}'") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, found '{text}'")
    return value


def _normal_cn(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, found '{text}'") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, found '{text}'")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sample", required=True, help="sample id (Tumor_Sample_Barcode in the MAF; sample in the segments)")
    parser.add_argument("--maf", required=True, metavar="S.maf", help="the sample's MAF (or a cohort MAF holding it)")
    parser.add_argument("--segments", required=True, metavar="S.segments.tsv", help="the sample's segments, any supported format")
    parser.add_argument("--segments-format", choices=FORMATS, help="segment format (default: recognised from the header)")
    parser.add_argument("--purity", type=_purity, default=float("nan"),
                        help="tumour purity in (0, 1]; NA or absent = unknown (every call indeterminate)")
    parser.add_argument("--ploidy", type=_positive,
                        help="sample ploidy: converts the log2 ratio of segments without integer copy number")
    parser.add_argument("--params", metavar="P.params.tsv",
                        help="purity and ploidy estimated by metevo copy-number (purity) or cfdna (tumor_fraction), "
                             "used when --purity / --ploidy are not given")
    parser.add_argument("--normal-cn", type=_normal_cn, default=2, help="copy number of the normal cells (default: %(default)s)")
    parser.add_argument("--min-depth", type=_normal_cn, default=20,
                        help="below this depth a mutation is 'indeterminate' (default: %(default)s)")
    parser.add_argument("--out", required=True, metavar="OUT.tsv", help="the MAF rows with clonality columns (metevo MAF)")


def _read_params(path: str) -> tuple[float, float | None]:
    """(purity, ploidy) of a copy-number or cfDNA params table; NaN / None when absent."""
    import math

    from metevo.errors import InputError
    from metevo.io.tables import read_table

    table = read_table(path, required=("sample",), what="params table")
    column = "purity" if "purity" in table.columns else "tumor_fraction" if "tumor_fraction" in table.columns else None
    if column is None:
        raise InputError("expected a 'purity' or 'tumor_fraction' column", file=path, line=1)
    row = table.iloc[0]

    def number(name: str) -> float:
        text = row.get(name, "")
        if text in ("", "NA"):
            return math.nan
        try:
            return float(text)
        except ValueError:
            raise InputError(f"expected a number, found '{text}'", file=path, line=int(row["__line__"]), column=name) from None

    purity = number(column)
    ploidy = number("ploidy") if "ploidy" in table.columns else math.nan
    purity = purity if 0 < purity <= 1 else math.nan  # 0 = no tumor found: every call indeterminate
    return purity, (ploidy if ploidy == ploidy else None)


def run(args: argparse.Namespace) -> None:
    from metevo.clonality import annotate_clonality
    from metevo.io.atomic import Outputs
    from metevo.io.maf import read_maf, write_maf
    from metevo.io.segments import read_segments
    from metevo.steps.import_maf import _numbers, select_sample

    maf = read_maf(args.maf)
    rows = select_sample(maf, args.sample, args.maf) if len(maf) else maf
    for column in ("t_depth", "t_ref_count", "t_alt_count"):
        if column in rows.columns:
            _numbers(rows, column, args.maf, integer=True)  # bad counts are an InputError, not a silent NA
    segments = read_segments(args.segments, sample=args.sample, format=args.segments_format)
    purity, ploidy = args.purity, args.ploidy
    if args.params and (purity != purity or ploidy is None):  # purity NaN = not given
        estimated_purity, estimated_ploidy = _read_params(args.params)
        purity = estimated_purity if purity != purity else purity
        ploidy = estimated_ploidy if ploidy is None else ploidy
    if ploidy is None and segments["ploidy"].notna().any():
        ploidy = float(segments["ploidy"].dropna().iloc[0])
    table = annotate_clonality(rows, segments, purity=purity, ploidy=ploidy, normal_cn=args.normal_cn,
                               min_depth=args.min_depth)
    with Outputs() as out:
        write_maf(table, out.path(args.out))
