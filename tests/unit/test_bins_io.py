"""metevo.io.bins: the QDNAseq bin table, read as QDNAseq writes it, with line-numbered errors."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metevo.errors import InputError
from metevo.io.bins import check_genome, read_bins, sort_bins, write_bins
from tests.conftest import SHARED

LGG150 = SHARED / "dev" / "qdnaseq_lgg150" / "LGG150_15kbp_readcounts.tsv.gz"
HG19_BINS = SHARED / "reference" / "hg19" / "qdnaseq_bins_1000kbp.tsv.gz"

HEADER = "bin\tchromosome\tstart\tend\tbases\tgc\tmappability\tblacklist\tresidual\tuse\tS1\n"
ROWS = [
    "1:1-15000\t1\t1\t15000\t33.3\t42.2\t8.8\t0\tNA\tTRUE\t0\n",
    "1:15001-30000\t1\t15001\t30000\t100\t40.4\t19.9\t0\t0.07\tTRUE\t12\n",
    "1:30001-45000\t1\t30001\t45000\t100\t49.8\t45.3\t1.5\t-0.02\tFALSE\t8\n",
    "2:1-15000\tchr2\t1\t1.5e+04\t0\tNA\t0\t0\tNA\tFALSE\t0\n",
]


def _write(tmp_path: Path, rows=ROWS, header=HEADER, name="bins.tsv", prefix="") -> Path:
    path = tmp_path / name
    path.write_text(prefix + header + "".join(rows))
    return path


def test_reads_qdnaseq_layout(tmp_path):
    table = read_bins(_write(tmp_path))
    assert list(table.columns) == ["chromosome", "start", "end", "bases", "gc", "mappability", "blacklist", "residual", "use", "S1"]
    assert table["chromosome"].tolist() == ["1", "1", "1", "2"]  # chr2 harmonised
    assert table["end"].tolist() == [15000, 30000, 45000, 15000]  # R's 1.5e+04
    assert table["use"].tolist() == [True, True, False, False]
    assert np.isnan(table["residual"].iloc[0]) and np.isnan(table["gc"].iloc[3])
    assert table["S1"].dtype == np.int64 and table["S1"].tolist() == [0, 12, 8, 0]
    assert table.attrs["samples"] == ["S1"]
    assert table.attrs["annotation"] == ["bases", "gc", "mappability", "blacklist", "residual", "use"]


def test_round_trip(tmp_path):
    table = read_bins(_write(tmp_path))
    out = tmp_path / "out.tsv"
    write_bins(table, out, samples=["S1"], genome=None)
    again = read_bins(out)
    pd.testing.assert_frame_equal(table, again, check_like=False)
    text = out.read_text().splitlines()
    assert text[0] == "chromosome\tstart\tend\tbases\tgc\tmappability\tblacklist\tresidual\tuse\tS1"
    assert text[1].split("\t")[-2:] == ["TRUE", "0"]


def test_genome_line_written_and_checked(tmp_path):
    table = read_bins(_write(tmp_path))
    out = tmp_path / "out.tsv"
    write_bins(table, out, samples=["S1"], genome="hg19")
    assert out.read_text().startswith("#genome=hg19\n")
    assert read_bins(out).attrs["genome"] == "hg19"
    with pytest.raises(InputError) as err:
        read_bins(out, genome="hg38")
    assert "bins of another genome build" in str(err.value) and "line 1" in str(err.value)


@pytest.mark.parametrize(
    ("row", "line", "column", "words"),
    [
        (3, 4, "S1", "read count"),  # non-numeric count
        (1, 2, "S1", "read count"),  # fractional count
    ],
)
def test_non_numeric_counts(tmp_path, row, line, column, words):
    rows = list(ROWS)
    fields = rows[row - 1].rstrip("\n").split("\t")
    fields[-1] = "many" if row == 3 else "2.5"
    rows[row - 1] = "\t".join(fields) + "\n"
    with pytest.raises(InputError) as err:
        read_bins(_write(tmp_path, rows))
    msg = str(err.value)
    assert f"line {line}" in msg and f"column '{column}'" in msg and words in msg and "\n" not in msg


def test_log2_values_allow_na(tmp_path):
    rows = [r.replace("\t12\n", "\t-0.5\n").replace("\t8\n", "\tNA\n") for r in ROWS]
    table = read_bins(_write(tmp_path, rows), values="log2")
    assert table["S1"].iloc[1] == -0.5 and np.isnan(table["S1"].iloc[2])


def test_missing_column(tmp_path):
    header = HEADER.replace("\tstart", "\tbegin")
    with pytest.raises(InputError) as err:
        read_bins(_write(tmp_path, header=header))
    assert "missing required column 'start'" in str(err.value) and "line 1" in str(err.value)
    with pytest.raises(InputError) as err:
        read_bins(_write(tmp_path), require=("gc", "fit"))
    assert "'fit'" in str(err.value)


def test_unsorted_and_overlapping(tmp_path):
    rows = [ROWS[1], ROWS[0], ROWS[2], ROWS[3]]
    with pytest.raises(InputError) as err:
        read_bins(_write(tmp_path, rows))
    assert "not sorted by start" in str(err.value) and "line 3" in str(err.value)
    rows = [ROWS[3], ROWS[0], ROWS[1], ROWS[2]]
    with pytest.raises(InputError) as err:
        read_bins(_write(tmp_path, rows))
    assert "not sorted by chromosome" in str(err.value) and "line 3" in str(err.value)
    overlapping = ROWS[1].replace("\t15001\t", "\t14001\t")
    with pytest.raises(InputError) as err:
        read_bins(_write(tmp_path, [ROWS[0], overlapping, ROWS[2], ROWS[3]]))
    assert "overlap" in str(err.value) and "line 3" in str(err.value)
    again = ROWS[0].replace("1:1-15000\t1\t1\t15000", "1:60001-75000\t1\t60001\t75000")
    with pytest.raises(InputError) as err:
        read_bins(_write(tmp_path, ROWS + [again]))
    assert "appears again" in str(err.value) and "line 6" in str(err.value)


def test_ragged_and_empty(tmp_path):
    with pytest.raises(InputError) as err:
        read_bins(_write(tmp_path, [ROWS[0], "1\t15001\t30000\n"]))
    assert "line 3" in str(err.value)
    empty = tmp_path / "empty.tsv"
    empty.write_text("")
    with pytest.raises(InputError):
        read_bins(empty)


def test_bins_beyond_the_build(tmp_path):
    # chromosome 1 of hg19 is 249,250,621 bp: a bin ending at 249,260,000 is not hg19
    rows = ["1\t249240001\t249260000\t5\n"]
    path = _write(tmp_path, rows, header="chromosome\tstart\tend\tS1\n")
    assert read_bins(path)["end"].iloc[0] == 249260000  # no build asked, no check
    with pytest.raises(InputError) as err:
        read_bins(path, genome="hg19")
    assert "bins of another genome build" in str(err.value) and "line 2" in str(err.value)


def test_truncated_grid_must_end_at_the_chromosome_end():
    # hg38's chromosome 21 grid (46,709,983 bp) read as hg19 (48,129,895 bp): every bin fits,
    # but the grid's shorter last bin shows the chromosome ended early.
    starts = np.arange(1, 46709983 + 1, 1_000_000)
    ends = np.minimum(starts + 999_999, 46709983)
    bins = pd.DataFrame({"chromosome": "21", "start": starts, "end": ends})
    check_genome(bins, "hg38")
    with pytest.raises(InputError) as err:
        check_genome(bins, "hg19", path="x.tsv")
    assert "bins of another genome build" in str(err.value) and f"line {len(bins) + 1}" in str(err.value)


def test_sort_bins():
    frame = pd.DataFrame({"chromosome": ["X", "10", "2", "2"], "start": [1, 1, 20, 1], "end": [9, 9, 29, 9]})
    assert sort_bins(frame)[["chromosome", "start"]].values.tolist() == [["2", 1], ["2", 20], ["10", 1], ["X", 1]]


@pytest.mark.skipif(not LGG150.exists(), reason="shared LGG150 data not present")
def test_reads_lgg150():
    table = read_bins(LGG150, genome="hg19")
    assert table.attrs["samples"] == ["LGG150"]
    assert len(table) == 38819
    # independent count: sum of the last column of the file
    with gzip.open(LGG150, "rt") as fh:
        next(fh)
        total = sum(int(line.rstrip("\n").split("\t")[-1]) for line in fh)
    assert int(table["LGG150"].sum()) == total
    with pytest.raises(InputError) as err:
        read_bins(LGG150, genome="hg38")
    assert "bins of another genome build" in str(err.value)


@pytest.mark.skipif(not HG19_BINS.exists(), reason="shared QDNAseq annotation not present")
def test_reads_qdnaseq_annotation_package():
    table = read_bins(HG19_BINS, genome="hg19")
    assert table.attrs["samples"] == [] and len(table) == 3114
    last = table.groupby("chromosome")["end"].max()
    assert last["1"] == 249250621 and last["Y"] == 59373566
