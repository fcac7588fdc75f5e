"""``metevo segment`` on the command line: output format, determinism, bad inputs.

Bad inputs give one line on stderr naming the file, line and column, exit code 2 and no
output (neither the .seg nor its folder appears).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metevo.cli import main
from metevo.cn.cbs import segment
from tests.conftest import metevo


def _run(capsys, *args) -> tuple[int, str]:
    """metevo in this process (fast; the subprocess runs above cover the real command)."""
    rc = main([str(a) for a in args])
    return rc, capsys.readouterr().err

ANNOTATION = "bin\tchromosome\tstart\tend\tbases\tgc\tmappability\tblacklist\tresidual\tuse"


def _write_bins(path: Path, *, chroms=("chr1", "chr2"), n=300, seed=1) -> dict:
    """Two samples: A with a gain at bins 100-149 of each chromosome, B flat with NAs."""
    rng = np.random.default_rng(seed)
    rows = []
    truth = {"A": [], "B": []}
    for c in chroms:
        for i in range(n):
            a = rng.normal(0, 0.15) + (1.0 if 100 <= i < 150 else 0.0)
            b = rng.normal(0, 0.15)
            bt = "NA" if i % 17 == 0 else f"{b:.6f}"
            start, end = i * 15000 + 1, (i + 1) * 15000
            rows.append(f"{c}:{start}-{end}\t{c}\t{start}\t{end}\t100\t40.1\t90.2\t0\tNA\tTRUE\t{a:.6f}\t{bt}")
            truth["A"].append(float(f"{a:.6f}"))
            truth["B"].append(np.nan if bt == "NA" else float(bt))
    path.write_text(ANNOTATION + "\tA\tB\n" + "\n".join(rows) + "\n")
    return truth


def test_segment_cli_writes_igv_seg(tmp_path):
    bins = tmp_path / "bins.tsv"
    truth = _write_bins(bins)
    out = tmp_path / "res" / "out.seg"
    metevo("segment", "--input", bins, "--out", out)
    seg = pd.read_csv(out, sep="\t", dtype={"chrom": str})
    assert seg.columns.tolist() == ["ID", "chrom", "loc.start", "loc.end", "num.mark", "seg.mean"]
    a = seg[seg["ID"] == "A"]
    # the planted gain, in bin coordinates: bin 100 starts at 1,500,001, bin 149 ends at 2,250,000
    assert a[["chrom", "loc.start", "loc.end", "num.mark"]].values.tolist() == [
        ["1", 1, 1500000, 100],
        ["1", 1500001, 2250000, 50],
        ["1", 2250001, 4500000, 150],
        ["2", 1, 1500000, 100],
        ["2", 1500001, 2250000, 50],
        ["2", 2250001, 4500000, 150],
    ]
    # the same segments and means as the Python function on the same values
    chrom = np.repeat(["1", "2"], 300)
    ref = segment(np.array(truth["A"]), chrom, seed=[0, 0])
    assert a["seg.mean"].tolist() == ref["mean"].tolist()
    b = seg[seg["ID"] == "B"]
    assert b["loc.start"].tolist() == [15001, 15001]  # bin 0 is NA: segments start at bin 1
    assert b["num.mark"].sum() == np.isfinite(truth["B"]).sum()


def test_segment_cli_is_byte_identical_and_undo_sd(tmp_path):
    bins = tmp_path / "bins.tsv"
    _write_bins(bins, seed=3, n=150)
    outs = []
    for k in range(2):
        out = tmp_path / f"o{k}.seg"
        metevo("segment", "--input", bins, "--alpha", "1e-10", "--undo-sd", "1", "--seed", "7", "--out", out)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    seg = pd.read_csv(tmp_path / "o0.seg", sep="\t", dtype={"chrom": str})
    table = pd.read_csv(bins, sep="\t")
    ref = segment(table["A"].to_numpy(), np.repeat(["1", "2"], 150), alpha=1e-10, undo_splits="sdundo", undo_sd=1.0, seed=[7, 0])
    assert seg[seg["ID"] == "A"]["num.mark"].tolist() == ref["n"].tolist()


def test_segment_cli_reads_qdnaseq_coordinates(tmp_path, capsys):
    # R's write.table prints 300000 as 3e+05 (QDNAseq's exported tables do)
    bins = tmp_path / "bins.tsv"
    _write_bins(bins, chroms=("2", "10", "X"), n=60)
    text = bins.read_text().replace("\t300000\t", "\t3e+05\t")
    assert "3e+05" in text
    bins.write_text(text)
    out = tmp_path / "o.seg"
    assert _run(capsys, "segment", "--input", bins, "--out", out)[0] == 0
    seg = pd.read_csv(out, sep="\t", dtype={"chrom": str})
    assert list(dict.fromkeys(seg["chrom"])) == ["2", "10", "X"]
    assert seg.groupby("ID")["num.mark"].sum().tolist() == [180, 180 - 12]


def _edit(path: Path, line: int, column: str, value: str) -> None:
    lines = path.read_text().splitlines()
    header = lines[0].split("\t")
    fields = lines[line - 1].split("\t")
    fields[header.index(column)] = value
    lines[line - 1] = "\t".join(fields)
    path.write_text("\n".join(lines) + "\n")


def _swap_lines(path: Path, a: int, b: int) -> None:
    lines = path.read_text().splitlines()
    lines[a - 1], lines[b - 1] = lines[b - 1], lines[a - 1]
    path.write_text("\n".join(lines) + "\n")


def _drop_column(path: Path, column: str) -> None:
    frame = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    frame.drop(columns=column).to_csv(path, sep="\t", index=False)


def _move_block(path: Path) -> None:
    """chr1's last 10 bins after chr2: chromosome 1 appears again."""
    lines = path.read_text().splitlines()
    block = lines[291:301]
    rest = lines[:291] + lines[301:]
    path.write_text("\n".join(rest + block) + "\n")


