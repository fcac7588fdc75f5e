"""Segment formats: each supported format read from a small hand-written file (expected tables
written out by hand from the file's rows and the documented conversions), the IGV writer,
segments on bins, and bad inputs (one-line errors naming line and column, nothing written)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metevo.errors import InputError
from metevo.io.segments import SEGMENT_COLUMNS, read_segments, segments_to_bins, write_igv_seg, write_segments
from tests.conftest import SHARED, metevo

DATA = Path(__file__).resolve().parents[1] / "data" / "segments"
NA = None


def _rows(frame: pd.DataFrame) -> list[tuple]:
    """Table rows with NA as None and NaN floats as None, for exact comparison."""
    out = []
    for row in frame[list(SEGMENT_COLUMNS)].itertuples(index=False):
        cells = []
        for value in row:
            if value is pd.NA or (isinstance(value, float) and math.isnan(value)):
                cells.append(None)
            elif isinstance(value, (np.integer,)):
                cells.append(int(value))
            else:
                cells.append(value)
        out.append(tuple(cells))
    return out


# sample chrom start end n_bins log2 total major minor ploidy call
def test_dnacopy_seg():
    # '#track' line skipped, quoted header, chr prefix dropped, R's 2e+06, 23 = X, NA mean
    frame = read_segments(DATA / "dnacopy.seg")
    assert frame.attrs["format"] == "seg"
    assert _rows(frame) == [
        ("T1", "1", 1, 1000000, 50, 0.1234, NA, NA, NA, NA, ""),
        ("T1", "1", 1000001, 2000000, 40, -0.5, NA, NA, NA, NA, ""),
        ("T1", "X", 100, 5000, 3, NA, NA, NA, NA, NA, ""),
        ("T2", "1", 10, 20, 2, 1.0, NA, NA, NA, NA, ""),
    ]


def test_gistic_seg():
    frame = read_segments(DATA / "gistic.seg")
    assert frame.attrs["format"] == "gistic"
    assert _rows(frame) == [
        ("TCGA-XX-0001", "1", 3218610, 247812431, 128609, 0.0, NA, NA, NA, NA, ""),
        ("TCGA-XX-0001", "2", 484222, 5419161, 2476, -0.0123, NA, NA, NA, NA, ""),
        ("TCGA-XX-0002", "X", 1, 155000000, 9999, -1.1, NA, NA, NA, NA, ""),
    ]


def test_cnvkit_cns_zero_based_start_and_allele_order():
    # starts 0, 1000, 99 are BED-style: 1-based 1, 1001, 100; cn1/cn2 = 1/2 is ordered 2/1;
    # the last segment has no allele-specific values (cn 2: the minor is unknown)
    frame = read_segments(DATA / "sample.call.cns")
    assert frame.attrs["format"] == "cnvkit"
    assert _rows(frame) == [
        ("sample", "1", 1, 1000, 10, -0.41, 1, 1, 0, NA, ""),
        ("sample", "1", 1001, 5000, 30, 0.58, 3, 2, 1, NA, ""),
        ("sample", "2", 100, 200, 5, 0.0, 2, NA, NA, NA, ""),
    ]
    assert read_segments(DATA / "sample.call.cns", sample="T7")["sample"].unique().tolist() == ["T7"]


def test_ascat():
    frame = read_segments(DATA / "ascat.segments.txt")
    assert frame.attrs["format"] == "ascat"
    assert _rows(frame) == [
        ("P1T", "1", 1, 10000, NA, NA, 2, 1, 1, NA, ""),
        ("P1T", "1", 10001, 50000, NA, NA, 2, 2, 0, NA, ""),
        ("P1T", "X", 1, 2000, NA, NA, 0, 0, 0, NA, ""),
    ]


def test_facets_cncf():
    # lcn.em NA with tcn.em 3: minor unknown; with tcn.em 1: minor necessarily 0; 23 = X
    frame = read_segments(DATA / "sample.cncf.txt")
    assert frame.attrs["format"] == "facets"
    assert _rows(frame) == [
        ("sample", "1", 69511, 1000000, 100, 0.01, 2, 1, 1, NA, ""),
        ("sample", "1", 1000001, 2000000, 80, 0.45, 3, NA, NA, NA, ""),
        ("sample", "1", 2000001, 3000000, 30, -0.9, 1, 1, 0, NA, ""),
        ("sample", "X", 100, 9000, 10, -0.2, 2, 2, 0, NA, ""),
    ]


def test_purple_rounds_allele_copy_numbers():
    # major/minor rounded half up (2.45 -> 2, 0.95 -> 1, 0.5 -> 1), negatives to 0, total = sum
    frame = read_segments(DATA / "sample.purple.cnv.somatic.tsv")
    assert frame.attrs["format"] == "purple"
    assert _rows(frame) == [
        ("sample", "1", 1, 1000, 12, NA, 2, 1, 1, NA, ""),
        ("sample", "1", 1001, 2000, 9, NA, 3, 2, 1, NA, ""),
        ("sample", "1", 2001, 3000, 3, NA, 0, 0, 0, NA, ""),
        ("sample", "1", 3001, 4000, 4, NA, 3, 2, 1, NA, ""),
    ]


def test_sequenza_segments():
    # quoted cells; log2 = log2(depth.ratio): 1 -> 0, 0.5 -> -1, 0 -> NA; CNt 0 with A/B NA -> 0/0
    frame = read_segments(DATA / "sample_segments.txt", sample="P3-T")
    assert frame.attrs["format"] == "sequenza"
    assert _rows(frame) == [
        ("P3-T", "1", 12975, 1000000, 2000, 0.0, 2, 1, 1, NA, ""),
        ("P3-T", "1", 1000001, 2000000, 1500, -1.0, 1, 1, 0, NA, ""),
        ("P3-T", "2", 1, 500, 3, NA, 0, 0, 0, NA, ""),
    ]


def test_scarhrd_text_input(tmp_path):
    path = tmp_path / "s.txt"
    path.write_text("SampleID\tChromosome\tStart_position\tEnd_position\ttotal_cn\tA_cn\tB_cn\tploidy\n"
                    "S1\tchr1\t14574\t952448\t5\t0\t5\t3.7\nS1\tchr1\t952449\t1259701\t5\t3\t2\t3.7\n")
    frame = read_segments(path)
    assert frame.attrs["format"] == "scarhrd"
    assert _rows(frame) == [
        ("S1", "1", 14574, 952448, NA, NA, 5, 5, 0, 3.7, ""),
        ("S1", "1", 952449, 1259701, NA, NA, 5, 3, 2, 3.7, ""),
    ]
    assert frame["a_cn"].tolist() == [0, 3]  # as written: scarHRD's TAI reads it


def test_format_override(tmp_path):
    # --format skips recognition; a wrong format names the first column it misses
    path = tmp_path / "x.tsv"
    path.write_text("ID\tchrom\tloc.start\tloc.end\tnum.mark\tseg.mean\nA\t1\t1\t10\t1\t0.5\n")
    assert read_segments(path, format="seg")["log2"].tolist() == [0.5]
    with pytest.raises(InputError, match="missing required column 'chromosome' of the purple segment format"):
        read_segments(path, format="purple")


def test_metevo_table_round_trip(tmp_path):
    frame = read_segments(DATA / "sample.cncf.txt")
    write_segments(frame, tmp_path / "t.tsv")
    again = read_segments(tmp_path / "t.tsv")
    assert again.attrs["format"] == "metevo"
    assert _rows(again) == _rows(frame)
    write_segments(again, tmp_path / "t2.tsv")
    assert (tmp_path / "t2.tsv").read_bytes() == (tmp_path / "t.tsv").read_bytes()


def test_write_igv_seg_round_trip(tmp_path):
    frame = read_segments(DATA / "dnacopy.seg")
    write_igv_seg(frame, tmp_path / "out.seg")
    text = (tmp_path / "out.seg").read_text().splitlines()
    assert text[0] == "ID\tchrom\tloc.start\tloc.end\tnum.mark\tseg.mean"
    assert text[1] == "T1\t1\t1\t1000000\t50\t0.1234"
    assert text[3] == "T1\tX\t100\t5000\t3\t"
    assert _rows(read_segments(tmp_path / "out.seg")) == _rows(frame)


def test_segments_to_bins():
    segments = pd.DataFrame({
        "sample": ["A", "A", "B"], "chrom": ["1", "1", "1"], "start": [1, 201, 1], "end": [100, 300, 300],
        "log2": [0.5, -1.0, 2.0],
    })
    # bin midpoints 50, 150 (gap of A), 250, 350 (beyond both), and one on chromosome 2
    bins = pd.DataFrame({"chromosome": ["1", "1", "1", "1", "2"], "start": [1, 101, 201, 301, 1], "end": [100, 200, 300, 400, 100]})
    values = segments_to_bins(segments, bins)
    assert list(values.columns) == ["A", "B"]
    np.testing.assert_array_equal(values["A"].to_numpy(), [0.5, np.nan, -1.0, np.nan, np.nan])
    np.testing.assert_array_equal(values["B"].to_numpy(), [2.0, 2.0, 2.0, np.nan, np.nan])


@pytest.mark.skipif(not (SHARED / "dev" / "tcga_laml" / "tcga_laml_cbs_segments.tsv.gz").exists(), reason="shared data absent")
def test_tcga_laml_cbs_segments_as_gistic_seg():
    path = SHARED / "dev" / "tcga_laml" / "tcga_laml_cbs_segments.tsv.gz"
    frame = read_segments(path)
    assert frame.attrs["format"] == "gistic"  # Sample Chromosome Start.bp End.bp Num.Markers Seg.CN
    assert frame["sample"].nunique() == 191
    first = frame.iloc[0]
    assert (first["sample"], first["chrom"], first["start"], first["end"], first["n_bins"], first["log2"]) == (
        "TCGA-AB-2803", "1", 3218610, 247812431, 128609, 0.0)
    one = read_segments(path, sample="TCGA-AB-2803")
    assert one["sample"].unique().tolist() == ["TCGA-AB-2803"]
    assert one.iloc[2][["chrom", "start", "end", "n_bins", "log2"]].tolist() == ["2", 5420846, 5426112, 5, 0.479538]


# --- bad inputs through the command: one line naming the place, exit 2, nothing written ---

def _seg(tmp_path: Path, body: str, name: str = "bad.seg") -> Path:
    path = tmp_path / name
    path.write_text("ID\tchrom\tloc.start\tloc.end\tnum.mark\tseg.mean\n" + body)
    return path


BAD = {
    "overlapping": ("T\t1\t1\t100\t5\t0.1\nT\t1\t100\t200\t5\t0.2\n", "line 3", "loc.start", "overlaps"),
    "unsorted": ("T\t1\t500\t600\t5\t0.1\nT\t1\t1\t100\t5\t0.2\n", "line 3", "loc.start", "not sorted"),
    "non_numeric": ("T\t1\t1\t100\t5\tabc\n", "line 2", "seg.mean", "expected a number, found 'abc'"),
    "non_numeric_position": ("T\t1\t1\t1.5e2x\t5\t0.1\n", "line 2", "loc.end", "expected an integer position"),
    "end_before_start": ("T\t1\t1\t100\t5\t0.1\nT\t2\t300\t200\t5\t0.1\n", "line 3", "loc.end", "before its start"),
    "ragged": ("T\t1\t1\t100\t5\n", "line 2", None, "expected 6 fields"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_segment_files(tmp_path, case):
    body, line, column, message = BAD[case]
    path = _seg(tmp_path, body)
    out = tmp_path / "out" / "S.segments.tsv"
    proc = metevo("import-segments", "--sample", "T", "--segments", path, "--out", out, check=False)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert str(path) in lines[0] and line in lines[0] and message in lines[0]
    if column:
        assert f"column '{column}'" in lines[0]
    assert not out.exists() and not out.parent.exists()


def test_missing_column(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("sample\tchr\tstartpos\tendpos\tnMajor\nA\t1\t1\t10\t1\n")  # ASCAT without nMinor
    proc = metevo("import-segments", "--sample", "A", "--segments", path, "--out", tmp_path / "o.tsv", check=False)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert "line 1" in proc.stderr and "column 'nMinor'" in proc.stderr and "missing required column" in proc.stderr
    assert not (tmp_path / "o.tsv").exists()


def test_unknown_format(tmp_path):
    path = tmp_path / "what.tsv"
    path.write_text("a\tb\tc\n1\t2\t3\n")
    proc = metevo("import-segments", "--sample", "A", "--segments", path, "--out", tmp_path / "o.tsv", check=False)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert "line 1" in proc.stderr and "unrecognised segment format: header has a, b, c" in proc.stderr
    assert not (tmp_path / "o.tsv").exists()


def test_import_segments_picks_the_sample_and_lists_samples(tmp_path):
    out = tmp_path / "T2.segments.tsv"
    metevo("import-segments", "--sample", "T2", "--segments", DATA / "dnacopy.seg", "--genome", "hg38", "--out", out)
    assert out.read_text() == (
        "sample\tchrom\tstart\tend\tn_bins\tlog2\ttotal_cn\tmajor_cn\tminor_cn\tploidy\tcall\n"
        "T2\t1\t10\t20\t2\t1\t\t\t\t\t\n"
    )
    proc = metevo("import-segments", "--sample", "T9", "--segments", DATA / "dnacopy.seg", "--out", tmp_path / "x.tsv", check=False)
    assert proc.returncode == 2 and "samples present: T1, T2" in proc.stderr and not (tmp_path / "x.tsv").exists()


def test_import_segments_rejects_another_genome_build(tmp_path):
    # chromosome 1 of hg19 ends at 249,250,621; a segment to 249,000,000 fits hg19 but not hg38 (248,956,422)
    path = _seg(tmp_path, "T\t1\t1\t249000000\t5\t0.1\n")
    metevo("import-segments", "--sample", "T", "--segments", path, "--genome", "hg19", "--out", tmp_path / "a.tsv")
    proc = metevo("import-segments", "--sample", "T", "--segments", path, "--genome", "hg38", "--out", tmp_path / "b.tsv", check=False)
    assert proc.returncode == 2 and "beyond the end of chromosome 1 in hg38" in proc.stderr and "line 2" in proc.stderr
    assert not (tmp_path / "b.tsv").exists()


def test_import_segments_is_deterministic(tmp_path):
    for name in ("a", "b"):
        metevo("import-segments", "--sample", "sample", "--segments", DATA / "sample.purple.cnv.somatic.tsv",
               "--out", tmp_path / f"{name}.tsv")
    assert (tmp_path / "a.tsv").read_bytes() == (tmp_path / "b.tsv").read_bytes()
