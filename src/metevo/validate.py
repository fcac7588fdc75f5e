"""Checks of a samplesheet, a clinical table and the files they name, before anything runs.

The JSON Schema (``read_samplesheet``/``read_clinical``) checks each row on its own; this
module checks what a schema cannot: unique ids, one normal per patient, inputs that make sense
for the sample type, files that exist and are what their column says, VCF sample names that
match the samplesheet, one genome build across all inputs (``chr1`` and ``1`` naming may mix;
it is harmonised), and patients that agree between the two tables.

The first problem found is raised as a one-line :class:`InputError` naming the file, line and
column. On success :func:`validate_inputs` returns a per-sample summary of the inputs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pandas as pd

from metevo.errors import InputError
from metevo.io.samplesheet import CALLERS, CN_COLUMNS, PATH_COLUMNS, Samplesheet

BUILD_ALIASES = {"hg19": "hg19", "grch37": "hg19", "hg38": "hg38", "grch38": "hg38"}


@dataclass(frozen=True)
class FileRef:
    sample: str
    patient: str
    column: str
    line: int  # samplesheet line
    raw: str  # the path as written in the cell
    path: str  # where to read it here

    def where(self, sheet: Samplesheet) -> str:
        return f"{sheet.path}: line {self.line}, column '{self.column}'"


def read_file_map(path: str | os.PathLike) -> dict[str, str]:
    """A Nextflow task's map from samplesheet path cells to the files it staged."""
    from metevo.io.tables import read_table

    table = read_table(path, required=("original", "staged"), what="file map")
    return dict(zip(table["original"], table["staged"]))


def _file_refs(sheet: Samplesheet, file_map: dict[str, str] | None) -> list[FileRef]:
    refs = []
    for _, row in sheet.table.iterrows():
        for column in PATH_COLUMNS:
            cell = row[column]
            if not cell:
                continue
            for raw in (p.strip() for p in cell.split(";")):
                if not raw:
                    continue
                resolved = sheet.resolve(raw)
                local = resolved
                if file_map is not None:
                    local = file_map.get(raw, file_map.get(resolved, resolved))
                refs.append(FileRef(row["sample"], row["patient"], column, int(row["__line__"]), raw, local))
    return refs


def check_rows(sheet: Samplesheet) -> None:
    """Cross-row rules of the samplesheet (no file access)."""
    t = sheet.table
    seen: dict[str, int] = {}
    for _, row in t.iterrows():
        line = int(row["__line__"])
        sample = row["sample"]
        if sample in seen:
            raise InputError(
                f"sample '{sample}' appears twice (lines {seen[sample]} and {line}); sample ids must be unique",
                file=sheet.path, line=line, column="sample",
            )
        seen[sample] = line
        vcfs = [c for c in (f"vcf_{k}" for k in CALLERS) if row[c]]
        if row["sample_type"] == "normal":
            for column in vcfs + (["maf"] if row["maf"] else []):
                raise InputError(
                    f"a normal sample has no somatic mutations; move the {column} file to the tumor's row "
                    "(the caller VCF's normal column is found by normal_vcf_name)",
                    file=sheet.path, line=line, column=column,
                )
        if vcfs and row["maf"]:
            raise InputError(
                f"give caller VCFs or a MAF for a sample, not both (this row has {vcfs[0]} and maf)",
                file=sheet.path, line=line, column="maf",
            )
        if row["maf_sample"] and not row["maf"]:
            raise InputError("maf_sample is set but the row has no maf file", file=sheet.path, line=line, column="maf_sample")
        if row["tumor_vcf_name"] and not vcfs:
            raise InputError("tumor_vcf_name is set but the row has no caller VCF", file=sheet.path, line=line, column="tumor_vcf_name")
        cn_inputs = [c for c in CN_COLUMNS if row[c]]
        if cn_inputs and row["sample_type"] == "normal":
            raise InputError(
                f"copy number is analysed for tumors and cfDNA; remove {cn_inputs[0]} from the normal sample",
                file=sheet.path, line=line, column=cn_inputs[0],
            )
        if len(cn_inputs) > 1:
            raise InputError(
                f"give one copy-number input per sample, not {' and '.join(cn_inputs)}",
                file=sheet.path, line=line, column=cn_inputs[1],
            )
        if row["segments_format"] and not row["segments"]:
            raise InputError("segments_format is set but the row has no segments file", file=sheet.path, line=line, column="segments_format")
    normals: dict[str, int] = {}
    germline: dict[str, tuple[str, int]] = {}
    for _, row in t.iterrows():
        line = int(row["__line__"])
        if row["sample_type"] == "normal":
            if row["patient"] in normals:
                raise InputError(
                    f"patient '{row['patient']}' has a second normal sample (first on line {normals[row['patient']]}); give at most one normal per patient",
                    file=sheet.path, line=line, column="sample_type",
                )
            normals[row["patient"]] = line
        if row["germline_vcf"]:
            prev = germline.get(row["patient"])
            if prev and prev[0] != row["germline_vcf"]:
                raise InputError(
                    f"patient '{row['patient']}' already has germline_vcf '{prev[0]}' on line {prev[1]}; give one germline VCF per patient",
                    file=sheet.path, line=line, column="germline_vcf",
                )
            germline.setdefault(row["patient"], (row["germline_vcf"], line))


