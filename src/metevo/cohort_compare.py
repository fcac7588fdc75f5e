"""Gene-by-gene comparison of the mutated fraction of two cohorts (maftools ``mafCompare``).

For every gene: the number of samples of each cohort with at least one counted mutation in
the gene, out of the samples of that cohort in which the gene was sequenced; a two-sided
Fisher exact test of the 2 x 2 table ``[[a_mutated, a_total - a_mutated], [b_mutated,
b_total - b_mutated]]`` with R ``fisher.test``'s conditional maximum-likelihood odds ratio and
exact 95% interval (:mod:`metevo.stats.contingency`: the same numbers as R); Benjamini-Hochberg
q-values over the genes tested (R ``p.adjust``). An odds ratio above 1 means the gene is more
often mutated in cohort A.

Counted mutations are maftools' non-synonymous classes by default
(:data:`metevo.consequence.NONSYNONYMOUS_CLASSES`); a sample counts once per gene however
many mutations it carries there. Samples, coverage and the rules for sample lists are in
docs/compare-cohorts.md. The comparison itself is pure (tables in, a table out); the readers
at the top of the module raise :class:`InputError` naming the file, line and column.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from metevo.consequence import NONSYNONYMOUS_CLASSES
from metevo.errors import InputError

MAF_NEEDED = ("Hugo_Symbol", "Tumor_Sample_Barcode", "Variant_Classification")
OUTPUT_COLUMNS = (
    "gene", "a_mutated", "a_total", "b_mutated", "b_total", "a_fraction", "b_fraction",
    "odds_ratio", "ci_low", "ci_high", "p_value", "q_value", "test", "cohort_a", "cohort_b",
)
TEST_NAME = "fisher_exact_two_sided"
ALL_GENES = "*"
SAMPLE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:+-]{0,127}$")


# ------------------------------------------------------------------------------------ inputs


def _open_magic(path: Path) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(2)
    except FileNotFoundError:
        raise InputError("file does not exist", file=path) from None
    except IsADirectoryError:
        raise InputError("expected a file, found a directory", file=path) from None
    except PermissionError:
        raise InputError("file is not readable (permission denied)", file=path) from None


def _header(path: Path, gz: bool) -> tuple[int, list[str]]:
    """(number of leading '#' lines, header fields)."""
    import gzip

    opener = gzip.open if gz else open
    try:
        with opener(path, "rt", encoding="utf-8", newline="") as fh:
            for skipped, line in enumerate(fh):
                if not line.startswith("#"):
                    return skipped, [f.strip() for f in line.rstrip("\r\n").split("\t")]
    except (UnicodeDecodeError, OSError, EOFError):
        raise InputError("expected a UTF-8 text MAF (optionally gzip-compressed), found unreadable bytes", file=path) from None
    raise InputError("expected a MAF header line, found an empty file", file=path, line=1)


def read_maf_columns(path: Path, needed: tuple[str, ...], optional: tuple[str, ...] = (), *,
                     allow_empty: bool = False) -> tuple[pd.DataFrame, int]:
    """``(frame, header_line)``: the ``needed`` and present ``optional`` columns of a MAF as
    strings, named as asked (MAF names match without regard to case; the file's own spellings
    are in ``frame.attrs['maf_columns']``, for errors naming a column), read with pandas' C
    reader and ``usecols`` only. ``#`` lines before the header are skipped; gzip is recognised
    by its magic bytes. A missing needed column, a ragged row the parser notices, binary bytes
    and (unless ``allow_empty``) a MAF without data rows are one-line :class:`InputError`s.
    """
    gz = _open_magic(path) == b"\x1f\x8b"
    skipped, header = _header(path, gz)
    header_line = skipped + 1
    by_lower: dict[str, str] = {}
    for name in header:
        by_lower.setdefault(name.lower(), name)
    chosen: dict[str, str] = {}
    for name in needed:
        found = by_lower.get(name.lower())
        if found is None:
            raise InputError(f"missing required MAF column '{name}' (header has: {', '.join(header)})",
                             file=path, line=header_line, column=name)
        chosen[name] = found
    for name in optional:
        if name.lower() in by_lower:
            chosen[name] = by_lower[name.lower()]
    try:
        frame = pd.read_csv(
            path, sep="\t", skiprows=skipped, header=0, usecols=list(chosen.values()), dtype=str,
            na_filter=False, quoting=3, compression="gzip" if gz else None, engine="c", on_bad_lines="error",
        )
    except pd.errors.ParserError as err:
        match = re.search(r"line (\d+), saw (\d+)", str(err))
        if match:
            line = int(match.group(1)) + skipped
            raise InputError(f"expected {len(header)} fields as in the header, found {match.group(2)}",
                             file=path, line=line) from None
        raise InputError(f"not a tab-separated MAF: {' '.join(str(err).split())}", file=path) from None
    except UnicodeDecodeError:
        raise InputError("expected UTF-8 text, found binary or non-UTF-8 bytes", file=path) from None
    except (OSError, EOFError) as err:
        raise InputError(f"cannot read the MAF: {err}", file=path) from None
    frame = frame.rename(columns={v: k for k, v in chosen.items()})
    frame.attrs["maf_columns"] = chosen
    if frame.empty and not allow_empty:
        raise InputError("the MAF has a header but no mutations", file=path, line=header_line + 1)
    return frame, header_line


def read_maf_genes(path: str | os.PathLike) -> pd.DataFrame:
    """The three columns a cohort comparison needs from a MAF: ``gene``, ``sample``,
    ``classification`` (strings) and ``line`` (file line of each row).

    Only those columns are parsed (pandas' C reader with ``usecols``), so a million-row MAF
    reads in about a second. ``#`` lines before the header are skipped and gzip/bgzip is
    recognised by its magic bytes; column names match without regard to case, as maftools.
    Raises :class:`InputError` for a missing column, an empty gene or sample cell, or a MAF
    without data rows. Rows are not checked for their number of fields (other columns are not
    parsed at all); a row too short to reach the sample column has an empty sample.
    """
    path = Path(path)
    frame, header_line = read_maf_columns(path, MAF_NEEDED)
    out = pd.DataFrame({
        "gene": frame["Hugo_Symbol"].str.strip(),
        "sample": frame["Tumor_Sample_Barcode"].str.strip(),
        "classification": frame["Variant_Classification"].str.strip(),
    })
    out["line"] = np.arange(len(out), dtype=np.int64) + header_line + 1
    for column, name in (("gene", "Hugo_Symbol"), ("sample", "Tumor_Sample_Barcode")):
        empty = (out[column] == "").to_numpy()
        if empty.any():
            i = int(np.flatnonzero(empty)[0])
            raise InputError(f"expected a {'gene symbol' if column == 'gene' else 'sample barcode'}, found an empty cell",
                             file=path, line=int(out["line"].iat[i]), column=name)
    return out


def _data_lines(path: Path):
    """(line number, stripped text) of the non-blank, non-'#' lines of a small text file."""
    from metevo.io.tables import open_text

    try:
        with open_text(path) as fh:
            for number, line in enumerate(fh, start=1):
                text = line.strip()
                if text and not text.startswith("#"):
                    yield number, text
    except UnicodeDecodeError:
        raise InputError("expected UTF-8 text, found binary or non-UTF-8 bytes", file=path) from None


def read_sample_list(path: str | os.PathLike) -> list[tuple[str, int]]:
    """Samples of one cohort: the first tab-separated field of each line (blank and ``#`` lines
    skipped; a first line ``sample`` or ``Tumor_Sample_Barcode`` is a header). Returns
    (sample, line) pairs; a duplicated or unsafe id is an :class:`InputError`."""
    path = Path(path)
    out: list[tuple[str, int]] = []
    seen: dict[str, int] = {}
    for number, text in _data_lines(path):
        sample = text.split("\t")[0].strip()
        if not out and not seen and sample.lower() in ("sample", "tumor_sample_barcode", "sample_id"):
            seen[""] = number
            continue
        if not SAMPLE_ID_RE.match(sample):
            raise InputError(f"expected a sample id of letters, digits and . _ : + - (at most 128, starting with a "
                             f"letter or digit), found '{sample}'", file=path, line=number)
        if sample in seen:
            raise InputError(f"sample '{sample}' is listed twice (first on line {seen[sample]})", file=path, line=number)
        seen[sample] = number
        out.append((sample, number))
    if not out:
        raise InputError("expected one sample id per line, found no samples", file=path)
    return out


@dataclass
class Coverage:
    """Which genes were sequenced in which samples: ``panels[sample]`` is a frozenset of genes,
    or None for every gene (whole exome)."""

    panels: dict[str, frozenset[str] | None] = field(default_factory=dict)
    source: str = ""


def read_coverage(path: str | os.PathLike) -> Coverage:
    """A coverage table (TSV with a header), one of two layouts:

    * ``sample  gene``: one row per sample and sequenced gene; ``*`` as the gene means every gene;
    * ``sample  panel``: each sample's gene panel as a file (path relative to the table's folder)
      listing one gene symbol per line (blank and ``#`` lines skipped), or ``*`` for every gene.
    """
    from metevo.io.tables import read_table

    path = Path(path)
    table = read_table(path, sep="\t", comment="#", what="coverage table")
    columns = [c for c in table.columns if c != "__line__"]
    if "sample" not in columns or not ({"gene", "panel"} & set(columns)):
        raise InputError(f"expected columns 'sample' and 'gene' (or 'sample' and 'panel'), found: {', '.join(columns)}",
                         file=path, line=table.attrs.get("header_line", 1), column="sample" if "sample" not in columns else "gene")
    layout = "gene" if "gene" in columns else "panel"
    genes: dict[str, set[str] | None] = {}
    panel_cache: dict[str, frozenset[str] | None] = {}
    for sample, value, line in zip(table["sample"].tolist(), table[layout].tolist(), table["__line__"].tolist()):
        if not SAMPLE_ID_RE.match(sample):
            raise InputError(f"expected a sample id, found '{sample}'", file=path, line=int(line), column="sample")
        if value == "":
            raise InputError(f"expected a {'gene symbol' if layout == 'gene' else 'panel file'} or '*', found an empty cell",
                             file=path, line=int(line), column=layout)
        if layout == "gene":
            if value == ALL_GENES:
                genes[sample] = None
            elif sample not in genes:
                genes[sample] = {value}
            elif genes[sample] is not None:
                genes[sample].add(value)
            continue
        if sample in genes:
            raise InputError(f"sample '{sample}' has two panel rows", file=path, line=int(line), column="sample")
        if value == ALL_GENES:
            genes[sample] = None
            continue
        if value not in panel_cache:
            panel_path = Path(value) if os.path.isabs(value) else path.parent / value
            if not panel_path.is_file():
                raise InputError(f"panel file '{value}' does not exist", file=path, line=int(line), column="panel")
            listed = frozenset(text.split("\t")[0].strip() for _, text in _data_lines(panel_path))
            if not listed:
                raise InputError(f"panel file '{value}' lists no genes", file=path, line=int(line), column="panel")
            panel_cache[value] = listed
        genes[sample] = set(panel_cache[value]) if panel_cache[value] is not None else None
    panels = {s: (None if g is None else frozenset(g)) for s, g in genes.items()}
    if not panels:
        raise InputError("the coverage table has no rows", file=path)
    return Coverage(panels=panels, source=str(path))


# ------------------------------------------------------------------------------- the cohorts


@dataclass
class Cohort:
    """One cohort: its samples (the denominators), its counted (gene, sample) pairs and, if
    known, each sample's coverage."""

    label: str
    samples: list[str]
    mutations: pd.DataFrame  # columns gene, sample (distinct pairs, samples within `samples`)
    coverage: dict[str, frozenset[str] | None] | None = None


def build_cohort(label: str, maf: pd.DataFrame, *, maf_path: str | os.PathLike, classes: Iterable[str] | None,
                 sample_list: Sequence[tuple[str, int]] | None = None, list_path: str | os.PathLike | None = None,
                 strict_samples: bool = False, coverage: Coverage | None = None) -> Cohort:
    """Samples and counted mutations of one cohort (rules: docs/compare-cohorts.md).

    Without a sample list the samples are the MAF's distinct barcodes. With one, the list is
    the cohort: MAF samples not listed are left out, listed samples without mutations count as
    unmutated (unless ``strict_samples``: then the first listed sample absent from the MAF is
    an error), and a list sharing no sample with the MAF is an error.
    """
    maf_samples = pd.unique(maf["sample"])
    if sample_list is None:
        samples = sorted(maf_samples.tolist())
    else:
        present = set(maf_samples.tolist())
        shared = [s for s, _ in sample_list if s in present]
        if not shared:
            first, line = sample_list[0]
            raise InputError(f"no sample of the list is in {Path(maf_path).name} (e.g. '{first}'); do the ids use the "
                             f"MAF's Tumor_Sample_Barcode spelling?", file=list_path, line=line)
        if strict_samples:
            for sample, line in sample_list:
                if sample not in present:
                    raise InputError(f"sample '{sample}' has no mutation in {Path(maf_path).name} (--strict-samples)",
                                     file=list_path, line=line)
        samples = sorted(s for s, _ in sample_list)
    if classes is not None:
        maf = maf[maf["classification"].isin(frozenset(classes))]
    if sample_list is not None:
        maf = maf[maf["sample"].isin(frozenset(samples))]
    pairs = maf.loc[:, ["gene", "sample"]].drop_duplicates(ignore_index=True)
    panels = None
    if coverage is not None:
        missing = [s for s in samples if s not in coverage.panels]
        if missing:
            raise InputError(f"sample '{missing[0]}' of cohort {label} has no row ({len(missing)} samples missing); "
                             f"give every sample a panel or '*'", file=coverage.source)
        panels = {s: coverage.panels[s] for s in samples}
        pairs = pairs[_covered(pairs, panels)].reset_index(drop=True)
    return Cohort(label=label, samples=samples, mutations=pairs, coverage=panels)


def _covered(pairs: pd.DataFrame, panels: dict[str, frozenset[str] | None]) -> np.ndarray:
    """Boolean mask: is each (gene, sample) pair's gene sequenced in that sample?"""
    panel_ids: dict[frozenset[str] | None, int] = {}
    sample_panel = {s: panel_ids.setdefault(p, len(panel_ids)) for s, p in panels.items()}
    pid = pairs["sample"].map(sample_panel).to_numpy()
    keep = np.zeros(len(pairs), dtype=bool)
    genes = pairs["gene"].to_numpy()
    for panel, i in panel_ids.items():
        rows = pid == i
        keep[rows] = True if panel is None else np.isin(genes[rows], list(panel))
    return keep


def _totals(cohort: Cohort, genes: np.ndarray) -> np.ndarray:
    """Samples of the cohort in which each gene was sequenced."""
    if cohort.coverage is None:
        return np.full(len(genes), len(cohort.samples), dtype=np.int64)
    counts: dict[frozenset[str] | None, int] = {}
    for panel in cohort.coverage.values():
        counts[panel] = counts.get(panel, 0) + 1
    total = np.zeros(len(genes), dtype=np.int64)
    for panel, n in counts.items():
        total += n if panel is None else np.isin(genes, list(panel)) * n
    return total


def compare_cohorts(a: Cohort, b: Cohort, *, min_mutated: int = 5) -> pd.DataFrame:
    """Per gene mutated in ``min_mutated`` or more samples of the two cohorts together:
    counts, fractions, Fisher exact test (R fisher.test), BH q-values (OUTPUT_COLUMNS), sorted
    by p-value then gene. Genes sequenced in no sample of one cohort are listed without a test
    (empty statistics, not counted by BH)."""
    from metevo.stats.contingency import fisher_exact_many
    from metevo.stats.multitest import bh_adjust

    overlap = sorted(set(a.samples) & set(b.samples))
    if overlap:
        raise InputError(f"sample '{overlap[0]}' is in both cohorts ({len(overlap)} shared); the cohorts must be disjoint")
    count_a = a.mutations.groupby("gene", sort=False).size()
    count_b = b.mutations.groupby("gene", sort=False).size()
    genes = np.array(sorted(set(count_a.index) | set(count_b.index)), dtype=object)
    a_mut = count_a.reindex(genes, fill_value=0).to_numpy(dtype=np.int64)
    b_mut = count_b.reindex(genes, fill_value=0).to_numpy(dtype=np.int64)
    keep = (a_mut + b_mut) >= min_mutated
    genes, a_mut, b_mut = genes[keep], a_mut[keep], b_mut[keep]
    a_tot, b_tot = _totals(a, genes), _totals(b, genes)
    testable = (a_tot > 0) & (b_tot > 0)
    stats = fisher_exact_many(a_mut[testable], a_tot[testable] - a_mut[testable],
                              b_mut[testable], b_tot[testable] - b_mut[testable])
    columns = {name: np.full(len(genes), np.nan) for name in ("odds_ratio", "ci_low", "ci_high", "p_value")}
    for name in columns:
        columns[name][testable] = getattr(stats, name)
    with np.errstate(divide="ignore", invalid="ignore"):
        a_frac = np.where(a_tot > 0, a_mut / np.maximum(a_tot, 1), np.nan)
        b_frac = np.where(b_tot > 0, b_mut / np.maximum(b_tot, 1), np.nan)
    out = pd.DataFrame({
        "gene": genes.astype(str), "a_mutated": a_mut, "a_total": a_tot, "b_mutated": b_mut, "b_total": b_tot,
        "a_fraction": a_frac, "b_fraction": b_frac, **columns,
    })
    out["q_value"] = bh_adjust(out["p_value"].to_numpy())
    out["test"] = np.where(testable, TEST_NAME, "")
    out["cohort_a"] = a.label
    out["cohort_b"] = b.label
    order = np.lexsort((out["gene"].to_numpy(), np.nan_to_num(out["p_value"].to_numpy(), nan=np.inf)))
    return out.iloc[order].reset_index(drop=True).loc[:, list(OUTPUT_COLUMNS)]


def parse_classes(text: str | None) -> tuple[str, ...] | None:
    """``--classes``: comma-separated Variant_Classification values; ``all`` counts every
    class; None gives maftools' non-synonymous classes."""
    if text is None:
        return tuple(NONSYNONYMOUS_CLASSES)
    if text.strip().lower() == "all":
        return None
    classes = tuple(c.strip() for c in text.split(","))
    if not classes or any(not c for c in classes):
        raise ValueError(f"expected comma-separated Variant_Classification names, found '{text}'")
    return classes
