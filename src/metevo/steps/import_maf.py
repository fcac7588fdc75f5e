"""metevo import-maf: one sample's mutations from a GDC / cBioPortal / maftools MAF.

The sample's rows are those whose ``Tumor_Sample_Barcode`` is ``--maf-sample`` (default: the
sample id). Duplicated variants (same position and alleles) are dropped as maftools
``validateMaf`` does. The read-count thresholds of ensemble-calls are applied where the MAF
can answer them: depth and VAF when it has ``t_depth`` and ``t_alt_count`` (or ``t_vaf``),
ALT reads when it has ``t_alt_count``, the normal ones when it has ``n_depth`` and
``n_alt_count``; a row whose cell is empty is not judged on that threshold. The output is a
metevo MAF (Tumor_Sample_Barcode = the sample id, ``callers`` = 'maf' and ``n_callers`` = 1
unless the MAF carries them; ``HGVSp_Short`` from ``Protein_Change`` when only that exists).
"""

from __future__ import annotations

import argparse

from metevo.errors import InputError
from metevo.steps.ensemble_calls import add_threshold_arguments, thresholds_from_args


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sample", required=True, help="sample id (Tumor_Sample_Barcode of the output)")
    parser.add_argument("--maf", required=True, metavar="M", help="MAF holding the sample (plain or gzip)")
    parser.add_argument("--maf-sample", metavar="BARCODE", help="the sample's Tumor_Sample_Barcode in the MAF (default: --sample)")
    add_threshold_arguments(parser)
    parser.add_argument("--out", required=True, metavar="OUT.maf", help="the sample's MAF")


def _numbers(frame, column: str, path, *, integer: bool):
    """A numeric column of a MAF (strings) as float array; '', NA and '.' are missing."""
    import numpy as np

    values = frame[column].tolist()
    lines = frame["__line__"].tolist()
    out = np.full(len(values), np.nan)
    for i, value in enumerate(values):
        if value in ("", ".", "NA", "NaN", "nan", "None"):
            continue
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if number != number or number < 0 or (integer and not number.is_integer()):
            kind = "a non-negative integer" if integer else "a non-negative number"
            raise InputError(f"expected {kind} or an empty cell, found '{value}'", file=path, line=int(lines[i]), column=column)
        out[i] = number
    return out


def select_sample(frame, barcode: str, path):
    """The rows of one Tumor_Sample_Barcode; InputError listing some barcodes when none match."""
    rows = frame[frame["Tumor_Sample_Barcode"] == barcode]
    if not len(rows):
        present = sorted(set(frame["Tumor_Sample_Barcode"].tolist()))
        shown = ", ".join(present[:5]) + (f", ... ({len(present)} in all)" if len(present) > 5 else "")
        raise InputError(
            f"no rows with Tumor_Sample_Barcode '{barcode}' (the MAF has: {shown or 'no rows'}); "
            "set maf_sample in the samplesheet (--maf-sample) to the sample's barcode",
            file=path,
            column="Tumor_Sample_Barcode",
        )
    return rows.reset_index(drop=True)


