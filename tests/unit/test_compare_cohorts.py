"""metevo compare-cohorts on small planted cohorts: counts, the tests, sample lists, coverage,
bad inputs (exit code, one stderr line, no output)."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest
from scipy.stats import fisher_exact as scipy_fisher

from metevo.cli import main
from metevo.stats.contingency import fisher_exact

HEADER = ["Hugo_Symbol", "Chromosome", "Start_Position", "Tumor_Sample_Barcode", "Variant_Classification"]


def _maf(path, rows, header=HEADER, comments=("#version 2.4",), gz=False):
    lines = list(comments) + ["\t".join(header)]
    for gene, sample, klass in rows:
        values = {"Hugo_Symbol": gene, "Tumor_Sample_Barcode": sample, "Variant_Classification": klass,
                  "Chromosome": "17", "Start_Position": "7577120"}
        by_lower = {k.lower(): v for k, v in values.items()}
        lines.append("\t".join(by_lower[h.lower()] for h in header))
    text = "\n".join(lines) + "\n"
    if gz:
        with gzip.open(path, "wt") as fh:
            fh.write(text)
    else:
        path.write_text(text)
    return path


def _cohorts(tmp_path):
    """A: 20 samples, TP53 in A0..A11 (A0 twice, A1 also a Silent), PIK3CA in A0..A1, a Silent-only gene.
    B: 30 samples, TP53 in B0..B2, PIK3CA in B0..B9, GATA3 in B0 only."""
    a = [("TP53", f"A{i}", "Missense_Mutation") for i in range(12)] + [("TP53", "A0", "Nonsense_Mutation"),
         ("TP53", "A1", "Silent"), ("PIK3CA", "A0", "Missense_Mutation"), ("PIK3CA", "A1", "In_Frame_Del"),
         ("SILENTGENE", "A3", "Silent"), ("SILENTGENE", "A4", "Silent")]
    a += [("TTN", f"A{i}", "Missense_Mutation") for i in range(12, 20)]  # every sample has a mutation
    b = [("TP53", f"B{i}", "Frame_Shift_Del") for i in range(3)] + [("PIK3CA", f"B{i}", "Missense_Mutation") for i in range(10)]
    b += [("GATA3", "B0", "Splice_Site")] + [("TTN", f"B{i}", "Silent") for i in range(30)]
    return _maf(tmp_path / "a.maf", a), _maf(tmp_path / "b.maf", b)


def _run(capsys, *args):
    try:
        rc = main([str(x) for x in args])
    except SystemExit as stop:  # argparse usage errors
        rc = stop.code
    return rc, capsys.readouterr().err


def _read(path):
    return pd.read_csv(path, sep="\t", keep_default_na=False, na_values=[""]).set_index("gene")


def test_counts_tests_and_q_values(tmp_path, capsys):
    maf_a, maf_b = _cohorts(tmp_path)
    out = tmp_path / "out.tsv"
    rc, err = _run(capsys, "compare-cohorts", "--maf-a", maf_a, "--maf-b", maf_b, "--min-mutated", 1, "--out", out)
    assert rc == 0, err
    got = _read(out)
    assert list(got.index) == ["TTN", "TP53", "PIK3CA", "GATA3"]  # by p-value; silent-only genes are not counted
    tp53 = got.loc["TP53"]
    assert (tp53.a_mutated, tp53.a_total, tp53.b_mutated, tp53.b_total) == (12, 20, 3, 30)
    assert tp53.a_fraction == pytest.approx(0.6) and tp53.b_fraction == pytest.approx(0.1)
    want = fisher_exact(12, 8, 3, 27)
    assert tp53.p_value == pytest.approx(scipy_fisher([[12, 8], [3, 27]]).pvalue, rel=1e-9)
    assert (tp53.odds_ratio, tp53.ci_low, tp53.ci_high) == pytest.approx((want.odds_ratio, want.ci_low, want.ci_high), rel=1e-9)
    assert tp53.odds_ratio > 1 and tp53.test == "fisher_exact_two_sided" and tp53.cohort_a == "a" and tp53.cohort_b == "b"
    assert got.loc["TTN", "b_mutated"] == 0 and got.loc["TTN", "odds_ratio"] == np.inf  # B's TTN calls are all Silent
    assert got.loc["PIK3CA", "a_mutated"] == 2 and got.loc["PIK3CA", "odds_ratio"] < 1
    p = got["p_value"].to_numpy()
    order = np.argsort(p)
    q = np.minimum.accumulate((p[order] * len(p) / np.arange(1, len(p) + 1))[::-1])[::-1]
    assert got["q_value"].to_numpy()[order] == pytest.approx(np.minimum(q, 1))
    # byte-identical rerun
    first = out.read_bytes()
    assert _run(capsys, "compare-cohorts", "--maf-a", maf_a, "--maf-b", maf_b, "--min-mutated", 1, "--out", out)[0] == 0
    assert out.read_bytes() == first


def test_min_mutated_classes_and_labels(tmp_path, capsys):
    maf_a, maf_b = _cohorts(tmp_path)
    out = tmp_path / "out.tsv"
    assert _run(capsys, "compare-cohorts", "--maf-a", maf_a, "--maf-b", maf_b, "--out", out)[0] == 0
    assert set(_read(out).index) == {"TP53", "PIK3CA", "TTN"}  # default 5: GATA3 (1 sample) is left out
    assert _run(capsys, "compare-cohorts", "--maf-a", maf_a, "--maf-b", maf_b, "--min-mutated", 14, "--out", out)[0] == 0
    assert set(_read(out).index) == {"TP53"}
    assert _run(capsys, "compare-cohorts", "--maf-a", maf_a, "--maf-b", maf_b, "--classes", "all", "--min-mutated", 2,
                "--label-a", "met", "--label-b", "primary", "--out", out)[0] == 0
    got = _read(out)
    assert got.loc["SILENTGENE", "a_mutated"] == 2 and got.loc["TTN", "b_mutated"] == 30
    assert set(got["cohort_a"]) == {"met"} and set(got["cohort_b"]) == {"primary"}
    assert _run(capsys, "compare-cohorts", "--maf-a", maf_a, "--maf-b", maf_b, "--classes", "Silent", "--min-mutated", 1,
                "--out", out)[0] == 0
    assert set(_read(out).index) == {"TP53", "SILENTGENE", "TTN"}


def test_gzip_comments_and_header_case_read_the_same(tmp_path, capsys):
    maf_a, maf_b = _cohorts(tmp_path)
    rows = [line.split("\t") for line in maf_a.read_text().splitlines()[2:]]
    lower = [h.lower() for h in HEADER]
    gz = _maf(tmp_path / "a2.maf.gz", [(r[0], r[3], r[4]) for r in rows], header=lower,
              comments=("#version 2.4", "# a comment"), gz=True)
    out1, out2 = tmp_path / "1.tsv", tmp_path / "2.tsv"
    assert _run(capsys, "compare-cohorts", "--maf-a", maf_a, "--maf-b", maf_b, "--label-a", "a", "--out", out1)[0] == 0
    assert _run(capsys, "compare-cohorts", "--maf-a", gz, "--maf-b", maf_b, "--label-a", "a", "--out", out2)[0] == 0
    assert out1.read_bytes() == out2.read_bytes()


def test_sample_lists(tmp_path, capsys):
    maf_a, maf_b = _cohorts(tmp_path)
    out = tmp_path / "out.tsv"
    # A0..A9 plus two samples without any mutation; A10..A19 are left out
    (tmp_path / "a.txt").write_text("sample\n" + "".join(f"A{i}\n" for i in range(10)) + "A_quiet1\n# note\n\nA_quiet2\n")
    rc, err = _run(capsys, "compare-cohorts", "--maf-a", maf_a, "--maf-b", maf_b, "--samples-a", tmp_path / "a.txt",
                   "--min-mutated", 1, "--out", out)
    assert rc == 0, err
    tp53 = _read(out).loc["TP53"]
    assert (tp53.a_mutated, tp53.a_total) == (10, 12) and tp53.cohort_a == "a"
    # --strict-samples: a listed sample with no mutation is an error naming it and its line
    rc, err = _run(capsys, "compare-cohorts", "--maf-a", maf_a, "--maf-b", maf_b, "--samples-a", tmp_path / "a.txt",
                   "--strict-samples", "--out", tmp_path / "strict.tsv")
    assert rc == 2 and len(err.strip().splitlines()) == 1
    assert "a.txt: line 12" in err and "A_quiet1" in err and not (tmp_path / "strict.tsv").exists()
    # one MAF, two lists (cohorts split by a clinical variable)
    (tmp_path / "b.txt").write_text("".join(f"A{i}\n" for i in range(10, 20)))
    assert _run(capsys, "compare-cohorts", "--maf-a", maf_a, "--maf-b", maf_a, "--samples-a", tmp_path / "a.txt",
                "--samples-b", tmp_path / "b.txt", "--min-mutated", 1, "--out", out)[0] == 0
    got = _read(out).loc["TP53"]
    assert (got.a_mutated, got.a_total, got.b_mutated, got.b_total) == (10, 12, 2, 10)
    assert (got.cohort_a, got.cohort_b) == ("a", "b")


def _coverage_run(tmp_path, capsys, coverage_text, extra=()):
    maf_a, maf_b = _cohorts(tmp_path)
    (tmp_path / "cov.tsv").write_text(coverage_text)
    out = tmp_path / "out.tsv"
    rc, err = _run(capsys, "compare-cohorts", "--maf-a", maf_a, "--maf-b", maf_b, "--coverage-a", tmp_path / "cov.tsv",
                   "--min-mutated", 1, *extra, "--out", out)
    assert rc == 0, err
    return _read(out)


def test_coverage_by_gene_rows(tmp_path, capsys):
    # A0..A4 sequenced on a panel without TP53 (their TP53 calls are ignored), the rest whole-exome
    rows = ["sample\tgene"] + [f"A{i}\t{g}" for i in range(5) for g in ("PIK3CA", "TTN")] + [f"A{i}\t*" for i in range(5, 20)]
    got = _coverage_run(tmp_path, capsys, "\n".join(rows) + "\n")
    assert (got.loc["TP53", "a_mutated"], got.loc["TP53", "a_total"]) == (7, 15)
    assert (got.loc["PIK3CA", "a_mutated"], got.loc["PIK3CA", "a_total"]) == (2, 20)
    assert got.loc["TP53", "b_total"] == 30 and got.loc["GATA3", "a_total"] == 15


def test_coverage_by_panel_file(tmp_path, capsys):
    (tmp_path / "panel.txt").write_text("# small panel\nPIK3CA\nGATA3\n")
    rows = ["sample\tpanel"] + [f"A{i}\tpanel.txt" for i in range(10)] + [f"A{i}\t*" for i in range(10, 20)]
    got = _coverage_run(tmp_path, capsys, "\n".join(rows) + "\n")
    assert (got.loc["TP53", "a_mutated"], got.loc["TP53", "a_total"]) == (2, 10)
    assert got.loc["GATA3", "a_total"] == 20 and got.loc["TTN", "a_total"] == 10


def test_a_gene_sequenced_in_no_sample_of_a_cohort_is_listed_untested(tmp_path, capsys):
    rows = ["sample\tgene"] + [f"A{i}\tPIK3CA" for i in range(20)]
    got = _coverage_run(tmp_path, capsys, "\n".join(rows) + "\n")
    assert got.loc["TP53", "a_total"] == 0 and np.isnan(got.loc["TP53", "p_value"]) and np.isnan(got.loc["TP53", "q_value"])
    assert list(got.index)[-1] in ("TP53", "TTN", "GATA3")  # untested rows sort last


@pytest.mark.parametrize("case, expected", [
    ("missing_column", "b.maf: line 1, column 'Variant_Classification': missing required MAF column"),
    ("empty_maf", "b.maf: line 2: the MAF has a header but no mutations"),
    ("empty_sample", "b.maf: line 3, column 'Tumor_Sample_Barcode': expected a sample barcode"),
    ("no_shared", "list.txt: line 1: no sample of the list is in b.maf"),
    ("duplicate", "list.txt: line 3: sample 'B1' is listed twice (first on line 2)"),
    ("unsafe", "list.txt: line 2: expected a sample id"),
    ("min_mutated", "argument --min-mutated: expected a whole number of samples, found 'five'"),
    ("classes", "--classes: expected comma-separated Variant_Classification names"),
    ("overlap", "sample 'B0' is in both cohorts"),
    ("coverage_missing_sample", "cov.tsv: sample 'B1' of cohort b has no row"),
    ("coverage_columns", "cov.tsv: line 1, column 'gene': expected columns 'sample' and 'gene'"),
    ("missing_file", "nothere.maf: file does not exist"),
])
def test_bad_inputs_are_one_line_and_write_nothing(tmp_path, capsys, case, expected):
    maf_a, _ = _cohorts(tmp_path)
    b = tmp_path / "b.maf"
    three = ["Hugo_Symbol", "Tumor_Sample_Barcode", "Variant_Classification"]
    good = [("TP53", "B0", "Missense_Mutation"), ("TP53", "B1", "Missense_Mutation"), ("KRAS", "B2", "Missense_Mutation")]
    _maf(b, good, header=three, comments=())
    args = ["--maf-a", maf_a, "--maf-b", b]
    if case == "missing_column":
        b.write_text("Hugo_Symbol\tTumor_Sample_Barcode\nTP53\tB0\n")
    elif case == "empty_maf":
        b.write_text("\t".join(three) + "\n")
    elif case == "empty_sample":
        b.write_text("\t".join(three) + "\nTP53\tB0\tMissense_Mutation\nTP53\t\tMissense_Mutation\n")
    elif case in ("no_shared", "duplicate", "unsafe"):
        text = {"no_shared": "X1\nX2\n", "duplicate": "B0\nB1\nB1\n", "unsafe": "B0\nB 1;rm\n"}[case]
        (tmp_path / "list.txt").write_text(text)
        args += ["--samples-b", tmp_path / "list.txt"]
    elif case == "min_mutated":
        args += ["--min-mutated", "five"]
    elif case == "classes":
        args += ["--classes", "Missense_Mutation,,Silent"]
    elif case == "overlap":
        args = ["--maf-a", b, "--maf-b", b]
    elif case in ("coverage_missing_sample", "coverage_columns"):
        text = "sample\tgene\nB0\t*\n" if case == "coverage_missing_sample" else "sample\tgenes\nB0\t*\n"
        (tmp_path / "cov.tsv").write_text(text)
        args += ["--coverage-b", tmp_path / "cov.tsv"]
    elif case == "missing_file":
        args = ["--maf-a", maf_a, "--maf-b", tmp_path / "nothere.maf"]
    out = tmp_path / "out" / "result.tsv"
    rc, err = _run(capsys, "compare-cohorts", *args, "--min-mutated", 1, "--out", out) if case != "min_mutated" else \
        _run(capsys, "compare-cohorts", *args, "--out", out)
    lines = err.strip().splitlines()
    assert rc == 2 and len(lines) == 1, err
    assert lines[0].startswith("metevo compare-cohorts: error: ") and expected in lines[0], lines[0]
    assert not out.exists() and not out.parent.exists()