def _check_exists(ref: FileRef, sheet: Samplesheet) -> None:
    if "://" in ref.path:
        return  # remote: checked by the engine that stages it
    if not os.path.exists(ref.path):
        raise InputError(f"file '{ref.raw}' does not exist", file=sheet.path, line=ref.line, column=ref.column)
    if os.path.isdir(ref.path):
        raise InputError(f"'{ref.raw}' is a folder; expected a file", file=sheet.path, line=ref.line, column=ref.column)
    if not os.access(ref.path, os.R_OK):
        raise InputError(f"file '{ref.raw}' is not readable (permission denied)", file=sheet.path, line=ref.line, column=ref.column)


BGZF_EOF = bytes.fromhex("1f8b08040000000000ff0600424302001b0003000000000000000000")


def _check_complete(ref: FileRef) -> None:
    """A BGZF file (bgzip, what callers and tabix write) ends with an empty EOF block; a copy
    cut short does not. Checked here because the header alone reads fine from a truncated file."""
    with open(ref.path, "rb") as fh:
        head = fh.read(18)
        if len(head) < 18 or head[:4] != b"\x1f\x8b\x08\x04" or head[12:14] != b"BC":
            return  # plain text or plain gzip: no end marker to check
        fh.seek(0, os.SEEK_END)
        if fh.tell() < len(BGZF_EOF):
            tail = b""
        else:
            fh.seek(-len(BGZF_EOF), os.SEEK_END)
            tail = fh.read()
    if tail != BGZF_EOF:
        raise InputError(
            "bgzip file is truncated (no BGZF end-of-file block); copy or download it again",
            file=ref.path,
        )


def _vcf_checks(ref: FileRef, row: pd.Series, sheet: Samplesheet):
    """Header of a VCF: format, and sample names that match the samplesheet row."""
    from metevo.io import vcf

    info = vcf.read_vcf_header_info(ref.path)
    _check_complete(ref)
    at = f"(samplesheet {sheet.path} line {ref.line}, column '{ref.column}')"
    if ref.column == "germline_vcf":
        wanted = row["normal_vcf_name"] or row["sample"]
        if info.samples and wanted not in info.samples:
            raise InputError(
                f"germline VCF has sample(s) {', '.join(info.samples)} but not '{wanted}'; "
                f"set normal_vcf_name to the VCF's name for this sample {at}",
                file=ref.path,
            )
        return info
    if not info.samples:
        return info  # LoFreq-style: no sample columns to match
    tumor, _ = vcf.resolve_samples(
        info,
        tumor_name=row["tumor_vcf_name"] or None,
        normal_name=row["normal_vcf_name"] or None,
        sample_id=row["sample"],
    )
    name = info.samples[tumor]
    # "TUMOR" is the fixed name Strelka2, VarScan2, MuSE and SomaticSniper give every tumor;
    # any other name must be this sample's, so a VCF of another sample cannot slip in
    declared = {row["tumor_vcf_name"], row["sample"], "TUMOR"} - {None, ""}
    if name not in declared:
        raise InputError(
            f"the VCF's tumor column is '{name}', which is not sample '{row['sample']}' "
            f"(columns: {', '.join(info.samples)}); set tumor_vcf_name to '{name}' if that is this sample {at}",
            file=ref.path,
        )
    return info


