"""Caller VCFs -> the calls table (docs/architecture.md, "Calls table").

One reader for the dialects of eight somatic callers and a generic germline dialect. Depth
and allele counts come from each caller's own fields, by the rules of vcf2maf's
``FixAlleleDepths`` (mskcc/vcf2maf ``vcf2maf.pl``), tried in this order for each sample:

* ``AD`` with one value per allele (Mutect2, MuSE, VarDict, Scalpel, Strelka2 germline,
  HaplotypeCaller, DeepVariant); a single ``AD`` value with ``RD`` is VarScan2 (``RD`` = REF,
  ``AD`` = ALT); a single ``AD`` value alone is the ALT count;
* ``BCOUNT`` (A,C,G,T base counts: SomaticSniper); ``AU/CU/GU/TU`` tier 1 (Strelka2 SNVs);
  ``TAR``/``TIR`` tier 1 (Strelka2 indels); CaVEMan ``F?Z/R?Z``; ``RO``/``AO``; ``RR``/``RV``;
  ``DP4`` (REF = fwd + rev, ALT = fwd + rev); cgpPindel ``PP/NP/PR/NR``; ``FA`` x ``DP``;
  ``DV``;
* depth is ``DP``; when REF or ALT count exceed it (or their sum does) it becomes the sum
  of the allele counts, and it is that sum when ``DP`` is missing (Mutect2 2.1 tumor-only).

LoFreq writes no sample columns: the tumour's depth is INFO ``DP`` and its counts INFO
``DP4`` (``AF`` x ``DP`` when DP4 is missing), with the same depth check.

``is_pass`` is FILTER ``PASS`` and, where the caller reports one, its somatic status:
VarScan2 INFO ``SS=2``; VarDict INFO ``STATUS`` StrongSomatic or LikelySomatic;
SomaticSniper and MuSE the tumour's FORMAT ``SS=2``. SomaticSniper never fills FILTER, so
``.`` counts as passing for it, and for the germline dialect (unfiltered calls).

Multi-allelic records are split (one row per ALT; the ALT's own counts); symbolic ALTs
(``<DEL>``, breakends, ``*``) are skipped: they are not small variants. Alleles are trimmed
and, with a reference, indels left-aligned and every REF checked against it
(:mod:`metevo.variants`). Annotation (VEP ``CSQ`` or snpEff ``ANN``) is reduced to one effect
per ALT by :mod:`metevo.consequence`.

VCFs are read through pysam: htslib inflates the bgzip (or gzip) stream (``pysam.BGZFile``)
and reads the header lines (``pysam.VariantHeader``: its samples and contig lengths are the
ones used). The records are parsed here, for speed and bounded memory: the
decompressed text is parsed in chunks of :data:`CHUNK_BYTES`, and within a chunk the field
boundaries, integers and common count layouts are found with numpy on the raw bytes (one
FORMAT string at a time). Records that do not fit that bulk path (multi-allelic, missing
values, unusual layouts) go through the record-by-record implementation of the same rules,
which is also what reports errors with their line; the tests check both paths agree.
"""

from __future__ import annotations

import os
import re
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from metevo import consequence as csq
from metevo.callers import CALLERS
from metevo.genome import detect_build
from metevo.errors import InputError
from metevo.variants import chrom_style, harmonise_chrom, is_inframe, left_align, trim_alleles, vcf_to_maf

SOMATIC_CALLERS = CALLERS
DIALECTS = SOMATIC_CALLERS + ("germline",)

CALLS_COLUMNS = (
    "chrom", "pos", "ref", "alt", "filter", "is_pass",
    "t_depth", "t_ref_count", "t_alt_count", "n_depth", "n_ref_count", "n_alt_count",
    "Hugo_Symbol", "Variant_Classification", "HGVSp_Short", "Transcript_ID", "Consequence",
    "caller", "line", "genotype",
)
COUNT_COLUMNS = ("t_depth", "t_ref_count", "t_alt_count", "n_depth", "n_ref_count", "n_alt_count")
ANNOTATION_COLUMNS = ("Hugo_Symbol", "Variant_Classification", "HGVSp_Short", "Transcript_ID", "Consequence")

_FIXED_HEADER = ("#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO")
_ACGTN = frozenset("ACGTN")
_BASE_INDEX = {"A": 0, "C": 1, "G": 2, "T": 3}
_SOMATIC_STATUS = {"StrongSomatic", "LikelySomatic"}

_META_RE = re.compile(r'([A-Za-z_][A-Za-z0-9_.]*)=("(?:[^"\\]|\\.)*"|[^,]*)')


@dataclass(frozen=True)
class VcfHeaderInfo:
    """What a VCF header says (``read_vcf_header_info``)."""

    path: str
    fileformat: str
    samples: tuple[str, ...]
    contigs: dict[str, int | None]
    reference: str | None
    genome_build: str | None  # 'hg19' | 'hg38' | None
    contig_style: str | None  # 'chr' | 'plain' | None
    annotation: str | None  # 'vep' | 'snpeff' | None
    normal_sample: str | None = None  # ##normal_sample= (Mutect2)
    tumor_sample: str | None = None  # ##tumor_sample= (Mutect2)
    info: dict[str, str] = field(default_factory=dict)  # INFO ID -> Number
    formats: dict[str, str] = field(default_factory=dict)  # FORMAT ID -> Number
    filters: tuple[str, ...] = ()
    annotation_tag: str | None = None  # 'CSQ' | 'ANN'
    annotation_fields: tuple[str, ...] = ()
    header_lines: int = 0  # lines up to and including '#CHROM'
    has_format: bool = False

    @property
    def build(self) -> str | None:
        """Alias of ``genome_build``."""
        return self.genome_build


# ----------------------------------------------------------------------------- file text


CHUNK_BYTES = 32 * 1024 * 1024  # decompressed text parsed at a time: bounds memory on large VCFs
_READ_BYTES = 64 * 1024 * 1024  # compressed bytes read at a time (less when only the header is wanted)


def _open_error(path: Path, err: OSError) -> InputError:
    if isinstance(err, FileNotFoundError):
        return InputError("VCF file does not exist", file=path)
    if isinstance(err, IsADirectoryError):
        return InputError("expected a VCF file, found a directory", file=path)
    if isinstance(err, PermissionError):
        return InputError("VCF file is not readable (permission denied)", file=path)
    return InputError(f"cannot read the VCF file ({err})", file=path)


BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")


def _htslib_pieces(path: Path, read_size: int, bgzf: bool):
    """Decompressed pieces of a gzip/bgzip file, inflated by htslib (``pysam.BGZFile``).

    htslib reads a BGZF file that lacks its end-of-file marker block without complaint (a copy
    cut between two blocks looks complete), so that marker is checked here. Damaged data
    raises OSError or EOFError.
    """
    import pysam

    pysam.set_verbosity(0)  # htslib would print its own warnings; ours name file and line
    if bgzf:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - len(BGZF_EOF)))
            if fh.read() != BGZF_EOF:
                raise EOFError("no BGZF end-of-file marker")
    with pysam.BGZFile(str(path), "rb") as stream:
        while True:
            piece = stream.read(read_size)
            if not piece:
                return
            yield piece


def _decompress_prefix(path: Path) -> bytes:
    """As much of a damaged gzip file as can be decompressed, to say where it breaks."""
    with open(path, "rb") as fh:
        raw = fh.read()
    out = []
    pos = 0
    if len(raw) >= 18 and raw[3] & 4 and raw[12:14] == b"BC":  # BGZF: block by block
        while pos + 18 <= len(raw) and raw[pos:pos + 2] == b"\x1f\x8b":
            xlen = raw[pos + 10] | (raw[pos + 11] << 8)
            end = pos + (raw[pos + 16] | (raw[pos + 17] << 8)) + 1
            dec = zlib.decompressobj(-15)
            try:
                out.append(dec.decompress(raw[pos + 12 + xlen:min(end - 8, len(raw))]))
            except zlib.error:
                break
            if end > len(raw) or not dec.eof:
                break
            pos = end
        return b"".join(out)
    while pos < len(raw):  # plain gzip: member by member (there are few)
        dec = zlib.decompressobj(31)
        try:
            out.append(dec.decompress(raw[pos:]))
        except zlib.error:
            break
        if not dec.eof or dec.unused_data[:2] != b"\x1f\x8b":
            break
        pos = len(raw) - len(dec.unused_data)
    return b"".join(out)


