"""HRD scar scores: scarHRD's published example, each rule at its boundary, the LST-only mode.

Expected values are scarHRD's README output (25/35/33/93) and hand-worked cases: each case is
a small scarHRD text input whose score follows from one rule of docs/hrd.md (worked out in
the comment above it). Coordinates use hg38 centromeres unless said otherwise: chromosome 1
121.7-125.1 Mb, 2 91.8-96.0 Mb, 3 87.8-94.0 Mb, 4 48.2-51.8 Mb; hg19 chromosome 1 121.5-128.9 Mb.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from metevo.cn.hrd import hrd_scores
from metevo.errors import InputError
from metevo.io.segments import read_segments
from metevo.variants import harmonise_chrom
from tests.conftest import metevo

DATA = Path(__file__).resolve().parents[1] / "data" / "segments"
EXAMPLE = DATA / "scarhrd_test2.txt"  # sztup/scarHRD inst/extdata/test2.txt, unchanged (see README there)


def _raw_example() -> pd.DataFrame:
    """scarHRD's example as scarHRD reads it: file order, no checks (it holds an end < start row)."""
    raw = pd.read_csv(EXAMPLE, sep="\t")
    return pd.DataFrame({
        "sample": raw["SampleID"],
        "chrom": raw["Chromosome"].map(harmonise_chrom),
        "start": raw["Start_position"],
        "end": raw["End_position"],
        "total_cn": raw["total_cn"],
        "major_cn": raw[["A_cn", "B_cn"]].max(axis=1),
        "minor_cn": raw[["A_cn", "B_cn"]].min(axis=1),
        "a_cn": raw["A_cn"],
    })


def _cleaned_example(path: Path) -> Path:
    """The example with its two defects under our contract fixed: the chr4 row whose end is
    before its start is dropped, and the chr7 segment starting on the previous end moves one base."""
    lines = EXAMPLE.read_text().splitlines()
    kept = []
    for line in lines:
        fields = line.split("\t")
        if fields[1:3] == ["chr4", "190974542"]:
            continue
        if fields[1:3] == ["chr7", "95971510"]:
            fields[2] = "95971511"
        kept.append("\t".join(fields))
    path.write_text("\n".join(kept) + "\n")
    return path


def test_published_example_exactly():
    # scarHRD README: scar_score("test2.txt", reference = "grch38", seqz = FALSE) -> 25 35 33 93
    scores = hrd_scores(_raw_example(), "hg38")
    assert scores.to_dict("records") == [
        {"sample": "SamplePatient1", "hrd_loh": 25, "tai": 35, "lst": 33, "hrd_sum": 93, "method": "allele-specific"}
    ]


def test_published_example_through_the_reader_and_the_command(tmp_path):
    # the file as published breaks our input contract; the reader names the row ...
    with pytest.raises(InputError) as err:
        read_segments(EXAMPLE)
    assert "line 168" in str(err.value) and "End_position" in str(err.value)
    # ... and once its two defects are fixed, the command gives the published scores, also
    # after import-segments (the a_cn column carries scarHRD's TAI quirk along)
    clean = _cleaned_example(tmp_path / "test2_clean.txt")
    metevo("hrd", "--segments", clean, "--genome", "hg38", "--out", tmp_path / "direct.tsv")
    metevo("import-segments", "--sample", "SamplePatient1", "--segments", clean, "--out", tmp_path / "s.tsv")
    metevo("hrd", "--segments", tmp_path / "s.tsv", "--genome", "hg38", "--out", tmp_path / "imported.tsv")
    expected = "sample\thrd_loh\ttai\tlst\thrd_sum\tmethod\nSamplePatient1\t25\t35\t33\t93\tallele-specific\n"
    assert (tmp_path / "direct.tsv").read_text() == expected
    assert (tmp_path / "imported.tsv").read_text() == expected


def test_example_order_of_chromosomes_does_not_matter():
    # scarHRD reads chr1, chr10, chr11, ...; the segments table is sorted 1, 2, 3, ...
    raw = _raw_example()
    natural = raw.assign(_k=raw["chrom"].astype(int)).sort_values(["_k", "start"], kind="stable").drop(columns="_k")
    assert hrd_scores(natural, "hg38")[["hrd_loh", "tai", "lst"]].iloc[0].tolist() == [25, 35, 33]


