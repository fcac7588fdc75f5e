"""metevo compare-cohorts on TCGA BRCA (Firehose MAF, 977 samples): ER-negative vs ER-positive
tumours, split with the clinical table. Every gene's counts must equal a count made here with
the csv module (distinct samples per gene among maftools' non-synonymous rows), and the
known biology must show: TP53 is mutated far more often in ER-negative tumours, PIK3CA and
GATA3 in ER-positive ones (TCGA, Nature 2012;490:61).

Skipped when ../shared is absent, unless METEVO_REQUIRE_SHARED=1.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

from metevo.cli import main
from tests.tcga import MAF, NONSYN, load_tcga

@pytest.fixture(scope="module")
def data():
    rows, clinical = load_tcga()
    er = {r["Tumor_Sample_Barcode"]: r["breast_carcinoma_estrogen_receptor_status"] for r in clinical}
    return rows, er


def _expected(rows, samples):
    mutated = defaultdict(set)
    for r in rows:
        if r["Variant_Classification"] in NONSYN and r["Tumor_Sample_Barcode"] in samples:
            mutated[r["Hugo_Symbol"]].add(r["Tumor_Sample_Barcode"])
    return {g: len(s) for g, s in mutated.items()}


def test_whole_maf_against_itself_split_by_er_status(data, tmp_path, capsys):
    rows, er = data
    in_maf = {r["Tumor_Sample_Barcode"] for r in rows}
    negative = sorted(s for s in in_maf if er.get(s) == "Negative")
    positive = sorted(s for s in in_maf if er.get(s) == "Positive")
    assert len(negative) > 150 and len(positive) > 600
    # the lists also name clinical ER-negative samples that have no mutation call at all: they count as unmutated
    quiet = sorted(s for s, status in er.items() if status == "Negative" and s not in in_maf)
    (tmp_path / "er_neg.txt").write_text("\n".join(negative + quiet) + "\n")
    (tmp_path / "er_pos.txt").write_text("\n".join(positive) + "\n")
    out = tmp_path / "er.tsv"
    rc = main(["compare-cohorts", "--maf-a", str(MAF), "--maf-b", str(MAF), "--samples-a", str(tmp_path / "er_neg.txt"),
               "--samples-b", str(tmp_path / "er_pos.txt"), "--min-mutated", "1", "--out", str(out)])
    assert rc == 0, capsys.readouterr().err
    got = pd.read_csv(out, sep="\t", keep_default_na=False, na_values=[""]).set_index("gene")
    want_a = _expected(rows, set(negative))
    want_b = _expected(rows, set(positive))
    genes = set(want_a) | set(want_b)
    assert set(got.index) == genes and len(genes) > 10_000
    assert (got["a_total"] == len(negative) + len(quiet)).all() and (got["b_total"] == len(positive)).all()
    for gene in genes:
        assert got.at[gene, "a_mutated"] == want_a.get(gene, 0), gene
        assert got.at[gene, "b_mutated"] == want_b.get(gene, 0), gene
    for side in "ab":  # written with 10 significant digits
        assert np.allclose(got[f"{side}_fraction"], got[f"{side}_mutated"] / got[f"{side}_total"], rtol=1e-9, atol=0)
    print(f"\nTCGA BRCA ER- ({len(negative)} + {len(quiet)} without calls) vs ER+ ({len(positive)}): {len(genes)} genes")
    print(got.head(8)[["a_mutated", "a_fraction", "b_mutated", "b_fraction", "odds_ratio", "q_value"]].to_string())
    assert got.at["TP53", "a_fraction"] > 0.6 and got.at["TP53", "b_fraction"] < 0.3
    assert got.at["TP53", "q_value"] < 1e-20 and got.at["TP53", "odds_ratio"] > 5
    for gene in ("PIK3CA", "GATA3"):
        assert got.at[gene, "odds_ratio"] < 1 and got.at[gene, "q_value"] < 0.05, gene
    assert got.index[0] == "TP53"


def test_two_mafs_default_samples(data, tmp_path, capsys):
    """Without lists the denominators are each MAF's distinct barcodes."""
    rows, er = data
    header = list(rows[0].keys())
    halves = {"neg": [r for r in rows if er.get(r["Tumor_Sample_Barcode"]) == "Negative"],
              "pos": [r for r in rows if er.get(r["Tumor_Sample_Barcode"]) == "Positive"]}
    paths = {}
    for name, part in halves.items():
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=header, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(part)
        paths[name] = tmp_path / f"{name}.maf.gz"
        with gzip.open(paths[name], "wt") as fh:
            fh.write("#version 2.4\n" + buf.getvalue())
    out = tmp_path / "er.tsv"
    assert main(["compare-cohorts", "--maf-a", str(paths["neg"]), "--maf-b", str(paths["pos"]), "--out", str(out)]) == 0
    got = pd.read_csv(out, sep="\t", keep_default_na=False, na_values=[""]).set_index("gene")
    n_neg = len({r["Tumor_Sample_Barcode"] for r in halves["neg"]})
    n_pos = len({r["Tumor_Sample_Barcode"] for r in halves["pos"]})
    assert (got["a_total"] == n_neg).all() and (got["b_total"] == n_pos).all()
    want_a = _expected(halves["neg"], {r["Tumor_Sample_Barcode"] for r in halves["neg"]})
    want_b = _expected(halves["pos"], {r["Tumor_Sample_Barcode"] for r in halves["pos"]})
    tested = {g for g in set(want_a) | set(want_b) if want_a.get(g, 0) + want_b.get(g, 0) >= 5}
    assert set(got.index) == tested
    for gene in tested:
        assert (got.at[gene, "a_mutated"], got.at[gene, "b_mutated"]) == (want_a.get(gene, 0), want_b.get(gene, 0))
    assert set(got["cohort_a"]) == {"neg"} and set(got["cohort_b"]) == {"pos"}