def import_sample(frame, *, sample: str, barcode: str, thresholds, path):
    """Rows of ``barcode`` as a metevo MAF table (see module docstring)."""
    import numpy as np
    import pandas as pd

    rows = select_sample(frame, barcode, path)
    rows = rows.drop_duplicates(subset=["Chromosome", "Start_Position", "Reference_Allele", "Tumor_Seq_Allele2"], keep="first")
    rows = rows.reset_index(drop=True)
    columns = set(rows.columns)
    n = len(rows)
    nan = np.full(n, np.nan)
    t_depth = _numbers(rows, "t_depth", path, integer=True) if "t_depth" in columns and rows["t_depth"].ne("").any() else nan
    t_alt = _numbers(rows, "t_alt_count", path, integer=True) if "t_alt_count" in columns and rows["t_alt_count"].ne("").any() else nan
    t_ref = _numbers(rows, "t_ref_count", path, integer=True) if "t_ref_count" in columns and rows["t_ref_count"].ne("").any() else nan
    given_vaf = _numbers(rows, "t_vaf", path, integer=False) if "t_vaf" in columns and rows["t_vaf"].ne("").any() else nan
    n_depth = _numbers(rows, "n_depth", path, integer=True) if "n_depth" in columns and rows["n_depth"].ne("").any() else nan
    n_alt = _numbers(rows, "n_alt_count", path, integer=True) if "n_alt_count" in columns and rows["n_alt_count"].ne("").any() else nan
    n_ref = _numbers(rows, "n_ref_count", path, integer=True) if "n_ref_count" in columns and rows["n_ref_count"].ne("").any() else nan
    with np.errstate(divide="ignore", invalid="ignore"):
        computed = np.where(t_depth > 0, t_alt / t_depth, np.nan)
        n_vaf = np.where(n_depth > 0, n_alt / n_depth, np.nan)
    vaf = np.where(np.isnan(computed), given_vaf, computed)
    bad_vaf = np.flatnonzero(vaf > 1)
    if len(bad_vaf):
        i = int(bad_vaf[0])
        raise InputError(f"VAF {vaf[i]:.4g} is above 1 (t_alt_count > t_depth, or t_vaf given in percent)", file=path,
                         line=int(rows["__line__"].iat[i]), column="t_vaf" if np.isnan(computed[i]) else "t_alt_count")
    keep = np.ones(n, dtype=bool)
    # a threshold judges only the rows that have the value it needs
    keep &= ~(t_depth < thresholds.min_depth)
    keep &= ~(t_alt < thresholds.min_alt)
    keep &= ~(vaf < thresholds.min_vaf)
    keep &= ~(n_depth < thresholds.min_normal_depth)
    keep &= ~(n_vaf > thresholds.max_normal_vaf)
    rows = rows[keep].reset_index(drop=True)

    def ints(values):
        values = values[keep]
        return pd.array([pd.NA if np.isnan(v) else int(v) for v in values], dtype="Int64")

    out = pd.DataFrame({
        "Hugo_Symbol": rows["Hugo_Symbol"],
        "Entrez_Gene_Id": rows["Entrez_Gene_Id"],
        "Center": rows["Center"],
        "NCBI_Build": rows["NCBI_Build"],
        "Chromosome": rows["Chromosome"],
        "Start_Position": rows["Start_Position"].astype("int64"),
        "End_Position": rows["End_Position"].astype("int64"),
        "Strand": rows["Strand"].where(rows["Strand"] != "", "+"),
        "Variant_Classification": rows["Variant_Classification"],
        "Variant_Type": rows["Variant_Type"],
        "Reference_Allele": rows["Reference_Allele"],
        "Tumor_Seq_Allele1": rows["Tumor_Seq_Allele1"].where(rows["Tumor_Seq_Allele1"] != "", rows["Reference_Allele"]),
        "Tumor_Seq_Allele2": rows["Tumor_Seq_Allele2"],
        "Tumor_Sample_Barcode": sample,
        "Matched_Norm_Sample_Barcode": rows["Matched_Norm_Sample_Barcode"],
        "HGVSp_Short": rows["HGVSp_Short"],
        "Transcript_ID": rows["Transcript_ID"],
        "Consequence": rows["Consequence"],
        "t_depth": ints(t_depth),
        "t_ref_count": ints(t_ref),
        "t_alt_count": ints(t_alt),
        "t_vaf": vaf[keep],
        "n_depth": ints(n_depth),
        "n_ref_count": ints(n_ref),
        "n_alt_count": ints(n_alt),
    })
    if "Protein_Change" in columns:
        out["HGVSp_Short"] = out["HGVSp_Short"].where(out["HGVSp_Short"] != "", rows["Protein_Change"])
    has_callers = "callers" in columns and rows["callers"].ne("").all()
    out["callers"] = rows["callers"] if has_callers else "maf"
    if has_callers and "n_callers" in columns and rows["n_callers"].ne("").all():
        out["n_callers"] = _numbers(rows, "n_callers", path, integer=True).astype(np.int64)
    elif has_callers:
        out["n_callers"] = [len(c.split(",")) for c in rows["callers"].tolist()]
    else:
        out["n_callers"] = 1
    return out


def run(args: argparse.Namespace) -> None:
    from metevo.io.atomic import Outputs
    from metevo.io.maf import read_maf, write_maf

    thresholds = thresholds_from_args(args)
    frame = read_maf(args.maf)
    barcode = args.maf_sample or args.sample
    maf = import_sample(frame, sample=args.sample, barcode=barcode, thresholds=thresholds, path=args.maf)
    with Outputs() as out:
        write_maf(maf, out.path(args.out))