# --- hand-built cases --------------------------------------------------------------------

def _scores(tmp_path: Path, rows, genome: str = "hg38", **kwargs) -> dict:
    """Write rows (chrom, start, end, A_cn, B_cn) as scarHRD text input and score it."""
    path = tmp_path / "case.txt"
    lines = ["SampleID\tChromosome\tStart_position\tEnd_position\ttotal_cn\tA_cn\tB_cn\tploidy"]
    for chrom, start, end, a, b in rows:
        lines.append(f"S\tchr{chrom}\t{start}\t{end}\t{a + b}\t{a}\t{b}\t2")
    path.write_text("\n".join(lines) + "\n")
    return hrd_scores(read_segments(path), genome, **kwargs).iloc[0].to_dict()


@pytest.mark.parametrize("end, counted", [(16_000_000, 0), (16_000_001, 1)])
def test_loh_segment_of_exactly_15_mb_is_not_counted(tmp_path, end, counted):
    # LOH 1/0 from 1,000,000: length end - start = 15,000,000 (not > 15e6) or 15,000,001
    rows = [(2, 1_000_000, end, 1, 0), (2, end + 1, 200_000_000, 1, 1)]
    assert _scores(tmp_path, rows)["hrd_loh"] == counted


def test_whole_chromosome_loh_is_excluded(tmp_path):
    # chromosome 3 is LOH from end to end (two states, both nB = 0): excluded; the 20 Mb LOH of
    # chromosome 4 counts
    rows = [
        (3, 1, 50_000_000, 2, 0), (3, 50_000_001, 198_000_000, 1, 0),
        (4, 1, 20_000_000, 1, 0), (4, 20_000_001, 190_000_000, 1, 1),
    ]
    assert _scores(tmp_path, rows)["hrd_loh"] == 1


def test_homozygous_deletion_is_not_loh(tmp_path):
    # 0/0 over 30 Mb: not LOH (nA = 0)
    rows = [(5, 1, 30_000_000, 0, 0), (5, 30_000_001, 180_000_000, 1, 1)]
    assert _scores(tmp_path, rows)["hrd_loh"] == 0


def test_neighbouring_loh_segments_of_different_copy_number_count_once(tmp_path):
    # 1/0 then 3/0, 10 Mb each: capped to 1/0, merged into one 20 Mb LOH
    rows = [(6, 1, 10_000_000, 1, 0), (6, 10_000_001, 20_000_000, 3, 0), (6, 20_000_001, 170_000_000, 1, 1)]
    assert _scores(tmp_path, rows)["hrd_loh"] == 1


@pytest.mark.parametrize("b_start, first_end, counted", [
    (14_000_000, 11_000_000, 0),  # gap exactly 3e6: not counted (strict <)
    (13_999_999, 11_000_000, 1),  # gap 2,999,999
    (13_999_999, 10_999_999, 0),  # first segment 9,999,999 long: shorter than 10e6
])
def test_lst_gap_and_length_boundaries(tmp_path, b_start, first_end, counted):
    # chromosome 1 p-arm: A 1,000,000..first_end (exactly 10e6 when first_end = 11e6), then B
    # from b_start in another state (its end becomes the centromere start, 121.7 Mb)
    rows = [(1, 1_000_000, first_end, 1, 1), (1, b_start, 121_000_000, 2, 1)]
    assert _scores(tmp_path, rows)["lst"] == counted


@pytest.mark.parametrize("short_length, counted", [(3_000_000, 0), (2_999_999, 1)])
def test_lst_short_segments_are_removed_below_3_mb(tmp_path, short_length, counted):
    # A (1/1, 19 Mb), S (2/2, short), B (1/1, 5 Mb), C (2/1, long). A kept S of exactly 3 Mb
    # separates A from B and B is too short: no LST. Removing S (2,999,999 bp) merges A and B
    # into one 1/1 segment over 10 Mb, which is adjacent to C: one LST.
    s_start = 20_000_001
    s_end = s_start + short_length
    b_end = s_end + 5_000_000
    rows = [(1, 1_000_000, 20_000_000, 1, 1), (1, s_start, s_end, 2, 2), (1, s_end + 1, b_end, 1, 1), (1, b_end + 1, 100_000_000, 2, 1)]
    assert _scores(tmp_path, rows)["lst"] == counted


