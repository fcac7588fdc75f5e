"""metevo bin-annotation: bases, GC, mappability and blacklist per bin, on hand-made references."""

from __future__ import annotations

import gzip
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from metevo.cn.bins import bin_grid, covered_percent, read_bed_intervals, track_mean
from metevo.errors import InputError
from metevo.io.bins import read_bins
from tests.conftest import metevo

# chromosome 1: 250 bp = bins 1-100, 101-200, 201-250 (bin size 100)
CHR1 = ("ACGT" * 10 + "N" * 20 + "gc" * 20) + ("A" * 50 + "G" * 30 + "N" * 20) + ("CCGGA" * 10)
CHR2 = "N" * 100 + "ACGTACGTAC" * 3


def _fasta(tmp_path: Path, *, index: bool = False) -> Path:
    path = tmp_path / "ref.fa"
    lines = []
    for name, seq in (("chr1", CHR1), ("chr2", CHR2), ("chrM", "ACGT" * 10)):
        lines.append(f">{name} description")
        lines += [seq[i:i + 60] for i in range(0, len(seq), 60)]
    path.write_text("\n".join(lines) + "\n")
    if index:
        subprocess.run(["samtools", "faidx", str(path)], check=True)
    return path


def _expected(seq: str, size: int):
    """bases% (of the nominal width) and GC% per bin, by counting letters."""
    out = []
    for i in range(0, len(seq), size):
        piece = seq[i:i + size].upper()
        acgt = sum(piece.count(b) for b in "ACGT")
        gc = piece.count("G") + piece.count("C")
        out.append((acgt / size * 100, gc / acgt * 100 if acgt else np.nan))
    return out


@pytest.mark.parametrize("indexed", [False, True])
def test_bases_and_gc(tmp_path, indexed):
    if indexed and shutil.which("samtools") is None:
        pytest.skip("samtools not on PATH")
    fasta = _fasta(tmp_path, index=indexed)
    out = tmp_path / "ann.tsv"
    metevo("bin-annotation", "--fasta", fasta, "--bin-size", "100", "--chromosomes", "1,2", "--out", out)
    table = read_bins(out)
    assert table["chromosome"].tolist() == ["1", "1", "1", "2", "2"]
    assert table["start"].tolist() == [1, 101, 201, 1, 101] and table["end"].tolist() == [100, 200, 250, 100, 130]
    expected = _expected(CHR1, 100) + _expected(CHR2, 100)
    assert np.allclose(table["bases"], [b for b, _ in expected])
    assert np.allclose(table["gc"], [g for _, g in expected], equal_nan=True)
    # by hand: bin 1 has 40 ACGT (20 G/C) + 40 lower-case g/c, bin 3 is 50 bases of a 100 bp bin
    assert table["bases"].iloc[0] == 80 and table["gc"].iloc[0] == 75 and table["bases"].iloc[2] == 50
    assert np.isnan(table["residual"]).all()
    assert table["use"].tolist() == [True, True, True, False, True]


def test_default_chromosomes_skip_mt(tmp_path):
    fasta = _fasta(tmp_path)
    out = tmp_path / "ann.tsv"
    metevo("bin-annotation", "--fasta", fasta, "--bin-size", "100", "--out", out)
    assert sorted(set(read_bins(out)["chromosome"])) == ["1", "2"]


