"""Reference FASTA access for allele checks and left-alignment.

An indexed FASTA (``.fai``; for bgzip-compressed files also ``.gzi``, as written by
``samtools faidx``) is read through ``pysam.FastaFile`` without loading it. A FASTA without
an index (plain, gzip or bgzip) is loaded into memory when it is small (under
:data:`MAX_UNINDEXED_BASES` bases, e.g. a test reference or a panel's target contigs);
a larger one is an :class:`InputError` that says how to index it. metevo never writes an
index next to a user's file (``pysam.FastaFile`` would, if asked to open an unindexed one).

Contig names are matched after :func:`metevo.variants.harmonise_chrom`, so a VCF with
``chr1`` works against a FASTA with ``1`` and vice versa.
"""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

from metevo.errors import InputError
from metevo.variants import harmonise_chrom

MAX_UNINDEXED_BASES = 50_000_000


class ReferenceGenome:
    """Upper-case sequence access by harmonised contig name."""

    def __init__(self, path: str | os.PathLike, names: dict[str, str], lengths: dict[str, int], fetcher) -> None:
        self.path = Path(path)
        self._names = names  # harmonised -> name in the FASTA
        self.lengths = lengths  # harmonised -> length
        self._fetch = fetcher

    def __contains__(self, chrom: str) -> bool:
        return harmonise_chrom(chrom) in self._names

    @property
    def contigs(self) -> list[str]:
        """Contig names as written in the FASTA."""
        return list(self._names.values())

    def fetch(self, chrom: str, start0: int, end0: int) -> str:
        """Bases ``[start0, end0)`` (0-based, half-open) of ``chrom``, upper case.

        Raises :class:`KeyError` for an unknown contig; the interval is clipped to the contig.
        """
        core = harmonise_chrom(chrom)
        name = self._names[core]
        length = self.lengths[core]
        start0 = max(0, start0)
        end0 = min(end0, length)
        if end0 <= start0:
            return ""
        return self._fetch(name, start0, end0)


def _gzip_kind(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(18)
    if head[:2] != b"\x1f\x8b":
        return "plain"
    # BGZF: gzip with the FEXTRA flag and a 'BC' subfield (SAM/BAM specification, section 4.1)
    if len(head) >= 14 and head[3] & 4 and head[12:14] == b"BC":
        return "bgzf"
    return "gzip"


def open_fasta(path: str | os.PathLike) -> ReferenceGenome:
    """Open a reference FASTA (see module docstring for what is accepted)."""
    path = Path(path)
    if not path.exists():
        raise InputError("reference FASTA does not exist", file=path)
    if path.is_dir():
        raise InputError("expected a reference FASTA file, found a directory", file=path)
    kind = _gzip_kind(path)
    fai = Path(f"{path}.fai")
    gzi = Path(f"{path}.gzi")
    if fai.exists() and (kind == "plain" or (kind == "bgzf" and gzi.exists())):
        return _open_indexed(path)
    return _load_small(path, kind)


def _open_indexed(path: Path) -> ReferenceGenome:
    import pysam

    try:
        fasta = pysam.FastaFile(str(path))
    except (OSError, ValueError) as err:
        raise InputError(f"cannot read the indexed FASTA ({' '.join(str(err).split())}); re-create the index with 'samtools faidx'", file=path) from None
    names: dict[str, str] = {}
    lengths: dict[str, int] = {}
    for name, length in zip(fasta.references, fasta.lengths):
        core = harmonise_chrom(name)
        names.setdefault(core, name)
        lengths.setdefault(core, int(length))

    def fetch(name: str, start0: int, end0: int) -> str:
        return fasta.fetch(name, start0, end0).upper()

    return ReferenceGenome(path, names, lengths, fetch)


def _load_small(path: Path, kind: str) -> ReferenceGenome:
    how = "samtools faidx" if kind == "plain" else "bgzip -d / bgzip, then samtools faidx"
    budget = MAX_UNINDEXED_BASES + MAX_UNINDEXED_BASES // 20 + 1_000_000  # bases + newlines + headers
    try:
        if kind == "plain":
            with open(path, "rb") as fh:
                raw = fh.read(budget + 1)
        else:
            with gzip.open(path, "rb") as fh:
                raw = fh.read(budget + 1)
    except (OSError, EOFError, zlib.error) as err:
        raise InputError(f"cannot read the reference FASTA: the gzip data is truncated or corrupt ({err})", file=path) from None
    if len(raw) > budget:
        raise InputError(
            f"reference FASTA has no index and is too large to load (> {MAX_UNINDEXED_BASES:,} bases); "
            f"index it with '{how}' (a .fai next to it, and a .gzi for bgzip files)",
            file=path,
        )
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        raise InputError("expected a FASTA text file, found binary or non-ASCII bytes", file=path, line=line) from None
    names: dict[str, str] = {}
    lengths: dict[str, int] = {}
    sequences: dict[str, str] = {}
    lines = text.splitlines()
    if not lines or not lines[0].startswith(">"):
        raise InputError("expected a FASTA file starting with a '>name' line", file=path, line=1)
    current: str | None = None
    chunks: list[str] = []
    total = 0

    def finish() -> None:
        nonlocal total
        if current is None:
            return
        seq = "".join(chunks).upper()
        core = harmonise_chrom(current)
        if core in names:
            raise InputError(f"contig '{current}' appears twice (as '{names[core]}')", file=path)
        names[core] = current
        lengths[core] = len(seq)
        sequences[current] = seq
        total += len(seq)

    for number, line in enumerate(lines, start=1):
        if line.startswith(">"):
            finish()
            current = line[1:].split()[0] if line[1:].strip() else ""
            if not current:
                raise InputError("expected a contig name after '>'", file=path, line=number)
            chunks = []
        else:
            chunks.append(line.strip())
    finish()
    if total > MAX_UNINDEXED_BASES:
        raise InputError(
            f"reference FASTA has no index and is too large to load (> {MAX_UNINDEXED_BASES:,} bases); index it with '{how}'",
            file=path,
        )

    def fetch(name: str, start0: int, end0: int) -> str:
        return sequences[name][start0:end0]

    return ReferenceGenome(path, names, lengths, fetch)