def test_lst_counts_copy_number_changes_not_only_loh_changes(tmp_path):
    # eyzhao/hrdetect-pipeline#5: two segments over 10 Mb, both allelic imbalance without LOH
    # (3 copies = 2+1, then 5 = 4+1); hrdtools compared LOH types only and reported LST 0.
    # In scarHRD's (nA, nB) states they differ: one LST.
    rows = [(1, 752_001, 16_851_000, 2, 1), (1, 16_858_001, 27_015_000, 4, 1)]
    assert _scores(tmp_path, rows, genome="hg19")["lst"] == 1
    same = [(1, 752_001, 16_851_000, 2, 1), (1, 16_858_001, 27_015_000, 2, 1)]
    assert _scores(tmp_path, same, genome="hg19")["lst"] == 0


def test_lst_arms_are_split_at_the_centromere(tmp_path):
    # a transition across the centromere is not an LST: the p segment ends at cs (121.7 Mb), the
    # q segment starts at ce (125.1 Mb), so the gap is 3.4 Mb
    rows = [(1, 1, 122_000_000, 1, 1), (1, 122_000_001, 248_000_000, 2, 1)]
    assert _scores(tmp_path, rows)["lst"] == 0


@pytest.mark.parametrize("first_end, last_start, tai", [
    (50_000_000, 150_000_001, 2),  # imbalanced at both telomeres
    (91_800_000, 150_000_001, 1),  # first ends exactly at the centromere start: not telomeric
    (50_000_000, 96_000_000, 1),  # last starts exactly at the centromere end: not telomeric
])
def test_telomeric_imbalance_at_each_end(tmp_path, first_end, last_start, tai):
    # chromosome 2: 2/1 | 1/1 | 2/0. A_cn is 1 or 0, so the TAI ploidy is 1 (which scarHRD
    # treats as even): imbalance = nA != nB
    rows = [(2, 1, first_end, 1, 2), (2, first_end + 1, last_start - 1, 1, 1), (2, last_start, 240_000_000, 0, 2)]
    assert _scores(tmp_path, rows)["tai"] == tai


def test_whole_chromosome_imbalance_is_not_telomeric(tmp_path):
    rows = [(3, 1, 198_000_000, 2, 1)]
    assert _scores(tmp_path, rows)["tai"] == 0


@pytest.mark.parametrize("length, tai", [(999_999, 0), (1_000_000, 1)])
def test_tai_drops_segments_shorter_than_1_mb(tmp_path, length, tai):
    rows = [(4, 1_000_000, 1_000_000 + length, 2, 1), (4, 1_000_001 + length, 190_000_000, 1, 1)]
    assert _scores(tmp_path, rows)["tai"] == tai


def test_odd_ploidy_chromosome_rule(tmp_path):
    # A_cn (scarHRD's sixth column) is 3 over 100 Mb: the chromosome's ploidy is 3 (odd), so a
    # segment is balanced only when nA + nB = 3 and nB != 0. 3/0 (telomeric, LOH) and 1/1
    # (telomeric, 2 copies) are both imbalanced: TAI 2. Under the even rule the 1/1 end would
    # be balanced (TAI 1), which is what the total copy number (ploidy 4, 100 Mb) gives.
    rows = [(3, 1, 20_000_000, 3, 0), (3, 20_000_001, 120_000_000, 3, 1), (3, 120_000_001, 150_000_000, 1, 1)]
    assert _scores(tmp_path, rows)["tai"] == 2
    assert _scores(tmp_path, rows, tai_ploidy="total_cn")["tai"] == 1


def test_x_and_y_are_not_scored(tmp_path):
    rows = [("X", 1, 50_000_000, 1, 0), ("X", 50_000_001, 150_000_000, 1, 1)]
    path = tmp_path / "x.txt"
    path.write_text("SampleID\tChromosome\tStart_position\tEnd_position\ttotal_cn\tA_cn\tB_cn\tploidy\n"
                    + "".join(f"S\tchr{c}\t{s}\t{e}\t{a + b}\t{a}\t{b}\t2\n" for c, s, e, a, b in rows
                              + [(1, 1, 248_000_000, 1, 1)]))
    scores = hrd_scores(read_segments(path), "hg38").iloc[0]
    assert (scores["hrd_loh"], scores["tai"], scores["lst"]) == (0, 0, 0)


