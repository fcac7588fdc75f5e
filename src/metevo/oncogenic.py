"""Oncogenic alterations: which mutations and copy-number calls of a cohort are drivers.

Every non-synonymous mutation (maftools' classes, :data:`metevo.consequence.NONSYNONYMOUS_CLASSES`)
of a cohort MAF, and every amplification or deep deletion of a gene with a known role, becomes a
row of a long *alterations* table (:data:`ALTERATION_COLUMNS`), with a 0/1 ``oncogenic`` call
and the evidence that decided it. Rules, first match wins:

1. ``oncokb``: the MAF carries oncokb-annotator's ``MafAnnotator`` columns and this row has a
   definite OncoKB call. ``ONCOGENIC`` of Oncogenic, Likely Oncogenic, Predicted Oncogenic or
   Resistance is oncogenic; Likely Neutral and Inconclusive are not (and stay not: OncoKB's
   curated "no" is not overridden by a hotspot). When ``ONCOGENIC`` is empty or Unknown but
   ``HIGHEST_LEVEL`` is a therapeutic level (LEVEL_1, 2, 3A, 3B, 4, R1, R2), the row is oncogenic.
   Rows without a definite call fall through to the rules below.
2. ``hotspot``: a recurrent hotspot of cancerhotspots.org v2 (Chang et al., Cancer Discov 2018):
   a missense mutation at a single-residue hotspot (gene + amino-acid position, any variant
   amino acid), an in-frame insertion/deletion overlapping an in-frame indel hotspot, or a
   nonsense mutation at a truncating hotspot residue. The protein position comes from
   ``HGVSp_Short`` (``p.E545K``), else ``Protein_Change``, else ``Protein_position``.
3. ``truncating_tsg``: a truncating class (:data:`metevo.consequence.TRUNCATING_CLASSES`:
   nonsense, frameshift, splice site, translation start, nonstop) in a tumour suppressor.
4. copy number: ``amp_og`` an amplified oncogene, ``del_tsg`` a deep-deleted (homozygous,
   call ``deletion``) tumour suppressor. Amplifications of suppressors and deletions of
   oncogenes are listed with ``oncogenic`` 0.
5. otherwise ``none`` (0).

A gene's role comes from the pathway table's ``OG_TSG`` column (Sanchez-Vega et al., Cell
2018) and, for genes it leaves without a role, from metevo's shipped list
(``data/cancer_gene_roles.tsv``). Genes with both roles (``OG/TSG``) count for both rules.
Copy-number rows are written only for genes with a role (others can never be oncogenic).
Duplicated variants (same sample, chromosome, start, alleles) are kept once, as maftools does.
"""

from __future__ import annotations

import os
import re
from importlib import resources
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from metevo.consequence import NONSYNONYMOUS_CLASSES, TRUNCATING_CLASSES
from metevo.errors import InputError

ALTERATION_COLUMNS = (
    "patient", "sample", "sample_type", "gene", "alteration", "detail", "oncogenic", "evidence",
    "variant_classification", "oncokb_oncogenic", "oncokb_level",
    "chromosome", "start_position", "reference_allele", "tumor_seq_allele2",
)
ALTERATIONS = ("mutation", "amplification", "deletion")
EVIDENCE = ("oncokb", "hotspot", "truncating_tsg", "amp_og", "del_tsg", "none")
HOTSPOT_COLUMNS = ("gene", "residue_start", "residue_end", "reference", "type", "variants")
HOTSPOT_TYPES = ("single_residue", "inframe_indel", "truncating")
ROLES = ("OG", "TSG", "OG/TSG")

# oncokb-annotator MafAnnotator ONCOGENIC values
ONCOKB_POSITIVE = frozenset({"Oncogenic", "Likely Oncogenic", "Predicted Oncogenic", "Resistance"})
ONCOKB_NEGATIVE = frozenset({"Likely Neutral", "Inconclusive"})
ONCOKB_LEVELS = frozenset({"LEVEL_1", "LEVEL_2", "LEVEL_3A", "LEVEL_3B", "LEVEL_4", "LEVEL_R1", "LEVEL_R2"})
INFRAME_CLASSES = frozenset({"In_Frame_Del", "In_Frame_Ins"})