class _TextChunks:
    """Decompressed text of a file in pieces of about ``size`` bytes, each ending at a line end
    (the last may not). Damaged gzip data is an InputError naming the first line not read."""

    def __init__(self, path: Path, size: int = CHUNK_BYTES) -> None:
        self.path = path
        self.size = size

    def __iter__(self):
        path = self.path
        try:
            fh = open(path, "rb")
        except OSError as err:
            raise _open_error(path, err) from None
        with fh:
            read_size = min(_READ_BYTES, max(self.size, 1 << 20))
            first = fh.read(18)  # enough to tell plain text, gzip and BGZF apart
            if first[:2] == b"\x1f\x8b":
                bgzf = len(first) >= 18 and bool(first[3] & 4) and first[12:14] == b"BC"
                pieces = _htslib_pieces(path, read_size, bgzf)
            else:
                pieces = self._plain(fh, first, read_size)
            pending: list[bytes] = []
            pending_size = 0
            try:
                for piece in pieces:
                    pending.append(piece)
                    pending_size += len(piece)
                    if pending_size >= self.size:
                        data = b"".join(pending)
                        cut = data.rfind(b"\n") + 1
                        if cut:
                            yield data[:cut]
                            data = data[cut:]
                        pending, pending_size = [data], len(data)
            except (ValueError, zlib.error, EOFError, OSError):
                line = _decompress_prefix(path).count(b"\n") + 1
                raise InputError(
                    f"the gzip data is truncated or corrupt: only {line - 1} complete lines could be decompressed "
                    "(re-create the file, e.g. with 'bgzip')",
                    file=path,
                    line=line,
                ) from None
            data = b"".join(pending)
            if data:
                yield data

    @staticmethod
    def _plain(fh, first: bytes, read_size: int):
        if first:
            yield first
        while True:
            more = fh.read(read_size)
            if not more:
                return
            yield more


def _decode(data: bytes, path: Path, first_line: int = 1) -> str:
    if data[:3] == b"BCF" and first_line == 1:
        raise InputError("BCF (binary VCF) is not supported; convert it with 'bcftools view -Oz -o calls.vcf.gz'", file=path, line=1)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = first_line + data.count(b"\n", 0, err.start)
        raise InputError("expected VCF text, found binary or non-UTF-8 bytes", file=path, line=line) from None


def _read_vcf(path: Path, chunk_size: int = CHUNK_BYTES):
    """(header lines as text, with the first record appended when there is one; an iterator
    over the body in byte chunks that end at line ends, the first of which starts at the
    first record)."""
    source = iter(_TextChunks(path, chunk_size))
    data = b""
    end = 0
    exhausted = False
    while True:
        while data[end:end + 1] == b"#":
            nl = data.find(b"\n", end)
            if nl < 0:
                break
            end = nl + 1
        complete = data[end:end + 1] not in (b"#", b"") or (data[end:end + 1] == b"" and exhausted)
        if complete or (data[end:end + 1] == b"#" and exhausted):
            break
        try:
            piece = next(source)
            data = data + piece if data else piece
        except StopIteration:
            exhausted = True
            if data[end:end + 1] == b"#":  # a header line without a final newline
                end = len(data)
    header_text = _decode(data[:end], path).replace("\r\n", "\n")
    lines = header_text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    first_body = data[end:]
    nl = first_body.find(b"\n")
    first_record = first_body[: nl if nl >= 0 else len(first_body)].rstrip(b"\r")
    head = lines + [_decode(first_record, path, len(lines) + 1)] if first_record else lines

    def body():
        if first_body:
            yield first_body
        if not exhausted:
            yield from source

    return head, body()


def _head_lines(path: Path) -> list[str]:
    """Header lines and the first record, reading only the start of the file."""
    head, body = _read_vcf(path, chunk_size=1 << 20)
    body.close()
    return head


def _meta_fields(value: str) -> dict[str, str]:
    inner = value.strip()
    if inner.startswith("<") and inner.endswith(">"):
        inner = inner[1:-1]
    out = {}
    for key, val in _META_RE.findall(inner):
        if val.startswith('"') and val.endswith('"') and len(val) >= 2:
            val = val[1:-1].replace('\\"', '"')
        out.setdefault(key, val)
    return out


def _parse_header(lines: list[str], path: Path) -> VcfHeaderInfo:
    if not lines:
        raise InputError("expected a VCF file, found an empty file", file=path, line=1)
    if not lines[0].startswith("##fileformat=VCF"):
        found = lines[0][:40] + ("..." if len(lines[0]) > 40 else "")
        raise InputError(f"expected a VCF file starting with '##fileformat=VCFv4.x', found '{found}'", file=path, line=1)
    fileformat = lines[0].split("=", 1)[1].strip()
    contigs: dict[str, int | None] = {}
    info: dict[str, str] = {}
    formats: dict[str, str] = {}
    filters: list[str] = []
    descriptions: dict[str, str] = {}
    info_lines: dict[str, int] = {}
    reference = None
    normal_sample = tumor_sample = None
    build_texts: list[str] = []
    n = 1
    while n < len(lines) and lines[n].startswith("##"):
        line = lines[n]
        key, _, value = line[2:].partition("=")
        if key in ("contig", "INFO", "FORMAT", "FILTER"):
            meta = _meta_fields(value)
            ident = meta.get("ID")
            if not ident:
                raise InputError(f"expected an ID in the ##{key} header line", file=path, line=n + 1)
            if key == "contig":
                length = meta.get("length")
                try:
                    contigs[ident] = int(length) if length not in (None, "") else None
                except ValueError:
                    raise InputError(f"expected an integer contig length, found '{length}'", file=path, line=n + 1) from None
                if meta.get("assembly"):
                    build_texts.append(meta["assembly"])
            elif key == "INFO":
                info[ident] = meta.get("Number", ".")
                info_lines[ident] = n + 1
                descriptions[ident] = meta.get("Description", "")
            elif key == "FORMAT":
                formats[ident] = meta.get("Number", ".")
            else:
                filters.append(ident)
        elif key == "reference":
            reference = value.strip()
        elif key == "normal_sample":
            normal_sample = value.strip()
        elif key == "tumor_sample":
            tumor_sample = value.strip()
        elif key in ("assembly", "genome", "genome_build"):
            build_texts.append(value.strip())
        n += 1
    if n >= len(lines) or not lines[n].startswith("#CHROM"):
        where = n + 1
        found = lines[n][:40] if n < len(lines) else "end of file"
        raise InputError(
            f"missing the '#CHROM POS ID REF ALT QUAL FILTER INFO' header line (found '{found}')",
            file=path,
            line=where,
        )
    columns = lines[n].rstrip("\t").split("\t")
    if tuple(columns[:8]) != _FIXED_HEADER:
        raise InputError(
            f"expected the columns {' '.join(_FIXED_HEADER)} in the #CHROM line, found '{' '.join(columns[:8])}'",
            file=path,
            line=n + 1,
        )
    has_format = len(columns) > 8
    if has_format and columns[8] != "FORMAT":
        raise InputError(f"expected FORMAT as the 9th column of the #CHROM line, found '{columns[8]}'", file=path, line=n + 1)
    samples = tuple(columns[9:])
    seen: set[str] = set()
    for name in samples:
        if name in seen:
            raise InputError(f"sample column '{name}' appears twice in the #CHROM line", file=path, line=n + 1)
        seen.add(name)
    tag = "CSQ" if "CSQ" in info else ("ANN" if "ANN" in info else None)
    fields = csq.annotation_fields(descriptions[tag]) if tag else ()
    if tag == "CSQ" and csq.annotation_kind(fields) is None:
        raise InputError(
            "the ##INFO header of CSQ has no 'Format: Allele|Consequence|...' list, so the VEP annotation cannot be read",
            file=path, line=info_lines["CSQ"], column="CSQ",
        )
    annotation = csq.annotation_kind(fields) if fields else None
    style = chrom_style(list(contigs))
    if style is None and not contigs and n + 1 < len(lines) and lines[n + 1] and not lines[n + 1].startswith("#"):
        style = chrom_style([lines[n + 1].split("\t", 1)[0]])
    build = detect_build(contigs, [reference or ""] + build_texts)
    return VcfHeaderInfo(
        path=str(path),
        fileformat=fileformat,
        samples=samples,
        contigs=contigs,
        reference=reference,
        genome_build=build,
        contig_style=style,
        annotation=annotation,
        normal_sample=normal_sample,
        tumor_sample=tumor_sample,
        info=info,
        formats=formats,
        filters=tuple(filters),
        annotation_tag=tag if annotation else None,
        annotation_fields=fields if annotation else (),
        header_lines=n + 1,
        has_format=has_format,
    )


def _htslib_checked(header: VcfHeaderInfo, head: list[str], path: Path) -> VcfHeaderInfo:
    """The header lines as htslib (``pysam.VariantHeader``) reads them must agree with ours.

    Our parser gives line-numbered errors and the dialect details; htslib is what bcftools and
    most downstream tools apply, so a header line it rejects is refused here, and its sample
    list and contig lengths are the ones used. The lines are handed over from memory: opening
    the file again with ``pysam.VariantFile`` costs ~30 ms and cannot read plain-gzip VCFs.
    """
    import pysam

    pysam.set_verbosity(0)
    hts = pysam.VariantHeader()
    for number, line in enumerate(head[1:header.header_lines - 1], start=2):
        try:
            hts.add_line(line)
        except ValueError:
            raise InputError("htslib cannot read this header line", file=path, line=number) from None
    try:
        hts.add_samples(*header.samples)
    except ValueError as err:
        raise InputError(f"htslib cannot read the sample names ({err})", file=path, line=header.header_lines) from None
    if tuple(hts.samples) != header.samples:
        raise InputError(
            f"the #CHROM line names samples {', '.join(header.samples)} but htslib reads {', '.join(hts.samples)}",
            file=path, line=header.header_lines,
        )
    lengths = {name: hts.contigs[name].length for name in hts.contigs}
    merged = {**header.contigs, **{k: v for k, v in lengths.items() if v is not None}}
    if merged == header.contigs:
        return header
    return replace(header, contigs=merged, genome_build=detect_build(merged, [header.reference or ""]) or header.genome_build)