def test_mappability_tracks(tmp_path):
    bins = bin_grid({"1": 250}, 100)
    fixed = tmp_path / "fixed.wig"
    # 10-base steps with 5-base spans from base 91: values cover 91-95, 101-105, ..., 191-195
    fixed.write_text("track type=wiggle_0\nfixedStep chrom=chr1 start=91 step=10 span=5\n" + "\n".join(str(v) for v in [0.2, 0.4, 0.6]) + "\n")
    got = track_mean(fixed, bins)
    assert np.allclose(got, [0.2, 0.5, 0.0])  # bin 2 covered by 0.4 and 0.6 alike; bin 3 has no data
    variable = tmp_path / "variable.wig"
    variable.write_text("variableStep chrom=1 span=20\n95 1.0\n150 0.25\n")
    # bin 1: bases 95-100 (6 x 1.0); bin 2: 101-114 (14 x 1.0) and 150-169 (20 x 0.25)
    assert np.allclose(track_mean(variable, bins), [1.0, (14 * 1.0 + 20 * 0.25) / 34, 0.0])
    bedgraph = tmp_path / "map.bedGraph"
    bedgraph.write_text("chr1\t0\t150\t0.5\nchr1\t150\t250\t1\nchr2\t0\t10\t0.1\n")
    assert np.allclose(track_mean(bedgraph, bins), [0.5, 0.75, 1.0])
    gz = tmp_path / "map.wig.gz"
    with gzip.open(gz, "wt") as fh:
        fh.write("fixedStep chrom=chr1 start=1 step=100 span=100\n0.9\nNA\n0.3\n")
    assert np.allclose(track_mean(gz, bins), [0.9, 0.0, 0.3])


def test_bad_track_line(tmp_path):
    bins = bin_grid({"1": 250}, 100)
    bad = tmp_path / "bad.wig"
    bad.write_text("fixedStep chrom=chr1 start=1 step=100\n0.5\nhigh\n")
    with pytest.raises(InputError) as err:
        track_mean(bad, bins)
    assert "line 3" in str(err.value) and "high" in str(err.value)
    bad.write_text("chr1\t0\t100\t0.5\nchr1\t100\tx200\t0.5\n")
    with pytest.raises(InputError) as err:
        track_mean(bad, bins)
    assert "line 2" in str(err.value) and "x200" in str(err.value)


def test_blacklist_percent(tmp_path):
    bins = bin_grid({"1": 250, "2": 130}, 100)
    bed = tmp_path / "black.bed"
    # 0-based half-open: 1:91-100 and 1:96-110 overlap -> 1:91-110; 1:241-250; 2:1-13 twice
    bed.write_text("track name=x\nchr1\t90\t100\nchr1\t95\t110\tname\nchr1\t240\t260\n2\t0\t13\n2\t0\t13\n")
    merged = read_bed_intervals([bed])
    assert merged["1"].tolist() == [[90, 110], [240, 260]]
    assert np.allclose(covered_percent(merged, bins), [10.0, 10.0, 10 / 50 * 100, 13.0, 0.0])
    bad = tmp_path / "bad.bed"
    bad.write_text("chr1\tten\t20\n")
    with pytest.raises(InputError) as err:
        read_bed_intervals([bad])
    assert "line 1" in str(err.value)


def test_annotation_with_tracks_via_cli(tmp_path):
    fasta = _fasta(tmp_path)
    wig = tmp_path / "map.wig"
    wig.write_text("fixedStep chrom=chr1 start=1 step=50 span=50\n1\n0.5\n0.2\n0.2\n0.8\n")
    bed = tmp_path / "black.bed"
    bed.write_text("chr1\t100\t150\n")
    out = tmp_path / "ann.tsv"
    metevo("bin-annotation", "--fasta", fasta, "--bin-size", "100", "--mappability", wig, "--blacklist", bed,
           "--chromosomes", "1", "--out", out)
    table = read_bins(out)
    assert np.allclose(table["mappability"], [75.0, 20.0, 80.0])
    assert np.allclose(table["blacklist"], [0.0, 50.0, 0.0])
    assert table["use"].tolist() == [True, False, True]


def test_fasta_of_another_build(tmp_path):
    fasta = _fasta(tmp_path)
    out = tmp_path / "ann.tsv"
    proc = metevo("bin-annotation", "--fasta", fasta, "--bin-size", "100", "--genome", "hg19", "--out", out, check=False)
    assert proc.returncode == 2 and "another genome build" in proc.stderr and str(fasta) in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and not out.exists()
    proc = metevo("bin-annotation", "--fasta", fasta, "--bin-size", "0", "--out", out, check=False)
    assert proc.returncode == 2 and "--bin-size" in proc.stderr