_DATA = "metevo.data"
DEFAULT_PATHWAYS = "oncogenic_pathways.tsv"
DEFAULT_HOTSPOTS = "cancer_hotspots.tsv"
DEFAULT_ROLES = "cancer_gene_roles.tsv"

# p.E545K, p.E746_A750del, p.X125_splice, p.R1335*, p.K111fs, E545K (Protein_Change without p.)
_PROT_RE = re.compile(r"^(?:p\.)?\(?([A-Z*])(\d+)(?:_([A-Z*])(\d+))?")
_PPOS_RE = re.compile(r"^(\d+)(?:-(\d+))?(?:/\d+)?$")


# ------------------------------------------------------------------------- reference tables


def _data_path(name: str) -> Path:
    return Path(str(resources.files(_DATA).joinpath(name)))


def protein_range(change: str) -> tuple[int, int, str] | None:
    """(first residue, last residue, reference amino acid at the first) of a protein change
    such as ``p.E545K``, ``p.E746_A750del`` or ``p.X125_splice``; None when there is none."""
    if not change:
        return None
    m = _PROT_RE.match(change.strip())
    if not m:
        return None
    start = int(m.group(2))
    end = int(m.group(4)) if m.group(4) else start
    return start, max(start, end), m.group(1)


def _protein_position(value: str) -> tuple[int, int] | None:
    m = _PPOS_RE.match(value.strip()) if value else None
    if not m:
        return None
    start = int(m.group(1))
    return start, int(m.group(2)) if m.group(2) else start


def hotspots_from_variant_list(genes: Sequence[str], classes: Sequence[str], changes: Sequence[str]) -> pd.DataFrame:
    """The hotspot table (:data:`HOTSPOT_COLUMNS`) from a per-variant hotspot list (maftools'
    copy of cancerhotspots v2: gene, class Missense_Mutation/Nonsense_Mutation/DEL/INS, protein
    change). Missense rows give single-residue hotspots, DEL/INS rows in-frame indel hotspots
    (their residue range), Nonsense rows truncating hotspots unless the residue is already a
    single-residue hotspot."""
    groups: dict[tuple[str, int, int, str], dict] = {}
    missense_residues = set()
    pending_nonsense = []
    for gene, cls, change in zip(genes, classes, changes):
        parsed = protein_range(change)
        if parsed is None or not gene:
            continue
        start, end, ref = parsed
        if cls == "Missense_Mutation":
            kind = "single_residue"
            missense_residues.add((gene, start))
        elif cls in ("DEL", "INS", "In_Frame_Del", "In_Frame_Ins"):
            kind = "inframe_indel"
        elif cls == "Nonsense_Mutation":
            pending_nonsense.append((gene, start, end, ref, change))
            continue
        else:
            continue
        entry = groups.setdefault((gene, start, end, kind), {"reference": ref, "variants": set()})
        entry["variants"].add(change)
    for gene, start, end, ref, change in pending_nonsense:
        kind = "single_residue" if (gene, start) in missense_residues else "truncating"
        entry = groups.setdefault((gene, start, end, kind), {"reference": ref, "variants": set()})
        entry["variants"].add(change)
    rows = [
        {"gene": g, "residue_start": s, "residue_end": e, "reference": v["reference"], "type": k,
         "variants": ",".join(sorted(v["variants"]))}
        for (g, s, e, k), v in groups.items()
    ]
    table = pd.DataFrame(rows, columns=list(HOTSPOT_COLUMNS))
    return table.sort_values(["gene", "residue_start", "residue_end", "type"], kind="mergesort").reset_index(drop=True)