def read_vcf_header_info(path: str | os.PathLike) -> VcfHeaderInfo:
    """Samples, contigs (with lengths), ``##reference``, genome build, contig style, annotation.

    The build is 'hg19' or 'hg38' when the contig lengths of the primary chromosomes say so
    (chr1 249,250,621 = GRCh37, 248,956,422 = GRCh38), else from the names in
    ``##reference``/``assembly`` (hg19, GRCh37, b37, hs37d5 / hg38, GRCh38), else None.
    Contig style is 'chr', 'plain' or None (from the contig lines, else the first record).
    Only the header (and first record) is read, so this is quick on large files.
    """
    path = Path(path)
    head = _head_lines(path)
    return _htslib_checked(_parse_header(head, path), head, path)


# ----------------------------------------------------------------------------- samples


def resolve_samples(
    header: VcfHeaderInfo,
    *,
    tumor_name: str | None = None,
    normal_name: str | None = None,
    sample_id: str | None = None,
) -> tuple[int | None, int | None]:
    """Indices (into ``header.samples``) of the tumour and normal columns.

    Tumour: ``tumor_name``; else the column named ``sample_id``; else ``##tumor_sample=``;
    else ``TUMOR``; else the only column of a one-sample VCF; else the other column of a
    two-sample VCF whose normal was named. Normal: ``normal_name``; else
    ``##normal_sample=``; else ``NORMAL``; else the other column of a two-sample VCF.
    A VCF without sample columns (LoFreq) gives (None, None).
    """
    samples = header.samples
    path = header.path
    listed = ", ".join(samples)
    if not samples:
        # LoFreq writes no sample columns; names given for a sample's other VCFs do not apply
        return None, None
    index = {name: i for i, name in enumerate(samples)}
    if tumor_name and tumor_name not in index:
        raise InputError(
            f"tumor sample '{tumor_name}' is not a column of this VCF (columns: {listed}); "
            "set tumor_vcf_name in the samplesheet (--tumor-name) to one of them",
            file=path,
        )
    if normal_name and normal_name not in index:
        raise InputError(
            f"normal sample '{normal_name}' is not a column of this VCF (columns: {listed}); "
            "set normal_vcf_name in the samplesheet (--normal-name) to one of them",
            file=path,
        )
    tumor = index.get(tumor_name) if tumor_name else None
    if tumor is None:
        for candidate in (sample_id, header.tumor_sample, "TUMOR"):
            if candidate and candidate in index:
                tumor = index[candidate]
                break
    normal = index.get(normal_name) if normal_name else None
    normal_named = normal is not None
    if normal is None:
        for candidate in (header.normal_sample, "NORMAL"):
            if candidate and candidate in index and index[candidate] != tumor:
                normal = index[candidate]
                normal_named = True
                break
    if tumor is None and len(samples) == 1 and normal is None:
        tumor = 0
    if tumor is None and len(samples) == 2 and normal_named:
        tumor = 1 - normal
    if tumor is None:
        raise InputError(
            f"cannot tell which sample column is the tumor (columns: {listed}); "
            "set tumor_vcf_name in the samplesheet (--tumor-name) to the tumor's column",
            file=path,
        )
    if normal is None and len(samples) == 2:
        normal = 1 - tumor
    if normal is not None and normal == tumor:
        raise InputError(f"tumor and normal are the same column '{samples[tumor]}' (columns: {listed})", file=path)
    return tumor, normal


# ----------------------------------------------------------------------------- counts, record by record


def _truthy(x: int | None) -> bool:
    return bool(x)


def _int_field(value: str, *, path, line, key, who) -> int | None:
    if value in (".", ""):
        return None
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise InputError(f"expected a non-negative integer in {key} of {who}, found '{value}'", file=path, line=line, column=key)
    return number


def _first_int(value: str, **where) -> int | None:
    return _int_field(value.split(",", 1)[0], **where)


def allele_depths(alleles: Sequence[str], var_idx: int, fmt: dict[str, str], *, path=None, line=None, who="the sample") -> tuple[int | None, int | None, int | None]:
    """(REF count, ALT count, depth) of allele ``var_idx`` from one sample's FORMAT values.

    A port of vcf2maf ``FixAlleleDepths`` (module docstring) with one difference: an ``AD``
    whose number of values fits neither REF + each ALT nor a single value is an
    :class:`InputError` instead of silently blank counts.
    """
    n = len(alleles)
    where = {"path": path, "line": line, "who": who}

    def ival(key: str, value: str | None = None) -> int | None:
        return _int_field(fmt[key] if value is None else value, key=key, **where)

    depths: list[int | None] | None = None
    has_ad = "AD" in fmt
    ad_values: list[int | None] = []
    if has_ad and fmt["AD"] != ".":
        ad_values = [ival("AD", v) for v in fmt["AD"].split(",")]
    dp = ival("DP") if "DP" in fmt else None
    if len(ad_values) == 1 and "RD" in fmt:
        depths = [None] * n
        depths[0] = ival("RD")
        depths[var_idx] = ad_values[0]
    elif not has_ad and "BCOUNT" in fmt:
        counts = fmt["BCOUNT"].split(",")
        depths = [ival("BCOUNT", counts[_BASE_INDEX[a]]) if a in _BASE_INDEX and _BASE_INDEX[a] < len(counts) else None for a in alleles]
    elif not has_ad and all(k in fmt for k in ("AU", "CU", "GU", "TU")):
        # tier-1 counts of the record's bases (vcf2maf); other alleles (N, indels) have none
        depths = [_first_int(fmt[a + "U"], key=a + "U", **where) if a in _BASE_INDEX else None for a in alleles]
    elif not has_ad and "TIR" in fmt and "TAR" in fmt:
        depths = [None] * n
        depths[0] = _first_int(fmt["TAR"], key="TAR", **where)
        depths[var_idx] = _first_int(fmt["TIR"], key="TIR", **where)
    elif not has_ad and all(k in fmt for k in ("FAZ", "FCZ", "FGZ", "FTZ", "RAZ", "RCZ", "RGZ", "RTZ")):
        both = {b: (ival(f"F{b}Z") or 0) + (ival(f"R{b}Z") or 0) for b in "ACGT"}
        depths = [both.get(a) for a in alleles]
    elif not has_ad and "AO" in fmt and "RO" in fmt:
        depths = [ival("RO")] + [ival("AO", v) for v in fmt["AO"].split(",")]
    elif not has_ad and "RR" in fmt and "RV" in fmt:
        depths = [None] * n
        depths[0] = ival("RR")
        depths[var_idx] = ival("RV")
    elif not has_ad and "DP4" in fmt and len(fmt["DP4"].split(",")) == 4:
        c = [ival("DP4", v) or 0 for v in fmt["DP4"].split(",")]
        depths = [None] * n
        depths[0] = c[0] + c[1]
        depths[var_idx] = c[2] + c[3]
    elif not has_ad and all(k in fmt for k in ("PP", "NP", "PR", "NR")):
        depths = [None] * n
        depths[var_idx] = (ival("PP") or 0) + (ival("NP") or 0)
        dp = (ival("PR") or 0) + (ival("NR") or 0)
    elif not has_ad and "FA" in fmt and dp is not None:
        try:
            fraction = float(fmt["FA"].split(",")[var_idx - 1])
        except (ValueError, IndexError):
            raise InputError(f"expected an allele fraction in FA of {who}, found '{fmt['FA']}'", file=path, line=line, column="FA") from None
        depths = [None] * n
        depths[var_idx] = int(round(fraction * dp))
    elif not has_ad and "DV" in fmt and "DP" in fmt:
        depths = [None] * n
        depths[var_idx] = ival("DV")
    elif has_ad and len(ad_values) == 1:
        depths = [None] * n
        depths[var_idx] = ad_values[0]
    elif ad_values and len(ad_values) != n:
        raise InputError(
            f"expected {n} values in AD of {who} (REF and each ALT), found {len(ad_values)} ('{fmt['AD']}')",
            file=path,
            line=line,
            column="AD",
        )
    elif ad_values:
        depths = ad_values
    if not depths or var_idx >= len(depths):
        return None, None, dp
    ref_n, alt_n = depths[0], depths[var_idx]
    if dp is not None and ((_truthy(ref_n) and ref_n > dp) or (_truthy(alt_n) and alt_n > dp)
                           or (_truthy(ref_n) and _truthy(alt_n) and ref_n + alt_n > dp)):
        dp = sum(d for d in depths if d)
    if dp is None:
        dp = sum(d for d in depths if d)
    return ref_n, alt_n, dp