def _chromosomes_out_of_order(path: Path) -> None:
    """chr2's bins before chr1's."""
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0]] + lines[301:] + lines[1:301]) + "\n")


BAD_CASES = [
    ("non_numeric", lambda p: _edit(p, 12, "A", "0.3x"), "line 12", "column 'A'", "expected a log2 ratio or NA"),
    ("unsorted", lambda p: _swap_lines(p, 20, 21), "line 21", "column 'start'", "not sorted by start"),
    ("overlap", lambda p: _edit(p, 30, "start", str(28 * 15000 - 5)), "line 30", "column 'start'", "overlap"),
    ("missing_end", lambda p: _drop_column(p, "end"), "line 1", "column 'end'", "missing required column"),
    ("bad_start", lambda p: _edit(p, 5, "start", "60001.5"), "line 5", "column 'start'", "whole-number bin start"),
    ("start_after_end", lambda p: _edit(p, 7, "end", "5"), "line 7", "column 'end'", "end >= start"),
    ("chromosome_again", _move_block, "line 592", "column 'chromosome'", "appears again"),
    ("chromosome_order", _chromosomes_out_of_order, "line 302", "column 'chromosome'", "not sorted by chromosome"),
    ("no_samples", lambda p: (_drop_column(p, "A"), _drop_column(p, "B")), "line 1", None, "at least one sample column"),
]


@pytest.mark.parametrize("name,breaker,where,column,message", BAD_CASES, ids=[c[0] for c in BAD_CASES])
def test_segment_cli_bad_input(tmp_path, capsys, name, breaker, where, column, message):
    bins = tmp_path / "bins.tsv"
    _write_bins(bins)
    breaker(bins)
    out = tmp_path / "newdir" / "out.seg"
    rc, err = _run(capsys, "segment", "--input", bins, "--out", out)
    assert rc == 2, err
    err = err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert str(bins) in err and where in err and message in err, err
    if column:
        assert column in err, err
    assert not out.exists() and not out.parent.exists()


@pytest.mark.parametrize(
    "args,message",
    [(["--alpha", "1.5"], "--alpha"), (["--min-width", "7"], "--min-width"), (["--nperm", "0"], "--nperm"), (["--undo-sd", "-1"], "--undo-sd")],
)
def test_segment_cli_bad_options(tmp_path, capsys, args, message):
    bins = tmp_path / "bins.tsv"
    _write_bins(bins, n=40)
    out = tmp_path / "out.seg"
    rc, err = _run(capsys, "segment", "--input", bins, "--out", out, *args)
    assert rc == 2 and message in err and err.count("\n") == 1
    assert not out.exists()


def test_segment_cli_missing_file(tmp_path, capsys):
    rc, err = _run(capsys, "segment", "--input", tmp_path / "nope.tsv", "--out", tmp_path / "o.seg")
    assert rc == 2 and "nope.tsv" in err and "does not exist" in err


def test_numba_is_kept_from_importing_scipy_linalg_only_within_the_block():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from metevo.steps.segment import _NumbaWithoutBlas\n"
        "with _NumbaWithoutBlas() as block:\n"
        "    assert block.active\n"
        "    try:\n"
        "        import scipy.linalg.cython_blas\n"
        "        raise SystemExit('imported')\n"
        "    except ImportError:\n"
        "        pass\n"
        "    import metevo.cn._cbs_kernels\n"
        "    from numba.np import arraymath\n"
        "    assert not arraymath._HAVE_BLAS and 'scipy.linalg' not in sys.modules\n"
        "import scipy.linalg.cython_blas\n"  # after the block: a normal import
        "with _NumbaWithoutBlas() as block:\n"
        "    assert not block.active\n"  # already loaded: the block does nothing
        "print('ok')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"
