"""metevo.concordance and the pair-concordance step.

The hand-built cohort's answers were worked out by hand (comments next to each number); the
sparse path is compared with a plain set-based computation on a random cohort; bad inputs must
give one-line errors and leave no output behind.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metevo.cli import main
from metevo.concordance import (
    PAIR_COLUMNS,
    TEST_COLUMNS,
    concordance,
    mutation_incidence,
    pair_table,
)
from metevo.errors import ConfigError, InputError
from metevo.io.samplesheet import read_samplesheet
from metevo.stats.wilcoxon import rank_sum_test

MAF_HEADER = [
    "Hugo_Symbol", "Chromosome", "Start_Position", "End_Position", "Variant_Classification",
    "Reference_Allele", "Tumor_Seq_Allele2", "Tumor_Sample_Barcode", "patient", "sample_type",
]

SAMPLESHEET = """\
patient,sample,sample_type,region_group,replicate_group
P1,P1-N,normal,,
P1,P1-M1,metastasis,,
P1,P1-T1,primary,P1-T,P1-T1rep
P1,P1-T1b,primary,P1-T,P1-T1rep
P1,P1-T2,primary,P1-T,
P1,P1-M2,metastasis,,
P1,P1-R,recurrence,,
P2,P2-T,primary,,
P2,P2-M,metastasis,,
P2,P2-C,cfdna,,
P3,P3-M,metastasis,,
P3,P3-C,cfdna,,
P4,P4-T,primary,,
"""

# variant id -> (Chromosome, Start_Position, Reference_Allele, Tumor_Seq_Allele2, Variant_Classification)
VARIANTS = {
    1: ("1", 1000, "A", "T", "Missense_Mutation"),
    2: ("1", 2000, "C", "-", "Frame_Shift_Del"),
    3: ("2", 3000, "G", "A", "Nonsense_Mutation"),
    4: ("3", 4000, "-", "TT", "In_Frame_Ins"),
    5: ("7", 5000, "T", "C", "Splice_Site"),
    6: ("X", 6000, "A", "G", "Missense_Mutation"),
    7: ("12", 7000, "C", "T", "Missense_Mutation"),
    8: ("17", 8000, "G", "C", "Missense_Mutation"),
    9: ("17", 9000, "A", "C", "Nonstop_Mutation"),
    "s1": ("5", 100, "C", "T", "Silent"),
    "s2": ("5", 200, "C", "T", "Silent"),
    "s3": ("5", 300, "C", "T", "3'UTR"),
    "s4": ("5", 400, "C", "T", "Intron"),
    "alt7": ("12", 7000, "C", "G", "Missense_Mutation"),  # same position as 7, other allele
}
CARRIERS = {
    "P1-M1": [1, 2, 5, 6],
    "P1-T1": [1, 2, 3, "s1"],
    "P1-T1b": [1, 2, 3, 3],  # 3 listed twice: counts once
    "P1-T2": [1, 2, 4],
    "P1-M2": [1, 5, 7],
    "P1-R": [1, "s1"],
    "P2-T": [8, "s2"],
    "P2-M": [8, 1, 9],
    "P2-C": [9],
    "P3-M": ["s3"],
    "P4-T": ["s4"],
}
PATIENT = {s: s.split("-")[0] for s in CARRIERS}
TYPE = {"M": "metastasis", "T": "primary", "R": "recurrence", "C": "cfdna"}


def _maf_rows(carriers=CARRIERS, variants=VARIANTS):
    rows = []
    for sample, ids in carriers.items():
        for vid in ids:
            chrom, pos, ref, alt, vc = variants[vid]
            if sample == "P1-M2" and vid == 1:
                chrom = "chr1"  # the other naming style: harmonised to the same variant
            kind = TYPE[sample.split("-")[1][0]]
            rows.append(["G", chrom, str(pos), str(pos), vc, ref, alt, sample, PATIENT[sample], kind])
    return rows


def _write_maf(path: Path, rows, header=MAF_HEADER) -> Path:
    lines = ["#version 2.4", "\t".join(header)] + ["\t".join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture()
def cohort(tmp_path):
    sheet = tmp_path / "samplesheet.csv"
    sheet.write_text(SAMPLESHEET)
    maf = _write_maf(tmp_path / "cohort.maf", _maf_rows())
    return sheet, maf


def _run(cohort, tmp_path, *extra) -> tuple[int, Path]:
    sheet, maf = cohort
    out = tmp_path / "out"
    code = main(["pair-concordance", "--samplesheet", str(sheet), "--maf", str(maf), "--outdir", str(out), *extra])
    return code, out


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", keep_default_na=False, na_values=[""])


# --------------------------------------------------------------------------- the hand-built cohort


# (sample_a, sample_b): (pair_class, n_shared, n_union), worked out from CARRIERS by hand
EXPECTED_WITHIN = {
    ("P1-T1", "P1-M1"): ("primary_metastasis", 2, 5),  # {1,2} of {1,2,3,5,6}
    ("P1-T1b", "P1-M1"): ("primary_metastasis", 2, 5),
    ("P1-T2", "P1-M1"): ("primary_metastasis", 2, 5),  # {1,2} of {1,2,4,5,6}
    ("P1-M1", "P1-M2"): ("metastasis_metastasis", 2, 5),  # {1,5} of {1,2,5,6,7}
    ("P1-M1", "P1-R"): ("metastasis_recurrence", 1, 4),
    ("P1-T1", "P1-T1b"): ("replicate", 3, 3),  # replicate wins over the shared region group
    ("P1-T1", "P1-T2"): ("multi_region", 2, 4),
    ("P1-T1", "P1-M2"): ("primary_metastasis", 1, 5),
    ("P1-T1", "P1-R"): ("primary_recurrence", 1, 3),  # silent s1 shared but not counted
    ("P1-T1b", "P1-T2"): ("multi_region", 2, 4),
    ("P1-T1b", "P1-M2"): ("primary_metastasis", 1, 5),
    ("P1-T1b", "P1-R"): ("primary_recurrence", 1, 3),
    ("P1-T2", "P1-M2"): ("primary_metastasis", 1, 5),
    ("P1-T2", "P1-R"): ("primary_recurrence", 1, 3),
    ("P1-M2", "P1-R"): ("metastasis_recurrence", 1, 3),
    ("P2-T", "P2-M"): ("primary_metastasis", 1, 3),
    ("P2-T", "P2-C"): ("primary_cfdna", 0, 2),
    ("P2-M", "P2-C"): ("metastasis_cfdna", 1, 3),
    # P3-C has no MAF row (no tumour DNA detected): no pairs; P3 and P4 have one usable sample
}
# primary x metastasis/recurrence of another patient
EXPECTED_UNRELATED = {
    ("P1-T1", "P2-M"): (1, 5), ("P1-T1", "P3-M"): (0, 3),
    ("P1-T1b", "P2-M"): (1, 5), ("P1-T1b", "P3-M"): (0, 3),
    ("P1-T2", "P2-M"): (1, 5), ("P1-T2", "P3-M"): (0, 3),
    ("P2-T", "P1-M1"): (0, 5), ("P2-T", "P1-M2"): (0, 4), ("P2-T", "P1-R"): (0, 2), ("P2-T", "P3-M"): (0, 1),
    ("P4-T", "P1-M1"): (0, 4), ("P4-T", "P1-M2"): (0, 3), ("P4-T", "P1-R"): (0, 1), ("P4-T", "P2-M"): (0, 3),
    ("P4-T", "P3-M"): (0, 0),  # neither has a coding mutation: Jaccard undefined
}
EXPECTED_BURDEN = {  # sample: (n_coding, n_all)
    "P1-M1": (4, 4), "P1-T1": (3, 4), "P1-T1b": (3, 3), "P1-T2": (3, 3), "P1-M2": (3, 3), "P1-R": (1, 2),
    "P2-T": (1, 2), "P2-M": (3, 3), "P2-C": (1, 1), "P3-M": (0, 1), "P3-C": (0, 0), "P4-T": (0, 1),
}


def test_hand_cohort_pairs(cohort, tmp_path):
    code, out = _run(cohort, tmp_path)
    assert code == 0
    pairs = _read(out / "pairs.tsv")
    assert tuple(pairs.columns) == PAIR_COLUMNS
    within = pairs[pairs["pair_class"] != "unrelated"]
    unrelated = pairs[pairs["pair_class"] == "unrelated"]
    assert len(within) == len(EXPECTED_WITHIN) and len(unrelated) == len(EXPECTED_UNRELATED)
    for row in pairs.itertuples():
        key = (row.sample_a, row.sample_b)
        if row.pair_class == "unrelated":
            shared, union = EXPECTED_UNRELATED[key]
            assert row.sample_type_a == "primary" and row.patient_a != row.patient_b
        else:
            klass, shared, union = EXPECTED_WITHIN[key]
            assert row.pair_class == klass and row.patient_a == row.patient_b
        assert (row.n_shared, row.n_union) == (shared, union), key
        assert row.n_private_a == row.n_a - shared and row.n_private_b == row.n_b - shared
        assert row.n_a == EXPECTED_BURDEN[row.sample_a][0] and row.n_b == EXPECTED_BURDEN[row.sample_b][0]
        if union:
            assert row.jaccard == pytest.approx(shared / union, rel=1e-9)
        else:
            assert math.isnan(row.jaccard)
    assert "P1-N" not in set(pairs["sample_a"]) | set(pairs["sample_b"])
    assert "P3-C" not in set(pairs["sample_a"]) | set(pairs["sample_b"])
    # orientation: the earlier type is sample_a even when it comes later in the samplesheet;
    # within a patient rows follow the samplesheet positions of sample_a, then sample_b
    assert list(zip(within["sample_a"], within["sample_b"]))[:5] == [
        ("P1-M1", "P1-M2"), ("P1-M1", "P1-R"), ("P1-T1", "P1-M1"), ("P1-T1", "P1-T1b"), ("P1-T1", "P1-T2"),
    ]


def test_hand_cohort_burden_and_tests(cohort, tmp_path):
    code, out = _run(cohort, tmp_path, "--target-mb", "40")
    assert code == 0
    burden = _read(out / "burden.tsv")
    assert list(burden["sample"]) == [s for s in EXPECTED_BURDEN]  # samplesheet order, no normal
    for row in burden.itertuples():
        assert (row.n_coding, row.n_all) == EXPECTED_BURDEN[row.sample]
        assert row.coding_per_mb == pytest.approx(row.n_coding / 40)
    tests = _read(out / "tests.tsv")
    assert tuple(tests.columns) == TEST_COLUMNS
    by = tests.set_index("comparison")
    # replicate {1} vs multi_region {0.5, 0.5}: ranks 3 | 1.5, 1.5 -> W = 3 - 1 = 2; ties -> normal approx
    expected = rank_sum_test([1.0], [0.5, 0.5], alternative="greater")
    row = by.loc["jaccard: replicate > multi_region"]
    assert (row.statistic, row.n_x, row.n_y) == (2, 1, 2)
    assert row.p_value == pytest.approx(expected.p_value, rel=1e-9)
    row = by.loc["jaccard: primary_metastasis > unrelated"]
    assert (row.n_x, row.n_y, row.n_y_excluded) == (7, 14, 1)  # the P4-T/P3-M pair is excluded
    row = by.loc["coding burden: metastasis > primary (paired by patient)"]
    # P1: metastasis/recurrence mean (4+3+1)/3 vs primary mean (3+3+3)/3 -> d = -1/3;
    # P2: 3 vs 1 -> d = 2; V = rank of |2| = 2; exact P(V >= 2 | n=2) = 2/4
    assert (row.statistic, row.n_x, row.p_value, row.method) == (2, 2, 0.5, "exact")
    assert row.test == "Wilcoxon signed-rank" and row.alternative == "greater"
    # q = BH over the table's rows
    p = tests["p_value"].to_numpy()
    m = np.isfinite(p).sum()
    smallest = np.nanargmin(p)
    assert tests["q_value"][smallest] <= min(1.0, p[smallest] * m) + 1e-12


def test_include_silent_and_classes(cohort, tmp_path):
    code, out = _run(cohort, tmp_path, "--include-silent")
    assert code == 0
    pairs = _read(out / "pairs.tsv").set_index(["sample_a", "sample_b"])
    assert (pairs.loc[("P1-T1", "P1-R"), "n_shared"], pairs.loc[("P1-T1", "P1-R"), "n_union"]) == (2, 4)  # + s1
    code, out2 = _run(cohort, tmp_path / "x", "--classes", "Missense_Mutation,Splice_Site")
    assert code == 0
    burden = _read(out2 / "burden.tsv").set_index("sample")
    assert burden.loc["P1-M1", "n_coding"] == 3  # 1 and 6 (missense), 5 (splice); not 2 (frameshift)
    assert burden.loc["P1-M1", "n_all"] == 4


def test_empty_class_row_has_na_p_and_reason(cohort, tmp_path):
    sheet, maf = cohort
    table = read_samplesheet(sheet).table
    table = table[~table["sample"].isin(["P1-R"])]  # no primary_recurrence pair left
    rows = [r for r in _maf_rows() if r[7] != "P1-R"]
    maf_frame = pd.DataFrame(rows, columns=MAF_HEADER)
    result = concordance(table, maf_frame)
    row = result.tests.set_index("comparison").loc["jaccard: multi_region > primary_recurrence"]
    assert math.isnan(row.p_value) and math.isnan(row.q_value) and row.ties is None
    assert row.note == "no primary_recurrence pairs"


# --------------------------------------------------------------------------- sparse == sets on a random cohort

ORDER = {"primary": 0, "metastasis": 1, "recurrence": 2, "cfdna": 3}


def _random_cohort(seed: int, n_patients: int):
    rng = np.random.default_rng(seed)
    sheet, maf = [], []
    pool = [("1", p, "A", a) for p in range(1, 40) for a in "CGT"]
    for i in range(n_patients):
        patient = f"P{i}"
        shared = rng.choice(len(pool), size=rng.integers(0, 8), replace=False)
        types = rng.choice(["primary", "metastasis", "recurrence", "cfdna", "normal"], size=rng.integers(1, 6),
                           p=[0.35, 0.3, 0.15, 0.1, 0.1])
        for j, kind in enumerate(types):
            sample = f"{patient}-{j}"
            region = f"{patient}-g{rng.integers(0, 2)}" if rng.random() < 0.4 else ""
            replicate = f"{patient}-r{rng.integers(0, 2)}" if rng.random() < 0.2 else ""
            sheet.append(dict(patient=patient, sample=sample, sample_type=kind, region_group=region,
                              replicate_group=replicate))
            if kind == "normal" or rng.random() < 0.15:
                continue
            own = rng.choice(len(pool), size=rng.integers(0, 6), replace=False)
            keep = shared[rng.random(shared.size) < 0.7]
            for v in np.concatenate((keep, own)):
                chrom, pos, ref, alt = pool[int(v)]
                vc = rng.choice(["Missense_Mutation", "Silent", "Nonsense_Mutation"], p=[0.6, 0.2, 0.2])
                maf.append(dict(Tumor_Sample_Barcode=sample, Chromosome=chrom, Start_Position=str(pos),
                                Reference_Allele=ref, Tumor_Seq_Allele2=alt, Variant_Classification=vc))
    sheet = pd.DataFrame(sheet)
    sheet["__line__"] = np.arange(len(sheet)) + 2
    return sheet, pd.DataFrame(maf, columns=["Tumor_Sample_Barcode", "Chromosome", "Start_Position",
                                             "Reference_Allele", "Tumor_Seq_Allele2", "Variant_Classification"])


def _set_based_pairs(sheet: pd.DataFrame, maf: pd.DataFrame) -> list[tuple]:
    """Plain Python sets and loops: what the sparse path must reproduce."""
    coding = maf[maf["Variant_Classification"] != "Silent"]
    sets = {s: set() for s in sheet["sample"]}
    for r in coding.itertuples():
        sets[r.Tumor_Sample_Barcode].add((r.Chromosome, int(r.Start_Position), r.Reference_Allele, r.Tumor_Seq_Allele2))
    has_rows = set(maf["Tumor_Sample_Barcode"])
    tumours = [r for r in sheet.to_dict("records") if r["sample_type"] != "normal"]
    position = {r["sample"]: i for i, r in enumerate(tumours)}

    def row(a, b, klass):
        shared = len(sets[a["sample"]] & sets[b["sample"]])
        union = len(sets[a["sample"]] | sets[b["sample"]])
        return (a["sample"], b["sample"], klass, len(sets[a["sample"]]), len(sets[b["sample"]]), shared, union,
                shared / union if union else None)

    out = []
    patients = list(dict.fromkeys(r["patient"] for r in tumours))
    for patient in patients:
        members = [r for r in tumours if r["patient"] == patient and (r["sample_type"] != "cfdna" or r["sample"] in has_rows)]
        found = []
        for i in range(len(members)):
            for j in range(i + 1, len(members)):
                a, b = members[i], members[j]
                if ORDER[b["sample_type"]] < ORDER[a["sample_type"]]:
                    a, b = b, a
                if a["replicate_group"] and a["replicate_group"] == b["replicate_group"]:
                    klass = "replicate"
                elif a["region_group"] and a["region_group"] == b["region_group"]:
                    klass = "multi_region"
                else:
                    klass = f"{a['sample_type']}_{b['sample_type']}"
                found.append(((position[a["sample"]], position[b["sample"]]), row(a, b, klass)))
        out.extend(r for _, r in sorted(found))
    for a in tumours:
        if a["sample_type"] != "primary":
            continue
        for b in tumours:
            if b["sample_type"] in ("metastasis", "recurrence") and b["patient"] != a["patient"]:
                out.append(row(a, b, "unrelated"))
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sparse_path_equals_sets(seed):
    sheet, maf = _random_cohort(seed, n_patients=60)
    pairs = pair_table(mutation_incidence(sheet, maf))
    ours = [
        (r.sample_a, r.sample_b, r.pair_class, r.n_a, r.n_b, r.n_shared, r.n_union,
         None if math.isnan(r.jaccard) else r.jaccard)
        for r in pairs.itertuples()
    ]
    expected = _set_based_pairs(sheet, maf)
    assert ours == expected
    classes = set(pairs["pair_class"])
    assert {"replicate", "multi_region", "primary_metastasis", "unrelated"} <= classes  # the cohort exercises them
    assert pairs["jaccard"].isna().any()


def test_large_cohort_is_fast():
    import time

    sheet, maf = _random_cohort(11, n_patients=1500)
    start = time.perf_counter()
    result = concordance(sheet, maf)
    elapsed = time.perf_counter() - start
    n_primary = (sheet["sample_type"] == "primary").sum()
    assert (result.pairs["pair_class"] == "unrelated").sum() > n_primary * 500
    assert elapsed < 20, elapsed


# --------------------------------------------------------------------------- bad inputs: one line, no outputs


def _assert_one_line_error(capsys, code, out: Path, *needles):
    assert code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for needle in needles:
        assert needle in err, (needle, err)
    assert not out.exists() or not any(out.iterdir())


def test_maf_sample_not_in_samplesheet(cohort, tmp_path, capsys):
    sheet, _ = cohort
    rows = _maf_rows()
    rows.insert(5, ["G", "1", "5", "5", "Silent", "A", "C", "P9-T", "P9", "primary"])
    maf = _write_maf(tmp_path / "bad.maf", rows)
    code, out = _run((sheet, maf), tmp_path)
    # "#version" is line 1, the header line 2, the inserted row the 6th data row
    _assert_one_line_error(capsys, code, out, "bad.maf", "line 8", "Tumor_Sample_Barcode", "P9-T", "not in the samplesheet")


def test_samplesheet_sample_without_maf_rows_is_zero(cohort, tmp_path):
    code, out = _run(cohort, tmp_path)
    assert code == 0
    burden = _read(out / "burden.tsv").set_index("sample")
    assert burden.loc["P3-C", "n_coding"] == 0 and burden.loc["P3-C", "n_all"] == 0


@pytest.mark.parametrize("drop", ["Tumor_Seq_Allele2", "Variant_Classification", "Tumor_Sample_Barcode"])
def test_missing_maf_column(cohort, tmp_path, capsys, drop):
    sheet, _ = cohort
    keep = [i for i, c in enumerate(MAF_HEADER) if c != drop]
    rows = [[r[i] for i in keep] for r in _maf_rows()]
    maf = _write_maf(tmp_path / "bad.maf", rows, header=[MAF_HEADER[i] for i in keep])
    code, out = _run((sheet, maf), tmp_path)
    _assert_one_line_error(capsys, code, out, "bad.maf", "line 2", drop)


@pytest.mark.parametrize(
    "column,value,needle",
    [
        ("Start_Position", "12x", "positive integer"),
        ("Start_Position", "0", "positive integer"),
        ("Chromosome", "", "empty cell"),
        ("Tumor_Sample_Barcode", "P1-N", "is a normal"),
        ("patient", "P2", "'P2' here but 'P1'"),
        ("sample_type", "metastasis", "'metastasis' here but 'primary'"),
    ],
)
def test_bad_maf_cells(cohort, tmp_path, capsys, column, value, needle):
    sheet, _ = cohort
    rows = _maf_rows()
    rows[4][MAF_HEADER.index(column)] = value  # the first P1-T1 row: data row 5 = line 7
    maf = _write_maf(tmp_path / "bad.maf", rows)
    code, out = _run((sheet, maf), tmp_path)
    _assert_one_line_error(capsys, code, out, "line 7", column, needle)


def test_bad_options(cohort, tmp_path, capsys):
    code, out = _run(cohort, tmp_path, "--classes", "Missense")
    _assert_one_line_error(capsys, code, out, "unknown Variant_Classification 'Missense'")
    code, out = _run(cohort, tmp_path, "--target-mb", "-3")
    _assert_one_line_error(capsys, code, out, "--target-mb")


def test_failed_run_leaves_earlier_outputs_untouched(cohort, tmp_path, capsys):
    code, out = _run(cohort, tmp_path)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    code, out = _run(cohort, tmp_path, "--classes", "Nope")
    assert code == 2
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no temporaries, nothing replaced


def test_byte_identical_reruns(cohort, tmp_path):
    _, first = _run(cohort, tmp_path / "a")
    _, second = _run(cohort, tmp_path / "b")
    for name in ("pairs.tsv", "burden.tsv", "tests.tsv"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
        assert str(tmp_path) not in (first / name).read_text()


def test_pure_function_errors_are_input_errors():
    sheet = pd.DataFrame(dict(patient=["P1"], sample=["S1"], sample_type=["primary"]))
    maf = pd.DataFrame(dict(Tumor_Sample_Barcode=["S2"], Chromosome=["1"], Start_Position=["5"],
                            Reference_Allele=["A"], Tumor_Seq_Allele2=["C"], Variant_Classification=["Silent"]))
    with pytest.raises(InputError, match="S2"):
        mutation_incidence(sheet, maf)
    from metevo.concordance import coding_classes

    with pytest.raises(ConfigError):
        coding_classes(classes=[])