def _lofreq_counts(info: dict[str, str], alleles: Sequence[str], var_idx: int, *, path, line) -> tuple[int | None, int | None, int | None]:
    where = {"path": path, "line": line, "who": "the INFO column"}
    dp = _int_field(info["DP"], key="DP", **where) if "DP" in info else None
    ref_n = alt_n = None
    if "DP4" in info:
        values = info["DP4"].split(",")
        if len(values) != 4:
            raise InputError(f"expected 4 values in INFO DP4, found '{info['DP4']}'", file=path, line=line, column="DP4")
        c = [_int_field(v, key="DP4", **where) or 0 for v in values]
        ref_n, alt_n = c[0] + c[1], c[2] + c[3]
    elif "AF" in info and dp is not None:
        try:
            alt_n = int(round(float(info["AF"].split(",")[var_idx - 1]) * dp))
        except (ValueError, IndexError):
            raise InputError(f"expected an allele frequency in INFO AF, found '{info['AF']}'", file=path, line=line, column="AF") from None
    if dp is not None and ((_truthy(ref_n) and ref_n > dp) or (_truthy(alt_n) and alt_n > dp)
                           or (_truthy(ref_n) and _truthy(alt_n) and ref_n + alt_n > dp)):
        dp = (ref_n or 0) + (alt_n or 0)
    if dp is None and (ref_n is not None or alt_n is not None):
        dp = (ref_n or 0) + (alt_n or 0)
    return ref_n, alt_n, dp


def _info_dict(info: str) -> dict[str, str]:
    if info in (".", ""):
        return {}
    out: dict[str, str] = {}
    for item in info.split(";"):
        key, eq, value = item.partition("=")
        out[key] = value if eq else "1"
    return out


def _recode_genotype(gt: str, var_idx: int) -> str:
    """GT of a split record: this ALT becomes 1, REF stays 0, other ALTs become '.'."""
    if not gt or gt == ".":
        return gt
    out = []
    for token in re.split(r"([/|])", gt):
        if token in ("/", "|"):
            out.append(token)
        elif token == "0" or token == ".":
            out.append(token)
        elif token == str(var_idx):
            out.append("1")
        else:
            out.append(".")
    return "".join(out)


# ----------------------------------------------------------------------------- the reader


@dataclass
class _Spec:
    """Per-dialect choices."""

    caller: str
    dot_passes: bool = False  # FILTER '.' counts as PASS
    info_status: str | None = None  # INFO key with the somatic status
    format_status: bool = False  # tumour FORMAT SS must be 2 when present
    info_counts: bool = False  # counts from INFO (LoFreq)


def _spec(caller: str) -> _Spec:
    if caller == "somaticsniper":
        return _Spec(caller, dot_passes=True, format_status=True)
    if caller == "muse":
        return _Spec(caller, format_status=True)
    if caller == "varscan2":
        return _Spec(caller, info_status="SS")
    if caller == "vardict":
        return _Spec(caller, info_status="STATUS")
    if caller == "lofreq":
        return _Spec(caller, info_counts=True)  # switched off when the VCF has sample columns
    if caller == "germline":
        return _Spec(caller, dot_passes=True)
    return _Spec(caller)


def _status_ok(caller: str, value: str | None) -> bool:
    """A caller's somatic status allows the call; a missing status ('.', absent) allows it."""
    if value is None or value in ("", "."):
        return True
    if caller == "vardict":
        return value in _SOMATIC_STATUS
    return value == "2"


_INFO_RE_CACHE: dict[str, re.Pattern] = {}


def _info_getter(key: str) -> re.Pattern:
    pattern = _INFO_RE_CACHE.get(key)
    if pattern is None:
        pattern = re.compile(r"(?:^|;)" + re.escape(key) + r"(?:=([^;]*))?(?=;|$)")
        _INFO_RE_CACHE[key] = pattern
    return pattern


class _Rows:
    """Column lists of output rows, filled by both the bulk and the record-by-record path."""

    def __init__(self, extra: Sequence[str]) -> None:
        self.record: list[int] = []  # index of the source record (for file order)
        self.allele: list[int] = []
        self.chrom: list[str] = []
        self.pos: list[int] = []
        self.ref: list[str] = []
        self.alt: list[str] = []
        self.filter: list[str] = []
        self.is_pass: list[bool] = []
        self.counts: list[list[int | None]] = [[] for _ in COUNT_COLUMNS]
        self.genotype: list[str] = []
        self.line: list[int] = []  # line of the record in the decompressed file
        self.ann: list[tuple | None] = []  # (raw CSQ/ANN, REF, ALTs) of annotated records, as written
        self.extra = {k: [] for k in extra}


def _format_extra(value: str | None, number: str, var_idx: int) -> str:
    if value is None:
        return ""
    if number in ("A", "R"):
        parts = value.split(",")
        i = var_idx - 1 if number == "A" else var_idx
        return parts[i] if i < len(parts) else ""
    return value