def read_hotspots(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Hotspot table from metevo's format (:data:`HOTSPOT_COLUMNS`), maftools' headerless
    cancerhotspots list (chrom pos ref alt gene class change [sift]) or a cancerhotspots.org
    table (``Hugo_Symbol``, ``Amino_Acid_Position`` or ``Residue``, optional ``Type``); None
    reads the shipped table."""
    from metevo.io.tables import open_text, read_table

    path = Path(path) if path is not None else _data_path(DEFAULT_HOTSPOTS)
    with open_text(path) as fh:
        first = fh.readline().rstrip("\r\n").split("\t")
    if len(first) >= 7 and first[1].isdigit():  # maftools' headerless list
        frame = pd.read_csv(path, sep="\t", header=None, dtype=str, keep_default_na=False, quoting=3)
        if frame.shape[1] < 7:
            raise InputError(f"expected 7 or 8 columns (chrom pos ref alt gene class change), found {frame.shape[1]}", file=path)
        return hotspots_from_variant_list(frame[4].tolist(), frame[5].tolist(), frame[6].tolist())
    frame = read_table(path, sep="\t", comment="#", what="hotspot table")
    cols = set(frame.columns)
    if {"gene", "residue_start", "residue_end", "type"} <= cols:
        out = frame.drop(columns="__line__").copy()
        for name in ("residue_start", "residue_end"):
            values = pd.to_numeric(out[name], errors="coerce")
            bad = np.flatnonzero(values.isna().to_numpy() | (values.to_numpy() < 1))
            if len(bad):
                i = int(bad[0])
                raise InputError(f"expected a positive amino-acid position, found '{out[name].iat[i]}'", file=path,
                                 line=int(frame["__line__"].iat[i]), column=name)
            out[name] = values.astype(np.int64)
        bad = np.flatnonzero(~out["type"].isin(HOTSPOT_TYPES).to_numpy())
        if len(bad):
            i = int(bad[0])
            raise InputError(f"expected type {', '.join(HOTSPOT_TYPES)}, found '{out['type'].iat[i]}'", file=path,
                             line=int(frame["__line__"].iat[i]), column="type")
        for name in ("reference", "variants"):
            if name not in out.columns:
                out[name] = ""
        return out.loc[:, list(HOTSPOT_COLUMNS)]
    if "Hugo_Symbol" in cols and ("Amino_Acid_Position" in cols or "Residue" in cols):
        rows = []
        for _, row in frame.iterrows():
            kind_text = row.get("Type", "single residue").lower()
            if "indel" in kind_text:
                rng = protein_range(row.get("Residue", "")) or _protein_position(row.get("Amino_Acid_Position", "").replace("-", "-"))
                kind = "inframe_indel"
            else:
                rng = _protein_position(row.get("Amino_Acid_Position", "")) or protein_range(row.get("Residue", ""))
                kind = "single_residue"
            if rng is None:
                column = "Amino_Acid_Position" if "Amino_Acid_Position" in cols else "Residue"
                raise InputError(f"expected an amino-acid position, found '{row.get(column, '')}'", file=path,
                                 line=int(row["__line__"]), column=column)
            rows.append({"gene": row["Hugo_Symbol"], "residue_start": int(rng[0]), "residue_end": int(rng[1]),
                         "reference": row.get("Reference_Amino_Acid", "")[:1], "type": kind,
                         "variants": row.get("Variant_Amino_Acid", "")})
        table = pd.DataFrame(rows, columns=list(HOTSPOT_COLUMNS)).drop_duplicates(["gene", "residue_start", "residue_end", "type"])
        return table.sort_values(["gene", "residue_start", "residue_end", "type"], kind="mergesort").reset_index(drop=True)
    raise InputError("unrecognised hotspot table: expected columns gene residue_start residue_end type (metevo), "
                     "Hugo_Symbol and Amino_Acid_Position (cancerhotspots.org), or maftools' headerless list",
                     file=path, line=1)


def read_pathways(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Oncogenic signalling pathway gene lists: columns ``pathway``, ``gene``, ``role`` (OG, TSG
    or ''). Reads the Sanchez-Vega et al. 2018 layout (``Pathway Gene OG_TSG``, as maftools ships
    it) or ``pathway gene [role]``; None reads the shipped table."""
    from metevo.io.tables import read_table

    path = Path(path) if path is not None else _data_path(DEFAULT_PATHWAYS)
    frame = read_table(path, sep="\t", comment="#", what="pathway table")
    lower = {c.lower(): c for c in frame.columns}
    pcol, gcol = lower.get("pathway"), lower.get("gene")
    rcol = lower.get("og_tsg") or lower.get("role")
    for name, col in (("Pathway", pcol), ("Gene", gcol)):
        if col is None:
            raise InputError(f"missing required column '{name}' (header has: {', '.join(c for c in frame.columns if c != '__line__')})",
                             file=path, line=frame.attrs.get("header_line", 1), column=name)
    roles = frame[rcol].map(_normalise_role) if rcol else pd.Series([""] * len(frame))
    out = pd.DataFrame({"pathway": frame[pcol].to_numpy(), "gene": frame[gcol].to_numpy(), "role": roles.to_numpy()})
    empty = np.flatnonzero((out["pathway"] == "").to_numpy() | (out["gene"] == "").to_numpy())
    if len(empty):
        i = int(empty[0])
        column = pcol if out["pathway"].iat[i] == "" else gcol
        raise InputError("expected a pathway and a gene, found an empty cell", file=path, line=int(frame["__line__"].iat[i]), column=column)
    return out.drop_duplicates(["pathway", "gene"]).reset_index(drop=True)


def _normalise_role(value: str) -> str:
    v = str(value).strip().upper().replace("_", "/").replace(",", "/")
    if v in ("OG", "ONCOGENE"):
        return "OG"
    if v in ("TSG", "TUMOR SUPPRESSOR", "TUMOUR SUPPRESSOR"):
        return "TSG"
    if v in ("OG/TSG", "TSG/OG", "BOTH"):
        return "OG/TSG"
    return ""


def read_gene_roles(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Gene roles table: columns ``gene``, ``role`` (OG, TSG, OG/TSG); None reads the shipped list."""
    from metevo.io.tables import read_table

    path = Path(path) if path is not None else _data_path(DEFAULT_ROLES)
    frame = read_table(path, sep="\t", comment="#", required=("gene", "role"), what="gene role table")
    roles = frame["role"].map(_normalise_role)
    bad = np.flatnonzero((roles == "").to_numpy())
    if len(bad):
        i = int(bad[0])
        raise InputError(f"expected role OG, TSG or OG/TSG, found '{frame['role'].iat[i]}'", file=path,
                         line=int(frame["__line__"].iat[i]), column="role")
    return pd.DataFrame({"gene": frame["gene"].to_numpy(), "role": roles.to_numpy()})


def gene_roles(pathways: pd.DataFrame, extra: pd.DataFrame | None = None) -> dict[str, str]:
    """gene -> OG/TSG/OG-TSG: the pathway table's roles, then ``extra`` for genes it leaves
    without one. A gene given both roles (in different pathway rows) is OG/TSG."""
    roles: dict[str, str] = {}
    for gene, role in zip(pathways["gene"], pathways["role"]):
        if not role:
            continue
        old = roles.get(gene)
        roles[gene] = role if old in (None, role) else "OG/TSG"
    if extra is not None:
        for gene, role in zip(extra["gene"], extra["role"]):
            roles.setdefault(gene, role)
    return roles


# ---------------------------------------------------------------------------- classification


class HotspotIndex:
    """Look-up of hotspots by gene: residues (single and truncating) and in-frame ranges."""

    def __init__(self, hotspots: pd.DataFrame) -> None:
        self.residues: set[tuple[str, int]] = set()
        self.truncating: set[tuple[str, int]] = set()
        self.ranges: dict[str, list[tuple[int, int]]] = {}
        for gene, start, end, kind in zip(hotspots["gene"], hotspots["residue_start"], hotspots["residue_end"], hotspots["type"]):
            if kind == "single_residue":
                for pos in range(int(start), int(end) + 1):
                    self.residues.add((gene, pos))
            elif kind == "truncating":
                self.truncating.add((gene, int(start)))
            else:
                self.ranges.setdefault(gene, []).append((int(start), int(end)))

    def hit(self, gene: str, classification: str, position: tuple[int, int] | None) -> bool:
        if position is None:
            return False
        start, end = position
        if classification == "Missense_Mutation":
            return (gene, start) in self.residues
        if classification in INFRAME_CLASSES:
            return any(s <= end and start <= e for s, e in self.ranges.get(gene, ()))
        if classification == "Nonsense_Mutation":
            return (gene, start) in self.truncating
        return False


def _column(maf: pd.DataFrame, name: str) -> list[str]:
    if name not in maf.columns:
        return [""] * len(maf)
    return ["" if v is None or (isinstance(v, float) and v != v) else str(v).strip() for v in maf[name].tolist()]


def _positions(maf: pd.DataFrame) -> tuple[list[str], list[tuple[int, int] | None]]:
    """The protein change reported in ``detail`` and its residue range, per MAF row."""
    hgvsp = _column(maf, "HGVSp_Short")
    change = _column(maf, "Protein_Change")
    ppos = _column(maf, "Protein_position")
    details, positions = [], []
    for h, c, p in zip(hgvsp, change, ppos):
        text = h or c
        parsed = protein_range(text)
        pos = (parsed[0], parsed[1]) if parsed else _protein_position(p)
        if text and not text.startswith("p."):
            text = "p." + text
        details.append(text)
        positions.append(pos)
    return details, positions


def classify_mutations(maf: pd.DataFrame, hotspots: pd.DataFrame, roles: Mapping[str, str]) -> pd.DataFrame:
    """The mutation rows of the alterations table (:data:`ALTERATION_COLUMNS`).

    ``maf``: a (cohort) MAF as :func:`metevo.io.maf.read_maf` returns it, with ``patient`` and
    ``sample_type`` columns. Only non-synonymous rows are kept; duplicated variants once.
    """
    vc = _column(maf, "Variant_Classification")
    keep = np.array([v in NONSYNONYMOUS_CLASSES for v in vc], dtype=bool)
    maf = maf.loc[keep].reset_index(drop=True)
    if len(maf):
        key = ["Tumor_Sample_Barcode", "Chromosome", "Start_Position", "Reference_Allele", "Tumor_Seq_Allele2"]
        maf = maf.drop_duplicates([k for k in key if k in maf.columns]).reset_index(drop=True)
    vc = _column(maf, "Variant_Classification")
    genes = _column(maf, "Hugo_Symbol")
    details, positions = _positions(maf)
    has_oncokb = "ONCOGENIC" in maf.columns or "HIGHEST_LEVEL" in maf.columns
    oncokb = _column(maf, "ONCOGENIC")
    levels = _column(maf, "HIGHEST_LEVEL")
    index = HotspotIndex(hotspots)
    oncogenic = np.zeros(len(maf), dtype=np.int64)
    evidence = []
    for i, (gene, cls) in enumerate(zip(genes, vc)):
        call = None
        if has_oncokb:
            value, level = oncokb[i], levels[i]
            if value in ONCOKB_POSITIVE:
                call = 1
            elif value in ONCOKB_NEGATIVE:
                call = 0
            elif level in ONCOKB_LEVELS:
                call = 1
        if call is not None:
            oncogenic[i] = call
            evidence.append("oncokb")
        elif index.hit(gene, cls, positions[i]):
            oncogenic[i] = 1
            evidence.append("hotspot")
        elif cls in TRUNCATING_CLASSES and roles.get(gene, "") in ("TSG", "OG/TSG"):
            oncogenic[i] = 1
            evidence.append("truncating_tsg")
        else:
            evidence.append("none")
    out = pd.DataFrame({
        "patient": _column(maf, "patient"),
        "sample": _column(maf, "Tumor_Sample_Barcode"),
        "sample_type": _column(maf, "sample_type"),
        "gene": genes,
        "alteration": "mutation",
        "detail": details,
        "oncogenic": oncogenic,
        "evidence": evidence,
        "variant_classification": vc,
        "oncokb_oncogenic": oncokb,
        "oncokb_level": levels,
        "chromosome": _column(maf, "Chromosome"),
        "start_position": pd.array(maf["Start_Position"].to_numpy(dtype=np.int64) if len(maf) else [], dtype="Int64"),
        "reference_allele": _column(maf, "Reference_Allele"),
        "tumor_seq_allele2": _column(maf, "Tumor_Seq_Allele2"),
    }, columns=list(ALTERATION_COLUMNS))
    return out


def classify_copy_number(gene_calls: pd.DataFrame, roles: Mapping[str, str]) -> pd.DataFrame:
    """The copy-number rows of the alterations table.

    ``gene_calls``: columns patient, sample, sample_type, gene, call (metevo's five levels: the
    ``call`` column of a ``copy-number`` gene table). Amplifications and deep deletions of genes
    with a role become rows; several rows of one gene in one sample count once (amplification
    if any row says so, else deletion).
    """
    rows = []
    seen = set()
    for patient, sample, stype, gene, call in zip(gene_calls["patient"], gene_calls["sample"], gene_calls["sample_type"],
                                                  gene_calls["gene"], gene_calls["call"]):
        if call not in ("amplification", "deletion"):
            continue
        role = roles.get(gene, "")
        if not role:
            continue
        if (sample, gene, call) in seen:
            continue
        seen.add((sample, gene, call))
        if call == "amplification":
            positive = role in ("OG", "OG/TSG")
            rows.append((patient, sample, stype, gene, "amplification", call, int(positive), "amp_og" if positive else "none"))
        else:
            positive = role in ("TSG", "OG/TSG")
            rows.append((patient, sample, stype, gene, "deletion", call, int(positive), "del_tsg" if positive else "none"))
    out = pd.DataFrame(rows, columns=list(ALTERATION_COLUMNS[:8]))
    for name in ALTERATION_COLUMNS[8:]:
        out[name] = pd.array([pd.NA] * len(out), dtype="Int64") if name == "start_position" else ""
    out["oncogenic"] = out["oncogenic"].astype(np.int64)
    return out.loc[:, list(ALTERATION_COLUMNS)]


def sort_alterations(table: pd.DataFrame) -> pd.DataFrame:
    """Rows by patient, sample, gene, alteration (mutation, amplification, deletion), position, alleles."""
    if not len(table):
        return table.reset_index(drop=True)
    kind = table["alteration"].map({a: i for i, a in enumerate(ALTERATIONS)})
    start = table["start_position"].astype("Int64").fillna(-1).astype(np.int64)
    order = np.lexsort([
        table["tumor_seq_allele2"].astype(str).to_numpy(), table["reference_allele"].astype(str).to_numpy(),
        start.to_numpy(), kind.to_numpy(), table["gene"].astype(str).to_numpy(),
        table["sample"].astype(str).to_numpy(), table["patient"].astype(str).to_numpy(),
    ])
    return table.iloc[order].reset_index(drop=True)


def build_alterations(maf: pd.DataFrame | None, gene_calls: pd.DataFrame | None, *, hotspots: pd.DataFrame | None = None,
                      pathways: pd.DataFrame | None = None, extra_roles: pd.DataFrame | None = None) -> pd.DataFrame:
    """The whole alterations table: mutations of ``maf`` and copy-number calls of ``gene_calls``
    classified with the given (default: shipped) hotspots, pathway roles and extra roles."""
    hotspots = read_hotspots() if hotspots is None else hotspots
    pathways = read_pathways() if pathways is None else pathways
    extra_roles = read_gene_roles() if extra_roles is None else extra_roles
    roles = gene_roles(pathways, extra_roles)
    parts = []
    if maf is not None:
        parts.append(classify_mutations(maf, hotspots, roles))
    if gene_calls is not None:
        parts.append(classify_copy_number(gene_calls, roles))
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="Int64" if c in ("start_position",) else (np.int64 if c == "oncogenic" else object))
                             for c in ALTERATION_COLUMNS})
    table = pd.concat(parts, ignore_index=True)
    table["start_position"] = table["start_position"].astype("Int64")
    table["oncogenic"] = table["oncogenic"].astype(np.int64)
    return sort_alterations(table)


def read_alterations(path: str | os.PathLike) -> pd.DataFrame:
    """An alterations table written by ``metevo oncogenic``, checked (``__line__`` kept)."""
    from metevo.io.tables import read_table

    path = Path(path)
    frame = read_table(path, sep="\t", required=ALTERATION_COLUMNS[:8], what="alterations table")
    lines = frame["__line__"].to_numpy()
    for name, allowed in (("alteration", ALTERATIONS), ("evidence", EVIDENCE), ("oncogenic", ("0", "1"))):
        bad = np.flatnonzero(~frame[name].isin(allowed).to_numpy())
        if len(bad):
            i = int(bad[0])
            raise InputError(f"expected one of {', '.join(allowed)}, found '{frame[name].iat[i]}'", file=path, line=int(lines[i]), column=name)
    for name in ("sample", "gene"):
        bad = np.flatnonzero((frame[name] == "").to_numpy())
        if len(bad):
            raise InputError(f"expected a {name}, found an empty cell", file=path, line=int(lines[bad[0]]), column=name)
    frame["oncogenic"] = frame["oncogenic"].astype(np.int64)
    return frame
