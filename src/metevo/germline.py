"""Pathogenic germline variants in homologous-recombination (HR) genes.

A variant in one of the genes examined (BRCA1, BRCA2, PALB2, ATM, CHEK2 by default) is
reported when the patient carries it (its genotype holds the ALT allele) and

- the VCF carries a ClinVar significance for it (INFO ``CLNSIG``, as written by
  ``bcftools annotate`` or VEP's ``--custom`` ClinVar option) and that significance is
  Pathogenic or Likely pathogenic (also as part of a combined term such as
  ``Pathogenic/Likely_pathogenic`` or ``Pathogenic|risk_factor``; *Conflicting
  interpretations* is not), or
- the variant has no ClinVar significance and its consequence is protein-truncating
  (nonsense, frameshift, canonical splice site, start lost, stop lost), the usual first-pass
  rule for HR genes (ACMG PVS1 without its last-exon and rescue caveats, which need
  transcript structure the VCF does not carry; stated as a deviation).

A ClinVar verdict, when present, always wins over the consequence: a truncating variant that
ClinVar calls benign is not reported.
"""

from __future__ import annotations

import re

import pandas as pd

from metevo.consequence import TRUNCATING_CLASSES

DEFAULT_HR_GENES = ("BRCA1", "BRCA2", "PALB2", "ATM", "CHEK2")

OUTPUT_COLUMNS = [
    "patient",
    "sample",
    "gene",
    "chrom",
    "pos",
    "ref",
    "alt",
    "genotype",
    "Variant_Classification",
    "HGVSp_Short",
    "clinvar_significance",
    "evidence",
    "depth",
    "alt_count",
    "vaf",
]


def clinvar_class(clnsig: str) -> str | None:
    """'pathogenic', 'likely_pathogenic', 'other', or None when there is no ClinVar term.

    ClinVar's CLNSIG joins terms with '|' or ',' and writes combined assertions with '/'.
    """
    if clnsig is None or (isinstance(clnsig, float) and pd.isna(clnsig)):
        return None
    text = str(clnsig).strip()
    if text in ("", "."):
        return None
    terms = [t.strip().lower().replace(" ", "_") for t in re.split(r"[|,/]", text) if t.strip()]
    if any(t.startswith("conflicting") for t in terms):
        return "other"
    if "pathogenic" in terms:
        return "pathogenic"
    if "likely_pathogenic" in terms:
        return "likely_pathogenic"
    return "other"


def carries_alt(genotype: str) -> bool:
    """True when a VCF GT (e.g. '0/1', '1|1', '1') holds a non-reference allele of this row."""
    if not isinstance(genotype, str) or genotype in ("", "."):
        return True  # no genotype: the record itself is the evidence (e.g. sites-only calls)
    alleles = re.split(r"[/|]", genotype)
    return any(a not in ("0", ".") for a in alleles)


def pathogenic_variants(calls: pd.DataFrame, *, patient: str, sample: str, genes=DEFAULT_HR_GENES) -> pd.DataFrame:
    """Rows of ``calls`` (metevo calls table with CLNSIG and genotype columns) that are reported."""
    wanted = {g.upper() for g in genes}
    in_genes = calls[calls["Hugo_Symbol"].str.upper().isin(wanted)].copy()
    if "genotype" not in in_genes.columns:
        in_genes["genotype"] = ""
    if "CLNSIG" not in in_genes.columns:
        in_genes["CLNSIG"] = ""
    in_genes = in_genes[in_genes["genotype"].map(carries_alt)]
    verdict = in_genes["CLNSIG"].map(clinvar_class)
    by_clinvar = verdict.isin(["pathogenic", "likely_pathogenic"])
    by_consequence = verdict.isna() & in_genes["Variant_Classification"].isin(TRUNCATING_CLASSES)
    hits = in_genes[by_clinvar | by_consequence].copy()
    hits["evidence"] = [
        f"clinvar_{v}" if v in ("pathogenic", "likely_pathogenic") else "truncating"
        for v in verdict[by_clinvar | by_consequence]
    ]
    depth = hits["t_depth"].astype("Float64")
    alt = hits["t_alt_count"].astype("Float64")
    out = pd.DataFrame(
        {
            "patient": patient,
            "sample": sample,
            "gene": hits["Hugo_Symbol"],
            "chrom": hits["chrom"],
            "pos": hits["pos"].astype("int64"),
            "ref": hits["ref"],
            "alt": hits["alt"],
            "genotype": hits["genotype"],
            "Variant_Classification": hits["Variant_Classification"],
            "HGVSp_Short": hits["HGVSp_Short"],
            "clinvar_significance": hits["CLNSIG"].fillna(""),
            "evidence": hits["evidence"],
            "depth": hits["t_depth"],
            "alt_count": hits["t_alt_count"],
            "vaf": (alt / depth).where(depth > 0),
        },
        columns=OUTPUT_COLUMNS,
    )
    return out.sort_values(["gene", "chrom", "pos", "ref", "alt"], kind="stable").reset_index(drop=True)