class _Reader:
    def __init__(self, path: Path, caller: str, header: VcfHeaderInfo, tumor: int | None, normal: int | None,
                 info_fields: Sequence[str]) -> None:
        self.path = path
        self.caller = caller
        self.spec = _spec(caller)
        if self.spec.info_counts and header.has_format and tumor is not None:
            self.spec.info_counts = False  # a LoFreq VCF with sample columns: FORMAT rules apply
        self.header = header
        self.tumor = tumor
        self.normal = normal
        self.info_fields = tuple(info_fields)
        self.ncol = 8 + (1 + len(header.samples) if header.has_format else 0)
        self.first_line = header.header_lines + 1
        self.tumor_who = f"sample '{header.samples[tumor]}'" if tumor is not None else "the INFO column"
        self.normal_who = f"sample '{header.samples[normal]}'" if normal is not None else ""
        self.annotated = bool(header.annotation and header.annotation_tag)
        self.ann_getter = _info_getter(header.annotation_tag) if self.annotated else None
        self.bulk = True

    # -- record by record -------------------------------------------------------------
    def record(self, rows: _Rows, rec: int, fields: list[str], line: int) -> None:
        """All output rows of one record (any layout); raises InputError with the line."""
        chrom, pos_s, _, ref, alt_s, _, flt, info_s = fields[:8]
        pos = self.parse_pos(pos_s, line)
        ref = self.check_ref(ref, line)
        alts = alt_s.split(",")
        spec = self.spec
        info = _info_dict(info_s) if (spec.info_counts or spec.info_status or self.info_fields) else {}
        tum = nor = None
        if self.header.has_format and self.tumor is not None:
            keys = fields[8].split(":")
            tum = self.sample_dict(keys, fields[9 + self.tumor], line, self.tumor_who)
            if self.normal is not None:
                nor = self.sample_dict(keys, fields[9 + self.normal], line, self.normal_who)
        base_pass = flt == "PASS" or (spec.dot_passes and flt == ".")
        status = info.get(spec.info_status) if spec.info_status else None
        if spec.format_status and tum is not None:
            status = tum.get("SS")
        record_pass = base_pass and _status_ok(spec.caller, status)
        alleles = [ref] + alts
        for var_idx, alt in enumerate(alts, start=1):
            if not alt or not _ACGTN.issuperset(alt):
                alt_up = alt.upper()
                if alt_up and _ACGTN.issuperset(alt_up):
                    alt = alt_up
                elif alt == "" or alt == "." and len(alts) == 1 or alt in ("*",) or alt.startswith("<") or "[" in alt or "]" in alt or alt.startswith(".") or alt.endswith("."):
                    continue  # no ALT, spanning deletion, symbolic or breakend: not a small variant
                else:
                    raise InputError(f"expected ALT alleles of A, C, G, T, N (or symbolic), found '{alt_s}'", file=self.path, line=line, column="ALT")
            if alt == ref:
                continue
            if spec.info_counts:
                t = _lofreq_counts(info, alleles, var_idx, path=self.path, line=line)
                n = (None, None, None)
            else:
                t = allele_depths(alleles, var_idx, tum, path=self.path, line=line, who=self.tumor_who) if tum is not None else (None, None, None)
                n = allele_depths(alleles, var_idx, nor, path=self.path, line=line, who=self.normal_who) if nor is not None else (None, None, None)
            gt = tum.get("GT", "") if tum is not None else ""
            if len(alts) > 1:
                gt = _recode_genotype(gt, var_idx)
            rows.record.append(rec)
            rows.allele.append(var_idx)
            rows.chrom.append(chrom)
            rows.pos.append(pos)
            rows.ref.append(ref)
            rows.alt.append(alt)
            rows.filter.append(flt)
            rows.is_pass.append(record_pass)
            for column, value in zip(rows.counts, (t[2], t[0], t[1], n[2], n[0], n[1])):
                column.append(value)
            rows.genotype.append(gt)
            rows.line.append(line)
            if self.annotated:
                match = self.ann_getter.search(info_s)
                rows.ann.append((match.group(1), ref, alt_s.upper().split(",")) if match and match.group(1) else None)
            for key in self.info_fields:
                rows.extra[key].append(_format_extra(info.get(key), self.header.info.get(key, "."), var_idx))

    def parse_pos(self, value: str, line: int) -> int:
        try:
            pos = int(value)
        except ValueError:
            pos = 0
        if pos < 1:
            raise InputError(f"expected a positive integer POS, found '{value}'", file=self.path, line=line, column="POS")
        return pos

    def check_ref(self, ref: str, line: int) -> str:
        if ref and _ACGTN.issuperset(ref):
            return ref
        upper = ref.upper()
        if upper and _ACGTN.issuperset(upper):
            return upper
        raise InputError(f"expected a REF allele of A, C, G, T, N, found '{ref}'", file=self.path, line=line, column="REF")

    def sample_dict(self, keys: list[str], value: str, line: int, who: str) -> dict[str, str]:
        values = value.split(":")
        if len(values) > len(keys):
            raise InputError(
                f"{who} has {len(values)} values but FORMAT has only {len(keys)} keys ('{':'.join(keys)}')",
                file=self.path,
                line=line,
                column="FORMAT",
            )
        return dict(zip(keys, values))

    # -- bulk ---------------------------------------------------------------------------
    def read(self, chunks) -> tuple[_Rows, _Rows, np.ndarray, np.ndarray]:
        """(bulk rows, record-by-record rows, bulk counts (6 x n), bulk missing (6 x n)) of the
        body, given as byte chunks that end at line ends."""
        bulk, slow = _Rows(self.info_fields), _Rows(self.info_fields)
        counts, missing = [np.zeros((6, 0), np.int64)], [np.ones((6, 0), bool)]
        first_line = self.header.header_lines + 1
        record_offset = 0
        for body in chunks:
            if not body:
                continue
            n_records, n_lines, chunk_counts, chunk_missing = self._read_chunk(body, first_line, record_offset, bulk, slow)
            counts.append(chunk_counts)
            missing.append(chunk_missing)
            record_offset += n_records
            first_line += n_lines
        return bulk, slow, np.concatenate(counts, axis=1), np.concatenate(missing, axis=1)

    def _read_chunk(self, body: bytes, first_line: int, record_offset: int, rows: _Rows, slow: _Rows):
        """Parse one chunk into ``rows`` (bulk) and ``slow``.

        Returns (records in the chunk, lines in the chunk, bulk counts, bulk missing); the
        count arrays are 6 x (bulk rows) in the order of COUNT_COLUMNS.
        """
        if b"\r" in body:
            body = body.replace(b"\r\n", b"\n")
        if not body.isascii():
            _decode(body, self.path, first_line if first_line > 1 else 2)
        table = _ByteTable(body, first_line)
        present = table.line_end > table.line_start  # blank lines are skipped, keeping numbering
        ncol = self.ncol
        if not table.has_fields_per_line(ncol, present):
            tabs_per_line = table.count_per_line(9)
            bad = np.flatnonzero(present & (tabs_per_line != ncol - 1))
            i = int(bad[0])  # the quick check fails only when a line has the wrong number of tabs
            if table.text(i).startswith("#"):
                raise InputError("unexpected header line after the #CHROM line", file=self.path, line=table.line_number_of(i))
            raise InputError(
                f"expected {ncol} tab-separated fields (as in the #CHROM line), found {int(tabs_per_line[i]) + 1}",
                file=self.path,
                line=table.line_number_of(i),
            )
        table.fields(ncol, present)
        rec = np.flatnonzero(present)  # records: indices of non-blank lines
        n = len(rec)
        if not n:
            return 0, table.n_lines, np.zeros((6, 0), np.int64), np.ones((6, 0), bool)
        arr = table.arr
        pos, pos_ok = table.uints(*table.field(1, rec), maxlen=12)
        pos_ok &= pos >= 1
        if not pos_ok.all():
            i = int(rec[np.flatnonzero(~pos_ok)[0]])
            self.parse_pos(table.field_text(i, 1), table.line_number_of(i))
        ref_start, ref_end = table.field(3, rec)
        alt_start, alt_end = table.field(4, rec)
        ref = np.empty(n, dtype=object)
        alt = np.empty(n, dtype=object)
        fast = np.zeros(n, bool)
        single = ((ref_end - ref_start) == 1) & ((alt_end - alt_start) == 1)
        rc = _BASE_CODE[arr[np.where(single, ref_start, 0)]]
        ac = _BASE_CODE[arr[np.where(single, alt_start, 0)]]
        snv = single & (rc >= 0) & (ac >= 0) & (rc != ac)
        # base codes (A, C, G, T = 0..3) of SNVs, for per-base count fields; -1 otherwise
        base_codes = (np.where(snv & (rc < 4), rc, -1), np.where(snv & (ac < 4), ac, -1))
        ref[snv] = _BASES[rc[snv]]
        alt[snv] = _BASES[ac[snv]]
        fast |= snv
        other = np.flatnonzero(~single)
        if len(other):
            rs, re_, as_, ae = ref_start[other].tolist(), ref_end[other].tolist(), alt_start[other].tolist(), alt_end[other].tolist()
            for j, i in enumerate(other.tolist()):
                r = body[rs[j]:re_[j]].decode()
                a = body[as_[j]:ae[j]].decode()
                if r and a and r != a and _ACGTN.issuperset(r) and _ACGTN.issuperset(a):
                    ref[i], alt[i] = r, a
                    fast[i] = True
        chrom = table.run_strings(*table.field(0, rec))
        flt_start, flt_end = table.field(6, rec)
        is_pass_filter = table.equals(flt_start, flt_end, b"PASS")
        is_dot = table.equals(flt_start, flt_end, b".")
        flt = np.empty(n, dtype=object)
        flt[is_pass_filter] = "PASS"
        flt[is_dot] = "."
        others = np.flatnonzero(~(is_pass_filter | is_dot))
        for i in others.tolist():
            flt[i] = body[int(flt_start[i]):int(flt_end[i])].decode()
        spec = self.spec
        is_pass = is_pass_filter | is_dot if spec.dot_passes else is_pass_filter.copy()
        counts = np.zeros((6, n), dtype=np.int64)  # t_depth, t_ref, t_alt, n_depth, n_ref, n_alt
        missing = np.ones((6, n), dtype=bool)
        genotype = np.full(n, "", dtype=object)
        status_bad = np.zeros(n, bool)
        if spec.info_counts:
            fast[:] = False  # LoFreq: counts from INFO, record by record
        elif self.header.has_format and self.tumor is not None:
            fmt_start, fmt_end = table.field(8, rec)
            groups = table.group_by_text(fmt_start, fmt_end, fast)
            for fmt_string, members in groups.items():
                done = self._bulk_group(table, rec, fmt_string.split(":"), members, base_codes, counts, missing, genotype, status_bad)
                fast[members[~done]] = False
        if spec.info_status:
            info_start, info_end = table.field(7, rec)
            status_bad |= table.info_status(info_start, info_end, spec.info_status, spec.caller)
        is_pass &= ~status_bad
        if not self.bulk:
            fast[:] = False
        fast_idx = np.flatnonzero(fast)
        every = len(fast_idx) == n
        pick = (lambda a: a) if every else (lambda a: a[fast_idx])  # noqa: E731
        # bulk rows are kept as arrays per chunk (concatenated once at the end)
        rows.record.append(fast_idx + record_offset)
        rows.allele.append(np.ones(len(fast_idx), np.int64))
        rows.chrom.append(pick(chrom))
        rows.pos.append(pick(pos))
        rows.ref.append(pick(ref))
        rows.alt.append(pick(alt))
        rows.filter.append(pick(flt))
        rows.is_pass.append(pick(is_pass))
        rows.genotype.append(pick(genotype))
        rows.line.append(table.line_number[rec[fast_idx]])
        if (self.info_fields or self.annotated) and len(fast_idx):
            info_start, info_end = table.field(7, rec)
            infos = table.strings(info_start[fast_idx], info_end[fast_idx])
            for key in self.info_fields:
                getter = _info_getter(key)
                number = self.header.info.get(key, ".")
                rows.extra[key].append(np.array([_format_extra((m.group(1) or "1") if m else None, number, 1)
                                                 for m in map(getter.search, infos)], dtype=object))
            if self.annotated:
                for m, r, a in zip(map(self.ann_getter.search, infos), ref[fast_idx].tolist(), alt[fast_idx].tolist()):
                    rows.ann.append((m.group(1), r, [a]) if m and m.group(1) else None)
        for i in np.flatnonzero(~fast).tolist():
            line_index = int(rec[i])
            self.record(slow, i + record_offset, table.text(line_index).split("\t"), table.line_number_of(line_index))
        return n, table.n_lines, counts[:, fast_idx], missing[:, fast_idx]

    def _bulk_group(self, table, rec, keys, members, base_codes, counts, missing, genotype, status_bad) -> np.ndarray:
        """Counts of simple records sharing one FORMAT string; returns which ``members`` were done.

        Handled here are the layouts with one unambiguous vcf2maf rule: AD with REF and ALT
        values, VarScan2 AD + RD, BCOUNT, Strelka2 AU..TU and TAR/TIR. A row with a missing
        or malformed value is left to the record-by-record path, which reports errors.
        """
        k = len(keys)
        at = {key: j for j, key in enumerate(keys)}
        if "AD" in at:
            rule = "AD"
        elif "BCOUNT" in at:
            rule = "BCOUNT"
        elif all(b + "U" in at for b in "ACGT"):
            rule = "STRELKA_SNV"
        elif "TIR" in at and "TAR" in at:
            rule = "STRELKA_INDEL"
        else:
            return np.zeros(len(members), bool)
        ok = np.ones(len(members), bool)
        lines = rec[members]
        samples = [(9 + self.tumor, 0)]
        if self.normal is not None:
            samples.append((9 + self.normal, 3))
        for column, offset in samples:
            start, end = table.field(column, lines)
            sub = table.subfields(start, end, k, 58)  # ':'
            if sub is None:
                return np.zeros(len(members), bool)
            sub_start, sub_end, good = sub
            ok &= good
            codes = (base_codes[0][members], base_codes[1][members])
            depth, ref_n, alt_n, valid = _bulk_counts(table, rule, at, sub_start, sub_end, codes)
            ok &= valid
            counts[offset, members], counts[offset + 1, members], counts[offset + 2, members] = depth, ref_n, alt_n
            if offset == 0:
                if "GT" in at:
                    j = at["GT"]
                    genotype[members] = table.small_strings(sub_start[j], sub_end[j], good)
                if self.spec.format_status and "SS" in at:
                    j = at["SS"]
                    value, parsed = table.uints(sub_start[j], sub_end[j], maxlen=3)
                    empty = table.equals(sub_start[j], sub_end[j], b".") | (sub_end[j] == sub_start[j])
                    ok &= parsed | empty
                    status_bad[members] = parsed & (value != 2)
        done = members[ok]
        missing[0:3, done] = False
        if self.normal is not None:
            missing[3:6, done] = False
        return ok


