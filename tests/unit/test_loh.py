"""Gene-level copy state from segments: minimum over overlapping segments, LOH, homozygous
deletion, copy-neutral LOH (with whole-genome doubling), unknown states. Hand-built cases."""

from __future__ import annotations

import pandas as pd

from metevo.cn.loh import gene_copy_state, whole_genome_doubled

GENES = pd.DataFrame({
    "gene": ["G1", "G2", "G3"],
    "chrom": ["1", "1", "2"],
    "start": [100, 250, 10],
    "end": [200, 400, 20],
})


def _segments(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["sample", "chrom", "start", "end", "total_cn", "major_cn", "minor_cn"])
    for name in ("total_cn", "major_cn", "minor_cn"):
        frame[name] = frame[name].astype("Int64")
    return frame


def _state(table, sample, gene):
    row = table[(table["sample"] == sample) & (table["gene"] == gene)].iloc[0]
    return {k: (None if pd.isna(row[k]) else getattr(row[k], "item", lambda: row[k])()) for k in ("n_segments", "total_cn", "major_cn", "minor_cn", "loh", "homdel", "cn_loh")}


def test_minimum_over_overlapping_segments_and_loh():
    # A: 1-300 is 2+0 (copy-neutral LOH), 301-1000 is 1+1. G2 (250-400) overlaps both:
    # total min(2, 2) = 2, major min(2, 1) = 1, minor min(0, 1) = 0 -> LOH, copy-neutral
    segs = _segments([("A", "1", 1, 300, 2, 2, 0), ("A", "1", 301, 1000, 2, 1, 1)])
    table = gene_copy_state(segs, GENES, genes=["G1", "G2", "G3", "NOT_A_GENE"])
    assert _state(table, "A", "G1") == {"n_segments": 1, "total_cn": 2, "major_cn": 2, "minor_cn": 0, "loh": True, "homdel": False, "cn_loh": True}
    assert _state(table, "A", "G2") == {"n_segments": 2, "total_cn": 2, "major_cn": 1, "minor_cn": 0, "loh": True, "homdel": False, "cn_loh": True}
    # no segment on chromosome 2, gene not in the table: unknown
    assert _state(table, "A", "G3") == {"n_segments": 0, "total_cn": None, "major_cn": None, "minor_cn": None, "loh": None, "homdel": None, "cn_loh": None}
    assert _state(table, "A", "NOT_A_GENE")["n_segments"] == 0
    assert table["gene"].tolist() == ["G1", "G2", "G3", "NOT_A_GENE"]


def test_homozygous_deletion_is_not_loh():
    # a deletion of part of G1 (100-150 of 100-200) makes the gene's total 0
    segs = _segments([("B", "1", 1, 150, 0, 0, 0), ("B", "1", 151, 1000, 2, 1, 1)])
    state = _state(gene_copy_state(segs, GENES), "B", "G1")
    assert state["total_cn"] == 0 and state["homdel"] is True and state["loh"] is False and state["cn_loh"] is False


def test_single_copy_loss_is_loh_but_not_copy_neutral():
    segs = _segments([("C", "1", 1, 1000, 1, 1, 0)])
    state = _state(gene_copy_state(segs, GENES), "C", "G1")
    assert state["loh"] is True and state["cn_loh"] is False


def test_copy_neutral_loh_after_whole_genome_doubling():
    # D: major >= 2 over the whole (autosomal) length -> doubled (Bielski 2018): normal total 4.
    # G1 on 4+0 is copy-neutral LOH; E is not doubled (major >= 2 on 300 of 1000 bp): 4+0 is a gain
    segs = _segments([
        ("D", "1", 1, 300, 4, 4, 0), ("D", "1", 301, 1000, 4, 2, 2),
        ("E", "1", 1, 300, 4, 4, 0), ("E", "1", 301, 1000, 2, 1, 1),
    ])
    assert whole_genome_doubled(segs) == {"D": True, "E": False}
    table = gene_copy_state(segs, GENES, genes=["G1"])
    assert _state(table, "D", "G1")["cn_loh"] is True
    assert _state(table, "E", "G1")["cn_loh"] is False and _state(table, "E", "G1")["loh"] is True


def test_unknown_minor_copy_number():
    segs = _segments([("F", "1", 1, 1000, 3, None, None)])
    state = _state(gene_copy_state(segs, GENES), "F", "G1")
    assert state["total_cn"] == 3 and state["loh"] is None and state["homdel"] is False
    assert whole_genome_doubled(segs) == {"F": None}
