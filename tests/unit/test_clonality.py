"""Clonality: VAF -> mutation copy number -> multiplicity -> CCF on hand-computed cases, the
posterior interval against a direct computation, interval width against depth, the clonal rule
and its indeterminate cases, and the command line.

Hand computations use f(c, m) = p c m / (p N_t + (1 - p) N_n) with N_n = 2 (docs/clonality-loh.md).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from metevo.clonality import copy_number_from_log2, credible_interval, mutation_ccf
from tests.conftest import metevo


def test_clonal_heterozygous_mutation():
    # p = 0.5, N_t = 2: denominator 0.5*2 + 0.5*2 = 2; VAF 0.25 -> u = 0.25 * 2 / 0.5 = 1 -> m = 1, CCF 1
    r = mutation_ccf(50, 200, 0.5, 2, 1)
    assert r["expected_vaf_clonal"] == pytest.approx(0.25)
    assert r["multiplicity"] == 1 and r["ccf"] == pytest.approx(1.0)
    assert r["ccf_ucl"] == 1.0 and r["clonality"] == "clonal"
    assert r["mutant_gain"] is False and r["wt_loss"] is False


def test_subclonal_mutation():
    # VAF 0.1 -> u = 0.4 -> m = max(1, round(0.4)) = 1 -> CCF 0.4
    r = mutation_ccf(20, 200, 0.5, 2, 1)
    assert r["multiplicity"] == 1 and r["ccf"] == pytest.approx(0.4)
    assert r["ccf_lcl"] < 0.4 < r["ccf_ucl"] < 1.0
    assert r["clonality"] == "subclonal"
    assert r["p_ccf_gt_0_9"] < 1e-4


def test_gained_mutant_allele_on_four_copies():
    # N_t = 4 (2+2): denominator 0.5*4 + 0.5*2 = 3; VAF 100/300 -> u = (1/3) * 3 / 0.5 = 2 -> m = 2, CCF 1;
    # expected clonal VAF 0.5 * 2 / 3 = 1/3
    r = mutation_ccf(100, 300, 0.5, 4, 2)
    assert r["multiplicity"] == 2 and r["ccf"] == pytest.approx(1.0)
    assert r["expected_vaf_clonal"] == pytest.approx(1 / 3)
    assert r["mutant_gain"] is True and r["wt_loss"] is False and r["clonality"] == "clonal"
    # 3+1 allows m up to 3; u = 2 still gives m = 2
    assert mutation_ccf(100, 300, 0.5, 4, 3)["multiplicity"] == 2


def test_multiplicity_is_bounded_by_the_major_copy_number():
    # N_t = 3 (2+1): denominator 0.5*3 + 0.5*2 = 2.5; VAF 0.52 -> u = 0.52 * 2.5 / 0.5 = 2.6 -> round 3 > major 2 -> m = 2
    r = mutation_ccf(104, 200, 0.5, 3, 2)
    assert r["multiplicity"] == 2 and r["ccf"] == pytest.approx(1.0)


def test_wild_type_loss():
    # one copy (1+0): denominator 0.5 + 1 = 1.5; clonal VAF 1/3; m = 1 = N_t: no wild-type copy left
    r = mutation_ccf(100, 300, 0.5, 1, 1)
    assert r["expected_vaf_clonal"] == pytest.approx(1 / 3) and r["multiplicity"] == 1
    assert r["wt_loss"] is True and r["mutant_gain"] is False and r["clonality"] == "clonal"
    # copy-neutral LOH (2+0): VAF 0.5 -> u = 0.5 * 2 / 0.5 = 2 -> m = 2 = N_t
    r = mutation_ccf(100, 200, 0.5, 2, 2)
    assert r["multiplicity"] == 2 and r["wt_loss"] is True and r["mutant_gain"] is True


def test_posterior_interval_against_a_direct_computation():
    # p = 1, N_t = 2, m = 1: f = c / 2. Posterior on c = 0.01..1 proportional to f^3 (1 - f)^7.
    grid = [i / 100 for i in range(1, 101)]
    weights = [math.comb(10, 3) * (c / 2) ** 3 * (1 - c / 2) ** 7 for c in grid]
    total = sum(weights)
    post = [w / total for w in weights]
    # highest-density set: most probable points until 95% of the mass
    order = sorted(range(100), key=lambda i: -post[i])
    mass, taken = 0.0, []
    for i in order:
        taken.append(i)
        mass += post[i]
        if mass >= 0.95:
            break
    r = mutation_ccf(3, 10, 1.0, 2, 1, min_depth=1)
    assert r["ccf"] == pytest.approx(0.6)
    assert r["ccf_lcl"] == grid[min(taken)] and r["ccf_ucl"] == grid[max(taken)]
    assert r["p_ccf_gt_0_9"] == pytest.approx(sum(post[90:]))


def test_highest_density_interval_contains_the_mode():
    # a flat posterior rising to 1: the interval reaches 1 (an equal-tailed one would stop at 0.99)
    post = [i / 5050 for i in range(1, 101)]
    import numpy as np

    lcl, ucl = credible_interval(np.array(post))
    assert ucl == 1.0 and 0.2 < lcl < 0.3


def test_interval_narrows_with_depth():
    # VAF 0.15 at p = 0.5, N_t = 2: CCF 0.6 at every depth
    widths = []
    for depth in (40, 200, 1000):
        r = mutation_ccf(round(0.15 * depth), depth, 0.5, 2, 1)
        assert r["ccf"] == pytest.approx(0.6)
        assert r["ccf_lcl"] <= 0.6 <= r["ccf_ucl"]
        widths.append(r["ccf_ucl"] - r["ccf_lcl"])
    assert widths[0] > widths[1] > widths[2]
    assert mutation_ccf(150, 1000, 0.5, 2, 1)["clonality"] == "subclonal"


def test_clonal_at_exactly_the_expected_vaf_even_at_low_depth():
    assert mutation_ccf(5, 20, 0.5, 2, 1)["clonality"] == "clonal"


@pytest.mark.parametrize("args, reason", [
    ((4, 19, 0.5, 2, 1), "depth below 20"),
    ((50, 200, float("nan"), 2, 1), "purity unknown"),
    ((50, 200, None, 2, 1), "purity unknown"),
    ((50, 200, 0.5, None, None), "copy number unknown"),
    ((50, 200, 0.5, 0, 0), "inside a homozygous deletion"),
])
def test_indeterminate(args, reason):
    assert mutation_ccf(*args)["clonality"] == "indeterminate", reason


def test_depth_20_is_enough():
    assert mutation_ccf(5, 20, 0.5, 2, 1)["clonality"] != "indeterminate"


def test_copy_number_from_log2():
    # p = 0.5, ploidy 2: c = 3 has log2((0.5*3 + 1) / (0.5*2 + 1)) = log2(1.25)
    assert copy_number_from_log2(math.log2(1.25), 0.5, 2.0) == 3
    assert copy_number_from_log2(-1.0, 0.5, 2.0) == 0  # c = 0: (0.5*0 + 1) / (0.5*2 + 1) = 0.5
    assert copy_number_from_log2(float("nan"), 0.5, 2.0) is None


# --- command line -----------------------------------------------------------------------------

MAF_HEADER = ("Hugo_Symbol\tChromosome\tStart_Position\tEnd_Position\tReference_Allele\tTumor_Seq_Allele2\t"
              "Variant_Classification\tVariant_Type\tTumor_Sample_Barcode\tt_depth\tt_ref_count\tt_alt_count\n")


def _inputs(tmp_path: Path, alt: str = "50") -> tuple[Path, Path]:
    maf = tmp_path / "S.maf"
    maf.write_text(
        "#version 2.4\n" + MAF_HEADER
        + f"TP53\t17\t7675088\t7675088\tC\tT\tMissense_Mutation\tSNP\tS\t200\t150\t{alt}\n"  # on 1+1: clonal
        + "BRCA2\t13\t32340000\t32340000\tC\tT\tNonsense_Mutation\tSNP\tS\t200\t100\t100\n"  # 2+0 LOH: m = 2
        + "GENE3\t1\t5000\t5000\tA\tG\tMissense_Mutation\tSNP\tS\t200\t180\t20\n"  # on 1+1: CCF 0.4
        + "GENE4\t2\t100\t100\tA\tG\tMissense_Mutation\tSNP\tS\t200\t180\t20\n"  # no segment
        + "OTHER\t1\t5000\t5000\tA\tG\tMissense_Mutation\tSNP\tOTHER_SAMPLE\t200\t180\t20\n"
    )
    seg = tmp_path / "S.segments.tsv"
    seg.write_text(
        "sample\tchrom\tstart\tend\tn_bins\tlog2\ttotal_cn\tmajor_cn\tminor_cn\tploidy\tcall\n"
        "S\t1\t1\t10000000\t\t\t2\t1\t1\t\t\n"
        "S\t13\t1\t50000000\t\t\t2\t2\t0\t\t\n"
        "S\t17\t1\t20000000\t\t\t2\t1\t1\t\t\n"
    )
    return maf, seg


def test_clonality_command(tmp_path):
    maf, seg = _inputs(tmp_path)
    out = tmp_path / "S.clonality.tsv"
    metevo("clonality", "--sample", "S", "--maf", maf, "--segments", seg, "--purity", "0.5", "--out", out)
    table = pd.read_csv(out, sep="\t", comment="#", dtype=str, keep_default_na=False).set_index("Hugo_Symbol")
    assert list(table.index) == ["GENE3", "GENE4", "BRCA2", "TP53"]  # MAF order: chromosome, position
    assert table.columns[-12:].tolist() == ["total_cn", "minor_cn", "major_cn", "expected_vaf_clonal", "multiplicity", "ccf",
                                            "ccf_lcl", "ccf_ucl", "p_ccf_gt_0_9", "clonality", "wt_loss", "mutant_gain"]
    assert table.loc["TP53", ["total_cn", "multiplicity", "ccf", "clonality", "wt_loss", "mutant_gain"]].tolist() == [
        "2", "1", "1", "clonal", "FALSE", "FALSE"]
    assert table.loc["BRCA2", ["total_cn", "minor_cn", "multiplicity", "ccf", "clonality", "wt_loss", "mutant_gain"]].tolist() == [
        "2", "0", "2", "1", "clonal", "TRUE", "TRUE"]
    assert table.loc["GENE3", ["ccf", "clonality"]].tolist() == ["0.4", "subclonal"]
    assert table.loc["GENE4", ["total_cn", "ccf", "clonality", "wt_loss"]].tolist() == ["", "", "indeterminate", ""]
    # same inputs, same bytes
    metevo("clonality", "--sample", "S", "--maf", maf, "--segments", seg, "--purity", "0.5", "--out", tmp_path / "again.tsv")
    assert (tmp_path / "again.tsv").read_bytes() == out.read_bytes()


def test_unknown_purity_makes_every_call_indeterminate(tmp_path):
    maf, seg = _inputs(tmp_path)
    out = tmp_path / "o.tsv"
    metevo("clonality", "--sample", "S", "--maf", maf, "--segments", seg, "--purity", "NA", "--out", out)
    table = pd.read_csv(out, sep="\t", comment="#", dtype=str, keep_default_na=False)
    assert set(table["clonality"]) == {"indeterminate"} and set(table["ccf"]) == {""}


def test_bad_inputs(tmp_path):
    maf, seg = _inputs(tmp_path, alt="fifty")
    out = tmp_path / "o.tsv"
    proc = metevo("clonality", "--sample", "S", "--maf", maf, "--segments", seg, "--purity", "0.5", "--out", out, check=False)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert "line 3" in proc.stderr and "column 't_alt_count'" in proc.stderr and not out.exists()
    maf, seg = _inputs(tmp_path)
    proc = metevo("clonality", "--sample", "NOPE", "--maf", maf, "--segments", seg, "--purity", "0.5", "--out", out, check=False)
    assert proc.returncode == 2 and "OTHER_SAMPLE" in proc.stderr and not out.exists()
    proc = metevo("clonality", "--sample", "S", "--maf", maf, "--segments", seg, "--purity", "1.5", "--out", out, check=False)
    assert proc.returncode == 2 and "purity" in proc.stderr and not out.exists()