_BASE_CODE = np.full(256, -1, dtype=np.int64)
for _i, _b in enumerate(b"ACGTN"):
    _BASE_CODE[_b] = _i
_BASES = np.array(list("ACGTN"), dtype=object)


class _Parts:
    """Start (or end) offsets of part j of separator-split ranges, computed on first use."""

    def __init__(self, pos, lo, start, end, good, k, starts) -> None:
        self.pos, self.lo, self.start, self.end, self.good, self.k, self.starts = pos, lo, start, end, good, k, starts
        self._cache: dict[int, np.ndarray] = {}

    def __len__(self) -> int:
        return self.k

    def __getitem__(self, j: int) -> np.ndarray:
        found = self._cache.get(j)
        if found is None:
            if self.starts:
                found = self.start if j == 0 else np.where(self.good, self.pos[np.minimum(self.lo + j - 1, len(self.pos) - 1)] + 1, self.start)
            else:
                found = self.end if j == self.k - 1 else np.where(self.good, self.pos[np.minimum(self.lo + j, len(self.pos) - 1)], self.start)
            self._cache[j] = found
        return found


class _ByteTable:
    """Byte offsets of the lines and tab-separated fields of a VCF body, for vectorised parsing."""

    def __init__(self, body: bytes, first_line: int) -> None:
        if not body.endswith(b"\n"):
            body += b"\n"
        self.body = body
        self.arr = np.frombuffer(body, dtype=np.uint8)
        self.line_end = np.flatnonzero(self.arr == 10)
        self.line_start = np.empty_like(self.line_end)
        if len(self.line_end):
            self.line_start[0] = 0
            self.line_start[1:] = self.line_end[:-1] + 1
        self.n_lines = len(self.line_end)
        self.line_number = np.arange(first_line, first_line + self.n_lines, dtype=np.int64)
        self._positions: dict[int, np.ndarray] = {}

    def positions(self, byte: int) -> np.ndarray:
        """Sorted offsets of ``byte`` in the chunk."""
        return self.padded_positions(byte)[:-1]

    def padded_positions(self, byte: int) -> np.ndarray:
        """positions(byte) followed by a sentinel past the end, so that 'the next one after'
        lookups need no bounds checks."""
        found = self._positions.get(byte)
        if found is None:
            hits = np.flatnonzero(self.arr == byte)
            found = np.empty(len(hits) + 1, dtype=hits.dtype)
            found[:-1] = hits
            found[-1] = len(self.arr) + 1
            self._positions[byte] = found
        return found

    def line_number_of(self, line_index: int) -> int:
        return int(self.line_number[line_index])

    def text(self, line_index: int) -> str:
        return self.body[int(self.line_start[line_index]):int(self.line_end[line_index])].decode()

    def has_fields_per_line(self, ncol: int, present: np.ndarray) -> bool:
        """Whether every present line has exactly ``ncol - 1`` tabs (without counting per line:
        the right total, and each line's share of the sorted tab positions inside that line)."""
        tabs = self.positions(9)
        per = ncol - 1
        n = int(present.sum())
        if len(tabs) != n * per:
            return False
        if not per or not n:
            return True
        grouped = tabs.reshape(n, per)
        return bool((grouped[:, 0] >= self.line_start[present]).all() and (grouped[:, -1] < self.line_end[present]).all())

    def count_per_line(self, byte: int) -> np.ndarray:
        pos = self.positions(byte)
        before_end = np.searchsorted(pos, self.line_end)
        return np.diff(before_end, prepend=0)

    def fields(self, ncol: int, present: np.ndarray) -> None:
        """Field boundaries of the (non-blank) lines, which all have ``ncol - 1`` tabs."""
        tabs = self.positions(9)
        self.ncol = ncol
        self.tabs = tabs.reshape(-1, ncol - 1) if ncol > 1 else np.zeros((int(present.sum()), 0), np.int64)
        self._present_index = np.full(self.n_lines, -1, dtype=np.int64)
        self._present_index[np.flatnonzero(present)] = np.arange(int(present.sum()))

    def field(self, j: int, lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(start, end) byte offsets of field ``j`` of the given line indices."""
        rows = self._present_index[lines]
        start = self.line_start[lines] if j == 0 else self.tabs[rows, j - 1] + 1
        end = self.tabs[rows, j] if j < self.ncol - 1 else self.line_end[lines]
        return start, end

    def field_text(self, line_index: int, j: int) -> str:
        start, end = self.field(j, np.array([line_index]))
        return self.body[int(start[0]):int(end[0])].decode()

    def uints(self, start: np.ndarray, end: np.ndarray, maxlen: int = 12) -> tuple[np.ndarray, np.ndarray]:
        """Decimal non-negative integers in the byte ranges, and which ranges held one."""
        length = end - start
        valid = (length >= 1) & (length <= maxlen)
        n = len(start)
        width = int(length[valid].max()) if valid.any() else 0
        if not width:
            return np.zeros(n, dtype=np.int64), valid
        # right-align every number in a (n, width) digit matrix, so place values are per column
        k = np.arange(width)
        index = end[:, None] - width + k[None, :]
        used = k[None, :] >= (width - np.where(valid, length, 0))[:, None]
        digits = self.arr[np.where(used, index, 0)].astype(np.int64) - 48
        valid &= ((digits >= 0) & (digits <= 9) | ~used).all(axis=1)
        digits = np.where(used, digits, 0)
        value = digits @ (10 ** np.arange(width - 1, -1, -1, dtype=np.int64))
        return value, valid

    def equals(self, start: np.ndarray, end: np.ndarray, text: bytes) -> np.ndarray:
        result = (end - start) == len(text)
        arr = self.arr
        for k, byte in enumerate(text):
            result &= arr[np.where(result, start + k, 0)] == byte
        return result

    def strings(self, start: np.ndarray, end: np.ndarray) -> list[str]:
        body = self.body
        return [body[a:b].decode() for a, b in zip(start.tolist(), end.tolist())]

    def _matrix(self, start: np.ndarray, end: np.ndarray, width: int) -> np.ndarray:
        length = np.minimum(end - start, width)
        k = np.arange(width)
        take = k[None, :] < length[:, None]
        index = np.where(take, start[:, None] + k[None, :], 0)
        return np.where(take, self.arr[index], 0).astype(np.uint8)

    def small_strings(self, start: np.ndarray, end: np.ndarray, good: np.ndarray | None = None) -> np.ndarray:
        """Object array of short strings (genotypes), built from their distinct values."""
        n = len(start)
        out = np.empty(n, dtype=object)
        if not n:
            return out
        if good is not None:
            start, end = np.where(good, start, 0), np.where(good, end, 0)
        width = int((end - start).max())
        if width > 32:
            out[:] = self.strings(start, end)
            return out
        width = max(width, 1)
        matrix = np.ascontiguousarray(self._matrix(start, end, width))
        keys = matrix.view(f"S{width}").ravel()
        uniques, inverse = np.unique(keys, return_inverse=True)
        names = np.array([u.decode() for u in uniques.tolist()], dtype=object)
        out[:] = names[inverse.ravel()]
        return out

    def run_strings(self, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Object array of values that change rarely between lines (CHROM of a sorted VCF)."""
        n = len(start)
        out = np.empty(n, dtype=object)
        if not n:
            return out
        length = end - start
        width = int(length.max())
        if width > 64:
            out[:] = self.strings(start, end)
            return out
        matrix = self._matrix(start, end, max(width, 1))
        change = np.ones(n, bool)
        change[1:] = (length[1:] != length[:-1]) | (matrix[1:] != matrix[:-1]).any(axis=1)
        heads = np.flatnonzero(change)
        names = np.array(self.strings(start[heads], end[heads]), dtype=object)
        out[:] = np.repeat(names, np.diff(np.append(heads, n)))
        return out

    def group_by_text(self, start: np.ndarray, end: np.ndarray, among: np.ndarray) -> dict[str, np.ndarray]:
        """Indices (into start/end) of the rows in ``among``, grouped by the text of their range."""
        idx = np.flatnonzero(among)
        if not len(idx):
            return {}
        first = int(idx[0])
        template = self.body[int(start[first]):int(end[first])]
        same = self.equals(start[idx], end[idx], template)
        groups = {template.decode(): idx[same]}
        rest = idx[~same]
        if len(rest):
            by_text: dict[str, list[int]] = {}
            for i, text in zip(rest.tolist(), self.strings(start[rest], end[rest])):
                by_text.setdefault(text, []).append(i)
            for text, members in by_text.items():
                groups[text] = np.array(members, dtype=np.int64)
        return groups

    def after(self, byte: int, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(index into positions(byte) of the first ``byte`` at or after each start, and the
        position found there, or a position past every range)."""
        pos = self.padded_positions(byte)
        lo = np.searchsorted(pos, start)
        return lo, pos[lo]

    def subfields(self, start: np.ndarray, end: np.ndarray, k: int, sep: int):
        """Boundaries of the ``k`` ``sep``-separated parts of each range, and which ranges have
        exactly ``k`` parts; None when no range does. The boundaries are (starts, ends)
        sequences indexed by part, computed only for the parts asked for."""
        pos = self.padded_positions(sep)
        lo = np.searchsorted(pos, start)
        last = len(pos) - 1
        # exactly k - 1 separators inside: the (k-1)th is before the end, the kth is not
        good = pos[np.minimum(lo + k - 1, last)] >= end
        if k > 1:
            good &= pos[np.minimum(lo + k - 2, last)] < end
        if not good.any():
            return None
        return _Parts(pos, lo, start, end, good, k, True), _Parts(pos, lo, start, end, good, k, False), good

    def info_status(self, start: np.ndarray, end: np.ndarray, key: str, caller: str) -> np.ndarray:
        """Rows whose INFO ``key`` says 'not somatic' (VarScan2 SS != 2; VarDict STATUS not
        StrongSomatic/LikelySomatic); rows without the key are not flagged."""
        needle = key.encode() + b"="
        arr = self.arr
        m = len(needle)
        if len(arr) <= m:
            return np.zeros(len(start), bool)
        hit = arr[: len(arr) - m + 1] == needle[0]
        for k in range(1, m):
            hit &= arr[k: len(arr) - m + 1 + k] == needle[k]
        where = np.flatnonzero(hit)
        where = where[(where == 0) | np.isin(arr[np.maximum(where - 1, 0)], (59, 9))]  # after ';' or the INFO start
        row = np.searchsorted(start, where, side="right") - 1
        inside = (row >= 0) & (where < end[np.maximum(row, 0)])
        where, row = where[inside], row[inside]
        if not len(where):
            return np.zeros(len(start), bool)
        row, first = np.unique(row, return_index=True)  # first occurrence per row
        where = where[first]
        value_start = where + m
        semis = self.positions(59)
        nxt = semis[np.minimum(np.searchsorted(semis, value_start), max(len(semis) - 1, 0))] if len(semis) else end[row]
        value_end = np.where((len(semis) > 0) & (nxt >= value_start) & (nxt < end[row]), nxt, end[row])
        flagged = np.zeros(len(start), bool)
        if caller == "vardict":
            ok = self.equals(value_start, value_end, b"StrongSomatic") | self.equals(value_start, value_end, b"LikelySomatic")
        else:
            ok = self.equals(value_start, value_end, b"2")
        ok |= (value_end == value_start) | self.equals(value_start, value_end, b".")  # missing status
        flagged[row] = ~ok
        return flagged


def _bulk_counts(table: _ByteTable, rule: str, at: dict[str, int], starts, ends, codes):
    """(depth, REF count, ALT count, valid) of one sample for simple biallelic rows.

    ``codes`` are the REF and ALT base codes (A, C, G, T = 0..3; -1 for other alleles) used
    by the per-base layouts (BCOUNT, Strelka2 AU..TU)."""
    m = len(codes[0])
    zero = np.zeros(m, np.int64)

    def part(key: str):
        j = at[key]
        return starts[j], ends[j]

    def split_parts(key: str, k: int):
        out = table.subfields(*part(key), k, 44)  # ','
        if out is None:
            s, e = part(key)
            return [s] * k, [e] * k, np.zeros(m, bool)
        return out

    if rule == "AD":
        s, e = part("AD")
        ref_n, alt_n, valid = zero.copy(), zero.copy(), np.zeros(m, bool)
        ps, pe, two = split_parts("AD", 2)
        if two.any():
            r, g1 = table.uints(ps[0], pe[0])
            a, g2 = table.uints(ps[1], pe[1])
            ref_n = np.where(two, r, ref_n)
            alt_n = np.where(two, a, alt_n)
            valid |= two & g1 & g2
        if "RD" in at:
            # VarScan2: AD is the ALT count alone (no comma) and RD the REF count
            one = table.after(44, s, e)[1] >= e
            if one.any():
                r, g1 = table.uints(*part("RD"))
                a, g2 = table.uints(s, e)
                ref_n = np.where(one, r, ref_n)
                alt_n = np.where(one, a, alt_n)
                valid |= one & g1 & g2
    elif rule in ("BCOUNT", "STRELKA_SNV"):
        # one count per base; only the REF and ALT bases' counts are parsed (as vcf2maf reads them)
        ri, ai = codes
        valid = (ri >= 0) & (ai >= 0)
        ri, ai = np.maximum(ri, 0), np.maximum(ai, 0)
        rows = np.arange(m)
        if rule == "BCOUNT":
            ps, pe, good = split_parts("BCOUNT", 4)
            ps, pe = np.stack([ps[j] for j in range(4)]), np.stack([pe[j] for j in range(4)])
            picked = [(ps[ri, rows], pe[ri, rows]), (ps[ai, rows], pe[ai, rows])]
            valid &= good
        else:  # Strelka2 AU..TU: tier 1 is the first of two values
            fs = np.stack([starts[at[b + "U"]] for b in "ACGT"])
            fe = np.stack([ends[at[b + "U"]] for b in "ACGT"])
            picked = []
            for code in (ri, ai):
                tiers = table.subfields(fs[code, rows], fe[code, rows], 2, 44)
                if tiers is None:
                    return zero, zero, zero, np.zeros(m, bool)
                picked.append((tiers[0][0], tiers[1][0]))
                valid &= tiers[2]
        ref_n, g1 = table.uints(*picked[0])
        alt_n, g2 = table.uints(*picked[1])
        valid &= g1 & g2
    else:  # STRELKA_INDEL: tier-1 TAR (REF) and TIR (ALT)
        ps, pe, g1 = split_parts("TAR", 2)
        ref_n, g2 = table.uints(ps[0], pe[0])
        ps, pe, g3 = split_parts("TIR", 2)
        alt_n, g4 = table.uints(ps[0], pe[0])
        valid = g1 & g2 & g3 & g4
    if "DP" in at:
        depth, good = table.uints(*part("DP"))
        valid = valid & good
    else:
        depth = ref_n + alt_n
    # vcf2maf: a depth below the REF or ALT count (or their sum) becomes the sum of the counts
    total = ref_n + alt_n
    too_small = ((ref_n > 0) & (ref_n > depth)) | ((alt_n > 0) & (alt_n > depth)) | ((ref_n > 0) & (alt_n > 0) & (total > depth))
    depth = np.where(too_small, total, depth)
    return depth, ref_n, alt_n, valid


def read_caller_vcf(
    path: str | os.PathLike,
    caller: str,
    *,
    tumor_name: str | None = None,
    normal_name: str | None = None,
    sample_id: str | None = None,
    fasta=None,
    info_fields: Sequence[str] = (),
    custom_isoforms: Iterable[str] = (),
) -> pd.DataFrame:
    """The calls table of a caller's VCF (docs/architecture.md), one row per ALT allele.

    ``caller`` is one of :data:`DIALECTS` (the eight somatic callers, or 'germline' for a
    single-sample GT/AD/DP VCF such as HaplotypeCaller or DeepVariant). Sample columns are
    chosen by :func:`resolve_samples`. ``fasta`` (a path or :class:`metevo.io.fasta.ReferenceGenome`)
    turns on left-alignment of indels and the REF check. ``info_fields`` adds one string
    column per INFO key (e.g. ``("CLNSIG",)`` -> column ``CLNSIG``; Number=A/R values are
    reduced to the row's ALT; flags are '1'; '' when absent). ``custom_isoforms`` are
    preferred transcript IDs for the annotation choice (vcf2maf ``--custom-enst``).

    Besides the documented columns the table has ``genotype``: the tumour's GT as written
    (for a split multi-allelic record: this ALT as 1, other ALTs as '.').
    """
    if caller not in DIALECTS:
        raise InputError(f"unknown caller '{caller}'; expected one of: {', '.join(DIALECTS)}")
    return _read_calls(Path(path), caller, tumor_name=tumor_name, normal_name=normal_name, sample_id=sample_id,
                       fasta=fasta, info_fields=info_fields, custom_isoforms=frozenset(custom_isoforms))


def _read_calls(path: Path, caller: str, *, tumor_name=None, normal_name=None, sample_id=None, fasta=None,
                info_fields: Sequence[str] = (), custom_isoforms: frozenset[str] = frozenset(), bulk: bool = True,
                chunk_size: int = CHUNK_BYTES) -> pd.DataFrame:
    """read_caller_vcf; ``bulk=False`` reads every record one by one (the reference path, for
    tests); ``chunk_size`` is how much decompressed text is parsed at a time."""
    if caller not in DIALECTS:
        raise InputError(f"unknown caller '{caller}'; expected one of: {', '.join(DIALECTS)}")
    head, chunks = _read_vcf(path, chunk_size)
    header = _htslib_checked(_parse_header(head, path), head, path)
    tumor, normal = resolve_samples(header, tumor_name=tumor_name, normal_name=normal_name, sample_id=sample_id)
    clash = [k for k in info_fields if k in CALLS_COLUMNS]
    if clash:
        raise ValueError(f"INFO fields {clash} would overwrite calls-table columns")
    reader = _Reader(path, caller, header, tumor, normal, info_fields)
    reader.bulk = bulk
    rows, slow, counts, missing = reader.read(chunks)
    return _build_frame(reader, rows, slow, counts, missing, fasta, custom_isoforms)


def _build_frame(reader: _Reader, bulk: _Rows, slow: _Rows, counts: np.ndarray, missing: np.ndarray, fasta,
                 custom_isoforms: frozenset[str]) -> pd.DataFrame:
    """Merge bulk and record-by-record rows in file order, normalise, annotate, make the table."""
    n_slow = len(slow.record)

    def joined(parts: list, tail: list, dtype) -> np.ndarray:
        arrays = [np.asarray(p, dtype=dtype) for p in parts]
        if tail:
            arrays.append(np.asarray(tail, dtype=dtype) if dtype is not object else _object_array(tail))
        return np.concatenate(arrays) if arrays else np.zeros(0, dtype=dtype)

    record = joined(bulk.record, slow.record, np.int64)
    allele = joined(bulk.allele, slow.allele, np.int64)
    pos = joined(bulk.pos, slow.pos, np.int64)
    is_pass = joined(bulk.is_pass, slow.is_pass, bool)
    line = joined(bulk.line, slow.line, np.int64)
    chrom, ref, alt, flt, genotype = (joined(getattr(bulk, f), getattr(slow, f), object) for f in ("chrom", "ref", "alt", "filter", "genotype"))
    ann = bulk.ann + slow.ann
    extra = {k: joined(bulk.extra[k], slow.extra[k], object) for k in reader.info_fields}
    if n_slow:
        slow_counts = np.array([[0 if v is None else v for v in col] for col in slow.counts], dtype=np.int64).reshape(6, n_slow)
        slow_missing = np.array([[v is None for v in col] for col in slow.counts], dtype=bool).reshape(6, n_slow)
        counts = np.concatenate([counts, slow_counts], axis=1)
        missing = np.concatenate([missing, slow_missing], axis=1)
        if n_slow != len(record):
            # rows of the two paths interleave in the file: restore file order
            order = np.lexsort((allele, record))
            allele, pos, is_pass, line = allele[order], pos[order], is_pass[order], line[order]
            counts, missing = counts[:, order], missing[:, order]
            chrom, ref, alt, flt, genotype = (values[order] for values in (chrom, ref, alt, flt, genotype))
            if ann:
                ann = [ann[i] for i in order]
            extra = {k: v[order] for k, v in extra.items()}
    n = len(record)
    _normalise(reader, chrom, pos, ref, alt, line, fasta)
    data: dict[str, object] = {
        "chrom": _harmonised(chrom),
        "pos": pos,
        "ref": ref,
        "alt": alt,
        "filter": flt,
        "is_pass": is_pass,
    }
    for j, name in enumerate(COUNT_COLUMNS):
        data[name] = pd.arrays.IntegerArray(counts[j].copy(), missing[j].copy())
    if reader.annotated and n:
        annotations = _annotate(reader, ann, allele, ref, alt, custom_isoforms)
    else:
        annotations = [np.full(n, "", dtype=object)] * len(ANNOTATION_COLUMNS)
    for name, values in zip(ANNOTATION_COLUMNS, annotations):
        data[name] = values
    data["caller"] = np.full(n, reader.caller, dtype=object)
    data["line"] = line
    data["genotype"] = genotype
    for key in reader.info_fields:
        data[key] = extra[key]
    return pd.DataFrame(data)


def _object_array(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _harmonised(chrom: np.ndarray) -> np.ndarray:
    mapping = {c: harmonise_chrom(c) for c in set(chrom.tolist())}
    if all(k == v for k, v in mapping.items()):
        return chrom
    return _object_array([mapping[c] for c in chrom.tolist()])


def _normalise(reader: _Reader, chrom, pos: np.ndarray, ref: list[str], alt: list[str], line_arr: np.ndarray, fasta) -> None:
    """Trim alleles, and with a reference check REF and left-align indels (in place)."""
    path = reader.path
    n = len(ref)
    genome = None
    if fasta is not None:
        from metevo.io.fasta import ReferenceGenome, open_fasta

        genome = fasta if isinstance(fasta, ReferenceGenome) else open_fasta(fasta)
        known: dict[str, bool] = {}
        for i in range(n):
            c = chrom[i]
            if c not in known:
                known[c] = c in genome
            if not known[c]:
                shown = ", ".join(genome.contigs[:5]) + (", ..." if len(genome.contigs) > 5 else "")
                raise InputError(
                    f"chromosome '{c}' is not in the reference FASTA {genome.path.name} (its contigs: {shown}); "
                    "is this VCF from another genome build?",
                    file=path, line=int(line_arr[i]), column="CHROM",
                )
            p, r = int(pos[i]), ref[i]
            found = genome.fetch(c, p - 1, p - 1 + len(r))
            if found != r and not _matches_with_n(found, r):
                raise InputError(
                    f"REF '{r}' at {c}:{p} does not match the reference FASTA {genome.path.name} "
                    f"('{found or 'beyond the contig end'}'); is this VCF from another genome build?",
                    file=path, line=int(line_arr[i]), column="REF",
                )
    if not n:
        return
    lr = np.fromiter(map(len, ref), dtype=np.int64, count=n)
    la = np.fromiter(map(len, alt), dtype=np.int64, count=n)
    for i in np.flatnonzero((lr > 1) | (la > 1)).tolist():
        p, r, a = int(pos[i]), ref[i], alt[i]
        if genome is not None and len(r) != len(a):
            c = chrom[i]
            p, r, a = left_align(p, r, a, lambda s, e, c=c: genome.fetch(c, s, e))
        else:
            p, r, a = trim_alleles(p, r, a)
        pos[i], ref[i], alt[i] = p, r, a


def _matches_with_n(found: str, ref: str) -> bool:
    if len(found) != len(ref):
        return False
    return all(f == r or f == "N" or r == "N" for f, r in zip(found, ref))


def _annotate(reader: _Reader, ann: list, allele, refs: list[str], alts: list[str], custom_isoforms: frozenset[str]):
    """Annotation columns: each row's ALT annotated from its record's CSQ/ANN as written."""
    fields = reader.header.annotation_fields
    out = [[] for _ in ANNOTATION_COLUMNS]
    for i, item in enumerate(ann):
        if item is None:
            for column in out:
                column.append("")
            continue
        raw, ref0, alts0 = item
        result = csq.annotate_allele(
            raw, fields, ref=ref0.upper(), alts=alts0, allele_index=int(allele[i]),
            variant_type=vcf_to_maf(0, refs[i], alts[i])[4], inframe=is_inframe(refs[i], alts[i]),
            custom_isoforms=custom_isoforms,
        )
        out[0].append(result.hugo_symbol)
        out[1].append(result.variant_classification)
        out[2].append(result.hgvsp_short)
        out[3].append(result.transcript_id)
        out[4].append(result.consequence)
    return out