def _maf_checks(ref: FileRef, row: pd.Series, sheet: Samplesheet, cache: dict[str, pd.DataFrame]) -> str | None:
    """The MAF reads as a MAF and holds this sample; returns its genome build (from NCBI_Build)."""
    from metevo.io.maf import ncbi_build, read_maf

    if ref.path not in cache:
        cache[ref.path] = read_maf(ref.path)
    maf = cache[ref.path]
    barcodes = set(maf["Tumor_Sample_Barcode"])
    wanted = row["maf_sample"] or row["sample"]
    if wanted not in barcodes:
        shown = ", ".join(sorted(barcodes)[:5]) + (", ..." if len(barcodes) > 5 else "")
        column = "maf_sample" if row["maf_sample"] else "sample"
        raise InputError(
            f"MAF '{ref.raw}' has no Tumor_Sample_Barcode '{wanted}' (it has {len(barcodes)} samples: {shown}); set maf_sample to the barcode",
            file=sheet.path, line=ref.line, column=column,
        )
    return ncbi_build(maf[maf["Tumor_Sample_Barcode"] == wanted], path=ref.raw)


def _bam_checks(ref: FileRef, sheet: Samplesheet) -> tuple[str | None, str | None]:
    """A BAM/CRAM that htslib opens, with an index (bin-counts reads it chromosome by
    chromosome); its build from the header's contig lengths."""
    import pysam

    from metevo.genome import detect_build
    from metevo.variants import chrom_style

    pysam.set_verbosity(0)
    at = f"(samplesheet {sheet.path} line {ref.line}, column 'bam')"
    try:
        with pysam.AlignmentFile(ref.path, "rc" if ref.path.lower().endswith(".cram") else "rb") as bam:
            contigs = dict(zip(bam.references, bam.lengths))
            try:
                indexed = bam.check_index()
            except (ValueError, AttributeError, OSError):
                indexed = False
    except (ValueError, OSError) as err:
        raise InputError(f"expected a BAM or CRAM file that htslib can open ({' '.join(str(err).split())}) {at}", file=ref.path) from None
    if not indexed:
        raise InputError(f"the BAM has no index; create it with 'samtools index {ref.raw}' {at}", file=ref.path)
    return detect_build(contigs), chrom_style(list(contigs))


def _cn_table_checks(ref: FileRef, row: pd.Series, sheet: Samplesheet) -> tuple[str | None, str | None]:
    """Bin counts, read-count WIGs and segment files are read by their own modules, which
    check format, columns, order and coordinates line by line."""
    from metevo.genome import CHROM_LENGTHS
    from metevo.variants import chrom_style

    declared = None
    if ref.column == "bins":
        from metevo.io.bins import read_bins

        table = read_bins(ref.path)
        chrom, reach = table["chromosome"], table["start"]
        declared = table.attrs.get("genome")
    elif ref.column == "wig":
        from metevo.io.wig import read_wig

        table = read_wig(ref.path)
        chrom, reach = table["chrom"], table["start"]
    else:
        from metevo.io.segments import read_segments

        fmt = row["segments_format"] or None
        table = read_segments(ref.path, format=None if fmt == "auto" else fmt)
        chrom, reach = table["chrom"], table["end"]
    # A table shows its build only where it reaches past a chromosome end of the other build.
    # Bins are judged by their starts: a last bin may run past the chromosome end (readCounter
    # writes full-width last bins), but no bin starts beyond it.
    last = pd.Series(reach.to_numpy()).groupby(chrom.to_numpy()).max()
    fits = [g for g in CHROM_LENGTHS if all(last.get(c, 0) <= n for c, n in CHROM_LENGTHS[g].items())]
    build = declared or (fits[0] if len(fits) == 1 else None)
    return build, chrom_style(sorted(set(chrom)))


