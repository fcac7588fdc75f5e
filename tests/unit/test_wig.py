"""HMMcopy WIG reading and writing (metevo.io.wig): bins, names, line-numbered errors."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest

from metevo.errors import InputError
from metevo.io.wig import read_panel_of_normals, read_wig, write_wig
from tests.conftest import SHARED


def _write(tmp_path, text: str, name: str = "x.wig"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_fixed_step_bins_are_one_based_closed_and_harmonised(tmp_path):
    path = _write(
        tmp_path,
        "track type=wiggle_0\n"
        "fixedStep chrom=chr2 start=1 step=1000 span=1000\n3\n4.5\nNA\n"
        "fixedStep chrom=chr1 start=1 step=1000 span=1000\n7\n8\n",
    )
    wig = read_wig(path)
    assert wig["chrom"].tolist() == ["1", "1", "2", "2", "2"]  # genome order, no 'chr'
    assert wig["start"].tolist() == [1, 1001, 1, 1001, 2001]
    assert wig["end"].tolist() == [1000, 2000, 1000, 2000, 3000]
    assert wig["value"].tolist()[:4] == [7.0, 8.0, 3.0, 4.5]
    assert np.isnan(wig["value"].iat[4])
    assert wig["line"].tolist() == [7, 8, 3, 4, 5]
    assert wig.attrs["bin_size"] == 1000
    assert wig.attrs["header_line"] == 2


def test_variable_step(tmp_path):
    path = _write(tmp_path, "variableStep chrom=chrX span=500\n1 2\n1001 3\n")
    wig = read_wig(path)
    assert wig[["chrom", "start", "end", "value"]].values.tolist() == [["X", 1, 500, 2.0], ["X", 1001, 1500, 3.0]]
    assert wig.attrs["bin_size"] is None


def test_writer_round_trip_and_bytes(tmp_path):
    frame = pd.DataFrame(
        {"chrom": ["1", "1", "1", "X"], "start": [1, 101, 301, 1], "end": [100, 200, 400, 100], "value": [5, 6, 7, 0]}
    )
    out = tmp_path / "w.wig"
    write_wig(frame, out)
    # a gap on chromosome 1 starts a new block; whole numbers are written as integers
    assert out.read_text() == (
        "fixedStep chrom=chr1 start=1 step=100 span=100\n5\n6\n"
        "fixedStep chrom=chr1 start=301 step=100 span=100\n7\n"
        "fixedStep chrom=chrX start=1 step=100 span=100\n0\n"
    )
    back = read_wig(out)
    assert back[["chrom", "start", "end"]].values.tolist() == frame[["chrom", "start", "end"]].values.tolist()
    assert back["value"].tolist() == [5.0, 6.0, 7.0, 0.0]
    write_wig(frame.assign(value=[0.5, 1 / 3, np.nan, 2.0]), out, chrom_prefix="")
    assert out.read_text().splitlines()[:3] == ["fixedStep chrom=1 start=1 step=100 span=100", "0.5", "0.3333333333"]


def test_gzip_input(tmp_path):
    path = tmp_path / "x.wig.gz"
    with gzip.open(path, "wt") as fh:
        fh.write("fixedStep chrom=1 start=1 step=10 span=10\n1\n2\n")
    assert read_wig(path)["value"].tolist() == [1.0, 2.0]


@pytest.mark.parametrize(
    "text, line, expected",
    [
        ("fixedStep chrom=chr1 start=1 step=10 span=10\n1\nabc\n", 3, "expected a number, found 'abc'"),
        ("fixedStep chrom=chr1 start=1 step=10 span=5\n1\n", 1, "expected span equal to step"),
        ("fixedStep chrom=chr1 start=1 step=10 span=10\n1\nfixedStep chrom=chr2 start=1 step=20 span=20\n1\n", 3, "bin size of the first block"),
        ("1\n2\n", 1, "expected a 'fixedStep' or 'variableStep' line"),
        ("fixedStep chrom=chr1 start=1 span=10\n1\n", 1, "step="),
        ("fixedStep chrom=chr1 start=1 step=10 span=10\n1\n2\nfixedStep chrom=chr1 start=11 step=10 span=10\n3\n", 5, "overlaps"),
        ("", 1, "found none"),
    ],
)
def test_bad_wig_is_one_line_with_its_line(tmp_path, text, line, expected):
    path = _write(tmp_path, text)
    with pytest.raises(InputError) as err:
        read_wig(path)
    assert err.value.line == line
    assert expected in str(err.value)
    assert str(path) in err.value.one_line() and "\n" not in err.value.one_line()


def test_bins_past_the_build_end(tmp_path):
    # hg19 chromosome 1 is 249,250,621 bp; hg38's 248,956,422 bp: a 1 Mb bin at 249,000,001 is hg19 only
    values = "\n".join("1" for _ in range(250))
    path = _write(tmp_path, f"fixedStep chrom=chr1 start=1 step=1000000 span=1000000\n{values}\n")
    assert len(read_wig(path, genome="hg19")) == 250
    with pytest.raises(InputError) as err:
        read_wig(path, genome="hg38")
    assert err.value.line == 251
    assert "past the end of chromosome 1 in hg38" in str(err.value)


@pytest.mark.skipif(not (SHARED / "reference/hg38/gc_1000kb.wig.gz").exists(), reason="shared reference WIGs absent")
def test_shared_hmmcopy_wigs_and_panel():
    gc = read_wig(SHARED / "reference/hg38/gc_1000kb.wig.gz", genome="hg38")
    assert gc.attrs["bin_size"] == 1_000_000
    assert gc["chrom"].iat[0] == "1" and set(gc["chrom"]) >= {"1", "22", "X", "Y"}
    assert gc.loc[1, "value"] == pytest.approx(0.572853)  # second line of the file
    with pytest.raises(InputError, match="past the end of chromosome 5 in hg19"):
        read_wig(SHARED / "reference/hg38/gc_1000kb.wig.gz", genome="hg19")
    pon = read_panel_of_normals(SHARED / "reference/hg38/ichor_pon_healthy_donors_1000kb.tsv.gz", genome="hg38")
    assert list(pon.columns[:4]) == ["chrom", "start", "end", "Median"]
    assert pon.loc[1, ["chrom", "start", "end"]].tolist() == ["1", 4000001, 5000000]
    assert pon.loc[1, "Median"] == pytest.approx(0.0730003302643503, abs=1e-15)  # last field of line 3


def test_panel_missing_column(tmp_path):
    path = _write(tmp_path, "seqnames\tstart\tend\tHD1\n1\t1\t1000\t0.1\n", "pon.tsv")
    with pytest.raises(InputError) as err:
        read_panel_of_normals(path)
    assert err.value.line == 1 and err.value.column == "Median"
    path = _write(tmp_path, "seqnames\tstart\tend\tMedian\n1\t1\t1000\tx0.1\n", "pon.tsv")
    with pytest.raises(InputError) as err:
        read_panel_of_normals(path)
    assert err.value.line == 2 and "expected a number" in str(err.value)