# --- total copy number only ---------------------------------------------------------------

def test_total_copy_number_gives_lst_only(tmp_path):
    # the hrdetect case with total copy numbers 3 and 5 only (IGV seg has no allele-specific
    # values, so use the metevo table): one LST; HRD-LOH, TAI and the sum are empty
    path = tmp_path / "total.tsv"
    path.write_text(
        "sample\tchrom\tstart\tend\tn_bins\tlog2\ttotal_cn\tmajor_cn\tminor_cn\tploidy\tcall\n"
        "T\t1\t752001\t16851000\t10\t0.58\t3\t\t\t\tgain\n"
        "T\t1\t16858001\t27015000\t12\t1.32\t5\t\t\t\tgain\n"
    )
    out = tmp_path / "hrd.tsv"
    metevo("hrd", "--segments", path, "--genome", "hg19", "--out", out)
    assert out.read_text() == "sample\thrd_loh\ttai\tlst\thrd_sum\tmethod\nT\t\t\t1\t\ttotal-cn (LST only)\n"


def test_log2_only_segments_are_an_error(tmp_path):
    path = tmp_path / "x.seg"
    path.write_text("ID\tchrom\tloc.start\tloc.end\tnum.mark\tseg.mean\nT\t1\t1\t1000000\t10\t0.1\n")
    proc = metevo("hrd", "--segments", path, "--genome", "hg38", "--out", tmp_path / "o.tsv", check=False)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "only log2 ratios" in proc.stderr
    assert not (tmp_path / "o.tsv").exists()


def test_several_samples_and_sample_choice(tmp_path):
    path = tmp_path / "two.txt"
    rows = [("A", 2, 1_000_000, 16_000_001, 1, 0), ("A", 2, 16_000_002, 200_000_000, 1, 1),
            ("B", 2, 1_000_000, 16_000_000, 1, 0), ("B", 2, 16_000_001, 200_000_000, 1, 1)]
    path.write_text("SampleID\tChromosome\tStart_position\tEnd_position\ttotal_cn\tA_cn\tB_cn\tploidy\n"
                    + "".join(f"{s}\t{c}\t{st}\t{e}\t{a + b}\t{a}\t{b}\t2\n" for s, c, st, e, a, b in rows))
    metevo("hrd", "--segments", path, "--genome", "hg38", "--out", tmp_path / "all.tsv")
    table = pd.read_csv(tmp_path / "all.tsv", sep="\t")
    assert table["sample"].tolist() == ["A", "B"] and table["hrd_loh"].tolist() == [1, 0]
    metevo("hrd", "--segments", path, "--genome", "hg38", "--sample", "B", "--out", tmp_path / "b.tsv")
    assert pd.read_csv(tmp_path / "b.tsv", sep="\t")["sample"].tolist() == ["B"]
    proc = metevo("hrd", "--segments", path, "--genome", "hg38", "--sample", "C", "--out", tmp_path / "c.tsv", check=False)
    assert proc.returncode == 2 and "samples present: A, B" in proc.stderr and not (tmp_path / "c.tsv").exists()


def test_library_call_on_log2_only_segments_gives_no_score():
    # other modules (cn.concordance) score whatever segments they hold: no exception, an empty row
    segments = pd.DataFrame({"sample": ["T"], "chrom": ["1"], "start": [1], "end": [1_000_000], "log2": [0.1],
                             "total_cn": pd.array([None], dtype="Int64"), "major_cn": pd.array([None], dtype="Int64"),
                             "minor_cn": pd.array([None], dtype="Int64")})
    row = hrd_scores(segments, "hg38").iloc[0]
    assert row["method"] == "none (log2 only)" and all(pd.isna(row[c]) for c in ("hrd_loh", "tai", "lst", "hrd_sum"))
    with pytest.raises(InputError, match="only log2 ratios"):
        hrd_scores(segments, "hg38", strict=True)