def check_clinical(sheet: Samplesheet, clinical: pd.DataFrame, clinical_path: str | os.PathLike) -> None:
    seen: dict[str, int] = {}
    for patient, line in zip(clinical["patient"], clinical["__line__"]):
        if patient in seen:
            raise InputError(
                f"patient '{patient}' appears twice (lines {seen[patient]} and {line}); give one row per patient",
                file=clinical_path, line=int(line), column="patient",
            )
        seen[patient] = int(line)
    in_sheet: dict[str, int] = {}
    for patient, line in zip(sheet.table["patient"], sheet.table["__line__"]):
        in_sheet.setdefault(patient, int(line))
    for patient, line in in_sheet.items():
        if patient not in seen:
            raise InputError(
                f"patient '{patient}' has samples but no row in the clinical table {clinical_path}",
                file=sheet.path, line=int(line), column="patient",
            )
    for patient, line in seen.items():
        if patient not in in_sheet:
            raise InputError(
                f"patient '{patient}' is not in the samplesheet {sheet.path}; the two tables must list the same patients",
                file=clinical_path, line=line, column="patient",
            )


def validate_inputs(
    sheet: Samplesheet,
    *,
    clinical: pd.DataFrame | None = None,
    clinical_path: str | os.PathLike | None = None,
    genome: str | None = None,
    file_map: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Run every check; return one summary row per sample (no paths)."""
    check_rows(sheet)
    if clinical is not None:
        check_clinical(sheet, clinical, clinical_path or "clinical table")
    refs = _file_refs(sheet, file_map)
    for ref in refs:
        _check_exists(ref, sheet)

    rows = {r["sample"]: r for _, r in sheet.table.iterrows()}
    builds: dict[str, tuple[str, str]] = {}  # sample -> (build, file)
    styles: dict[str, set[str]] = {}
    first_build: tuple[str, str] | None = None
    wanted = BUILD_ALIASES.get(genome.lower()) if genome else None
    maf_cache: dict[str, pd.DataFrame] = {}
    for ref in refs:
        row = rows[ref.sample]
        if ref.column == "maf":
            build, style = _maf_checks(ref, row, sheet, maf_cache), None
        elif ref.column == "bam":
            build, style = _bam_checks(ref, sheet)
        elif ref.column in CN_COLUMNS:
            build, style = _cn_table_checks(ref, row, sheet)
        else:
            info = _vcf_checks(ref, row, sheet)
            build, style = info.genome_build, info.contig_style
        if style:
            styles.setdefault(ref.sample, set()).add(style)
        if build is None:
            continue
        if wanted and build != wanted:
            raise InputError(
                f"file '{ref.raw}' is {build} but the run uses --genome {genome}; all inputs must use one genome build",
                file=sheet.path, line=ref.line, column=ref.column,
            )
        if first_build is None:
            first_build = (build, ref.raw)
        elif build != first_build[0]:
            raise InputError(
                f"file '{ref.raw}' is {build} but '{first_build[1]}' is {first_build[0]}; all inputs must use one genome build",
                file=sheet.path, line=ref.line, column=ref.column,
            )
        builds.setdefault(ref.sample, (build, ref.raw))

    summary = []
    for _, row in sheet.table.iterrows():
        callers = [c for c in CALLERS if row[f"vcf_{c}"]]
        somatic = "+".join(callers) if callers else ("maf" if row["maf"] else "")
        summary.append(
            {
                "patient": row["patient"],
                "sample": row["sample"],
                "sample_type": row["sample_type"],
                "somatic_input": somatic,
                "n_callers": len(callers),
                "germline_input": "yes" if row["germline_vcf"] else "no",
                "genome_build": builds[row["sample"]][0] if row["sample"] in builds else "unknown",
                "contig_style": "+".join(sorted(styles.get(row["sample"], set()))) or "",
            }
        )
    return pd.DataFrame(summary)
